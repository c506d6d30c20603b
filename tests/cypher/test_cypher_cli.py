"""``aispm export falkordb`` and ``aispm query`` as users run them (real subprocesses)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from aispm_graph.store import save_graph
from aispm_graph.workspace import Workspace
from tests.cypher.cypher_graphs import AOAI, VM, mini_estate
from tests.support.cli import invoke_cli

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def aispm(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The CLI in process (output and exit codes are the claim, not the process)."""
    res = invoke_cli(*args, env=env)
    return subprocess.CompletedProcess(list(args), res.code, res.out, res.err)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    ws = Workspace(tmp_path / "ws")
    snap = ws.new_snapshot()
    save_graph(mini_estate(), snap.graph_path, meta={"snapshot": snap.id})
    return ws.root


def test_export_then_query_falkordb(workspace: Path, falkordb_url: str) -> None:
    graph = "cli_export"
    base = ["-w", str(workspace)]
    out = aispm(
        *base, "export", "falkordb", "--url", falkordb_url, "--graph", graph, "--format", "json"
    )
    assert out.returncode == 0, out.stderr
    stats = json.loads(out.stdout)
    estate = mini_estate()
    assert (stats["nodes"], stats["relationships"]) == (len(estate), estate.edge_count)
    again = aispm(*base, "export", "falkordb", "--url", falkordb_url, "--graph", graph)
    assert again.returncode == 0, again.stderr
    assert "Removed 0 nodes and 0 relationships" in again.stdout

    q = aispm(
        *base,
        "query",
        "internet-exposed-ai-services",
        "--backend",
        "falkordb",
        "--url",
        falkordb_url,
        "--graph",
        graph,
        "--format",
        "json",
    )
    assert q.returncode == 0, q.stderr
    result = json.loads(q.stdout)
    assert result["query"] == "internet-exposed-ai-services"
    assert [r["id"] for r in result["rows"]] == [AOAI]

    table = aispm(
        *base,
        "query",
        "shadow-ai",
        "--backend",
        "falkordb",
        "--url",
        falkordb_url,
        "--graph",
        graph,
    )
    assert table.returncode == 0, table.stderr
    assert "Shadow AI" in table.stdout and "ml-box" in table.stdout

    limited = aispm(
        *base,
        "query",
        "attack-paths-to-ai",
        "--backend",
        "falkordb",
        "--url",
        falkordb_url,
        "--graph",
        graph,
        "--param",
        "limit=1",
        "--format",
        "json",
    )
    rows = json.loads(limited.stdout)["rows"]
    assert len(rows) == 1 and rows[0]["path_ids"][1] == VM

    # A query file from disk, with its own parameter.
    own = workspace.parent / "mine.cypher"
    own.write_text(
        "// id: mine\n// title: Mine\n// category: inventory\n// description: count\n"
        "// parameters:\n//   kind: {type: str, default: EC2Instance, description: kind}\n"
        "MATCH (n:AispmNode) WHERE n.kind = $kind RETURN count(n) AS n\n"
    )
    mine = aispm(
        *base,
        "query",
        str(own),
        "--backend",
        "falkordb",
        "--url",
        falkordb_url,
        "--graph",
        graph,
        "--param",
        "kind=AWSRole",
        "--format",
        "json",
    )
    assert json.loads(mine.stdout)["rows"] == [{"n": 2}]


def test_query_list() -> None:
    out = aispm("query", "--list", "--format", "json")
    assert out.returncode == 0, out.stderr
    ids = {q["id"] for q in json.loads(out.stdout)}
    assert {"attack-paths-to-ai", "choke-points", "shadow-ai"} <= ids
    # At a narrow terminal the ids (what the user types next) are whole, never cut with '…'.
    table = aispm("query", "--list", env={"COLUMNS": "80"})
    assert table.returncode == 0, table.stderr
    shown = {line.split("│")[1].strip() for line in table.stdout.splitlines() if "│" in line}
    assert ids <= shown


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["query", "no-such-query", "--backend", "falkordb"], "no query 'no-such-query'"),
        (["query", "shadow-ai", "--param", "limit"], "expected NAME=VALUE"),
        (["query", "shadow-ai", "--param", "limit=x"], "is not a int"),
        (["query", "shadow-ai", "--param", "zzz=1"], "unknown parameter zzz"),
        (
            ["query", "shadow-ai", "--backend", "falkordb", "--url", "redis://u:secret@h:1"],
            "contains a password",
        ),
        (["export", "neo4j", "--uri", "bolt://neo4j:secret@127.0.0.1:1"], "contains a password"),
        (["export", "neo4j", "--uri", "http://127.0.0.1:1"], "unsupported Neo4j URI scheme 'http'"),
        (
            ["query", "shadow-ai", "--backend", "neo4j", "--uri", "localhost:7687"],
            "use bolt://, bolt+s://",
        ),
        (["query", "shadow-ai", "--url", "http://127.0.0.1:1"], "unsupported FalkorDB URL scheme"),
    ],
)
def test_usage_errors_exit_2_without_traceback(args: list[str], message: str) -> None:
    out = aispm(*args)
    assert out.returncode == 2, (out.stdout, out.stderr)
    assert message in out.stderr
    assert "Traceback" not in out.stderr


def test_unreachable_backends_are_clear_errors(workspace: Path) -> None:
    base = ["-w", str(workspace)]
    fk = aispm(*base, "export", "falkordb", "--url", "redis://127.0.0.1:1")
    assert fk.returncode == 2 and "cannot connect to FalkorDB" in fk.stderr
    neo = aispm(*base, "export", "neo4j", "--uri", "bolt://127.0.0.1:1")
    assert neo.returncode == 2 and "cannot connect to Neo4j" in neo.stderr
    half = aispm(*base, "export", "neo4j", env={"NEO4J_USERNAME": "neo4j"})
    assert half.returncode == 2 and "NEO4J_PASSWORD" in half.stderr


def test_export_without_built_graph(tmp_path: Path, falkordb_url: str) -> None:
    out = aispm("-w", str(tmp_path / "empty"), "export", "falkordb", "--url", falkordb_url)
    assert out.returncode == 2 and "no built graph" in out.stderr
