"""Running the real CLI in process on hostile estates, with a strict UTF-8 stdout.

In process (``aispm_graph.cli.main.main``) so hypothesis can try many inputs quickly; stdout
and stderr are UTF-8 text streams over bytes with ``errors="strict"``, as a terminal or a pipe
is, so a lone surrogate that reaches the output fails here as it would for a user.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import signal
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aispm_graph.cli.main import main

# Strings an attacker can put in a resource name, tag, scanner report or model file.
MARKUP = [
    "[/x] web",
    "[/]",
    "[bold red]RED[/bold red]",
    "[link=https://evil.example]click[/link]",
    "[@click=app.quit]x[/]",
    "trailing backslash\\",
    ":warning: :skull:",
]
CONTROL = [
    "\x1b[31mred\x1b[0m",
    "\x1b]8;;https://evil.example\x07link\x1b]8;;\x07",
    "\x1b]0;window title\x07",
    "\x9b31mC1 CSI",
    "\u202eexe.txt",
    "zero\u200bwidth\u2066iso\u2069",
    "bell\x07back\x08space\rcr",
]
ESCAPES = ["\x1b", "\x9b", "\u202e", "\x07", "\x08", "\r", "\u2066"]


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


class _Stream(io.TextIOWrapper):
    def __init__(self) -> None:
        super().__init__(io.BytesIO(), encoding="utf-8", errors="strict", write_through=True)

    def text(self) -> str:
        self.flush()
        buf = self.buffer
        assert isinstance(buf, io.BytesIO)
        return buf.getvalue().decode("utf-8")


def cli(*args: str, workspace: Path | None = None) -> Result:
    """``aispm ARGS`` in this process; the exit code and what it wrote."""
    argv = (["--workspace", str(workspace)] if workspace is not None else []) + list(args)
    out, err = _Stream(), _Stream()
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    code = 0
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main(argv)
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
        sys.stdout.flush()
    return Result(code, out.text(), err.text())


def node_id(prefix: str, name: str) -> str:
    return f"{prefix}-{hashlib.sha256(name.encode('utf-8', 'surrogatepass')).hexdigest()[:10]}"


def hostile_graph(name: str, evidence: str) -> dict[str, Any]:
    """An exposed host (named ``name``) that invokes a model (named ``name`` too): one path,
    with ``evidence`` in the evidence, properties and artifact fields."""
    host, model = node_id("host", name), node_id("model", name)
    return {
        "format": "aispm-graph",
        "version": 1,
        "nodes": [
            {
                "id": host,
                "kind": "CustomCompute",
                "name": name,
                "properties": {"ai_libraries": ["vllm"], "region": evidence},
            },
            {
                "id": model,
                "kind": "CustomAIModel",
                "name": name,
                "properties": {"artifact": f"s3://models/{evidence}/model.pkl"},
            },
        ],
        "edges": [
            {
                "source": "internet",
                "target": host,
                "kind": "INTERNET_EXPOSED",
                "evidence": {"ports": evidence, "rule": name},
            },
            {
                "source": host,
                "target": model,
                "kind": "INVOKES",
                "evidence": {"mechanism": evidence},
            },
        ],
    }


def write_json(path: Path, doc: Any) -> Path:
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def assert_no_terminal_controls(text: str) -> None:
    found = [c for c in ESCAPES if c in text]
    assert not found, f"terminal control characters reached the output: {found!r}"


def workspace_state(ws: Path) -> dict[str, bytes]:
    """Every file of a workspace (but the lock file), to show a failed command changed none."""
    if not ws.exists():
        return {}
    return {
        str(p.relative_to(ws)): p.read_bytes()
        for p in sorted(ws.rglob("*"))
        if p.is_file() and p.name != ".lock"
    }
