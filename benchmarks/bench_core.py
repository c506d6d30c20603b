"""Core benchmark: build and analysis time and peak memory on synthetic estates.

Reports, per estate size, our build and analysis next to two baselines measured in the same
run: bare NetworkX insertion of the same nodes and edges, and naive enumeration
(``nx.all_simple_paths`` from every entry to every target with the same cutoff, stopped at a
time budget). Each size runs in its own process so peak memory (max RSS) is its own.

    python benchmarks/bench_core.py 10000 100000 1000000 [--naive-budget 300]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from typing import Any


def run_one(n: int, naive_budget: float) -> dict[str, Any]:
    import networkx as nx

    from aispm_graph.analysis.engine import PathOptions, find_paths
    from aispm_graph.analysis.targets import find_targets
    from aispm_graph.build import build_graph
    from aispm_graph.synth import synth_document
    from aispm_graph.workspace import Document

    doc = synth_document(n)
    out: dict[str, Any] = {"resources": n, "nodes": len(doc["nodes"]), "edges": len(doc["edges"])}

    t = time.perf_counter()
    bare: nx.MultiDiGraph = nx.MultiDiGraph()
    bare.add_nodes_from(
        (r["id"], {"kind": r["kind"], "name": r["name"], **r["properties"]}) for r in doc["nodes"]
    )
    bare.add_edges_from(
        (e["source"], e["target"], e["kind"], {"kind": e["kind"], "evidence": e["evidence"]})
        for e in doc["edges"]
    )
    out["bare_insert_s"] = round(time.perf_counter() - t, 3)
    del bare

    t = time.perf_counter()
    graph = build_graph([Document("graph", "synthetic", "synthetic", doc)])
    out["build_s"] = round(time.perf_counter() - t, 3)
    out["build_vs_bare"] = round(out["build_s"] / out["bare_insert_s"], 2)
    del doc

    t = time.perf_counter()
    result = find_paths(graph, PathOptions())
    out["analysis_s"] = round(time.perf_counter() - t, 3)
    out["paths"] = len(result.paths)
    out["truncated"] = result.truncated

    attack = graph.attack_subgraph()
    targets = [t for t in find_targets(graph) if t in attack]
    t = time.perf_counter()
    deadline = t + naive_budget
    naive_paths, finished = 0, True
    for target in targets:
        for _p in nx.all_simple_paths(attack, "internet", target, cutoff=8):
            naive_paths += 1
            if naive_paths % 256 == 0 and time.perf_counter() > deadline:
                finished = False
                break
        if not finished or time.perf_counter() > deadline:
            finished = finished and time.perf_counter() <= deadline
            if not finished:
                break
    out["naive_s"] = round(time.perf_counter() - t, 3)
    out["naive_finished"] = finished
    out["naive_paths_raw"] = naive_paths
    out["analysis_speedup_vs_naive"] = round(out["naive_s"] / max(out["analysis_s"], 1e-6), 1)
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("sizes", nargs="*", type=int, default=[10_000, 100_000])
    ap.add_argument("--naive-budget", type=float, default=300.0)
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.naive_budget)))
        return
    rows = []
    for n in args.sizes:
        proc = subprocess.run(
            [sys.executable, __file__, "--one", str(n), "--naive-budget", str(args.naive_budget)],
            capture_output=True,
            text=True,
            check=True,
        )
        rows.append(json.loads(proc.stdout.strip().splitlines()[-1]))
        print(json.dumps(rows[-1]), flush=True)
    print()
    print(
        "| resources | nodes | edges | bare insert s | build s | build/bare | analysis s | "
        "paths | naive s | naive/analysis | peak RSS MB |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        naive = f"{r['naive_s']}" + ("" if r["naive_finished"] else " (stopped)")
        ratio = f"{r['analysis_speedup_vs_naive']}x" + ("" if r["naive_finished"] else "+")
        print(
            f"| {r['resources']:,} | {r['nodes']:,} | {r['edges']:,} | {r['bare_insert_s']} | "
            f"{r['build_s']} | {r['build_vs_bare']} | {r['analysis_s']} | {r['paths']} | "
            f"{naive} | {ratio} | {r['peak_rss_mb']} |"
        )


if __name__ == "__main__":
    main()
