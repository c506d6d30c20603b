"""The declarative graph schema: the single source of truth for node and edge kinds."""

from __future__ import annotations

from dataclasses import replace
from functools import cache

from aispm_graph.schema.aibom_nodes import AIBOM_NODE_KINDS, EXTRA_PROPS
from aispm_graph.schema.edges import EDGE_KINDS
from aispm_graph.schema.gcp_agent_nodes import GCP_AGENT_EXTRA_PROPS, GCP_AGENT_NODE_KINDS
from aispm_graph.schema.model import (
    EdgeKind,
    Label,
    NodeKind,
    Prop,
    PropType,
    Provider,
    TargetClass,
)
from aispm_graph.schema.nodes import NODE_KINDS as _CORE_NODE_KINDS

# The AI-BOM kinds are declared in their own module; properties they add to core kinds are
# merged here so every reader (validation, docs, Cypher) sees one list.
_EXTRA = {
    name: (*EXTRA_PROPS.get(name, ()), *GCP_AGENT_EXTRA_PROPS.get(name, ()))
    for name in {*EXTRA_PROPS, *GCP_AGENT_EXTRA_PROPS}
}
NODE_KINDS = tuple(
    replace(k, props=(*k.props, *_EXTRA[k.name])) if k.name in _EXTRA else k
    for k in (*_CORE_NODE_KINDS, *AIBOM_NODE_KINDS, *GCP_AGENT_NODE_KINDS)
)

SCHEMA_VERSION = 1
INTERNET_ID = "internet"

__all__ = [
    "EDGE_KINDS",
    "INTERNET_ID",
    "NODE_KINDS",
    "SCHEMA_VERSION",
    "EdgeKind",
    "Label",
    "NodeKind",
    "Prop",
    "PropType",
    "Provider",
    "TargetClass",
    "attack_edge_kinds",
    "edge_kind",
    "edge_kinds",
    "node_kind",
    "node_kinds",
]


@cache
def node_kinds() -> dict[str, NodeKind]:
    kinds = {k.name: k for k in NODE_KINDS}
    if len(kinds) != len(NODE_KINDS):
        raise RuntimeError("duplicate node kind in schema")
    return kinds


@cache
def edge_kinds() -> dict[str, EdgeKind]:
    kinds = {k.name: k for k in EDGE_KINDS}
    if len(kinds) != len(EDGE_KINDS):
        raise RuntimeError("duplicate edge kind in schema")
    return kinds


@cache
def attack_edge_kinds() -> frozenset[str]:
    return frozenset(k.name for k in EDGE_KINDS if k.attack_step)


def node_kind(name: str) -> NodeKind:
    """The declaration of a node kind; KeyError names the unknown kind."""
    try:
        return node_kinds()[name]
    except KeyError:
        raise KeyError(f"unknown node kind {name!r}") from None


def edge_kind(name: str) -> EdgeKind:
    try:
        return edge_kinds()[name]
    except KeyError:
        raise KeyError(f"unknown edge kind {name!r}") from None
