"""AWS: boto3 collector (:mod:`.collect`) and offline IAM policy evaluation (:mod:`.iam`)."""
