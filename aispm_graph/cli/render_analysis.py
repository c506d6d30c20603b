"""Tables for choke points, what-if, drift, recommendations and explain."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from aispm_graph.analysis.chokepoints import ChokepointReport
from aispm_graph.analysis.drift import DriftReport
from aispm_graph.analysis.explain import Explanation
from aispm_graph.analysis.whatif import RiskTotals, WhatIfReport
from aispm_graph.cli.render import level_text
from aispm_graph.derive.agents import INDICATOR_TITLES
from aispm_graph.recommendations.coverage import FrameworkCoverage
from aispm_graph.recommendations.evaluate import Finding
from aispm_graph.recommendations.model import Check
from aispm_graph.textsafe import SafeTable, clean, safe


def _line(level: str, score: int, pid: str, title: str) -> Text:
    return Text.assemble("  ", level_text(level), f" {score:>3} {clean(pid)}  {clean(title)}")


def chokepoints_table(report: ChokepointReport, top: int | None) -> Table:
    table = SafeTable(title="Choke points: fixes ranked by the path risk they remove")
    table.add_column("#", justify="right")
    table.add_column("fix", no_wrap=True)
    table.add_column("risk", justify="right")
    table.add_column("closes")
    table.add_column("effort")
    table.add_column("action (paths closed)", overflow="fold")
    rows = report.fixes[:top] if top else report.fixes
    for i, f in enumerate(rows, 1):
        levels = "\n".join(f"{n} {lv}" for lv, n in f.closes_by_level.items() if n)
        fix = Text.from_markup(safe(f.id) + ("\n[bold]min set[/bold]" if f.in_minimum_set else ""))
        table.add_row(
            str(i),
            fix,
            str(f.risk_removed),
            levels,
            f.effort,
            Text.from_markup(f"{safe(f.action)}\n[dim]{safe(', '.join(f.closes))}[/dim]"),
        )
    return table


def chokepoints_summary(console: Console, report: ChokepointReport) -> None:
    levels = "/".join(report.levels)
    if report.minimum_set:
        console.print(
            f"{len(report.minimum_set)} fix(es) cut off all {report.pairs_cut} (entry, target) "
            f"pair(s) with a {levels} path ({report.covered_paths} listed path(s)): "
            f"{', '.join(report.minimum_set)}",
            markup=False,
        )
    console.print(f"method: {report.method}: {report.method_detail}", markup=False)
    if report.unbreakable:
        console.print(
            f"{len(report.unbreakable)} {levels} path(s) no fix can cut (their target is "
            f"reached through hops that only risk-lowering fixes touch): "
            + ", ".join(report.unbreakable),
            markup=False,
        )


def _totals(t: RiskTotals) -> str:
    levels = ", ".join(f"{n} {lv}" for lv, n in t.by_level.items())
    return f"{t.paths} paths ({levels}); total risk {t.total_score}, max {t.max_score}"


def whatif_report(console: Console, r: WhatIfReport) -> None:
    console.print("[bold]Applied[/bold]")
    for a in r.applied:
        console.print(f"  {a}", markup=False)
    console.print(f"[bold]Closed[/bold] ({len(r.closed)})")
    for p in r.closed:
        console.print(_line(p.level, p.score, p.id, p.title))
    if r.changed:
        console.print(f"[bold]Risk changed[/bold] ({len(r.changed)})")
        for c in r.changed:
            console.print(
                Text.assemble(
                    clean(f"  {c.id}  {c.old_level} {c.old_score} -> "),
                    level_text(c.level),
                    clean(f" {c.score}  {c.title}"),
                )
            )
    for title, rows in (("Remaining", r.remaining), ("Opened by the change", r.opened)):
        if not rows and title != "Remaining":
            continue
        console.print(f"[bold]{title}[/bold] ({len(rows)})")
        for p in rows:
            console.print(_line(p.level, p.score, p.id, p.title))
            if p.bypass is not None and p.bypass_hop is not None:
                console.print(
                    f"        now carried by hop {p.bypass_hop + 1}: {p.bypass.source} "
                    f"-[{p.bypass.kind}]-> {p.bypass.target} (instead of {p.instead_of})",
                    markup=False,
                    overflow="fold",
                )
    console.print(f"before: {_totals(r.before)}")
    console.print(f"after:  {_totals(r.after)}")
    if r.truncation:
        console.print(f"[bold yellow]WARNING: results are incomplete: {safe(r.truncation)}[/]")


def drift_report(console: Console, r: DriftReport) -> None:
    console.print(f"drift from snapshot {r.old} to {r.new}", markup=False)
    sections = (
        ("New attack paths", r.new_paths),
        ("Closed attack paths", r.closed_paths),
    )
    for title, rows in sections:
        console.print(f"[bold]{title}[/bold] ({len(rows)})")
        for p in rows:
            console.print(_line(p.level, p.score, p.id, p.title))
    console.print(f"[bold]Changed attack paths[/bold] ({len(r.changed_paths)})")
    for c in r.changed_paths:
        console.print(_line(c.level, c.score, c.id, c.title))
        for ch in c.changes:
            console.print(f"        {ch}", markup=False)
    console.print(f"[bold]New AI assets[/bold] ({len(r.new_ai_assets)})")
    for a in r.new_ai_assets:
        shadow = " (shadow AI)" if a.shadow_ai else ""
        console.print(
            f"  {a.provider} {a.kind} {a.name}{shadow}  {a.id}", markup=False, overflow="fold"
        )
    if r.removed_ai_assets:
        console.print(f"[bold]Removed AI assets[/bold] ({len(r.removed_ai_assets)})")
        for a in r.removed_ai_assets:
            console.print(
                f"  {a.provider} {a.kind} {a.name}  {a.id}", markup=False, overflow="fold"
            )
    console.print(f"[bold]New internet exposures[/bold] ({len(r.new_exposures)})")
    for e in r.new_exposures:
        how = e.evidence.get("ports") or e.evidence.get("grant") or ""
        console.print(
            f"  {e.edge} {e.kind} {e.name} {how}  {e.target}", markup=False, overflow="fold"
        )
    if r.changed_tools:
        console.print(
            f"[bold]Tool descriptions changed (possible rug pull)[/bold] ({len(r.changed_tools)})"
        )
        for t in r.changed_tools:
            flagged = f"; now flagged: {'; '.join(t.poisoning)}" if t.poisoning else ""
            console.print(
                f"  {t.server} tool {t.name}: description changed{flagged}  {t.id}",
                markup=False,
                overflow="fold",
            )


def agent_indicators(console: Console, agents: list[dict[str, Any]]) -> None:
    """The risk indicators of the agents on a path, each with the evidence that triggers it."""
    for a in agents:
        console.print(Text.assemble(("Agent", "bold"), f" {a['name']} ({a['kind']})"))
        if not a["indicators"]:
            console.print("  no risk indicators")
        for name, evidence in a["indicators"].items():
            console.print(Text.assemble("  ", (INDICATOR_TITLES.get(name, name), "yellow")))
            for line in evidence:
                console.print(f"    {line}", markup=False, overflow="fold")


def findings_table(findings: list[Finding]) -> Table:
    table = SafeTable(title="Security recommendations (ordered by the attack paths through them)")
    table.add_column("#", justify="right")
    table.add_column("priority")
    table.add_column("check", no_wrap=True)
    table.add_column("finding (resource; paths through it)", overflow="fold")
    for i, f in enumerate(findings, 1):
        sev = "" if f.severity == f.priority else f"\n[dim]severity {safe(f.severity)}[/dim]"
        paths = ""
        if f.paths:
            more = f" (+{len(f.paths) - 3})" if len(f.paths) > 3 else ""
            paths = f"\n[dim]paths: {safe(', '.join(f.paths[:3]))}{more}[/dim]"
        table.add_row(
            str(i),
            Text.from_markup(level_text(f.priority).markup + sev),
            f.check,
            Text.from_markup(f"{safe(f.title)}\n{safe(f.name)} [dim]({safe(f.kind)})[/dim]{paths}"),
        )
    return table


def checks_table(checks: list[Check]) -> Table:
    table = SafeTable(title=f"Posture checks ({len(checks)})")
    table.add_column("id", no_wrap=True)
    table.add_column("severity")
    table.add_column("status")
    table.add_column("check (peers)", overflow="fold")
    for c in checks:
        status = "evaluated" if c.evaluated else f"[dim]{safe(c.facts)}[/dim]"
        peers = ", ".join(f"{p.tool}: {p.id}" for p in c.peers)
        table.add_row(
            c.id,
            level_text(c.severity),
            Text.from_markup(status),
            Text.from_markup(safe(c.title) + (f"\n[dim]{safe(peers)}[/dim]" if peers else "")),
        )
    return table


def framework_coverage(console: Console, cov: FrameworkCoverage) -> None:
    """Findings per framework item, then the items the catalogue does not test."""
    fw = cov.framework
    table = SafeTable(title=f"Findings by {fw.name} {fw.version}")
    table.add_column("item", no_wrap=True)
    table.add_column("title", overflow="fold")
    table.add_column("checks", overflow="fold")
    table.add_column("findings", justify="right")
    table.add_column("resources", overflow="fold")
    for row in cov.items:
        if row.status == "uncovered":
            continue
        checks = safe(", ".join(row.checks))
        if row.pending_checks:
            pending = safe(", ".join(row.pending_checks))
            checks += ("; " if checks else "") + f"[dim]pending: {pending}[/dim]"
        names = sorted({f.name for f in row.findings})
        more = f" (+{len(names) - 3})" if len(names) > 3 else ""
        table.add_row(
            row.item.id,
            row.item.title,
            Text.from_markup(checks),
            str(len(row.findings)) if row.findings else "",
            ", ".join(names[:3]) + more,
        )
    console.print(table)
    s = cov.summary()
    console.print(
        f"{s['covered']} of {s['items']} items covered by evaluated checks, {s['pending']} only "
        f"by checks whose facts are not collected yet, {s['uncovered']} by no check; "
        f"{s['findings']} finding(s) filed under them.",
        markup=False,
    )
    waiting = [r.item.id for r in cov.by_status("pending")]
    if waiting:
        console.print(
            f"Pending (facts not collected): {', '.join(waiting)}", markup=False, overflow="fold"
        )
    uncovered = [r.item.id for r in cov.by_status("uncovered")]
    if uncovered:
        console.print(
            f"Not covered by any check: {', '.join(uncovered)}", markup=False, overflow="fold"
        )


def explanation(console: Console, e: Explanation) -> None:
    console.print("[bold]Risk arithmetic[/bold]")
    for s in e.steps:
        label = "likelihood" if s.kind == "likelihood" else "impact"
        console.print(
            f"  {label:<10} {s.operation} {s.value:<7g} = {s.running:.4f}  [{s.factor}] {s.detail}",
            markup=False,
            overflow="fold",
        )
    console.print(f"  likelihood (clamped to 0..1)    = {e.likelihood:.4f}")
    console.print(f"  impact (clamped to 0.05..1)     = {e.impact:.4f}")
    console.print(f"  {e.formula}", markup=False)
    bands = ", ".join(f"{lv} >= {b}" for lv, b in e.thresholds.items())
    console.print(f"  level: {e.level} ({bands}, low below)")
    if not e.consistent:
        console.print(
            f"[bold red]  the replay gives {e.score} but the engine reported "
            f"{e.reported_score}: please report this[/]"
        )
