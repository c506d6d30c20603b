"""Secrets Manager: secrets (never their values), resource policies, AI-key heuristics."""

from __future__ import annotations

from typing import Any

from aispm_graph.transforms.aws.builder import AI_KEY_WORDS, AwsBuilder, policy_doc, tags_of
from aispm_graph.transforms.registry import service


@service(
    "aws",
    "secretsmanager",
    reads=[("secretsmanager", "get_resource_policy"), ("secretsmanager", "list_secrets")],
    order=80,
)
def secrets(b: AwsBuilder) -> None:
    """``ai_key`` when name, description or tags suggest an AI provider's API key."""
    pols: dict[str, Any] = {}
    for body in b.responses("secretsmanager", "get_resource_policy"):
        pol = body["response"].get("ResourcePolicy")
        if pol:
            key = body["response"].get("ARN") or body["params"].get("SecretId", "")
            pols[str(key)] = policy_doc(pol)
    for body, i, s in b.items("secretsmanager", "list_secrets", "SecretList"):
        with b.guard("list_secrets", s, index=i):
            arn = s["ARN"]
            tags = tags_of(s.get("Tags"))
            text = " ".join(
                [s.get("Name", ""), s.get("Description", "") or "", *tags.keys(), *tags.values()]
            )
            b.node(
                arn,
                "SecretsManagerSecret",
                s.get("Name", arn),
                body["region"],
                ai_key=bool(AI_KEY_WORDS.search(text)),
                tags=tags,
                resource_policy=pols.get(arn),
                cmk=bool(s.get("KmsKeyId")),
            )
