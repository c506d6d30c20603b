"""build, paths, show, inventory: the core analysis commands."""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from aispm_graph.analysis.engine import (
    DEFAULT_MAX_HOPS,
    DEFAULT_MAX_PATHS,
    DEFAULT_ROUTES_PER_PAIR,
    PathOptions,
)
from aispm_graph.analysis.explain import explain as explain_path
from aispm_graph.analysis.inventory import build_inventory
from aispm_graph.analysis.models import AttackPath, PathResult
from aispm_graph.analysis.targets import passes_on
from aispm_graph.build import BuildContext, BuildOptions, Network, build_snapshot
from aispm_graph.cli import render, render_analysis
from aispm_graph.cli.errors import UserError
from aispm_graph.cli.groups import App, option_format, pass_app, root
from aispm_graph.cli.loading import (
    PATH_BACKENDS,
    check_gate,
    filter_paths,
    load_built,
    path_counts,
    run_paths,
)
from aispm_graph.cli.progress import progress_reporter
from aispm_graph.cli.suppressing import (
    load_suppressions,
    mute_paths,
    option_suppressions,
    report_notes,
)
from aispm_graph.context import (
    CONTEXT_FILE,
    AssetRule,
    Context,
    ContextError,
    Match,
    load_context,
)
from aispm_graph.graph.model import Graph
from aispm_graph.textsafe import safe
from aispm_graph.workspace import Snapshot

LEVELS = click.Choice(["critical", "high", "medium", "low"])


def parse_cidrs(values: tuple[str, ...]) -> tuple[Network, ...]:
    out = []
    for raw in values:
        for part in raw.split(","):
            if not part.strip():
                continue
            try:
                out.append(ipaddress.ip_network(part.strip(), strict=False))
            except ValueError:
                raise UserError(f"--trusted-cidrs: {part.strip()!r} is not a CIDR") from None
    return tuple(out)


def load_build_context(
    app: App, context_file: Path | None, crown_jewels: tuple[str, ...]
) -> Context:
    """The workspace's aispm.context.yaml (or --context FILE), plus --crown-jewel ids."""
    path = context_file or (app.workspace.root / CONTEXT_FILE)
    context = Context()
    if context_file is not None or path.exists():
        try:
            context = load_context(path)
        except ContextError as exc:
            raise UserError(str(exc)) from None
    if crown_jewels:
        flags = [
            AssetRule("--crown-jewel", Match({"id": cid}), "crown-jewel", ())
            for cid in crown_jewels
        ]
        context = context.extend(Context(assets=flags, source="--crown-jewel"))
    return context


def do_build(
    app: App,
    trusted: tuple[Network, ...] = (),
    context: Context | None = None,
    profile: bool = False,
) -> BuildContext:
    snap = app.workspace.current()
    if snap is None:
        raise UserError(
            f"workspace {app.workspace.root} has no snapshot: run 'aispm collect ...', "
            "'aispm import ...' or 'aispm demo' first"
        )
    if context is None:
        context = load_build_context(app, None, ())
    ctx = BuildContext(options=BuildOptions(trusted_cidrs=trusted, context=context))
    with progress_reporter(app) as reporter:
        ctx.progress = reporter
        graph, _ = build_snapshot(snap, ctx)
    ctx.progress = None
    app.info(f"built snapshot {snap.id}: {len(graph)} nodes, {graph.edge_count} edges")
    for w in ctx.warnings:
        app.err.print(f"[yellow]warning:[/yellow] {safe(w)}", markup=True, highlight=False)
    if profile:
        app.err.print(render.build_profile(ctx.timings))
    return ctx


@root.command("build")
@click.option(
    "--trusted-cidrs",
    multiple=True,
    metavar="CIDR[,CIDR]",
    help="Networks you control; sources inside them are not internet exposure.",
)
@click.option(
    "--context",
    "context_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help=f"Owner context rules (default: {CONTEXT_FILE} in the workspace, if present).",
)
@click.option(
    "--crown-jewel",
    multiple=True,
    metavar="RESOURCE_ID",
    help="Mark a resource as a crown jewel (a target with raised impact); repeatable.",
)
@click.option(
    "--profile",
    is_flag=True,
    help="Print the time of each transform and deriver (to stderr), slowest first.",
)
@pass_app
def build_cmd(
    app: App,
    trusted_cidrs: tuple[str, ...],
    context_file: Path | None,
    crown_jewel: tuple[str, ...],
    profile: bool,
) -> None:
    """Build the graph of the current snapshot (derived edges included)."""
    context = load_build_context(app, context_file, crown_jewel)
    do_build(app, parse_cidrs(trusted_cidrs), context, profile=profile)


@dataclass(frozen=True)
class PathRequest:
    """The path-search options every analysis command takes (see :func:`path_options`)."""

    entry: str
    max_hops: int
    max_paths: int
    target_kind: tuple[str, ...]
    backend: str
    snapshot_id: str | None
    all_routes: bool = False
    routes_per_pair: int = DEFAULT_ROUTES_PER_PAIR

    def options(self, entry: str | None = None) -> PathOptions:
        """The engine's options, for this request's entry or the one given."""
        return PathOptions(
            entry="credentials" if (entry or self.entry) == "credentials" else "internet",
            max_hops=self.max_hops,
            max_paths=self.max_paths,
            target_kinds=frozenset(self.target_kind),
            all_routes=self.all_routes,
            routes_per_pair=self.routes_per_pair,
        )


def path_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Add the path-search options; the command receives them as one ``paths`` argument."""

    @functools.wraps(fn)
    def wrapper(
        *args: Any,
        entry: str,
        max_hops: int,
        max_paths: int,
        target_kind: tuple[str, ...],
        backend: str,
        snapshot_id: str | None,
        all_routes: bool,
        routes_per_pair: int,
        **kwargs: Any,
    ) -> Any:
        req = PathRequest(
            entry,
            max_hops,
            max_paths,
            target_kind,
            backend,
            snapshot_id,
            all_routes,
            routes_per_pair,
        )
        return fn(*args, paths=req, **kwargs)

    opts = [
        click.option(
            "--entry",
            type=click.Choice(["internet", "credentials"]),
            default="internet",
            show_default=True,
            help="Start at the internet, or also at identities with long-lived "
            "credentials (assumed breach).",
        ),
        click.option(
            "--max-hops",
            type=click.IntRange(1, 32),
            default=DEFAULT_MAX_HOPS,
            show_default=True,
            help="Longest path considered.",
        ),
        click.option(
            "--max-paths",
            type=click.IntRange(1),
            default=DEFAULT_MAX_PATHS,
            show_default=True,
            help="Safety cap of --all-routes; hitting it is reported.",
        ),
        click.option(
            "--routes-per-pair",
            type=click.IntRange(1, 100),
            default=DEFAULT_ROUTES_PER_PAIR,
            show_default=True,
            help="Routes listed for each (entry, target) pair, best first (risk, then "
            "length); how many more exist is reported.",
        ),
        click.option(
            "--all-routes",
            is_flag=True,
            help="Enumerate every simple route instead of the best few per pair (exponential "
            "on dense IAM; --max-paths and the time budget cap it, and say so).",
        ),
        click.option(
            "--target-kind",
            multiple=True,
            help="Only targets of this node kind or target class (repeatable).",
        ),
        click.option(
            "--backend",
            type=click.Choice(["networkx", "neo4j", "falkordb"]),
            default="networkx",
            show_default=True,
            help="Where the path search runs: networkx in process; falkordb the embedded "
            "engine (no server; Python 3.12+), or the FalkorDB server in FALKORDB_URL; neo4j "
            "the server in NEO4J_URI the graph was exported to. Same paths, ids and risk.",
        ),
        click.option(
            "--snapshot",
            "snapshot_id",
            default=None,
            help="Snapshot id (default: the latest built).",
        ),
    ]
    decorated: Callable[..., Any] = wrapper
    for opt in reversed(opts):
        decorated = opt(decorated)
    return decorated


def compute_paths(app: App, req: PathRequest) -> tuple[Graph, Snapshot, PathResult]:
    """Load the built graph once and search it; the graph and snapshot come back for the
    commands that report on them too."""
    graph, _meta, snap = load_built(app, req.snapshot_id)
    # A Cypher backend without a server named searches the embedded copy of this snapshot.
    where = {"snapshot": snap.id}
    return graph, snap, run_paths(app, graph, req.options(), req.backend, where)


@root.command("paths")
@path_options
@option_format("table", "json", "html", "sarif", "ocsf", "md")
@click.option("--min-risk", type=LEVELS, default=None, help="Hide paths below this level.")
@click.option("--top", type=click.IntRange(1), default=None, help="Show the N riskiest paths.")
@click.option(
    "--fail-on", type=LEVELS, default=None, help="Exit 1 when any path is at or above this level."
)
@option_suppressions
@pass_app
def paths_cmd(
    app: App,
    paths: PathRequest,
    fmt: str,
    min_risk: str | None,
    top: int | None,
    fail_on: str | None,
    suppressions_file: Path | None,
) -> None:
    """Attack paths from internet-exposed entry points to AI models, agents and data."""
    sup = load_suppressions(app, suppressions_file)
    graph, snap, result = compute_paths(app, paths)
    result.paths, muted = mute_paths(sup, result.paths)
    notes = report_notes(app, sup, ("paths",))
    shown = filter_paths(result.paths, min_risk, top)
    if fmt in ("html", "sarif", "ocsf", "md"):
        # Report formats share one renderer with 'aispm report' (imported late: optional).
        from aispm_graph.cli.report_output import write_report
        from aispm_graph.report import build_report_data

        # 'paths' reports paths only; 'aispm report' adds choke points, findings and vulns.
        data = build_report_data(graph, result, paths=shown, snapshot=snap.id, providers={})
        write_report(app, data, fmt, None)
    elif fmt == "json":
        out = result.model_dump(mode="json")
        out["paths"] = [p.model_dump(mode="json") for p in shown]
        out["total_paths"] = len(result.paths)
        if sup is not None:
            out["suppressed"], out["suppression_notes"] = muted, notes
        render.print_json(app.console, out)
    else:
        note = render.truncation_note(result)
        if note:
            app.err.print(f"[bold yellow]{safe(note)}[/bold yellow]")
        if shown:
            app.console.print(render.paths_table(shown))
        app.console.print(render.counts_line(result.paths))
        routes = render.routes_note(result)
        if routes:
            app.console.print(routes)
        if muted:
            app.console.print(f"{len(muted)} suppressed path(s) hidden (reviewed risk)")
        if len(shown) < len(result.paths):
            app.console.print(
                f"showing {len(shown)} of {len(result.paths)}; "
                "'aispm show PATH_ID' for evidence and fixes"
            )
    check_gate(result.paths, fail_on)


def find_one(result: PathResult, path_id: str) -> AttackPath | None:
    exact = [p for p in result.paths if p.id == path_id]
    if exact:
        return exact[0]
    prefix = [p for p in result.paths if p.id.startswith(path_id)]
    if len(prefix) > 1:
        raise UserError(f"path id prefix {path_id!r} is ambiguous ({len(prefix)} paths)")
    return prefix[0] if prefix else None


@root.command("show")
@click.argument("path_id")
@path_options
@option_format("table", "json")
@click.option("--explain", is_flag=True, help="Print the risk arithmetic factor by factor.")
@pass_app
def show_cmd(
    app: App,
    path_id: str,
    paths: PathRequest,
    fmt: str,
    explain: bool = False,
) -> None:
    """Every hop of one attack path with its evidence, risk factors and fixes."""
    graph, snap, result = compute_paths(app, paths)
    path = find_one(result, path_id)
    if path is None and paths.entry == "internet":
        where = {"snapshot": snap.id}
        result = run_paths(app, graph, paths.options("credentials"), paths.backend, where)
        path = find_one(result, path_id)
    if path is None and not paths.all_routes:
        # Not among the best routes of its pair: look through every route.
        every = PathRequest(**{**paths.__dict__, "all_routes": True})
        result = run_paths(app, graph, every.options(), paths.backend)
        path = find_one(result, path_id)
    if path is None:
        raise UserError(f"no attack path with id {path_id!r} (list them with 'aispm paths')")
    agents = agents_on_path(graph, path)
    if fmt == "json":
        out = path.model_dump(mode="json")
        if explain:
            out["explain"] = explain_path(path).model_dump(mode="json")
        if agents:
            out["agents"] = agents
        render.print_json(app.console, out)
    else:
        render.path_detail(app.console, path)
        render_analysis.agent_indicators(app.console, agents)
        if explain:
            render_analysis.explanation(app.console, explain_path(path))


def agents_on_path(graph: Graph, path: AttackPath) -> list[dict[str, Any]]:
    """The agents a path runs into or through, with their risk indicators and evidence."""
    out = []
    for n in path.nodes:
        if not passes_on(n.kind) or not graph.has_node(n.id):
            continue
        data = graph.node(n.id)
        evidence = data.get("agent_indicator_evidence") or {}
        out.append(
            {
                "id": n.id,
                "kind": n.kind,
                "name": n.name,
                "indicators": {
                    k: list(evidence.get(k, [])) for k in data.get("agent_indicators") or []
                },
            }
        )
    return out


INVENTORY_FORMATS: dict[str, object] = {}


@root.command("inventory")
@option_format("table", "json", "cyclonedx", "csv")
@click.option(
    "--snapshot", "snapshot_id", default=None, help="Snapshot id (default: latest built)."
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write to this file instead of stdout.",
)
@pass_app
def inventory_cmd(app: App, fmt: str, snapshot_id: str | None, output: Path | None) -> None:
    """The AI bill of materials: AI services, models, agents, data and shadow AI."""
    graph, _meta, _snap = load_built(app, snapshot_id)
    result = run_paths(app, graph, PathOptions())
    inv = build_inventory(graph, path_counts(result.paths))
    if fmt == "cyclonedx":
        writer = INVENTORY_FORMATS.get("cyclonedx")
        if writer is None:
            # Registered by the vulns command module, which the lazy CLI may not have loaded.
            from aispm_graph.cli.lazy import load_all

            load_all()
            writer = INVENTORY_FORMATS.get("cyclonedx")
        if writer is None:
            raise UserError(
                "CycloneDX output needs the vulnerability extra: pip install 'aispm-graph[vulns]'"
            )
        doc = writer(graph)  # type: ignore[operator]
        _emit(app, doc, output)
    elif fmt == "csv":
        from aispm_graph.report.csvout import inventory_csv

        _emit_text(app, inventory_csv(inv), output)
    elif fmt == "json":
        _emit(app, {"summary": inv.summary(), "items": [i.model_dump() for i in inv.items]}, output)
    elif output is not None:  # a table to a file: the same rows, as plain text
        _emit_text(app, render.plain_text(render.inventory_table(inv), inv.one_line()), output)
    else:
        app.console.print(render.inventory_table(inv))
        app.console.print(inv.one_line(), markup=False)


def _emit(app: App, doc: object, output: Path | None) -> None:
    if output is None:
        render.print_json(app.console, doc)
        return
    from aispm_graph.atomic import write_output_text
    from aispm_graph.report.jsonout import dumps

    write_output_text(output, dumps(doc, indent=2, default=str) + "\n")
    app.info(f"wrote {output}")


def _emit_text(app: App, text: str, output: Path | None) -> None:
    if output is None:
        app.console.file.write(text)
        return
    from aispm_graph.atomic import write_output_text

    write_output_text(output, text)
    app.info(f"wrote {output}")


__all__ = ["PATH_BACKENDS", "do_build"]
