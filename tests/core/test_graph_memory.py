"""What keeps a large graph small: one object per repeated string, no document kept alive.

A million-resource estate fits in memory only if the graph does not hold a copy of what it
can share: a graph read from JSON has a fresh string per edge for each endpoint id, kind and
confidence, and a build that kept its raw documents held them beside the whole graph. These
tests count objects instead of measuring memory (no timing, no RSS), so they fail the same
way on every machine.
"""

from __future__ import annotations

import gc
import json
import weakref
from pathlib import Path
from typing import Any

import pytest
import zstandard

from aispm_graph.build import BuildContext, build_graph
from aispm_graph.graph.fileformat import (
    ConsumedDocumentError,
    graph_to_document,
    parse_graph_document,
)
from aispm_graph.graph.model import Graph, SchemaError
from aispm_graph.store import load_graph, save_graph
from aispm_graph.synth import synth_document
from aispm_graph.workspace import Document, WorkspaceError, compress_json

ROLE = "arn:aws:iam::111111111111:role/app"
BUCKET = "arn:aws:s3:::data"
KEY = "arn:aws:kms:us-east-1:111111111111:key/k"


def _doc() -> dict[str, Any]:
    return {
        "format": "aispm-graph",
        "version": 1,
        "nodes": [
            {"id": ROLE, "kind": "AWSRole", "name": "app", "properties": {}},
            {"id": BUCKET, "kind": "S3Bucket", "name": "data", "properties": {}},
            {"id": KEY, "kind": "KMSKey", "name": "k", "properties": {}},
        ],
        "edges": [
            {"source": ROLE, "target": BUCKET, "kind": "CAN_READ", "confidence": "conditional"},
            {"source": ROLE, "target": KEY, "kind": "CAN_READ", "evidence": {"grant": "g"}},
            {"source": "internet", "target": ROLE, "kind": "INTERNET_EXPOSED"},
        ],
    }


def test_a_graph_read_from_json_shares_ids_kinds_and_confidences() -> None:
    # json.loads makes a fresh string for every value: the endpoints, kind and confidence of
    # each edge are copies of the node ids and of each other.
    doc = json.loads(json.dumps(_doc()))
    graph = parse_graph_document(doc, "test", trusted=True)
    node_ids = {id(k) for k in graph.g._node}
    ends = [(s, t) for s, nbrs in graph.g._succ.items() for t in nbrs]
    ends += [(s, t) for t, nbrs in graph.g._pred.items() for s in nbrs]
    assert len(ends) == 2 * graph.edge_count == 6
    assert all(id(s) in node_ids and id(t) in node_ids for s, t in ends)
    kinds = {id(d["kind"]) for _s, _t, d in graph.edges()}
    confidences = [d["confidence"] for _s, _t, d in graph.edges()]
    assert len(kinds) == 2  # CAN_READ twice, INTERNET_EXPOSED once
    assert len({id(c) for c in confidences}) == len(set(confidences)) == 2
    # The same graph as before: what is shared is equal, nothing else changed.
    assert sorted((s, t, d["kind"], d["confidence"]) for s, t, d in graph.edges()) == [
        (ROLE, KEY, "CAN_READ", "confirmed"),
        (ROLE, BUCKET, "CAN_READ", "conditional"),
        ("internet", ROLE, "INTERNET_EXPOSED", "confirmed"),
    ]
    assert graph.edge(ROLE, KEY, "CAN_READ") == {
        "kind": "CAN_READ",
        "evidence": {"grant": "g"},
        "confidence": "confirmed",
    }


def test_bulk_insert_keeps_the_stronger_repeat_in_the_first_place() -> None:
    graph = Graph(strict=False)
    graph.add_nodes_bulk(
        [(ROLE, "AWSRole", "app", {}), (BUCKET, "S3Bucket", "", {}), (KEY, "KMSKey", "k", {})]
    )
    graph.add_edges_bulk(
        [
            (ROLE, BUCKET, "CAN_READ", "inferred", {"why": "first"}),
            (ROLE, KEY, "CAN_READ", "confirmed", {}),
            (ROLE, BUCKET, "CAN_READ", "confirmed", {"why": "stronger"}),
            (ROLE, BUCKET, "CAN_READ", "conditional", {"why": "weaker"}),
            (ROLE, BUCKET, "CAN_WRITE", "confirmed", {}),
        ]
    )
    assert [(t, d["kind"], d["confidence"], d["evidence"]) for _s, t, d in graph.edges()] == [
        (BUCKET, "CAN_READ", "confirmed", {"why": "stronger"}),
        (BUCKET, "CAN_WRITE", "confirmed", {}),
        (KEY, "CAN_READ", "confirmed", {}),
    ]
    assert graph.node(BUCKET)["name"] == BUCKET  # no name: the id, as add_node names it
    # A repeat of an edge already in the graph merges the same way.
    graph.add_edges_bulk([(ROLE, KEY, "CAN_READ", "inferred", {"why": "weaker"})])
    assert graph.edge(ROLE, KEY, "CAN_READ") == {
        "kind": "CAN_READ",
        "evidence": {},
        "confidence": "confirmed",
    }


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ((ROLE, BUCKET, "NOT_A_KIND", "confirmed", {}), "unknown edge kind 'NOT_A_KIND'"),
        ((ROLE, "arn:aws:s3:::gone", "CAN_READ", "confirmed", {}), "missing endpoint"),
        ((ROLE, BUCKET, "CAN_READ", "certain", {}), "bad confidence 'certain'"),
    ],
)
def test_bulk_insert_refuses_a_bad_record(record: Any, message: str) -> None:
    graph = Graph(strict=False)
    graph.add_nodes_bulk([(ROLE, "AWSRole", "app", {}), (BUCKET, "S3Bucket", "data", {})])
    with pytest.raises(SchemaError, match=message):
        graph.add_edges_bulk([record])
    assert graph.edge_count == 0


def test_a_node_twice_in_one_batch_with_another_kind_is_refused() -> None:
    graph = Graph(strict=False)
    with pytest.raises(SchemaError, match="declared as AWSRole and as S3Bucket"):
        graph.add_nodes_bulk([(ROLE, "AWSRole", "app", {}), (ROLE, "S3Bucket", "x", {})])


def test_a_corrupt_trusted_document_is_still_reported_by_record() -> None:
    doc = _doc()
    doc["edges"][1]["target"] = "arn:aws:s3:::gone"
    with pytest.raises(ValueError, match=r"edges\[1\].*no node with id 'arn:aws:s3:::gone'"):
        parse_graph_document(doc, "snap", trusted=True)


class _Body(dict[str, Any]):
    """A document body that can be watched (plain dicts cannot be weakly referenced)."""


def test_the_build_frees_a_document_once_its_transform_has_read_it() -> None:
    seen: list[bool] = []
    body = _Body(synth_document(300, profile="sparse"))
    alive = weakref.ref(body)
    docs = [Document("graph", "synthetic", "synthetic", body)]
    del body

    def handoff() -> Any:
        while docs:
            yield docs.pop()

    import aispm_graph.build as build

    def probe(graph: Graph, ctx: BuildContext) -> None:
        gc.collect()
        seen.append(alive() is not None)

    build._load_plugins()
    saved = list(build._DERIVERS)
    build._DERIVERS.insert(0, ("facts", "memory-probe", probe))
    try:
        graph = build_graph(handoff(), BuildContext())
    finally:
        build._DERIVERS[:] = saved
    assert seen == [False]  # gone before the first deriver ran
    assert len(graph) > 300


def test_a_built_org_estate_holds_each_repeated_edge_string_once() -> None:
    """Kinds, confidences and technique references repeat on thousands of edges of a large
    estate; the build stores one object of each, not one per edge."""
    graph = build_graph(
        [Document("graph", "synthetic", "synthetic", synth_document(3000))], BuildContext()
    )
    for field in ("kind", "confidence"):
        values = [d[field] for _s, _t, d in graph.edges()]
        assert len({id(v) for v in values}) == len(set(values)), field
    refs = [
        d["evidence"]["reference"] for _s, _t, d in graph.edges() if "reference" in d["evidence"]
    ]
    assert len(refs) > 100  # escalation techniques matched in every tenant
    assert len({id(r) for r in refs}) == len(set(refs))


def test_a_saved_graph_loads_back_the_same_with_shared_ids(tmp_path: Path) -> None:
    graph = parse_graph_document(_doc(), "test", trusted=True)
    graph.set_prop(BUCKET, "name", "données-é-😀")
    path = tmp_path / "graph.json.zst"
    save_graph(graph, path, meta={"snapshot": "s1"})
    loaded, meta = load_graph(path)
    assert meta == {"snapshot": "s1"}
    assert graph_to_document(loaded) == graph_to_document(graph)
    assert loaded.node(BUCKET)["name"] == "données-é-😀"
    node_ids = {id(k) for k in loaded.g._node}
    assert all(id(t) in node_ids for _s, nbrs in loaded.g._succ.items() for t in nbrs)


def test_a_corrupt_saved_graph_names_the_record_though_read_in_one_pass(tmp_path: Path) -> None:
    """The load drops each record once read, so a record that does not load is found by
    reading the file again and validating it: the error still names the record and field."""
    doc = _doc()
    doc["edges"][2]["kind"] = "NOT_A_KIND"
    path = tmp_path / "graph.json.zst"
    path.write_bytes(compress_json(doc))
    with pytest.raises(WorkspaceError, match=r"edges\[2\].*unknown edge kind 'NOT_A_KIND'"):
        load_graph(path)
    # The same document through the one-pass load itself: refused, and said to be consumed.
    with pytest.raises(ConsumedDocumentError, match="does not load"):
        parse_graph_document(doc, "snap", trusted=True, consume=True)
    assert doc["edges"][0] is None  # read and dropped before the bad record


def test_a_graph_is_saved_as_a_stream_with_the_text_of_the_whole_document(tmp_path: Path) -> None:
    """save_graph never holds the document, its text or its bytes whole; what it writes is
    still exactly the compact JSON of graph_to_document plus meta (lone surrogates replaced as
    compress_json replaces them), in batches that split the records anywhere."""
    graph = build_graph(
        [Document("graph", "synthetic", "synthetic", synth_document(2500, profile="sparse"))],
        BuildContext(),
    )
    first = next(iter(sorted(graph.g._node)))
    graph.set_prop(first, "name", "lone \udc80 surrogate, né, 😀")
    meta = {"snapshot": "s1", "warnings": ["odd \udc81 record"]}
    path = tmp_path / "graph.json.zst"
    save_graph(graph, path, meta=meta)
    doc = graph_to_document(graph)
    doc["meta"] = meta
    assert len(doc["nodes"]) > 2 * 1024  # more than two batches
    written = zstandard.ZstdDecompressor().decompressobj().decompress(path.read_bytes())
    expected = zstandard.ZstdDecompressor().decompress(compress_json(doc))
    assert written == expected
    assert "lone \ufffd surrogate, né, 😀".encode() in written
    loaded, loaded_meta = load_graph(path)
    assert graph_to_document(loaded) == graph_to_document(graph) | {
        "nodes": [
            n | {"name": "lone \ufffd surrogate, né, 😀"} if n["id"] == first else n
            for n in graph_to_document(graph)["nodes"]
        ]
    }
    assert loaded_meta == {"snapshot": "s1", "warnings": ["odd \ufffd record"]}
