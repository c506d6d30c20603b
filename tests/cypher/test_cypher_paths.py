"""Server-side path search returns the engine's paths: same ids, order and risk.

Two references: the NetworkX engine itself (``find_paths``), and, for the enumeration alone, a
direct reading of docs/design.md, "Attack paths" (simple paths over attack steps from an entry
to the first target, hop bound) with ``nx.all_simple_paths``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aispm_graph.analysis.engine import PathOptions, find_paths
from aispm_graph.analysis.targets import find_entries, find_targets
from aispm_graph.build import build_graph
from aispm_graph.cypher.backends import open_falkordb
from aispm_graph.cypher.connection import CypherError, FalkorDBConnection
from aispm_graph.cypher.paths import fetch_subgraph, find_paths_cypher, search_sequences
from aispm_graph.cypher.writer import CypherWriter
from aispm_graph.demo import load_demo_parts
from aispm_graph.graph.model import Graph
from aispm_graph.synth import synth_document
from aispm_graph.workspace import Document
from tests.cypher.cypher_graphs import (
    AOAI,
    AZVM,
    DEPLOY,
    KB,
    MI,
    MODEL,
    PUBLIC,
    ROLE,
    TRAIN,
    USER,
    VM,
    mini_estate,
    random_estate,
)


def reference_sequences(graph: Graph, entries: list[str], max_hops: int) -> list[list[str]]:
    dg = graph.attack_subgraph()
    targets = set(find_targets(graph))
    out: set[tuple[str, ...]] = set()
    for entry in entries:
        for target in targets:
            if target == entry or entry not in dg or target not in dg:
                continue
            for path in nx.all_simple_paths(dg, entry, target, cutoff=max_hops):
                if not any(n in targets for n in path[1:-1]):
                    out.add(tuple(path))
    return sorted(list(p) for p in out)


@pytest.fixture(scope="module")
def conn(falkordb_url: str) -> Iterator[FalkorDBConnection]:
    c = open_falkordb(falkordb_url, "paths_tests")
    assert isinstance(c, FalkorDBConnection)
    yield c
    c.delete_graph()
    c.close()


def load(conn: FalkorDBConnection, graph: Graph) -> None:
    conn.delete_graph()
    CypherWriter(conn).export(graph)


def dump(result: object) -> list[dict[str, object]]:
    return [p.model_dump(mode="json") for p in result.paths]  # type: ignore[attr-defined]


def assert_same(conn: FalkorDBConnection, graph: Graph, opts: PathOptions) -> None:
    expected = find_paths(graph, opts)
    with_graph = find_paths_cypher(conn, graph, opts)
    server_only = find_paths_cypher(conn, None, opts)
    assert dump(with_graph) == dump(expected)
    assert dump(server_only) == dump(expected)
    assert with_graph.truncated == server_only.truncated == expected.truncated


def test_mini_estate_same_paths_as_engine(conn: FalkorDBConnection) -> None:
    graph = mini_estate()
    load(conn, graph)
    assert_same(conn, graph, PathOptions())
    assert_same(conn, graph, PathOptions(max_hops=3))
    assert_same(conn, graph, PathOptions(entry="credentials"))
    assert_same(conn, graph, PathOptions(target_kinds=frozenset({"S3Bucket", "ai_agent"})))
    result = find_paths_cypher(conn, None, PathOptions())
    routes = [[n.id for n in p.nodes] for p in result.paths]
    assert ["internet", VM, ROLE, MODEL] in routes
    assert ["internet", AZVM, MI, ROLE, TRAIN] in routes
    assert ["internet", PUBLIC] in routes
    # The AI account serves a concrete deployment, so the path continues to it.
    assert ["internet", AOAI, DEPLOY] in routes
    # A knowledge base is a target: the path stops there.
    assert not any(KB in r[:-1] for r in routes)
    creds = find_paths_cypher(conn, None, PathOptions(entry="credentials"))
    assert any(p.entry == USER for p in creds.paths)


def test_enumeration_matches_the_path_semantics(conn: FalkorDBConnection) -> None:
    graph = mini_estate()
    load(conn, graph)
    targets = sorted(find_targets(graph))
    for hops in (1, 3, 8):
        found = search_sequences(conn, ["internet"], targets, hops, 1000)
        assert found.sequences == reference_sequences(graph, ["internet"], hops)


def test_demo_estate_same_paths_as_engine(conn: FalkorDBConnection) -> None:
    docs = [d for _s, _sc, part, _m in load_demo_parts() for d in part]
    graph = build_graph(docs)
    load(conn, graph)
    expected = find_paths(graph, PathOptions())
    assert expected.paths, "the demo estate has attack paths"
    assert_same(conn, graph, PathOptions())
    assert_same(conn, graph, PathOptions(entry="credentials", max_hops=5))


def test_synthetic_estate_same_paths_as_engine(conn: FalkorDBConnection) -> None:
    # A generated estate with realistic fan-out (tenants, firewalls, role chains, AI services).
    graph = build_graph(
        [Document("graph", "synthetic", "synthetic", synth_document(3000, profile="sparse"))]
    )
    load(conn, graph)
    assert find_paths(graph, PathOptions()).paths
    assert_same(conn, graph, PathOptions())
    # Re-exporting the same estate leaves the server graph, and so the paths, unchanged.
    stats = CypherWriter(conn).export(graph)
    assert (stats.nodes_removed, stats.relationships_removed) == (0, 0)
    assert_same(conn, graph, PathOptions(max_hops=4))


def test_cap_is_reported(conn: FalkorDBConnection) -> None:
    graph = mini_estate()
    load(conn, graph)
    result = find_paths_cypher(conn, graph, PathOptions(max_paths=2))
    assert result.truncated and len(result.paths) == 2
    assert result.truncation and "path cap of 2" in result.truncation


def test_stale_server_graph_is_an_error_not_wrong_paths(conn: FalkorDBConnection) -> None:
    graph = mini_estate()
    load(conn, graph)
    other = mini_estate()
    other.remove_node(VM)
    with pytest.raises(CypherError, match="export the same snapshot"):
        find_paths_cypher(conn, other, PathOptions())


def test_subgraph_read_back_matches_the_graph(conn: FalkorDBConnection) -> None:
    graph = mini_estate()
    load(conn, graph)
    ids = ["internet", VM, ROLE, MODEL]
    sub = fetch_subgraph(conn, ids)
    assert set(sub.g.nodes) == set(ids)
    for node_id in ids:
        assert sub.node(node_id) == graph.node(node_id)
    assert sub.edge(VM, ROLE, "HAS_IDENTITY") == graph.edge(VM, ROLE, "HAS_IDENTITY")


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(0, 10_000), hops=st.integers(1, 5), creds=st.booleans())
def test_random_graphs_same_paths_as_engine(
    conn: FalkorDBConnection, seed: int, hops: int, creds: bool
) -> None:
    graph = random_estate(seed)
    load(conn, graph)
    opts = PathOptions(max_hops=hops, entry="credentials" if creds else "internet")
    assert_same(conn, graph, opts)
    entries = find_entries(graph, opts.entry)
    found = search_sequences(conn, entries, sorted(find_targets(graph)), hops, 100_000)
    assert found.sequences == reference_sequences(graph, entries, hops)


def test_paths_cli_backend_falkordb(
    conn: FalkorDBConnection, falkordb_url: str, tmp_path: Path
) -> None:
    from aispm_graph.store import save_graph
    from aispm_graph.workspace import Workspace
    from tests.cypher.test_cypher_cli import aispm

    graph = mini_estate()
    ws = Workspace(tmp_path / "ws")
    snap = ws.new_snapshot()
    save_graph(graph, snap.graph_path, meta={"snapshot": snap.id})
    base = ["-w", str(ws.root)]
    env = {"FALKORDB_URL": falkordb_url, "FALKORDB_GRAPH": "paths_cli"}
    out = aispm(*base, "export", "falkordb", env=env)
    assert out.returncode == 0, out.stderr
    local = aispm(*base, "paths", "--format", "json")
    server = aispm(*base, "paths", "--backend", "falkordb", "--format", "json", env=env)
    assert local.returncode == 0, local.stderr
    assert server.returncode == 0, server.stderr
    import json

    local_doc, server_doc = json.loads(local.stdout), json.loads(server.stdout)
    assert server_doc["paths"] == local_doc["paths"]
    assert len(server_doc["paths"]) > 5
