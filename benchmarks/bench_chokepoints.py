"""Choke points and what-if on a synthetic estate, timed against one full analysis.

Run by hand (not part of the test suite)::

    .venv/bin/python benchmarks/bench_chokepoints.py --resources 100000

The estate comes from :mod:`aispm_graph.synth` (the same generator as ``aispm synth``) and goes
through the real build (derivers included). Reported figures are ratios against one
``find_paths`` run measured in the same process, so they compare across machines:

* ``chokepoints``: ranking (from the paths of that run) plus the minimum fix set (a minimum cut
  of the attack graph; target: within 3x one analysis; the claim check below is extra).
* ``whatif``: copy the graph, apply the top fix, re-run the engine, compare.
* ``verify``: the top choke point's claim re-checked by the engine (closed == claimed).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from aispm_graph.analysis.chokepoints import chokepoints
from aispm_graph.analysis.engine import find_paths
from aispm_graph.analysis.fixes import apply_ops, collect_fixes, edge_fixes
from aispm_graph.analysis.whatif import what_if
from aispm_graph.build import BuildContext, build_graph
from aispm_graph.synth import synth_document
from aispm_graph.workspace import Document


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--resources", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--profile", default="org", help="synthetic profile (org, sparse, explosion)")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    t = time.perf_counter()
    doc = synth_document(args.resources, args.seed, args.profile)
    graph = build_graph([Document("graph", "synthetic", "synthetic", doc)], BuildContext())
    print(
        f"estate: {args.resources} resources -> {len(graph)} nodes, {graph.edge_count} edges "
        f"(generated and built in {time.perf_counter() - t:.1f}s)"
    )

    base, result = timed(lambda: find_paths(graph), args.repeat)
    levels = {lv: sum(p.risk.level == lv for p in result.paths) for lv in ("critical", "high")}
    print(f"analysis (find_paths): {base:.3f}s, {len(result.paths)} paths {levels}")

    ck, report = timed(lambda: chokepoints(graph, result.paths), args.repeat)
    print(
        f"chokepoints: {ck:.3f}s = {ck / base:.2f}x analysis; method {report.method}; "
        f"{len(report.minimum_set)} fixes cut off {report.pairs_cut} critical/high pairs"
    )
    print(f"  {report.method_detail}")

    if not report.fixes:
        print("no fixes to apply (no paths)")
        return 0
    top = report.fixes[0]
    fixes = {**edge_fixes(graph), **collect_fixes(result.paths)}
    wi, (wreport, _after) = timed(
        lambda: what_if(graph, fixes[top.id].ops, before=result), args.repeat
    )
    print(
        f"whatif (top fix {top.id}): {wi:.3f}s = {wi / base:.2f}x analysis; closed "
        f"{len(wreport.closed)}, remaining {len(wreport.remaining)}"
    )
    after = {p.id for p in find_paths(apply_ops(graph, fixes[top.id].ops)).paths}
    closed = {p.id for p in result.paths} - after
    ok = closed == set(top.closes)
    print(f"verify: top fix closes exactly its {len(top.closes)} claimed path(s): {ok}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
