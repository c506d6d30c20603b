"""Opening a backend connection from user settings, with credentials only from the environment.

Neo4j: ``NEO4J_USERNAME`` / ``NEO4J_PASSWORD`` (both or neither). FalkorDB: ``FALKORDB_USERNAME``
/ ``FALKORDB_PASSWORD``. A URI that embeds a password is refused, because a command line is
visible to every user of the machine and ends up in shell history.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from urllib.parse import urlsplit

from aispm_graph.cypher.connection import (
    Connection,
    CypherError,
    FalkorDBConnection,
    Neo4jConnection,
)

DEFAULT_NEO4J_URI = "bolt://localhost:7687"
DEFAULT_FALKORDB_URL = "redis://localhost:6379"
DEFAULT_GRAPH = "aispm"
#: The Bolt schemes (direct or routed, plain, TLS, TLS with a self-signed certificate). The
#: driver also takes http(s) for its preview Query API, which needs packages we do not install.
NEO4J_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")


class SettingsError(ValueError):
    """A connection setting the user must fix (exit 2)."""


def _refuse_embedded_secret(url: str, env_hint: str) -> None:
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise SettingsError(f"invalid URL {url!r}: {exc}") from None
    if parts.password:
        raise SettingsError(
            f"the URL contains a password; remove it and set {env_hint} in the environment"
        )


def neo4j_auth(env: Mapping[str, str]) -> tuple[str, str] | None:
    user, password = env.get("NEO4J_USERNAME"), env.get("NEO4J_PASSWORD")
    if user is None and password is None:
        return None
    if not user or password is None:
        raise SettingsError("set both NEO4J_USERNAME and NEO4J_PASSWORD (or neither)")
    return user, password


def open_neo4j(uri: str, database: str | None, env: Mapping[str, str] | None = None) -> Connection:
    env = os.environ if env is None else env
    _refuse_embedded_secret(uri, "NEO4J_USERNAME and NEO4J_PASSWORD")
    scheme = urlsplit(uri).scheme.lower()
    if scheme not in NEO4J_SCHEMES:
        raise SettingsError(
            f"unsupported Neo4j URI scheme {scheme!r} in {uri!r}: use "
            + ", ".join(f"{s}://" for s in NEO4J_SCHEMES)
            + " (for example bolt://localhost:7687)"
        )
    return Neo4jConnection(uri, neo4j_auth(env), database)


def open_falkordb(url: str, graph: str, env: Mapping[str, str] | None = None) -> Connection:
    """``redis://host:port``, ``rediss://`` (TLS) or ``unix:///path/to/socket``."""
    env = os.environ if env is None else env
    _refuse_embedded_secret(url, "FALKORDB_PASSWORD")
    if not graph or any(ord(c) < 33 for c in graph):
        raise SettingsError(f"invalid graph name {graph!r}")
    try:
        import falkordb
        from redis.exceptions import RedisError
    except ImportError:  # pragma: no cover - depends on installed extras
        raise CypherError(
            "the falkordb client is not installed: pip install 'aispm-graph[falkordb]'"
        ) from None
    parts = urlsplit(url)
    username = env.get("FALKORDB_USERNAME") or parts.username or None
    password = env.get("FALKORDB_PASSWORD") or None
    try:
        if parts.scheme == "unix":
            client = falkordb.FalkorDB(
                unix_socket_path=parts.path, username=username, password=password
            )
        elif parts.scheme in ("redis", "rediss", "falkor", "falkors"):
            client = falkordb.FalkorDB(
                host=parts.hostname or "localhost",
                port=parts.port or 6379,
                username=username,
                password=password,
                ssl=parts.scheme in ("rediss", "falkors"),
            )
        else:
            raise SettingsError(f"unsupported FalkorDB URL scheme {parts.scheme!r} in {url!r}")
    except (OSError, ValueError, RedisError) as exc:
        if isinstance(exc, SettingsError):
            raise
        raise CypherError(f"cannot connect to FalkorDB at {url}: {exc}") from None
    return FalkorDBConnection(url, graph, client=client)
