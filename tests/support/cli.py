"""Run the real ``aispm`` command line, in this process or in a child process.

:func:`invoke_cli` is the default: the same entry point (``aispm_graph.cli.main.main``, with its
mapping of errors to exit codes) run through click's test runner, output captured, no
interpreter start-up per call. :func:`run_cli` starts ``python -m aispm_graph`` and is for tests
whose claim is about the process: exit codes on signals, no traceback reaching a real stderr,
concurrent processes on one workspace, a fresh install, a terminal.
"""

from __future__ import annotations

import json
import os
import pty
import re
import signal
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


def invoke_cli(
    *args: str,
    workspace: Path | None = None,
    env: dict[str, str] | None = None,
    input: str | None = None,
) -> CliResult:
    """``aispm [--workspace W] ARGS`` in this process, with :func:`run_cli`'s environment
    (200 columns, no ``AISPM_WORKSPACE``, stdin empty unless ``input``).

    stdout and stderr are not terminals, as in :func:`run_cli`, so tables and messages are the
    ones a pipe gets. The signal handlers the entry point installs are put back afterwards.
    """
    import click.formatting
    from click.testing import CliRunner

    from aispm_graph.cli.main import main

    argv = (["--workspace", str(workspace)] if workspace is not None else []) + list(args)
    overrides: dict[str, str | None] = {"COLUMNS": "200", "AISPM_WORKSPACE": None, **(env or {})}
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    code = 0
    with CliRunner().isolation(input=input, env=overrides) as (out, err, _mixed):
        click.formatting.FORCED_WIDTH = None  # help wraps to COLUMNS, as in a child process
        try:
            main(argv)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            for sig, handler in handlers.items():
                signal.signal(sig, handler)
        stdout, stderr = out.getvalue(), err.getvalue()
    return CliResult(code, stdout.decode("utf-8"), stderr.decode("utf-8", "backslashreplace"))


ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def run_in_terminal(
    args: list[str], env: dict[str, str] | None = None, timeout: float = 300
) -> CliResult:
    """``aispm ARGS`` with stdin, stdout and stderr on one pseudo-terminal, so Rich decides for
    itself that a person is watching (progress bars are drawn). ``out`` is everything the
    screen received, escape sequences removed; ``err`` is empty (one terminal for both).
    ``NO_COLOR`` and ``AISPM_WORKSPACE`` of the caller are removed; 160 columns.
    """
    master, slave = pty.openpty()
    full_env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "AISPM_WORKSPACE")}
    full_env.update({"COLUMNS": "160", "TERM": "xterm-256color", **(env or {})})
    proc = subprocess.Popen(
        [sys.executable, "-m", "aispm_graph", *args],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=full_env,
        cwd=REPO,
        close_fds=True,
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    code = proc.wait(timeout=timeout)
    return CliResult(code, ANSI.sub("", b"".join(chunks).decode(errors="replace")), "")
