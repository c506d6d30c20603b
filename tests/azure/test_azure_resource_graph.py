"""``aispm import azure-resource-graph``: az graph query JSON into the same transform."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aispm_graph.build import BuildContext, build_graph
from aispm_graph.demo import DEMO_SUBSCRIPTION, demo_documents
from aispm_graph.providers.azure.resource_graph import ResourceGraphError, parse_resource_graph
from aispm_graph.schema import attack_edge_kinds
from aispm_graph.workspace import Document, Workspace
from tests.support.cli import run_cli

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def arg_row(body: dict[str, Any]) -> dict[str, Any]:
    """A Resource Graph row: lower-cased type, resourceGroup and subscriptionId columns added."""
    rid = body["id"]
    parts = rid.split("/")
    row = dict(body)
    row["type"] = str(body.get("type", "")).lower()
    row["subscriptionId"] = parts[2] if len(parts) > 2 else ""
    if "resourceGroups" in parts or "resourcegroups" in parts:
        i = [p.lower() for p in parts].index("resourcegroups")
        row["resourceGroup"] = parts[i + 1].lower()
    return row


def attack_edges(docs: list[Document]) -> set[tuple[str, str, str]]:
    graph = build_graph(docs, BuildContext())
    steps = attack_edge_kinds()
    return {(s, d["kind"], t) for s, t, d in graph.edges() if d["kind"] in steps}


def test_resource_graph_export_builds_the_same_attack_graph(tmp_path: Path) -> None:
    demo = demo_documents("azure")
    rows = [arg_row(d.body) for d in demo]
    export = tmp_path / "arg.json"
    export.write_text(
        json.dumps(
            {"count": len(rows), "data": rows, "skip_token": None, "total_records": len(rows)}
        )
    )
    ws = tmp_path / "ws"
    proc = run_cli("-w", str(ws), "import", "azure-resource-graph", str(export))
    assert proc.code == 0, proc.err
    snap = Workspace(ws).current()
    assert snap is not None
    imported = list(snap.documents())
    assert len(imported) == len(demo)
    assert {d.source for d in imported} == {"azure"}
    assert attack_edges(imported) == attack_edges(demo)


def test_bare_list_output_of_older_cli_is_accepted(tmp_path: Path) -> None:
    rows = [arg_row(d.body) for d in demo_documents("azure")][:5]
    export = tmp_path / "old.json"
    export.write_text(json.dumps(rows))
    docs, warnings = parse_resource_graph(export, "s")
    assert len(docs) == 5 and warnings == []


def test_bad_rows_are_skipped_with_a_warning_naming_row_and_field(tmp_path: Path) -> None:
    rows: list[Any] = [arg_row(d.body) for d in demo_documents("azure")][:3]
    rows.insert(1, {"name": "no id"})
    rows.insert(2, "not an object")
    rows.append({"id": "/subscriptions/x/resourceGroups/r/providers/A.B/c/d", "properties": [1]})
    export = tmp_path / "mixed.json"
    export.write_text(json.dumps({"data": rows}))
    proc = run_cli("-w", str(tmp_path / "ws"), "import", "azure-resource-graph", str(export))
    assert proc.code == 0, proc.err
    assert "mixed.json: row 1: field 'id'" in proc.err
    assert "mixed.json: row 2: not an object" in proc.err
    assert "mixed.json: row 5: field 'properties'" in proc.err
    snap = Workspace(tmp_path / "ws").current()
    assert snap is not None and len(list(snap.documents())) == 3


def test_unusable_files_exit_2_naming_the_file(tmp_path: Path) -> None:
    cases = {
        "trunc.json": '{"data": [{"id": "/subscriptions/',
        "table.json": json.dumps({"data": {"columns": [], "rows": []}}),
        "other.json": json.dumps({"value": []}),
    }
    for name, text in cases.items():
        path = tmp_path / name
        path.write_text(text)
        proc = run_cli("-w", str(tmp_path / "ws"), "import", "azure-resource-graph", str(path))
        assert proc.code == 2, name
        assert name in proc.err and "Traceback" not in proc.err
    proc = run_cli(
        "-w", str(tmp_path / "ws"), "import", "azure-resource-graph", str(tmp_path / "nope.json")
    )
    assert proc.code == 2 and "no such file" in proc.err


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=json_values)
def test_hostile_exports_fail_cleanly(tmp_path_factory: Any, data: Any) -> None:
    path = tmp_path_factory.mktemp("h") / "x.json"
    path.write_text(json.dumps(data))
    try:
        docs, _warnings = parse_resource_graph(path, "s")
    except ResourceGraphError:
        return
    build_graph(docs, BuildContext())  # whatever parsed must build without raising


FIELDS = st.sampled_from(["properties", "identity", "sku", "kind", "tags", "location", "name"])


@settings(max_examples=40, deadline=None)
@given(
    index=st.integers(min_value=0, max_value=10_000),
    field=FIELDS,
    value=json_values,
    inner=st.booleans(),
)
def test_transform_survives_corrupted_fields(
    index: int, field: str, value: Any, inner: bool
) -> None:
    docs = demo_documents("azure")
    victim = docs[index % len(docs)]
    body = json.loads(json.dumps(victim.body))
    if inner and isinstance(body.get("properties"), dict) and body["properties"]:
        key = sorted(body["properties"])[index % len(body["properties"])]
        body["properties"][key] = value
    else:
        body[field] = value
    docs[index % len(docs)] = Document("azure", DEMO_SUBSCRIPTION, victim.key, body)
    ctx = BuildContext()
    build_graph(docs, ctx)  # must not raise: bad records become warnings
