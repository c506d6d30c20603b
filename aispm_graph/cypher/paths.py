"""Attack-path search run server-side, giving the same paths as the embedded engine.

The server enumerates simple paths over attack-step relationships only, from the entries to
the first target reached, within a hop bound; it returns node-id sequences. Risk, titles,
evidence and remediation are then computed by the embedded engine's own path builder from
those sequences, so ids, order and risk cannot drift from ``aispm paths`` without a backend.
When no local graph is at hand, the nodes and relationships on the paths are read back from
the server and rebuilt into a :class:`Graph` for the builder.

Targets follow the engine: kinds the schema marks as targets, data stores with a
``data_role``, secrets holding an AI key. Entries: the internet node, or (``credentials``)
identities holding long-lived credentials.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from aispm_graph.cypher import names
from aispm_graph.cypher.connection import Connection, CypherError
from aispm_graph.cypher.writer import unflatten_props
from aispm_graph.graph.model import RESERVED_NODE_KEYS, Graph
from aispm_graph.schema import INTERNET_ID, Label, attack_edge_kinds, node_kinds

DEFAULT_MAX_HOPS = 8
DEFAULT_LIMIT = 10000
EXPORT_META = {"snapshot", "export_id", "json_props", "tenant_written"}


@dataclass(frozen=True)
class CypherPathOptions:
    max_hops: int = DEFAULT_MAX_HOPS
    entry: str = "internet"  # or "credentials"
    limit: int = DEFAULT_LIMIT


@dataclass
class CypherPathSearch:
    """What the server found: node-id sequences in a stable order, and whether a cap cut it."""

    sequences: list[list[str]] = field(default_factory=list)
    truncated: bool = False
    limit: int = DEFAULT_LIMIT


def target_params() -> dict[str, list[str]]:
    """Kinds by the role they play in the target rule, from the schema."""
    kinds = node_kinds().values()
    return {
        "target_kinds": sorted(k.name for k in kinds if k.target is not None),
        "data_kinds": sorted(k.name for k in kinds if Label.DATA_STORE in k.labels),
        "secret_kinds": sorted(k.name for k in kinds if Label.SECRET in k.labels),
    }


_IS_TARGET = (
    "({v}.kind IN $target_kinds"
    " OR ({v}.kind IN $data_kinds AND {v}.data_role IS NOT NULL AND size({v}.data_role) > 0)"
    " OR ({v}.kind IN $secret_kinds AND coalesce({v}.ai_key, false) = true))"
)


def path_query(max_hops: int) -> str:
    """Simple attack-step paths from an entry to the first target, at most ``max_hops`` long.

    The hop bound is spliced in as an integer (Cypher takes no parameter there); everything
    else is a parameter. Several attack kinds between one pair collapse into one hop, as in the
    engine, by returning distinct node sequences.
    """
    if not isinstance(max_hops, int) or isinstance(max_hops, bool) or not 1 <= max_hops <= 32:
        raise ValueError("max_hops must be an integer from 1 to 32")
    node = names.label(NODE_LABEL_)
    types = names.rel_types(attack_edge_kinds())
    return (
        f"MATCH (e:{node})\n"
        "WHERE e.id IN $entries\n"
        f"MATCH p = (e)-[{types}*1..{max_hops}]->(t:{node})\n"
        f"WHERE {_IS_TARGET.format(v='t')}\n"
        "WITH p, [n IN nodes(p) | n.id] AS ids\n"
        "WHERE ALL(i IN range(0, size(ids) - 2) WHERE NOT ids[i] IN ids[i + 1..])\n"
        "  AND ALL(n IN nodes(p)[1..size(ids) - 1] "
        f"WHERE NOT {_IS_TARGET.format(v='n')})\n"
        "RETURN DISTINCT ids\n"
        "LIMIT $limit"
    )


NODE_LABEL_ = names.NODE_LABEL


def entries_query() -> str:
    node = names.label(NODE_LABEL_)
    identity = names.label(str(Label.IDENTITY))
    return (
        f"MATCH (n:{node}:{identity})\n"
        "WHERE n.long_lived_credentials = true\n"
        "RETURN n.id AS id\n"
        "ORDER BY id"
    )


def subgraph_queries() -> tuple[str, str]:
    node = names.label(NODE_LABEL_)
    nodes_q = f"MATCH (n:{node})\nWHERE n.id IN $ids\nRETURN n AS props"
    edges_q = (
        f"MATCH (a:{node})-[r]->(b:{node})\n"
        "WHERE a.id IN $ids AND b.id IN $ids\n"
        "RETURN a.id AS source, b.id AS target, type(r) AS kind, r.evidence AS evidence, "
        "r.confidence AS confidence"
    )
    return nodes_q, edges_q


def search_sequences(conn: Connection, options: CypherPathOptions) -> CypherPathSearch:
    if options.entry == "internet":
        entries = [INTERNET_ID]
    elif options.entry == "credentials":
        entries = [row["id"] for row in conn.run(entries_query(), {})]
    else:
        raise ValueError(f"unknown entry mode {options.entry!r} (internet or credentials)")
    params: dict[str, Any] = {"entries": entries, "limit": options.limit + 1, **target_params()}
    rows = conn.run(path_query(options.max_hops), params)
    sequences = sorted({tuple(row["ids"]) for row in rows})
    truncated = len(sequences) > options.limit
    return CypherPathSearch(
        sequences=[list(s) for s in sequences[: options.limit]],
        truncated=truncated,
        limit=options.limit,
    )


def fetch_subgraph(conn: Connection, ids: list[str]) -> Graph:
    """The nodes and relationships among ``ids``, read back into a Graph."""
    nodes_q, edges_q = subgraph_queries()
    graph = Graph()
    known = node_kinds()
    for row in conn.run(nodes_q, {"ids": ids}):
        props = unflatten_props(dict(row["props"]))
        node_id, kind, name = props.get("id"), props.get("kind"), props.get("name")
        if not isinstance(node_id, str) or kind not in known:
            raise CypherError(f"node {node_id!r} on the server has no schema kind ({kind!r})")
        extra = {
            k: v for k, v in props.items() if k not in RESERVED_NODE_KEYS and k not in EXPORT_META
        }
        extra.pop("export_id", None)
        graph.add_node(node_id, str(kind), str(name or node_id), **extra)
    for row in conn.run(edges_q, {"ids": ids}):
        evidence = json.loads(row["evidence"]) if isinstance(row["evidence"], str) else {}
        graph.add_edge(
            row["source"], row["target"], row["kind"], evidence, row["confidence"] or "confirmed"
        )
    return graph
