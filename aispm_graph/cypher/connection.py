"""The small connection interface the writer and queries use, and its two adapters.

``run(query, params)`` returns rows as plain dicts of plain values (str, int, float, bool,
None, lists, dicts), whatever the backend: nodes and relationships are returned as their
property maps. Keeping the interface this small is what lets one writer and one query library
serve both Neo4j and FalkorDB, and lets tests drive a real FalkorDB server through it.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol, TypeVar, cast

from aispm_graph.cypher.dialect import Dialect

Row = dict[str, Any]
T = TypeVar("T")


class CypherError(RuntimeError):
    """A backend refused a statement or could not be reached; the message says which."""


class TransientCypherError(CypherError):
    """Worth retrying: deadlock, leader switch, connection reset, server still loading."""


class Connection(Protocol):
    dialect: Dialect

    def run(self, query: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        """Run one statement in its own transaction and return its rows."""
        ...

    def run_table(
        self, query: str, params: Mapping[str, Any] | None = None
    ) -> tuple[list[str], list[Row]]:
        """:meth:`run`, with the statement's column names even when no row came back (a CSV
        of no rows still has its header; a script reading the JSON still finds the columns)."""
        ...

    def close(self) -> None: ...


def with_retries(
    fn: Callable[[], T],
    attempts: int = 5,
    base_delay: float = 0.2,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Call ``fn`` again after transient failures, backing off exponentially.

    Every write is an idempotent ``MERGE``/``SET`` batch, so repeating one that may or may not
    have committed before the connection dropped is safe.
    """
    for attempt in range(1, attempts + 1):
        try:
            return fn()
        except TransientCypherError:
            if attempt == attempts:
                raise
            sleep(base_delay * 2 ** (attempt - 1))
    raise AssertionError("unreachable")  # pragma: no cover


def _plain(value: Any) -> Any:
    """Backend value objects (nodes, relationships, paths) as plain Python values."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    props = getattr(value, "properties", None)  # falkordb Node / Edge
    if isinstance(props, dict):
        return {str(k): _plain(v) for k, v in props.items()}
    nodes = getattr(value, "nodes", None)  # neo4j / falkordb Path
    if callable(nodes):
        return [_plain(n) for n in nodes()]
    if nodes is not None and not isinstance(nodes, str):
        return [_plain(n) for n in nodes]
    items = getattr(value, "items", None)  # neo4j Node / Relationship
    if callable(items):
        pairs = cast(Callable[[], Iterable[tuple[Any, Any]]], items)()
        return {str(k): _plain(v) for k, v in pairs}
    return str(value)


class Neo4jConnection:
    """The official ``neo4j`` driver; credentials come from the caller (environment only)."""

    dialect = Dialect.NEO4J

    def __init__(self, uri: str, auth: tuple[str, str] | None, database: str | None) -> None:
        try:
            import neo4j
        except ImportError:  # pragma: no cover - depends on the installed extras
            raise CypherError(
                "the neo4j driver is not installed: pip install 'aispm-graph[neo4j]'"
            ) from None
        self._neo4j = neo4j
        self.database = database
        try:
            self._driver = neo4j.GraphDatabase.driver(uri, auth=auth)
            self._driver.verify_connectivity()
        except (neo4j.exceptions.Neo4jError, neo4j.exceptions.DriverError, ValueError) as exc:
            raise CypherError(f"cannot connect to Neo4j at {uri}: {exc}") from None

    def run(self, query: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        return self.run_table(query, params)[1]

    def run_table(
        self, query: str, params: Mapping[str, Any] | None = None
    ) -> tuple[list[str], list[Row]]:
        exc_mod = self._neo4j.exceptions
        try:
            with self._driver.session(database=self.database) as session:
                result = session.run(query, dict(params or {}))
                keys = list(result.keys())
                return keys, [{k: _plain(record[k]) for k in keys} for record in result]
        except (exc_mod.TransientError, exc_mod.ServiceUnavailable, exc_mod.SessionExpired) as exc:
            raise TransientCypherError(f"Neo4j: {exc}") from None
        except (exc_mod.Neo4jError, exc_mod.DriverError) as exc:
            raise CypherError(f"Neo4j refused the statement: {exc}") from None

    def close(self) -> None:
        self._driver.close()


class FalkorDBConnection:
    """The ``falkordb`` client against one named graph of a FalkorDB server."""

    dialect = Dialect.FALKORDB

    def __init__(self, url: str, graph: str, client: Any | None = None) -> None:
        try:
            import falkordb
            import redis.exceptions
        except ImportError:  # pragma: no cover - depends on the installed extras
            raise CypherError(
                "the falkordb client is not installed: pip install 'aispm-graph[falkordb]'"
            ) from None
        self._redis_exc = redis.exceptions
        self.url = url
        try:
            self._db = client if client is not None else falkordb.FalkorDB.from_url(url)
            self._db.connection.ping()
        except (redis.exceptions.RedisError, ValueError, OSError) as exc:
            raise CypherError(f"cannot connect to FalkorDB at {url}: {exc}") from None
        self.graph_name = graph
        self._graph = self._db.select_graph(graph)

    def run(self, query: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        return self.run_table(query, params)[1]

    def run_table(
        self, query: str, params: Mapping[str, Any] | None = None
    ) -> tuple[list[str], list[Row]]:
        rexc = self._redis_exc
        try:
            result = self._graph.query(query, dict(params or {}))
        except (rexc.ConnectionError, rexc.TimeoutError, rexc.BusyLoadingError) as exc:
            raise TransientCypherError(f"FalkorDB: {exc}") from None
        except rexc.ResponseError as exc:
            raise CypherError(f"FalkorDB refused the statement: {exc}") from None
        header = [_column_name(h) for h in (result.header or [])]
        return header, [
            {name: _plain(value) for name, value in zip(header, row, strict=False)}
            for row in result.result_set or []
        ]

    def delete_graph(self) -> None:
        """Drop the whole graph (tests and ``--replace``); a missing graph is not an error."""
        with contextlib.suppress(self._redis_exc.ResponseError):
            self._graph.delete()

    def close(self) -> None:
        # Closing a dead connection has nothing to report.
        with contextlib.suppress(Exception):
            self._db.connection.close()


def _column_name(header: Any) -> str:
    # falkordb returns [column_type, name] pairs; names may be bytes on older servers.
    name = header[1] if isinstance(header, list | tuple) and len(header) == 2 else header
    return name.decode() if isinstance(name, bytes) else str(name)
