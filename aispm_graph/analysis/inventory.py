"""The AI bill of materials: every AI asset and every host running AI software (shadow AI).

Models carry their provenance (where the weights came from, and whether that source is pinned
to one version) as decided by the model-provenance deriver, so the auditor's first three
questions (which models, from where, which exact version) are answered in one table.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from pydantic import BaseModel

from aispm_graph.aibom.provenance import UNKNOWN
from aispm_graph.graph.model import Graph
from aispm_graph.schema import INTERNET_ID, node_kinds

AI_CATEGORY = "ai"


class InventoryItem(BaseModel):
    id: str
    kind: str
    name: str
    provider: str
    service: str
    category: str
    region: str = ""
    tenant: str = ""
    model: str = ""
    shadow_ai: bool = False
    ai_libraries: list[str] = []
    internet_exposed: bool = False
    paths: int = 0
    # Models and deployments only (empty elsewhere): see aispm_graph/aibom/provenance.py.
    provenance: str = ""
    provenance_source: str = ""
    provenance_id: str = ""
    provenance_revision: str = ""
    provenance_pinned: bool | None = None
    base_model: str = ""
    training_job: str = ""
    serving_framework: str = ""


class Inventory(BaseModel):
    items: list[InventoryItem]

    def summary(self) -> dict[str, Any]:
        ai = [i for i in self.items if not i.shadow_ai]
        shadow = [i for i in self.items if i.shadow_ai]
        return {
            "ai_assets": len(ai),
            "by_provider": dict(sorted(Counter(i.provider for i in ai).items())),
            "by_service": dict(sorted(Counter(f"{i.provider}/{i.service}" for i in ai).items())),
            "shadow_ai_hosts": len(shadow),
            "internet_exposed": sum(1 for i in self.items if i.internet_exposed),
            "models_unknown_provenance": sum(1 for i in ai if i.provenance_source == UNKNOWN),
            "models_unpinned": sum(
                1
                for i in ai
                if i.provenance_source not in ("", UNKNOWN) and i.provenance_pinned is False
            ),
        }

    def one_line(self) -> str:
        s = self.summary()
        clouds = ", ".join(f"{k} {v}" for k, v in s["by_provider"].items()) or "none"
        return (
            f"AI-BOM: {s['ai_assets']} AI assets ({clouds}); {s['shadow_ai_hosts']} hosts running "
            f"AI software (shadow AI); {s['internet_exposed']} internet-exposed"
        )


def build_inventory(graph: Graph, path_counts: dict[str, int] | None = None) -> Inventory:
    kinds = node_kinds()
    counts = path_counts or {}
    # Network or anonymous exposure; content the internet can write into an agent's context
    # (PROMPT_INJECTION) is not the agent being reachable.
    exposed = (
        {t for _s, t, e in graph.out_edges(INTERNET_ID) if e["kind"] != "PROMPT_INJECTION"}
        if graph.has_node(INTERNET_ID)
        else set()
    )
    items = []
    for node_id, data in graph.nodes():
        spec = kinds[data["kind"]]
        libs = list(data.get("ai_libraries") or [])
        is_ai = spec.category == AI_CATEGORY
        if not is_ai and not libs:
            continue
        items.append(
            InventoryItem(
                id=node_id,
                kind=data["kind"],
                name=data["name"],
                provider=data["provider"],
                service=spec.service,
                category=spec.category,
                region=str(data.get("region") or ""),
                tenant=str(data.get("tenant") or ""),
                model=str(data.get("model_name") or ""),
                shadow_ai=not is_ai,
                ai_libraries=libs,
                internet_exposed=node_id in exposed,
                paths=counts.get(node_id, 0),
                **_provenance(data),
            )
        )
    items.sort(key=lambda i: (i.shadow_ai, i.provider, i.service, i.kind, i.name, i.id))
    return Inventory(items=items)


def _provenance(data: dict[str, Any]) -> dict[str, Any]:
    source = str(data.get("provenance_source") or "")
    if not source:
        return {}
    ident = str(data.get("provenance_id") or data.get("base_model") or "")
    rev = str(data.get("provenance_revision") or "")
    pinned = data.get("provenance_pinned")
    text = source if source == UNKNOWN else f"{source} {ident}{'@' + rev if rev else ''}"
    if source != UNKNOWN and pinned is False:
        text += " (unpinned)"
    fw = str(data.get("serving_framework") or "")
    if fw and data.get("serving_framework_version"):
        fw += f" {data['serving_framework_version']}"
    return {
        "provenance": text.strip(),
        "provenance_source": source,
        "provenance_id": ident,
        "provenance_revision": rev,
        "provenance_pinned": pinned if isinstance(pinned, bool) else None,
        "base_model": str(data.get("base_model") or ""),
        "training_job": str(data.get("training_job") or ""),
        "serving_framework": fw,
    }
