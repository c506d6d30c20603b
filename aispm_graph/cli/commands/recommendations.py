"""``aispm recommendations``: posture checks on AI resources, ordered by real risk."""

from __future__ import annotations

from pathlib import Path

import click

from aispm_graph.analysis.engine import PathOptions
from aispm_graph.analysis.models import LEVEL_ORDER
from aispm_graph.analysis.suppressions import split
from aispm_graph.cli import render, render_analysis
from aispm_graph.cli.commands.analysis import LEVELS
from aispm_graph.cli.errors import GateFailed
from aispm_graph.cli.groups import App, option_format, pass_app, root
from aispm_graph.cli.loading import load_built, run_paths
from aispm_graph.cli.suppressing import load_suppressions, option_suppressions, report_notes
from aispm_graph.recommendations.catalogue import CHECKS
from aispm_graph.recommendations.coverage import framework_coverage
from aispm_graph.recommendations.evaluate import evaluate
from aispm_graph.recommendations.frameworks import FRAMEWORKS
from aispm_graph.recommendations.model import Check


def check_row(c: Check) -> dict[str, object]:
    """One check as ``--list-checks --format json`` shows it: everything a reviewer needs."""
    return {
        "id": c.id,
        "title": c.title,
        "severity": c.severity,
        "provider": c.provider,
        "kinds": list(c.kinds),
        "condition": c.predicate.describe(),
        "status": "evaluated" if c.evaluated else c.facts,
        "facts_note": c.facts_note,
        "rationale": c.rationale,
        "remediation": c.remediation,
        "fix": {k: v for k, v in vars(c.fix).items() if v},
        "references": list(c.references),
        "peers": [
            {
                "tool": p.tool,
                "id": p.id,
                "doc": p.doc,
                **({"differs": p.differs} if p.differs else {}),
            }
            for p in c.peers
        ],
        "frameworks": {k: list(v) for k, v in c.frameworks.items()},
    }


@root.command("recommendations")
@option_format("table", "json")
@click.option(
    "--min-severity", type=LEVELS, default=None, help="Hide findings below this priority."
)
@click.option("--list-checks", is_flag=True, help="List the catalogue instead of evaluating it.")
@click.option(
    "--framework",
    "framework",
    type=click.Choice(sorted(FRAMEWORKS)),
    default=None,
    help="Group findings by the items of a framework and show the items no check covers.",
)
@click.option(
    "--fail-on", type=LEVELS, default=None, help="Exit 1 when a finding is at or above this."
)
@click.option(
    "--snapshot", "snapshot_id", default=None, help="Snapshot id (default: latest built)."
)
@option_suppressions
@pass_app
def recommendations_cmd(
    app: App,
    fmt: str,
    min_severity: str | None,
    list_checks: bool,
    framework: str | None,
    fail_on: str | None,
    snapshot_id: str | None,
    suppressions_file: Path | None,
) -> None:
    """Posture findings (key auth, public access, no guardrail, ...) with the paths behind them.

    A finding's priority is its severity raised to the worst attack path through its resource.
    """
    if list_checks:
        if fmt == "json":
            render.print_json(app.console, {"checks": [check_row(c) for c in CHECKS]})
        else:
            app.console.print(render_analysis.checks_table(CHECKS))
        return
    sup = load_suppressions(app, suppressions_file)
    graph, _meta, _snap = load_built(app, snapshot_id)
    result = run_paths(app, graph, PathOptions())
    findings = evaluate(graph, result.paths)
    if min_severity:
        floor = LEVEL_ORDER[min_severity]
        findings = [f for f in findings if LEVEL_ORDER[f.priority] >= floor]
    muted_rows = []
    if sup is not None:
        findings, muted = split(findings, lambda f: sup.match_finding(f.id, f.check, f.resource))
        muted_rows = [
            {
                "id": f.id,
                "check": f.check,
                "resource": f.resource,
                "reason": e.reason,
                "line": e.line,
            }
            for f, e in muted
        ]
    notes = report_notes(app, sup, ("findings",))
    if framework:
        cov = framework_coverage(framework, findings)
        if fmt == "json":
            render.print_json(
                app.console,
                {
                    "schema_version": 1,
                    **cov.as_dict(),
                    "findings": [f.model_dump(mode="json") for f in findings],
                    "suppressed": muted_rows,
                    "suppression_notes": notes,
                },
            )
        else:
            render_analysis.framework_coverage(app.console, cov)
    elif fmt == "json":
        render.print_json(
            app.console,
            {
                "schema_version": 1,
                "findings": [f.model_dump(mode="json") for f in findings],
                "suppressed": muted_rows,
                "suppression_notes": notes,
            },
        )
    else:
        if findings:
            app.console.print(render_analysis.findings_table(findings))
        evaluated = sum(c.evaluated for c in CHECKS)
        app.console.print(
            f"{len(findings)} finding(s) from {evaluated} evaluated checks "
            f"({len(CHECKS) - evaluated} more declared whose facts are not collected; "
            "see --list-checks)" + (f"; {len(muted_rows)} suppressed" if muted_rows else "")
        )
    if fail_on:
        floor = LEVEL_ORDER[fail_on]
        hits = [f for f in findings if LEVEL_ORDER[f.priority] >= floor]
        if hits:
            raise GateFailed(f"{len(hits)} finding(s) at or above {fail_on} (--fail-on)")
