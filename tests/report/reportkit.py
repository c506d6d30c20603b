"""Helpers shared by the report tests: hand-built section rows, hostile names, big reports."""

from __future__ import annotations

import datetime as dt

from aispm_graph.analysis.models import AttackPath
from aispm_graph.report import FindingRow, ReportData, VulnRow

FIXED_TIME = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
HOSTILE = '<img src=x onerror=alert(1)> "q" | #hash `tick` -->|x|'


def hand_rows(paths: list[AttackPath]) -> tuple[list[FindingRow], list[VulnRow]]:
    """Recommendations and vulnerabilities as the other analyses will hand them in."""
    top = paths[0]
    host = top.nodes[1]
    recs = [
        FindingRow(
            id="rec-public-network-" + host.id[-12:],
            check="public-network-access",
            title="Public network access is enabled",
            severity="high",
            resource_id=host.id,
            resource_name=host.name,
            remediation="Disable public network access and use a private endpoint",
            path_ids=[top.id],
            priority=90,
        ),
        FindingRow(
            id="rec-no-guardrail-x",
            check="no-guardrail",
            title="No guardrail on model",
            severity="medium",
            resource_id="arn:aws:bedrock:us-east-1:111122223333:custom-model/x",
            resource_name=HOSTILE,
            remediation="Attach a guardrail",
            priority=40,
        ),
    ]
    vulns = [
        VulnRow(
            package="pkg:pypi/torch",
            version="2.1.0",
            advisory="GHSA-pg7h-5qx3-wjr3",
            severity="critical",
            fixed_version="2.6.0",
            resources=[host.id],
            on_path=True,
        ),
        VulnRow(
            package="pkg:pypi/langchain",
            version="0.0.300",
            advisory="PYSEC-2023-151",
            severity="medium",
            resources=["vm-offpath"],
            on_path=False,
        ),
    ]
    return recs, vulns


def full_report(base: ReportData) -> ReportData:
    recs, vulns = hand_rows(base.paths)
    return base.model_copy(update={"recommendations": recs, "vulnerabilities": vulns})


def hostile_path(p: AttackPath) -> AttackPath:
    """The same route with names an attacker could choose (tags, quotes, Mermaid syntax)."""
    nodes = [n.model_copy(update={"name": f"{n.name} {HOSTILE}"}) for n in p.nodes]
    return p.model_copy(update={"nodes": nodes, "title": f"{p.title} {HOSTILE}"})


def many_paths(paths: list[AttackPath], count: int) -> list[AttackPath]:
    """``count`` distinct paths cycled from real ones (ids made unique), rank order kept."""
    out = []
    for i in range(count):
        p = paths[i % len(paths)]
        out.append(p.model_copy(update={"id": f"ap-{i:012x}", "title": f"{p.title} #{i}"}))
    out.sort(key=lambda p: -p.risk.score)
    return out
