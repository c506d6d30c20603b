"""The graph file format: round trips, and hostile input that must fail cleanly."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aispm_graph.graph.fileformat import GraphFileError, graph_to_document, parse_graph_document
from tests.support.cli import invoke_cli

GOOD: dict[str, Any] = {
    "format": "aispm-graph",
    "version": 1,
    "nodes": [
        {
            "id": "onprem:gpu-01",
            "kind": "CustomCompute",
            "name": "gpu-01",
            "properties": {"public_ip": "198.51.100.7", "ai_libraries": ["vllm"]},
        },
        {"id": "onprem:model", "kind": "CustomAIModel", "name": "llama-ft"},
    ],
    "edges": [
        {
            "source": "internet",
            "target": "onprem:gpu-01",
            "kind": "INTERNET_EXPOSED",
            "evidence": {"via": "perimeter rule 12", "fix": "Remove perimeter rule 12"},
        },
        {
            "source": "onprem:gpu-01",
            "target": "onprem:model",
            "kind": "SERVES",
            "evidence": {"relationship": "vLLM serves the model"},
        },
    ],
}


def tree_digest(root: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        h.update(str(p.relative_to(root)).encode())
        if p.is_file():
            h.update(p.read_bytes())
    return h.hexdigest()


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.update(format="other"), "field 'format'"),
        (lambda d: d.update(version=2), "field 'version'"),
        (lambda d: d.update(nodes={}), "field 'nodes' must be a list"),
        (lambda d: d["nodes"][1].update(kind="Nope"), "nodes[1] (id 'onprem:model'): field 'kind'"),
        (lambda d: d["nodes"][0].pop("id"), "nodes[0]: field 'id'"),
        (lambda d: d["nodes"][0].update(id="a\x00b"), "control characters"),
        (lambda d: d["nodes"][0]["properties"].update(kind="x"), "may not set ['kind']"),
        (
            lambda d: d["edges"][1].update(target="ghost"),
            "edges[1] (onprem:gpu-01 -SERVES-> ghost): field 'target': no node",
        ),
        (lambda d: d["edges"][0].update(kind="PWNS"), "unknown edge kind 'PWNS'"),
        (lambda d: d["edges"][0].update(confidence="sure"), "field 'confidence'"),
        (lambda d: d["edges"][0].update(evidence=[1]), "field 'evidence'"),
    ],
)
def test_validation_errors_name_record_and_field(mutate: Any, message: str) -> None:
    doc = json.loads(json.dumps(GOOD))
    mutate(doc)
    with pytest.raises(GraphFileError) as err:
        parse_graph_document(doc, "f.json")
    assert message in str(err.value) and str(err.value).startswith("f.json")


def test_deep_nesting_is_rejected() -> None:
    doc = json.loads(json.dumps(GOOD))
    deep: Any = "x"
    for _ in range(40):
        deep = {"k": deep}
    doc["nodes"][0]["properties"]["deep"] = deep
    with pytest.raises(GraphFileError, match="properties"):
        parse_graph_document(doc, "f.json")


def test_round_trip_is_byte_stable() -> None:
    g = parse_graph_document(json.loads(json.dumps(GOOD)), "f.json", into=None)
    first = json.dumps(graph_to_document(g))
    again = parse_graph_document(json.loads(first), "x")
    assert json.dumps(graph_to_document(again)) == first


def test_import_then_build_adds_custom_paths(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    f = tmp_path / "onprem.json"
    f.write_text(json.dumps(GOOD))
    assert invoke_cli("import", "graph", str(f), workspace=ws).code == 0
    assert invoke_cli("build", workspace=ws).code == 0
    res = invoke_cli("paths", "--format", "json", workspace=ws)
    assert [[n["id"] for n in p["nodes"]] for p in res.json()["paths"]] == [
        ["internet", "onprem:gpu-01", "onprem:model"]
    ]


def test_bad_file_changes_nothing(tmp_path: Path, demo_ws: Path) -> None:
    ws = tmp_path / "ws"
    good = tmp_path / "good.json"
    good.write_text(json.dumps(GOOD))
    assert invoke_cli("import", "graph", str(good), workspace=ws).code == 0
    before = tree_digest(ws)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(GOOD)[:-40])
    res = invoke_cli("import", "graph", str(good), str(bad), workspace=ws)
    assert res.code == 2
    assert f"{bad}: invalid JSON at line 1" in res.err and "Traceback" not in res.err
    assert tree_digest(ws) == before


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda kids: (
        st.lists(kids, max_size=3) | st.dictionaries(st.text(max_size=5), kids, max_size=3)
    ),
    max_leaves=12,
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    st.one_of(
        json_values,
        st.fixed_dictionaries(
            {
                "format": st.just("aispm-graph"),
                "version": st.just(1),
                "nodes": st.lists(
                    st.dictionaries(
                        st.sampled_from(["id", "kind", "name", "properties"]), json_values
                    ),
                    max_size=3,
                ),
                "edges": st.lists(
                    st.dictionaries(
                        st.sampled_from(["source", "target", "kind", "evidence", "confidence"]),
                        json_values,
                    ),
                    max_size=3,
                ),
            }
        ),
    )
)
def test_arbitrary_documents_never_crash(doc: Any) -> None:
    try:
        parse_graph_document(doc, "fuzz.json")
    except GraphFileError as exc:
        assert str(exc).startswith("fuzz.json")


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(max_size=64) | st.text(max_size=64).map(str.encode))
def test_hostile_bytes_through_the_cli_exit_2(tmp_path: Path, data: bytes) -> None:
    f = tmp_path / "hostile.json"
    f.write_bytes(data)
    ws = tmp_path / "ws-hostile"
    res = invoke_cli("import", "graph", str(f), workspace=ws)
    assert res.code == 2, res.err
    assert str(f) in res.err and "Traceback" not in res.err
    assert not (ws / "snapshots").exists()
