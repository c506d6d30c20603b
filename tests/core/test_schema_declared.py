"""The schema declares what graphs hold: node properties per kind, evidence keys and endpoint
labels per edge kind (``aispm_graph.schema.audit``).

Not every key is declared yet (issue 18, section 2), so the demo graph is checked against a
recorded list of known gaps: a NEW undeclared key fails, naming it and where to declare it, and a
gap closed by a declaration must be removed from the list (so the list only shrinks)."""

from __future__ import annotations

from pathlib import Path

import pytest

from aispm_graph.graph.model import Graph
from aispm_graph.schema.audit import audit, main
from aispm_graph.store import load_graph
from aispm_graph.workspace import Workspace

BASELINE = Path(__file__).with_name("schema_undeclared_baseline.txt")


def _baseline() -> set[str]:
    lines = BASELINE.read_text(encoding="utf-8").splitlines()
    return {line for line in lines if line and not line.startswith("#")}


def test_audit_names_undeclared_property_evidence_key_and_endpoint() -> None:
    g = Graph()
    g.add_node("arn:aws:s3:::b", "S3Bucket", "b", invented_flag=True)
    g.add_node("arn:aws:iam::1:role/r", "AWSRole", "r")
    g.add_edge("arn:aws:iam::1:role/r", "arn:aws:s3:::b", "CAN_READ", {"made_up": "x"})
    # HAS_IDENTITY goes from compute to an identity; a bucket is not compute.
    g.add_edge("arn:aws:s3:::b", "arn:aws:iam::1:role/r", "HAS_IDENTITY", {"mechanism": "x"})
    found = audit(g).keys()
    assert "node S3Bucket.invented_flag" in found
    assert "evidence CAN_READ.made_up" in found
    assert "endpoint HAS_IDENTITY.source:S3Bucket" in found
    assert not any(k.startswith(("node AWSRole.", "evidence HAS_IDENTITY.")) for k in found)


def test_audit_command_exits_1_listing_gaps_and_2_on_unreadable_input(
    demo_ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(demo_ws)]) == 1
    out = capsys.readouterr().out
    assert "undeclared node properties, declare in aispm_graph/schema/nodes.py" in out
    assert main([str(tmp_path / "missing")]) == 2
    assert "audit: " in capsys.readouterr().err


def test_demo_graph_adds_no_undeclared_key(demo_ws: Path) -> None:
    graph, _meta = load_graph(Workspace(demo_ws).latest_built().graph_path)
    found = audit(graph).keys()
    new = sorted(found - _baseline())
    assert not new, (
        "undeclared keys on the demo graph; declare node properties in "
        "aispm_graph/schema/nodes.py (props=...), evidence keys and endpoint labels in "
        "aispm_graph/schema/edges.py (python -m aispm_graph.schema.audit WORKSPACE lists them):\n"
        + "\n".join(f"  {k}" for k in new)
    )
    closed = sorted(_baseline() - found)
    assert not closed, f"now declared, remove from {BASELINE.name}:\n" + "\n".join(
        f"  {k}" for k in closed
    )
