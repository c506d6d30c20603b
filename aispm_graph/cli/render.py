"""Rich tables for people; JSON output is produced from the pydantic models directly."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from aispm_graph.analysis.inventory import Inventory
from aispm_graph.analysis.models import AttackPath, PathResult
from aispm_graph.report.jsonout import dumps
from aispm_graph.textsafe import SafeTable, clean, clean_line, safe

LEVEL_STYLE = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "green"}


def level_text(level: str) -> Text:
    return Text(level.upper(), style=LEVEL_STYLE.get(level, ""))


def print_json(console: Console, obj: Any) -> None:
    # Plain print: no markup, no wrapping, so the output is exactly the JSON.
    console.file.write(dumps(obj, indent=2, sort_keys=False, default=str) + "\n")


def plain_text(*renderables: Any, width: int = 1000) -> str:
    """Tables as plain text for a file (``-o``): no colour, no escape sequences, a fixed
    width (wide: a file has no screen edge, tables stay as wide as their content) rather
    than whatever terminal happens to run the command."""
    import io

    buf = io.StringIO()
    console = Console(
        file=buf, width=width, color_system=None, force_terminal=False, highlight=False
    )
    for item in renderables:
        if isinstance(item, str):
            console.print(item, markup=False)
        else:
            console.print(item)
    return buf.getvalue()


def route_text(path: AttackPath) -> str:
    names = [n.name for n in path.nodes]
    return " → ".join(names)


def paths_table(paths: list[AttackPath], title: str = "Attack paths") -> Table:
    table = SafeTable(title=title, show_lines=False, expand=False)
    table.add_column("#", justify="right")
    table.add_column("risk")
    table.add_column("score", justify="right")
    table.add_column("id", no_wrap=True)
    table.add_column("path")
    table.add_column("hops", justify="right")
    for i, p in enumerate(paths, 1):
        table.add_row(
            str(i), level_text(p.risk.level), str(p.risk.score), p.id, route_text(p), str(p.hops)
        )
    return table


def level_counts(paths: list[AttackPath]) -> dict[str, int]:
    counts = {"critical": 0, "high": 0, "medium": 0, "low": 0}
    for p in paths:
        counts[p.risk.level] += 1
    return counts


def counts_line(paths: list[AttackPath]) -> Text:
    counts = level_counts(paths)
    text = Text(f"{len(paths)} attack paths: ")
    for i, (level, n) in enumerate(counts.items()):
        if i:
            text.append(", ")
        text.append(f"{n} {level}", style=LEVEL_STYLE[level])
    return text


def build_profile(timings: list[tuple[str, str, float]]) -> Table:
    """Seconds per transform and deriver, slowest first, with its share of the build."""
    total = sum(t for _k, _n, t in timings) or 1e-9
    table = Table(title="build profile")
    table.add_column("pass")
    table.add_column("name")
    table.add_column("seconds", justify="right")
    table.add_column("share", justify="right")
    for kind, name, secs in sorted(timings, key=lambda t: -t[2]):
        table.add_row(kind, safe(name), f"{secs:.3f}", f"{100 * secs / total:.0f}%")
    table.add_row("", "total", f"{total:.3f}", "100%")
    return table


def routes_note(result: PathResult) -> str | None:
    """What the best-routes listing left out, so a reader never mistakes it for everything."""
    if result.mode != "best-routes" or not result.pairs:
        return None
    more = result.unlisted_routes
    if not more:
        return f"{len(result.pairs)} (entry, target) pairs; every route listed"
    bound = "" if all(p.exact for p in result.pairs) else "at least "
    return (
        f"{len(result.pairs)} (entry, target) pairs, up to {result.routes_per_pair} best "
        f"routes each; {bound}{more} more routes exist (--routes-per-pair N or --all-routes "
        "lists them)"
    )


def truncation_note(result: PathResult) -> str | None:
    if result.truncated:
        return f"WARNING: results are incomplete: {result.truncation}"
    return None


def path_detail(console: Console, path: AttackPath, evidence: bool = False) -> None:
    console.print(
        Text.assemble(
            (f"{clean(path.id)}  ", "bold"),
            level_text(path.risk.level),
            f" {path.risk.score}/100  ",
            clean(path.title),
        )
    )
    console.print(
        f"entry {safe(path.entry)}  →  target {safe(path.target)} ({safe(path.target_class)})"
    )
    table = SafeTable(show_lines=True)
    table.add_column("hop", justify="right")
    table.add_column("from")
    table.add_column("edge")
    table.add_column("to")
    table.add_column("confidence")
    if evidence:
        table.add_column("evidence")
    for i, e in enumerate(path.edges):
        src, dst = path.nodes[i], path.nodes[i + 1]
        kinds = (
            e.kind
            if len(e.kinds) <= 1
            else f"{e.kind} (+{', '.join(k for k in e.kinds if k != e.kind)})"
        )
        row: list[str | Text] = [
            str(i + 1),
            _name_kind(src.name, src.kind),
            kinds,
            _name_kind(dst.name, dst.kind),
            e.confidence,
        ]
        if evidence:
            row.append("\n".join(f"{k}: {_short(v)}" for k, v in e.evidence.items() if k != "fix"))
        table.add_row(*row)
    console.print(table)
    console.print("[bold]Evidence[/bold]")
    for i, e in enumerate(path.edges):
        console.print(f"  hop {i + 1} {e.kind}", markup=False)
        for k, v in e.evidence.items():
            console.print(f"      {k}: {_short(v)}", markup=False, overflow="fold")
    console.print("[bold]Risk factors[/bold]")
    for f in path.risk.factors:
        detail = clean_line(f.detail)
        console.print(f"  {f.kind:<10} {f.name:<16} {f.value:<6} {detail}", markup=False)
    console.print(
        f"  likelihood {path.risk.likelihood}  impact {path.risk.impact}  score {path.risk.score}"
    )
    console.print("[bold]Remediation[/bold]")
    for r in path.remediation:
        mark = "breaks path" if r.breaks_path else "lowers risk"
        hop = f"hop {r.edge + 1}" if r.edge is not None else "path"
        action = clean_line(r.action)
        console.print(f"  [{mark}] ({hop}, {r.effort} effort, {r.id}) {action}", markup=False)


def _name_kind(name: str, kind: str) -> Text:
    return Text.assemble(clean(name), "\n", (clean(kind), "dim"))


def _short(value: Any) -> str:
    """One evidence value on one line: estate text with a newline must not print a line
    that looks like ours (a fake hop, remediation or heading)."""
    text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    return clean_line(text)


def inventory_table(inv: Inventory) -> Table:
    table = SafeTable(title="AI bill of materials")
    columns = ("provider", "service", "kind", "name", "model", "provenance", "region")
    for col in (*columns, "exposed", "paths"):
        table.add_column(col)
    for i in inv.items:
        kind = i.kind + (" (shadow AI: " + ", ".join(i.ai_libraries) + ")" if i.shadow_ai else "")
        provenance = i.provenance + (
            f"; serves with {i.serving_framework}" if i.serving_framework else ""
        )
        # SafeTable shows string cells literally: estate names cannot inject markup.
        table.add_row(
            i.provider,
            i.service,
            kind,
            i.name,
            i.model,
            provenance,
            i.region,
            "yes" if i.internet_exposed else "",
            str(i.paths or ""),
        )
    return table
