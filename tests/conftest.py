"""Shared test helpers: run the real CLI in a subprocess, and a built demo workspace."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]


def missing_tool(reason: str) -> None:
    """Skip when a system tool is missing on a developer machine; fail in CI, where
    scripts/test.sh installs it, so a broken install can never pass as a skip."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI installs it through scripts/test.sh)")
    pytest.skip(reason)


@dataclass
class CliResult:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


def run_cli(
    *args: str,
    workspace: Path | None = None,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 300,
) -> CliResult:
    cmd = [sys.executable, "-m", "aispm_graph"]
    if workspace is not None:
        cmd += ["--workspace", str(workspace)]
    full_env = {**os.environ, "COLUMNS": "200", **(env or {})}
    full_env.pop("AISPM_WORKSPACE", None)
    proc = subprocess.run(
        [*cmd, *args],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd or REPO,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    return CliResult(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture(scope="session")
def demo_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    ws = tmp_path_factory.mktemp("demo") / "ws"
    res = run_cli("demo", workspace=ws)
    assert res.code == 0, res.err
    return ws


@pytest.fixture(scope="session")
def demo_paths(demo_ws: Path) -> dict[str, Any]:
    res = run_cli("paths", "--format", "json", workspace=demo_ws)
    assert res.code == 0, res.err
    data: dict[str, Any] = res.json()
    return data
