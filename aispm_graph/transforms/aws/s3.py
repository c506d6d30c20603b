"""S3: buckets with their policy, ACL, public access blocks (bucket and account) and encryption.

The per-bucket answers (:data:`~aispm_graph.knowledge.aws.s3.BUCKET_OPS`) are merged back
into one node per bucket; ``data_role`` is added later by the services that use a bucket for
AI (SageMaker, Bedrock) through :meth:`AwsBuilder.bucket`.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from aispm_graph.knowledge.aws.s3 import BUCKET_OPS
from aispm_graph.transforms.aws.builder import AwsBuilder, policy_doc, s3_arn
from aispm_graph.transforms.registry import service


@service(
    "aws",
    "s3",
    reads=[
        ("s3", "list_buckets"),
        ("s3control", "get_public_access_block"),
        *(("s3", op) for op in BUCKET_OPS),
    ],
    order=30,
)
def s3(b: AwsBuilder) -> None:
    """Collected buckets (``collected=True``), before the AI services mark their roles."""
    per_bucket: dict[str, dict[str, Any]] = defaultdict(dict)
    for op in BUCKET_OPS:
        for body in b.responses("s3", op):
            per_bucket[str(body["params"].get("Bucket", ""))][op] = body["response"]
    account_pab: dict[str, Any] = {}
    for body in b.responses("s3control", "get_public_access_block"):
        account_pab = body["response"].get("PublicAccessBlockConfiguration", {})
    for _body, i, bucket in b.items("s3", "list_buckets", "Buckets"):
        with b.guard("list_buckets", bucket, index=i):
            _bucket(b, bucket, per_bucket, account_pab)


def _bucket(
    b: AwsBuilder,
    bucket: dict[str, Any],
    per_bucket: dict[str, dict[str, Any]],
    account_pab: dict[str, Any],
) -> None:
    name = bucket.get("Name")
    if not name:
        return
    info = per_bucket.get(name, {})
    region = (info.get("get_bucket_location") or {}).get("LocationConstraint")
    pab = dict(
        (info.get("get_public_access_block") or {}).get("PublicAccessBlockConfiguration", {})
    )
    for k, v in account_pab.items():
        pab[k] = bool(pab.get(k)) or bool(v)
    policy = policy_doc((info.get("get_bucket_policy") or {}).get("Policy"))
    grants = (info.get("get_bucket_acl") or {}).get("Grants", [])
    rules = (
        (info.get("get_bucket_encryption") or {})
        .get("ServerSideEncryptionConfiguration", {})
        .get("Rules", [])
    )
    cmk = any(
        (r.get("ApplyServerSideEncryptionByDefault") or {}).get("SSEAlgorithm")
        in {"aws:kms", "aws:kms:dsse"}
        and "alias/aws/s3"
        not in str(
            (r.get("ApplyServerSideEncryptionByDefault") or {}).get("KMSMasterKeyID")
            or "alias/aws/s3"
        )
        for r in rules
    )
    public_acl = sorted(
        {
            g.get("Permission", "")
            for g in grants
            if (g.get("Grantee") or {})
            .get("URI", "")
            .endswith(("/global/AllUsers", "/global/AuthenticatedUsers"))
        }
    )
    kms_key = next(
        (
            (r.get("ApplyServerSideEncryptionByDefault") or {}).get("KMSMasterKeyID")
            for r in rules
            if (r.get("ApplyServerSideEncryptionByDefault") or {}).get("KMSMasterKeyID")
        ),
        None,
    )
    b.node(
        s3_arn(name),
        "S3Bucket",
        name,
        region=region or "us-east-1",
        kms_key=kms_key,
        resource_policy=policy if isinstance(policy, dict) else None,
        public_access_block=pab,
        public_acl_grants=public_acl,
        cmk=cmk,
        collected=True,
    )
