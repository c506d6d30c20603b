"""Session fixtures (a built demo workspace); helpers live in :mod:`tests.support`."""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from aispm_graph.graph.model import STRICT_ENV, Graph
from tests.support.cli import REPO, CliResult, invoke_cli, run_cli

# Every graph a test builds is strict: a property, evidence key or edge endpoint the schema
# does not declare raises where it is written (aispm_graph/graph/model.py), and a build that
# ends with one fails (an in-place edit). The variable carries it into CLI subprocesses.
os.environ[STRICT_ENV] = "1"
Graph.strict_default = True

__all__ = ["REPO", "CliResult", "invoke_cli", "missing_tool", "run_cli"]

# CI replays the same examples on every run, so a red CI is a reproducible failure, not a
# draw; developers' runs stay random and find new cases (AISPM_FUZZ_EXAMPLES raises the count).
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


# Tests that cross a process or network boundary to a real server or tool are `integration`;
# those that take more than a few seconds are `slow` (`pytest -m "not slow"` is the quick
# loop, `-m "not integration"` the pure one). A test gets the marks from the fixtures it uses;
# a module that starts its own server or child process sets `pytestmark` itself.
INTEGRATION_FIXTURES = frozenset(
    {"moto_env", "demo_server", "examples_server", "falkordb_url", "cypher_lint"}
)
SLOW_FIXTURES = frozenset({"moto_env"})  # every moto test collects an estate first


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        if used & INTEGRATION_FIXTURES:
            item.add_marker(pytest.mark.integration)
        if used & SLOW_FIXTURES:
            item.add_marker(pytest.mark.slow)


def missing_tool(reason: str) -> None:
    """Skip when a system tool is missing on a developer machine; fail in CI, where
    scripts/test.sh installs it, so a broken install can never pass as a skip."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI installs it through scripts/test.sh)")
    pytest.skip(reason)


def require_module(name: str, reason: str) -> Any:
    """``pytest.importorskip`` for a package of the ``test`` extra: a skip on a developer
    machine without it, a failure in CI, which installs the extra."""
    try:
        return importlib.import_module(name)
    except ImportError:
        missing_tool(reason)
        raise


@pytest.fixture(scope="session")
def demo_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    ws = tmp_path_factory.mktemp("demo") / "ws"
    res = invoke_cli("demo", workspace=ws)
    assert res.code == 0, res.err
    return ws


@pytest.fixture(scope="session")
def demo_paths(demo_ws: Path) -> dict[str, Any]:
    res = invoke_cli("paths", "--format", "json", workspace=demo_ws)
    assert res.code == 0, res.err
    data: dict[str, Any] = res.json()
    return data
