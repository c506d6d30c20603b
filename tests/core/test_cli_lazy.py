"""``aispm`` imports a command's module only when that command runs; the generated index that
makes this possible stays in sync with the commands.

Regenerate it with ``python -m aispm_graph.cli.index_gen``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from aispm_graph.cli import command_index
from aispm_graph.cli.index_gen import build_index

ROOT = Path(__file__).parents[2]

_HELP = """
import sys
from aispm_graph.cli.main import main
if sys.argv[1] == "eager":
    from aispm_graph.cli.lazy import load_all
    load_all()
try:
    main(["--help"])
finally:
    loaded = sorted(m for m in sys.modules if m.startswith("aispm_graph.cli.commands."))
    print("LOADED", loaded, "NETWORKX", "networkx" in sys.modules, file=sys.stderr)
"""


def _help(mode: str) -> tuple[str, str]:
    proc = subprocess.run(
        [sys.executable, "-c", _HELP, mode],
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "COLUMNS": "100"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout, proc.stderr


def test_index_lists_every_root_command_with_its_module_and_help() -> None:
    assert build_index() == command_index.COMMANDS, (
        "aispm_graph/cli/command_index.py is stale: run python -m aispm_graph.cli.index_gen"
    )


def test_help_lists_the_same_commands_without_loading_any_command_module() -> None:
    lazy_out, lazy_err = _help("lazy")
    eager_out, _ = _help("eager")
    assert lazy_out == eager_out
    assert "LOADED [] NETWORKX False" in lazy_err
    for name in ("build", "paths", "report", "collect"):
        assert f"\n  {name} " in lazy_out
