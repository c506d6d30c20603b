"""The entry point of the generators of committed files (docs/schema.md, docs/checks.md,
docs/escalation.md): one argument is the file to write, none prints to stdout.

Shared so that every generator answers ``--help`` instead of writing a file named
``--help``, and writes its file atomically (a stale doc and a half-written one both fail the
sync tests, but only the second is confusing).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from aispm_graph.atomic import atomic_write_text


def generate(render: Callable[[], str], argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] in ("-h", "--help"):
        print(f"usage: python -m {_module()} [FILE]  (no FILE: print to stdout)")
        return 0
    if len(args) > 1 or (args and args[0].startswith("-")):
        print(f"{_module()}: expected at most one FILE, got {' '.join(args)}", file=sys.stderr)
        return 2
    text = render()
    if args:
        atomic_write_text(Path(args[0]), text)
    else:
        sys.stdout.write(text)
    return 0


def _module() -> str:
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    return str(getattr(spec, "name", None) or "the generator")
