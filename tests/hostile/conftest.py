"""The hostile suite reuses the session FalkorDB server of the Cypher tests."""

from tests.cypher.conftest import falkordb_url

__all__ = ["falkordb_url"]
