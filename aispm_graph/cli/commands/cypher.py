"""``aispm export neo4j|falkordb`` and ``aispm query``: the Cypher backends on the command line.

With no server named, Cypher runs on the embedded engine: a FalkorDB server that aispm starts
on a private unix socket, loaded from the workspace's latest built snapshot (or ``--snapshot``)
on first use and stopped when the command ends (:mod:`aispm_graph.cypher.embedded`). A FalkorDB
URL (``--url`` / ``FALKORDB_URL``) or ``--backend neo4j`` selects a server instead.
Credentials come from the environment only (``NEO4J_USERNAME`` / ``NEO4J_PASSWORD``,
``FALKORDB_USERNAME`` / ``FALKORDB_PASSWORD``); no option takes a secret.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import click
from rich.text import Text

from aispm_graph.analysis.engine import PathOptions
from aispm_graph.analysis.models import PathResult
from aispm_graph.cli.errors import UserError
from aispm_graph.cli.groups import App, export, option_format, pass_app, root
from aispm_graph.cli.loading import PATH_BACKENDS, PathBackend, load_built
from aispm_graph.cli.progress import progress_reporter
from aispm_graph.cypher.backends import (
    DEFAULT_GRAPH,
    DEFAULT_NEO4J_URI,
    SettingsError,
    open_falkordb,
    open_neo4j,
)
from aispm_graph.cypher.connection import Connection, CypherError
from aispm_graph.cypher.embedded import EmbeddedGraph
from aispm_graph.cypher.paths import find_paths_cypher
from aispm_graph.cypher.queries import Query, QueryFileError, load_library, resolve
from aispm_graph.cypher.writer import DEFAULT_NODE_BATCH, CypherWriter, ExportStats
from aispm_graph.graph.model import Graph
from aispm_graph.report.csvout import to_csv
from aispm_graph.textsafe import SafeTable, clean
from aispm_graph.workspace import Snapshot, WorkspaceError


@dataclass(frozen=True)
class Target:
    """Where Cypher runs: Neo4j, a FalkorDB server (``url``), or the embedded engine."""

    backend: str
    uri: str = DEFAULT_NEO4J_URI
    database: str | None = None
    url: str | None = None
    graph: str = DEFAULT_GRAPH

    @property
    def embedded(self) -> bool:
        return self.backend == "falkordb" and not self.url

    def describe(self) -> str:
        if self.backend == "neo4j":
            return f"neo4j {self.uri}" + (f" database {self.database}" if self.database else "")
        if self.url:
            return f"falkordb {self.url} graph {self.graph}"
        return "the embedded FalkorDB"


def _connect_server(target: Target) -> Connection:
    try:
        if target.backend == "neo4j":
            return open_neo4j(target.uri, target.database)
        assert target.url is not None
        return open_falkordb(target.url, target.graph)
    except (SettingsError, CypherError) as exc:
        raise UserError(str(exc)) from None


def _snapshot(app: App, snapshot_id: str | None) -> Snapshot:
    ws = app.workspace
    try:
        snap = ws.snapshot(snapshot_id) if snapshot_id else ws.latest_built()
    except WorkspaceError as exc:
        raise UserError(str(exc)) from None
    if not snap.sealed:
        raise UserError(f"snapshot {snap.id} has not been built: run 'aispm build'")
    return snap


def _open_embedded(
    app: App,
    snap: Snapshot,
    fmt: str | None,
    *,
    reload: bool = False,
    node_batch: int = DEFAULT_NODE_BATCH,
) -> EmbeddedGraph:
    """Start the embedded engine for ``snap``, loading it (with progress bars) if needed."""

    def loading(s: Snapshot) -> None:
        app.info(f"loading snapshot {s.id} into the embedded FalkorDB (kept for the next queries)")

    with progress_reporter(app, fmt) as reporter:
        engine = EmbeddedGraph(
            snap, reload=reload, progress=reporter, node_batch=node_batch, on_load=loading
        )
        try:
            engine.open()
        except CypherError as exc:
            raise UserError(str(exc)) from None
    return engine


@contextmanager
def cypher_connection(
    app: App, target: Target, snapshot_id: str | None = None, fmt: str | None = None
) -> Iterator[Connection]:
    """A connection to ``target``, closed (and an embedded server stopped) on the way out."""
    if target.embedded:
        engine = _open_embedded(app, _snapshot(app, snapshot_id), fmt)
        try:
            assert engine.connection is not None
            yield engine.connection
        finally:
            engine.close()
        return
    conn = _connect_server(target)
    try:
        yield conn
    finally:
        conn.close()


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
        help="Graph name on a FalkorDB server (env FALKORDB_GRAPH).",
    )(fn)
    return click.option(
        "--url",
        envvar="FALKORDB_URL",
        default=None,
        help="A FalkorDB server: redis://host:port, rediss:// or unix:///path (env "
        "FALKORDB_URL); password from FALKORDB_PASSWORD. Without it: the embedded engine.",
    )(fn)


def _export(app: App, target: Target, fmt: str, batch_size: int) -> None:
    if target.embedded:
        snap = _snapshot(app, None)
        engine = _open_embedded(app, snap, fmt, reload=True, node_batch=batch_size)
        engine.close()
        assert engine.info.stats is not None
        _print_stats(app, fmt, target.describe(), snap.id, engine.info.stats)
        app.info(f"data: {engine.data_dir}")
        return
    conn = _connect_server(target)  # settings errors first, before any loading
    try:
        graph, meta, snapshot = load_built(app)
        with progress_reporter(app, fmt) as reporter:
            writer = CypherWriter(conn, node_batch=batch_size, progress=reporter)
            stats = writer.export(graph, snapshot=str(meta.get("snapshot") or snapshot.id))
    except CypherError as exc:
        raise UserError(f"export to {target.describe()} failed: {exc}") from None
    finally:
        conn.close()
    _print_stats(app, fmt, target.describe(), snapshot.id, stats)


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
    _export(app, Target("neo4j", uri=uri, database=database), fmt, batch_size)


@export.command("falkordb")
@falkordb_options
@_batch_option
@option_format("table", "json")
@pass_app
def export_falkordb(app: App, url: str | None, graph_name: str, batch_size: int, fmt: str) -> None:
    """Write the latest built graph to a FalkorDB server (idempotent; stale data removed per
    tenant), or, without --url, (re)load the workspace's embedded FalkorDB."""
    _export(app, Target("falkordb", url=url, graph=graph_name), fmt, batch_size)


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
    # The id is what the user types next: never cut, whatever the terminal's width.
    table = SafeTable(title="Query library (aispm query ID)")
    table.add_column("id", no_wrap=True, min_width=max(len(q) for q in library))
    for header in ("category", "title", "parameters"):
        table.add_column(header)
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


def _csv_value(value: Any) -> Any:
    # Maps and lists of maps as JSON (a spreadsheet cell cannot nest); plain lists stay lists.
    if isinstance(value, dict) or (
        isinstance(value, list) and any(isinstance(v, dict | list) for v in value)
    ):
        return json.dumps(value, sort_keys=True)
    return value


def _print_rows(
    app: App,
    query: Query,
    target: Target,
    bound: dict[str, Any],
    columns: list[str],
    rows: list[dict[str, Any]],
    fmt: str,
) -> None:
    if fmt == "json":
        out = {
            "query": query.id,
            "backend": target.backend,
            "embedded": target.embedded,
            "parameters": bound,
            "columns": columns,
            "rows": rows,
        }
        click.echo(json.dumps(out, default=str))
        return
    if fmt == "csv":
        body = to_csv(columns, ([_csv_value(r.get(c)) for c in columns] for r in rows))
        click.echo(body, nl=False)
        return
    if not rows:
        app.console.print(Text(clean(f"{query.title}: no rows.")))
        return
    table = SafeTable(*columns, title=query.title)  # estate strings are data, never markup
    for row in rows:
        table.add_row(*(_cell(row[c]) for c in columns))
    app.console.print(table)
    app.info(f"{len(rows)} rows")


@root.command("query")
@click.argument("name", required=False)
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE", help="Query parameter.")
@click.option(
    "--backend",
    type=click.Choice(["falkordb", "neo4j"]),
    default="falkordb",
    show_default=True,
    help="falkordb: the embedded engine (loaded from the workspace), or the server at --url; "
    "neo4j: the server the graph was exported to.",
)
@click.option(
    "--snapshot",
    "snapshot_id",
    default=None,
    help="Snapshot the embedded engine loads (default: the latest built).",
)
@click.option("--list", "list_only", is_flag=True, help="List the query library and exit.")
@neo4j_options
@falkordb_options
@option_format("table", "json", "csv")
@pass_app
def query_cmd(
    app: App,
    name: str | None,
    params: tuple[str, ...],
    backend: str,
    snapshot_id: str | None,
    list_only: bool,
    uri: str,
    database: str | None,
    url: str | None,
    graph_name: str,
    fmt: str,
) -> None:
    """Run a library query (by id) or a .cypher file. With no server named, it runs on the
    embedded FalkorDB of the latest built snapshot: no database to install or start."""
    if list_only:
        _list_queries(app, "json" if fmt == "json" else "table")
        return
    if not name:
        raise UserError("give a query id or a .cypher file (aispm query --list shows the library)")
    try:
        query: Query = resolve(name)
        bound = query.bind(_parse_params(params))
    except QueryFileError as exc:
        raise UserError(str(exc)) from None
    target = Target(backend, uri=uri, database=database, url=url, graph=graph_name)
    with cypher_connection(app, target, snapshot_id, fmt) as conn:
        try:
            columns, rows = conn.run_table(query.text, bound)
        except CypherError as exc:
            raise UserError(f"query {query.id} failed on {target.describe()}: {exc}") from None
    _print_rows(app, query, target, bound, columns, rows, fmt)


def _server_paths(backend: str) -> PathBackend:
    """``aispm paths --backend neo4j|falkordb``: the search runs in the Cypher backend.

    Settings come from ``backend_args`` or the same environment variables as export; FalkorDB
    without a URL is the embedded engine of the snapshot being analysed (``snapshot`` in
    ``backend_args``, else the latest built).
    """

    def run(app: App, graph: Graph, opts: PathOptions, args: dict[str, Any]) -> PathResult:
        env = os.environ
        target = Target(
            backend,
            uri=str(args.get("uri") or env.get("NEO4J_URI") or DEFAULT_NEO4J_URI),
            database=args.get("database") or env.get("NEO4J_DATABASE"),
            url=args.get("url") or env.get("FALKORDB_URL") or None,
            graph=str(args.get("graph") or env.get("FALKORDB_GRAPH") or DEFAULT_GRAPH),
        )
        with cypher_connection(app, target, args.get("snapshot")) as conn:
            try:
                if app.show_progress:
                    with app.err.status(f"finding attack paths on {target.describe()}..."):
                        return find_paths_cypher(conn, graph, opts)
                return find_paths_cypher(conn, graph, opts)
            except CypherError as exc:
                raise UserError(f"path search on {target.describe()} failed: {exc}") from None

    return run


PATH_BACKENDS["neo4j"] = _server_paths("neo4j")
PATH_BACKENDS["falkordb"] = _server_paths("falkordb")
