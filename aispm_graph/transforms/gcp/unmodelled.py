"""No silent drops: Cloud Asset types that no GCP service module declares.

The collector asks for whole families (``aiplatform.googleapis.com.*``), so Google can return
types no transform models yet (a new Vertex AI resource, say). Each such AI resource is kept as
a generic ``GCPAIResource`` node (its type and top-level fields, its project and IAM policy)
and every such type is counted in one build warning, e.g. "12 aiplatform FeatureView assets
have no dedicated transform"; a non-AI type is counted in the build stats.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from aispm_graph.transforms.registry import declared_reads

if TYPE_CHECKING:
    from aispm_graph.transforms.gcp.builder import GcpBuilder

AI_SERVICES = (
    "aiplatform.googleapis.com/",
    "discoveryengine.googleapis.com/",
    "notebooks.googleapis.com/",
    "ml.googleapis.com/",
    "dialogflow.googleapis.com/",
)


def short_type(atype: str) -> str:
    """'aiplatform.googleapis.com/FeatureView' -> 'aiplatform FeatureView'."""
    service, _, kind = atype.partition("/")
    return f"{service.split('.', 1)[0]} {kind}".strip()


def unmodelled(b: GcpBuilder) -> None:
    declared = {r for r in declared_reads("gcp") if isinstance(r, str)}
    kept: Counter[str] = Counter()
    ignored: Counter[str] = Counter()
    for name in sorted(b.assets.by_name):
        asset = b.assets.by_name[name]
        atype = str(asset.get("asset_type") or "")
        if not atype or atype in declared:
            continue
        if not atype.startswith(AI_SERVICES) or "resource" not in asset:
            ignored[atype] += 1
            continue
        with b.guard(atype, label=name):
            data = asset["resource"].get("data") or {}
            b.add(
                asset,
                "GCPAIResource",
                str(data.get("displayName") or name.rsplit("/", 1)[-1]),
                resource_type=atype,
                fields=sorted(str(k) for k in data) if isinstance(data, dict) else None,
            )
            kept[atype] += 1
    for atype, count in sorted(kept.items()):
        b.ctx.stats["gcp.unmodelled_ai_assets"] += count
        b.ctx.warn(
            f"gcp: {count} {short_type(atype)} assets have no dedicated transform; kept as "
            "generic GCPAIResource nodes (type, fields, project and IAM policy only)"
        )
    # Not AI resources (context a transform may read later, such as reserved addresses):
    # counted in the build stats, not warned about in every build.
    for atype, count in sorted(ignored.items()):
        b.ctx.stats[f"gcp.unread_assets.{atype}"] += count
