"""Concrete fixes for a path, filled from the evidence of its edges.

Every fix has a stable id derived from what it changes (the edge, or the node setting), so the
same fix on many paths is one fix: that is what choke points rank and what-if applies.
"""

from __future__ import annotations

import hashlib
from typing import Any

from aispm_graph.analysis.models import Remediation
from aispm_graph.schema import edge_kind
from aispm_graph.schema.keys import E, P


def fix_id(*parts: str) -> str:
    return "fx-" + hashlib.sha256("|".join(parts).encode()).hexdigest()[:10]


def edge_fix_id(source: str, kind: str, target: str) -> str:
    return fix_id(source, kind, target)


class _Fill(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "?"


def _text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def edge_action(source: dict[str, Any], target: dict[str, Any], edge: dict[str, Any]) -> str:
    evidence = edge.get("evidence") or {}
    if evidence.get(E.FIX):
        return str(evidence[E.FIX])
    spec = edge_kind(edge["kind"])
    values = _Fill({k: _text(v) for k, v in evidence.items()})
    values.update(
        source=source["name"],
        target=target["name"],
        source_id=source["id"],
        target_id=target["id"],
    )
    return (
        spec.remediation.format_map(values)
        if spec.remediation
        else (f"Remove {edge['kind']} from {source['name']} to {target['name']}")
    )


def path_remediation(nodes: list[dict[str, Any]], edges: list[dict[str, Any]]) -> list[Remediation]:
    return [Remediation.model_validate(r) for r in remediation_records(nodes, edges)]


def remediation_records(
    nodes: list[dict[str, Any]], edges: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The path's fixes as plain records (fields of :class:`Remediation`), breaking fixes
    first: the engine validates them with the whole path in one call instead of one model
    per fix."""
    breaking: list[dict[str, Any]] = []
    lowering: list[dict[str, Any]] = []
    for i, edge in enumerate(edges):
        spec = edge_kind(edge["kind"])
        item = {
            "id": edge_fix_id(edge["source"], edge["kind"], edge["target"]),
            "action": edge_action(nodes[i], nodes[i + 1], edge),
            "edge": i,
            "breaks_path": spec.breaks_path,
            "effort": spec.effort,
        }
        (breaking if spec.breaks_path else lowering).append(item)
        src = nodes[i]
        if edge["kind"] == "HAS_IDENTITY" and src.get(P.IMDS_V1):
            lowering.append(
                {
                    "id": fix_id(src["id"], "imdsv2"),
                    "action": f"Require IMDSv2 (HttpTokens=required) on {src['name']}",
                    "edge": i,
                    "breaks_path": False,
                    "effort": "low",
                }
            )
    if nodes[0]["id"] == "internet" and len(nodes) > 2:
        host = nodes[1]
        vf = host.get(P.VULN_FACTORS) or []
        if vf:
            lowering.append(
                {
                    "id": fix_id(host["id"], "patch"),
                    "action": f"Patch the vulnerable packages on {host['name']} "
                    f"({', '.join(vf)}; see 'aispm vulns')",
                    "edge": 0,
                    "breaks_path": False,
                    "effort": "medium",
                }
            )
    return breaking + lowering
