"""The typed property graph every stage shares.

A thin layer over ``networkx.MultiDiGraph``: node attributes are plain dicts (``kind``, ``name``,
``provider`` and properties) and edges are keyed by their kind, so one pair of nodes holds at most
one edge of each kind. Plain dicts keep a million-node estate within memory targets; the schema
is consulted on insert so nothing of an unknown kind gets in.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from enum import StrEnum
from functools import cache
from typing import Any, ClassVar

import networkx as nx

from aispm_graph.schema import (
    INTERNET_ID,
    attack_edge_kinds,
    declared_props,
    edge_kinds,
    node_kinds,
)

NodeData = dict[str, Any]
EdgeData = dict[str, Any]

RESERVED_NODE_KEYS = frozenset({"id", "kind", "name", "provider"})


class Confidence(StrEnum):
    CONFIRMED = "confirmed"
    CONDITIONAL = "conditional"
    INFERRED = "inferred"


_CONF_VALUES = frozenset(c.value for c in Confidence)
_RANK = {"confirmed": 2, "conditional": 1, "inferred": 0}
# The one string object of each confidence and edge kind, stored on every edge instead of the
# caller's equal copies (see ``add_edges_bulk``).
_CONF_NAMES = {c.value: c.value for c in Confidence}
CONFIDENCE_RANK = {Confidence.CONFIRMED: 2, Confidence.CONDITIONAL: 1, Confidence.INFERRED: 0}


@cache
def _edge_kind_names() -> dict[str, str]:
    return {str(name): str(name) for name in edge_kinds()}


class SchemaError(ValueError):
    """A node or edge does not fit the schema."""


class UndeclaredKeyError(Exception):
    """Strict mode: code wrote a property, evidence key or edge endpoint the schema does not
    declare. A bug in the code that wrote it, never a bad record: not a ``ValueError`` (which
    transforms catch per record), and the per-record guards re-raise it, so it reaches the
    test that ran the code."""


STRICT_ENV = "AISPM_STRICT_SCHEMA"


class Graph:
    """A schema-checked multigraph of resources (nodes) and relationships (edges).

    A *strict* graph also refuses, at the write that would add it, a node property its kind
    does not declare, an evidence key its edge kind does not declare, and an edge whose
    endpoints lack the labels its kind allows (:class:`UndeclaredKeyError`), so the test
    that exercises the code names the line that wrote the key. Tests turn it on for every graph
    (``tests/conftest.py`` sets ``AISPM_STRICT_SCHEMA=1``, which subprocesses inherit);
    production leaves it off, where the same gaps are what ``python -m
    aispm_graph.schema.audit`` reports. Graphs read from user files are loaded under
    :meth:`lenient`: the open format may carry properties of its own.
    """

    strict_default: ClassVar[bool] = os.environ.get(STRICT_ENV, "") == "1"

    def __init__(self, *, strict: bool | None = None) -> None:
        self.g: nx.MultiDiGraph = nx.MultiDiGraph()
        self._node_kinds = node_kinds()
        self._edge_kinds = edge_kinds()
        self.strict = self.strict_default if strict is None else strict
        # Undeclared keys a strict graph took from user files (``lenient``), as the audit
        # names them ("node Kind.key", "evidence KIND.key", "endpoint KIND.side:Kind"), so the
        # end-of-build check does not blame the code for the user's data.
        self.excused: set[str] = set()
        self._excusing = False

    @contextmanager
    def lenient(self) -> Iterator[None]:
        """Write without the strict checks (user-supplied graph files)."""
        saved = self.strict
        self.strict, self._excusing = False, saved
        try:
            yield
        finally:
            self.strict, self._excusing = saved, False

    def _excuse_node(self, kind: str, props: Mapping[str, Any]) -> None:
        extra = {k for k, v in props.items() if v is not None} - declared_props(kind)
        self.excused.update(f"node {kind}.{k}" for k in extra - RESERVED_NODE_KEYS)

    def _excuse_edge(
        self, kind: str, evidence: Mapping[str, Any], source_kind: str, target_kind: str
    ) -> None:
        spec = self._edge_kinds[kind]
        self.excused.update(f"evidence {kind}.{k}" for k in set(evidence) - set(spec.evidence_keys))
        self.excused.add(f"endpoint {kind}.source:{source_kind}")
        self.excused.add(f"endpoint {kind}.target:{target_kind}")

    def _check_props(self, node_id: str, kind: str, props: Iterable[str]) -> None:
        undeclared = sorted(
            set(props) - declared_props(kind) - RESERVED_NODE_KEYS - {"name"},
        )
        if undeclared:
            raise UndeclaredKeyError(
                f"node {node_id!r} ({kind}): undeclared propert"
                f"{'y' if len(undeclared) == 1 else 'ies'} {', '.join(undeclared)}; declare "
                "in aispm_graph/schema/properties.py (or the kind in nodes.py)"
            )

    def _check_edge(
        self, source: str, target: str, kind: str, evidence: Mapping[str, Any] | None
    ) -> None:
        spec = self._edge_kinds[kind]
        undeclared = sorted(set(evidence or ()) - set(spec.evidence_keys))
        if undeclared:
            raise UndeclaredKeyError(
                f"edge {kind} {source} -> {target}: undeclared evidence "
                f"{', '.join(undeclared)}; declare in aispm_graph/schema/evidence.py"
            )
        for side, end, wanted in (
            ("source", source, spec.source_labels),
            ("target", target, spec.target_labels),
        ):
            if wanted and not set(map(str, wanted)) & set(self.labels(end)):
                raise UndeclaredKeyError(
                    f"edge {kind} {source} -> {target}: {side} is a "
                    f"{self.g.nodes[end]['kind']}, not one of "
                    f"{', '.join(map(str, wanted))} (aispm_graph/schema/edges.py)"
                )

    # -- nodes --------------------------------------------------------------------------------
    def add_node(self, node_id: str, kind: str, name: str | None = None, **props: Any) -> None:
        """Add or update a node; later calls merge properties (a resource seen twice is one)."""
        spec = self._node_kinds.get(kind)
        if spec is None:
            raise SchemaError(f"unknown node kind {kind!r} for node {node_id!r}")
        if not node_id or not isinstance(node_id, str):
            # An id from estate data that is a number, a bool or a list would be a node no
            # query can name and would break every deriver that reads ids as ARNs or paths.
            raise SchemaError(f"node id must be a non-empty string, not {node_id!r}")
        if self.strict:
            self._check_props(node_id, kind, (k for k, v in props.items() if v is not None))
        elif self._excusing:
            self._excuse_node(kind, props)
        existing = self.g.nodes.get(node_id)
        if existing is not None:
            if existing["kind"] != kind:
                raise SchemaError(f"node {node_id!r} declared as {existing['kind']} and as {kind}")
            existing.update({k: v for k, v in props.items() if v is not None})
            if name:
                existing["name"] = name
            return
        data: NodeData = {"kind": kind, "name": name or node_id, "provider": str(spec.provider)}
        data.update({k: v for k, v in props.items() if v is not None})
        self.g.add_node(node_id, **data)

    def add_nodes_bulk(self, records: Iterable[tuple[str, str, str, dict[str, Any]]]) -> None:
        """Insert many (id, kind, name, properties) at once; the fast path for large estates.

        Same checks as :meth:`add_node`; a node that already exists is merged the slow way.
        Each record goes straight into networkx's dicts (what ``add_nodes_from`` does, without
        its per-node tuple probing and dict copies), with no staging list; a record that fails
        its checks raises with the records before it inserted (see :meth:`add_edges_bulk`).
        """
        kinds = self._node_kinds
        node_dicts, succ, pred = self.g._node, self.g._succ, self.g._pred
        strict, excusing = self.strict, self._excusing
        try:
            for node_id, kind, name, props in records:
                spec = kinds.get(kind)
                if spec is None:
                    raise SchemaError(f"unknown node kind {kind!r} for node {node_id!r}")
                if not node_id or not isinstance(node_id, str) or node_id in node_dicts:
                    self.add_node(node_id, kind, name, **props)
                    continue
                if strict:
                    self._check_props(node_id, kind, (k for k, v in props.items() if v is not None))
                elif excusing:
                    self._excuse_node(kind, props)
                data = {k: v for k, v in props.items() if v is not None}
                data["kind"] = spec.name
                data["name"] = name or node_id
                data["provider"] = spec.provider.value
                succ[node_id] = {}
                pred[node_id] = {}
                node_dicts[node_id] = data
        finally:
            nx._clear_cache(self.g)

    def add_edges_bulk(self, records: Iterable[tuple[str, str, str, str, dict[str, Any]]]) -> None:
        """Insert many (source, target, kind, confidence, evidence) at once.

        Each record goes straight into networkx's adjacency (what ``add_edges_from`` does per
        edge, without its tuple unpacking, re-checks and data copies), so a million edges need
        no staging copy of themselves. A record that fails its checks raises with the records
        before it inserted: callers that must not leave a partial load stage into a fresh graph
        (``graph.fileformat``). The kind and confidence stored are the schema's own string
        objects, not the caller's equal copies (a graph read from JSON has a fresh string per
        edge for each).
        """
        kind_names = _edge_kind_names()
        g = self.g
        succ, pred = g._succ, g._pred
        strict, excusing = self.strict, self._excusing
        try:
            for source, target, kind, conf, evidence in records:
                name = kind_names.get(kind)
                if name is None:
                    raise SchemaError(f"unknown edge kind {kind!r} ({source} -> {target})")
                out = succ.get(source)
                if out is None or target not in succ:
                    raise SchemaError(f"edge {kind} {source} -> {target}: missing endpoint")
                rank = _RANK.get(conf)
                if rank is None:
                    raise SchemaError(f"edge {kind} {source} -> {target}: bad confidence {conf!r}")
                if strict:
                    self._check_edge(source, target, kind, evidence)
                elif excusing:
                    self._excuse_edge(
                        kind, evidence or {}, g.nodes[source]["kind"], g.nodes[target]["kind"]
                    )
                keyed = out.get(target)
                if keyed is None:
                    out[target] = keyed = {}
                    pred[target][source] = keyed
                else:
                    current = keyed.get(name)
                    if current is not None:
                        # One edge of a kind per pair: a repeat keeps the stronger confidence (its
                        # evidence with it), as :meth:`add_edge` does.
                        if rank > _RANK[current["confidence"]]:
                            current["evidence"] = evidence
                            current["confidence"] = _CONF_NAMES[conf]
                        continue
                keyed[name] = {"kind": name, "evidence": evidence, "confidence": _CONF_NAMES[conf]}
        finally:
            nx._clear_cache(g)

    def merge(self, other: Graph) -> None:
        """Add another graph's nodes and edges; shared nodes must agree on their kind."""
        if self._excusing:
            for _node_id, data in other.g.nodes(data=True):
                self._excuse_node(data["kind"], data)
            for source, target, data in other.g.edges(data=True):
                ends = other.g.nodes[source]["kind"], other.g.nodes[target]["kind"]
                self._excuse_edge(data["kind"], data["evidence"], *ends)
        if len(self) == 0:
            self.g = other.g
            return
        for node_id in self.g.nodes.keys() & other.g.nodes.keys():
            mine, theirs = self.g.nodes[node_id], other.g.nodes[node_id]
            if mine["kind"] != theirs["kind"]:
                raise SchemaError(
                    f"node {node_id!r} declared as {mine['kind']} and as {theirs['kind']}"
                )
        self.g.add_nodes_from(other.g.nodes(data=True))
        for s, t, key, data in other.g.edges(keys=True, data=True):
            if self.g.has_edge(s, t, key=key):
                self.add_edge(s, t, key, data["evidence"], data["confidence"])
            else:
                self.g.add_edge(s, t, key=key, **data)

    def ensure_internet(self) -> None:
        if INTERNET_ID not in self.g:
            self.add_node(INTERNET_ID, "Internet", "Internet")

    def has_node(self, node_id: str) -> bool:
        return node_id in self.g

    def node(self, node_id: str) -> NodeData:
        # The node dict itself, not through the NodeView: called about 30 times per node
        # in a build.
        data: NodeData = self.g._node[node_id]
        return data

    def nodes(self, kind: str | None = None) -> Iterator[tuple[str, NodeData]]:
        # Straight over networkx's node dict: derivers call this once per kind they read, and
        # the data view's per-node wrapping was a fifth of a build's node walks.
        node_dicts: dict[str, NodeData] = self.g._node
        if kind is None:
            yield from node_dicts.items()
            return
        for node_id, data in node_dicts.items():
            if data["kind"] == kind:
                yield node_id, data

    def labels(self, node_id: str) -> tuple[str, ...]:
        return self._node_kinds[self.g.nodes[node_id]["kind"]].all_labels()

    # -- edges --------------------------------------------------------------------------------
    def add_edge(
        self,
        source: str,
        target: str,
        kind: str,
        evidence: Mapping[str, Any] | None = None,
        confidence: Confidence | str = Confidence.CONFIRMED,
    ) -> None:
        """Add an edge; a second edge of the same kind keeps the stronger confidence.

        Both endpoints must exist: silently creating placeholder nodes is how graph tools end up
        with order-dependent loads, so callers add nodes first (or get a clear error).
        """
        if kind not in self._edge_kinds:
            raise SchemaError(f"unknown edge kind {kind!r} ({source} -> {target})")
        for end in (source, target):
            if end not in self.g:
                raise SchemaError(f"edge {kind} {source} -> {target}: no node {end!r}")
        if self.strict:
            self._check_edge(source, target, kind, evidence)
        elif self._excusing:
            self._excuse_edge(
                kind, evidence or {}, self.g.nodes[source]["kind"], self.g.nodes[target]["kind"]
            )
        conf = Confidence(confidence)
        ev = dict(evidence or {})
        current = self.g.get_edge_data(source, target, key=kind)
        if current is not None:
            if CONFIDENCE_RANK[conf] > CONFIDENCE_RANK[Confidence(current["confidence"])]:
                current["confidence"] = conf.value
                current["evidence"] = ev
            return
        self.g.add_edge(source, target, key=kind, kind=kind, evidence=ev, confidence=conf.value)

    def edges(self, kind: str | None = None) -> Iterator[tuple[str, str, EdgeData]]:
        # Edges are keyed by their kind (one edge of a kind per pair), so one kind is a dict
        # lookup per adjacent pair instead of a walk over every edge's data: the derivers ask
        # for one kind at a time, a dozen times a build. Same order as ``g.edges(data=True)``.
        succ: dict[str, dict[str, dict[str, EdgeData]]] = self.g._succ
        if kind is None:
            for source, nbrs in succ.items():
                for target, keyed in nbrs.items():
                    for data in keyed.values():
                        yield source, target, data
            return
        for source, nbrs in succ.items():
            for target, keyed in nbrs.items():
                found = keyed.get(kind)
                if found is not None:
                    yield source, target, found

    def out_edges(
        self, node_id: str, kind: str | None = None
    ) -> Iterator[tuple[str, str, EdgeData]]:
        """``(source, target, data)`` of the edges leaving ``node_id`` (of one kind, or all);
        none for a node that is not in the graph."""
        if node_id not in self.g:
            return
        for source, target, data in self.g.out_edges(node_id, data=True):
            if kind is None or data["kind"] == kind:
                yield source, target, data

    def successors(self, node_id: str, kind: str) -> list[str]:
        """Targets of the ``kind`` edges leaving ``node_id``, without building edge tuples:
        the hot loops of derivers ask this once per resource."""
        succ = self.g._succ.get(node_id)
        return [t for t, keyed in succ.items() if kind in keyed] if succ else []

    def in_edges(
        self, node_id: str, kind: str | None = None
    ) -> Iterator[tuple[str, str, EdgeData]]:
        """``(source, target, data)`` of the edges reaching ``node_id`` (of one kind, or all)."""
        if node_id not in self.g:
            return
        for source, target, data in self.g.in_edges(node_id, data=True):
            if kind is None or data["kind"] == kind:
                yield source, target, data

    def update_evidence(self, source: str, target: str, kind: str, **evidence: Any) -> None:
        """Add keys to the evidence of an existing edge: a later pass that learns more about
        why the edge holds (or what limits it) says so on the edge itself."""
        data = self.g.get_edge_data(source, target, key=kind)
        if data is None:
            raise KeyError(f"no {kind} edge {source} -> {target}")
        data["evidence"].update(evidence)

    def kinds_between(self, source: str, target: str) -> list[str]:
        """The kinds of the edges from ``source`` to ``target`` (at most one of each kind)."""
        return [str(k) for k in (self.g.get_edge_data(source, target) or {})]

    def set_prop(self, node_id: str, key: str, value: Any) -> None:
        """Set one property of an existing node (``None`` removes it, as :meth:`add_node`
        never stores ``None``); the reserved keys ``id``, ``kind`` and ``provider`` stay as
        the node was declared."""
        if key in RESERVED_NODE_KEYS - {"name"}:
            raise SchemaError(f"node {node_id!r}: {key!r} is reserved")
        data = self.g.nodes[node_id]
        if self.strict and value is not None and key != "name":
            self._check_props(node_id, data["kind"], (key,))
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value

    def update_props(self, node_id: str, **props: Any) -> None:
        """Set several properties of an existing node at once (see :meth:`set_prop`)."""
        for key, value in props.items():
            self.set_prop(node_id, key, value)

    def edge(self, source: str, target: str, kind: str) -> EdgeData | None:
        data: EdgeData | None = self.g.get_edge_data(source, target, key=kind)
        return data

    def remove_edge(self, source: str, target: str, kind: str) -> bool:
        if self.g.has_edge(source, target, key=kind):
            self.g.remove_edge(source, target, key=kind)
            return True
        return False

    def remove_node(self, node_id: str) -> bool:
        if node_id in self.g:
            self.g.remove_node(node_id)
            return True
        return False

    def attack_subgraph(self) -> nx.DiGraph:
        """A simple digraph of attack steps only, with the kinds of each hop on the edge.

        Several attack kinds between one pair collapse into one hop whose ``kinds`` lists them;
        paths are distinct by route, and the strongest kind is the one reported.
        """
        steps = attack_edge_kinds()
        dg: nx.DiGraph = nx.DiGraph()
        for source, target, data in self.g.edges(data=True):
            kind = data["kind"]
            if kind not in steps:
                continue
            if dg.has_edge(source, target):
                dg.edges[source, target]["kinds"].append(kind)
            else:
                dg.add_edge(source, target, kinds=[kind])
        for _s, _t, data in dg.edges(data=True):
            data["kinds"].sort()
        return dg

    def copy(self) -> Graph:
        other = Graph(strict=self.strict)
        other.g = self.g.copy()
        return other

    def __len__(self) -> int:
        return int(self.g.number_of_nodes())

    @property
    def edge_count(self) -> int:
        return int(self.g.number_of_edges())

    # --- derive/cypher operations ---
    def predecessors(self, node_id: str, kind: str | None = None) -> list[str]:
        """Sources of the edges reaching ``node_id`` (of one kind, or any), each once, in
        adjacency order; none for a node that is not in the graph."""
        pred = self.g._pred.get(node_id)
        if not pred:
            return []
        return [s for s, keyed in pred.items() if kind is None or kind in keyed]

    def degrees(self) -> dict[str, int]:
        """Edges touching each node, both ways: exporters size their batches by it."""
        return {n: int(d) for n, d in self.g.degree()}

    def set_meta(self, key: str, value: Any) -> None:
        """Hold a value on the graph itself between a transform and the deriver that consumes
        it (say, model scans waiting for the models they name). Never persisted or exported."""
        self.g.graph[key] = value

    def pop_meta(self, key: str, default: Any = None) -> Any:
        """Take back (and drop) a value held with :meth:`set_meta`; ``default`` when none is."""
        return self.g.graph.pop(key, default)

    # --- property edits (transforms) ---
    def set_default_prop(self, node_id: str, key: str, value: Any) -> Any:
        """The node's ``key`` if it has one, else ``value`` stored there (the ``setdefault``
        of a node, checked like :meth:`set_prop`): a transform that learns a fact a second
        time, from a weaker source, keeps the first."""
        if key in RESERVED_NODE_KEYS - {"name"}:
            raise SchemaError(f"node {node_id!r}: {key!r} is reserved")
        current = self.node(node_id).get(key)
        if current is not None:
            return current
        self.set_prop(node_id, key, value)
        return value

    def append_to_prop(self, node_id: str, key: str, *items: Any) -> None:
        """Add ``items`` to the end of the list property ``key`` (made when absent): one
        resource's sub-records (deployments of an endpoint, ...) are read one at a time. The
        list is replaced, not edited, so a copy of the graph never shares it."""
        current = self.node(node_id).get(key)
        self.set_prop(node_id, key, [*(current or []), *items])
