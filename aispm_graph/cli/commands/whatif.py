"""``aispm whatif``: apply planned fixes to a copy of the graph and re-run the analysis."""

from __future__ import annotations

import click

from aispm_graph.analysis.engine import find_paths
from aispm_graph.analysis.fixes import (
    GraphOp,
    UnknownFix,
    apply_ops,
    collect_fixes,
    edge_fixes,
    resolve,
)
from aispm_graph.analysis.whatif import compare
from aispm_graph.cli import render, render_analysis
from aispm_graph.cli.commands.analysis import PathRequest, compute_paths, path_options
from aispm_graph.cli.errors import UserError
from aispm_graph.cli.groups import App, option_format, pass_app, root
from aispm_graph.cli.loading import run_paths
from aispm_graph.schema import edge_kinds


@root.command("whatif")
@click.option("--fix", "fix_ids", multiple=True, help="Fix id (fx-...) from 'aispm show'.")
@click.option(
    "--remove-edge",
    "remove_edges",
    nargs=3,
    multiple=True,
    metavar="SRC KIND DST",
    help="Remove one edge (repeatable).",
)
@click.option("--remove-node", "remove_nodes", multiple=True, help="Remove a node (repeatable).")
@path_options
@option_format("table", "json")
@pass_app
def whatif_cmd(
    app: App,
    fix_ids: tuple[str, ...],
    remove_edges: tuple[tuple[str, str, str], ...],
    remove_nodes: tuple[str, ...],
    paths: PathRequest,
    fmt: str,
) -> None:
    """Which paths a change closes, which remain (and the hop that now carries them).

    Runs on a copy of the built graph in memory; the workspace is not written.
    """
    if not (fix_ids or remove_edges or remove_nodes):
        raise UserError("whatif: give at least one --fix, --remove-edge or --remove-node")
    graph, _snap, before = compute_paths(app, paths)
    opts, backend = paths.options(), paths.backend
    ops: list[GraphOp] = []
    applied: list[str] = []
    if fix_ids:
        fixes = collect_fixes(before.paths)
        try:
            try:
                chosen = resolve(fixes, fix_ids)
            except UnknownFix:
                # A choke point may sit on routes beyond the listed ones: any attack edge.
                chosen = resolve({**edge_fixes(graph), **fixes}, fix_ids)
        except UnknownFix as exc:
            raise UserError(
                f"--fix {exc.args[0]!r}: no fix with that id (or unique prefix) on any attack "
                "path; list fixes with 'aispm chokepoints' or 'aispm show PATH_ID'"
            ) from None
        for f in chosen:
            ops.extend(f.ops)
            applied.append(f"{f.id}: {f.action}")
    known_kinds = edge_kinds()
    for src, kind, dst in remove_edges:
        if kind not in known_kinds:
            raise UserError(f"--remove-edge: unknown edge kind {kind!r}")
        if graph.edge(src, dst, kind) is None:
            raise UserError(f"--remove-edge: no edge {src} -[{kind}]-> {dst} in the graph")
        op = GraphOp("remove-edge", source=src, kind=kind, target=dst)
        ops.append(op)
        applied.append(op.describe())
    for node in remove_nodes:
        if not graph.has_node(node):
            raise UserError(f"--remove-node: no node {node!r} in the graph")
        op = GraphOp("remove-node", node=node)
        ops.append(op)
        applied.append(op.describe())
    changed = apply_ops(graph, ops)
    if backend == "networkx":
        after = find_paths(changed, opts)
    else:
        after = run_paths(app, changed, opts, backend)
    report = compare(before, after, applied)
    if fmt == "json":
        render.print_json(app.console, report.model_dump(mode="json"))
    else:
        render_analysis.whatif_report(app.console, report)
