"""The README's first command on a base install: ``pip install .`` with no extras.

A fresh virtual environment gets the package as users install it (a built wheel, not the
editable checkout), then the demo must run, and every command that needs an optional extra
must say which one to install (exit 2), never fail with an internal error.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    venv = tmp_path_factory.mktemp("base") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    res = subprocess.run(
        [str(venv / "bin" / "pip"), "install", "-q", "--disable-pip-version-check", str(REPO)],
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert res.returncode == 0, res.stderr[-3000:]
    return venv


def aispm(venv: Path, ws: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AISPM_", "VIRTUAL_ENV"))}
    return subprocess.run(
        [str(venv / "bin" / "aispm"), "-w", str(ws), *args],
        capture_output=True,
        text=True,
        env={**env, "COLUMNS": "200"},
        cwd=ws.parent,
        timeout=600,
    )


def test_no_extra_is_installed(base: Path) -> None:
    for module in ("boto3", "azure.identity", "google.cloud.asset_v1", "neo4j", "falkordb"):
        code = f"import importlib.util as u, sys; sys.exit(0 if u.find_spec({module!r}) else 1)"
        probe = subprocess.run(
            [str(base / "bin" / "python"), "-c", code], capture_output=True, timeout=60
        )
        assert probe.returncode != 0, f"{module} is installed in the base environment"


def test_demo_runs_on_the_base_install(base: Path, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    demo = aispm(base, ws, "demo")
    assert demo.returncode == 0, demo.stderr
    paths = aispm(base, ws, "paths", "--format", "json")
    assert paths.returncode == 0, paths.stderr
    assert len(json.loads(paths.stdout)["paths"]) == 15


@pytest.mark.parametrize(
    ("args", "extra"),
    [
        (("collect", "aws"), "aws"),
        (("collect", "aws", "--org"), "aws"),
        (("collect", "azure", "--all-subscriptions"), "azure"),
        (("collect", "gcp", "--scope", "projects/acme"), "gcp"),
        (("export", "neo4j"), "neo4j"),
        (("export", "falkordb"), "falkordb"),
    ],
)
def test_commands_needing_an_extra_name_it(
    base: Path, tmp_path: Path, args: tuple[str, ...], extra: str
) -> None:
    ws = tmp_path / "ws"
    if args[0] == "export":
        assert aispm(base, ws, "demo").returncode == 0
    res = aispm(base, ws, *args)
    assert res.returncode == 2, (res.stdout, res.stderr)
    assert f"pip install 'aispm-graph[{extra}]'" in res.stderr
    assert "internal error" not in res.stderr
    assert "Traceback" not in res.stderr
