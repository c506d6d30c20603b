"""OCSF Detection Finding (class 2004, schema 1.5.0) events for SIEMs and security lakes.

One event per attack path and per recommendation, as a JSON array. A path's route goes in the
affected target resource's ``resource_relationship`` (an OCSF ``graph`` object: nodes and
directed edges with the evidence), every resource on the path is listed in ``resources``, and
the path id is ``finding_info.uid`` so repeated exports update the same finding.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from aispm_graph.analysis.models import AttackPath
from aispm_graph.report.data import FindingRow, ReportData

OCSF_VERSION = "1.5.0"
CLASS_UID, CATEGORY_UID, ACTIVITY_CREATE = 2004, 2, 1
SEVERITY_ID = {"info": 1, "low": 2, "medium": 3, "high": 4, "critical": 5}
RISK_LEVEL_ID = {"info": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}
CLOUD = {"aws": "AWS", "azure": "Azure", "gcp": "GCP"}


def _millis(iso: str) -> int:
    return int(dt.datetime.fromisoformat(iso).timestamp() * 1000)


def _base(data: ReportData, severity: str, now: int) -> dict[str, Any]:
    return {
        "class_uid": CLASS_UID,
        "class_name": "Detection Finding",
        "category_uid": CATEGORY_UID,
        "category_name": "Findings",
        "activity_id": ACTIVITY_CREATE,
        "activity_name": "Create",
        "type_uid": CLASS_UID * 100 + ACTIVITY_CREATE,
        "type_name": "Detection Finding: Create",
        "time": now,
        "severity_id": SEVERITY_ID[severity],
        "severity": severity.capitalize(),
        "status_id": 1,
        "status": "New",
        "risk_level_id": RISK_LEVEL_ID[severity],
        "risk_level": severity.capitalize(),
        "metadata": {
            "version": OCSF_VERSION,
            "product": {
                "name": "aispm-graph",
                "vendor_name": "aispm-graph",
                "version": data.tool_version,
            },
            "log_name": "aispm-graph",
        },
    }


def path_event(p: AttackPath, data: ReportData, now: int) -> dict[str, Any]:
    ev = _base(data, p.risk.level, now)
    target = p.nodes[-1]
    graph = {
        "name": "attack path",
        "type": "attack-path",
        "uid": p.id,
        "is_directed": True,
        "nodes": [{"uid": n.id, "name": n.name, "type": n.kind} for n in p.nodes],
        "edges": [
            {
                "source": e.source,
                "target": e.target,
                "relation": e.kind,
                "name": e.kind,
                "is_directed": True,
                "data": {"confidence": e.confidence, "evidence": e.evidence, "kinds": e.kinds},
            }
            for e in p.edges
        ],
    }
    resources = []
    for n in p.nodes:
        if n.id == "internet":
            continue
        res: dict[str, Any] = {"uid": n.id, "name": n.name, "type": n.kind}
        res["labels"] = [f"cloud:{CLOUD.get(n.provider, n.provider)}"]
        if n.id == target.id:
            res["resource_relationship"] = graph
            res["labels"] += ["attack-path-target", p.target_class]
        resources.append(res)
    fixes = [r for r in p.remediation if r.breaks_path] or p.remediation
    ev.update(
        message=f"{p.title} ({p.risk.level}, score {p.risk.score})",
        risk_score=p.risk.score,
        risk_details="; ".join(f"{f.name}={f.value} ({f.detail})" for f in p.risk.factors),
        finding_info={
            "uid": p.id,
            "title": p.title,
            "desc": " -> ".join(f"{n.name} [{n.kind}]" for n in p.nodes),
            "types": ["Attack Path", p.target_class],
            "created_time": now,
            "product": {"name": "aispm-graph", "vendor_name": "aispm-graph"},
        },
        resources=resources,
        remediation={"desc": " Or: ".join(r.action for r in fixes[:3])},
        unmapped={
            "entry": p.entry,
            "hops": p.hops,
            "likelihood": p.risk.likelihood,
            "impact": p.risk.impact,
            "fix_ids": [r.id for r in p.remediation],
        },
    )
    return ev


def finding_event(row: FindingRow, data: ReportData, now: int) -> dict[str, Any]:
    ev = _base(data, row.severity, now)
    ev.update(
        message=f"{row.title}: {row.resource_name}",
        finding_info={
            "uid": row.id,
            "title": row.title,
            "desc": row.title,
            "types": ["Posture Recommendation", *([row.check] if row.check else [])],
            "created_time": now,
        },
        resources=[{"uid": row.resource_id, "name": row.resource_name}],
        remediation={"desc": row.remediation},
        unmapped={"priority": row.priority, "path_ids": row.path_ids},
    )
    return ev


def render_ocsf(data: ReportData) -> list[dict[str, Any]]:
    """Detection Finding events, paths first (in rank order), then recommendations."""
    now = _millis(data.generated_at)
    events = [path_event(p, data, now) for p in data.paths]
    events += [finding_event(r, data, now) for r in data.recommendations or []]
    return events
