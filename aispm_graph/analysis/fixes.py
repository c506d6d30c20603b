"""Fixes as operations on the graph, so a claim about a fix can be checked by applying it.

A path's remediation items carry stable ids (:mod:`aispm_graph.analysis.remediation`). This
module turns each id back into what it changes: removing one edge (``(source, kind, target)``)
or changing one node setting (IMDSv2 required, vulnerable packages patched). Choke points rank
these operations and what-if applies them to a *copy* of the graph; nothing here writes to the
workspace.

A fix closes a path only when it removes the whole hop: when two attack kinds join the same pair
of nodes (the hop's ``kinds``), removing one of them leaves the route standing, so the claim is
not made. That is why choke-point claims survive being re-checked by the engine.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from aispm_graph.analysis.models import AttackPath, Remediation
from aispm_graph.analysis.remediation import edge_fix_id, fix_id
from aispm_graph.graph.model import Graph

OpKind = Literal["remove-edge", "remove-node", "set-property"]


@dataclass(frozen=True)
class GraphOp:
    """One change to the graph: what a fix does, in terms the engine can re-run."""

    op: OpKind
    source: str = ""
    kind: str = ""
    target: str = ""
    node: str = ""
    prop: str = ""
    value: object = None

    def describe(self) -> str:
        if self.op == "remove-edge":
            return f"remove edge {self.source} -[{self.kind}]-> {self.target}"
        if self.op == "remove-node":
            return f"remove node {self.node}"
        return f"set {self.prop}={self.value!r} on {self.node}"


@dataclass
class Fix:
    """A remediation step as it appears across all paths: one id, one change, many paths."""

    id: str
    action: str
    effort: str
    breaks_path: bool
    ops: tuple[GraphOp, ...]
    closes: list[str] = field(default_factory=list)  # ids of paths this fix removes
    lowers: list[str] = field(default_factory=list)  # ids of paths it only makes less likely


class UnknownFix(KeyError):
    """A fix id that no path of the current analysis offers."""


def _ops_for(path: AttackPath, item: Remediation) -> tuple[GraphOp, ...]:
    if item.edge is None:
        return ()
    edge = path.edges[item.edge]
    if item.id == edge_fix_id(edge.source, edge.kind, edge.target):
        return (GraphOp("remove-edge", source=edge.source, kind=edge.kind, target=edge.target),)
    node = edge.source
    if item.id == fix_id(node, "imdsv2"):
        return (GraphOp("set-property", node=node, prop="imds_v1", value=False),)
    host = path.nodes[1].id if len(path.nodes) > 1 else ""
    if item.id == fix_id(host, "patch"):
        return (GraphOp("set-property", node=host, prop="vuln_factors", value=[]),)
    return ()


def _hop_removed(path: AttackPath, item: Remediation) -> bool:
    """True when the fix takes away every attack kind of its hop, so the route is gone."""
    if not item.breaks_path or item.edge is None:
        return False
    edge = path.edges[item.edge]
    if item.id != edge_fix_id(edge.source, edge.kind, edge.target):
        return False
    return set(edge.kinds or [edge.kind]) <= {edge.kind}


def collect_fixes(paths: Iterable[AttackPath]) -> dict[str, Fix]:
    """Every fix offered by ``paths``, with the paths it closes and the ones it only lowers."""
    fixes: dict[str, Fix] = {}
    # (fix id, path id) pairs already recorded: a set, so the pass stays linear in the paths
    # (a list membership test here made choke points quadratic at the path cap).
    seen: set[tuple[str, str]] = set()
    for path in paths:
        for item in path.remediation:
            ops = _ops_for(path, item)
            if not ops:
                continue
            fix = fixes.get(item.id)
            if fix is None:
                fix = fixes[item.id] = Fix(
                    id=item.id,
                    action=item.action,
                    effort=item.effort,
                    breaks_path=item.breaks_path,
                    ops=ops,
                )
            if (item.id, path.id) in seen:
                continue
            seen.add((item.id, path.id))
            (fix.closes if _hop_removed(path, item) else fix.lowers).append(path.id)
    return fixes


def edge_fixes(graph: Graph) -> dict[str, Fix]:
    """The removal of every attack-step edge as a fix, by its id: for fixes that no listed
    path carries (a choke point on routes beyond the best few of each pair)."""
    from aispm_graph.analysis.remediation import edge_action
    from aispm_graph.schema import attack_edge_kinds, edge_kind

    steps = attack_edge_kinds()
    out: dict[str, Fix] = {}
    for source, target, data in graph.edges():
        kind = data["kind"]
        if kind not in steps or not edge_kind(kind).breaks_path:
            continue
        fid = edge_fix_id(source, kind, target)
        out[fid] = Fix(
            id=fid,
            action=edge_action(
                {"id": source, **graph.node(source)},
                {"id": target, **graph.node(target)},
                {"kind": kind, "evidence": data.get("evidence") or {}},
            ),
            effort=edge_kind(kind).effort,
            breaks_path=True,
            ops=(GraphOp("remove-edge", source=source, kind=kind, target=target),),
        )
    return out


def resolve(fixes: dict[str, Fix], wanted: Iterable[str]) -> list[Fix]:
    """Look fix ids up (a unique prefix is enough); an unknown id raises :class:`UnknownFix`."""
    out: list[Fix] = []
    for raw in wanted:
        if raw in fixes:
            out.append(fixes[raw])
            continue
        hits = [f for f in fixes.values() if f.id.startswith(raw)]
        if len(hits) != 1:
            raise UnknownFix(raw)
        out.append(hits[0])
    return out


def apply_ops(graph: Graph, ops: Iterable[GraphOp]) -> Graph:
    """A copy of ``graph`` with the operations applied; the original is never touched."""
    other = graph.copy()
    for op in ops:
        if op.op == "remove-edge":
            other.remove_edge(op.source, op.target, op.kind)
        elif op.op == "remove-node":
            other.remove_node(op.node)
        elif other.has_node(op.node):
            other.set_prop(op.node, op.prop, op.value)
    return other
