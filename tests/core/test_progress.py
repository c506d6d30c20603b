"""Progress bars as a person at a terminal sees them, and their absence everywhere else.

The CLI runs under a real pseudo-terminal (``pty``), so Rich decides for itself that it is
talking to a person. A full OSV import is the long job here: the bars must name the work, count
files and advisories done of total, show the time left, and vanish afterwards (the summary line
stays). With ``--quiet``, ``NO_COLOR``, ``--format json`` or stderr not a terminal, nothing of
the bars may appear.
"""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest

from aispm_graph.progress import NULL, task, track
from tests.support.cli import run_in_terminal as terminal

pytestmark = [pytest.mark.integration, pytest.mark.slow]

FILES = 40


def run_in_terminal(args: list[str], env: dict[str, str] | None = None) -> str:
    """What the screen got from a command that must succeed (see ``tests/support/cli.py``)."""
    res = terminal(args, env)
    assert res.code == 0, res.out
    return res.out


@pytest.fixture(scope="module")
def osv_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("osv")
    for i in range(FILES):
        record = {
            "id": f"PYSEC-2099-{i}",
            "modified": "2099-01-01T00:00:00Z",
            "summary": f"test advisory {i}",
            "affected": [
                {
                    "package": {"ecosystem": "PyPI", "name": f"pkg{i}"},
                    "ranges": [
                        {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.0"}]}
                    ],
                }
            ],
        }
        (root / f"PYSEC-2099-{i}.json").write_text(json.dumps(record))
    return root


def test_bars_count_done_of_total_with_time_left_then_vanish(osv_dir: Path, tmp_path: Path) -> None:
    screen = run_in_terminal(["-w", str(tmp_path / "ws"), "vulndb", "import", str(osv_dir)])
    assert f"reading {osv_dir.name}" in screen
    assert f"/{FILES}" in screen  # a count of the total
    assert "writing advisories" in screen
    assert "left" in screen
    # The summary stays; the bars were transient.
    assert f"{FILES} advisories from {FILES} records in {FILES} files" in screen


@pytest.mark.parametrize(
    ("extra_args", "env"),
    [(["--quiet"], {}), ([], {"NO_COLOR": "1"})],
    ids=["quiet", "no-color"],
)
def test_no_bars_when_asked_for_quiet_or_plain(
    osv_dir: Path, tmp_path: Path, extra_args: list[str], env: dict[str, str]
) -> None:
    ws = str(tmp_path / "ws")
    screen = run_in_terminal([*extra_args, "-w", ws, "vulndb", "import", str(osv_dir)], env)
    assert "reading" not in screen and "writing advisories" not in screen


def test_no_bars_under_json_or_without_a_terminal(tmp_path: Path) -> None:
    models = tmp_path / "models"
    models.mkdir()
    for i in range(5):
        (models / f"m{i}.pt").write_bytes(b"\x80\x02}q\x00.")  # an empty pickled dict
    ws = str(tmp_path / "ws")
    screen = run_in_terminal(["-w", ws, "scan-model", str(models), "--format", "json"])
    assert "scanning model files" not in screen
    assert json.loads(screen[screen.index("{") :])["schema_version"] == 1
    # A terminal and the table format: the bar shows.
    assert "scanning model files" in run_in_terminal(["-w", ws, "scan-model", str(models)])
    # Output and errors to pipes (CI, scripts): nothing.
    piped = subprocess.run(
        [sys.executable, "-m", "aispm_graph", "-w", ws, "scan-model", str(models)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert piped.returncode == 0 and "scanning" not in piped.stderr + piped.stdout


def test_bars_go_to_stderr_and_the_table_to_stdout(tmp_path: Path) -> None:
    """Output piped to a file while a person watches the terminal (``aispm scan-model DIR >
    out.txt``): the bar is drawn on stderr, stdout gets the table and nothing of the bar."""
    models = tmp_path / "models"
    models.mkdir()
    for i in range(30):
        (models / f"m{i}.pt").write_bytes(b"\x80\x02}q\x00.")
    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "AISPM_WORKSPACE")}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "aispm_graph",
            "-w",
            str(tmp_path / "ws"),
            "scan-model",
            str(models),
        ],
        stdin=slave,
        stdout=subprocess.PIPE,
        stderr=slave,
        env={**env, "COLUMNS": "160", "TERM": "xterm-256color"},
        close_fds=True,
    )
    os.close(slave)
    screen = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:
            break
        if not data:
            break
        screen.append(data)
    os.close(master)
    assert proc.stdout is not None
    stdout = proc.stdout.read().decode()
    assert proc.wait(timeout=300) == 0
    assert "scanning model files" in b"".join(screen).decode(errors="replace")
    assert "scanning" not in stdout and "\x1b[" not in stdout
    assert "m29.pt" in stdout and "CLEAN" in stdout


def test_gcp_collection_counts_listings_and_projects_with_failures(tmp_path: Path) -> None:
    from tests.gcp.conftest import SCOPE, TOKEN_ENV, demo_rows
    from tests.gcp.replay import Recording, ReplayServer

    rec = Recording.from_documents(demo_rows(), page_size=50)
    rec.deny.add(("secretmanager.googleapis.com/Secret", "RESOURCE"))
    server = ReplayServer(rec).start()
    try:
        args = ["-w", str(tmp_path / "ws"), "collect", "gcp", "--scope", SCOPE]
        screen = run_in_terminal([*args, "--api-endpoint", server.url], env=TOKEN_ENV)
    finally:
        server.stop()
    listings = re.findall(r"GCP asset listings\S*\s+\S*\s+(\d+)/(\d+)", screen)
    assert listings and listings[-1][1] != "0"
    assert "GCP projects: effective org policies" in screen
    assert "1 failed" in screen  # the denied listing, counted while the run goes on


@pytest.mark.skipif(sys.version_info < (3, 12), reason="the embedded engine needs Python 3.12+")
def test_export_batches_and_build_passes_show_counts(tmp_path: Path) -> None:
    from tests.conftest import run_cli

    ws = tmp_path / "ws"
    assert run_cli("demo", workspace=ws).code == 0
    built = run_in_terminal(["-w", str(ws), "build"])
    assert re.search(r"build: documents\S*\s+\S*\s+\d+/\d+", built)
    assert "build: derive passes" in built
    exported = run_in_terminal(["-w", str(ws), "export", "falkordb"])
    nodes = re.findall(r"writing nodes\S*\s+\S*\s+(\d+)/(\d+)", exported)
    assert nodes and int(nodes[0][1]) > 0
    assert "writing relationships" in exported
    assert "Exported snapshot" in exported  # the final line stays


@pytest.mark.skipif(sys.version_info < (3, 12), reason="the embedded engine needs Python 3.12+")
def test_json_output_at_a_terminal_has_no_spinner_or_bar_of_any_command(tmp_path: Path) -> None:
    """Whatever starts the animation (the path search's spinner, the embedded engine's load
    bars), ``--format json`` at a terminal gets the JSON alone; the table format the animation."""
    from tests.conftest import run_cli

    ws = tmp_path / "ws"
    assert run_cli("demo", workspace=ws).code == 0
    assert run_cli("build", workspace=ws).code == 0  # the embedded engine loads on first use
    animated = ("finding attack paths", "writing nodes", "writing relationships")
    for args in (
        ["paths"],
        ["inventory"],
        ["report"],
        ["paths", "--backend", "falkordb"],
    ):
        screen = run_in_terminal(["-w", str(ws), *args, "--format", "json"])
        assert not [a for a in animated if a in screen], (args, screen[:500])
        json.loads(screen[screen.index("{") :])
    table = run_in_terminal(["-w", str(ws), "paths"])
    assert "finding attack paths" in table and "attack paths:" in table
    assert "finding attack paths on the embedded FalkorDB" in run_in_terminal(
        ["-w", str(ws), "paths", "--backend", "falkordb"]
    )


def test_library_default_reports_nowhere_and_closes_tasks() -> None:
    seen = list(track(None, range(3), "nothing shown"))
    assert seen == [0, 1, 2]
    closed: list[str] = []

    class Recording:
        def advance(self, step: int = 1, *, failed: int = 0) -> None:
            closed.append(f"advance {step} {failed}")

        def update(
            self,
            *,
            completed: int | None = None,
            total: int | None = None,
            detail: str | None = None,
        ) -> None:
            closed.append(f"update {total}")

        def close(self) -> None:
            closed.append("close")

    class Reporter:
        def task(self, description: str, total: int | None = None) -> Recording:
            closed.append(f"task {description} {total}")
            return Recording()

    with pytest.raises(RuntimeError), task(Reporter(), "work", 2) as t:
        t.advance(failed=1)
        raise RuntimeError("stop")
    assert closed == ["task work 2", "advance 1 1", "close"]
    assert NULL.task("x").close() is None
