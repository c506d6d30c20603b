"""KMS: customer-managed keys with their aliases and key policy (AWS-managed keys are not
nodes: nobody can change who uses them)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from aispm_graph.transforms.aws.builder import AwsBuilder, policy_doc
from aispm_graph.transforms.registry import service


@service(
    "aws",
    "kms",
    reads=[("kms", "get_key_policy"), ("kms", "list_aliases"), ("kms", "describe_key")],
    order=90,
)
def kms(b: AwsBuilder) -> None:
    """Customer keys, named by their first alias."""
    policies: dict[str, Any] = {}
    for body in b.responses("kms", "get_key_policy"):
        policies[str(body["params"].get("KeyId", ""))] = policy_doc(body["response"].get("Policy"))
    aliases: dict[str, list[str]] = defaultdict(list)
    for _body, i, a in b.items("kms", "list_aliases", "Aliases"):
        with b.guard("list_aliases", a, index=i):
            if a.get("TargetKeyId"):
                aliases[a["TargetKeyId"]].append(a.get("AliasName", ""))
    for body in b.responses("kms", "describe_key"):
        meta = body["response"].get("KeyMetadata") or {}
        with b.guard("describe_key", meta):
            if meta.get("KeyManager") != "CUSTOMER" or not meta.get("Arn"):
                continue
            kid = meta.get("KeyId", "")
            b.node(
                meta["Arn"],
                "KMSKey",
                (aliases.get(kid) or [kid])[0],
                body["region"],
                key_id=kid,
                aliases=aliases.get(kid, []),
                key_policy=policies.get(kid),
                state=meta.get("KeyState"),
            )
