"""Everything after the path search, against the search itself, as the path count grows.

On the path-explosion account (``aispm synth --profile explosion``: a clique of 12 roles that
trust each other), ``--all-routes`` listings are cut at growing caps (5,000 to 50,000 paths),
and every consumer of paths runs on each: choke points (ranking plus minimum cut), what-if
(the engine re-run on the changed graph, plus the comparison), what-if's comparison alone, diff
(drift), recommendation priority, the report's data (every section the CLI computes: choke
points and recommendations included) and every report format (HTML, Markdown,
CSV sections, SARIF, OCSF, JSON). Each is reported as a ratio to the path search that produced
the paths, measured in the same process, in CPU seconds (the machine is shared): linear
consumers keep the ratio flat as the cap grows; a quadratic one (the list membership test
choke points had) makes it grow with the cap.

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
from aispm_graph.analysis.fixes import GraphOp
from aispm_graph.analysis.models import PathResult
from aispm_graph.analysis.whatif import compare, what_if
from aispm_graph.build import build_graph
from aispm_graph.graph.model import Graph
from aispm_graph.recommendations.evaluate import evaluate
from aispm_graph.report import build_report_data, render
from aispm_graph.synth import synth_document
from aispm_graph.workspace import Document

CSV_SECTIONS = ("paths", "chokepoints", "recommendations")


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t = time.process_time()
    out = fn()
    return time.process_time() - t, out


def _consumers(graph: Graph, result: PathResult, opts: PathOptions) -> dict[str, float]:
    """CPU seconds of each consumer of ``result``."""
    from aispm_graph.cli.report_output import csv_section

    half = result.model_copy(update={"paths": result.paths[::2]})
    # What-if removes the first hop of the riskiest path: a real change the engine re-runs on.
    first = result.paths[0].edges[0]
    op = GraphOp("remove-edge", source=first.source, kind=first.kind, target=first.target)
    cells: dict[str, Callable[[], Any]] = {
        "chokepoints": lambda: chokepoints(graph, result.paths),
        "whatif": lambda: what_if(graph, [op], before=result, options=opts),
        "whatif compare": lambda: compare(result, half, ["bench"]),
        "diff": lambda: drift("a", graph, result, "b", graph, half),
        "recommendations": lambda: evaluate(graph, result.paths),
    }
    out = {name: timed(fn)[0] for name, fn in cells.items()}
    out["report data"], data = timed(lambda: build_report_data(graph, result))
    for fmt in ("html", "md", "sarif", "ocsf", "json"):
        out[fmt] = timed(lambda fmt=fmt: render(data, fmt))[0]
    out["csv"] = sum(timed(lambda s=s: csv_section(data, s))[0] for s in CSV_SECTIONS)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--principals", type=int, default=1000)
    ap.add_argument("--caps", default="5000,20000,50000")
    args = ap.parse_args()
    doc = synth_document(args.principals, profile="explosion")
    graph = build_graph([Document("graph", "synthetic", "synthetic", doc)])
    print(f"explosion account: {args.principals} principals, {len(graph)} nodes", flush=True)
    header: list[str] | None = None
    for cap in (int(c) for c in args.caps.split(",")):
        opts = PathOptions(entry="credentials", all_routes=True, max_paths=cap)
        search, result = timed(lambda opts=opts: find_paths(graph, opts))
        ratios = {name: secs / search for name, secs in _consumers(graph, result, opts).items()}
        if header is None:
            header = list(ratios)
            print("| paths | search CPU s | " + " | ".join(header) + " |")
            print("| " + " | ".join(["---"] * (len(header) + 2)) + " |")
        print(
            f"| {len(result.paths):,} | {search:.1f} | "
            + " | ".join(f"{ratios[h]:.2f}x" for h in header)
            + " |",
            flush=True,
        )


if __name__ == "__main__":
    main()
