"""Generate ``docs/checks.md`` from the catalogue: ``python -m aispm_graph.recommendations.docs
docs/checks.md``. A test keeps the file in sync, so the page a reviewer reads is the catalogue
the tool runs."""

from __future__ import annotations

import re
import sys

from aispm_graph.generated import generate
from aispm_graph.recommendations.catalogue import CHECKS
from aispm_graph.recommendations.coverage import all_coverage
from aispm_graph.recommendations.model import Check

STATUS = {
    "collected": "evaluated",
    "not-collected": "not collected yet",
    "not-offline": "not readable offline",
}


def cell(text: str) -> str:
    """Text safe in a Markdown table cell."""
    return re.sub(r"\s+", " ", text).replace("|", "\\|").strip()


def _peers(c: Check) -> str:
    return "<br>".join(
        cell(f"{p.tool}: {p.id}" + (" (differs)" if p.differs else "")) for p in c.peers
    )


def _frameworks(c: Check) -> str:
    return "<br>".join(cell(f"{f}: {', '.join(ids)}") for f, ids in c.frameworks.items())


def render() -> str:
    evaluated = sum(c.evaluated for c in CHECKS)
    out = [
        "# Posture checks",
        "",
        "Generated from `aispm_graph/recommendations/` by "
        "`python -m aispm_graph.recommendations.docs docs/checks.md`; do not edit by hand.",
        "",
        f"{len(CHECKS)} checks; {evaluated} evaluated on the collected facts, "
        f"{len(CHECKS) - evaluated} declared with the reason their facts are not read yet, so "
        "that the peer and framework tables below leave nothing out silently. "
        "`aispm recommendations --list-checks` prints the same catalogue, "
        "`aispm recommendations --framework ID` the findings per framework item.",
        "",
        "## Every check, its peers and frameworks",
        "",
        "| id | title | severity | resources | status | peers | frameworks |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for c in CHECKS:
        out.append(
            f"| `{c.id}` | {cell(c.title)} | {c.severity} | {cell(', '.join(c.kinds))} | "
            f"{STATUS[c.facts]} | {_peers(c)} | {_frameworks(c)} |"
        )
    out += ["", "## Framework coverage", ""]
    out += [
        "An item is *covered* when an evaluated check serves it, *pending* when only checks "
        "whose facts are not collected yet serve it, *uncovered* otherwise.",
        "",
        "| framework | version | items | covered | pending | uncovered |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    coverage = all_coverage()
    for fc in coverage:
        s = fc.summary()
        out.append(
            f"| {cell(fc.framework.name)} (`{fc.framework.id}`) | {fc.framework.version} | "
            f"{s['items']} | {s['covered']} | {s['pending']} | {s['uncovered']} |"
        )
    for fc in coverage:
        out += ["", f"### {fc.framework.name} {fc.framework.version}", ""]
        out += ["| item | title | checks |", "| --- | --- | --- |"]
        for row in fc.items:
            if row.status == "uncovered":
                continue
            checks = ", ".join(f"`{c}`" for c in row.checks)
            pending = ", ".join(f"`{c}`" for c in row.pending_checks)
            both = "; ".join(x for x in (checks, f"pending: {pending}" if pending else "") if x)
            out.append(f"| {cell(row.item.id)} | {cell(row.item.title)} | {both} |")
        uncovered = [r.item.id for r in fc.by_status("uncovered")]
        if uncovered:
            out += ["", "Not covered by any check: " + cell(", ".join(uncovered)) + "."]
    out += ["", "## Where a verdict differs from a peer's", ""]
    for c in CHECKS:
        for p in c.peers:
            if p.differs:
                out.append(f"- `{c.id}` vs {cell(p.tool)} `{cell(p.id)}`: {cell(p.differs)}")
    out += ["", "## Checks not evaluated, and why", ""]
    for c in CHECKS:
        if not c.evaluated:
            out.append(f"- `{c.id}` ({STATUS[c.facts]}): {cell(c.facts_note)}")
    return "\n".join(out).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    return generate(render, argv)


if __name__ == "__main__":
    sys.exit(main())
