"""GCP transform + IAM deriver cost against bare graph insertion of what they produce.

The estate is N copies of the demo's projects (``fixtures/demo/gcp/assets.json``), each copy
under its own project id and number, all under one organization, plus one organization-level
binding so inheritance fans out over every copy. *Build* is ``build_graph`` over the raw asset
documents (normalise and scrub, merge, transform, IAM expansion, exposure); *bare* is
``networkx.MultiDiGraph.add_nodes_from / add_edges_from`` of the resulting nodes and edges.

    .venv/bin/python benchmarks/bench_gcp.py 10 100 300

Measured 2026-11-30 on the shared 2-core machine (other jobs running):

| copies | assets | nodes | edges | bare s | build s | build/bare | build us/asset |
| --- | --- | --- | --- | --- | --- | --- | --- |
| 10 | 1,095 | 917 | 2,903 | 0.039 | 0.573 | 14.9 | 523 |
| 100 | 10,905 | 9,107 | 29,003 | 1.023 | 5.154 | 5.0 | 473 |
| 300 | 32,705 | 27,307 | 87,003 | 3.377 | 15.818 | 4.7 | 484 |

Linear in assets (about 0.5 ms each, a third of it the IAM expansion); build stays about 5x
bare insertion once fixed costs are amortised.
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path
from typing import Any

import networkx as nx

from aispm_graph.build import BuildContext, build_graph
from aispm_graph.workspace import Document

DEMO = Path(__file__).resolve().parents[1] / "fixtures" / "demo" / "gcp" / "assets.json"


def estate(copies: int) -> list[Document]:
    rows = json.loads(DEMO.read_text(encoding="utf-8"))
    text = json.dumps(rows)
    docs: list[Document] = []
    for i in range(copies):
        # New project ids and numbers for every copy; the org and folder stay shared.
        t = text.replace("acme-vertex-", f"acme{i:04d}-vertex-")
        t = re.sub(r"7145236980(12|99)", lambda m, i=i: f"8{i:06d}{m.group(1)}0", t)
        for row in json.loads(t):
            body = row["body"]
            if i and body["asset_type"].endswith(("Organization", "Folder")):
                continue
            docs.append(Document("gcp", f"copy{i}", row["key"], body))
    docs.append(
        Document(
            "gcp",
            "org",
            "iam",
            {
                "assets": [
                    {
                        "name": "//cloudresourcemanager.googleapis.com/organizations/411122223333",
                        "asset_type": "cloudresourcemanager.googleapis.com/Organization",
                        "iam_policy": {
                            "bindings": [
                                {
                                    "role": "roles/aiplatform.user",
                                    "members": ["group:ml-everyone@acme.example"],
                                }
                            ]
                        },
                        "ancestors": ["organizations/411122223333"],
                    }
                ]
            },
        )
    )
    return docs


def run(copies: int) -> dict[str, Any]:
    docs = estate(copies)
    assets = sum(len(d.body["assets"]) for d in docs)
    t0 = time.perf_counter()
    graph = build_graph(docs, BuildContext())
    build_s = time.perf_counter() - t0
    nodes = list(graph.g.nodes(data=True))
    edges = list(graph.g.edges(keys=True, data=True))
    t0 = time.perf_counter()
    bare = nx.MultiDiGraph()
    bare.add_nodes_from(nodes)
    bare.add_edges_from(edges)
    bare_s = time.perf_counter() - t0
    return {
        "copies": copies,
        "assets": assets,
        "nodes": len(nodes),
        "edges": len(edges),
        "bare_s": round(bare_s, 3),
        "build_s": round(build_s, 3),
        "build_per_bare": round(build_s / bare_s, 1),
        "build_us_per_asset": round(build_s / assets * 1e6, 1),
    }


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [10, 100]
    cols = [
        "copies",
        "assets",
        "nodes",
        "edges",
        "bare_s",
        "build_s",
        "build_per_bare",
        "build_us_per_asset",
    ]
    print("| " + " | ".join(cols) + " |")
    print("|" + " --- |" * len(cols))
    for n in sizes:
        row = run(n)
        print("| " + " | ".join(str(row[c]) for c in cols) + " |", flush=True)


if __name__ == "__main__":
    main()
