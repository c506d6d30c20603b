"""Exporting graphs into a real FalkorDB server: content, idempotence, scoped cleanup, safety."""

from __future__ import annotations

import json
from typing import Any

import pytest

from aispm_graph.cypher.connection import Connection, FalkorDBConnection, TransientCypherError
from aispm_graph.cypher.names import NameError_, label, rel_type
from aispm_graph.cypher.writer import (
    CypherWriter,
    edge_batch_size,
    flatten_props,
    schema_statements,
    unflatten_props,
)
from aispm_graph.graph.model import Graph
from tests.cypher.cypher_graphs import (
    ACCT,
    ACCT_B,
    HOSTILE_ID,
    HOSTILE_NAME,
    ROLE,
    TRAIN,
    VM,
    hostile_estate,
    mini_estate,
)

META = {"snapshot", "export_id", "json_props"}


def db_nodes(conn: Connection) -> dict[str, dict[str, Any]]:
    rows = conn.run("MATCH (n:AispmNode) RETURN n AS n, labels(n) AS labels")
    return {r["n"]["id"]: {**r["n"], "labels": sorted(r["labels"])} for r in rows}


def db_edges(conn: Connection) -> set[tuple[str, str, str]]:
    rows = conn.run(
        "MATCH (a:AispmNode)-[r]->(b:AispmNode) RETURN a.id AS s, type(r) AS k, b.id AS t"
    )
    return {(r["s"], r["k"], r["t"]) for r in rows}


def graph_edges(graph: Graph) -> set[tuple[str, str, str]]:
    return {(s, d["kind"], t) for s, t, d in graph.edges()}


def test_export_writes_every_node_and_edge_with_labels_and_props(
    falkordb: FalkorDBConnection,
) -> None:
    graph = mini_estate()
    stats = CypherWriter(falkordb).export(graph, snapshot="snap-1")
    assert (stats.nodes, stats.relationships) == (len(graph), graph.edge_count)
    assert stats.tenants == sorted({ACCT, "00000000-0000-0000-0000-000000000001"})
    nodes = db_nodes(falkordb)
    assert set(nodes) == set(graph.g.nodes)
    assert db_edges(falkordb) == graph_edges(graph)
    vm = nodes[VM]
    assert vm["labels"] == sorted(["AispmNode", "EC2Instance", "Compute"])
    assert vm["ai_libraries"] == ["torch", "vllm"]
    assert vm["snapshot"] == "snap-1"
    # Maps cannot be stored: they come back as JSON text, listed in json_props.
    assert vm["json_props"] == ["tags"]
    back = unflatten_props({k: v for k, v in vm.items() if k != "labels"})
    assert back["tags"] == {"team": "ml", "nested": {"a": [1, 2]}}
    # Relationship evidence and confidence survive as written.
    rows = falkordb.run(
        "MATCH (a:AispmNode {id: $s})-[r:CAN_READ]->(b:AispmNode {id: $t}) "
        "RETURN r.evidence AS ev, r.confidence AS c, r.attack_step AS step, r.tenant AS tenant",
        {"s": ROLE, "t": TRAIN},
    )
    assert rows == [
        {
            "ev": json.dumps({"grant": "p1", "permission": "s3:GetObject"}, sort_keys=True),
            "c": "conditional",
            "step": True,
            "tenant": ACCT,
        }
    ]


def test_reexport_is_idempotent(falkordb: FalkorDBConnection) -> None:
    graph = mini_estate()
    writer = CypherWriter(falkordb)
    writer.export(graph, snapshot="s1")
    first_nodes, first_edges = db_nodes(falkordb), db_edges(falkordb)
    stats = writer.export(graph, snapshot="s1")
    assert (stats.nodes_removed, stats.relationships_removed) == (0, 0)
    second_nodes = db_nodes(falkordb)
    assert db_edges(falkordb) == first_edges

    def strip(nodes: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        return {i: {k: v for k, v in n.items() if k != "export_id"} for i, n in nodes.items()}

    assert strip(second_nodes) == strip(first_nodes)
    count = falkordb.run("MATCH (n) RETURN count(n) AS c")[0]["c"]
    assert count == len(graph)
    rels = falkordb.run("MATCH ()-[r]->() RETURN count(r) AS c")[0]["c"]
    assert rels == graph.edge_count


def test_property_removed_in_newer_snapshot_is_removed(falkordb: FalkorDBConnection) -> None:
    graph = mini_estate()
    CypherWriter(falkordb).export(graph)
    del graph.node(VM)["public_ip"]
    CypherWriter(falkordb).export(graph)
    assert "public_ip" not in db_nodes(falkordb)[VM]


def test_cleanup_is_scoped_to_the_tenants_of_the_new_snapshot(
    falkordb: FalkorDBConnection,
) -> None:
    other = f"arn:aws:ec2:us-east-1:{ACCT_B}:instance/i-b"
    other_role = f"arn:aws:iam::{ACCT_B}:role/b"
    first = mini_estate()
    first.add_node(other, "EC2Instance", "b-vm", tenant=ACCT_B)
    first.add_node(other_role, "AWSRole", "b-role", tenant=ACCT_B)
    first.add_edge(other, other_role, "HAS_IDENTITY")
    first.add_node("pkg:pypi/only-old@1", "Package", "only-old")
    first.add_edge(VM, "pkg:pypi/only-old@1", "HAS_PACKAGE")
    CypherWriter(falkordb).export(first)

    # A newer snapshot of account A only: the role lost its read grant, the VM is gone, and
    # account B (not collected this time) must stay exactly as it was.
    second = mini_estate()
    second.remove_edge(ROLE, TRAIN, "CAN_READ")
    second.remove_node(VM)
    stats = CypherWriter(falkordb).export(second)
    assert ACCT_B not in stats.tenants

    nodes, edges = db_nodes(falkordb), db_edges(falkordb)
    assert VM not in nodes
    assert (ROLE, "CAN_READ", TRAIN) not in edges
    assert {other, other_role} <= set(nodes)
    assert (other, "HAS_IDENTITY", other_role) in edges
    # The package only the removed VM had is orphaned and goes; shared nodes still linked stay.
    assert "pkg:pypi/only-old@1" not in nodes
    assert "internet" in nodes
    assert set(nodes) == set(second.g.nodes) | {other, other_role}
    assert edges == graph_edges(second) | {(other, "HAS_IDENTITY", other_role)}
    assert stats.nodes_removed == 2  # the VM and the orphaned package


def test_shared_edge_dropped_by_source_node_owner(falkordb: FalkorDBConnection) -> None:
    graph = Graph()
    graph.add_node("pkg:pypi/a@1", "Package", "a")
    graph.add_node("GHSA-1", "Vulnerability", "GHSA-1")
    graph.add_node("GHSA-2", "Vulnerability", "GHSA-2")
    graph.add_edge("pkg:pypi/a@1", "GHSA-1", "AFFECTED_BY")
    graph.add_edge("pkg:pypi/a@1", "GHSA-2", "AFFECTED_BY")
    CypherWriter(falkordb).export(graph)
    graph.remove_edge("pkg:pypi/a@1", "GHSA-2", "AFFECTED_BY")
    CypherWriter(falkordb).export(graph)
    assert db_edges(falkordb) == {("pkg:pypi/a@1", "AFFECTED_BY", "GHSA-1")}


def test_hostile_names_round_trip_and_inject_nothing(falkordb: FalkorDBConnection) -> None:
    graph = mini_estate()
    hostile = hostile_estate()
    with graph.lenient():  # hostile keys, as a user's graph file may carry them
        for node_id, data in hostile.nodes():
            props = {k: v for k, v in data.items() if k not in ("kind", "name", "provider")}
            graph.add_node(node_id, data["kind"], data["name"], **props)
    graph.add_edge("internet", HOSTILE_ID, "PUBLIC_ACCESS", {"grant": HOSTILE_NAME})
    CypherWriter(falkordb).export(graph)
    nodes = db_nodes(falkordb)
    assert set(nodes) == set(graph.g.nodes)  # nothing deleted, nothing extra
    node = unflatten_props({k: v for k, v in nodes[HOSTILE_ID].items() if k != "labels"})
    assert node["name"] == HOSTILE_NAME
    assert node["weird key`) DELETE n"] == "v"
    assert node["note"] == hostile.node(HOSTILE_ID)["note"]
    assert node["tags"] == {"`": "'", "RETURN": [{"a": None}]}
    rows = falkordb.run(
        "MATCH (:Internet)-[r:PUBLIC_ACCESS]->(b:S3Bucket {id: $id}) RETURN r.evidence AS ev",
        {"id": HOSTILE_ID},
    )
    assert json.loads(rows[0]["ev"]) == {"grant": HOSTILE_NAME}


def test_labels_and_types_come_only_from_the_schema() -> None:
    assert label("AIModel") == "`AIModel`"
    assert rel_type("CAN_INVOKE") == "`CAN_INVOKE`"
    for bad in ("AIModel`) DETACH DELETE (n", "NotAKind", ""):
        with pytest.raises(NameError_):
            label(bad)
    with pytest.raises(NameError_):
        rel_type("CAN_INVOKE]->() DELETE r //")


def test_schema_statements_apply_twice(falkordb: FalkorDBConnection) -> None:
    writer = CypherWriter(falkordb)
    writer.ensure_schema()
    writer.ensure_schema()  # FalkorDB refuses duplicate indexes; that refusal is tolerated
    indexed = falkordb.run("CALL db.indexes() YIELD label, properties RETURN label, properties")
    by_label = {r["label"]: set(r["properties"]) for r in indexed}
    assert {"id", "tenant", "export_id", "kind", "model_name", "region"} <= by_label["AispmNode"]
    assert by_label["ContainerImage"] == {"digest"}
    assert len(schema_statements(writer.dialect)) == len(set(schema_statements(writer.dialect)))


class FlakyConnection:
    """The real FalkorDB connection, failing transiently the first times a write is sent."""

    def __init__(self, inner: FalkorDBConnection, failures: int) -> None:
        self.inner = inner
        self.dialect = inner.dialect
        self.failures = failures
        self.calls = 0

    def run(self, query: str, params: Any = None) -> list[dict[str, Any]]:
        self.calls += 1
        if query.startswith("UNWIND") and self.failures > 0:
            self.failures -= 1
            raise TransientCypherError("connection reset by peer")
        return self.inner.run(query, params)

    def close(self) -> None:
        self.inner.close()


def test_transient_errors_are_retried(falkordb: FalkorDBConnection) -> None:
    graph = mini_estate()
    flaky = FlakyConnection(falkordb, failures=3)
    CypherWriter(flaky, retries=5).export(graph)
    assert db_edges(falkordb) == graph_edges(graph)
    with pytest.raises(TransientCypherError):
        CypherWriter(FlakyConnection(falkordb, failures=10), retries=2).export(graph)


def test_batches_are_small_for_dense_nodes(falkordb: FalkorDBConnection) -> None:
    assert edge_batch_size(1) > edge_batch_size(50) > edge_batch_size(5000)
    assert edge_batch_size(10**9) >= 50
    # A hub with 300 edges in tiny batches still lands completely.
    graph = Graph()
    graph.add_node("hub", "AWSRole", "hub", tenant=ACCT)
    for i in range(300):
        graph.add_node(f"b{i}", "S3Bucket", f"b{i}", tenant=ACCT)
        graph.add_edge("hub", f"b{i}", "CAN_READ")
    stats = CypherWriter(falkordb, node_batch=7, edge_work=400).export(graph)
    assert stats.relationships == 300
    assert stats.statements > 300 // 7
    assert len(db_edges(falkordb)) == 300


def test_flatten_keeps_storable_values() -> None:
    props, keys = flatten_props(
        {"a": 1, "b": [1, 2], "c": ["x", 1], "d": {"k": 1}, "e": None, "f": [], "g": True}
    )
    assert props == {"a": 1, "b": [1, 2], "c": '["x",1]', "d": '{"k":1}', "f": [], "g": True}
    assert keys == ["c", "d"]
