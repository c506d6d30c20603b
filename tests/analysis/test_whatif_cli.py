"""`aispm whatif` through the real CLI: re-runs the engine, never writes the workspace."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from tests.support.cli import invoke_cli


def _tree(ws: Path) -> dict[str, str]:
    return {
        str(p.relative_to(ws)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(ws.rglob("*"))
        if p.is_file()
    }


def _fixes(demo_paths: dict[str, Any]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for p in demo_paths["paths"]:
        for r in p["remediation"]:
            out.setdefault(r["id"], set()).add(p["id"])
    return out


def test_top_choke_point_closes_what_it_claims_and_workspace_is_untouched(
    demo_ws: Path, demo_paths: dict[str, Any]
) -> None:
    chk = invoke_cli("chokepoints", "--format", "json", workspace=demo_ws)
    assert chk.code == 0, chk.err
    top = chk.json()["fixes"][0]
    before = _tree(demo_ws)
    res = invoke_cli("whatif", "--fix", top["id"], "--format", "json", workspace=demo_ws)
    assert res.code == 0, res.err
    assert _tree(demo_ws) == before
    report = res.json()
    assert {p["id"] for p in report["closed"]} == set(top["closes"])
    all_ids = {p["id"] for p in demo_paths["paths"]}
    assert {p["id"] for p in report["remaining"]} == all_ids - set(top["closes"])
    assert report["before"]["total_score"] == sum(p["risk"]["score"] for p in demo_paths["paths"])
    assert report["after"]["total_score"] == report["before"]["total_score"] - top["risk_removed"]


def test_minimum_set_breaks_every_critical_and_high_path(demo_ws: Path) -> None:
    chk = invoke_cli("chokepoints", "--format", "json", workspace=demo_ws).json()
    args = [a for fid in chk["minimum_set"] for a in ("--fix", fid)]
    res = invoke_cli("whatif", *args, "--format", "json", workspace=demo_ws)
    assert res.code == 0, res.err
    after = res.json()["after"]["by_level"]
    assert after["critical"] == 0 and after["high"] == 0


def test_bypass_hop_is_named(demo_ws: Path, demo_paths: dict[str, Any]) -> None:
    # Closing the gpt-4o deployment hop leaves the account reachable: the SERVES hop to the
    # embedding model stays; removing the OpenAI role grant closes every path through it.
    gpt = next(p for p in demo_paths["paths"] if p["target"].endswith("/deployments/gpt-4o-prod"))
    by_edge = {r["edge"]: r["id"] for r in gpt["remediation"] if r["breaks_path"]}
    assert gpt["edges"][3]["kind"] == "SERVES"
    res = invoke_cli("whatif", "--fix", by_edge[3], "--format", "json", workspace=demo_ws).json()
    assert [p["id"] for p in res["closed"]] == [gpt["id"]]
    assert res["opened"] == []
    # Remove the identity's grant on the account: every path over that hop closes.
    hop = (gpt["edges"][2]["source"], gpt["edges"][2]["target"])
    over_hop = {
        p["id"]
        for p in demo_paths["paths"]
        if any((e["source"], e["target"]) == hop for e in p["edges"])
    }
    assert len(over_hop) >= 2
    res = invoke_cli("whatif", "--fix", by_edge[2], "--format", "json", workspace=demo_ws).json()
    assert {p["id"] for p in res["closed"]} == over_hop


def test_remove_edge_shows_the_hop_that_now_carries_the_path(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    g = {
        "format": "aispm-graph",
        "version": 1,
        "nodes": [
            {"id": "vm", "kind": "CustomCompute", "name": "vm", "properties": {}},
            {"id": "r1", "kind": "AWSRole", "name": "r1", "properties": {}},
            {"id": "r2", "kind": "AWSRole", "name": "r2", "properties": {}},
            {"id": "m", "kind": "CustomAIModel", "name": "m", "properties": {}},
        ],
        "edges": [
            {
                "source": "internet",
                "target": "vm",
                "kind": "INTERNET_EXPOSED",
                "evidence": {"exposure_width": "any", "ports": "tcp/22"},
            },
            {"source": "vm", "target": "r1", "kind": "HAS_IDENTITY", "evidence": {}},
            {"source": "vm", "target": "r2", "kind": "HAS_IDENTITY", "evidence": {}},
            {"source": "r1", "target": "m", "kind": "CAN_INVOKE", "evidence": {"permission": "a"}},
            {"source": "r2", "target": "m", "kind": "CAN_INVOKE", "evidence": {"permission": "b"}},
        ],
    }
    f = tmp_path / "g.json"
    import json

    f.write_text(json.dumps(g))
    assert invoke_cli("import", "graph", str(f), workspace=ws).code == 0
    assert invoke_cli("build", workspace=ws).code == 0
    res = invoke_cli(
        "whatif", "--remove-edge", "vm", "HAS_IDENTITY", "r1", "--format", "json", workspace=ws
    )
    assert res.code == 0, res.err
    rep = res.json()
    assert [p["route"] for p in rep["closed"]] == [["internet", "vm", "r1", "m"]]
    (rem,) = rep["remaining"]
    assert rem["route"] == ["internet", "vm", "r2", "m"]
    assert (rem["bypass"]["source"], rem["bypass"]["kind"], rem["bypass"]["target"]) == (
        "vm",
        "HAS_IDENTITY",
        "r2",
    )
    table = invoke_cli("whatif", "--remove-node", "r1", workspace=ws)
    assert table.code == 0
    assert "now carried by hop 2: vm -[HAS_IDENTITY]-> r2" in table.out


def test_bad_fix_edge_and_node_are_usage_errors(demo_ws: Path) -> None:
    res = invoke_cli("whatif", "--fix", "fx-0000000000", workspace=demo_ws)
    assert res.code == 2 and "fx-0000000000" in res.err and "Traceback" not in res.err
    res = invoke_cli("whatif", "--remove-edge", "a", "CAN_READ", "b", workspace=demo_ws)
    assert res.code == 2 and "no edge a -[CAN_READ]-> b" in res.err
    res = invoke_cli("whatif", "--remove-edge", "a", "NOPE", "b", workspace=demo_ws)
    assert res.code == 2 and "NOPE" in res.err
    res = invoke_cli("whatif", "--remove-node", "ghost", workspace=demo_ws)
    assert res.code == 2 and "ghost" in res.err
    res = invoke_cli("whatif", workspace=demo_ws)
    assert res.code == 2


def test_risk_lowering_fix_changes_scores_not_paths(
    demo_ws: Path, demo_paths: dict[str, Any]
) -> None:
    imds = next(
        r["id"] for p in demo_paths["paths"] for r in p["remediation"] if "IMDSv2" in r["action"]
    )
    rep = invoke_cli("whatif", "--fix", imds, "--format", "json", workspace=demo_ws).json()
    assert rep["closed"] == []
    assert rep["changed"] and all(c["score"] < c["old_score"] for c in rep["changed"])
    assert rep["after"]["paths"] == rep["before"]["paths"]
