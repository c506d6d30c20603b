"""Everything after the path search does work linear in the number of paths (issue 16).

Choke points, what-if's comparison, diff, recommendation priority, the report's data and every
report format (HTML, Markdown, SARIF, OCSF, JSON, CSV) run on two ``--all-routes`` listings of
the path-explosion account (a 12-role assume-role clique), N and 4N paths. Work is counted,
never timed: every line of our own code that runs (``sys.monitoring`` line events) plus every
comparison and hash of an id the paths carry (path, entry, target, node, hop and fix ids are
made into a counting ``str``). A list membership test or a per-path re-scan of the listing
(what made choke points take 90 s at the 50,000-path cap) shows as ~16x; linear work is 4x,
sorting a little more. (Reinstating that membership test in ``analysis/fixes.py`` makes choke
points count 9.8x here.) JSON is pydantic's compiled serializer: only its call counts here, its
time is in ``benchmarks/bench_consumers.py``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import aispm_graph
from aispm_graph.analysis.chokepoints import chokepoints
from aispm_graph.analysis.drift import drift
from aispm_graph.analysis.engine import PathOptions, find_paths
from aispm_graph.analysis.models import PathResult
from aispm_graph.analysis.whatif import compare
from aispm_graph.build import BuildContext, build_graph
from aispm_graph.cli.report_output import csv_section
from aispm_graph.graph.model import Graph
from aispm_graph.recommendations.evaluate import evaluate
from aispm_graph.report import build_report_data, render
from aispm_graph.synth import synth_document
from aispm_graph.workspace import Document

N = 300
# Linear is 4x; sorting by id (n log n) about 5x at these sizes; quadratic ~16x.
LINEAR = 6.0
ROOT = str(Path(aispm_graph.__file__).resolve().parent)
TOOL = 4  # a sys.monitoring tool id that coverage (1) and profilers (2) do not use


class _Count:
    ops = 0


class _Id(str):
    """An id that counts its comparisons and hashes (dict and set look-ups hash once; a list
    membership test compares with every element)."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        _Count.ops += 1
        return str.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        _Count.ops += 1
        return str.__ne__(self, other)

    def __lt__(self, other: str) -> bool:
        _Count.ops += 1
        return str.__lt__(self, other)

    def __gt__(self, other: str) -> bool:
        _Count.ops += 1
        return str.__gt__(self, other)

    def __hash__(self) -> int:
        _Count.ops += 1
        return str.__hash__(self)


def _counting_ids(result: PathResult) -> PathResult:
    """The listing with every id it carries counting (same values, set past validation)."""
    for p in result.paths:
        for obj, names in (
            (p, ("id", "entry", "target")),
            *((n, ("id",)) for n in p.nodes),
            *((e, ("source", "target")) for e in p.edges),
            *((r, ("id",)) for r in p.remediation),
        ):
            for name in names:
                obj.__dict__[name] = _Id(getattr(obj, name))
    return result


def _work(fn: Callable[[], Any]) -> int:
    """Lines of our own code run by ``fn`` plus id comparisons and hashes."""
    mon = sys.monitoring
    lines = 0

    def line(code: Any, _line: int) -> Any:
        nonlocal lines
        if not code.co_filename.startswith(ROOT):
            return mon.DISABLE
        lines += 1
        return None

    mon.use_tool_id(TOOL, "aispm-work-count")
    try:
        mon.register_callback(TOOL, mon.events.LINE, line)
        mon.set_events(TOOL, mon.events.LINE)
        _Count.ops = 0
        fn()
        ops = _Count.ops
    finally:
        mon.set_events(TOOL, 0)
        mon.register_callback(TOOL, mon.events.LINE, None)
        mon.free_tool_id(TOOL)
        mon.restart_events()
    return lines + ops


def _consumers(graph: Graph, result: PathResult) -> dict[str, Callable[[], Any]]:
    half = result.model_copy(update={"paths": result.paths[::2]})
    data = build_report_data(graph, result)
    cells: dict[str, Callable[[], Any]] = {
        "chokepoints": lambda: chokepoints(graph, result.paths),
        "whatif compare": lambda: compare(result, half, ["test"]),
        "diff": lambda: drift("a", graph, result, "b", graph, half),
        "recommendations": lambda: evaluate(graph, result.paths),
        "report data": lambda: build_report_data(graph, result),
    }
    for fmt in ("html", "md", "sarif", "ocsf", "json"):
        cells[fmt] = lambda fmt=fmt: render(data, fmt)
    for section in ("paths", "chokepoints", "recommendations"):
        cells[f"csv {section}"] = lambda section=section: csv_section(data, section)
    return cells


CONSUMERS = [
    "chokepoints",
    "whatif compare",
    "diff",
    "recommendations",
    "report data",
    "html",
    "md",
    "sarif",
    "ocsf",
    "json",
    "csv paths",
    "csv chokepoints",
    "csv recommendations",
]


@pytest.fixture(scope="module")
def work() -> dict[str, tuple[int, int]]:
    doc = synth_document(100, profile="explosion")
    graph = build_graph([Document("graph", "synthetic", "synthetic", doc)], BuildContext())
    counted: dict[str, list[int]] = {}
    for cap in (N, 4 * N):
        result = find_paths(graph, PathOptions(entry="credentials", all_routes=True, max_paths=cap))
        assert len(result.paths) == cap and result.truncated
        for name, fn in _consumers(graph, _counting_ids(result)).items():
            counted.setdefault(name, []).append(_work(fn))
    return {name: (small, large) for name, (small, large) in counted.items()}


def test_every_consumer_is_measured(work: dict[str, tuple[int, int]]) -> None:
    assert sorted(work) == sorted(CONSUMERS)


@pytest.mark.parametrize("consumer", CONSUMERS)
def test_consumer_work_is_linear_in_the_paths(
    work: dict[str, tuple[int, int]], consumer: str
) -> None:
    small, large = work[consumer]
    assert small > 0
    assert large / small <= LINEAR, (consumer, small, large)


def test_the_count_sees_a_list_membership_test() -> None:
    """The instrument itself: a per-path list membership test (the old choke-point bug) must
    count as quadratic, or the tests above prove nothing."""

    def quadratic(ids: list[str]) -> int:
        seen: list[str] = []
        for i in ids:
            if i not in seen:
                seen.append(i)
        return len(seen)

    small = _work(lambda: quadratic([_Id(f"ap-{i}") for i in range(N)]))
    large = _work(lambda: quadratic([_Id(f"ap-{i}") for i in range(4 * N)]))
    assert large / small > 10
