"""What a built graph holds that the schema does not declare.

``python -m aispm_graph.schema.audit [WORKSPACE | GRAPH.json]`` prints, per node kind, the
property keys no ``Prop`` of that kind declares; per edge kind, the evidence keys missing from
``evidence_keys``; and edges whose endpoints lack the kind's ``source_labels`` /
``target_labels``. Declare them in ``aispm_graph/schema/properties.py`` (or on the kind in
``nodes.py``), ``evidence.py`` and ``edges.py``, then regenerate ``docs/schema.md`` and
``keys.py``. Exit 1 when anything is undeclared, 2 when the input cannot be read. Tests run
with strict graphs, which refuse the same gaps where they are written; this command finds them
in a graph built without (a user's workspace, a branch's build).
"""

from __future__ import annotations

import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from aispm_graph.graph.model import RESERVED_NODE_KEYS, Graph
from aispm_graph.schema import edge_kinds, node_kinds


@dataclass
class Audit:
    """Undeclared keys by kind, each with one example id so the owner can find it."""

    node_props: dict[str, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))
    evidence: dict[str, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))
    endpoints: dict[str, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))

    def keys(self) -> set[str]:
        """``node Kind.key``, ``evidence KIND.key``, ``endpoint KIND.side:Kind``: one per gap."""
        return {
            f"{section} {kind}.{key}"
            for section, table in (
                ("node", self.node_props),
                ("evidence", self.evidence),
                ("endpoint", self.endpoints),
            )
            for kind, keys in table.items()
            for key in keys
        }

    def empty(self) -> bool:
        return not (self.node_props or self.evidence or self.endpoints)

    def lines(self) -> list[str]:
        out: list[str] = []
        for title, table, where in (
            ("node properties", self.node_props, "aispm_graph/schema/properties.py"),
            ("edge evidence keys", self.evidence, "aispm_graph/schema/evidence.py"),
            ("edge endpoint labels", self.endpoints, "aispm_graph/schema/edges.py (*_labels)"),
        ):
            if not table:
                continue
            out.append(f"undeclared {title}, declare in {where}:")
            for kind in sorted(table):
                for key, example in sorted(table[kind].items()):
                    out.append(f"  {kind}.{key}  (e.g. {example})")
        return out


def audit(graph: Graph) -> Audit:
    result = Audit()
    nodes, edges = node_kinds(), edge_kinds()
    for node_id, data in graph.nodes():
        kind = nodes[data["kind"]]
        declared = {p.name for p in kind.props}
        for key in data:
            if key not in RESERVED_NODE_KEYS and key not in declared:
                result.node_props[kind.name].setdefault(key, node_id)
    for source, target, data in graph.edges():
        ekind = edges[data["kind"]]
        where = f"{source} -> {target}"
        for key in data.get("evidence") or {}:
            if key not in ekind.evidence_keys:
                result.evidence[ekind.name].setdefault(key, where)
        for side, node_id, wanted in (
            ("source", source, ekind.source_labels),
            ("target", target, ekind.target_labels),
        ):
            if wanted and not set(map(str, wanted)) & set(graph.labels(node_id)):
                kind = graph.node(node_id)["kind"]
                result.endpoints[ekind.name].setdefault(f"{side}:{kind}", where)
    return result


def _load(arg: str) -> Graph:
    from aispm_graph.store import load_graph
    from aispm_graph.workspace import Workspace

    path = Path(arg)
    if path.is_file():
        return load_graph(path)[0]
    snap = Workspace(path).latest_built()
    return load_graph(snap.graph_path)[0]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    target = args[0] if args else ".aispm"
    try:
        graph = _load(target)
    except Exception as exc:  # any unreadable input is one line, exit 2
        print(f"audit: {target}: {exc}", file=sys.stderr)
        return 2
    result = audit(graph)
    for line in result.lines():
        print(line)
    if result.empty():
        print("every node property, evidence key and edge endpoint is declared")
        return 0
    return 1


if __name__ == "__main__":
    sys.exit(main())
