"""Server-side path search finds exactly the paths the path semantics define.

The reference here is written from DESIGN section 3 directly (simple paths over attack steps,
from an entry to the first target, hop bound), over the in-process graph with NetworkX.
"""

from __future__ import annotations

from collections.abc import Iterator

import networkx as nx
import pytest
from cypher_graphs import (
    AOAI,
    AZVM,
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
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aispm_graph.cypher.backends import open_falkordb
from aispm_graph.cypher.connection import FalkorDBConnection
from aispm_graph.cypher.paths import CypherPathOptions, fetch_subgraph, search_sequences
from aispm_graph.cypher.writer import CypherWriter
from aispm_graph.graph.model import Graph
from aispm_graph.schema import Label, node_kinds


def is_target(data: dict[str, object]) -> bool:
    kind = node_kinds()[str(data["kind"])]
    if kind.target is not None:
        return True
    if Label.DATA_STORE in kind.labels and data.get("data_role"):
        return True
    return Label.SECRET in kind.labels and data.get("ai_key") is True


def reference_paths(graph: Graph, entries: list[str], max_hops: int) -> list[list[str]]:
    dg = graph.attack_subgraph()
    targets = {n for n, d in graph.nodes() if is_target(d)}
    out: set[tuple[str, ...]] = set()
    for entry in entries:
        if entry not in dg:
            continue
        for target in targets:
            if target == entry or target not in dg:
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


def test_mini_estate_paths(conn: FalkorDBConnection) -> None:
    graph = mini_estate()
    load(conn, graph)
    found = search_sequences(conn, CypherPathOptions(max_hops=8))
    assert not found.truncated
    assert found.sequences == reference_paths(graph, ["internet"], 8)
    assert ["internet", VM, ROLE, MODEL] in found.sequences
    assert ["internet", AZVM, MI, ROLE, TRAIN] in found.sequences
    assert ["internet", PUBLIC] in found.sequences
    assert ["internet", AOAI] in found.sequences
    # KB is a target: the path stops there and never continues to the bucket it grounds on.
    assert not any(KB in s[:-1] for s in found.sequences)
    short = search_sequences(conn, CypherPathOptions(max_hops=3))
    assert short.sequences == reference_paths(graph, ["internet"], 3)
    assert ["internet", AZVM, MI, ROLE, MODEL] not in short.sequences


def test_credential_entries(conn: FalkorDBConnection) -> None:
    graph = mini_estate()
    load(conn, graph)
    found = search_sequences(conn, CypherPathOptions(entry="credentials"))
    assert found.sequences == reference_paths(graph, [USER], 8)
    assert found.sequences  # the long-lived user reaches the admin account and the model
    assert all(s[0] == USER for s in found.sequences)


def test_cap_is_reported(conn: FalkorDBConnection) -> None:
    load(conn, mini_estate())
    found = search_sequences(conn, CypherPathOptions(limit=2))
    assert found.truncated and len(found.sequences) == 2


def test_subgraph_read_back_matches_the_graph(conn: FalkorDBConnection) -> None:
    graph = mini_estate()
    load(conn, graph)
    ids = ["internet", VM, ROLE, MODEL]
    sub = fetch_subgraph(conn, ids)
    assert set(sub.g.nodes) == set(ids)
    for node_id in ids:
        assert sub.node(node_id) == graph.node(node_id)
    assert {(s, d["kind"], t, d["confidence"]) for s, t, d in sub.edges()} == {
        (s, d["kind"], t, d["confidence"]) for s, t, d in graph.edges() if s in ids and t in ids
    }
    assert sub.edge(VM, ROLE, "HAS_IDENTITY") == graph.edge(VM, ROLE, "HAS_IDENTITY")


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(0, 10_000), hops=st.integers(1, 5))
def test_random_graphs_match_reference(conn: FalkorDBConnection, seed: int, hops: int) -> None:
    graph = random_estate(seed)
    load(conn, graph)
    found = search_sequences(conn, CypherPathOptions(max_hops=hops))
    assert found.sequences == reference_paths(graph, ["internet"], hops)
