"""Markdown with Mermaid diagrams, for tickets and pull requests (GitHub and GitLab render both)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from aispm_graph.analysis.models import AttackPath
from aispm_graph.derive.agents import INDICATOR_TITLES
from aispm_graph.report.data import SEVERITY_ORDER, ReportData, riskiest_hop
from aispm_graph.report.svg import node_shape
from aispm_graph.textsafe import clean

# Mermaid flowchart shape per node family (same families as the HTML diagrams).
SHAPES = {
    "internet": ("((", "))"),
    "identity": ("([", "])"),
    "data": ("[(", ")]"),
    "ai": ("{{", "}}"),
    "secret": ("{", "}"),
    "tenant": ("[[", "]]"),
    "compute": ("[", "]"),
    "other": ("[", "]"),
}


# Names, kinds and evidence repeat on every path through the same nodes and hops (tens of
# thousands of times at the path cap): their escaped forms are remembered, not recomputed.
_REMEMBERED = 1 << 16


@lru_cache(maxsize=_REMEMBERED)
def mermaid_text(text: str) -> str:
    """Text safe inside a quoted Mermaid label: entity codes for what the grammar reserves."""
    text = re.sub(r"\s+", " ", clean(text)).replace("`", "#96;")
    for ch, code in (("#", "#35;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;")):
        text = text.replace(ch, code)
    return text


def path_mermaid(p: AttackPath, highlight: int | None = None) -> str:
    """A ``flowchart LR`` of one path; the highlighted hop is red and thick."""
    lines = ["flowchart LR"]
    for i, n in enumerate(p.nodes):
        a, b = SHAPES[node_shape(n)]
        lines.append(
            f'  n{i}{a}"{mermaid_text(n.name)}<br/><small>{mermaid_text(n.kind)}</small>"{b}'
        )
    for i, e in enumerate(p.edges):
        arrow = "-->" if e.confidence == "confirmed" else "-.->"
        lines.append(f'  n{i} {arrow}|"{mermaid_text(e.kind)}"| n{i + 1}')
    if highlight is not None and p.edges:
        lines.append(f"  linkStyle {highlight} stroke:#c62828,stroke-width:3px")
    return "\n".join(lines)


# The ASCII punctuation that starts inline markup mid-line: emphasis, code spans, links and
# images (``[``), strikethrough, table pipes, and the backslash itself. Line-start markup
# (headings, lists, quotes, fences) cannot happen: values never start a line.
_MD_PUNCT = re.compile(r"([\\`*_\[\]|~])")


def md_text(v: Any) -> str:
    """Estate text as one line of literal Markdown.

    Whitespace (newlines included) collapses to one space, so no value can start a heading,
    a list, a block quote or a code fence on its own line; ``<``, ``>`` and ``&`` become
    entities, so no raw HTML (``<img onerror>``, ``<details>``) or entity tricks pass; the
    punctuation that forms inline markup is backslash-escaped; control and bidi characters
    show as escapes.
    """
    return _md_line(", ".join(map(str, v)) if isinstance(v, list) else str(v))


@lru_cache(maxsize=_REMEMBERED)
def _md_line(text: str) -> str:
    text = re.sub(r"\s+", " ", clean(text)).strip()
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_PUNCT.sub(r"\\\1", text)


def _cell(v: Any) -> str:
    return md_text(v)


def _frameworks(data: ReportData) -> list[str]:
    """Per framework: the items the checks serve with their findings, then the gaps."""
    if data.frameworks is None:
        return ["_Not computed for this report._"]
    out = []
    for fw in data.frameworks:
        out += [
            f"### {_cell(fw.name)} {_cell(fw.version)}",
            "",
            f"{fw.count('covered')} of {len(fw.items)} items covered by evaluated checks, "
            f"{fw.count('pending')} pending (facts not collected), "
            f"{fw.count('uncovered')} not covered.",
            "",
            "| item | title | status | checks | findings |",
            "|---|---|---|---|---|",
        ]
        for i in fw.items:
            if i.status == "uncovered":
                continue
            checks = ", ".join(i.checks)
            if i.pending_checks:
                checks += ("; " if checks else "") + "pending: " + ", ".join(i.pending_checks)
            out.append(
                f"| {_cell(i.id)} | {_cell(i.title)} | {i.status} | {_cell(checks)} | "
                f"{len(i.findings) or ''} |"
            )
        uncovered = [i.id for i in fw.items if i.status == "uncovered"]
        if uncovered:
            out += ["", f"Not covered by any check: {_cell(', '.join(uncovered))}."]
        out.append("")
    return out


def _agents(data: ReportData) -> list[str]:
    """Per agent: each risk indicator with the evidence that triggers it."""
    if data.agents is None:
        return ["_Not computed for this report._"]
    if not data.agents:
        return ["No agent found."]
    flagged = [a for a in data.agents if a.indicators]
    out = [
        f"{len(flagged)} of {len(data.agents)} agents and gateways show a risk indicator.",
        "",
        "| agent | kind | paths | indicator | evidence |",
        "|---|---|---|---|---|",
    ]
    for a in data.agents:
        who = f"{_cell(a.name)}<br>{_cell(a.id)}"
        if not a.indicators:
            out.append(f"| {who} | {_cell(a.kind)} | {a.paths or ''} | none | |")
            continue
        for name, evidence in a.indicators.items():
            title = _cell(INDICATOR_TITLES.get(name, name))
            ev = "<br>".join(_cell(line) for line in evidence)
            out.append(f"| {who} | {_cell(a.kind)} | {a.paths or ''} | {title} | {ev} |")
    return out


def render_markdown(data: ReportData) -> str:
    counts = data.level_counts()
    fix_counts = data.fix_path_counts()
    out = [f"# {data.title}", ""]
    out.append(
        f"Generated {data.generated_at} by aispm-graph {data.tool_version}"
        + (f", snapshot `{data.snapshot}`" if data.snapshot else "")
        + "."
    )
    out.append("")
    if data.truncated:
        out += [f"> **Warning:** results are incomplete: {md_text(data.truncation)}", ""]
    out.append(
        f"**{data.total_paths} attack paths**: "
        + ", ".join(f"{n} {lvl}" for lvl, n in counts.items())
        + f". {md_text(data.inventory.one_line())}."
    )
    if len(data.paths) != data.total_paths:
        out.append(f"This report shows {len(data.paths)} of them.")
    out += ["", "## Top choke points", ""]
    if data.chokepoints is None:
        out.append("_Not computed for this report._")
    elif not data.chokepoints:
        out.append("No fix breaks more than one path.")
    else:
        out += ["| # | fix | paths broken | risk removed | effort |", "|---|---|---|---|---|"]
        for i, c in enumerate(data.chokepoints[:10], 1):
            out.append(
                f"| {i} | {_cell(c.action)} | {len(c.paths)} | {c.risk_removed} | {c.effort} |"
            )
    out += ["", "## Attack paths", ""]
    out += ["| # | risk | score | path | id |", "|---|---|---|---|---|"]
    for i, p in enumerate(data.paths, 1):
        out.append(f"| {i} | {p.risk.level} | {p.risk.score} | {_cell(p.title)} | `{p.id}` |")
    for i, p in enumerate(data.paths, 1):
        hot = riskiest_hop(p, fix_counts)
        out += ["", f"### {i}. {_cell(p.title)}", ""]
        out.append(
            f"`{p.id}` · **{p.risk.level}** · score {p.risk.score} · {p.hops} hop(s) · "
            f"target class {md_text(p.target_class)}"
        )
        out += ["", "```mermaid", path_mermaid(p, hot), "```", ""]
        out += ["| hop | from | edge | to | confidence | evidence |", "|---|---|---|---|---|---|"]
        for h, e in enumerate(p.edges):
            ev = "; ".join(f"{k}: {_cell(v)}" for k, v in e.evidence.items() if k != "fix")
            out.append(
                f"| {h + 1} | {_cell(p.nodes[h].name)} | {e.kind} | {_cell(p.nodes[h + 1].name)}"
                f" | {e.confidence} | {_cell(ev)} |"
            )
        out += ["", "**Remediation**", ""]
        for r in p.remediation:
            mark = "breaks path" if r.breaks_path else "lowers risk"
            out.append(f"- \\[{mark}\\] {md_text(r.action)} ({r.effort} effort, `{r.id}`)")
    out += ["", "## Recommendations", ""]
    if data.recommendations is None:
        out.append("_Not computed for this report._")
    elif not data.recommendations:
        out.append("No recommendation.")
    else:
        out += ["| priority | severity | finding | resource | fix |", "|---|---|---|---|---|"]
        for f in sorted(
            data.recommendations, key=lambda f: (-f.priority, -SEVERITY_ORDER[f.severity], f.id)
        ):
            out.append(
                f"| {f.priority} | {f.severity} | {_cell(f.title)} | {_cell(f.resource_name)} |"
                f" {_cell(f.remediation)} |"
            )
    out += ["", "## Agent risk indicators", ""]
    out += _agents(data)
    out += ["", "## Framework coverage", ""]
    out += _frameworks(data)
    out += ["", "## Vulnerabilities", ""]
    if data.vulnerabilities is None:
        out.append("_Not computed for this report._")
    elif not data.vulnerabilities:
        out.append("No vulnerability matched.")
    else:
        out += ["| on path | severity | advisory | package | fixed in |", "|---|---|---|---|---|"]
        for v in sorted(
            data.vulnerabilities, key=lambda v: (not v.on_path, -SEVERITY_ORDER[v.severity])
        ):
            out.append(
                f"| {'yes' if v.on_path else ''} | {v.severity} | {md_text(v.advisory)} | "
                f"{_cell(v.package)} {_cell(v.version)} | {md_text(v.fixed_version or '-')} |"
            )
    return "\n".join(out) + "\n"
