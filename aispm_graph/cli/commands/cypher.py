"""``aispm export neo4j|falkordb`` and ``aispm query``: the Cypher backends on the command line.

Credentials come from the environment only (``NEO4J_USERNAME`` / ``NEO4J_PASSWORD``,
``FALKORDB_USERNAME`` / ``FALKORDB_PASSWORD``); no option takes a secret.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from aispm_graph.analysis.engine import PathOptions
from aispm_graph.analysis.models import PathResult
from aispm_graph.cli.errors import UserError
from aispm_graph.cli.groups import App, export, option_format, pass_app, root
from aispm_graph.cli.loading import PATH_BACKENDS, PathBackend, load_built
from aispm_graph.cypher.backends import (
    DEFAULT_FALKORDB_URL,
    DEFAULT_GRAPH,
    DEFAULT_NEO4J_URI,
    SettingsError,
    open_falkordb,
    open_neo4j,
)
from aispm_graph.cypher.connection import Connection, CypherError
from aispm_graph.cypher.paths import find_paths_cypher
from aispm_graph.cypher.queries import Query, QueryFileError, load_library, resolve
from aispm_graph.cypher.writer import CypherWriter, ExportStats
from aispm_graph.graph.model import Graph
from aispm_graph.textsafe import SafeTable


def _connect(backend: str, uri: str, database: str | None, url: str, graph: str) -> Connection:
    try:
        if backend == "neo4j":
            return open_neo4j(uri, database)
        return open_falkordb(url, graph)
    except (SettingsError, CypherError) as exc:
        raise UserError(str(exc)) from None


def neo4j_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    fn = click.option(
        "--database",
        envvar="NEO4J_DATABASE",
        default=None,
        help="Neo4j database (env NEO4J_DATABASE).",
    )(fn)
    return click.option(
        "--uri",
        envvar="NEO4J_URI",
        default=DEFAULT_NEO4J_URI,
        show_default=True,
        help="Neo4j URI (env NEO4J_URI); credentials from NEO4J_USERNAME / NEO4J_PASSWORD.",
    )(fn)


def falkordb_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    fn = click.option(
        "--graph",
        "graph_name",
        envvar="FALKORDB_GRAPH",
        default=DEFAULT_GRAPH,
        show_default=True,
        help="FalkorDB graph name (env FALKORDB_GRAPH).",
    )(fn)
    return click.option(
        "--url",
        envvar="FALKORDB_URL",
        default=DEFAULT_FALKORDB_URL,
        show_default=True,
        help="FalkorDB URL: redis://host:port or unix:///path (env FALKORDB_URL); password "
        "from FALKORDB_PASSWORD.",
    )(fn)


@contextmanager
def _progress(app: App) -> Iterator[Callable[[str, int, int], None] | None]:
    if not app.show_progress:
        yield None
        return
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=app.err
    ) as bar:
        tasks: dict[str, Any] = {}

        def update(what: str, done: int, total: int) -> None:
            if what not in tasks:
                tasks[what] = bar.add_task(f"writing {what}", total=total)
            bar.update(tasks[what], completed=done)

        yield update


def _export(app: App, conn: Connection, fmt: str, target: str, batch_size: int) -> None:
    graph, meta, snapshot = load_built(app)
    try:
        with _progress(app) as progress:
            writer = CypherWriter(conn, node_batch=batch_size, progress=progress)
            stats = writer.export(graph, snapshot=str(meta.get("snapshot") or snapshot.id))
    except CypherError as exc:
        raise UserError(f"export to {target} failed: {exc}") from None
    finally:
        conn.close()
    _print_stats(app, fmt, target, snapshot.id, stats)


def _print_stats(app: App, fmt: str, target: str, snapshot: str, stats: ExportStats) -> None:
    if fmt == "json":
        click.echo(json.dumps({"target": target, "snapshot": snapshot, **stats.as_dict()}))
        return
    tenants = ", ".join(stats.tenants) or "none"
    app.console.print(
        f"Exported snapshot {snapshot} to {target}: {stats.nodes} nodes, "
        f"{stats.relationships} relationships in {stats.seconds:.1f}s "
        f"({stats.statements} statements).",
        markup=False,
    )
    app.console.print(
        f"Removed {stats.nodes_removed} nodes and {stats.relationships_removed} relationships "
        f"left by older exports in tenants: {tenants}.",
        markup=False,
    )


_batch_option = click.option(
    "--batch-size",
    type=click.IntRange(1, 100_000),
    default=2000,
    show_default=True,
    help="Nodes per transaction (relationship batches shrink with fan-out).",
)


@export.command("neo4j")
@neo4j_options
@_batch_option
@option_format("table", "json")
@pass_app
def export_neo4j(app: App, uri: str, database: str | None, batch_size: int, fmt: str) -> None:
    """Write the latest built graph to Neo4j 5 (idempotent; stale data removed per tenant)."""
    conn = _connect("neo4j", uri, database, "", "")
    _export(
        app, conn, fmt, f"neo4j {uri}" + (f" database {database}" if database else ""), batch_size
    )


@export.command("falkordb")
@falkordb_options
@_batch_option
@option_format("table", "json")
@pass_app
def export_falkordb(app: App, url: str, graph_name: str, batch_size: int, fmt: str) -> None:
    """Write the latest built graph to a FalkorDB graph (idempotent; stale data removed
    per tenant)."""
    conn = _connect("falkordb", "", None, url, graph_name)
    _export(app, conn, fmt, f"falkordb {url} graph {graph_name}", batch_size)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return " -> ".join(_cell(v) for v in value) if value else ""
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True)
    return str(value)


def _list_queries(app: App, fmt: str) -> None:
    try:
        library = load_library()
    except QueryFileError as exc:
        raise UserError(str(exc)) from None
    if fmt == "json":
        click.echo(
            json.dumps(
                [
                    {
                        "id": q.id,
                        "title": q.title,
                        "category": q.category,
                        "description": q.description,
                        "parameters": {
                            p.name: {
                                "type": p.type,
                                "default": p.default,
                                "description": p.description,
                            }
                            for p in q.parameters
                        },
                    }
                    for q in library.values()
                ]
            )
        )
        return
    table = SafeTable("id", "category", "title", "parameters")
    for q in library.values():
        table.add_row(q.id, q.category, q.title, ", ".join(p.name for p in q.parameters))
    app.console.print(table)


def _parse_params(raw: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in raw:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UserError(f"--param {item!r}: expected NAME=VALUE")
        out[key.strip()] = value
    return out


@root.command("query")
@click.argument("name", required=False)
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE", help="Query parameter.")
@click.option(
    "--backend",
    type=click.Choice(["neo4j", "falkordb"]),
    default="neo4j",
    show_default=True,
    help="Where the graph was exported.",
)
@click.option("--list", "list_only", is_flag=True, help="List the query library and exit.")
@neo4j_options
@falkordb_options
@option_format("table", "json")
@pass_app
def query_cmd(
    app: App,
    name: str | None,
    params: tuple[str, ...],
    backend: str,
    list_only: bool,
    uri: str,
    database: str | None,
    url: str,
    graph_name: str,
    fmt: str,
) -> None:
    """Run a library query (by id) or a .cypher file against an exported graph."""
    if list_only:
        _list_queries(app, fmt)
        return
    if not name:
        raise UserError("give a query id or a .cypher file (aispm query --list shows the library)")
    try:
        query: Query = resolve(name)
        bound = query.bind(_parse_params(params))
    except QueryFileError as exc:
        raise UserError(str(exc)) from None
    conn = _connect(backend, uri, database, url, graph_name)
    try:
        rows = conn.run(query.text, bound)
    except CypherError as exc:
        raise UserError(f"query {query.id} failed on {backend}: {exc}") from None
    finally:
        conn.close()
    columns = list(rows[0]) if rows else []
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "query": query.id,
                    "backend": backend,
                    "parameters": bound,
                    "columns": columns,
                    "rows": rows,
                },
                default=str,
            )
        )
        return
    table = SafeTable(*columns, title=query.title) if columns else None
    if table is None:
        app.console.print(f"{query.title}: no rows.", markup=False)
        return
    for row in rows:
        table.add_row(*(_cell(row[c]) for c in columns))
    app.console.print(table)
    app.info(f"{len(rows)} rows")


def _server_paths(backend: str) -> PathBackend:
    """``aispm paths --backend neo4j|falkordb``: the search runs on the server the graph was
    exported to; settings from ``backend_args`` or the same environment variables as export."""

    def run(app: App, graph: Graph, opts: PathOptions, args: dict[str, Any]) -> PathResult:
        env = os.environ
        conn = _connect(
            backend,
            str(args.get("uri") or env.get("NEO4J_URI") or DEFAULT_NEO4J_URI),
            args.get("database") or env.get("NEO4J_DATABASE"),
            str(args.get("url") or env.get("FALKORDB_URL") or DEFAULT_FALKORDB_URL),
            str(args.get("graph") or env.get("FALKORDB_GRAPH") or DEFAULT_GRAPH),
        )
        try:
            if app.show_progress:
                with app.err.status(f"finding attack paths on {backend}..."):
                    return find_paths_cypher(conn, graph, opts)
            return find_paths_cypher(conn, graph, opts)
        except CypherError as exc:
            raise UserError(f"path search on {backend} failed: {exc}") from None
        finally:
            conn.close()

    return run


PATH_BACKENDS["neo4j"] = _server_paths("neo4j")
PATH_BACKENDS["falkordb"] = _server_paths("falkordb")
