"""Core benchmark: build, path analysis and choke points on synthetic estates, as ratios.

Every figure is next to a baseline measured in the same run (the machine is shared and noisy;
compare ratios, not seconds):

* build / bare: ``aispm build`` of the estate against bare NetworkX insertion of the same
  nodes and edges (the document as written, plus the edges the build derives);
* analysis / BFS: ``find_paths`` with default options against extracting the attack subgraph
  plus one forward and one backward breadth-first search over it;
* credentials / build and chokepoints / build: ``paths --entry credentials`` and
  ``chokepoints`` on the same estate against its build;
* optionally naive enumeration (``nx.all_simple_paths``, stopped at a budget).

Each size runs in its own process so peak memory (max RSS) is its own: ``build_peak_rss_mb``
is the high-water mark when the build returns (the generated document, which the build frees
once loaded, the build's temporaries and the graph), ``save_peak_rss_mb`` after saving the
graph as ``aispm build`` does (``store.save_graph``; with the build, the command's peak),
``peak_rss_mb`` the one at the end (bare insertion and the analyses too). Times are CPU seconds
of that process (``time.process_time``): on a shared machine wall time mostly measures the
other jobs. ``find_paths`` holds the cyclic garbage collector while it searches, so its
baseline is measured with the collector held too (same conditions); ``bfs_gc_s`` is the
baseline with the collector running, for comparison.

    python benchmarks/bench_core.py --quick                      # two sizes, under a minute
    python benchmarks/bench_core.py 100000 300000 1000000         # org profile
    python benchmarks/bench_core.py --profile sparse 10000 100000
    python benchmarks/bench_core.py --profile explosion 300 1000  # IAM principals
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections import deque
from pathlib import Path
from typing import Any

QUICK = {"org": [4_000, 16_000], "sparse": [10_000, 40_000], "explosion": [100, 400]}


def _bfs(adj: Any, starts: list[str]) -> int:
    seen = set(starts)
    queue = deque(starts)
    while queue:
        for v in adj(queue.popleft()):
            if v not in seen:
                seen.add(v)
                queue.append(v)
    return len(seen)


def run_one(n: int, profile: str, naive_budget: float) -> dict[str, Any]:
    import networkx as nx

    from aispm_graph.analysis.chokepoints import chokepoints
    from aispm_graph.analysis.engine import PathOptions, find_paths
    from aispm_graph.analysis.targets import find_entries, find_targets
    from aispm_graph.build import BuildContext, build_graph
    from aispm_graph.store import save_graph
    from aispm_graph.synth import synth_document
    from aispm_graph.workspace import Document

    clock = time.process_time
    docs = [Document("graph", "synthetic", "synthetic", synth_document(n, profile=profile))]
    out: dict[str, Any] = {"profile": profile, "resources": n}
    out["synth_rss_mb"] = _peak_rss_mb()

    def handoff() -> Any:
        # The build, not the benchmark, holds the document: as ``aispm build`` reads a
        # snapshot, so the build can free it once loaded and its peak is its own.
        while docs:
            yield docs.pop()

    ctx = BuildContext()
    t = clock()
    graph = build_graph(handoff(), ctx)
    out["build_s"] = round(clock() - t, 3)
    # High-water mark of the process up to the end of the build: the generated document
    # (freed once loaded), the build's temporaries and the built graph.
    out["build_peak_rss_mb"] = _peak_rss_mb()
    # What ``aispm build`` does next: save the graph into the snapshot (a stream, see
    # ``store.save_graph``), so its peak is the command's.
    with tempfile.TemporaryDirectory() as tmp:
        t = clock()
        save_graph(graph, Path(tmp) / "graph.json.zst", meta={"snapshot": "bench"})
        out["save_s"] = round(clock() - t, 3)
    out["save_peak_rss_mb"] = _peak_rss_mb()
    slow = max(ctx.timings, key=lambda x: x[2])
    out["slowest_pass"] = f"{slow[1]} {slow[2]:.2f}s"  # wall seconds (the build's own timer)
    out["nodes"], out["edges"] = len(graph), graph.edge_count
    out["edges_per_node"] = round(graph.edge_count / max(1, len(graph)), 2)

    # Bare insertion of the same nodes and (built) edges with their attributes. The tuples
    # refer to the built graph's attribute dicts: ``add_nodes_from``/``add_edges_from`` copy
    # every attribute dict they insert anyway, so copying them here too only doubled the
    # benchmark's memory (a gigabyte at 1M), not the work measured.
    nodes = list(graph.g.nodes(data=True))
    edges = list(graph.g.edges(keys=True, data=True))
    gc.collect()
    t = clock()
    bare: nx.MultiDiGraph = nx.MultiDiGraph()
    bare.add_nodes_from(nodes)
    bare.add_edges_from(edges)
    out["bare_s"] = round(clock() - t, 3)
    del bare
    # The build holds the cyclic collector (it makes almost no cycles), so the same insertion
    # with the collector held too is the work-for-work comparison; ``bare_s`` (collector
    # running, as before 2026-12-06 18:40) stays the headline baseline.
    gc.collect()
    gc.disable()
    t = clock()
    bare = nx.MultiDiGraph()
    bare.add_nodes_from(nodes)
    bare.add_edges_from(edges)
    out["bare_held_s"] = round(clock() - t, 3)
    gc.enable()
    del bare, nodes, edges
    out["bare_peak_rss_mb"] = _peak_rss_mb()  # the built graph and a bare copy side by side
    out["build_vs_bare"] = round(out["build_s"] / max(out["bare_s"], 1e-6), 2)
    out["build_vs_bare_held"] = round(out["build_s"] / max(out["bare_held_s"], 1e-6), 2)

    # Baseline of the analysis: the attack subgraph and one BFS each way, with the collector
    # running and held (as find_paths holds it).
    def baseline() -> tuple[Any, list[str]]:
        attack = graph.attack_subgraph()
        entries = [e for e in find_entries(graph, "internet") if e in attack]
        targets = [x for x in find_targets(graph) if x in attack]
        _bfs(attack.successors, entries)
        _bfs(attack.predecessors, targets)
        return attack, targets

    t = clock()
    baseline()
    out["bfs_gc_s"] = round(clock() - t, 3)
    gc.disable()
    t = clock()
    attack, targets = baseline()
    out["bfs_s"] = round(clock() - t, 3)
    gc.enable()

    t = clock()
    result = find_paths(graph, PathOptions())
    out["analysis_s"] = round(clock() - t, 3)
    out["paths"], out["pairs"] = len(result.paths), len(result.pairs)
    out["analysis_vs_bfs"] = round(out["analysis_s"] / max(out["bfs_s"], 1e-6), 2)
    out["analysis_vs_bfs_gc"] = round(out["analysis_s"] / max(out["bfs_gc_s"], 1e-6), 2)

    t = clock()
    cred = find_paths(graph, PathOptions(entry="credentials"))
    out["credentials_s"] = round(clock() - t, 3)
    out["credentials_paths"], out["credentials_pairs"] = len(cred.paths), len(cred.pairs)
    out["credentials_unlisted"] = cred.unlisted_routes
    out["credentials_counts_exact"] = all(p.exact for p in cred.pairs)
    out["credentials_truncated"] = cred.truncated
    out["credentials_vs_build"] = round(out["credentials_s"] / max(out["build_s"], 1e-6), 2)

    t = clock()
    report = chokepoints(graph, cred.paths)
    out["chokepoints_s"] = round(clock() - t, 3)
    out["chokepoints_method"] = report.method
    out["minimum_set"] = len(report.minimum_set)
    out["chokepoints_vs_build"] = round(
        (out["credentials_s"] + out["chokepoints_s"]) / max(out["build_s"], 1e-6), 2
    )

    if naive_budget > 0:
        t = clock()
        deadline = t + naive_budget
        found, finished = 0, True
        for target in targets:
            for _p in nx.all_simple_paths(attack, "internet", target, cutoff=8):
                found += 1
                if found % 256 == 0 and clock() > deadline:
                    finished = False
                    break
            if not finished or clock() > deadline:
                finished = finished and clock() <= deadline
                break
        out["naive_s"] = round(clock() - t, 3)
        out["naive_finished"] = finished
    out["peak_rss_mb"] = _peak_rss_mb()
    return out


def _peak_rss_mb() -> float:
    """The process's high-water mark of resident memory so far (Linux: kilobytes)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("sizes", nargs="*", type=int)
    ap.add_argument("--profile", choices=sorted(QUICK), default="org")
    ap.add_argument("--quick", action="store_true", help="two small sizes, under a minute")
    ap.add_argument("--naive-budget", type=float, default=0.0)
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.profile, args.naive_budget)))
        return
    sizes = args.sizes or (QUICK[args.profile] if args.quick else [100_000, 300_000])
    rows = []
    for n in sizes:
        proc = subprocess.run(
            [
                sys.executable,
                __file__,
                "--one",
                str(n),
                "--profile",
                args.profile,
                "--naive-budget",
                str(args.naive_budget),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        rows.append(json.loads(proc.stdout.strip().splitlines()[-1]))
        print(json.dumps(rows[-1]), flush=True)
    print()
    print(
        "| profile | resources | nodes | edges/node | bare s | build s "
        "| build/bare (bare with GC held) | slowest pass "
        "| analysis/BFS (GC running) | paths (pairs) | credentials s | cred/build "
        "| unlisted routes "
        "| chokepoints s | (cred+choke)/build | build peak RSS MB | peak RSS MB |"
    )
    print("| " + " | ".join(["---"] * 17) + " |")
    for r in rows:
        exact = "" if r["credentials_counts_exact"] else " (at least)"
        print(
            f"| {r['profile']} | {r['resources']:,} | {r['nodes']:,} | {r['edges_per_node']} | "
            f"{r['bare_s']} | {r['build_s']} | {r['build_vs_bare']} ({r['build_vs_bare_held']}) | "
            f"{r['slowest_pass']} | "
            f"{r['analysis_vs_bfs']} ({r['analysis_vs_bfs_gc']}) | "
            f"{r['paths']} ({r['pairs']}) | {r['credentials_s']} | "
            f"{r['credentials_vs_build']} | {r['credentials_unlisted']:,}{exact} | "
            f"{r['chokepoints_s']} ({r['chokepoints_method']}, {r['minimum_set']}) | "
            f"{r['chokepoints_vs_build']} | {r['build_peak_rss_mb']:,.0f} | "
            f"{r['peak_rss_mb']:,.0f} |"
        )
    if len(rows) >= 2:
        first, last = rows[0], rows[-1]
        print(
            f"\nbuild/bare {first['build_vs_bare']} at {first['resources']:,} -> "
            f"{last['build_vs_bare']} at {last['resources']:,}: quotient "
            f"{last['build_vs_bare'] / max(first['build_vs_bare'], 1e-6):.2f} "
            "(flat is 1.0; a pairwise pass grows it with the size)"
        )
        print(
            f"build peak RSS {first['build_peak_rss_mb']:,.0f} MB at {first['resources']:,} -> "
            f"{last['build_peak_rss_mb']:,.0f} MB at {last['resources']:,}: x"
            f"{last['build_peak_rss_mb'] / max(first['build_peak_rss_mb'], 1e-6):.2f} for x"
            f"{last['resources'] / max(first['resources'], 1):.2f} resources"
        )


if __name__ == "__main__":
    main()
