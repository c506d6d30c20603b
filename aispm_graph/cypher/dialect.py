"""Where Neo4j 5 and FalkorDB disagree, in one place.

Both speak openCypher for what the writer and the query library need (``UNWIND``, ``MERGE``,
``SET n += map``, variable-length patterns with type alternation, list predicates). They differ
in schema statements: Neo4j has named, idempotent ``CREATE CONSTRAINT ... IF NOT EXISTS`` and
``CREATE INDEX ... IF NOT EXISTS``; FalkorDB has unnamed ``CREATE INDEX FOR ... ON ...`` that
fails when the index exists, and uniqueness through a separate command. Each statement the
writer sends is built here per dialect, and tests lint the Neo4j variant and execute the
FalkorDB one.
"""

from __future__ import annotations

from enum import StrEnum

from aispm_graph.cypher.names import label, prop_name


class Dialect(StrEnum):
    NEO4J = "neo4j"
    FALKORDB = "falkordb"


def _index_name(label_name: str, prop: str) -> str:
    return f"aispm_{label_name}_{prop}".lower()


def unique_id_statement(dialect: Dialect, label_name: str) -> str:
    """The statement making ``id`` unique (Neo4j) or at least indexed (FalkorDB) on a label.

    FalkorDB enforces uniqueness only through ``GRAPH.CONSTRAINT``, a command outside Cypher;
    the writer never creates duplicates because every node write is a ``MERGE`` on ``id``, so
    an exact-match index is what matters there.
    """
    if dialect is Dialect.NEO4J:
        return (
            f"CREATE CONSTRAINT {_index_name(label_name, 'id')} IF NOT EXISTS "
            f"FOR (n:{label(label_name)}) REQUIRE n.id IS UNIQUE"
        )
    return f"CREATE INDEX FOR (n:{label(label_name)}) ON (n.id)"


def index_statement(dialect: Dialect, label_name: str, prop: str) -> str:
    if dialect is Dialect.NEO4J:
        return (
            f"CREATE INDEX {_index_name(label_name, prop)} IF NOT EXISTS "
            f"FOR (n:{label(label_name)}) ON (n.{prop_name(prop)})"
        )
    return f"CREATE INDEX FOR (n:{label(label_name)}) ON (n.{prop_name(prop)})"


def is_already_exists(dialect: Dialect, message: str) -> bool:
    """FalkorDB refuses to create an index twice; that refusal means there is nothing to do."""
    text = message.lower()
    return dialect is Dialect.FALKORDB and ("already indexed" in text or "already exists" in text)
