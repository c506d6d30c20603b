"""``aispm chokepoints``: the fixes that break the most attack-path risk."""

from __future__ import annotations

from pathlib import Path

import click

from aispm_graph.analysis.chokepoints import DEFAULT_BOUND_ENTRIES, chokepoints
from aispm_graph.cli import render, render_analysis
from aispm_graph.cli.commands.analysis import LEVELS, PathRequest, compute_paths, path_options
from aispm_graph.cli.groups import App, option_format, pass_app, root
from aispm_graph.cli.suppressing import (
    load_suppressions,
    mute_paths,
    option_suppressions,
    report_notes,
)
from aispm_graph.textsafe import safe


@root.command("chokepoints")
@path_options
@option_format("table", "json")
@click.option("--top", type=click.IntRange(1), default=None, help="Show the N best fixes.")
@click.option(
    "--level",
    "levels",
    type=LEVELS,
    multiple=True,
    default=("critical", "high"),
    show_default=True,
    help="Path levels the minimum fix set must close (repeatable).",
)
@click.option(
    "--bound-entries",
    type=click.IntRange(1),
    default=DEFAULT_BOUND_ENTRIES,
    show_default=True,
    help="With several entries: how many single-entry cuts bound the minimum set from below.",
)
@option_suppressions
@pass_app
def chokepoints_cmd(
    app: App,
    paths: PathRequest,
    fmt: str,
    top: int | None,
    levels: tuple[str, ...],
    bound_entries: int,
    suppressions_file: Path | None,
) -> None:
    """Fixes ranked by the path risk they remove, and the fewest that close the worst paths."""
    sup = load_suppressions(app, suppressions_file)
    graph, _snap, result = compute_paths(app, paths)
    kept, muted = mute_paths(sup, result.paths)
    report = chokepoints(graph, kept, levels, paths.max_hops, bound_entries)
    report.truncated, report.truncation = result.truncated, result.truncation
    notes = report_notes(app, sup, ("paths",))
    if fmt == "json":
        out = report.model_dump(mode="json")
        if top:
            out["fixes"] = out["fixes"][:top]
        out["suppressed"] = muted
        out["suppression_notes"] = notes
        render.print_json(app.console, out)
        return
    note = render.truncation_note(result)
    if note:
        app.err.print(f"[bold yellow]{safe(note)}[/bold yellow]")
    if report.fixes:
        app.console.print(render_analysis.chokepoints_table(report, top))
    else:
        app.console.print("no path-breaking fixes: no attack paths")
    render_analysis.chokepoints_summary(app.console, report)
    if muted:
        app.console.print(f"{len(muted)} suppressed path(s) not counted")
