"""The open graph file format (``aispm-graph`` JSON, version 1).

It is how the built graph is persisted and exported, and how users add what no collector sees
(an on-premises model server, a SaaS AI vendor). Reading validates everything before anything is
used, and every error names the file, the record and the field.

    {"format": "aispm-graph", "version": 1,
     "nodes": [{"id": "...", "kind": "<schema node kind>", "name": "...", "properties": {}}],
     "edges": [{"source": "...", "target": "...", "kind": "<schema edge kind>",
                "confidence": "confirmed|conditional|inferred", "evidence": {}}]}
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from aispm_graph.graph.model import RESERVED_NODE_KEYS, Confidence, Graph
from aispm_graph.safeload import InputError, loads_json
from aispm_graph.schema import INTERNET_ID, edge_kinds, node_kinds

INTERNET_KIND = "Internet"
FORMAT_NAME = "aispm-graph"
FORMAT_VERSION = 1
MAX_ID_LENGTH = 2048
_CONTROL = re.compile(r"[\x00-\x1f]")


class GraphFileError(ValueError):
    """A graph document is not valid; the message says where and why."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")
        self.where = where


def _scalar_ok(value: Any, depth: int = 0) -> bool:
    """Properties and evidence are JSON values of bounded depth (hostile files nest deeply)."""
    if depth > 16:
        return False
    if value is None or isinstance(value, str | int | float | bool):
        return True
    if isinstance(value, list):
        return all(_scalar_ok(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _scalar_ok(v, depth + 1) for k, v in value.items())
    return False


def _str_field(record: Mapping[str, Any], field: str, where: str, required: bool = True) -> str:
    value = record.get(field)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip():
        raise GraphFileError(where, f"field {field!r} must be a non-empty string")
    if len(value) > MAX_ID_LENGTH:
        raise GraphFileError(where, f"field {field!r} is longer than {MAX_ID_LENGTH} characters")
    if _CONTROL.search(value):
        raise GraphFileError(where, f"field {field!r} contains control characters")
    return value


NodeRecord = tuple[str, str, str, dict[str, Any]]
EdgeRecord = tuple[str, str, str, str, dict[str, Any]]


def validate_graph_document(
    doc: Any,
    source: str,
    known: Callable[[str], bool] | None = None,
    known_kinds: Mapping[str, str] | None = None,
) -> tuple[list[NodeRecord], list[EdgeRecord]]:
    """Check a parsed graph document completely and return its records, changing nothing.

    ``known`` says whether a node id exists outside this document (in the estate it will be
    merged into), so a user file can attach an on-premises server to a collected identity.
    ``known_kinds`` gives the kind of ids defined elsewhere (the built graph, files imported
    before): a record that gives one of them another kind is refused here, at import, rather
    than skipped later at build. The reserved ``internet`` id is the one internet node the
    engine starts paths from; a file may point edges at it but never redefine it (as a
    model, say, to make every path end there), so a node record for it is refused unless it
    is the plain Internet node an export wrote, which is then left to the engine.
    """
    if not isinstance(doc, dict):
        raise GraphFileError(source, "top level must be a JSON object")
    if doc.get("format") != FORMAT_NAME:
        raise GraphFileError(source, f"field 'format' must be {FORMAT_NAME!r}")
    version = doc.get("version")
    if version != FORMAT_VERSION:
        raise GraphFileError(
            source, f"field 'version' is {version!r}; this release reads version {FORMAT_VERSION}"
        )
    nodes = doc.get("nodes", [])
    edges = doc.get("edges", [])
    if not isinstance(nodes, list):
        raise GraphFileError(source, "field 'nodes' must be a list")
    if not isinstance(edges, list):
        raise GraphFileError(source, "field 'edges' must be a list")
    nkinds, ekinds = node_kinds(), edge_kinds()
    seen: dict[str, str] = {}
    node_out: list[NodeRecord] = []
    for i, rec in enumerate(nodes):
        where = f"{source}: nodes[{i}]"
        if not isinstance(rec, dict):
            raise GraphFileError(where, "must be an object")
        node_id = _str_field(rec, "id", where)
        where = f"{source}: nodes[{i}] (id {node_id!r})"
        kind = _str_field(rec, "kind", where)
        if kind not in nkinds:
            raise GraphFileError(where, f"field 'kind': unknown node kind {kind!r}")
        name = _str_field(rec, "name", where, required=False) or node_id
        props = rec.get("properties", {})
        if not isinstance(props, dict) or not _scalar_ok(props):
            raise GraphFileError(where, "field 'properties' must be an object of JSON values")
        bad = RESERVED_NODE_KEYS & props.keys()
        if bad:
            raise GraphFileError(where, f"field 'properties' may not set {sorted(bad)}")
        if seen.get(node_id, kind) != kind:
            raise GraphFileError(
                where, f"field 'kind': {kind} conflicts with earlier kind {seen[node_id]}"
            )
        if node_id == INTERNET_ID:
            if kind != INTERNET_KIND or props:
                raise GraphFileError(
                    where,
                    f"field 'id': {INTERNET_ID!r} is reserved for the single internet node and "
                    "cannot be redefined (give the node another id)",
                )
            seen[node_id] = kind
            continue
        earlier = (known_kinds or {}).get(node_id)
        if earlier is not None and earlier != kind:
            raise GraphFileError(
                where,
                f"field 'kind': {kind} conflicts with kind {earlier} the estate already has for "
                "this id",
            )
        seen[node_id] = kind
        node_out.append((node_id, kind, name, props))
    edge_out: list[EdgeRecord] = []
    for i, rec in enumerate(edges):
        where = f"{source}: edges[{i}]"
        if not isinstance(rec, dict):
            raise GraphFileError(where, "must be an object")
        src = _str_field(rec, "source", where)
        dst = _str_field(rec, "target", where)
        kind = _str_field(rec, "kind", where)
        where = f"{source}: edges[{i}] ({src} -{kind}-> {dst})"
        if kind not in ekinds:
            raise GraphFileError(where, f"field 'kind': unknown edge kind {kind!r}")
        for field, end in (("source", src), ("target", dst)):
            if end not in seen and end != INTERNET_ID and not (known and known(end)):
                raise GraphFileError(where, f"field {field!r}: no node with id {end!r}")
        conf = rec.get("confidence", "confirmed")
        if conf not in {c.value for c in Confidence}:
            raise GraphFileError(
                where, "field 'confidence' must be one of confirmed, conditional, inferred"
            )
        evidence = rec.get("evidence", {})
        if not isinstance(evidence, dict) or not _scalar_ok(evidence):
            raise GraphFileError(where, "field 'evidence' must be an object of JSON values")
        edge_out.append((src, dst, kind, conf, evidence))
    return node_out, edge_out


class ConsumedDocumentError(GraphFileError):
    """A trusted document read with ``consume=True`` did not load. Its records were dropped as
    they were read, so it cannot be validated any more: the caller reads it again and
    validates that copy, whose errors name the record and field."""


def parse_graph_document(
    doc: Any, source: str, into: Graph | None = None, trusted: bool = False, consume: bool = False
) -> Graph:
    """Validate a parsed graph document and return it as a Graph (or merge it into ``into``).

    Validation completes before ``into`` is touched, so a bad document changes nothing.
    ``trusted`` is for documents this program wrote or validated on import (snapshots, the
    built graph): they skip per-field validation and load in bulk, which is what keeps a
    million-resource build close to bare NetworkX insertion. If a trusted document turns out
    not to load, it is validated in full so the error still names the record and field.
    ``consume`` (trusted only) lets the load drop each node and edge record of ``doc`` once
    read, so the document and the graph made from it are not both whole in memory; a failure
    then raises :class:`ConsumedDocumentError` instead of validating.
    """
    graph = into if into is not None else Graph()
    if trusted:
        try:
            return _load_trusted(doc, graph, consume)
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            if consume:
                raise ConsumedDocumentError(source, f"does not load ({exc!r})") from None
            if into is None:
                graph = Graph()
    known = (lambda n: n in graph.g) if into is not None else None
    node_recs, edge_recs = validate_graph_document(doc, source, known)
    for node_id, kind, _name, _props in node_recs:
        existing = graph.g.nodes.get(node_id)
        if existing is not None and existing["kind"] != kind:
            raise GraphFileError(
                source, f"node {node_id!r}: kind {kind} conflicts with existing {existing['kind']}"
            )
    if any(INTERNET_ID in (e[0], e[1]) for e in edge_recs):
        graph.ensure_internet()
    # The open format may carry properties and evidence of its own (a user's CustomAIService
    # with a vendor field the schema does not know): kept, not refused by strict graphs.
    with graph.lenient():
        graph.add_nodes_bulk(node_recs)
        graph.add_edges_bulk(edge_recs)
    return graph


def _load_trusted(doc: dict[str, Any], graph: Graph, consume: bool = False) -> Graph:
    if doc["format"] != FORMAT_NAME or doc["version"] != FORMAT_VERSION:
        raise ValueError("not an aispm-graph v1 document")
    # Stage into a fresh graph first so a failure half way leaves ``graph`` untouched.
    staged = Graph(strict=False)  # written by this program, or validated when imported
    # Every edge names its ends by id; read from JSON, each of those is a fresh copy of the
    # node's id string (two per edge, a third of a large graph's memory). The edges refer to
    # the node's own id object instead, through this map, which lives only while loading.
    ids: dict[str, str] = {}
    staged.add_nodes_bulk(_node_records(doc["nodes"], ids, consume))
    if doc["edges"]:
        staged.ensure_internet()
        ids.setdefault(INTERNET_ID, INTERNET_ID)
    staged.add_edges_bulk(_edge_records(doc["edges"], ids, consume))
    del ids
    with graph.lenient():  # a user's file validated on import may carry its own keys
        graph.merge(staged)
    return graph


def _records(records: list[Any], consume: bool) -> Iterator[Any]:
    if not consume:
        yield from records
        return
    for i, record in enumerate(records):
        records[i] = None  # the graph keeps what it needs of it; the rest is freed now
        yield record


def _node_records(
    nodes: list[dict[str, Any]], ids: dict[str, str], consume: bool
) -> Iterator[NodeRecord]:
    for n in _records(nodes, consume):
        node_id = ids.setdefault(n["id"], n["id"])  # the first record of an id makes the node
        yield node_id, n["kind"], n.get("name") or node_id, n.get("properties") or {}


def _edge_records(
    edges: list[dict[str, Any]], ids: dict[str, str], consume: bool
) -> Iterator[EdgeRecord]:
    for e in _records(edges, consume):
        source, target = e["source"], e["target"]
        yield (
            ids.get(source, source),
            ids.get(target, target),
            e["kind"],
            e.get("confidence", "confirmed"),
            e.get("evidence") or {},
        )


MAX_FILE_BYTES = 512 * 1024 * 1024


def read_json_file(path: Path) -> Any:
    """Parse a JSON file whose every failure is a GraphFileError naming the file and place."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise GraphFileError(str(path), f"larger than {MAX_FILE_BYTES // 2**20} MiB")
        raw = path.read_bytes()
    except OSError as exc:
        raise GraphFileError(str(path), f"cannot read: {exc.strerror or exc}") from None
    try:
        return loads_json(raw, str(path))
    except InputError as exc:
        raise GraphFileError(str(path), str(exc).removeprefix(f"{path}: ")) from None


def load_graph_file(path: Path, into: Graph | None = None) -> Graph:
    return parse_graph_document(read_json_file(path), str(path), into)


def graph_to_document(graph: Graph) -> dict[str, Any]:
    """Serialise in a stable order so the same graph always gives the same bytes."""
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "nodes": list(node_documents(graph)),
        "edges": list(edge_documents(graph)),
    }


def node_documents(graph: Graph) -> Iterator[dict[str, Any]]:
    """The node records of :func:`graph_to_document`, one at a time, by id."""
    node_dicts = graph.g._node
    for node_id in sorted(node_dicts):
        data = node_dicts[node_id]
        props = {k: v for k, v in data.items() if k not in RESERVED_NODE_KEYS}
        yield {
            "id": node_id,
            "kind": data["kind"],
            "name": data["name"],
            "provider": data["provider"],
            "properties": dict(sorted(props.items())),
        }


def edge_documents(graph: Graph) -> Iterator[dict[str, Any]]:
    """The edge records of :func:`graph_to_document`, one at a time, by (source, target,
    kind): sorted a node's neighbours at a time rather than as one list of every edge."""
    succ = graph.g._succ
    for s in sorted(succ):
        nbrs = succ[s]
        for t in sorted(nbrs):
            for d in sorted(nbrs[t].values(), key=lambda d: str(d["kind"])):
                yield {
                    "source": s,
                    "target": t,
                    "kind": d["kind"],
                    "confidence": d["confidence"],
                    "evidence": d["evidence"],
                }
