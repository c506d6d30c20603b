"""`aispm diff` between two hand-made snapshots reports exactly what was inserted and removed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.support.cli import invoke_cli


def _estate(extra_bucket: bool, keep_model_grant: bool, rce: bool) -> dict[str, Any]:
    nodes = [
        {
            "id": "vm",
            "kind": "CustomCompute",
            "name": "vm",
            "properties": {"vuln_factors": ["rce"] if rce else []},
        },
        {"id": "role", "kind": "AWSRole", "name": "role", "properties": {}},
        {"id": "model", "kind": "CustomAIModel", "name": "model", "properties": {}},
        {
            "id": "data",
            "kind": "CustomDataStore",
            "name": "data",
            "properties": {"data_role": ["training"]},
        },
    ]
    edges = [
        {
            "source": "internet",
            "target": "vm",
            "kind": "INTERNET_EXPOSED",
            "evidence": {"exposure_width": "any", "ports": "tcp/443", "port_classes": ["web"]},
        },
        {"source": "vm", "target": "role", "kind": "HAS_IDENTITY", "evidence": {}},
        {"source": "role", "target": "data", "kind": "CAN_READ", "evidence": {"permission": "r"}},
    ]
    if keep_model_grant:
        edges.append(
            {
                "source": "role",
                "target": "model",
                "kind": "CAN_INVOKE",
                "evidence": {"permission": "invoke"},
            }
        )
    if extra_bucket:
        nodes.append(
            {
                "id": "pub",
                "kind": "CustomDataStore",
                "name": "pub",
                "properties": {"data_role": ["grounding"]},
            }
        )
        nodes.append(
            {
                "id": "svc",
                "kind": "CustomAIService",
                "name": "new-llm",
                "properties": {"vendor": "x"},
            }
        )
        edges.append(
            {
                "source": "internet",
                "target": "pub",
                "kind": "PUBLIC_ACCESS",
                "evidence": {"grant": "anyone"},
            }
        )
    return {"format": "aispm-graph", "version": 1, "nodes": nodes, "edges": edges}


def _snapshot(ws: Path, f: Path, doc: dict[str, Any]) -> None:
    f.write_text(json.dumps(doc))
    assert invoke_cli("import", "graph", str(f), workspace=ws).code == 0
    res = invoke_cli("build", workspace=ws)
    assert res.code == 0, res.err


def _paths(ws: Path, snap: str) -> dict[str, list[str]]:
    res = invoke_cli("paths", "--snapshot", snap, "--format", "json", workspace=ws).json()
    return {p["id"]: [n["id"] for n in p["nodes"]] for p in res["paths"]}


def test_diff_reports_exactly_inserted_removed_and_changed(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    f = tmp_path / "estate.json"  # same file re-imported: replaces its part of the snapshot
    one = invoke_cli("diff", workspace=ws)
    assert one.code == 2
    _snapshot(ws, f, _estate(extra_bucket=False, keep_model_grant=True, rce=False))
    one = invoke_cli("diff", workspace=ws)
    assert one.code == 2 and "two built snapshots" in one.err
    _snapshot(ws, f, _estate(extra_bucket=True, keep_model_grant=False, rce=True))
    snaps = sorted(p.name for p in (ws / "snapshots").iterdir())
    old, new = _paths(ws, snaps[0]), _paths(ws, snaps[1])
    res = invoke_cli("diff", "--format", "json", workspace=ws)
    assert res.code == 0, res.err
    rep = res.json()
    assert (rep["old"], rep["new"]) == (snaps[0], snaps[1])
    assert {p["id"] for p in rep["new_paths"]} == set(new) - set(old)
    assert {tuple(new[p["id"]]) for p in rep["new_paths"]} == {("internet", "pub")}
    assert {tuple(old[p["id"]]) for p in rep["closed_paths"]} == {
        ("internet", "vm", "role", "model")
    }
    (changed,) = rep["changed_paths"]
    assert new[changed["id"]] == ["internet", "vm", "role", "data"]
    assert changed["score"] > changed["old_score"]
    assert {a["id"] for a in rep["new_ai_assets"]} == {"svc"}
    assert {(e["target"], e["edge"]) for e in rep["new_exposures"]} == {("pub", "PUBLIC_ACCESS")}

    # Explicit ids, reversed: the new path becomes a closed one.
    rev = invoke_cli("diff", snaps[1], snaps[0], "--format", "json", workspace=ws).json()
    assert {p["id"] for p in rev["closed_paths"]} == {p["id"] for p in rep["new_paths"]}

    gate = invoke_cli("diff", "--fail-on-new", "high", workspace=ws)
    assert gate.code == 1, gate.out + gate.err
    assert "New attack paths (1)" in gate.out
    # Reversed, the only new path is the (lower-risk) model path: below the gate.
    quiet = invoke_cli("diff", snaps[1], snaps[0], "--fail-on-new", "critical", workspace=ws)
    assert quiet.code == 0
    bad = invoke_cli("diff", "nope", workspace=ws)
    assert bad.code == 2 and "nope" in bad.err
