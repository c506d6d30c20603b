"""`aispm import mcp` end to end: the real CLI on client configuration files, then build,
paths, show, recommendations and diff as a user runs them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import zstandard

from tests.support.cli import REPO, invoke_cli

FIX = REPO / "fixtures" / "mcp"
TOKEN = "ghp_EXAMPLEexample0123456789abcdefABCD"


def _import(ws: Path, *args: str) -> Any:
    res = invoke_cli("import", "mcp", *args, workspace=ws)
    assert res.code == 0, res.err
    return res


def _cursor(ws: Path, tools: str = "daily-facts.tools.json") -> None:
    _import(
        ws,
        str(FIX / ".cursor" / "mcp.json"),
        "--tools",
        f"daily-facts={FIX / tools}",
        "--tools",
        f"github={FIX / 'github.tools.json'}",
    )
    assert invoke_cli("build", workspace=ws).code == 0


def _paths(ws: Path) -> list[dict[str, Any]]:
    res = invoke_cli("paths", "--format", "json", workspace=ws)
    assert res.code == 0, res.err
    paths: list[dict[str, Any]] = res.json()["paths"]
    return paths


def _names(path: dict[str, Any]) -> tuple[str, ...]:
    return tuple(n["name"] for n in path["nodes"])


def test_poisoned_tool_steers_the_client_to_the_other_servers_credentials(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    _cursor(ws)
    paths = _paths(ws)
    client = "Cursor .cursor/mcp.json"
    assert {_names(p) for p in paths} == {
        ("Internet", client),
        ("Internet", client, "github", "GITHUB_PERSONAL_ACCESS_TOKEN (github)"),
        ("Internet", client, "docs", "Authorization (docs)"),
    }
    token_path = next(p for p in paths if p["nodes"][-1]["name"].startswith("GITHUB"))
    assert [e["kind"] for e in token_path["edges"]] == ["PROMPT_INJECTION", "USES_TOOL", "RUNS_AS"]
    inj = token_path["edges"][0]
    assert inj["confidence"] == "inferred"
    assert inj["evidence"]["content_kind"] == "MCP tool description"
    assert inj["evidence"]["content"].endswith("#daily-facts/tools/get_fact_of_the_day")
    assert {p.split(":")[0] for p in inj["evidence"]["patterns"]} >= {
        "hidden-instructions",
        "file-read",
        "exfiltration",
        "shadowing",
    }
    factors = {f["name"]: f["detail"] for f in token_path["risk"]["factors"]}
    assert "indirect prompt injection" in factors["confidence"]
    assert "MCP tool description" in factors["exposure"]
    assert "through agent" not in token_path["title"]  # the agent is the first hop already
    assert token_path["title"].startswith(f"Internet via {client} can read AI secret")


def test_show_lists_the_agent_indicators_with_evidence(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    _cursor(ws)
    pid = next(p["id"] for p in _paths(ws) if p["nodes"][-1]["name"].startswith("GITHUB"))
    res = invoke_cli("show", pid, "--format", "json", workspace=ws)
    assert res.code == 0, res.err
    (agent,) = res.json()["agents"]
    assert set(agent["indicators"]) == {"prompt-injection", "cross-tenant"}
    assert any("acting tools: github" in e for e in agent["indicators"]["prompt-injection"])
    assert any("mcp.example.com" in e for e in agent["indicators"]["cross-tenant"])
    table = invoke_cli("show", pid, workspace=ws)
    assert "indirect prompt-injection exposure" in table.out
    assert "Cursor" in table.out


def test_no_value_of_a_secret_is_stored_anywhere(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    _cursor(ws)
    blobs = []
    for f in ws.rglob("*"):
        if f.is_file():
            raw = f.read_bytes()
            if f.suffix == ".zst":
                raw = zstandard.ZstdDecompressor().decompress(raw, max_output_size=1 << 28)
            blobs.append(raw)
    joined = b"\n".join(blobs)
    assert TOKEN.encode() not in joined
    assert b"api_key=abc" not in joined
    assert b"GITHUB_PERSONAL_ACCESS_TOKEN" in joined  # the name is kept


def test_recommendations_name_the_variable_not_the_value(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    _cursor(ws)
    res = invoke_cli("recommendations", "--format", "json", workspace=ws)
    assert res.code == 0, res.err
    found = {(f["check"], f["name"]) for f in res.json()["findings"]}
    assert found == {
        ("AGENT-001", "Cursor .cursor/mcp.json"),
        ("AGENT-005", "Cursor .cursor/mcp.json"),
        ("MCP-001", "daily-facts"),
        ("MCP-002", "GITHUB_PERSONAL_ACCESS_TOKEN (github)"),
        ("MCP-003", "get_fact_of_the_day"),
        ("MCP-004", "docs"),
    }
    assert TOKEN not in res.out


def test_diff_reports_a_tool_whose_description_changed(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    clean = tmp_path / "clean.tools.json"
    doc = json.loads((FIX / "daily-facts.tools.json").read_text())
    doc["result"]["tools"][0]["description"] = "Get a random fact of the day."
    doc["result"]["tools"][0]["inputSchema"] = {"type": "object", "properties": {}}
    clean.write_text(json.dumps(doc))
    _cursor(ws, tools=str(clean))
    before = {_names(p) for p in _paths(ws)}
    assert before == set()  # nothing steers the client yet
    _cursor(ws)
    res = invoke_cli("diff", "--format", "json", workspace=ws)
    assert res.code == 0, res.err
    report = res.json()
    (change,) = report["changed_tools"]
    assert change["name"] == "get_fact_of_the_day"
    assert change["server"] == "daily-facts"
    assert any(p.startswith("hidden-instructions") for p in change["poisoning"])
    assert len(report["new_paths"]) == 3
    table = invoke_cli("diff", workspace=ws)
    assert "possible rug pull" in table.out


def test_each_client_format_is_detected_and_named(tmp_path: Path) -> None:
    cases = {
        "claude/claude_desktop_config.json": (
            {"mcpServers": {"fs": {"command": "npx", "args": ["-y", "srv@1.0.0"]}}},
            "Claude Desktop",
        ),
        "proj/.mcp.json": (
            {"mcpServers": {"api": {"type": "http", "url": "https://api.example.com/mcp"}}},
            "Claude Code (.mcp.json)",
        ),
        "home/.codeium/windsurf/mcp_config.json": (
            {"mcpServers": {"w": {"serverUrl": "https://w.example.com/sse"}}},
            "Windsurf",
        ),
        "home/.cursor/mcp.json": (
            {"mcpServers": {"c": {"command": "uvx", "args": ["mcp-server-git==0.6.2"]}}},
            "Cursor",
        ),
    }
    for rel, (doc, label) in cases.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(doc))
        res = _import(tmp_path / "ws", str(path))
        assert f"{label} configuration" in res.err, res.err
    vscode = tmp_path / "proj" / ".vscode" / "mcp.json"
    vscode.parent.mkdir(parents=True)
    vscode.write_text(
        '{\n  // VS Code allows comments\n  "servers": {\n    "gh": {\n'
        '      "type": "http", "url": "http://mcp.internal.example:8080/mcp",\n'
        '      "headers": {"Authorization": "Bearer ${input:gh-token}"},\n'
        '    },\n  },\n  "inputs": [],\n}\n'
    )
    res = _import(tmp_path / "ws", str(vscode))
    assert "VS Code (mcp.json) configuration, 1 server(s)" in res.err
    assert invoke_cli("build", workspace=tmp_path / "ws").code == 0
    recs = invoke_cli("recommendations", "--format", "json", workspace=tmp_path / "ws").json()
    found = {(f["check"], f["name"]) for f in recs["findings"]}
    assert ("MCP-005", "gh") in found  # plain http to a non-loopback host
    assert not any(c == "MCP-002" for c, _n in found)  # ${input:...} is a reference
    assert ("MCP-001", "fs") not in found  # pinned srv@1.0.0


def test_bad_input_names_file_and_field(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    bad = tmp_path / "mcp.json"
    bad.write_text('{"mcpServers": {"a": {"command": "npx", "args": ["x"]},}')
    res = invoke_cli("import", "mcp", str(bad), workspace=ws)
    assert res.code == 2 and "invalid JSON at line 1" in res.err and str(bad) in res.err
    assert "Traceback" not in res.err
    deep = tmp_path / "deep.json"
    deep.write_text('{"mcpServers": ' + "[" * 200 + "]" * 200 + "}")
    res = invoke_cli("import", "mcp", str(deep), workspace=ws)
    assert res.code == 2 and "nested more than" in res.err
    other = tmp_path / "other.json"
    other.write_text('{"extensions": {}}')
    res = invoke_cli("import", "mcp", str(other), workspace=ws)
    assert res.code == 2 and "no 'mcpServers'" in res.err
    mixed = tmp_path / "claude_desktop_config.json"
    mixed.write_text(
        json.dumps(
            {
                "mcpServers": {
                    "ok": {"command": "npx", "args": ["-y", "good@1.2.3"]},
                    "broken": {"command": "npx", "args": "not-a-list"},
                    "empty": {},
                }
            }
        )
    )
    res = invoke_cli("import", "mcp", str(mixed), workspace=ws)
    assert res.code == 0, res.err
    assert "mcpServers.broken.args: expected a list of strings; server skipped" in res.err
    assert "mcpServers.empty: neither 'command'" in res.err
    assert "1 server(s)" in res.err
    res = invoke_cli("import", "mcp", str(mixed), "--tools", f"nope={mixed}", workspace=ws)
    assert res.code == 2 and "--tools nope: no server of that name" in res.err
    tools = tmp_path / "tools.json"
    tools.write_text('{"jsonrpc": "2.0", "id": 1, "error": {"code": -32601}}')
    res = invoke_cli("import", "mcp", str(mixed), "--tools", f"ok={tools}", workspace=ws)
    assert res.code == 2 and "a JSON-RPC error answer" in res.err and str(tools) in res.err


def test_negative_control_clean_descriptions_start_no_path(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    cfg = tmp_path / ".cursor" / "mcp.json"
    cfg.parent.mkdir()
    shutil.copy(FIX / ".cursor" / "mcp.json", cfg)
    _import(ws, str(cfg), "--tools", f"github={FIX / 'github.tools.json'}")
    assert invoke_cli("build", workspace=ws).code == 0
    assert _paths(ws) == []
