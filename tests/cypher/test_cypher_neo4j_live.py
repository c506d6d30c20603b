"""Against a live Neo4j 5, when one is configured (NEO4J_URI, NEO4J_USERNAME, NEO4J_PASSWORD)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from aispm_graph.analysis.engine import PathOptions, find_paths
from aispm_graph.cypher.backends import open_neo4j
from aispm_graph.cypher.connection import Connection
from aispm_graph.cypher.paths import find_paths_cypher
from aispm_graph.cypher.queries import load_library
from aispm_graph.cypher.writer import CypherWriter
from tests.cypher.cypher_graphs import mini_estate

pytestmark = pytest.mark.skipif(
    not os.environ.get("NEO4J_URI"),
    reason="NEO4J_URI is not set: no live Neo4j to test against (FalkorDB tests cover execution)",
)


@pytest.fixture(scope="module")
def neo4j() -> Iterator[Connection]:
    conn = open_neo4j(os.environ["NEO4J_URI"], os.environ.get("NEO4J_DATABASE"))
    conn.run("MATCH (n:AispmNode) DETACH DELETE n")
    yield conn
    conn.run("MATCH (n:AispmNode) DETACH DELETE n")
    conn.close()


def test_export_queries_and_paths_on_neo4j(neo4j: Connection) -> None:
    graph = mini_estate()
    writer = CypherWriter(neo4j)
    writer.export(graph)
    stats = writer.export(graph)
    assert (stats.nodes_removed, stats.relationships_removed) == (0, 0)
    count = neo4j.run("MATCH (n:AispmNode) RETURN count(n) AS c")[0]["c"]
    assert count == len(graph)
    for query in load_library().values():
        neo4j.run(query.text, query.bind({}))
    expected = [p.model_dump(mode="json") for p in find_paths(graph, PathOptions()).paths]
    for local in (graph, None):
        got = find_paths_cypher(neo4j, local, PathOptions()).paths
        assert [p.model_dump(mode="json") for p in got] == expected
