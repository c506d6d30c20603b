"""Assets that only inform others: notebook runtime templates and load-balancer targets."""

from __future__ import annotations

from typing import Any

from aispm_graph.transforms.gcp.builder import AIP, GcpBuilder, compute_path
from aispm_graph.transforms.registry import service

NOTEBOOK_RUNTIME_TEMPLATE = "aiplatform.googleapis.com/NotebookRuntimeTemplate"
TARGET_INSTANCE = "compute.googleapis.com/TargetInstance"
TARGET_POOL = "compute.googleapis.com/TargetPool"


@service("gcp", "lookups", reads=[NOTEBOOK_RUNTIME_TEMPLATE, TARGET_INSTANCE, TARGET_POOL], order=5)
def lookups(b: GcpBuilder) -> None:
    """Before the services that read them (Colab runtimes, forwarding rules); makes no nodes."""
    b.each(
        (NOTEBOOK_RUNTIME_TEMPLATE, TARGET_INSTANCE, TARGET_POOL), _lookup_only, policy_only_ok=True
    )


def _lookup_only(b: GcpBuilder, asset: dict[str, Any]) -> None:
    data = asset.get("resource", {}).get("data", {})
    if asset["asset_type"].endswith("NotebookRuntimeTemplate"):
        b.templates[b.canon(asset["name"]).removeprefix(AIP)] = data
    elif asset["asset_type"].endswith("TargetInstance"):
        inst = data.get("instance")
        if inst:
            b.target_instances[compute_path(b.canon(asset["name"]))] = [compute_path(str(inst))]
    else:
        b.target_instances[compute_path(b.canon(asset["name"]))] = [
            compute_path(str(i)) for i in data.get("instances") or []
        ]
