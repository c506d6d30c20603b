"""Everything after the path search, against the search itself, as the path count grows.

On the path-explosion account (``aispm synth --profile explosion``), ``--all-routes`` listings
are cut at growing caps (5,000 to 50,000 paths), and every consumer of paths runs on each:
choke points (ranking plus minimum cut), what-if's comparison, diff (drift), recommendation
priority, and the report formats (SARIF, OCSF, Markdown, JSON). Each is reported as a ratio to
the path search that produced the paths, measured in the same process: linear consumers keep
the ratio flat as the cap grows; a quadratic one (the list membership test choke points had)
makes it grow with the cap.

    python benchmarks/bench_consumers.py --principals 1000 --caps 5000,20000,50000
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

from aispm_graph.analysis.chokepoints import chokepoints
from aispm_graph.analysis.drift import drift
from aispm_graph.analysis.engine import PathOptions, find_paths
from aispm_graph.analysis.models import PathResult
from aispm_graph.analysis.whatif import compare
from aispm_graph.build import build_graph
from aispm_graph.graph.model import Graph
from aispm_graph.recommendations.evaluate import evaluate
from aispm_graph.report import build_report_data, render
from aispm_graph.synth import synth_document
from aispm_graph.workspace import Document


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def _consumers(graph: Graph, result: PathResult) -> dict[str, float]:
    """Seconds of each consumer of ``result``."""
    half = result.model_copy(update={"paths": result.paths[::2]})
    cells: dict[str, Callable[[], Any]] = {
        "chokepoints": lambda: chokepoints(graph, result.paths),
        "whatif compare": lambda: compare(result, half, ["bench"]),
        "diff": lambda: drift("a", graph, result, "b", graph, half),
        "recommendations": lambda: evaluate(graph, result.paths),
    }
    out = {name: timed(fn)[0] for name, fn in cells.items()}
    data = build_report_data(graph, result, providers={})
    for fmt in ("sarif", "ocsf", "md", "json"):
        out[fmt] = timed(lambda fmt=fmt: render(data, fmt))[0]
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--principals", type=int, default=1000)
    ap.add_argument("--caps", default="5000,20000,50000")
    args = ap.parse_args()
    doc = synth_document(args.principals, profile="explosion")
    graph = build_graph([Document("graph", "synthetic", "synthetic", doc)])
    print(f"explosion account: {args.principals} principals, {len(graph)} nodes")
    print(
        "| paths | search s | chokepoints | whatif compare | diff | recommendations | "
        "sarif | ocsf | md | json |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for cap in (int(c) for c in args.caps.split(",")):
        opts = PathOptions(entry="credentials", all_routes=True, max_paths=cap)
        search, result = timed(lambda opts=opts: find_paths(graph, opts))
        ratios = {name: secs / search for name, secs in _consumers(graph, result).items()}
        print(
            f"| {len(result.paths):,} | {search:.1f} | "
            + " | ".join(f"{r:.2f}x" for r in ratios.values())
            + " |",
            flush=True,
        )


if __name__ == "__main__":
    main()
