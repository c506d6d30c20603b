"""Write a built graph to a Cypher database, idempotently and scoped to its tenants.

Every node gets the label ``AispmNode`` (one unique index on ``id`` serves all lookups), its kind
and its ontology labels; its properties are replaced on every export, so a property that went
away goes away. Every relationship is ``MERGE``d on (source, type, target), matching the
in-process graph where a pair holds at most one edge of each kind.

Each export stamps what it writes with a fresh ``export_id``. Afterwards, what carries an older
stamp is removed, but only inside the tenants (accounts, subscriptions, projects) this graph
covers: exporting account A never deletes account B's data that an earlier export loaded.
Nodes that belong to no tenant (the internet node, packages, advisories) are shared: they are
removed only once nothing links to them, and their relationships only by an export that wrote
their source node.

Batches are ``UNWIND $rows`` statements. Relationship batches shrink as the fan-out of their
endpoints grows: merging a relationship on a dense node costs in proportion to its degree, so
rows x degree, not rows, is what keeps a transaction's size and lock time bounded.
"""

from __future__ import annotations

import json
import math
import re
import time
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from aispm_graph.cypher import names
from aispm_graph.cypher.connection import Connection, CypherError, Row, with_retries
from aispm_graph.cypher.dialect import (
    Dialect,
    index_statement,
    is_already_exists,
    unique_id_statement,
)
from aispm_graph.cypher.names import JSON_PROPS, NODE_LABEL, SNAPSHOT_PROP, TENANT_PROP
from aispm_graph.graph.model import Graph
from aispm_graph.progress import Reporter, task
from aispm_graph.schema import edge_kinds, node_kinds

EXPORT_ID_PROP = "export_id"
EXTRA_PROPS = "extra_props"
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
DEFAULT_NODE_BATCH = 2000
DEFAULT_EDGE_WORK = 20000
MIN_EDGE_BATCH = 50


@dataclass
class ExportStats:
    nodes: int = 0
    relationships: int = 0
    nodes_removed: int = 0
    relationships_removed: int = 0
    statements: int = 0
    tenants: list[str] = field(default_factory=list)
    export_id: str = ""
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "nodes": self.nodes,
            "relationships": self.relationships,
            "nodes_removed": self.nodes_removed,
            "relationships_removed": self.relationships_removed,
            "statements": self.statements,
            "tenants": self.tenants,
            "export_id": self.export_id,
            "seconds": round(self.seconds, 3),
        }


# -- statements ------------------------------------------------------------------------------


def schema_statements(dialect: Dialect) -> list[str]:
    """Constraints and indexes, generated from the schema.

    ``id`` is unique on ``AispmNode`` and every id lookup (the writer's, the path search's, the
    library's) goes through that one index, so kinds get no id index of their own (each index
    is paid for on every write). ``tenant``, ``kind`` and ``export_id`` are indexed there for
    the cleanup and for listing by kind. A property the schema marks ``indexed`` gets one index
    on ``AispmNode`` when several kinds declare it (``region``, ``model_name``: one index
    serves them all), or an index on its kind's label when only that kind has it.
    """
    out = [
        unique_id_statement(dialect, NODE_LABEL),
        index_statement(dialect, NODE_LABEL, TENANT_PROP),
        index_statement(dialect, NODE_LABEL, EXPORT_ID_PROP),
        index_statement(dialect, NODE_LABEL, "kind"),
    ]
    owners: dict[str, list[str]] = defaultdict(list)
    for kind in sorted(node_kinds().values(), key=lambda k: k.name):
        for prop in kind.props:
            if prop.indexed and prop.name not in (TENANT_PROP, "id", "kind"):
                owners[prop.name].append(kind.name)
    for prop_name, kinds in sorted(owners.items()):
        if len(kinds) > 1:
            out.append(index_statement(dialect, NODE_LABEL, prop_name))
        else:
            out.append(index_statement(dialect, kinds[0], prop_name))
    return list(dict.fromkeys(out))


def node_statement(dialect: Dialect, kind: str) -> str:
    """Merge a batch of nodes of one kind; ``SET n = row.props`` drops properties that left."""
    spec = node_kinds()[kind]
    del dialect  # identical in both dialects; kept in the signature so a difference has a home
    return (
        "UNWIND $rows AS row\n"
        f"MERGE (n:{names.label(NODE_LABEL)} {{id: row.id}})\n"
        "SET n = row.props\n"
        f"SET n{names.labels(spec.all_labels())}"
    )


def edge_statement(dialect: Dialect, kind: str) -> str:
    del dialect
    return (
        "UNWIND $rows AS row\n"
        f"MATCH (a:{names.label(NODE_LABEL)} {{id: row.source}})\n"
        f"MATCH (b:{names.label(NODE_LABEL)} {{id: row.target}})\n"
        f"MERGE (a)-[r{names.rel_types([kind])}]->(b)\n"
        "SET r = row.props"
    )


def cleanup_statements(dialect: Dialect) -> dict[str, str]:
    """Removal of what an older export wrote, batch by batch (each returns ``removed``).

    Run in this order: tenant relationships, shared relationships, tenant nodes, orphaned
    shared nodes.
    """
    node = names.label(NODE_LABEL)
    orphan = "NOT (n)--()" if dialect is Dialect.FALKORDB else "NOT EXISTS { (n)--() }"
    return {
        "tenant_relationships": (
            f"MATCH (:{node})-[r]->(:{node})\n"
            "WHERE r.tenant IN $tenants AND r.export_id <> $export_id\n"
            "WITH r LIMIT $batch\n"
            "DELETE r\n"
            "RETURN count(*) AS removed"
        ),
        "shared_relationships": (
            f"MATCH (a:{node})-[r]->(:{node})\n"
            "WHERE a.export_id = $export_id AND r.tenant IS NULL AND r.export_id <> $export_id\n"
            "WITH r LIMIT $batch\n"
            "DELETE r\n"
            "RETURN count(*) AS removed"
        ),
        "tenant_nodes": (
            f"MATCH (n:{node})\n"
            "WHERE n.tenant IN $tenants AND n.export_id <> $export_id\n"
            "WITH n LIMIT $batch\n"
            "DETACH DELETE n\n"
            "RETURN count(*) AS removed"
        ),
        "orphaned_shared_nodes": (
            f"MATCH (n:{node})\n"
            f"WHERE n.tenant IS NULL AND n.export_id <> $export_id AND {orphan}\n"
            "WITH n LIMIT $batch\n"
            "DELETE n\n"
            "RETURN count(*) AS removed"
        ),
    }


def all_statements(dialect: Dialect) -> list[str]:
    """Every statement text the writer can send, for linting (Neo4j) and execution tests."""
    out = list(schema_statements(dialect))
    out += [node_statement(dialect, k) for k in sorted(node_kinds())]
    out += [edge_statement(dialect, k) for k in sorted(edge_kinds())]
    out += list(cleanup_statements(dialect).values())
    return out


# -- rows ------------------------------------------------------------------------------------


_INT64 = (-(2**63), 2**63 - 1)


def _is_scalar(value: Any) -> bool:
    """A value both backends store as itself. Integers beyond int64 (FalkorDB would clamp
    10**26 to int64 max, silently), NaN/Infinity and strings holding NUL (refused as
    parameters) are not: they go through the JSON-text path, which keeps them exactly."""
    if isinstance(value, bool):
        return True
    if isinstance(value, str):
        return "\x00" not in value  # FalkorDB's parameter parser stops at NUL
    if isinstance(value, int):
        return _INT64[0] <= value <= _INT64[1]
    if isinstance(value, float):
        return math.isfinite(value)
    return False


def _homogeneous_scalar_list(value: list[Any]) -> bool:
    if not value:
        return True
    first = type(value[0])
    return all(type(v) is first and _is_scalar(v) for v in value)


def flatten_props(props: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Property values both backends can store, and the keys that had to become JSON text.

    Scalars and lists of one scalar type stay as they are; maps, nested or mixed lists (tags,
    policy documents, evidence) become JSON strings so nothing is lost. Keys that are not plain
    identifiers (FalkorDB's parameter encoding cannot carry some, and Browser users cannot type
    them) are kept together in one JSON property, ``extra_props``.
    """
    out: dict[str, Any] = {}
    json_keys: list[str] = []
    extra: dict[str, Any] = {}
    for key, value in props.items():
        if value is None:
            continue
        if not _IDENT.match(key) or key == EXTRA_PROPS:
            extra[key] = value
            continue
        if _is_scalar(value) or (isinstance(value, list) and _homogeneous_scalar_list(value)):
            out[key] = value
        else:
            out[key] = json.dumps(value, sort_keys=True, separators=(",", ":"))
            json_keys.append(key)
    if extra:
        out[EXTRA_PROPS] = json.dumps(extra, sort_keys=True, separators=(",", ":"))
        json_keys.append(EXTRA_PROPS)
    return out, sorted(json_keys)


def unflatten_props(props: dict[str, Any]) -> dict[str, Any]:
    """The inverse of :func:`flatten_props` for properties read back from a backend."""
    keys = props.get(JSON_PROPS) or []
    out = {k: v for k, v in props.items() if k != JSON_PROPS}
    for key in keys:
        if isinstance(out.get(key), str):
            out[key] = json.loads(out[key])
    extra = out.pop(EXTRA_PROPS, None)
    if isinstance(extra, dict):
        out.update(extra)
    return out


def _tenant_of(data: dict[str, Any]) -> str | None:
    tenant = data.get(TENANT_PROP)
    return str(tenant) if tenant not in (None, "") else None


def node_rows(graph: Graph, snapshot: str, export_id: str) -> dict[str, list[Row]]:
    by_kind: dict[str, list[Row]] = defaultdict(list)
    for node_id, data in sorted(graph.nodes(), key=lambda item: item[0]):
        props, json_keys = flatten_props({k: v for k, v in data.items() if k != "id"})
        tenant = _tenant_of(data)
        if tenant is not None:
            props[TENANT_PROP] = tenant
        props.update({"id": node_id, SNAPSHOT_PROP: snapshot, EXPORT_ID_PROP: export_id})
        if json_keys:
            props[JSON_PROPS] = json_keys
        by_kind[data["kind"]].append({"id": node_id, "props": props})
    return by_kind


def edge_rows(graph: Graph, snapshot: str, export_id: str) -> dict[str, list[Row]]:
    by_kind: dict[str, list[Row]] = defaultdict(list)
    attack = {k for k, spec in edge_kinds().items() if spec.attack_step}
    for source, target, data in sorted(graph.edges(), key=lambda e: (e[2]["kind"], e[0], e[1])):
        kind = data["kind"]
        props: dict[str, Any] = {
            "kind": kind,
            "confidence": data.get("confidence", "confirmed"),
            "evidence": json.dumps(data.get("evidence") or {}, sort_keys=True),
            "attack_step": kind in attack,
            SNAPSHOT_PROP: snapshot,
            EXPORT_ID_PROP: export_id,
        }
        tenant = _tenant_of(graph.node(source)) or _tenant_of(graph.node(target))
        if tenant is not None:
            props[TENANT_PROP] = tenant
        by_kind[kind].append({"source": source, "target": target, "props": props})
    return by_kind


def graph_tenants(graph: Graph) -> list[str]:
    return sorted({t for _, data in graph.nodes() if (t := _tenant_of(data))})


def edge_batch_size(mean_fanout: float, work: int = DEFAULT_EDGE_WORK, cap: int = 5000) -> int:
    """Rows per relationship batch: a fixed budget of rows x endpoint degree, clamped."""
    return max(MIN_EDGE_BATCH, min(cap, int(work / max(1.0, math.ceil(mean_fanout)))))


def _chunks(rows: list[Row], size: int) -> Iterator[list[Row]]:
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


# -- the writer ------------------------------------------------------------------------------


class CypherWriter:
    """Writes graphs through a :class:`Connection`; one instance per export target."""

    def __init__(
        self,
        conn: Connection,
        node_batch: int = DEFAULT_NODE_BATCH,
        edge_work: int = DEFAULT_EDGE_WORK,
        retries: int = 5,
        progress: Reporter | None = None,
    ) -> None:
        if node_batch < 1 or edge_work < 1:
            raise ValueError("batch sizes must be positive")
        self.conn = conn
        self.dialect = conn.dialect
        self.node_batch = node_batch
        self.edge_work = edge_work
        self.retries = retries
        self.progress = progress
        self.statements_run = 0

    def _run(self, query: str, params: dict[str, Any] | None = None) -> list[Row]:
        self.statements_run += 1
        return with_retries(lambda: self.conn.run(query, params or {}), attempts=self.retries)

    def ensure_schema(self) -> None:
        for stmt in schema_statements(self.dialect):
            try:
                self._run(stmt)
            except CypherError as exc:
                if not is_already_exists(self.dialect, str(exc)):
                    raise

    def export(self, graph: Graph, snapshot: str = "", export_id: str | None = None) -> ExportStats:
        """Write ``graph`` and remove what older exports left in the same tenants."""
        started = time.perf_counter()
        export_id = export_id or uuid.uuid4().hex
        stats = ExportStats(export_id=export_id, tenants=graph_tenants(graph))
        self.statements_run = 0
        self.ensure_schema()
        nodes = node_rows(graph, snapshot, export_id)
        total_nodes = sum(len(v) for v in nodes.values())
        with task(self.progress, "writing nodes", total_nodes) as bar:
            for kind in sorted(nodes):
                stmt = node_statement(self.dialect, kind)
                for chunk in _chunks(nodes[kind], self.node_batch):
                    self._run(stmt, {"rows": chunk})
                    stats.nodes += len(chunk)
                    bar.advance(len(chunk))
        edges = edge_rows(graph, snapshot, export_id)
        total_edges = sum(len(v) for v in edges.values())
        degree = graph.degrees()
        with task(self.progress, "writing relationships", total_edges) as bar:
            for kind in sorted(edges):
                rows = edges[kind]
                degrees = sum(degree[r["source"]] + degree[r["target"]] for r in rows)
                size = edge_batch_size(degrees / (2 * len(rows)), self.edge_work, self.node_batch)
                stmt = edge_statement(self.dialect, kind)
                for chunk in _chunks(rows, size):
                    self._run(stmt, {"rows": chunk})
                    stats.relationships += len(chunk)
                    bar.advance(len(chunk))
        removed = self.remove_stale(stats.tenants, export_id)
        stats.relationships_removed = (
            removed["tenant_relationships"] + removed["shared_relationships"]
        )
        stats.nodes_removed = removed["tenant_nodes"] + removed["orphaned_shared_nodes"]
        stats.statements = self.statements_run
        stats.seconds = time.perf_counter() - started
        return stats

    def remove_stale(
        self, tenants: Iterable[str], export_id: str, batch: int = 5000
    ) -> dict[str, int]:
        counts: dict[str, int] = {}
        params: dict[str, Any] = {"tenants": list(tenants), "export_id": export_id, "batch": batch}
        for name, stmt in cleanup_statements(self.dialect).items():
            counts[name] = 0
            while True:
                rows = self._run(stmt, params)
                n = int(rows[0]["removed"]) if rows else 0
                counts[name] += n
                if n < batch:
                    break
        return counts


def write_one_row_per_transaction(conn: Connection, graph: Graph, snapshot: str = "") -> int:
    """The naive baseline for the benchmark: every node and relationship its own statement."""
    export_id = uuid.uuid4().hex
    count = 0
    for kind, rows in node_rows(graph, snapshot, export_id).items():
        stmt = node_statement(conn.dialect, kind)
        for row in rows:
            conn.run(stmt, {"rows": [row]})
            count += 1
    for kind, rows in edge_rows(graph, snapshot, export_id).items():
        stmt = edge_statement(conn.dialect, kind)
        for row in rows:
            conn.run(stmt, {"rows": [row]})
            count += 1
    return count
