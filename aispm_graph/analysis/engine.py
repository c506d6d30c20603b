"""The attack-path engine on NetworkX.

1. Take the attack-step edges only (structure is never walked).
2. Prune: keep nodes reachable from an entry within the hop bound *and* able to reach a target
   within what is left of it (two breadth-first searches), so enumeration only ever runs on the
   part of the estate that can take part in a path.
3. By default (best routes), search each entry's routes breadth-first with a few labels per
   node: every (entry, target) pair reachable within the bound gets its best routes (by risk,
   then length), and a separate count-only walk says how many other routes exist (exactly, or
   as a lower bound when its step budget runs out). No pair is ever lost to a cap, and the cost
   is polynomial however dense the IAM graph is. An agent is a target that passes the path
   on: reaching it is a path, and both searches walk on through its tools
   (see :func:`aispm_graph.analysis.targets.passes_on`).
   With ``all_routes``, enumerate every simple path from each entry, depth-first, extending
   only to nodes whose distance to a target still fits the bound and stopping at the first
   target (targets are terminal). Safety caps on path count and time are reported, never
   silent.
4. Score, attach fixes, give each path a stable id (a hash of its route), rank.
"""

from __future__ import annotations

import gc
import hashlib
import time
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from aispm_graph.analysis.models import (
    LEVEL_ORDER,
    AttackPath,
    PairRoutes,
    PathResult,
    PathStats,
    Risk,
)
from aispm_graph.analysis.remediation import remediation_records
from aispm_graph.analysis.risk import (
    CONFIDENCE,
    IMPACT,
    SCORE_FLOOR,
    SCORE_SLOPE,
    WRITE_IMPACT,
    entry_terms,
    foothold_terms,
    hop_decay,
    risk_of,
    score_path,
    score_terms,
    theft_terms,
)
from aispm_graph.analysis.targets import (
    OUTSIDE_KINDS,
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
DEFAULT_ROUTES_PER_PAIR = 3
# Steps of the count-only walk that says how many unlisted routes each pair has, shared out
# evenly over the entries. Deterministic (steps, not seconds), so the same graph always gives
# the same counts; when an entry's share runs out its counts are lower bounds, and say so.
DEFAULT_COUNT_STEPS = 2_000_000
# Labels kept per node by the best-routes search beyond the routes asked for: a margin for
# labels that cannot be extended because the route would revisit a node.
LABEL_SLACK = 2
# The remembering route counter recurses once per hop; beyond this bound (far past any useful
# --max-hops) the plain walk counts instead.
MEMO_MAX_HOPS = 400

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
    all_routes: bool = False
    routes_per_pair: int = DEFAULT_ROUTES_PER_PAIR
    count_steps: int = DEFAULT_COUNT_STEPS


def path_id(route: list[str], kinds: list[str]) -> str:
    digest = hashlib.sha256("\x1f".join([*route, "|", *kinds]).encode()).hexdigest()
    return "ap-" + digest[:12]


def _primary(kinds: list[str]) -> str:
    for k in KIND_PREFERENCE:
        if k in kinds:
            return k
    return sorted(kinds)[0]


def _bfs(
    adj: Mapping[str, Iterable[str]],
    starts: Iterable[str],
    limit: int,
    blocked: set[str] | None = None,
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
        self.steps = 0

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
            self.steps += 1
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
    data = graph.edge(source, target, kind)
    assert data is not None, f"path hop {source} -> {target} ({kind}) is not in the graph"
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
    elif first["kind"] in OUTSIDE_KINDS:
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
    return _assemble(route, nodes, edges, score_path(nodes, edges, tcls), tcls)


def _assemble(
    route: list[str],
    nodes: list[dict[str, Any]],
    edges: list[dict[str, Any]],
    risk: Risk,
    tcls: TargetClass,
    pid: str | None = None,
) -> AttackPath:
    # One validation of the whole path (nodes, edges, fixes as plain records): building each
    # part as its own model cost twice as much, most of the search's fixed part on small
    # estates.
    return AttackPath.model_validate(
        {
            "id": pid or path_id(route, [e["kind"] for e in edges]),
            "title": _title(nodes, tcls),
            "risk": risk,
            "entry": route[0],
            "target": route[-1],
            "target_class": tcls.value,
            "nodes": [
                {"id": n["id"], "kind": n["kind"], "name": n["name"], "provider": n["provider"]}
                for n in nodes
            ],
            "edges": edges,
            "remediation": remediation_records(nodes, edges),
        }
    )


def rank_key(p: AttackPath) -> tuple[int, int, int, str]:
    """Score, then level, then fewer hops, then id: a total, documented order."""
    return (-p.risk.score, -LEVEL_ORDER[p.risk.level], p.hops, p.id)


@dataclass(slots=True)
class _Label:
    """A route prefix kept by the best-routes search: its node, parent and likelihood so far."""

    node: str
    parent: _Label | None
    hops: int
    factor: float  # product of the per-hop likelihood factors so far
    conf: float  # weakest confidence so far
    est: float = 0.0  # the search's estimate of the best route through it (set once)

    def route(self) -> list[str]:
        out: list[str] = []
        cur: _Label | None = self
        while cur is not None:
            out.append(cur.node)
            cur = cur.parent
        return out[::-1]

    def visits(self, node: str) -> bool:
        cur: _Label | None = self
        while cur is not None:
            if cur.node == node:
                return True
            cur = cur.parent
        return False


class _BestRoutes:
    """The best few routes of every (entry, target) pair, by a label search per entry.

    Every node keeps at most ``k + LABEL_SLACK`` route prefixes, ranked by the likelihood the
    risk model would give them if the rest of the route were as short as possible, plus always
    the shortest prefix (so every target reachable within the hop bound is found: a shortest
    route never revisits a node). Likelihood factors are the risk model's own
    (:mod:`aispm_graph.analysis.risk`), so the ranking of candidates is the ranking of scores.
    Cost per entry: O(labels per node x attack edges), independent of how many routes exist.
    """

    def __init__(
        self,
        graph: Graph,
        attack: nx.DiGraph,
        succ: dict[str, list[str]],
        to_target: dict[str, int],
        targets: dict[str, TargetClass],
        opts: PathOptions,
        through: frozenset[str] = frozenset(),
    ) -> None:
        self.graph, self.attack, self.succ = graph, attack, succ
        self.to_target, self.targets, self.opts = to_target, targets, opts
        self.through = through  # targets that are also walked on from (agents)
        self.keep = max(1, opts.routes_per_pair) + LABEL_SLACK
        self._hop: dict[tuple[str, str], tuple[dict[str, Any], float, float]] = {}
        self._nodes: dict[str, dict[str, Any]] = {}
        self._decay: dict[int, float] = {}
        self.steps = 0

    def node_dict(self, n: str) -> dict[str, Any]:
        """The node's attributes with its id, as paths are scored from (one copy per node)."""
        hit = self._nodes.get(n)
        if hit is None:
            hit = self._nodes[n] = {"id": n, **self.graph.node(n)}
        return hit

    def hop(self, u: str, v: str) -> tuple[dict[str, Any], float, float]:
        """The hop's edge dict, its likelihood factor (credential theft) and confidence."""
        hit = self._hop.get((u, v))
        if hit is None:
            edge = _edge_dict(self.graph, u, v, self.attack.edges[u, v]["kinds"])
            theft = theft_terms(self.graph.node(u), edge["kind"])
            hit = (
                edge,
                theft["value"] if theft else 1.0,
                CONFIDENCE.get(str(edge["confidence"]), 1.0),
            )
            self._hop[u, v] = hit
        return hit

    def _first(self, entry: str, v: str) -> float:
        edge, theft, _conf = self.hop(entry, v)
        value: float = entry_terms({"id": entry, **self.graph.node(entry)}, edge)["value"]
        return value * theft

    def _estimate(self, lab: _Label) -> float:
        """Best likelihood a route through this prefix could still have."""
        rest = self.to_target.get(lab.node, 0)
        hops = lab.hops + rest
        decay = self._decay.get(hops)
        if decay is None:
            decay = self._decay[hops] = hop_decay(hops)
        return lab.factor * lab.conf * decay

    def run(self, entry: str) -> dict[str, list[_Label]]:
        """Candidate routes (as labels ending at a target) per target reached from ``entry``.

        The hot loop of the search, so hop look-ups, the revisit check and :meth:`_admit`'s
        estimate are written out here (same arithmetic, same order)."""
        limit = self.opts.max_hops
        far = limit + 1
        labels: dict[str, list[_Label]] = {}
        found: dict[str, list[_Label]] = {}
        succ, to_target, targets, through = self.succ, self.to_target, self.targets, self.through
        hops_cache, decays = self._hop, self._decay
        steps = 0
        layer = [_Label(entry, None, 0, 1.0, 1.0)]
        while layer:
            nxt_layer: list[_Label] = []
            for lab in layer:
                u, hops = lab.node, lab.hops + 1
                foothold = 1.0
                if hops == 2:
                    foot = foothold_terms(entry, self.graph.node(u), 2)
                    foothold = foot["value"] if foot else 1.0
                for v in succ.get(u, ()):
                    steps += 1
                    rest = to_target.get(v, far)
                    if hops + rest > limit:
                        continue
                    cur: _Label | None = lab
                    while cur is not None and cur.node != v:
                        cur = cur.parent
                    if cur is not None:
                        continue  # the route would revisit v
                    hop = hops_cache.get((u, v))
                    if hop is None:
                        hop = self.hop(u, v)
                    if lab.parent is None:
                        factor = self._first(entry, v)
                    else:
                        factor = lab.factor * hop[1]
                        if hops == 2:
                            factor *= foothold
                    conf = hop[2] if hop[2] < lab.conf else lab.conf
                    new = _Label(v, lab, hops, factor, conf)
                    if v in targets:
                        found.setdefault(v, []).append(new)
                        if v not in through:
                            continue
                    # _admit, written out: keep the first (shortest) prefix and the best
                    # ``keep`` by the estimate of their best route.
                    total = hops + (0 if rest == far else rest)
                    decay = decays.get(total)
                    if decay is None:
                        decay = decays[total] = hop_decay(total)
                    new.est = factor * conf * decay
                    kept = labels.get(v)
                    if kept is None:
                        labels[v] = [new]
                    elif len(kept) <= self.keep:
                        kept.append(new)
                    else:
                        worst, wkey = 1, (kept[1].est, -kept[1].hops)
                        for i in range(2, len(kept)):
                            key = (kept[i].est, -kept[i].hops)
                            if key < wkey:
                                worst, wkey = i, key
                        if new.est <= kept[worst].est:
                            continue
                        kept[worst] = new
                    nxt_layer.append(new)
            layer = nxt_layer
        self.steps += steps
        return found

    def _admit(self, kept: list[_Label], new: _Label) -> bool:
        """Keep ``new`` if it is among the best ``keep`` prefixes at its node, or the first
        (shortest) one; a dropped prefix is never extended."""
        new.est = self._estimate(new)
        if not kept:
            kept.append(new)
            return True
        if len(kept) < self.keep + 1:
            kept.append(new)
            return True
        worst = min(range(1, len(kept)), key=lambda i: (kept[i].est, -kept[i].hops))
        if new.est <= kept[worst].est:
            return False
        kept[worst] = new
        return True

    def final(self, lab: _Label) -> float:
        """The route's score up to the target's own impact factors: likelihood mapped as the
        risk model maps it, raised when the last hop writes (poisoning)."""
        likelihood = lab.factor * lab.conf * hop_decay(lab.hops)
        impact = IMPACT[self.targets[lab.node]]
        if lab.parent is not None:
            last = self.hop(lab.parent.node, lab.node)[0]
            if last["kind"] == "CAN_WRITE" or last["evidence"].get("access") == "write":
                impact += WRITE_IMPACT
        return impact * (SCORE_FLOOR + SCORE_SLOPE * likelihood)


def _count_routes(
    succ: dict[str, list[str]],
    to_target: dict[str, int],
    targets: dict[str, TargetClass],
    entry: str,
    limit: int,
    budget: int,
    through: frozenset[str] = frozenset(),
) -> tuple[dict[str, int], bool, int]:
    """Simple routes from ``entry`` to each target within the bound (targets terminal), by a
    walk that only counts; False with lower bounds when ``budget`` steps run out."""
    counts: dict[str, int] = {}
    route = {entry}
    stack = [iter(succ.get(entry, ()))]
    path = [entry]
    steps = 0
    while stack:
        nxt = next(stack[-1], None)
        if nxt is None:
            stack.pop()
            route.discard(path.pop())
            continue
        if nxt in route or len(path) + to_target.get(nxt, limit + 1) > limit:
            continue
        steps += 1
        if steps > budget:
            return counts, False, steps
        if nxt in targets:
            counts[nxt] = counts.get(nxt, 0) + 1
            if nxt not in through:
                continue
        path.append(nxt)
        route.add(nxt)
        stack.append(iter(succ.get(nxt, ())))
    return counts, True, steps


def _merge(into: dict[str, int], more: dict[str, int]) -> None:
    for t, c in more.items():
        into[t] = into.get(t, 0) + c


def _components(succ: dict[str, list[str]], stops: set[str]) -> dict[str, int]:
    """Strongly connected components (Tarjan, iterative) of the walk's graph, in which the
    nodes of ``stops`` (terminal targets) have no way out."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    comp: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    counter = 0
    for root in succ:
        if root in index:
            continue
        work = [(root, iter(() if root in stops else succ.get(root, ())))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, it = work[-1]
            advanced = False
            for v in it:
                if v not in index:
                    index[v] = low[v] = counter
                    counter += 1
                    stack.append(v)
                    on_stack.add(v)
                    work.append((v, iter(() if v in stops else succ.get(v, ()))))
                    advanced = True
                    break
                if v in on_stack and index[v] < low[node]:
                    low[node] = index[v]
            if advanced:
                continue
            work.pop()
            if work and low[node] < low[work[-1][0]]:
                low[work[-1][0]] = low[node]
            if low[node] == index[node]:
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp[w] = index[node]
                    if w == node:
                        break
    return comp


# What a remembered subtree depends on: its node, the hops left, and the mask of the route's
# nodes of its component it could meet (None outside cycles).
_Key = tuple[str, int, int | None]


class _Sub:
    """What lies below one node of the count walk: the targets one hop below it, the subtrees
    of the nodes it goes on to, and the walk's steps in all. Totals per target are summed only
    when they are needed (see :meth:`_RouteCounter.count`)."""

    __slots__ = ("epoch", "kids", "mult", "own", "steps", "total")

    def __init__(self, epoch: int) -> None:
        self.own: dict[str, int] = {}
        self.kids: list[_Sub] = []
        self.steps = 0
        self.epoch = epoch  # the count (entry) that walked it
        self.total: dict[str, int] | None = None  # routes per target below, once summed
        self.mult = 0  # how many times the current count reaches it (while summing)


class _RouteCounter:
    """How many simple routes lead from an entry to each target within the hop bound (targets
    terminal), counted as the plain depth-first walk would count them, step for step, but with
    what lies below a node remembered.

    What a node's subtree holds depends on the hops left and on which nodes the route above it
    already uses; only route nodes in the node's own strongly connected component can be met
    again below it (meeting any other would close a cycle through the node). So the subtree
    and its step total are remembered under (node, hops left, route nodes of its component),
    shared by every entry, and reused whenever they fit in the steps left; where they do not,
    the subtree is walked so the budget runs out at exactly the step, with exactly the counts,
    of the plain walk (:func:`_count_routes`).

    A remembered subtree is kept as the targets one hop below it plus the subtrees below those
    (a DAG), not as routes per target: adding up per-target counts at every node of a cycle
    was most of the cost on small estates. One count adds the DAG up once, top down, with the
    number of ways each subtree is reached; a subtree that a later entry reuses is summed once
    and kept summed, so every entry after the first pays per subtree it reaches, not per
    subtree below those."""

    # Remembered targets, subtree links and sums, in all: a bound on memory, not on the answer.
    MEMO_ENTRIES = 4_000_000
    # Components up to this size remember subtrees by the route nodes that matter below.
    COMPONENT_NODES = 256

    def __init__(
        self,
        succ: dict[str, list[str]],
        to_target: dict[str, int],
        targets: dict[str, TargetClass],
        limit: int,
        through: frozenset[str] = frozenset(),
    ) -> None:
        self.succ, self.to_target, self.targets = succ, to_target, targets
        self.limit, self.through = limit, through
        stops = {t for t in targets if t not in through}
        self.comp = _components(succ, stops)
        sizes: dict[int, int] = {}
        for c in self.comp.values():
            sizes[c] = sizes.get(c, 0) + 1
        # Nodes that can meet themselves again: in a component of several nodes, or a loop.
        self.cyclic = {
            n
            for n, c in self.comp.items()
            if sizes[c] > 1 or (n not in stops and n in succ.get(n, ()))
        }
        # Within a component, how far each node is from each other (small components only).
        members: dict[int, list[str]] = {}
        for n in self.cyclic:
            members.setdefault(self.comp[n], []).append(n)
        # Each member of a (small) component has a bit; for each member and each number of hops
        # left, the members that its subtree could still meet in time: close enough to it
        # inside the component and to a target (distance inside plus distance to a target).
        # A route's members of one component are then a mask, and what a subtree depends on
        # is that mask and'ed with one of these.
        self.bit: dict[str, int] = {}
        self.meets: dict[str, list[int]] = {}
        far = limit + 1
        for group in members.values():
            if len(group) > self.COMPONENT_NODES:
                continue
            group.sort()
            for i, m in enumerate(group):
                self.bit[m] = 1 << i
            inside = set(group)
            local = {m: [x for x in succ.get(m, ()) if x in inside] for m in group}
            for n in group:
                masks = [0] * (limit + 2)
                for x, d in _bfs(local, [n], limit + 1).items():
                    need = d + to_target.get(x, far)
                    if need <= limit + 1:
                        masks[need] |= self.bit[x]
                for r in range(1, limit + 2):
                    masks[r] |= masks[r - 1]
                self.meets[n] = masks
        self.memo: dict[_Key, _Sub] = {}
        self.stored = 0
        self.steps = 0
        self.budget = 0
        self.epoch = 0
        self.out = False  # the budget ran out
        self.path: list[str] = []
        self.on_path: set[str] = set()
        # Per route node: the mask of the route's nodes of its component, up to it.
        self.masks: list[int] = []

    def count(self, entry: str, budget: int) -> tuple[dict[str, int], bool, int]:
        self.steps, self.budget, self.out = 0, budget, False
        self.epoch += 1
        left = self.limit - 1
        key: _Key | None = (entry, left, None)
        if entry in self.cyclic:
            key = (entry, left, 0) if entry in self.meets else None
        self.path, self.on_path, self.masks = [entry], {entry}, [self.bit.get(entry, 0)]
        root = self._lookup(entry, left, key)
        return self._sum(root), not self.out, self.steps

    def _sum(self, root: _Sub) -> dict[str, int]:
        """Routes per target below ``root``: the DAG of this count's subtrees in topological
        order, each reached ``mult`` times; subtrees summed before are added whole."""
        if root.total is not None:
            return dict(root.total)
        order: list[_Sub] = []
        root.mult = 1
        stack = [(root, iter(root.kids))]
        while stack:
            sub, it = stack[-1]
            for kid in it:
                if kid.total is None and kid.mult == 0:
                    kid.mult = -1  # seen
                    stack.append((kid, iter(kid.kids)))
                    break
            else:
                stack.pop()
                order.append(sub)
        counts: dict[str, int] = {}
        summed: dict[int, tuple[_Sub, int]] = {}
        for sub in reversed(order):  # every subtree after all that lead to it
            m = sub.mult
            sub.mult = 0
            for t, c in sub.own.items():
                counts[t] = counts.get(t, 0) + m * c
            for kid in sub.kids:
                if kid.total is None:
                    kid.mult = m if kid.mult < 0 else kid.mult + m
                else:
                    prev = summed.get(id(kid))
                    summed[id(kid)] = (kid, m if prev is None else prev[1] + m)
        for kid, m in summed.values():
            assert kid.total is not None
            for t, c in kid.total.items():
                counts[t] = counts.get(t, 0) + m * c
        return counts

    def _summed(self, sub: _Sub) -> None:
        """Keep the per-target total of a subtree an earlier count walked (reused now)."""
        total = dict(sub.own)
        for kid in sub.kids:
            if kid.total is None:
                self._summed(kid)
            assert kid.total is not None
            _merge(total, kid.total)
        sub.total = total
        self.stored += len(total)

    def _lookup(self, v: str, left: int, key: _Key | None) -> _Sub:
        """The subtree below ``v``, remembered if it fits in the steps left, else walked."""
        hit = None if key is None else self.memo.get(key)
        if hit is not None and self.steps + hit.steps <= self.budget:
            self.steps += hit.steps
            if hit.total is None and hit.epoch != self.epoch:
                self._summed(hit)
            return hit
        return self._walk(v, left, key)

    def _walk(self, u: str, left: int, key: _Key | None) -> _Sub:
        """Walk below ``u`` (the end of the route); ``left``: hops a next node may still need
        to reach a target. The hot loop of the count: keys of the nodes below are worked
        out here (as :meth:`_key` would), and the step total is a local between calls."""
        epoch, budget = self.epoch, self.budget
        steps = start = self.steps
        sub = _Sub(epoch)
        own, kids = sub.own, sub.kids
        to_target, targets, through, on_path, path = (
            self.to_target,
            self.targets,
            self.through,
            self.on_path,
            self.path,
        )
        memo, cyclic, meets, comp, bit, masks = (
            self.memo,
            self.cyclic,
            self.meets,
            self.comp,
            self.bit,
            self.masks,
        )
        far, nxt = self.limit + 1, left - 1
        home = comp.get(u)
        run = masks[-1]  # u's component's nodes on the route
        for v in self.succ.get(u, ()):
            if v in on_path or to_target.get(v, far) > left:
                continue
            steps += 1
            if steps > budget:
                self.steps, self.out = steps, True  # lower bounds; nothing is remembered
                return sub
            if v in targets:
                own[v] = own.get(v, 0) + 1
                if v not in through:
                    continue
            vkey: _Key | None
            if v not in cyclic:
                vkey = (v, nxt, None)
            else:
                reach = meets.get(v)
                if reach is None:
                    vkey = None  # a very large component: not remembered
                elif comp[v] != home:
                    vkey = (v, nxt, 0)
                else:
                    vkey = (v, nxt, run & reach[left])
            hit = None if vkey is None else memo.get(vkey)
            if hit is not None and steps + hit.steps <= budget:
                steps += hit.steps
                if hit.total is None and hit.epoch != epoch:
                    self._summed(hit)
                below = hit
            else:
                masks.append((run if comp.get(v) == home else 0) | bit.get(v, 0))
                path.append(v)
                on_path.add(v)
                self.steps = steps
                below = self._walk(v, nxt, vkey)
                steps = self.steps
                path.pop()
                masks.pop()
                on_path.discard(v)
                if self.out:
                    if below.own or below.kids or below.total:
                        kids.append(below)
                    return sub
            if below.own or below.kids or below.total:
                kids.append(below)
        self.steps = steps
        sub.steps = steps - start
        size = len(own) + len(kids) + 1
        if key is not None and self.stored + size <= self.MEMO_ENTRIES:
            self.memo[key] = sub
            self.stored += size
        return sub


def _pairs_of(paths: list[AttackPath], exact: bool) -> list[PairRoutes]:
    """Pair summaries of an exhaustive listing: every route is listed (exact unless capped)."""
    return best_of_each_pair(paths, None, exact)[1]


def best_of_each_pair(
    paths: list[AttackPath], keep: int | None, exact: bool
) -> tuple[list[AttackPath], list[PairRoutes]]:
    """From a complete listing, the best ``keep`` routes of each pair (all with ``None``) and
    the pair summaries: what a backend that enumerates every route reports in best-routes
    mode, so its answer is the engine's."""
    grouped: dict[tuple[str, str], list[AttackPath]] = {}
    for p in paths:
        grouped.setdefault((p.entry, p.target), []).append(p)
    listed: list[AttackPath] = []
    pairs: list[PairRoutes] = []
    for (e, t), ps in sorted(grouped.items()):
        ps.sort(key=rank_key)
        shown = ps if keep is None else ps[: max(1, keep)]
        listed.extend(shown)
        pairs.append(
            PairRoutes(
                entry=e, target=t, best=ps[0].id, listed=len(shown), routes=len(ps), exact=exact
            )
        )
    listed.sort(key=rank_key)
    return listed, pairs


@contextmanager
def _without_gc_pauses() -> Iterator[None]:
    """Hold the cyclic garbage collector while paths are searched.

    The search allocates many small short-lived containers (route labels, counts, hop
    dicts) and makes no reference cycles; with a large estate loaded, the collections those
    allocations trigger walk the whole graph again and again (a third of the search time on a
    100k-resource estate). Reference counting still frees everything as it goes."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def find_paths(graph: Graph, options: PathOptions | None = None) -> PathResult:
    with _without_gc_pauses():
        return _find_paths(graph, options or PathOptions())


@dataclass
class _Space:
    """The part of the estate a path search runs on (see the module docstring, steps 1-2)."""

    attack: nx.DiGraph
    targets: dict[str, TargetClass]
    entries: list[str]
    live_targets: list[str]
    through: frozenset[str]
    to_target: dict[str, int]
    keep: set[str]
    succ: dict[str, list[str]]  # pruned, in a fixed order


def _search_space(graph: Graph, opts: PathOptions) -> _Space:
    attack: nx.DiGraph = graph.attack_subgraph()
    targets = find_targets(graph)
    if opts.target_kinds:
        targets = {
            t: c
            for t, c in targets.items()
            if graph.node(t)["kind"] in opts.target_kinds or c.value in opts.target_kinds
        }
    entries = [e for e in find_entries(graph, opts.entry) if e in attack]
    # The searches only need neighbours; order matters only in the pruned graph below.
    succ: dict[str, dict[str, Any]] = attack._succ  # networkx's own adjacency dicts
    pred: dict[str, dict[str, Any]] = attack._pred
    live_targets = [t for t in targets if t in attack]
    # Targets are terminal, so the forward search does not walk out of them; agents pass on.
    through = pass_through(graph, targets)
    from_entry = _bfs(succ, entries, opts.max_hops, blocked=set(targets) - through)
    to_target = _bfs(pred, live_targets, opts.max_hops)
    keep = {
        n for n, d in from_entry.items() if d + to_target.get(n, opts.max_hops + 1) <= opts.max_hops
    }
    pruned_succ = {u: sorted(v for v in succ[u] if v in keep) for u in keep}
    return _Space(attack, targets, entries, live_targets, through, to_target, keep, pruned_succ)


def _find_paths(graph: Graph, opts: PathOptions) -> PathResult:
    started = time.monotonic()
    space = _search_space(graph, opts)
    attack, targets, entries, through = space.attack, space.targets, space.entries, space.through
    live_targets, to_target, keep, pruned_succ = (
        space.live_targets,
        space.to_target,
        space.keep,
        space.succ,
    )
    if opts.all_routes:
        counted = 0
        paths, truncation, steps = _all_routes(
            graph, attack, pruned_succ, to_target, targets, entries, keep, opts, started, through
        )
        pairs = _pairs_of(paths, exact=truncation is None)
    else:
        paths, pairs, steps, counted = _best_routes(
            graph, attack, pruned_succ, to_target, targets, entries, keep, opts, through
        )
        truncation = None
    stats = PathStats(
        entries=len(entries),
        targets=len(live_targets),
        candidate_nodes=len(keep),
        attack_edges=sum(map(len, attack._succ.values())),  # number_of_edges, without views
        search_steps=steps,
        count_steps=counted,
        seconds=round(time.monotonic() - started, 3),
    )
    return PathResult(
        paths=paths,
        truncated=truncation is not None,
        truncation=truncation,
        stats=stats,
        mode="all-routes" if opts.all_routes else "best-routes",
        routes_per_pair=None if opts.all_routes else opts.routes_per_pair,
        pairs=pairs,
    )


def _all_routes(
    graph: Graph,
    attack: nx.DiGraph,
    pruned_succ: dict[str, list[str]],
    to_target: dict[str, int],
    targets: dict[str, TargetClass],
    entries: list[str],
    keep: set[str],
    opts: PathOptions,
    started: float,
    through: frozenset[str],
) -> tuple[list[AttackPath], str | None, int]:
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
    return paths, walk.truncated, walk.steps


def _best_routes(
    graph: Graph,
    attack: nx.DiGraph,
    pruned_succ: dict[str, list[str]],
    to_target: dict[str, int],
    targets: dict[str, TargetClass],
    entries: list[str],
    keep: set[str],
    opts: PathOptions,
    through: frozenset[str],
) -> tuple[list[AttackPath], list[PairRoutes], int, int]:
    search = _BestRoutes(graph, attack, pruned_succ, to_target, targets, opts, through)
    counter = _RouteCounter(pruned_succ, to_target, targets, opts.max_hops, through)
    live = [e for e in entries if e in keep]
    share = max(1, opts.count_steps // max(1, len(live)))
    paths: list[AttackPath] = []
    pairs: list[PairRoutes] = []
    steps = 0
    for entry in live:
        found = search.run(entry)
        if opts.max_hops < MEMO_MAX_HOPS:
            counts, exact, walked = counter.count(entry, share)
        else:
            counts, exact, walked = _count_routes(
                pruned_succ, to_target, targets, entry, opts.max_hops, share, through
            )
        steps += walked
        for target in sorted(found):
            # Make the few best candidates into scored paths; the score is the final word.
            # Only the routes that are listed are assembled into paths (titles, remediation).
            cands = sorted(found[target], key=lambda lab: (-search.final(lab), lab.hops))
            tcls = targets[target]
            scored: dict[str, tuple[tuple[int, int, int, str], list[str], list[Any], Any]] = {}
            for lab in cands[: search.keep]:
                route = lab.route()
                edges = [search.hop(route[i], route[i + 1])[0] for i in range(len(route) - 1)]
                pid = path_id(route, [e["kind"] for e in edges])
                if pid in scored:
                    continue
                nodes = [search.node_dict(n) for n in route]
                terms = score_terms(nodes, edges, tcls)
                key = (-terms["score"], -LEVEL_ORDER[terms["level"]], len(edges), pid)
                scored[pid] = (key, route, [nodes, edges], terms)
            ranked = sorted(scored.values(), key=lambda c: c[0])[: max(1, opts.routes_per_pair)]
            best = [
                _assemble(r, parts[0], parts[1], risk_of(terms), tcls, k[3])
                for k, r, parts, terms in ranked
            ]
            total = max(counts.get(target, 0), len(found[target]), len(best))
            pairs.append(
                PairRoutes(
                    entry=entry,
                    target=target,
                    best=best[0].id,
                    listed=len(best),
                    routes=total,
                    exact=exact,
                )
            )
            paths.extend(best)
    paths.sort(key=rank_key)
    pairs.sort(key=lambda q: (q.entry, q.target))
    return paths, pairs, search.steps, steps


def weakest_confidence(path: AttackPath) -> str:
    ranked = sorted(path.edges, key=lambda e: CONFIDENCE_RANK[Confidence(e.confidence)])
    return ranked[0].confidence if ranked else "confirmed"


__all__ = [
    "PathOptions",
    "best_of_each_pair",
    "edge_kind",
    "find_paths",
    "make_path",
    "path_id",
    "rank_key",
]
