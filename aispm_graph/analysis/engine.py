"""The attack-path engine on NetworkX.

1. Take the attack-step edges only (structure is never walked).
2. Prune: keep nodes reachable from an entry within the hop bound *and* able to reach a target
   within what is left of it (two breadth-first searches), so enumeration only ever runs on the
   part of the estate that can take part in a path.
3. Enumerate every simple path from each entry, depth-first, extending only to nodes whose
   distance to a target still fits the bound, and stopping at the first target (targets are
   terminal), except at an agent: reaching it is a path, and the walk goes on through its tools
   (see :func:`aispm_graph.analysis.targets.passes_on`). Safety caps on path count and time are
   reported, never silent.
4. Score, attach fixes, give each path a stable id (a hash of its route), rank.
"""

from __future__ import annotations

import hashlib
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from aispm_graph.analysis.models import (
    LEVEL_ORDER,
    AttackPath,
    PathEdge,
    PathNode,
    PathResult,
    PathStats,
)
from aispm_graph.analysis.remediation import path_remediation
from aispm_graph.analysis.risk import score_path
from aispm_graph.analysis.targets import (
    EntryMode,
    find_entries,
    find_targets,
    pass_through,
    passes_on,
)
from aispm_graph.graph.model import CONFIDENCE_RANK, Confidence, Graph
from aispm_graph.schema import TargetClass, edge_kind

DEFAULT_MAX_HOPS = 8
DEFAULT_MAX_PATHS = 50_000
DEFAULT_TIME_BUDGET = 120.0

# When two attack kinds join the same pair of nodes, the path reports the most direct one.
KIND_PREFERENCE = (
    "PUBLIC_ACCESS",
    "INTERNET_EXPOSED",
    "HAS_IDENTITY",
    "AUTHENTICATES_AS",
    "MEMBER_OF",
    "CAN_ASSUME",
    "CAN_ADMINISTER",
    "CAN_INVOKE",
    "CAN_WRITE",
    "CAN_READ",
    "CAN_READ_KEYS",
    "CAN_MANAGE",
    "CAN_ESCALATE_TO",
    "CAN_UPDATE_CODE",
    "INVOKES",
    "SERVES",
    "GROUNDED_ON",
)


@dataclass
class PathOptions:
    entry: EntryMode = "internet"
    max_hops: int = DEFAULT_MAX_HOPS
    max_paths: int = DEFAULT_MAX_PATHS
    time_budget: float = DEFAULT_TIME_BUDGET
    target_kinds: frozenset[str] = field(default_factory=frozenset)


def path_id(route: list[str], kinds: list[str]) -> str:
    digest = hashlib.sha256("\x1f".join([*route, "|", *kinds]).encode()).hexdigest()
    return "ap-" + digest[:12]


def _primary(kinds: list[str]) -> str:
    for k in KIND_PREFERENCE:
        if k in kinds:
            return k
    return sorted(kinds)[0]


def _bfs(
    adj: dict[str, list[str]], starts: Iterable[str], limit: int, blocked: set[str] | None = None
) -> dict[str, int]:
    dist: dict[str, int] = {}
    queue: deque[str] = deque()
    for s in starts:
        dist[s] = 0
        queue.append(s)
    while queue:
        u = queue.popleft()
        d = dist[u]
        if d >= limit or (blocked and u in blocked and d > 0):
            continue
        for v in adj.get(u, ()):
            if v not in dist:
                dist[v] = d + 1
                queue.append(v)
    return dist


class _Walk:
    """Depth-first enumeration over the pruned attack graph."""

    def __init__(
        self,
        succ: dict[str, list[str]],
        to_target: dict[str, int],
        targets: dict[str, TargetClass],
        opts: PathOptions,
        deadline: float,
        through: frozenset[str] = frozenset(),
    ) -> None:
        self.succ, self.to_target, self.targets = succ, to_target, targets
        self.opts, self.deadline = opts, deadline
        self.through = through  # targets that are also walked on from (agents)
        self.found: list[list[str]] = []
        self.truncated: str | None = None

    def run(self, entry: str) -> None:
        limit = self.opts.max_hops
        route = [entry]
        on_route = {entry}
        stack = [iter(self.succ.get(entry, ()))]
        steps = 0
        while stack:
            if self.truncated:
                return
            nxt = next(stack[-1], None)
            if nxt is None:
                stack.pop()
                on_route.discard(route.pop())
                continue
            if nxt in on_route:
                continue
            depth = len(route)  # hops after taking nxt
            if depth + self.to_target.get(nxt, limit + 1) > limit:
                continue
            steps += 1
            if steps & 0x3FF == 0 and time.monotonic() > self.deadline:
                self.truncated = (
                    f"time budget of {self.opts.time_budget:.0f}s reached; paths from "
                    f"{entry!r} and later entries may be missing"
                )
                return
            if nxt in self.targets:
                self.found.append([*route, nxt])
                if len(self.found) >= self.opts.max_paths:
                    self.truncated = (
                        f"path cap of {self.opts.max_paths} reached; raise --max-paths or "
                        f"narrow with --target-kind/--max-hops to see the rest"
                    )
                    return
                if nxt not in self.through:
                    continue
            route.append(nxt)
            on_route.add(nxt)
            stack.append(iter(self.succ.get(nxt, ())))


def _edge_dict(graph: Graph, source: str, target: str, kinds: list[str]) -> dict[str, Any]:
    kind = _primary(kinds)
    data = graph.g.get_edge_data(source, target, key=kind)
    return {
        "source": source,
        "target": target,
        "kind": kind,
        "kinds": kinds,
        "evidence": data["evidence"],
        "confidence": data["confidence"],
    }


def _title(nodes: list[dict[str, Any]], tcls: TargetClass) -> str:
    tgt = nodes[-1]
    what = {
        TargetClass.TENANT_ADMIN: "gains admin of",
        TargetClass.AI_MODEL: "can invoke",
        TargetClass.AI_AGENT: "can drive agent",
        TargetClass.KNOWLEDGE_BASE: "can query knowledge base",
        TargetClass.AI_DATA: "can reach AI data in",
        TargetClass.SENSITIVE_DATA: "can reach sensitive data in",
        TargetClass.AI_SERVICE: "can use AI service",
        TargetClass.AI_SECRET: "can read AI secret",
    }[tcls]
    first = nodes[0]
    if first["id"] == "internet":
        start = "Internet"
    elif first["kind"] == "ExternalAccount":
        # Not a leak: whoever holds an account outside the collected estate
        start = f"Outside the estate: {first['name']}"
    else:
        start = f"Leaked credentials of {first['name']}"
    via = f" via {nodes[1]['name']}" if len(nodes) > 2 else ""
    # A path that runs on through an agent says so: the agent is the step a fix should see.
    agents = [n["name"] for n in nodes[1:-1] if passes_on(str(n["kind"]))]
    through = f" through agent {agents[-1]}" if agents and agents[-1] != nodes[1]["name"] else ""
    return f"{start}{via}{through} {what} {tgt['kind']} {tgt['name']}"


def make_path(
    graph: Graph, route: list[str], hop_kinds: list[list[str]], tcls: TargetClass
) -> AttackPath:
    """Turn a node route into a scored, explained path (used by every backend)."""
    nodes = [{"id": n, **graph.node(n)} for n in route]
    edges = [_edge_dict(graph, route[i], route[i + 1], hop_kinds[i]) for i in range(len(route) - 1)]
    risk = score_path(nodes, edges, tcls)
    return AttackPath(
        id=path_id(route, [e["kind"] for e in edges]),
        title=_title(nodes, tcls),
        risk=risk,
        entry=route[0],
        target=route[-1],
        target_class=tcls.value,
        nodes=[
            PathNode(id=n["id"], kind=n["kind"], name=n["name"], provider=n["provider"])
            for n in nodes
        ],
        edges=[PathEdge(**e) for e in edges],
        remediation=path_remediation(nodes, edges),
    )


def rank_key(p: AttackPath) -> tuple[int, int, int, str]:
    """Score, then level, then fewer hops, then id: a total, documented order."""
    return (-p.risk.score, -LEVEL_ORDER[p.risk.level], p.hops, p.id)


def find_paths(graph: Graph, options: PathOptions | None = None) -> PathResult:
    opts = options or PathOptions()
    started = time.monotonic()
    attack: nx.DiGraph = graph.attack_subgraph()
    targets = find_targets(graph)
    if opts.target_kinds:
        targets = {
            t: c
            for t, c in targets.items()
            if graph.node(t)["kind"] in opts.target_kinds or c.value in opts.target_kinds
        }
    entries = [e for e in find_entries(graph, opts.entry) if e in attack]
    succ: dict[str, list[str]] = {u: sorted(attack.successors(u)) for u in attack.nodes}
    pred: dict[str, list[str]] = {u: sorted(attack.predecessors(u)) for u in attack.nodes}
    live_targets = [t for t in targets if t in attack]
    # Targets are terminal, so the forward search does not walk out of them; agents pass on.
    through = pass_through(graph, targets)
    from_entry = _bfs(succ, entries, opts.max_hops, blocked=set(targets) - through)
    to_target = _bfs(pred, live_targets, opts.max_hops)
    keep = {
        n for n, d in from_entry.items() if d + to_target.get(n, opts.max_hops + 1) <= opts.max_hops
    }
    pruned_succ = {u: [v for v in succ.get(u, ()) if v in keep] for u in keep}
    walk = _Walk(pruned_succ, to_target, targets, opts, started + opts.time_budget, through)
    for entry in entries:
        if entry in keep:
            walk.run(entry)
        if walk.truncated:
            break
    paths = []
    for route in walk.found:
        kinds = [attack.edges[route[i], route[i + 1]]["kinds"] for i in range(len(route) - 1)]
        paths.append(make_path(graph, route, kinds, targets[route[-1]]))
    paths.sort(key=rank_key)
    stats = PathStats(
        entries=len(entries),
        targets=len(live_targets),
        candidate_nodes=len(keep),
        attack_edges=attack.number_of_edges(),
        seconds=round(time.monotonic() - started, 3),
    )
    return PathResult(
        paths=paths, truncated=walk.truncated is not None, truncation=walk.truncated, stats=stats
    )


def weakest_confidence(path: AttackPath) -> str:
    ranked = sorted(path.edges, key=lambda e: CONFIDENCE_RANK[Confidence(e.confidence)])
    return ranked[0].confidence if ranked else "confirmed"


__all__ = ["PathOptions", "edge_kind", "find_paths", "make_path", "path_id", "rank_key"]
