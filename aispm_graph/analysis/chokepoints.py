"""Choke points: which fixes remove the most path risk, and the fewest fixes that close the worst.

Two answers from one set of paths (no extra engine runs, so this costs a fraction of the
analysis):

* **Ranking.** Every path-breaking fix, ranked by the risk it removes: the sum of the scores
  of the paths it closes (all levels), then by how many paths, then by effort.
* **Minimum set.** The fewest fixes that close every critical and high path. That is a
  minimum hitting set (each path is the set of fixes that would close it). It is solved
  exactly by branch and bound when the instance is small enough, and greedily (most
  remaining risk closed per step) otherwise; the result says which (``method``), and a greedy
  set is never presented as minimal.

Paths that no single fix closes (every hop is carried by several attack kinds, or only
risk-lowering fixes apply) are listed as ``unbreakable`` rather than dropped.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel, Field

from aispm_graph.analysis.fixes import Fix, collect_fixes
from aispm_graph.analysis.models import LEVEL_ORDER, AttackPath

EFFORT_ORDER = {"low": 0, "medium": 1, "high": 2}
DEFAULT_LEVELS = ("critical", "high")
# Branch-and-bound gives up after this many search nodes and the greedy answer stands.
DEFAULT_EXACT_BUDGET = 200_000
EXACT_MAX_PATHS = 5_000


class ChokeFix(BaseModel):
    id: str
    action: str
    effort: str
    closes: list[str]
    risk_removed: int
    closes_by_level: dict[str, int]
    in_minimum_set: bool = False


class ChokepointReport(BaseModel):
    schema_version: int = 1
    method: Literal["exact", "greedy", "none"]
    method_detail: str
    levels: list[str]
    minimum_set: list[str]
    covered_paths: int
    unbreakable: list[str] = Field(default_factory=list)
    total_risk: int
    fixes: list[ChokeFix]
    truncated: bool = False
    truncation: str | None = None


def _rank_key(f: Fix, score: dict[str, int]) -> tuple[int, int, int, str]:
    removed = sum(score[p] for p in f.closes)
    return (-removed, -len(f.closes), EFFORT_ORDER.get(f.effort, 1), f.id)


def greedy_cover(
    universe: set[str], sets: dict[str, set[str]], weight: dict[str, int], effort: dict[str, str]
) -> list[str]:
    """Pick, until nothing is left, the fix closing the most remaining risk (ties: paths, effort,
    id, so the answer is deterministic)."""
    left = set(universe)
    chosen: list[str] = []
    while left:
        best = min(
            (f for f in sets if sets[f] & left),
            key=lambda f: (
                -sum(weight[p] for p in sets[f] & left),
                -len(sets[f] & left),
                EFFORT_ORDER.get(effort[f], 1),
                f,
            ),
            default=None,
        )
        if best is None:
            break
        chosen.append(best)
        left -= sets[best]
    return chosen


def exact_cover(
    universe: set[str], sets: dict[str, set[str]], upper: list[str], budget: int
) -> list[str] | None:
    """A minimum hitting set by branch and bound, or ``None`` when the budget runs out.

    Branches on the uncovered path with the fewest fixes (one of them must be chosen), with the
    greedy answer as the first upper bound and ``ceil(left / largest set)`` as the lower bound.
    """
    by_path: dict[str, list[str]] = {p: [] for p in universe}
    for f, ps in sets.items():
        for p in ps & universe:
            by_path[p].append(f)
    for fs in by_path.values():
        fs.sort(key=lambda f: (-len(sets[f] & universe), f))
    best = list(upper)
    nodes = 0
    largest = max((len(s & universe) for s in sets.values()), default=1) or 1

    def search(left: frozenset[str], chosen: list[str]) -> bool:
        nonlocal best, nodes
        nodes += 1
        if nodes > budget:
            return False
        if not left:
            if len(chosen) < len(best):
                best = list(chosen)
            return True
        if len(chosen) + -(-len(left) // largest) >= len(best):
            return True
        pivot = min(left, key=lambda p: (len(by_path[p]), p))
        for f in by_path[pivot]:
            chosen.append(f)
            ok = search(left - sets[f], chosen)
            chosen.pop()
            if not ok:
                return False
        return True

    if not search(frozenset(universe), []):
        return None
    return best


def components(universe: set[str], sets: dict[str, set[str]]) -> list[set[str]]:
    """Groups of paths linked by shared fixes (union-find), largest first."""
    parent = {p: p for p in universe}

    def find(p: str) -> str:
        while parent[p] != p:
            parent[p] = parent[parent[p]]
            p = parent[p]
        return p

    for s in sets.values():
        members = [p for p in s if p in parent]
        for other in members[1:]:
            a, b = find(members[0]), find(other)
            if a != b:
                parent[a] = b
    groups: dict[str, set[str]] = {}
    for p in universe:
        groups.setdefault(find(p), set()).add(p)
    return sorted(groups.values(), key=lambda g: (-len(g), min(g)))


def chokepoints(
    paths: Iterable[AttackPath],
    levels: Iterable[str] = DEFAULT_LEVELS,
    exact_budget: int = DEFAULT_EXACT_BUDGET,
) -> ChokepointReport:
    paths = list(paths)
    score = {p.id: p.risk.score for p in paths}
    level = {p.id: p.risk.level for p in paths}
    fixes = collect_fixes(paths)
    breaking = {fid: f for fid, f in fixes.items() if f.closes}
    wanted = sorted(set(levels), key=lambda lv: -LEVEL_ORDER[lv])
    universe = {p.id for p in paths if p.risk.level in wanted}
    sets = {fid: set(f.closes) for fid, f in breaking.items()}
    coverable = set().union(*sets.values()) if sets else set()
    unbreakable = sorted(universe - coverable, key=lambda p: (-score[p], p))
    universe &= coverable
    effort = {fid: f.effort for fid, f in breaking.items()}
    relevant = {fid: s for fid, s in sets.items() if s & universe}

    method: Literal["exact", "greedy", "none"]
    chosen: list[str] = []
    if not universe:
        method = "none"
        detail = f"no {'/'.join(wanted)} path can be closed by a single fix"
        if not unbreakable:
            detail = f"no {'/'.join(wanted)} paths"
    else:
        # Paths that share no fix are independent problems: solving each one exactly is far
        # cheaper than solving the whole estate at once, and the union is still minimal.
        parts = components(universe, relevant)
        exact_all = True
        for part in parts:
            sub = {fid: s & part for fid, s in relevant.items() if s & part}
            greedy = greedy_cover(part, sub, score, effort)
            exact = (
                exact_cover(part, sub, greedy, exact_budget)
                if len(part) <= EXACT_MAX_PATHS
                else None
            )
            if exact is None:
                exact_all = False
                chosen.extend(greedy)
            else:
                # Keep the greedy order where it is also minimal: biggest fix first.
                chosen.extend(greedy if len(greedy) == len(exact) else exact)
        chosen.sort(key=lambda f: _rank_key(breaking[f], score))
        method = "exact" if exact_all else "greedy"
        size = f"{len(universe)} paths, {len(relevant)} candidate fixes, {len(parts)} independent"
        detail = (
            f"exact minimum hitting set ({size} groups; branch and bound)"
            if exact_all
            else f"greedy cover ({size} groups): at least one group was too large for the "
            f"exact search (over {EXACT_MAX_PATHS} paths or {exact_budget} search steps), so "
            "this set may not be minimal"
        )
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
    return ChokepointReport(
        method=method,
        method_detail=detail,
        levels=wanted,
        minimum_set=chosen,
        covered_paths=len(universe),
        unbreakable=unbreakable,
        total_risk=sum(score.values()),
        fixes=rows,
    )
