"""The schema declares what graphs hold: node properties per kind, evidence keys and endpoint
labels per edge kind (issue 18, section 2).

Two nets catch an undeclared key: the audit of built graphs (``aispm_graph.schema.audit``; the
demo graph here must pass it with nothing undeclared), and strict graphs, on in every test
(``tests/conftest.py``), which refuse the key where it is written, so every fixture estate the
provider tests build (AWS through moto, Azure and GCP through their replay servers) is held to
the schema too, and a build that ends holding a key written in place fails."""

from __future__ import annotations

import ast
import json
import os
import string
import subprocess
import sys
from pathlib import Path

import pytest

from aispm_graph.build import BuildContext, build_graph, check_declared
from aispm_graph.graph.fileformat import parse_graph_document
from aispm_graph.graph.model import STRICT_ENV, Graph, SchemaError, UndeclaredKeyError
from aispm_graph.schema import EDGE_KINDS, EVIDENCE_KEYS, NODE_KINDS, node_kinds
from aispm_graph.schema.aibom_nodes import EXTRA_PROPS
from aispm_graph.schema.audit import audit, main
from aispm_graph.schema.nodes import NODE_KINDS as CORE_NODE_KINDS
from aispm_graph.schema.properties import KIND_PROPS
from aispm_graph.store import load_graph, save_graph
from aispm_graph.workspace import Workspace

BUCKET, ROLE = "arn:aws:s3:::b", "arn:aws:iam::1:role/r"


def _undeclared_graph() -> Graph:
    g = Graph(strict=False)
    g.add_node(BUCKET, "S3Bucket", "b", invented_flag=True)
    g.add_node(ROLE, "AWSRole", "r")
    g.add_edge(ROLE, BUCKET, "CAN_READ", {"made_up": "x"})
    # AUTHENTICATES_AS goes from a credential to an identity; a bucket is no credential.
    g.add_edge(BUCKET, ROLE, "AUTHENTICATES_AS", {"mechanism": "x"})
    return g


def test_audit_names_undeclared_property_evidence_key_and_endpoint() -> None:
    found = audit(_undeclared_graph()).keys()
    assert found == {
        "node S3Bucket.invented_flag",
        "evidence CAN_READ.made_up",
        "endpoint AUTHENTICATES_AS.source:S3Bucket",
    }


def test_demo_graph_holds_only_declared_keys(demo_ws: Path) -> None:
    graph, _meta = load_graph(Workspace(demo_ws).latest_built().graph_path)
    result = audit(graph)
    assert result.empty(), "\n".join(result.lines())


def test_audit_command_exits_0_on_the_demo_1_listing_gaps_and_2_on_unreadable_input(
    demo_ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(demo_ws)]) == 0
    assert "every node property, evidence key and edge endpoint is declared" in (
        capsys.readouterr().out
    )
    save_graph(_undeclared_graph(), tmp_path / "graph.json.gz")
    assert main([str(tmp_path / "graph.json.gz")]) == 1
    out = capsys.readouterr().out
    assert "S3Bucket.invented_flag  (e.g. arn:aws:s3:::b)" in out
    assert "CAN_READ.made_up" in out
    assert main([str(tmp_path / "missing")]) == 2
    assert "audit: " in capsys.readouterr().err


# -- strict graphs ------------------------------------------------------------------------------


def test_tests_run_with_strict_graphs() -> None:
    assert Graph().strict
    assert not Graph(strict=False).strict


def test_strict_graph_refuses_an_undeclared_property_where_it_is_written() -> None:
    g = Graph(strict=True)
    with pytest.raises(UndeclaredKeyError, match=r"S3Bucket.*invented_flag.*properties\.py"):
        g.add_node(BUCKET, "S3Bucket", "b", invented_flag=True)
    with pytest.raises(UndeclaredKeyError, match="invented_flag"):
        g.add_nodes_bulk([(BUCKET, "S3Bucket", "b", {"invented_flag": 1})])
    assert not g.has_node(BUCKET)
    # A declared property is fine, and a None value is not written, so not checked.
    g.add_node(BUCKET, "S3Bucket", "b", public_read=True, invented_flag=None)
    with pytest.raises(UndeclaredKeyError, match="invented_flag"):
        g.add_node(BUCKET, "S3Bucket", "b", invented_flag=True)  # merging into it, too
    assert "invented_flag" not in g.node(BUCKET)


def test_set_prop_is_the_checked_way_to_record_a_finding_on_a_node() -> None:
    g = Graph(strict=True)
    g.add_node(BUCKET, "S3Bucket", "b", public_read=True)
    g.update_props(BUCKET, data_role=["training"], public_read=None)
    assert g.node(BUCKET)["data_role"] == ["training"]
    assert "public_read" not in g.node(BUCKET)
    with pytest.raises(UndeclaredKeyError, match="invented_flag"):
        g.set_prop(BUCKET, "invented_flag", True)
    with pytest.raises(SchemaError, match="'kind' is reserved"):
        g.update_props(BUCKET, kind="AWSRole")
    assert g.node(BUCKET)["kind"] == "S3Bucket"


def test_strict_graph_refuses_undeclared_evidence_and_a_disallowed_endpoint() -> None:
    g = Graph(strict=True)
    g.add_node(BUCKET, "S3Bucket", "b")
    g.add_node(ROLE, "AWSRole", "r")
    with pytest.raises(UndeclaredKeyError, match=r"CAN_READ.*made_up.*evidence\.py"):
        g.add_edge(ROLE, BUCKET, "CAN_READ", {"made_up": "x"})
    with pytest.raises(UndeclaredKeyError, match="made_up"):
        g.add_edges_bulk([(ROLE, BUCKET, "CAN_READ", "confirmed", {"made_up": "x"})])
    with pytest.raises(UndeclaredKeyError, match="source is a S3Bucket, not one of Credential"):
        g.add_edge(BUCKET, ROLE, "AUTHENTICATES_AS", {"mechanism": "x"})
    assert g.edge_count == 0
    g.add_edge(ROLE, BUCKET, "CAN_READ", {"permission": "s3:GetObject", "grant": "p"})
    assert g.edge(ROLE, BUCKET, "CAN_READ") is not None


def test_a_user_graph_file_keeps_its_own_properties_in_a_strict_graph() -> None:
    doc = {
        "format": "aispm-graph",
        "version": 1,
        "nodes": [
            {"id": "svc", "kind": "CustomAIService", "name": "svc", "properties": {"team": "x"}}
        ],
        "edges": [],
    }
    g = parse_graph_document(json.loads(json.dumps(doc)), "user.json", into=Graph(strict=True))
    assert g.node("svc")["team"] == "x"
    assert g.strict  # only the load was lenient


def test_a_strict_build_fails_on_a_key_written_in_place() -> None:
    """Derivers that edit a node's dict bypass ``add_node``: the end-of-build audit sees it."""
    graph = build_graph([], BuildContext())
    assert graph.strict and audit(graph).empty()
    graph.node("internet")["invented"] = 1
    with pytest.raises(UndeclaredKeyError, match=r"Internet\.invented"):
        check_declared(graph)


def test_production_graphs_are_not_strict() -> None:
    env = {**os.environ, STRICT_ENV: ""}
    code = "from aispm_graph.graph.model import Graph; print(Graph().strict)"
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"


# -- the declarations themselves -----------------------------------------------------------------


def test_every_evidence_key_an_edge_kind_lists_is_in_the_vocabulary() -> None:
    missing = {
        f"{e.name}.{key}" for e in EDGE_KINDS for key in e.evidence_keys if key not in EVIDENCE_KEYS
    }
    assert not missing, "declare in aispm_graph/schema/evidence.py: " + ", ".join(sorted(missing))


def test_remediation_templates_name_only_evidence_their_edge_declares() -> None:
    ends = {"source", "target", "source_id", "target_id"}
    wrong = set()
    for e in EDGE_KINDS:
        for _text, field, _spec, _conv in string.Formatter().parse(e.remediation):
            if field and field not in ends and field not in e.evidence_keys:
                wrong.add(f"{e.name}.{field}")
    assert not wrong, sorted(wrong)


def test_declarations_name_real_kinds_and_no_kind_declares_a_property_twice() -> None:
    kinds = node_kinds()
    assert not set(KIND_PROPS) - set(kinds), sorted(set(KIND_PROPS) - set(kinds))
    twice = set()
    for core in CORE_NODE_KINDS:
        names = [p.name for p in core.props]
        names += [p.name for p in EXTRA_PROPS.get(core.name, ())]
        names += [p.name for p in KIND_PROPS.get(core.name, ())]
        twice |= {f"{core.name}.{n}" for n in names if names.count(n) > 1}
    assert not twice, "declared twice (keep one): " + ", ".join(sorted(twice))


def test_every_property_and_evidence_key_has_a_description() -> None:
    thin = {f"{k.name}.{p.name}" for k in NODE_KINDS for p in k.props if len(p.doc.split()) < 2}
    thin |= {f"evidence {k.name}" for k in EVIDENCE_KEYS.values() if len(k.doc.split()) < 2}
    assert not thin, sorted(thin)


def test_no_kind_or_edge_is_listed_twice_in_the_declaration_tables() -> None:
    """A repeated key in a dict literal silently drops the first entry's declarations."""
    schema = Path(__file__).resolve().parents[2] / "aispm_graph" / "schema"
    repeated = []
    for name in ("properties.py", "evidence.py", "aibom_nodes.py"):
        tree = ast.parse((schema / name).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Dict):
                keys = [k.value for k in node.keys if isinstance(k, ast.Constant)]
                repeated += [f"{name}: {k}" for k in set(keys) if keys.count(k) > 1]
    assert not repeated, repeated
