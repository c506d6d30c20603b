"""``aispm diff``: what changed between two built snapshots, with a CI gate."""

from __future__ import annotations

import click

from aispm_graph.analysis.drift import drift
from aispm_graph.analysis.engine import PathOptions
from aispm_graph.analysis.models import LEVEL_ORDER
from aispm_graph.cli import render, render_analysis
from aispm_graph.cli.commands.analysis import LEVELS
from aispm_graph.cli.errors import GateFailed, UserError
from aispm_graph.cli.groups import App, option_format, pass_app, root
from aispm_graph.cli.loading import run_paths
from aispm_graph.store import load_graph


def _built(app: App) -> list[str]:
    return [s for s in app.workspace.snapshot_ids() if app.workspace.snapshot(s).sealed]


@root.command("diff")
@click.argument("old", required=False)
@click.argument("new", required=False)
@option_format("table", "json")
@click.option(
    "--fail-on-new",
    type=LEVELS,
    default=None,
    help="Exit 1 when a new (or newly worse) path is at or above this level.",
)
@click.option(
    "--entry",
    type=click.Choice(["internet", "credentials"]),
    default="internet",
    show_default=True,
    help="Path entry points, as for 'aispm paths'.",
)
@pass_app
def diff_cmd(
    app: App, old: str | None, new: str | None, fmt: str, fail_on_new: str | None, entry: str
) -> None:
    """Drift between two snapshots (default: the two latest built): paths, AI assets, exposure."""
    built = _built(app)
    if old is None and new is None:
        if len(built) < 2:
            raise UserError(
                f"diff needs two built snapshots; workspace {app.workspace.root} has "
                f"{len(built)} ({', '.join(built) or 'none'})"
            )
        old, new = built[-2], built[-1]
    elif new is None:
        if not built:
            raise UserError("diff: the workspace has no built snapshot")
        new = built[-1]
    assert old is not None
    sides = []
    opts = PathOptions(entry="credentials" if entry == "credentials" else "internet")
    for sid in (old, new):
        snap = app.workspace.snapshot(sid)
        if not snap.sealed:
            raise UserError(f"snapshot {sid} has not been built: run 'aispm build'")
        graph, _meta = load_graph(snap.graph_path)
        sides.append((sid, graph, run_paths(app, graph, opts)))
    (oid, ograph, opaths), (nid, ngraph, npaths) = sides
    report = drift(oid, ograph, opaths, nid, ngraph, npaths)
    if fmt == "json":
        render.print_json(app.console, report.model_dump(mode="json"))
    else:
        render_analysis.drift_report(app.console, report)
    if fail_on_new and report.worst_new_level() >= LEVEL_ORDER[fail_on_new]:
        raise GateFailed(f"new attack path(s) at or above {fail_on_new} (--fail-on-new)")
