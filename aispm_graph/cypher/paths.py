"""Attack-path search run server-side, giving the same paths as the embedded engine.

The server enumerates simple paths over attack-step relationships only, from the entries to
the first target reached, within the hop bound, and returns node-id sequences. Entries and
targets are decided by the engine's own rules (:mod:`aispm_graph.analysis.targets`), applied to
the local graph or, without one, to node properties read from the server; the engine's
``make_path`` then scores and explains each sequence and its ``rank_key`` orders them. So ids,
order and risk are those of ``aispm paths`` on the same graph; only the enumeration moves.
When no local graph is at hand, the nodes and relationships on the paths are read back from
the server into a :class:`Graph` first.
"""

from __future__ import annotations

import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from aispm_graph.analysis.engine import PathOptions, best_of_each_pair, make_path, rank_key
from aispm_graph.analysis.models import PathResult, PathStats
from aispm_graph.analysis.targets import (
    OUTSIDE_KINDS,
    find_entries,
    find_targets,
    is_credential_entry,
    passes_on,
    target_class,
)
from aispm_graph.cypher import names
from aispm_graph.cypher.connection import Connection, CypherError
from aispm_graph.cypher.names import NODE_LABEL
from aispm_graph.cypher.writer import EXPORT_ID_PROP, unflatten_props
from aispm_graph.graph.model import RESERVED_NODE_KEYS, Graph
from aispm_graph.schema import (
    INTERNET_ID,
    Label,
    TargetClass,
    attack_edge_kinds,
    node_kinds,
)

#: Properties the exporter adds; not part of the resource.
EXPORT_META = frozenset({names.SNAPSHOT_PROP, EXPORT_ID_PROP, names.JSON_PROPS})


@dataclass
class CypherPathSearch:
    """What the server found: node-id sequences in a stable order, and whether a cap cut it."""

    sequences: list[list[str]] = field(default_factory=list)
    truncated: bool = False
    limit: int = 0


def path_query(max_hops: int) -> str:
    """Simple attack-step paths from an entry to the first target, at most ``max_hops`` long.

    ``$stops`` are the targets a path may not run through: every target but the agents, which
    pass the path on (:func:`aispm_graph.analysis.targets.passes_on`).

    The hop bound is spliced in as an integer (Cypher takes no parameter there); entries and
    targets are parameters. Several attack kinds between one pair collapse into one hop, as in
    the engine, by returning distinct node sequences.
    """
    if not isinstance(max_hops, int) or isinstance(max_hops, bool) or not 1 <= max_hops <= 32:
        raise ValueError("max_hops must be an integer from 1 to 32")
    node = names.label(NODE_LABEL)
    types = names.rel_types(attack_edge_kinds())
    return (
        f"MATCH (e:{node})\n"
        "WHERE e.id IN $entries\n"
        f"MATCH p = (e)-[{types}*1..{max_hops}]->(t:{node})\n"
        "WHERE t.id IN $targets\n"
        "WITH [n IN nodes(p) | n.id] AS ids\n"
        "WHERE ALL(i IN range(0, size(ids) - 2) WHERE NOT ids[i] IN ids[i + 1..])\n"
        "  AND NONE(x IN ids[1..size(ids) - 1] WHERE x IN $stops)\n"
        "RETURN DISTINCT ids\n"
        "LIMIT $limit"
    )


def candidates_query() -> str:
    """Properties the target and entry rules read, for nodes that could be either."""
    node = names.label(NODE_LABEL)
    return (
        f"MATCH (n:{node})\n"
        "WHERE n.kind IN $kinds OR n.criticality IS NOT NULL\n"
        "RETURN n.id AS id, n.kind AS kind, n.data_role AS data_role, n.ai_key AS ai_key,\n"
        "       n.criticality AS criticality, n.long_lived_credentials AS long_lived_credentials"
    )


def authenticates_query() -> str:
    """Identities that a credential entry authenticates as: reached through it, so not an
    entry of their own (one route, one path)."""
    node = names.label(NODE_LABEL)
    auth = names.rel_types(["AUTHENTICATES_AS"])
    return (
        f"MATCH (a:{node})-[{auth}]->(b:{node})\n"
        "WHERE a.id IN $creds AND b.id IN $ids\n"
        "RETURN DISTINCT b.id AS id"
    )


def serves_query() -> str:
    node = names.label(NODE_LABEL)
    serves = names.rel_types(["SERVES"])
    return (
        f"MATCH (a:{node})-[{serves}]->(b:{node})\n"
        "WHERE a.id IN $ids AND b.id IN $ids\n"
        "RETURN DISTINCT a.id AS id"
    )


def subgraph_queries() -> tuple[str, str]:
    node = names.label(NODE_LABEL)
    nodes_q = f"MATCH (n:{node})\nWHERE n.id IN $ids\nRETURN n AS props"
    edges_q = (
        f"MATCH (a:{node})-[r]->(b:{node})\n"
        "WHERE a.id IN $ids AND b.id IN $ids\n"
        "RETURN a.id AS source, b.id AS target, type(r) AS kind, r.evidence AS evidence, "
        "r.confidence AS confidence"
    )
    return nodes_q, edges_q


def _candidate_kinds() -> list[str]:
    wanted = {Label.DATA_STORE, Label.VECTOR_STORE, Label.SECRET, Label.CREDENTIAL, Label.IDENTITY}
    return sorted(
        k.name
        for k in node_kinds().values()
        if k.target is not None or wanted & set(k.labels) or k.name in {"Internet", *OUTSIDE_KINDS}
    )


def server_entries_and_targets(
    conn: Connection, entry: str
) -> tuple[list[str], dict[str, TargetClass], dict[str, str]]:
    """The engine's entry and target rules over node properties read from the server.

    Returns the entries, the targets with their class, and the kind of every target.
    """
    rows = conn.run(candidates_query(), {"kinds": _candidate_kinds()})
    targets: dict[str, TargetClass] = {}
    kinds: dict[str, str] = {}
    entries: set[str] = set()
    creds: set[str] = set()
    for row in rows:
        data = {k: v for k, v in row.items() if v is not None}
        if data.get("kind") not in node_kinds():
            continue
        cls = target_class(data)
        if cls is not None:
            targets[row["id"]] = cls
            kinds[row["id"]] = data["kind"]
        if row["id"] == INTERNET_ID:
            entries.add(INTERNET_ID)
        elif entry == "credentials" and is_credential_entry(data):
            entries.add(row["id"])
            if Label.CREDENTIAL in node_kinds()[data["kind"]].labels:
                creds.add(row["id"])
    if creds:
        params = {"creds": sorted(creds), "ids": sorted(entries)}
        entries -= {row["id"] for row in conn.run(authenticates_query(), params)}
    # AI containers serving concrete targets hand the path on (as find_targets does).
    for row in conn.run(serves_query(), {"ids": sorted(targets)}):
        targets.pop(row["id"], None)
    return sorted(entries), targets, kinds


def search_sequences(
    conn: Connection,
    entries: list[str],
    targets: list[str],
    max_hops: int,
    limit: int,
    stops: list[str] | None = None,
) -> CypherPathSearch:
    params: dict[str, Any] = {
        "entries": entries,
        "targets": targets,
        "stops": targets if stops is None else stops,
        "limit": limit + 1,
    }
    rows = conn.run(path_query(max_hops), params)
    sequences = sorted({tuple(row["ids"]) for row in rows})
    return CypherPathSearch(
        sequences=[list(s) for s in sequences[:limit]],
        truncated=len(sequences) > limit,
        limit=limit,
    )


def fetch_subgraph(conn: Connection, ids: list[str]) -> Graph:
    """The nodes and relationships among ``ids``, read back into a Graph."""
    nodes_q, edges_q = subgraph_queries()
    # What a server holds was written by whoever loaded it: read it like a user graph file.
    graph = Graph(strict=False)
    known = node_kinds()
    for row in conn.run(nodes_q, {"ids": ids}):
        props = unflatten_props(dict(row["props"]))
        node_id, kind, name = props.get("id"), props.get("kind"), props.get("name")
        if not isinstance(node_id, str) or kind not in known:
            raise CypherError(f"node {node_id!r} on the server has no schema kind ({kind!r})")
        extra = {
            k: v for k, v in props.items() if k not in RESERVED_NODE_KEYS and k not in EXPORT_META
        }
        graph.add_node(node_id, str(kind), str(name or node_id), **extra)
    for row in conn.run(edges_q, {"ids": ids}):
        if row["kind"] not in attack_edge_kinds() and row["kind"] != "SERVES":
            continue
        evidence = json.loads(row["evidence"]) if isinstance(row["evidence"], str) else {}
        graph.add_edge(
            row["source"], row["target"], row["kind"], evidence, row["confidence"] or "confirmed"
        )
    return graph


def _hop_kinds(graph: Graph, route: list[str]) -> list[list[str]]:
    attack = attack_edge_kinds()
    out = []
    for a, b in itertools.pairwise(route):
        kinds = sorted(k for k in graph.kinds_between(a, b) if k in attack)
        if not kinds:
            raise CypherError(
                f"the server has an attack step {a} -> {b} the local graph lacks: export the "
                "same snapshot before searching paths on the server"
            )
        out.append(kinds)
    return out


def find_paths_cypher(
    conn: Connection, graph: Graph | None, options: PathOptions | None = None
) -> PathResult:
    """``find_paths`` with the enumeration run by the Cypher server behind ``conn``.

    With ``graph`` (the same snapshot that was exported) entries, targets and path details come
    from it; with ``None`` everything is read from the server.
    """
    opts = options or PathOptions()
    started = time.monotonic()
    if graph is not None:
        entries = find_entries(graph, opts.entry)
        targets = find_targets(graph)
        kinds = {t: str(graph.node(t)["kind"]) for t in targets}
    else:
        entries, targets, kinds = server_entries_and_targets(conn, opts.entry)
    if opts.target_kinds:
        targets = {
            t: c
            for t, c in targets.items()
            if kinds[t] in opts.target_kinds or c.value in opts.target_kinds
        }
    stops = sorted(t for t in targets if not passes_on(kinds[t]))
    found = search_sequences(
        conn, entries, sorted(targets), opts.max_hops, opts.max_paths, stops=stops
    )
    on_paths = sorted({n for seq in found.sequences for n in seq})
    local = graph if graph is not None else fetch_subgraph(conn, on_paths)
    missing = [n for n in on_paths if not local.has_node(n)]
    if missing:
        raise CypherError(
            f"the server holds nodes the local graph lacks ({missing[0]!r}, ...): export the "
            "same snapshot before searching paths on the server"
        )
    paths = [
        make_path(local, seq, _hop_kinds(local, seq), targets[seq[-1]]) for seq in found.sequences
    ]
    paths.sort(key=rank_key)
    paths, pairs = best_of_each_pair(
        paths, None if opts.all_routes else opts.routes_per_pair, not found.truncated
    )
    truncation = None
    if found.truncated:
        truncation = (
            f"path cap of {opts.max_paths} reached on the server; raise --max-paths or narrow "
            "with --target-kind/--max-hops to see the rest"
        )
    stats = PathStats(
        entries=len(entries),
        targets=len(targets),
        candidate_nodes=len(on_paths),
        attack_edges=0,
        seconds=round(time.monotonic() - started, 3),
    )
    return PathResult(
        paths=paths,
        truncated=found.truncated,
        truncation=truncation,
        stats=stats,
        mode="all-routes" if opts.all_routes else "best-routes",
        routes_per_pair=None if opts.all_routes else opts.routes_per_pair,
        pairs=pairs,
    )
