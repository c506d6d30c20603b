"""Drift between two built snapshots: what an attacker gained or lost since last time.

Paths are matched by their stable id (a hash of the route), so "the same path" means the same
hops of the same kinds. A path whose id is in both snapshots but whose risk or evidence differs
is *changed* (a rule widened, a vulnerability appeared, a condition became confirmed).
New AI assets come from the AI bill of materials; new internet exposures are new edges out of
the ``internet`` node. A tool whose description changed between the snapshots (same tool id,
different description hash) is reported: a "rug pull" needs no change on the user's side.

Under the default best-routes listing a snapshot lists only the best few routes of each
(entry, target) pair, so a route can enter or leave the listing without entering or leaving
the estate. A listed path counts as *new* only if some hop of it did not exist in the old
graph, and as *closed* only if some hop of it is gone from the new one; a route that merely
surfaced or sank in the ranking is neither.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from aispm_graph.analysis.inventory import build_inventory
from aispm_graph.analysis.models import LEVEL_ORDER, AttackPath, PathResult
from aispm_graph.graph.model import Graph
from aispm_graph.schema import INTERNET_ID


class DriftPath(BaseModel):
    id: str
    title: str
    level: str
    score: int


class ChangedDriftPath(DriftPath):
    old_level: str
    old_score: int
    changes: list[str]


class Exposure(BaseModel):
    target: str
    kind: str
    name: str
    edge: str
    evidence: dict[str, Any]


class Asset(BaseModel):
    id: str
    kind: str
    name: str
    provider: str
    shadow_ai: bool


class ToolChange(BaseModel):
    """An agent tool whose model-visible description changed (an MCP "rug pull")."""

    id: str
    name: str
    server: str
    old_hash: str
    new_hash: str
    poisoning: list[str]


class DriftReport(BaseModel):
    schema_version: int = 1
    old: str
    new: str
    new_paths: list[DriftPath]
    closed_paths: list[DriftPath]
    changed_paths: list[ChangedDriftPath]
    new_ai_assets: list[Asset]
    removed_ai_assets: list[Asset]
    new_exposures: list[Exposure]
    changed_tools: list[ToolChange] = []
    truncated: bool = False

    def worst_new_level(self) -> int:
        levels = [LEVEL_ORDER[p.level] for p in self.new_paths]
        levels += [
            LEVEL_ORDER[p.level]
            for p in self.changed_paths
            if LEVEL_ORDER[p.level] > LEVEL_ORDER[p.old_level]
        ]
        return max(levels, default=-1)


def _brief(p: AttackPath) -> DriftPath:
    return DriftPath(id=p.id, title=p.title, level=p.risk.level, score=p.risk.score)


def _changes(old: AttackPath, new: AttackPath) -> list[str]:
    out = []
    if old.risk.score != new.risk.score or old.risk.level != new.risk.level:
        out.append(f"risk {old.risk.level} {old.risk.score} -> {new.risk.level} {new.risk.score}")
    for i, (a, b) in enumerate(zip(old.edges, new.edges, strict=True)):
        if a.confidence != b.confidence:
            out.append(f"hop {i + 1} confidence {a.confidence} -> {b.confidence}")
        if a.evidence != b.evidence:
            keys = sorted(
                k
                for k in set(a.evidence) | set(b.evidence)
                if a.evidence.get(k) != b.evidence.get(k)
            )
            out.append(f"hop {i + 1} evidence changed: {', '.join(keys)}")
    return out


def _exposures(graph: Graph) -> dict[tuple[str, str], Exposure]:
    if not graph.has_node(INTERNET_ID):
        return {}
    out = {}
    for _s, target, edge in graph.out_edges(INTERNET_ID):
        kind, ev = edge["kind"], edge["evidence"]
        data = graph.node(target)
        out[(target, kind)] = Exposure(
            target=target, kind=data["kind"], name=data["name"], edge=kind, evidence=ev
        )
    return out


def _assets(graph: Graph) -> dict[str, Asset]:
    return {
        i.id: Asset(id=i.id, kind=i.kind, name=i.name, provider=i.provider, shadow_ai=i.shadow_ai)
        for i in build_inventory(graph).items
    }


def _tool_changes(old: Graph, new: Graph) -> list[ToolChange]:
    """Tools present in both snapshots whose description hash differs: what the model is told
    about a tool changed with no change on the user's side."""
    out = []
    for tid, data in new.nodes("MCPTool"):
        if not old.has_node(tid):
            continue
        before, after = old.node(tid).get("description_hash"), data.get("description_hash")
        if before and after and before != after:
            server = str(data.get("server") or "")
            out.append(
                ToolChange(
                    id=tid,
                    name=data["name"],
                    server=new.node(server)["name"] if new.has_node(server) else server,
                    old_hash=str(before),
                    new_hash=str(after),
                    poisoning=list(data.get("poisoning") or []),
                )
            )
    return sorted(out, key=lambda t: t.id)


def _route_exists(graph: Graph, path: AttackPath) -> bool:
    """Every hop of ``path`` is still in ``graph``, with the kinds that carried it."""
    return all(
        graph.has_node(e.source) and graph.edge(e.source, e.target, e.kind) is not None
        for e in path.edges
    )


def drift(
    old_id: str,
    old_graph: Graph,
    old_paths: PathResult,
    new_id: str,
    new_graph: Graph,
    new_paths: PathResult,
) -> DriftReport:
    old = {p.id: p for p in old_paths.paths}
    new = {p.id: p for p in new_paths.paths}
    changed = []
    for p in new_paths.paths:
        if p.id in old:
            diffs = _changes(old[p.id], p)
            if diffs:
                changed.append(
                    ChangedDriftPath(
                        **_brief(p).model_dump(),
                        old_level=old[p.id].risk.level,
                        old_score=old[p.id].risk.score,
                        changes=diffs,
                    )
                )
    old_assets, new_assets = _assets(old_graph), _assets(new_graph)
    old_exp, new_exp = _exposures(old_graph), _exposures(new_graph)
    return DriftReport(
        old=old_id,
        new=new_id,
        new_paths=[
            _brief(p)
            for p in new_paths.paths
            if p.id not in old
            and not (old_paths.mode == "best-routes" and _route_exists(old_graph, p))
        ],
        closed_paths=[
            _brief(p)
            for p in old_paths.paths
            if p.id not in new
            and not (new_paths.mode == "best-routes" and _route_exists(new_graph, p))
        ],
        changed_paths=changed,
        new_ai_assets=[a for k, a in sorted(new_assets.items()) if k not in old_assets],
        removed_ai_assets=[a for k, a in sorted(old_assets.items()) if k not in new_assets],
        new_exposures=[e for k, e in sorted(new_exp.items()) if k not in old_exp],
        changed_tools=_tool_changes(old_graph, new_graph),
        truncated=old_paths.truncated or new_paths.truncated,
    )
