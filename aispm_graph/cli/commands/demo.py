"""``aispm demo``: the whole product on a bundled multi-cloud estate, in seconds."""

from __future__ import annotations

import click

from aispm_graph.analysis.engine import PathOptions
from aispm_graph.analysis.inventory import build_inventory
from aispm_graph.cli import render
from aispm_graph.cli.commands.analysis import do_build
from aispm_graph.cli.groups import App, pass_app, root
from aispm_graph.cli.loading import load_built, path_counts, run_paths
from aispm_graph.demo import import_demo


@root.command("demo")
@click.option(
    "--top", type=click.IntRange(1), default=10, show_default=True, help="How many paths to list."
)
@pass_app
def demo_cmd(app: App, top: int) -> None:
    """Build the bundled demo estate into the workspace and show what it finds."""
    snap = app.workspace.new_snapshot()
    n = import_demo(snap)
    app.info(
        f"imported the demo estate ({n} documents) into {app.workspace.root} snapshot {snap.id}"
    )
    do_build(app)
    graph, _meta, _snap = load_built(app)
    result = run_paths(app, graph, PathOptions())
    app.console.print(
        render.paths_table(result.paths[:top], title="Top attack paths (demo estate)")
    )
    app.console.print(render.counts_line(result.paths))
    app.console.print(build_inventory(graph, path_counts(result.paths)).one_line(), markup=False)
    if result.paths:
        app.console.print(
            f"next: aispm -w {app.workspace.root} show {result.paths[0].id}", markup=False
        )
