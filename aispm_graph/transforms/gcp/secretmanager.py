"""Secret Manager secrets (never their values), flagged ``ai_key`` by name and labels."""

from __future__ import annotations

from typing import Any

from aispm_graph.transforms.gcp.builder import AI_KEY_HINTS, GcpBuilder
from aispm_graph.transforms.registry import service

SECRET = "secretmanager.googleapis.com/Secret"  # noqa: S105 - an asset type, not a secret


@service("gcp", "secretmanager", reads=[SECRET], order=31)
def secret_manager(b: GcpBuilder) -> None:
    """Secrets; their IAM policy alone is kept when the resource was not listed."""
    b.each((SECRET,), _secret, policy_only_ok=True)


def _secret(b: GcpBuilder, asset: dict[str, Any]) -> None:
    data = asset.get("resource", {}).get("data", {})
    name = asset["name"].rsplit("/", 1)[-1]
    hay = " ".join(
        [
            name,
            *map(str, (data.get("labels") or {}).keys()),
            *map(str, (data.get("labels") or {}).values()),
        ]
    ).lower()
    b.add(asset, "GCPSecret", name, ai_key=any(h in hay for h in AI_KEY_HINTS) or None)
