"""SARIF 2.1.0 for code-scanning dashboards and CI gates.

One result per attack path and one per recommendation. Paths carry their route as a SARIF
``codeFlow`` (one thread-flow location per node, the hop's edge kind as its message) and the path
id as fingerprint, so a dashboard tracks the same path across runs; recommendations use their
finding id. Cloud resources have no source file, so locations are *logical* (the resource id).
``rank`` is the path's 0-100 risk score; rules carry GitHub's ``security-severity``.
"""

from __future__ import annotations

from typing import Any

from aispm_graph.analysis.models import AttackPath
from aispm_graph.report.data import FindingRow, ReportData

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT_KEY = "aispmFingerprint/v1"
LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
SECURITY_SEVERITY = {"critical": 9.5, "high": 8.0, "medium": 5.5, "low": 3.0, "info": 0.0}


def _rule_id_path(target_class: str) -> str:
    return "AISPM-PATH-" + target_class.upper().replace("_", "-")


def _rule_id_rec(row: FindingRow) -> str:
    return "AISPM-REC-" + (row.check or row.id)


def _path_rule(target_class: str, paths: list[AttackPath]) -> dict[str, Any]:
    worst = max(paths, key=lambda p: p.risk.score)
    words = target_class.replace("_", " ")
    return {
        "id": _rule_id_path(target_class),
        "name": "AttackPathTo" + "".join(w.capitalize() for w in target_class.split("_")),
        "shortDescription": {"text": f"Attack path from an entry point to {words}"},
        "fullDescription": {
            "text": f"An attacker starting at an internet-exposed entry point (or leaked "
            f"long-lived credentials) can reach {words} by chaining the hops of the path."
        },
        "help": {
            "text": "Apply one of the path's 'breaks path' fixes; the hop most shared with other "
            "paths is the cheapest place to break many at once ('aispm chokepoints')."
        },
        "defaultConfiguration": {"level": LEVELS[worst.risk.level]},
        "properties": {
            "tags": ["security", "attack-path", target_class],
            "security-severity": f"{worst.risk.score / 10:.1f}",
        },
    }


def _path_result(p: AttackPath, rule_index: int) -> dict[str, Any]:
    target = p.nodes[-1]
    breaking = [r.action for r in p.remediation if r.breaks_path]
    text = f"{p.title} ({p.risk.level}, score {p.risk.score}, {p.hops} hop(s))."
    if breaking:
        text += f" Fix: {breaking[0]}"
    thread = []
    for i, n in enumerate(p.nodes):
        msg = f"{n.kind} {n.name}" + (f" --{p.edges[i].kind}-->" if i < len(p.edges) else "")
        thread.append(
            {
                "location": {
                    "logicalLocations": [
                        {"fullyQualifiedName": n.id, "name": n.name, "kind": "resource"}
                    ],
                    "message": {"text": msg},
                },
                "executionOrder": i + 1,
            }
        )
    return {
        "ruleId": _rule_id_path(p.target_class),
        "ruleIndex": rule_index,
        "kind": "fail",
        "level": LEVELS[p.risk.level],
        "rank": float(p.risk.score),
        "message": {"text": text},
        "locations": [
            {
                "logicalLocations": [
                    {"fullyQualifiedName": target.id, "name": target.name, "kind": "resource"}
                ]
            }
        ],
        "codeFlows": [{"threadFlows": [{"locations": thread}]}],
        "fingerprints": {FINGERPRINT_KEY: p.id},
        "partialFingerprints": {FINGERPRINT_KEY: p.id},
        "properties": {
            "pathId": p.id,
            "riskLevel": p.risk.level,
            "riskScore": p.risk.score,
            "entry": p.entry,
            "target": p.target,
            "targetClass": p.target_class,
            "hops": [e.kind for e in p.edges],
            "remediation": [r.model_dump() for r in p.remediation],
        },
    }


def _rec_rule(row: FindingRow) -> dict[str, Any]:
    """A posture rule with the catalogue's metadata: rationale, the vendor document as
    ``helpUri``, and one ``framework/item`` tag per framework item the check serves (the
    form code-scanning dashboards filter on)."""
    rule: dict[str, Any] = {
        "id": _rule_id_rec(row),
        "name": (row.check or row.id).replace("-", " ").title().replace(" ", ""),
        "shortDescription": {"text": row.title},
        "help": {"text": row.remediation},
        "defaultConfiguration": {"level": LEVELS[row.severity]},
        "properties": {
            "tags": [
                "security",
                "posture",
                "recommendation",
                *(f"{fw}/{item}" for fw, items in sorted(row.frameworks.items()) for item in items),
            ],
            "security-severity": f"{SECURITY_SEVERITY[row.severity]:.1f}",
            "frameworks": row.frameworks,
        },
    }
    if row.rationale:
        rule["fullDescription"] = {"text": row.rationale}
    if row.references:
        rule["helpUri"] = row.references[0]
    return rule


def _rec_result(row: FindingRow, rule_index: int) -> dict[str, Any]:
    on = f" It lies on {len(row.path_ids)} attack path(s)." if row.path_ids else ""
    return {
        "ruleId": _rule_id_rec(row),
        "ruleIndex": rule_index,
        "kind": "fail",
        "level": LEVELS[row.severity],
        "message": {"text": f"{row.title}: {row.resource_name}.{on} Fix: {row.remediation}"},
        "locations": [
            {
                "logicalLocations": [
                    {
                        "fullyQualifiedName": row.resource_id,
                        "name": row.resource_name,
                        "kind": "resource",
                    }
                ]
            }
        ],
        "fingerprints": {FINGERPRINT_KEY: row.id},
        "partialFingerprints": {FINGERPRINT_KEY: row.id},
        "properties": {"priority": row.priority, "pathIds": row.path_ids},
    }


def render_sarif(data: ReportData) -> dict[str, Any]:
    """The SARIF log as a JSON-ready dict."""
    rules: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    by_class: dict[str, list[AttackPath]] = {}
    for p in data.paths:
        by_class.setdefault(p.target_class, []).append(p)
    for tcls in sorted(by_class):
        index[_rule_id_path(tcls)] = len(rules)
        rules.append(_path_rule(tcls, by_class[tcls]))
    results = [_path_result(p, index[_rule_id_path(p.target_class)]) for p in data.paths]
    for row in data.recommendations or []:
        rid = _rule_id_rec(row)
        if rid not in index:
            index[rid] = len(rules)
            rules.append(_rec_rule(row))
        results.append(_rec_result(row, index[rid]))
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "aispm-graph",
                "semanticVersion": data.tool_version,
                "version": data.tool_version,
                "rules": rules,
            }
        },
        "automationDetails": {"id": f"aispm-graph/{data.snapshot or 'latest'}/"},
        "invocations": [
            {
                "executionSuccessful": True,
                "endTimeUtc": data.generated_at.replace("+00:00", "Z"),
                "toolExecutionNotifications": (
                    [{"level": "warning", "message": {"text": data.truncation or "truncated"}}]
                    if data.truncated
                    else []
                ),
            }
        ],
        "results": results,
        "columnKind": "unicodeCodePoints",
    }
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
