"""Outputs of a graph holding values no strict writer accepts as they are.

Importers now refuse NaN, Infinity and oversized numbers, but a collector's SDK parses provider
JSON leniently, so a built graph can still hold them, and control characters in evidence or
properties. Each output must still parse with a strict parser and keep the value exactly
where its format can carry it.
"""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from aispm_graph.graph.model import Graph
from aispm_graph.report.csvout import to_csv
from aispm_graph.store import save_graph
from aispm_graph.workspace import Workspace
from tests.hostile.support import cli


def _strict(text: str) -> object:
    def refuse(name: str) -> object:
        raise ValueError(f"{name} is not JSON")

    return json.loads(text, parse_constant=refuse)


@pytest.fixture
def odd_ws(tmp_path: Path) -> Path:
    """A workspace whose built graph holds NaN, Infinity, 10**26 and control characters."""
    g = Graph(strict=False)  # properties of the user's own, as an imported graph file may hold
    g.ensure_internet()
    g.add_node(
        "host-1",
        "CustomCompute",
        "host\x01\x0b\x1b[31m one",
        load=math.nan,
        limit=math.inf,
        floor=-math.inf,
        big=10**26,
        huge=-(10**40),
        note="bell\x07 \ufffe",
    )
    g.add_node("model-1", "CustomAIModel", "model \x00 two", score=math.nan)
    g.add_edge(
        "internet", "host-1", "INTERNET_EXPOSED", evidence={"ports": "\x1b\x02", "w": math.nan}
    )
    g.add_edge("host-1", "model-1", "INVOKES", evidence={"mechanism": "x\x1f"})
    ws = Workspace(tmp_path / "ws")
    snap = ws.new_snapshot()
    save_graph(g, snap.graph_path, meta={"snapshot": snap.id})
    return ws.root


def test_json_outputs_are_strict_json(odd_ws: Path) -> None:
    doc = _strict(cli("export", "json", "-", workspace=odd_ws).out)
    assert isinstance(doc, dict)
    host = next(n for n in doc["nodes"] if n["id"] == "host-1")
    assert host["properties"]["load"] is None and host["properties"]["limit"] is None
    assert host["properties"]["big"] == 10**26  # exact, not clamped
    for fmt in ("ocsf", "sarif", "json"):
        res = cli("report", "--format", fmt, workspace=odd_ws)
        assert res.code == 0, res.err
        _strict(res.out)
    for args in (("paths", "--format", "json"), ("inventory", "--format", "json")):
        res = cli(*args, workspace=odd_ws)
        assert res.code == 0, res.err
        _strict(res.out)


def test_graphml_is_well_formed_xml(odd_ws: Path, tmp_path: Path) -> None:
    out = tmp_path / "g.graphml"
    res = cli("export", "graphml", str(out), workspace=odd_ws)
    assert res.code == 0, res.err
    root = ET.fromstring(out.read_bytes())
    text = ET.tostring(root, encoding="unicode")
    assert "\\u001b" in text and "\\u0007" in text  # shown, not dropped
    assert "100000000000000000000000000" in text


def test_markdown_keeps_fix_text_on_its_line(odd_ws: Path) -> None:
    from markdown_it import MarkdownIt

    res = cli("report", "--format", "md", workspace=odd_ws)
    assert res.code == 0, res.err
    tokens = MarkdownIt("commonmark").enable("table").parse(res.out)
    assert not [t for t in tokens if t.type in {"html_block"}]


def test_csv_list_cells_cannot_start_a_formula_after_the_separator() -> None:
    text = to_csv(("paths",), [(["ap-1", '=HYPERLINK("http://evil")', " +1+1", "@SUM(A1)"],)])
    cell = text.splitlines()[1]
    for part in cell.strip('"').split(";"):
        assert not part.lstrip().startswith(("=", "+", "@")), cell


def test_falkordb_export_keeps_big_and_non_finite_numbers(odd_ws: Path, falkordb_url: str) -> None:
    from aispm_graph.cypher.backends import open_falkordb
    from aispm_graph.cypher.writer import unflatten_props

    res = cli(
        "export", "falkordb", "--url", falkordb_url, "--graph", "odd_numbers", workspace=odd_ws
    )
    assert res.code == 0, res.err
    conn = open_falkordb(falkordb_url, "odd_numbers")
    try:
        rows = conn.run("MATCH (n {id: $id}) RETURN properties(n) AS p", {"id": "host-1"})
        props = unflatten_props(dict(rows[0]["p"]))
    finally:
        conn.delete_graph()
        conn.close()
    assert props["big"] == 10**26 and props["huge"] == -(10**40)
    assert math.isnan(props["load"]) and props["limit"] == math.inf


def test_lone_surrogates_from_a_collector_are_replaced_when_stored(tmp_path: Path) -> None:
    from aispm_graph.workspace import Document

    ws = Workspace(tmp_path / "ws")
    doc = {
        "format": "aispm-graph",
        "version": 1,
        "nodes": [{"id": "n\ud800", "kind": "CustomAIModel", "name": "model \udfff"}],
    }
    ws.open_for_write().put_source("graph", "s", [Document("graph", "s", "k", doc)])
    assert cli("build", workspace=ws.root).code == 0
    res = cli("export", "json", "-", workspace=ws.root)
    assert res.code == 0, res.err
    node = next(n for n in json.loads(res.out)["nodes"] if n["kind"] == "CustomAIModel")
    assert node["id"] == "n\ufffd" and node["name"] == "model \ufffd"
    res = cli("inventory", "--format", "json", workspace=ws.root)
    assert res.code == 0 and "model \ufffd" in json.dumps(json.loads(res.out), ensure_ascii=False)
