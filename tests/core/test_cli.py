"""Every core command and exit code, through the real entry point (in process; the
``python -m aispm_graph`` start-up itself in :func:`test_help_and_version`)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from tests.support.cli import invoke_cli, run_cli


def test_demo_prints_top_paths_counts_and_aibom(tmp_path: Path) -> None:
    res = invoke_cli("demo", workspace=tmp_path / "ws")
    assert res.code == 0, res.err
    assert "Top attack paths" in res.out
    assert "28 attack paths: 5 critical" in res.out
    assert res.out.count("AI-BOM:") == 1 and "shadow AI" in res.out


def test_paths_filters_and_gate(demo_ws: Path) -> None:
    res = invoke_cli("paths", "--format", "json", "--min-risk", "high", workspace=demo_ws)
    levels = {p["risk"]["level"] for p in res.json()["paths"]}
    assert levels <= {"critical", "high"} and res.json()["total_paths"] == 28
    top = invoke_cli("paths", "--format", "json", "--top", "2", workspace=demo_ws).json()
    assert len(top["paths"]) == 2
    kind = invoke_cli("paths", "--format", "json", "--target-kind", "AWSAccount", workspace=demo_ws)
    assert [p["nodes"][-1]["kind"] for p in kind.json()["paths"]] == ["AWSAccount"]
    admin = invoke_cli(
        "paths", "--format", "json", "--target-kind", "tenant_admin", workspace=demo_ws
    )
    assert {p["nodes"][-1]["kind"] for p in admin.json()["paths"]} == {"AWSAccount", "GCPProject"}
    gate = invoke_cli("paths", "--fail-on", "critical", workspace=demo_ws)
    assert gate.code == 1 and "5 attack path(s) at or above critical" in gate.err
    assert "attack paths" in gate.out  # results are printed before the gate fails
    assert invoke_cli("paths", "--max-hops", "1", "--fail-on", "high", workspace=demo_ws).code == 1
    assert (
        invoke_cli(
            "paths",
            "--max-hops",
            "2",
            "--target-kind",
            "BedrockCustomModel",
            "--fail-on",
            "low",
            workspace=demo_ws,
        ).code
        == 0
    )


def test_show_by_id_and_prefix(demo_ws: Path, demo_paths: dict) -> None:
    pid = demo_paths["paths"][1]["id"]
    res = invoke_cli("show", pid[:8], workspace=demo_ws)
    assert res.code == 0 and pid in res.out and "Remediation" in res.out
    assert "[breaks path]" in res.out
    js = invoke_cli("show", pid, "--format", "json", workspace=demo_ws).json()
    assert js["id"] == pid and js["edges"][0]["evidence"]
    missing = invoke_cli("show", "ap-nope", workspace=demo_ws)
    assert missing.code == 2 and "no attack path with id 'ap-nope'" in missing.err


def test_inventory(demo_ws: Path) -> None:
    inv = invoke_cli("inventory", "--format", "json", workspace=demo_ws).json()
    kinds = {i["kind"] for i in inv["items"] if not i["shadow_ai"]}
    assert {"AzureOpenAIDeployment", "BedrockCustomModel", "VertexAIEndpoint"} <= kinds
    shadow = {i["name"] for i in inv["items"] if i["shadow_ai"]}
    assert {"jupyter-ds-01", "gpu-inference-01"} <= shadow
    assert inv["summary"]["by_provider"]["azure"] >= 5
    table = invoke_cli("inventory", workspace=demo_ws)
    assert table.code == 0 and "AI bill of materials" in table.out


def test_export_json_and_graphml(demo_ws: Path, tmp_path: Path) -> None:
    out = tmp_path / "g.json"
    assert invoke_cli("export", "json", str(out), workspace=demo_ws).code == 0
    doc = json.loads(out.read_text())
    assert doc["format"] == "aispm-graph" and len(doc["nodes"]) > 300
    out2 = tmp_path / "g2.json"
    invoke_cli("export", "json", str(out2), workspace=demo_ws)
    assert out.read_bytes() == out2.read_bytes()
    gml = tmp_path / "g.graphml"
    assert invoke_cli("export", "graphml", str(gml), workspace=demo_ws).code == 0
    root = ET.parse(gml).getroot()
    assert root.tag.endswith("graphml")
    # the exported file imports back into a fresh workspace with the same paths
    ws2 = tmp_path / "ws2"
    assert invoke_cli("import", "graph", str(out), workspace=ws2).code == 0
    assert invoke_cli("build", workspace=ws2).code == 0
    again = invoke_cli("paths", "--format", "json", workspace=ws2).json()
    before = invoke_cli("paths", "--format", "json", workspace=demo_ws).json()
    assert [p["id"] for p in again["paths"]] == [p["id"] for p in before["paths"]]


def test_errors_exit_2_with_a_message(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    res = invoke_cli("paths", workspace=empty)
    assert res.code == 2 and "no built graph" in res.err and "Traceback" not in res.err
    res = invoke_cli("build", workspace=empty)
    assert res.code == 2 and "has no snapshot" in res.err
    res = invoke_cli("paths", "--min-risk", "severe", workspace=empty)
    assert res.code == 2 and "severe" in res.err
    res = invoke_cli("frobnicate")
    assert res.code == 2 and "No such command" in res.err
    res = invoke_cli("build", "--trusted-cidrs", "10.0.0.0/33", workspace=empty)
    assert res.code == 2


def test_trusted_cidrs_remove_exposure(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    assert invoke_cli("demo", workspace=ws).code == 0
    assert invoke_cli("build", "--trusted-cidrs", "0.0.0.0/0,::/0", workspace=ws).code == 0
    res = invoke_cli("paths", "--format", "json", workspace=ws).json()
    kinds = {p["edges"][0]["kind"] for p in res["paths"]}
    # What is left needs no network route: anonymous access, and content anyone can publish
    # into an agent's context (the demo's poisoned MCP tool description).
    assert kinds <= {"PUBLIC_ACCESS", "PROMPT_INJECTION"}


def test_help_and_version() -> None:
    res = run_cli("--help")
    assert res.code == 0
    for cmd in ("demo", "build", "paths", "show", "inventory", "import", "export", "collect"):
        assert cmd in res.out
    assert run_cli("--version").code == 0


def test_synth_builds_and_finds_paths(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    res = invoke_cli("synth", "--resources", "3000", workspace=ws)
    assert res.code == 0, res.err
    assert invoke_cli("build", workspace=ws).code == 0
    paths = invoke_cli("paths", "--format", "json", workspace=ws).json()
    assert paths["paths"] and not paths["truncated"]
    out = tmp_path / "s.json"
    assert invoke_cli("synth", "--resources", "1000", "-o", str(out), workspace=ws).code == 0
    assert json.loads(out.read_text())["format"] == "aispm-graph"
