"""Run the catalogue over a graph and order findings by real risk.

A finding's *priority* starts at the check's severity and is raised to the highest level of
any attack path that passes through the resource; findings are ordered by priority, then by
the highest path score through the resource, then by severity. So a medium "public network
access" on the account every critical path crosses comes before a high finding on a resource
no attacker can reach, and the finding names those paths.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from pydantic import BaseModel

from aispm_graph.analysis.models import LEVEL_ORDER, AttackPath
from aispm_graph.graph.model import Graph
from aispm_graph.recommendations.catalogue import CHECKS
from aispm_graph.recommendations.model import Check

LEVELS = ("low", "medium", "high", "critical")


class Finding(BaseModel):
    id: str
    check: str
    title: str
    severity: str
    priority: str
    resource: str
    kind: str
    name: str
    provider: str
    condition: str
    remediation: str
    references: list[str]
    frameworks: dict[str, list[str]]
    rationale: str = ""
    paths: list[str]
    max_path_score: int = 0


def finding_id(check: str, resource: str) -> str:
    """Stable: the same check on the same resource has the same id in every run."""
    return "rf-" + hashlib.sha256(f"{check}|{resource}".encode()).hexdigest()[:12]


def _paths_by_node(paths: Iterable[AttackPath]) -> dict[str, list[AttackPath]]:
    index: dict[str, list[AttackPath]] = {}
    for p in paths:
        for n in p.nodes:
            index.setdefault(n.id, []).append(p)
    return index


def evaluate(
    graph: Graph,
    paths: Iterable[AttackPath] = (),
    checks: Iterable[Check] | None = None,
) -> list[Finding]:
    by_kind: dict[str, list[Check]] = {}
    for check in CHECKS if checks is None else checks:
        if not check.evaluated:
            continue  # declared for coverage; its facts are not in the graph
        for kind in check.kinds:
            by_kind.setdefault(kind, []).append(check)
    through = _paths_by_node(paths)
    findings = []
    for node_id, data in graph.nodes():
        for check in by_kind.get(data["kind"], ()):
            if not check.predicate.test(graph, node_id, data):
                continue
            on = through.get(node_id, [])
            worst = max((LEVEL_ORDER[p.risk.level] for p in on), default=-1)
            priority = max(LEVEL_ORDER[check.severity], worst)
            findings.append(
                Finding(
                    id=finding_id(check.id, node_id),
                    check=check.id,
                    title=check.title,
                    severity=check.severity,
                    priority=LEVELS[priority],
                    resource=node_id,
                    kind=data["kind"],
                    name=data["name"],
                    provider=data["provider"],
                    condition=check.predicate.describe(),
                    remediation=check.remediation,
                    references=list(check.references),
                    frameworks={k: list(v) for k, v in check.frameworks.items()},
                    rationale=check.rationale,
                    paths=[p.id for p in sorted(on, key=lambda p: (-p.risk.score, p.id))],
                    max_path_score=max((p.risk.score for p in on), default=0),
                )
            )
    findings.sort(
        key=lambda f: (
            -LEVEL_ORDER[f.priority],
            -f.max_path_score,
            -LEVEL_ORDER[f.severity],
            -len(f.paths),
            f.check,
            f.resource,
        )
    )
    return findings
