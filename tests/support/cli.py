"""Run the real ``aispm`` command line in a subprocess, as a user would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]


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
    """``aispm [--workspace W] ARGS`` with the caller's environment plus ``env``.

    ``AISPM_WORKSPACE`` is removed (a developer's own workspace must never leak into a
    test), the terminal is 200 columns wide so tables do not wrap, stdin is closed.
    """
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
