"""The declarative graph schema: the single source of truth for node and edge kinds."""

from __future__ import annotations

from dataclasses import replace
from functools import cache

from aispm_graph.schema.aibom_nodes import AIBOM_NODE_KINDS, EXTRA_PROPS
from aispm_graph.schema.edges import EDGE_KINDS as _CORE_EDGE_KINDS
from aispm_graph.schema.evidence import EDGE_EVIDENCE, EVIDENCE_KEYS
from aispm_graph.schema.gcp_agent_nodes import GCP_AGENT_EXTRA_PROPS, GCP_AGENT_NODE_KINDS
from aispm_graph.schema.model import (
    EdgeKind,
    EvidenceKey,
    Label,
    NodeKind,
    Prop,
    PropType,
    Provider,
    TargetClass,
)
from aispm_graph.schema.nodes import NODE_KINDS as _CORE_NODE_KINDS
from aispm_graph.schema.properties import COMMON_PROPS, KIND_PROPS, LABEL_PROPS, PROVIDER_PROPS


def _with_props(kind: NodeKind, *extra: tuple[Prop, ...]) -> NodeKind:
    """The kind with more declared properties; a name declared twice keeps its first
    declaration (``tests/core/test_schema.py`` names such doubles so they get removed)."""
    seen = {p.name for p in kind.props}
    added = []
    for prop in (p for more in extra for p in more):
        if prop.name not in seen:
            seen.add(prop.name)
            added.append(prop)
    return replace(kind, props=(*kind.props, *added)) if added else kind


def _with_evidence(kind: EdgeKind) -> EdgeKind:
    keys = tuple(dict.fromkeys((*kind.evidence_keys, *EDGE_EVIDENCE.get(kind.name, ()))))
    return replace(kind, evidence_keys=keys)


# The AI-BOM kinds and the properties declared in ``properties.py`` (and the evidence keys of
# ``evidence.py``) are merged here so every reader (validation, docs, Cypher, the audit) sees
# one list per kind.
def _declared(kind: NodeKind, *more: tuple[Prop, ...]) -> NodeKind:
    envelope = PROVIDER_PROPS.get(kind.provider, ())
    by_label = [LABEL_PROPS.get(label, ()) for label in kind.labels]
    return _with_props(
        kind, *more, KIND_PROPS.get(kind.name, ()), envelope, *by_label, COMMON_PROPS
    )


NODE_KINDS = tuple(
    _declared(k, EXTRA_PROPS.get(k.name, ()), GCP_AGENT_EXTRA_PROPS.get(k.name, ()))
    for k in (*_CORE_NODE_KINDS, *AIBOM_NODE_KINDS, *GCP_AGENT_NODE_KINDS)
)
EDGE_KINDS = tuple(_with_evidence(k) for k in _CORE_EDGE_KINDS)

SCHEMA_VERSION = 1
INTERNET_ID = "internet"

__all__ = [
    "EDGE_KINDS",
    "EVIDENCE_KEYS",
    "INTERNET_ID",
    "NODE_KINDS",
    "SCHEMA_VERSION",
    "EdgeKind",
    "EvidenceKey",
    "Label",
    "NodeKind",
    "Prop",
    "PropType",
    "Provider",
    "TargetClass",
    "attack_edge_kinds",
    "declared_props",
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


@cache
def declared_props(kind: str) -> frozenset[str]:
    """Property names the node kind declares (strict graphs and the audit check against it)."""
    return frozenset(p.name for p in node_kind(kind).props)


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
