"""``aispm report``: the analyses as a file for people (HTML, Markdown) or other systems
(SARIF for code scanning, OCSF for SIEMs and security lakes, JSON)."""

from __future__ import annotations

from pathlib import Path

import click

from aispm_graph.cli.commands.analysis import LEVELS, PathRequest, compute_paths, path_options
from aispm_graph.cli.groups import App, pass_app, remember_format, root
from aispm_graph.cli.loading import check_gate, filter_paths
from aispm_graph.cli.report_output import CSV_SECTIONS, REPORT_FORMATS, write_report
from aispm_graph.report import build_report_data


@root.command("report")
@path_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(REPORT_FORMATS),
    default="html",
    show_default=True,
    help="html: self-contained page; sarif: SARIF 2.1.0; ocsf: OCSF Detection Findings; "
    "md: Markdown with Mermaid; json: the report data; csv: one table (--section).",
    callback=remember_format,
)
@click.option(
    "--section",
    type=click.Choice(CSV_SECTIONS),
    default="paths",
    show_default=True,
    help="With --format csv: which table.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write to this file instead of stdout.",
)
@click.option("--min-risk", type=LEVELS, default=None, help="Leave out paths below this level.")
@click.option("--top", type=click.IntRange(1), default=None, help="Only the N riskiest paths.")
@click.option("--title", default="aispm-graph report", show_default=True, help="Report title.")
@click.option(
    "--fail-on", type=LEVELS, default=None, help="Exit 1 when any path is at or above this level."
)
@pass_app
def report_cmd(
    app: App,
    paths: PathRequest,
    fmt: str,
    section: str,
    output: Path | None,
    min_risk: str | None,
    top: int | None,
    title: str,
    fail_on: str | None,
) -> None:
    """Write a report of attack paths, choke points, recommendations, vulnerabilities and AI-BOM."""
    graph, snap, result = compute_paths(app, paths)
    data = build_report_data(
        graph,
        result,
        paths=filter_paths(result.paths, min_risk, top),
        snapshot=snap.id,
        title=title,
        options={"max_hops": paths.max_hops},
    )
    write_report(app, data, fmt, output, section)
    check_gate(result.paths, fail_on)
