"""Vertex AI posture facts the checks read: Workbench monitoring, idle shutdown and service
account; Agent Engine and Agent Builder data store encryption. Merged into the nodes the
inventory modules (:mod:`.notebooks`, :mod:`.aiplatform`, :mod:`.discoveryengine`) made."""

from __future__ import annotations

from typing import Any

from aispm_graph.transforms.gcp.builder import GcpBuilder
from aispm_graph.transforms.registry import service

INSTANCE = "notebooks.googleapis.com/Instance"
REASONING_ENGINE = "aiplatform.googleapis.com/ReasoningEngine"
DATA_STORE = "discoveryengine.googleapis.com/DataStore"
DEFAULT_SA_SUFFIX = "-compute@developer.gserviceaccount.com"


@service("gcp", "ai-posture", reads=[INSTANCE, REASONING_ENGINE, DATA_STORE], order=90)
def ai_posture(b: GcpBuilder) -> None:
    """After the Vertex AI, Workbench and Agent Builder modules."""
    b.each((INSTANCE,), _workbench)
    b.each((REASONING_ENGINE,), _encrypted)
    b.each((DATA_STORE,), _encrypted)


def _merge(b: GcpBuilder, asset: dict[str, Any], **facts: Any) -> None:
    nid = b.node_id(asset)
    if b.graph.has_node(nid):
        b.graph.add_node(nid, b.graph.node(nid)["kind"], **facts)


def _metadata(data: dict[str, Any]) -> dict[str, Any]:
    gce = data.get("gceSetup") or {}
    meta = gce.get("metadata") or data.get("metadata") or {}
    if isinstance(meta, dict) and isinstance(meta.get("items"), list):
        meta = {i.get("key"): i.get("value") for i in meta["items"] if isinstance(i, dict)}
    return meta if isinstance(meta, dict) else {}


def _workbench(b: GcpBuilder, asset: dict[str, Any]) -> None:
    data = asset["resource"]["data"]
    meta = _metadata(data)
    try:
        idle = int(str(meta.get("idle-timeout-seconds") or 0))
    except ValueError:
        idle = 0
    gce = data.get("gceSetup") or {}
    sas = [s.get("email") for s in gce.get("serviceAccounts") or [] if isinstance(s, dict)]
    sa = next((s for s in sas if s), None) or data.get("serviceAccount")
    _merge(
        b,
        asset,
        monitoring=str(meta.get("install-monitoring-agent", "false")).lower() == "true",
        idle_shutdown=idle > 0,
        # Without a service account the instance runs as the Compute Engine default one.
        default_service_account=not sa or str(sa).endswith(DEFAULT_SA_SUFFIX),
    )


def _encrypted(b: GcpBuilder, asset: dict[str, Any]) -> None:
    data = asset["resource"]["data"]
    key = (
        (data.get("encryptionSpec") or {}).get("kmsKeyName")
        or (data.get("cmekConfig") or {}).get("kmsKey")
        or data.get("kmsKeyName")
    )
    _merge(b, asset, cmk=bool(key))
