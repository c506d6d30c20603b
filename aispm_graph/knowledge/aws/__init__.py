"""AWS knowledge: the IAM policy evaluator and the S3 per-bucket reads."""
