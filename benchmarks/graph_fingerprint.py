"""Dump a built synthetic estate canonically, to prove a speed change kept the graph identical.

A speed-up of a deriver must not change what it derives: the same nodes and edges, every
property and evidence value, and the iteration order (reports, golden files and the path
search's tie-breaks follow it). Run this on two checkouts and compare the files:

    PYTHONPATH=/path/to/main python benchmarks/graph_fingerprint.py org 8000 /tmp/a.jsonl
    PYTHONPATH=$PWD          python benchmarks/graph_fingerprint.py org 8000 /tmp/b.jsonl
    cmp /tmp/a.jsonl /tmp/b.jsonl

One JSON line per node, then one per edge, in the graph's own iteration order; the last line
is the build's warnings. Values that JSON cannot hold are written with ``repr``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def _canon(value: Any) -> Any:
    return json.loads(json.dumps(value, sort_keys=True, default=repr))


def main(argv: list[str]) -> int:
    if len(argv) != 3 or not argv[1].isdigit():
        print("usage: graph_fingerprint.py PROFILE RESOURCES OUT.jsonl", file=sys.stderr)
        return 2
    profile, n, out_path = argv[0], int(argv[1]), argv[2]

    from aispm_graph.build import BuildContext, build_graph
    from aispm_graph.synth import synth_document
    from aispm_graph.workspace import Document

    doc = synth_document(n, profile=profile)
    ctx = BuildContext()
    graph = build_graph([Document("graph", "synthetic", "synthetic", doc)], ctx)
    with Path(out_path).open("w", encoding="utf-8") as fh:
        for nid, data in graph.g.nodes(data=True):
            fh.write(json.dumps(["node", nid, _canon(dict(data))]) + "\n")
        for src, dst, key, data in graph.g.edges(keys=True, data=True):
            fh.write(json.dumps(["edge", src, dst, key, _canon(dict(data))]) + "\n")
        fh.write(json.dumps(["warnings", _canon(list(getattr(ctx, "warnings", [])))]) + "\n")
    print(f"{out_path}: {len(graph)} nodes, {graph.edge_count} edges")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
