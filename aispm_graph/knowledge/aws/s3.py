"""What is read of every S3 bucket: the collector calls these, the transform merges their
answers back into one bucket node."""

from __future__ import annotations

BUCKET_OPS = (
    "get_bucket_location",
    "get_bucket_policy",
    "get_bucket_acl",
    "get_public_access_block",
    "get_bucket_encryption",
)
