"""Long-term Bedrock API keys: IAM service-specific credentials for ``bedrock.amazonaws.com``.

A long-term Bedrock API key is a bearer secret bound to an IAM user; whoever holds it calls
Bedrock with that user's Bedrock permissions, and nothing else (it signs no other service's
requests). So the key is a credential node of its own (``BedrockApiKey``, an entry under
``--entry credentials``) held by its user (``HAS_CREDENTIAL``); what it reaches is derived
from the user's Bedrock permissions by :mod:`aispm_graph.derive.aws_bedrock_keys`, not by an
``AUTHENTICATES_AS`` edge that would hand the key holder the user's IAM, S3 or STS rights too.

Only metadata is stored (id, status, creation and expiry); the secret is shown once, at
creation, and no API lists it. Whether a key has expired is decided against the time of the
build, so a rebuilt old snapshot says what its keys would be worth now.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aispm_graph.transforms.aws.builder import AwsBuilder
from aispm_graph.transforms.registry import service

OP = "list_service_specific_credentials"
BEDROCK = "bedrock.amazonaws.com"


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 text (as stored) or a datetime (boto3) as an aware datetime; None if neither."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def api_key_id(account: str, credential_id: str) -> str:
    return f"arn:aws:iam::{account}:service-specific-credential/{credential_id}"


@service("aws", "iam-bedrock-api-keys", reads=[("iam", OP)], order=15)
def iam_bedrock_api_keys(b: AwsBuilder) -> None:
    """After IAM (the users are nodes)."""
    users = {
        str(d["name"]): nid
        for nid, d in b.graph.nodes("AWSUser")
        if nid.split(":")[4:5] == [b.account]
    }
    now = datetime.now(UTC)
    for body in b.responses("iam", OP):
        listed = b.listed(body["response"], "ServiceSpecificCredentials", OP)
        for i, cred in enumerate(listed):
            with b.guard(OP, cred, index=i):
                if str(cred.get("ServiceName") or BEDROCK) != BEDROCK:
                    continue  # a CodeCommit or Keyspaces credential: not a Bedrock key
                cid = str(cred["ServiceSpecificCredentialId"])
                name = str(cred.get("UserName") or body["params"].get("UserName") or "")
                user = users.get(name)
                if user is None:
                    b.warn(f"user {name!r} not in the IAM details; key not linked", record=cid)
                raw_expiry = cred.get("ExpirationDate")
                expires = parse_time(raw_expiry)
                created = parse_time(cred.get("CreateDate"))
                status = str(cred.get("Status") or "")
                known = raw_expiry in (None, "") or expires is not None
                if not known:
                    b.warn("field 'ExpirationDate': not a date; expiry unknown", record=cid)
                expired = (expires is not None and expires <= now) if known else None
                usable = (status == "Active" and not expired) if known else None
                key = b.node(
                    api_key_id(b.account, cid),
                    "BedrockApiKey",
                    cid,
                    credential_id=cid,
                    user_name=name,
                    user=user,
                    status=status or None,
                    created=created.isoformat() if created else None,
                    expires=expires.isoformat() if expires else None,
                    expired=expired,
                    never_expires=(expires is None) if known else None,
                    usable=usable,
                    alias=cred.get("ServiceCredentialAlias"),
                )
                if user is not None:
                    b.edge(user, key, "HAS_CREDENTIAL", field="UserName")
                    if usable:
                        held = b.graph.node(user).get("bedrock_api_keys") or []
                        b.graph.set_prop(user, "bedrock_api_keys", sorted({*held, cid}))
