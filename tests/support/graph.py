"""Graphs as sets of tuples: order-free assertions that read like the claim."""

from __future__ import annotations

from aispm_graph.graph.model import Graph
from aispm_graph.schema import attack_edge_kinds


def node_set(graph: Graph, kind: str | None = None) -> set[tuple[str, str]]:
    """``{(id, kind), ...}``, of one kind or of all."""
    return {(nid, str(d["kind"])) for nid, d in graph.nodes(kind)}


def edge_set(graph: Graph, kind: str | None = None) -> set[tuple[str, str, str]]:
    """``{(source, kind, target), ...}``, of one kind or of all."""
    return {(s, str(d["kind"]), t) for s, t, d in graph.edges(kind)}


def attack_edge_set(graph: Graph) -> set[tuple[str, str, str]]:
    """``{(source, kind, target), ...}`` of the attack steps only."""
    steps = attack_edge_kinds()
    return {e for e in edge_set(graph) if e[1] in steps}


def pairs(graph: Graph, kind: str) -> set[tuple[str, str]]:
    """``{(source, target), ...}`` of the edges of one kind."""
    return {(s, t) for s, t, _d in graph.edges(kind)}
