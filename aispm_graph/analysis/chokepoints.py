"""Choke points: which fixes remove the most path risk, and the fewest that cut off the worst.

Two answers:

* **Ranking.** Every path-breaking fix on the listed paths, ranked by the risk it removes: the
  sum of the scores of the listed paths it closes (all levels), then by how many paths, then
  by effort. Linear in the paths.
* **Minimum set.** The fewest fixes that cut every entry off every target it reaches by a
  critical or high path, computed on the attack graph itself as a **minimum cut**, never by
  enumerating routes (on dense IAM there are too many; the default path listing keeps only the
  best few per pair). Each removable hop costs one fix per attack kind it carries (a hop
  carried by two kinds needs both removed). The cut runs over the pruned attack graph: every
  node on some route within ``max_hops`` of an entry and a target, so it also cuts the longer
  routes through those nodes; it may be larger than strictly needed for the bounded routes,
  never smaller.

  With one entry (the internet) the cut is an exact minimum (max-flow / min-cut). With several
  entries the problem is a multicut (NP-hard in general): the cut of all of them from all of
  their targets at once is an upper bound, and the largest single-entry cut a lower bound; the
  report says ``exact`` when the two meet and ``bound`` with both numbers otherwise.

Routes made only of hops no fix removes (``breaks_path`` false) cannot be cut; their paths are
listed as ``unbreakable`` rather than dropped.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from typing import Literal

import networkx as nx
from pydantic import BaseModel, Field

from aispm_graph.analysis.engine import DEFAULT_MAX_HOPS
from aispm_graph.analysis.fixes import Fix, collect_fixes
from aispm_graph.analysis.models import LEVEL_ORDER, AttackPath
from aispm_graph.analysis.remediation import edge_action, edge_fix_id
from aispm_graph.analysis.targets import find_targets
from aispm_graph.graph.model import Graph
from aispm_graph.schema import edge_kind

EFFORT_ORDER = {"low": 0, "medium": 1, "high": 2}
DEFAULT_LEVELS = ("critical", "high")
# Entries whose own minimum cut is computed for the lower bound of a multi-entry cut (those
# with the most worst targets first); each is one max-flow on the pruned attack graph.
DEFAULT_BOUND_ENTRIES = 16
_SOURCE = ("source",)
_SINK = ("sink",)


class ChokeFix(BaseModel):
    id: str
    action: str
    effort: str
    closes: list[str]
    risk_removed: int
    closes_by_level: dict[str, int]
    in_minimum_set: bool = False


class ChokepointReport(BaseModel):
    schema_version: int = 2
    method: Literal["exact", "bound", "none"]
    method_detail: str
    levels: list[str]
    minimum_set: list[str]
    lower_bound: int | None = Field(
        default=None, description="fewest fixes any answer needs (multi-entry cuts)"
    )
    pairs_cut: int = 0
    covered_paths: int
    unbreakable: list[str] = Field(default_factory=list)
    total_risk: int
    fixes: list[ChokeFix]
    truncated: bool = False
    truncation: str | None = None


def _rank_key(f: Fix, score: dict[str, int]) -> tuple[int, int, int, str]:
    removed = sum(score[p] for p in f.closes)
    return (-removed, -len(f.closes), EFFORT_ORDER.get(f.effort, 1), f.id)


def _bfs(
    adj: dict[str, list[str]], starts: Iterable[str], limit: int, stop: set[str]
) -> dict[str, int]:
    dist = dict.fromkeys(starts, 0)
    queue = deque(dist)
    while queue:
        u = queue.popleft()
        if dist[u] >= limit or (u in stop and dist[u] > 0):
            continue
        for v in adj.get(u, ()):
            if v not in dist:
                dist[v] = dist[u] + 1
                queue.append(v)
    return dist


class _CutGraph:
    """The pruned attack graph as a flow network: one unit of capacity per fix a hop needs,
    unremovable hops a capacity no cut can afford."""

    def __init__(self, graph: Graph, entries: set[str], targets: set[str], max_hops: int) -> None:
        attack = graph.attack_subgraph()
        terminal = set(find_targets(graph))
        succ: dict[str, list[str]] = {u: list(attack.successors(u)) for u in attack}
        pred: dict[str, list[str]] = {u: list(attack.predecessors(u)) for u in attack}
        near_entry = _bfs(succ, (e for e in entries if e in attack), max_hops, terminal)
        near_target = _bfs(pred, (t for t in targets if t in attack), max_hops, set())
        keep = {
            n for n, d in near_entry.items() if d + near_target.get(n, max_hops + 1) <= max_hops
        }
        self.hops: dict[tuple[str, str], list[str]] = {}
        self.unremovable: set[tuple[str, str]] = set()
        for u, v, data in attack.edges(data=True):
            if u not in keep or v not in keep or (u in terminal and u not in entries):
                continue
            kinds = list(data["kinds"])
            self.hops[u, v] = kinds
            if not all(edge_kind(k).breaks_path for k in kinds):
                self.unremovable.add((u, v))
        self.big = sum(len(k) for k in self.hops.values()) + 1
        self._fixed: dict[str, list[str]] = {}
        for u, v in sorted(self.unremovable):
            self._fixed.setdefault(u, []).append(v)

    def unbreakable_from(self, entry: str) -> set[str]:
        """Nodes ``entry`` reaches through unremovable hops only."""
        return set(_bfs(self._fixed, [entry], len(self.hops) + 1, set()))

    def cut(
        self, entries: Iterable[str], targets: Iterable[str]
    ) -> tuple[int, list[tuple[str, str]]]:
        """Minimum cut from ``entries`` to ``targets``: its cost (fixes) and its hops."""
        flow: nx.DiGraph = nx.DiGraph()
        for (u, v), kinds in self.hops.items():
            cap = self.big if (u, v) in self.unremovable else len(kinds)
            flow.add_edge(u, v, capacity=cap)
        for e in entries:
            flow.add_edge(_SOURCE, e, capacity=self.big * 2)
        for t in targets:
            flow.add_edge(t, _SINK, capacity=self.big * 2)
        if _SOURCE not in flow or _SINK not in flow:
            return 0, []
        value, (reach, _rest) = nx.minimum_cut(flow, _SOURCE, _SINK)
        hops = sorted(
            (u, v)
            for u in reach
            for v in flow.successors(u)
            if v not in reach and (u, v) in self.hops
        )
        return int(value), hops


def chokepoints(
    graph: Graph,
    paths: Iterable[AttackPath],
    levels: Iterable[str] = DEFAULT_LEVELS,
    max_hops: int = DEFAULT_MAX_HOPS,
    bound_entries: int = DEFAULT_BOUND_ENTRIES,
) -> ChokepointReport:
    paths = list(paths)
    score = {p.id: p.risk.score for p in paths}
    level = {p.id: p.risk.level for p in paths}
    fixes = collect_fixes(paths)
    breaking = {fid: f for fid, f in fixes.items() if f.closes}
    wanted = sorted(set(levels), key=lambda lv: -LEVEL_ORDER[lv])
    worst = [p for p in paths if p.risk.level in wanted]
    pairs = {(p.entry, p.target) for p in worst}

    method: Literal["exact", "bound", "none"] = "none"
    chosen: list[str] = []
    lower: int | None = None
    unbreakable: list[str] = []
    detail = f"no {'/'.join(wanted)} paths"
    cut_pairs: set[tuple[str, str]] = set()
    extra: dict[str, ChokeFix] = {}
    if pairs:
        net = _CutGraph(graph, {e for e, _t in pairs}, {t for _e, t in pairs}, max_hops)
        # A target some entry reaches through unremovable hops only cannot be cut off from
        # it; the cut leaves that target out, and its worst paths are reported as unbreakable.
        targets_all = {t for _e, t in pairs}
        lost: set[str] = set()
        for entry in sorted({e for e, _t in pairs}):
            lost |= net.unbreakable_from(entry) & targets_all
        cut_pairs = {(e, t) for e, t in pairs if t not in lost}
        unbreakable = sorted(
            (p.id for p in worst if p.target in lost), key=lambda p: (-score[p], p)
        )
        entries = sorted({e for e, _t in cut_pairs})
        targets = sorted({t for _e, t in cut_pairs})
        if cut_pairs:
            upper, hops = net.cut(entries, targets)
            for u, v in hops:
                for kind in net.hops[u, v]:
                    fid = edge_fix_id(u, kind, v)
                    chosen.append(fid)
                    if fid not in breaking:
                        extra[fid] = _graph_fix(graph, u, kind, v)
            size = (
                f"{len(cut_pairs)} (entry, target) pairs, {len(entries)} entries, "
                f"{len(net.hops)} hops in the pruned attack graph"
            )
            if len(entries) == 1:
                method, lower = "exact", upper
                detail = f"exact minimum cut ({size}; max-flow)"
            else:
                by_entry: dict[str, list[str]] = {}
                for e, t in sorted(cut_pairs):
                    by_entry.setdefault(e, []).append(t)
                probe = sorted(by_entry, key=lambda e: (-len(by_entry[e]), e))[:bound_entries]
                lower = max((net.cut([e], by_entry[e])[0] for e in probe), default=0)
                if lower == upper:
                    method = "exact"
                    detail = (
                        f"exact minimum cut ({size}): cutting every entry off all of their "
                        f"targets at once needs {upper} fixes, and one entry alone already "
                        "needs as many"
                    )
                else:
                    method = "bound"
                    detail = (
                        f"minimum cut of all entries from all their targets at once ({size}): "
                        f"{upper} fixes, an upper bound; any answer needs at least {lower} "
                        f"(the largest single-entry cut of {len(probe)} entries checked). "
                        "Separating only the listed pairs is a multicut, NP-hard in general"
                    )
        elif unbreakable:
            detail = f"no {'/'.join(wanted)} path can be closed by removing hops"
    rank = {
        fid: i
        for i, fid in enumerate(sorted(breaking, key=lambda f: _rank_key(breaking[f], score)))
    }
    chosen = sorted(set(chosen), key=lambda f: (rank.get(f, len(rank)), f))
    in_set = set(chosen)
    rows = []
    for f in sorted(breaking.values(), key=lambda f: _rank_key(f, score)):
        by_level = dict.fromkeys(("critical", "high", "medium", "low"), 0)
        for p in f.closes:
            by_level[level[p]] += 1
        rows.append(
            ChokeFix(
                id=f.id,
                action=f.action,
                effort=f.effort,
                closes=sorted(f.closes, key=lambda p: (-score[p], p)),
                risk_removed=sum(score[p] for p in f.closes),
                closes_by_level=by_level,
                in_minimum_set=f.id in in_set,
            )
        )
    rows.extend(extra[f] for f in sorted(extra))
    return ChokepointReport(
        method=method,
        method_detail=detail,
        levels=wanted,
        minimum_set=chosen,
        lower_bound=lower,
        pairs_cut=len(cut_pairs),
        covered_paths=sum(1 for p in worst if (p.entry, p.target) in cut_pairs),
        unbreakable=unbreakable,
        total_risk=sum(score.values()),
        fixes=rows,
    )


def _graph_fix(graph: Graph, source: str, kind: str, target: str) -> ChokeFix:
    """A cut hop that no listed path uses (it carries only unlisted routes)."""
    data = graph.edge(source, target, kind) or {}
    edge = {"kind": kind, "evidence": data.get("evidence") or {}}
    action = edge_action(
        {"id": source, **graph.node(source)}, {"id": target, **graph.node(target)}, edge
    )
    return ChokeFix(
        id=edge_fix_id(source, kind, target),
        action=action,
        effort=edge_kind(kind).effort,
        closes=[],
        risk_removed=0,
        closes_by_level=dict.fromkeys(("critical", "high", "medium", "low"), 0),
        in_minimum_set=True,
    )
