"""What a report contains, independent of its format.

Every renderer (HTML, SARIF, OCSF, Markdown, CSV) reads one :class:`ReportData`. Attack paths and
the AI-BOM are always there; choke points, recommendations and vulnerabilities come from other
analyses, so they are filled by *section providers*: small functions registered in
:data:`SECTION_PROVIDERS` under the section name. A section whose provider is missing, or
returns ``None``, is ``None`` in the data and rendered as "not computed", which is different
from an empty list ("computed, nothing found").

Wiring a new analysis in is one function and one dict entry::

    def my_chokepoints(ctx: ReportContext) -> list[ChokepointRow]:
        return [ChokepointRow(...) for c in analyse(ctx.graph, ctx.result)]

    SECTION_PROVIDERS["chokepoints"] = my_chokepoints
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, Field

from aispm_graph import __version__
from aispm_graph.analysis.inventory import Inventory, build_inventory
from aispm_graph.analysis.models import LEVEL_ORDER, AttackPath, PathResult
from aispm_graph.graph.model import Graph

REPORT_SCHEMA_VERSION = 1
Severity = Literal["critical", "high", "medium", "low", "info"]
SEVERITY_ORDER: dict[str, int] = {**LEVEL_ORDER, "info": -1}


class ChokepointRow(BaseModel):
    """One fix and the attack paths it breaks: what to do first."""

    fix_id: str
    action: str
    paths: list[str]
    risk_removed: int = Field(ge=0, description="sum of the scores of the paths it breaks")
    effort: str = "medium"


class FindingRow(BaseModel):
    """One posture recommendation on one resource, prioritised by the paths it sits on."""

    id: str = Field(description="stable id of this finding (check + resource)")
    check: str = Field(default="", description="id of the posture check that raised it")
    title: str
    severity: Severity
    resource_id: str
    resource_name: str
    remediation: str
    path_ids: list[str] = Field(default_factory=list)
    priority: int = Field(default=0, description="higher first")
    rationale: str = ""
    references: list[str] = Field(default_factory=list)
    frameworks: dict[str, list[str]] = Field(
        default_factory=dict, description="framework id -> item ids the check serves"
    )


class FrameworkItemRow(BaseModel):
    """One item of a framework: which checks serve it and the findings filed under it."""

    id: str
    title: str
    url: str
    status: Literal["covered", "pending", "uncovered"]
    checks: list[str] = Field(default_factory=list)
    pending_checks: list[str] = Field(default_factory=list)
    findings: list[str] = Field(default_factory=list, description="finding ids")


class FrameworkRow(BaseModel):
    """How much of one framework the posture checks cover, item by item."""

    id: str
    name: str
    version: str
    url: str
    items: list[FrameworkItemRow]

    def count(self, status: str) -> int:
        return sum(1 for i in self.items if i.status == status)


class VulnRow(BaseModel):
    """One advisory matched to one package version, and where that package runs."""

    package: str
    version: str
    advisory: str
    severity: Severity
    fixed_version: str | None = None
    resources: list[str] = Field(default_factory=list)
    on_path: bool = False
    summary: str = ""


class AgentRow(BaseModel):
    """One agent (or agent gateway) and its risk indicators, each with the evidence that
    triggered it (the ``agents-indicators`` pass; the sentences name estate resources)."""

    id: str
    kind: str
    name: str
    provider: str = ""
    # indicator -> evidence sentences, in the order of INDICATOR_ORDER
    indicators: dict[str, list[str]] = Field(default_factory=dict)
    paths: int = 0  # shown attack paths that run into or through it


class ReportData(BaseModel):
    """Everything a report shows. ``None`` sections were not computed."""

    schema_version: int = REPORT_SCHEMA_VERSION
    title: str = "aispm-graph report"
    tool_version: str = __version__
    generated_at: str
    snapshot: str | None = None
    paths: list[AttackPath]
    total_paths: int
    truncated: bool = False
    truncation: str | None = None
    inventory: Inventory
    chokepoints: list[ChokepointRow] | None = None
    recommendations: list[FindingRow] | None = None
    vulnerabilities: list[VulnRow] | None = None
    frameworks: list[FrameworkRow] | None = None
    agents: list[AgentRow] | None = None

    def level_counts(self) -> dict[str, int]:
        counts = {"critical": 0, "high": 0, "medium": 0, "low": 0}
        for p in self.paths:
            counts[p.risk.level] += 1
        return counts

    def fix_path_counts(self) -> dict[str, int]:
        """How many shown paths each path-breaking fix breaks (drives the highlighted hop)."""
        counts: dict[str, int] = {}
        for p in self.paths:
            for r in {r.id for r in p.remediation if r.breaks_path}:
                counts[r] = counts.get(r, 0) + 1
        return counts


@dataclass
class ReportContext:
    """What a section provider gets: the built graph and the engine's result."""

    graph: Graph
    result: PathResult
    options: dict[str, Any]


SectionProvider = Callable[[ReportContext], list[Any] | None]


def chokepoint_rows(ctx: ReportContext) -> list[ChokepointRow]:
    """The choke-point analysis: fixes ranked by the total risk of the paths they close."""
    from aispm_graph.analysis.chokepoints import chokepoints
    from aispm_graph.analysis.engine import DEFAULT_MAX_HOPS

    hops = int(ctx.options.get("max_hops", DEFAULT_MAX_HOPS))
    report = chokepoints(ctx.graph, ctx.result.paths, max_hops=hops)
    return [
        ChokepointRow(
            fix_id=f.id,
            action=f.action,
            paths=f.closes,
            risk_removed=f.risk_removed,
            effort=f.effort,
        )
        for f in report.fixes
    ]


def recommendation_rows(ctx: ReportContext) -> list[FindingRow]:
    """Posture findings, each raised to the worst attack path through its resource."""
    from aispm_graph.recommendations.evaluate import evaluate

    rows = []
    for f in evaluate(ctx.graph, ctx.result.paths):
        severity = f.severity if f.severity in SEVERITY_ORDER else "info"
        rows.append(
            FindingRow(
                id=f.id,
                check=f.check,
                title=f.title,
                severity=severity,
                resource_id=f.resource,
                resource_name=f.name,
                remediation=f.remediation,
                path_ids=f.paths,
                priority=SEVERITY_ORDER.get(f.priority, 0) * 1000 + f.max_path_score,
                rationale=f.rationale,
                references=f.references,
                frameworks=f.frameworks,
            )
        )
    return rows


def framework_rows(ctx: ReportContext) -> list[FrameworkRow]:
    """Framework coverage: per item, the checks serving it and the findings under it."""
    from aispm_graph.recommendations.coverage import all_coverage
    from aispm_graph.recommendations.evaluate import evaluate

    out = []
    for cov in all_coverage(evaluate(ctx.graph, ctx.result.paths)):
        d = cov.as_dict()
        out.append(FrameworkRow(**d["framework"], items=d["items"]))
    return out


def vulnerability_rows(ctx: ReportContext) -> list[VulnRow] | None:
    """Matched advisories and where they run; not computed without the vulnerability extra."""
    try:
        # The vulnerability extra (cvss) may be missing; then the section is not computed.
        from aispm_graph.vulns.report import vulnerability_rows as matched
    except ImportError:
        return None
    on_path = {n.id for p in ctx.result.paths for n in p.nodes}
    out = []
    for r in matched(ctx.graph, on_path):
        # Severities the report schema does not know (``none``, ``unknown``) show as ``info``.
        level = r["severity"] if r["severity"] in {"critical", "high", "medium", "low"} else "info"
        out.append(
            VulnRow(
                package=r["package"],
                version=r["version"],
                advisory=r["advisory"] + (f" ({r['cve']})" if r["cve"] else ""),
                severity=level,
                fixed_version=r["fixed"] or None,
                resources=[a["name"] for a in r["affected"]],
                on_path=r["on_attack_path"],
                summary=str(r["summary"]),
            )
        )
    return out


def agent_rows(ctx: ReportContext) -> list[AgentRow]:
    """Every agent and agent gateway with its indicators (those with more first, then by
    name); the indicators and their evidence are the ones ``aispm show`` prints."""
    from aispm_graph.derive.agents import INDICATOR_ORDER
    from aispm_graph.schema import Label, node_kinds

    wanted = {Label.AI_AGENT, Label.AGENT_GATEWAY}
    counts = _path_counts(ctx.result.paths)
    rows = []
    for node_id, data in ctx.graph.nodes():
        spec = node_kinds().get(str(data["kind"]))
        if spec is None or not wanted & set(spec.labels):
            continue
        evidence = data.get("agent_indicator_evidence") or {}
        names = [i for i in INDICATOR_ORDER if i in (data.get("agent_indicators") or [])]
        rows.append(
            AgentRow(
                id=node_id,
                kind=str(data["kind"]),
                name=str(data.get("name") or node_id),
                provider=str(data.get("provider") or ""),
                indicators={i: [str(s) for s in evidence.get(i, [])] for i in names},
                paths=counts.get(node_id, 0),
            )
        )
    rows.sort(key=lambda r: (-len(r.indicators), -r.paths, r.name, r.id))
    return rows


SECTION_PROVIDERS: dict[str, SectionProvider] = {
    "chokepoints": chokepoint_rows,
    "recommendations": recommendation_rows,
    "vulnerabilities": vulnerability_rows,
    "frameworks": framework_rows,
    "agents": agent_rows,
}
SECTIONS = ("chokepoints", "recommendations", "vulnerabilities", "frameworks", "agents")


def _path_counts(paths: list[AttackPath]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for p in paths:
        for n in p.nodes:
            counts[n.id] = counts.get(n.id, 0) + 1
    return counts


def build_report_data(
    graph: Graph,
    result: PathResult,
    *,
    paths: list[AttackPath] | None = None,
    snapshot: str | None = None,
    title: str = "aispm-graph report",
    generated_at: dt.datetime | None = None,
    providers: dict[str, SectionProvider] | None = None,
    options: dict[str, Any] | None = None,
) -> ReportData:
    """Assemble a report: ``paths`` (default: all of ``result``) plus every registered section.

    ``generated_at`` can be fixed so that the same graph gives byte-identical reports.
    """
    ctx = ReportContext(graph=graph, result=result, options=options or {})
    sections: dict[str, list[Any] | None] = {}
    registry = SECTION_PROVIDERS if providers is None else providers
    for name in SECTIONS:
        fn = registry.get(name)
        sections[name] = fn(ctx) if fn is not None else None
    when = generated_at or dt.datetime.now(dt.UTC)
    shown = result.paths if paths is None else paths
    return ReportData(
        title=title,
        generated_at=when.astimezone(dt.UTC).isoformat(timespec="seconds"),
        snapshot=snapshot,
        paths=shown,
        total_paths=len(result.paths),
        truncated=result.truncated,
        truncation=result.truncation,
        inventory=build_inventory(graph, _path_counts(result.paths)),
        **sections,
    )


def riskiest_hop(path: AttackPath, fix_counts: dict[str, int]) -> int:
    """The hop to highlight: where one path-breaking fix breaks the most paths of the report.

    Ties go to the earliest such hop (closest to the attacker); a path without a breaking fix
    highlights its first hop, the way in.
    """
    best, best_count = 0, -1
    for r in path.remediation:
        if r.breaks_path and r.edge is not None:
            n = fix_counts.get(r.id, 1)
            if n > best_count or (n == best_count and r.edge < best):
                best, best_count = r.edge, n
    return best


__all__ = [
    "SECTION_PROVIDERS",
    "AgentRow",
    "ChokepointRow",
    "FindingRow",
    "FrameworkItemRow",
    "FrameworkRow",
    "ReportContext",
    "ReportData",
    "VulnRow",
    "build_report_data",
    "riskiest_hop",
]
