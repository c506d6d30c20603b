"""Cypher backends: write the built graph to Neo4j or FalkorDB and query it there.

One backend-neutral writer (:mod:`.writer`) talks to a tiny connection interface
(:mod:`.connection`); where Neo4j and FalkorDB disagree on syntax the difference lives in a
:class:`~.dialect.Dialect`, so every statement either backend runs is generated in one place
and can be linted and tested.
"""

from __future__ import annotations

from aispm_graph.cypher.connection import Connection, CypherError
from aispm_graph.cypher.dialect import Dialect
from aispm_graph.cypher.writer import CypherWriter, ExportStats

__all__ = ["Connection", "CypherError", "CypherWriter", "Dialect", "ExportStats"]
