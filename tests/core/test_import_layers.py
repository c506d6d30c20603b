"""The layer rules of docs/architecture.md ("Layers"), as import-linter contracts in
pyproject.toml: knowledge is pure, transforms and derivers never import collectors or cloud
SDKs, the library never imports the CLI, no cycles inside a provider's collectors or the CLI.

Runs the same check as ``lint-imports`` in CI, in a subprocess so the result does not depend on
what this test session already imported."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]


def test_import_layer_contracts_hold() -> None:
    try:
        import importlinter  # noqa: F401
    except ImportError:
        pytest.fail("import-linter is missing: pip install -e '.[dev]' (it is in the dev extra)")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    code = (
        "import sys; from importlinter.cli import lint_imports; "
        f"sys.exit(lint_imports(config_filename={str(ROOT / 'pyproject.toml')!r}, "
        "no_cache=True, no_logo=True))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, (
        "an import breaks the layer rules (docs/architecture.md, 'Layers'):\n" + proc.stdout
    )
    assert "0 broken" in proc.stdout
