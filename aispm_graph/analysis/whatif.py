"""What-if: re-run the analysis on a copy of the graph with fixes applied.

The answer to "does this planned change really close the path?" is the engine's own, run on
the changed graph, never an estimate. The workspace is not written: the graph is copied in
memory and the copy is discarded.

For every path that is still open after the change and reaches a target that a closed path
also reached, the report names the *bypass hop*: the first hop where the surviving route leaves
the closed one. That is the hop that now carries the attacker to the asset, and the next thing
to fix.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, Field

from aispm_graph.analysis.engine import PathOptions, find_paths
from aispm_graph.analysis.fixes import GraphOp, apply_ops
from aispm_graph.analysis.models import AttackPath, PathEdge, PathResult
from aispm_graph.graph.model import Graph


class RiskTotals(BaseModel):
    paths: int
    by_level: dict[str, int]
    total_score: int
    max_score: int


class PathBrief(BaseModel):
    id: str
    title: str
    level: str
    score: int
    route: list[str]


class ChangedPath(PathBrief):
    old_level: str
    old_score: int


class RemainingPath(PathBrief):
    bypass: PathEdge | None = None
    bypass_hop: int | None = None
    instead_of: str | None = None


class WhatIfReport(BaseModel):
    schema_version: int = 1
    applied: list[str]
    closed: list[PathBrief]
    changed: list[ChangedPath]
    remaining: list[RemainingPath]
    opened: list[RemainingPath] = Field(default_factory=list)
    before: RiskTotals
    after: RiskTotals
    truncated: bool = False
    truncation: str | None = None


def totals(paths: list[AttackPath]) -> RiskTotals:
    by_level = {"critical": 0, "high": 0, "medium": 0, "low": 0}
    for p in paths:
        by_level[p.risk.level] += 1
    return RiskTotals(
        paths=len(paths),
        by_level=by_level,
        total_score=sum(p.risk.score for p in paths),
        max_score=max((p.risk.score for p in paths), default=0),
    )


def _brief(p: AttackPath) -> PathBrief:
    return PathBrief(
        id=p.id,
        title=p.title,
        level=p.risk.level,
        score=p.risk.score,
        route=[n.id for n in p.nodes],
    )


class _ClosedIndex:
    """Closed routes by (target, route prefix), so finding the closed route that shares the
    longest prefix with a surviving one costs its hop count, not the number of closed paths."""

    def __init__(self, closed: list[AttackPath]) -> None:
        self.best: dict[tuple[str, ...], AttackPath] = {}
        for c in closed:
            route = [n.id for n in c.nodes]
            for k in range(1, len(route) + 1):
                key = (c.target, *route[:k])
                held = self.best.get(key)
                if held is None or c.id > held.id:
                    self.best[key] = c

    def longest(self, target: str, route: list[str]) -> tuple[AttackPath | None, int]:
        for k in range(len(route), 0, -1):
            hit = self.best.get((target, *route[:k]))
            if hit is not None:
                return hit, k
        return None, 0


def _remaining(p: AttackPath, closed: _ClosedIndex) -> RemainingPath:
    out = RemainingPath(**_brief(p).model_dump())
    route = [n.id for n in p.nodes]
    best, shared = closed.longest(p.target, route)
    if best is None:
        return out
    closed_hops = {(e.source, e.target) for e in best.edges}
    # The first hop of the surviving route that the closed route did not take.
    for i in range(max(0, shared - 1), len(p.edges)):
        e = p.edges[i]
        if (e.source, e.target) not in closed_hops:
            out.bypass, out.bypass_hop, out.instead_of = e, i, best.id
            break
    return out


def compare(before: PathResult, after: PathResult, applied: list[str]) -> WhatIfReport:
    old = {p.id: p for p in before.paths}
    new = {p.id: p for p in after.paths}
    closed = [p for p in before.paths if p.id not in new]
    changed = [
        ChangedPath(
            **_brief(new[p.id]).model_dump(), old_level=p.risk.level, old_score=p.risk.score
        )
        for p in before.paths
        if p.id in new and new[p.id].risk.score != p.risk.score
    ]
    index = _ClosedIndex(closed)
    # Under best-routes listing, a route of a pair that was already reachable can surface once
    # a better one is closed: it is not new, it remains (and its bypass hop says why).
    reachable = {(q.entry, q.target) for q in before.pairs} | {
        (q.entry, q.target) for q in before.paths
    }
    remaining = [
        _remaining(p, index) for p in after.paths if p.id in old or (p.entry, p.target) in reachable
    ]
    opened = [
        _remaining(p, index)
        for p in after.paths
        if p.id not in old and (p.entry, p.target) not in reachable
    ]
    note = "; ".join(r.truncation for r in (before, after) if r.truncation) or None
    return WhatIfReport(
        applied=applied,
        closed=[_brief(p) for p in closed],
        changed=changed,
        remaining=remaining,
        opened=opened,
        before=totals(before.paths),
        after=totals(after.paths),
        truncated=before.truncated or after.truncated,
        truncation=note,
    )


def what_if(
    graph: Graph,
    ops: Iterable[GraphOp],
    before: PathResult | None = None,
    options: PathOptions | None = None,
    applied: list[str] | None = None,
) -> tuple[WhatIfReport, PathResult]:
    """Apply ``ops`` to a copy of ``graph``, re-run the engine, compare with ``before``."""
    ops = list(ops)
    before = before or find_paths(graph, options)
    after = find_paths(apply_ops(graph, ops), options)
    return compare(before, after, applied or [op.describe() for op in ops]), after
