"""Render ``docs/escalation.md`` from the technique records, so the documented coverage is
exactly what the evaluators apply (and what the tests check, one case per record)."""

from __future__ import annotations

import sys

from aispm_graph.escalation import ALL_TECHNIQUES
from aispm_graph.escalation.catalogues import CATALOGUES
from aispm_graph.escalation.model import ON_TEXT, Cloud, Technique
from aispm_graph.generated import generate

TITLES = {Cloud.AWS: "AWS", Cloud.AZURE: "Azure", Cloud.GCP: "GCP"}
INTRO = """\
# Privilege escalation techniques

Generated from `aispm_graph/escalation/` by
`python -m aispm_graph.escalation.docs docs/escalation.md`; a test fails when this page and
the records differ. Every technique here is applied by one evaluator per cloud
(`aispm_graph/derive/aws_escalation.py`, `azure_escalation.py`, `gcp_escalation.py`) and has a
positive and a negative test case run through the real collector or replay server.

How to read a row: an attacker holding **all** the listed permissions (and one of the
alternatives in parentheses) **on** the named resource, when the **conditions** hold, gets the
**edge**. `CAN_ADMINISTER` means it can grant itself anything: it is an administrator of the
account, subscription or project exactly like a holder of `*:*` / Owner / `roles/owner`, its
paths end there and its other edges are not listed. A condition that cannot be decided from
what was collected leaves the edge `conditional` and names the condition in the edge's
`condition` evidence.

Azure rows come in two sets: Azure RBAC techniques (`aispm_graph/escalation/azure.py`, decided
from role assignments and their `actions`), then Microsoft Entra ID techniques
(`aispm_graph/escalation/entra.py`, decided from directory roles and their
`allowedResourceActions`, ownership of applications, service principals, agent identity
blueprints and groups, and Microsoft Graph application permissions), which need the Graph
reads listed in [azure.md](azure.md).

References: [pathfinding.cloud](https://pathfinding.cloud) ids, Rhino Security Labs' AWS and
GCP privilege-escalation write-ups, BloodHound's Azure (AZ) edges, PMapper's edge checkers.
"""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _row(t: Technique) -> str:
    perms = ", ".join(f"`{p}`" for p in t.all_of)
    if t.any_of:
        alt = " or ".join(f"`{p}`" for p in t.any_of)
        perms = f"{perms} + ({alt})" if perms else alt
    on = ON_TEXT[t.on]
    if t.service:
        on += f" (`{t.service}`)"
    if t.resource_kinds:
        on += ": " + ", ".join(f"`{k}`" for k in t.resource_kinds)
    conds = ", ".join(f"`{c}`" for c in t.conditions) or "-"
    return (
        f"| `{t.id}` | {_cell(t.title)} | {perms} | {_cell(on)} | {conds} | `{t.edge}` | "
        f"{_cell(t.refs.text())} |"
    )


def render() -> str:
    out = [INTRO]
    for cloud in Cloud:
        techs = [t for t in ALL_TECHNIQUES if t.cloud is cloud]
        out += [
            f"## {TITLES[cloud]} ({len(techs)} techniques)",
            "",
            "| id | technique | permissions | on | conditions | edge | references |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        out += [_row(t) for t in techs]
        out.append("")
    out += _catalogues()
    return "\n".join(out).rstrip() + "\n"


def _catalogues() -> list[str]:
    """Each public catalogue's entries and the records that cover them (or why none does)."""
    covered = sum(1 for e in CATALOGUES if e.records)
    out = [
        "## Coverage of public catalogues",
        "",
        f"{covered} of {len(CATALOGUES)} catalogue entries map to a record; the rest say why "
        "(`aispm_graph/escalation/catalogues.py`, checked by `tests/core/"
        "test_escalation_catalogue.py`).",
        "",
        "| catalogue | entry | records | note |",
        "| --- | --- | --- | --- |",
    ]
    for e in CATALOGUES:
        records = ", ".join(f"`{r}`" for r in e.records) or "-"
        out.append(f"| {e.catalogue} | {_cell(e.id)} | {records} | {_cell(e.note) or '-'} |")
    out.append("")
    return out


def main(argv: list[str] | None = None) -> int:
    return generate(render, argv)


if __name__ == "__main__":
    sys.exit(main())
