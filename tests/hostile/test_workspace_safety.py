"""The workspace under concurrent writers, user-named outputs, snapshot ids, imported graphs
that try to redefine what the engine relies on, and signals."""

from __future__ import annotations

import fcntl
import json
import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from aispm_graph.workspace import Workspace
from tests.conftest import REPO, run_cli
from tests.hostile.support import cli, workspace_state, write_json

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _graph(i: int) -> dict[str, object]:
    return {
        "format": "aispm-graph",
        "version": 1,
        "nodes": [{"id": f"host-{i}", "kind": "CustomCompute", "name": f"host {i}"}],
    }


def _spawn(*args: str, ws: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "AISPM_LOCK_TIMEOUT": "120"}
    env.pop("AISPM_WORKSPACE", None)
    return subprocess.Popen(
        [sys.executable, "-m", "aispm_graph", "--workspace", str(ws), *args],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_concurrent_imports_and_a_build_lose_nothing(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    files = [write_json(tmp_path / f"g{i}.json", _graph(i)) for i in range(6)]
    assert cli("import", "graph", str(files[0]), workspace=ws).code == 0
    assert cli("build", workspace=ws).code == 0  # sealed: the next writers race for a new one
    procs = [_spawn("import", "graph", str(f), ws=ws) for f in files[1:]]
    procs.append(_spawn("build", ws=ws))
    for p in procs:
        _out, err = p.communicate(timeout=600)
        assert p.returncode == 0, err
    workspace = Workspace(ws)
    # No orphan: every snapshot but the current one is sealed, and the current holds all six.
    current = workspace.current()
    assert current is not None
    for sid in workspace.snapshot_ids():
        assert sid == current.id or workspace.snapshot(sid).sealed, sid
    inputs = {Path(s["meta"]["input"]).name for s in current.sources()}
    assert inputs == {f.name for f in files}
    # Every document file on disk is listed in its snapshot's manifest.
    for sid in workspace.snapshot_ids():
        snap = workspace.snapshot(sid)
        listed = {s["file"] for s in snap.sources()}
        assert {p.name for p in (snap.path / "docs").iterdir()} == listed
        if snap.sealed:  # a sealed graph holds every source its manifest lists
            from aispm_graph.store import load_graph

            graph, _ = load_graph(snap.graph_path)
            hosts = {n for n in graph.g.nodes if n.startswith("host-")}
            expected = {f"host-{Path(s['meta']['input']).stem[1:]}" for s in snap.sources()}
            assert hosts == expected


def _writer(root: str, worker: int, rounds: int) -> None:
    from aispm_graph.workspace import Document

    ws = Workspace(Path(root))
    for j in range(rounds):
        body = _graph(worker * 1000 + j)
        ws.open_for_write().put_source(
            "graph", f"w{worker}-{j}", [Document("graph", "s", "k", body)]
        )


def _builder(root: str, rounds: int) -> None:
    from aispm_graph.build import build_snapshot

    ws = Workspace(Path(root))
    for _ in range(rounds):
        snap = ws.current()
        if snap is not None:
            build_snapshot(snap)


def test_writer_processes_racing_on_the_api_lose_nothing(tmp_path: Path) -> None:
    import multiprocessing

    # spawn, not fork: forking a test worker that runs threads can deadlock the child
    ctx = multiprocessing.get_context("spawn")
    root = str(tmp_path / "ws")
    rounds = 25
    procs = [ctx.Process(target=_writer, args=(root, w, rounds)) for w in range(4)]
    procs.append(ctx.Process(target=_builder, args=(root, 10)))
    for p in procs:
        p.start()
    for p in procs:
        p.join(600)
        assert p.exitcode == 0
    ws = Workspace(Path(root))
    current = ws.current()
    assert current is not None
    expected = {f"graph:w{w}-{j}" for w in range(4) for j in range(rounds)}
    assert set(current.manifest()["sources"]) == expected
    for sid in ws.snapshot_ids():
        snap = ws.snapshot(sid)
        assert sid == current.id or snap.sealed, f"orphaned snapshot {sid}"
        assert {p.name for p in (snap.path / "docs").iterdir()} == {
            e["file"] for e in snap.sources()
        }
        if snap.sealed:
            from aispm_graph.store import load_graph

            graph, _ = load_graph(snap.graph_path)
            hosts = {n for n in graph.g.nodes if n.startswith("host-")}
            assert len(hosts) == len(snap.sources()), f"{sid}: graph lacks a listed source"


def test_a_held_lock_makes_a_writer_wait_then_stop_clearly(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    g = write_json(tmp_path / "g.json", _graph(1))
    with (ws / ".lock").open("a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        res = run_cli("import", "graph", str(g), workspace=ws, env={"AISPM_LOCK_TIMEOUT": "0.5"})
    assert res.code == 2
    assert "another aispm is writing this workspace" in res.err
    assert "Traceback" not in res.err
    assert not (ws / "snapshots").exists()
    # and with the lock free it goes through
    assert run_cli("import", "graph", str(g), workspace=ws).code == 0


def test_output_to_a_symlink_writes_its_target_and_keeps_the_link(
    demo_ws: Path, tmp_path: Path
) -> None:
    target = tmp_path / "real.json"
    target.write_text("old")
    target.chmod(0o644)
    link = tmp_path / "link.json"
    link.symlink_to(target)
    res = run_cli("export", "json", str(link), workspace=demo_ws)
    assert res.code == 0, res.err
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert json.loads(target.read_text())["format"] == "aispm-graph"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_output_to_a_fifo_is_written_through(demo_ws: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
    res = run_cli("report", "--format", "md", "-o", str(fifo), workspace=demo_ws)
    data, _ = reader.communicate(timeout=120)
    assert res.code == 0, res.err
    assert stat.S_ISFIFO(fifo.lstat().st_mode)  # still a FIFO, not replaced by a file
    assert b"#" in data


def test_output_to_a_character_device_is_written_through(demo_ws: Path, tmp_path: Path) -> None:
    # Our own null device node, never /dev/null: a broken writer would replace this one only.
    dev = tmp_path / "null"
    try:
        os.mknod(dev, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("creating a device node needs root")
    res = run_cli("export", "graphml", str(dev), workspace=demo_ws)
    assert res.code == 0, res.err
    assert stat.S_ISCHR(dev.lstat().st_mode)
    assert not list(tmp_path.glob(".null.*"))


def _export_to(target: str, ws: Path, shell_suffix: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("AISPM_WORKSPACE", None)
    cmd = f"{sys.executable} -m aispm_graph --workspace '{ws}' export json {target} {shell_suffix}"
    return subprocess.run(
        ["sh", "-c", cmd], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )


def test_output_to_dev_stdout_in_a_pipe_is_written(demo_ws: Path) -> None:
    """``/dev/stdout`` of a pipe resolves to ``pipe:[...]``, which is no path to replace."""
    proc = _export_to("/dev/stdout", demo_ws, "| cat")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["format"] == "aispm-graph"


def test_output_to_dev_stdout_appended_to_a_log_keeps_the_log(
    demo_ws: Path, tmp_path: Path
) -> None:
    log = tmp_path / "log.txt"
    log.write_text("earlier line\n")
    proc = _export_to("/dev/stdout", demo_ws, f">> '{log}'")
    assert proc.returncode == 0, proc.stderr
    text = log.read_text()
    assert text.startswith("earlier line\n")
    assert json.loads(text.split("\n", 1)[1])["format"] == "aispm-graph"


def test_a_dangling_symlink_never_makes_folders_at_its_far_end(
    demo_ws: Path, tmp_path: Path
) -> None:
    far = tmp_path / "not" / "there" / "out.json"
    link = tmp_path / "link.json"
    link.symlink_to(far)
    res = run_cli("export", "json", str(link), workspace=demo_ws)
    assert res.code == 2 and "does not exist" in res.err, res.err
    assert not (tmp_path / "not").exists() and link.is_symlink()
    # a dangling link into a folder that exists is written through, like a shell would
    near = tmp_path / "near.json"
    other = tmp_path / "other.json"
    other.symlink_to(near)
    assert run_cli("export", "json", str(other), workspace=demo_ws).code == 0
    assert other.is_symlink() and json.loads(near.read_text())["format"] == "aispm-graph"


def test_output_to_a_directory_is_refused(demo_ws: Path, tmp_path: Path) -> None:
    res = run_cli("report", "--format", "md", "-o", str(tmp_path), workspace=demo_ws)
    assert res.code == 2 and "is a directory" in res.err


def test_new_output_files_get_the_umask_mode(demo_ws: Path, tmp_path: Path) -> None:
    out = tmp_path / "new.json"
    assert run_cli("export", "json", str(out), workspace=demo_ws).code == 0
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~mask


@pytest.mark.parametrize(
    "args",
    [
        ("paths", "--snapshot", "../../outside"),
        ("paths", "--snapshot", "/etc"),
        ("export", "json", "-", "--snapshot", "../x"),
        ("diff", "../../outside", "NEW"),
        ("vulns", "--snapshot", "..\\x"),
    ],
)
def test_snapshot_ids_are_names_never_paths(tmp_path: Path, args: tuple[str, ...]) -> None:
    outside = tmp_path / "outside"
    (outside / "docs").mkdir(parents=True)
    (outside / "manifest.json").write_text('{"id": "x", "sources": {}}')
    ws = tmp_path / "a" / "b" / "ws"
    assert (
        cli("import", "graph", str(write_json(tmp_path / "g.json", _graph(1))), workspace=ws).code
        == 0
    )
    assert cli("build", workspace=ws).code == 0
    res = cli(*args, workspace=ws)
    assert res.code == 2, (res.code, res.err)
    assert "not a snapshot id" in res.err or "no snapshot" in res.err


def test_a_current_pointer_outside_the_workspace_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    (outside / "docs").mkdir(parents=True)
    (outside / "manifest.json").write_text('{"id": "x", "sources": {}}')
    ws = tmp_path / "ws"
    g = write_json(tmp_path / "g.json", _graph(1))
    assert cli("import", "graph", str(g), workspace=ws).code == 0
    meta = json.loads((ws / "workspace.json").read_text())
    meta["current"] = "../../outside"
    (ws / "workspace.json").write_text(json.dumps(meta))
    before = workspace_state(outside)
    for args in (("build",), ("import", "graph", str(g))):
        res = cli(*args, workspace=ws)
        assert res.code == 2 and "not a snapshot id" in res.err, res.err
    assert workspace_state(outside) == before
    assert not (outside / "graph.json.zst").exists()


def test_the_internet_node_cannot_be_redefined(tmp_path: Path) -> None:
    evil = {
        "format": "aispm-graph",
        "version": 1,
        "nodes": [{"id": "internet", "kind": "CustomAIModel", "name": "crown jewel"}],
    }
    ws = tmp_path / "ws"
    res = cli("import", "graph", str(write_json(tmp_path / "e.json", evil)), workspace=ws)
    assert res.code == 2 and "'internet' is reserved" in res.err
    assert workspace_state(ws) == {}
    # An export's plain Internet node round-trips.
    plain = {**evil, "nodes": [{"id": "internet", "kind": "Internet", "name": "Internet"}]}
    assert (
        cli("import", "graph", str(write_json(tmp_path / "p.json", plain)), workspace=ws).code == 0
    )


def test_a_conflicting_node_kind_is_refused_at_import(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    assert (
        cli("import", "graph", str(write_json(tmp_path / "a.json", _graph(1))), workspace=ws).code
        == 0
    )
    assert cli("build", workspace=ws).code == 0
    clash = {
        "format": "aispm-graph",
        "version": 1,
        "nodes": [{"id": "host-1", "kind": "CustomAIModel", "name": "now a model"}],
    }
    before = workspace_state(ws)
    res = cli("import", "graph", str(write_json(tmp_path / "b.json", clash)), workspace=ws)
    assert res.code == 2
    assert "nodes[0]" in res.err and "CustomAIModel conflicts with kind CustomCompute" in res.err
    assert workspace_state(ws) == before
    # two files of one import that disagree are refused too, and neither is stored
    c1 = write_json(
        tmp_path / "c1.json", {**clash, "nodes": [{"id": "n", "kind": "CustomCompute"}]}
    )
    c2 = write_json(
        tmp_path / "c2.json", {**clash, "nodes": [{"id": "n", "kind": "CustomAIModel"}]}
    )
    assert cli("import", "graph", str(c1), str(c2), workspace=ws).code == 2
    assert workspace_state(ws) == before


def _signalled(script: str, sig: int, ws: Path) -> subprocess.CompletedProcess[str]:
    """Run ``script`` (which sends ``sig`` to itself at a chosen point) against ``ws``."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-c", script, str(int(sig)), str(ws)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


_DURING_LOADING = """
import os, signal, sys
import aispm_graph.cli.lazy as lazy
real = lazy.load_module
def loading(name):
    os.kill(os.getpid(), int(sys.argv[1]))  # lands while the command modules load
    return real(name)
lazy.load_module = loading
from aispm_graph.cli.main import main
main(["--workspace", sys.argv[2], "demo"])
"""


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_while_the_commands_load_ends_with_one_line(tmp_path: Path, sig: int) -> None:
    proc = _signalled(_DURING_LOADING, sig, tmp_path / "ws")
    assert proc.returncode == 130, proc.stderr
    assert proc.stderr == "aispm: interrupted\n"
    assert not (tmp_path / "ws").exists()


_DURING_THE_BUILD = """
import os, signal, sys
import aispm_graph.build as build
real = build.build_graph
def building(*args, **kwargs):
    os.kill(os.getpid(), int(sys.argv[1]))  # lands mid-run, after the demo was imported
    return real(*args, **kwargs)
build.build_graph = building
from aispm_graph.cli.main import main
main(["--workspace", sys.argv[2], "demo"])
"""


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_during_the_run_ends_with_one_line(tmp_path: Path, sig: int) -> None:
    # The signal is sent from inside the build, so it always lands mid-run (a timer raced
    # the demo on a fast or a loaded machine and the test could pass without testing).
    proc = _signalled(_DURING_THE_BUILD, sig, tmp_path / "ws")
    code, err = proc.returncode, proc.stderr
    assert code == 130, err
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1].startswith("aispm: interrupted")
    # work kept: whatever snapshot exists is readable
    ws = Workspace(tmp_path / "ws")
    for sid in ws.snapshot_ids():
        ws.snapshot(sid).manifest()


def test_the_entry_point_imports_nothing_slow_before_its_handlers() -> None:
    """Until the handlers are in, a SIGTERM kills silently (143) and a Ctrl-C prints a
    traceback; ``signal`` (it imports ``enum``) and ``typing`` took tens of milliseconds of a
    cold start, so the entry module imports neither (``-S``: nothing from site either)."""
    probe = (
        "import sys; import aispm_graph.cli.main; "
        "print(sorted(m for m in ('enum', 'typing', 'signal', 're') if m in sys.modules))"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run(
        [sys.executable, "-S", "-c", probe], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_a_kind_conflicting_with_unbuilt_provider_data_is_refused_at_import(
    tmp_path: Path,
) -> None:
    """Provider data imported (or collected) since the last build is in no built graph yet:
    a graph file giving one of its ids another kind used to pass import and be skipped, with
    a warning, at build."""
    sub = "00000000-0000-0000-0000-000000000000"
    account = f"/subscriptions/{sub}/resourceGroups/rg/providers/Microsoft.CognitiveServices"
    account += "/accounts/oai1"
    arg = {
        "data": [
            {
                "id": account,
                "name": "oai1",
                "type": "microsoft.cognitiveservices/accounts",
                "kind": "OpenAI",
                "location": "eastus",
                "subscriptionId": sub,
                "resourceGroup": "rg",
                "properties": {"publicNetworkAccess": "Enabled"},
            }
        ]
    }
    ws = tmp_path / "ws"
    res = cli(
        "import", "azure-resource-graph", str(write_json(tmp_path / "a.json", arg)), workspace=ws
    )
    assert res.code == 0, res.err
    clash = {
        "format": "aispm-graph",
        "version": 1,
        "nodes": [{"id": account.lower(), "kind": "CustomDataStore", "name": "x"}],
    }
    before = workspace_state(ws)
    res = cli("import", "graph", str(write_json(tmp_path / "g.json", clash)), workspace=ws)
    assert res.code == 2, res.err
    assert "CustomDataStore conflicts with kind AzureCognitiveServicesAccount" in res.err
    assert workspace_state(ws) == before
    # the same id with the kind the provider data gives it is fine
    clash["nodes"][0]["kind"] = "AzureCognitiveServicesAccount"  # type: ignore[index]
    res = cli("import", "graph", str(write_json(tmp_path / "g.json", clash)), workspace=ws)
    assert res.code == 0, res.err


def test_concurrent_vulndb_imports_keep_every_record(tmp_path: Path) -> None:
    """Each import reads the database, merges and renames a new one over it: without a lock
    two at once read the same old records and the later rename dropped the other's."""
    ws = tmp_path / "ws"
    files = []
    for i in range(5):
        rec = {
            "id": f"GHSA-aaaa-bbbb-{i:04d}",
            "modified": "2024-01-01T00:00:00Z",
            "affected": [
                {
                    "package": {"ecosystem": "PyPI", "name": f"pkg{i}"},
                    "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}]}],
                }
            ],
        }
        files.append(write_json(tmp_path / f"r{i}.json", rec))
    procs = [_spawn("vulndb", "import", str(f), ws=ws) for f in files]
    for proc in procs:
        _out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    info = run_cli("vulndb", "info", "--format", "json", workspace=ws)
    assert info.code == 0, info.err
    assert json.loads(info.out)["advisories"] == 5
