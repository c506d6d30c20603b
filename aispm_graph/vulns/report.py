"""Rows of ``aispm vulns``: one per (package, advisory), with what runs it and path status."""

from __future__ import annotations

from typing import Any

from aispm_graph.graph.model import Graph
from aispm_graph.schema import Label
from aispm_graph.vulns.severity import LEVEL_RANK

RUN_EDGES = {"RUNS_IMAGE", "RUNS_SOFTWARE"}


def _holders(graph: Graph, package: str) -> list[str]:
    """Compute that runs the package (directly or through an image / SBOM subject); if none,
    the image or SBOM subject itself, so an unattached report is still shown somewhere."""
    compute: set[str] = set()
    subjects: set[str] = set()
    for src, _t, _e in graph.in_edges(package, "HAS_PACKAGE"):
        if str(Label.COMPUTE) in graph.labels(src):
            compute.add(src)
            continue
        subjects.add(src)
        for c, _t2, e2 in graph.in_edges(src):
            if e2["kind"] in RUN_EDGES:
                compute.add(c)
    return sorted(compute) or sorted(subjects)


def vulnerability_rows(
    graph: Graph, on_path: set[str], min_severity: str | None = None
) -> list[dict[str, Any]]:
    floor = LEVEL_RANK[min_severity] if min_severity else 0
    rows = []
    for pkg, vid, e in graph.edges("AFFECTED_BY"):
        v = graph.node(vid)
        p = graph.node(pkg)
        level = str(v.get("severity") or "none")
        if LEVEL_RANK.get(level, 0) < floor:
            continue
        ev = e["evidence"]
        holders = _holders(graph, pkg)
        reported_fix = sorted(
            {f for r in (ev.get("reported") or {}).values() for f in r.get("fixed", [])}
        )
        fixed = ev.get("fixed") or (reported_fix[0] if reported_fix else "")
        aliases = list(v.get("aliases") or [])
        rows.append(
            {
                "package": str(p.get("package_name") or p["name"]),
                "version": str(p.get("version") or ""),
                "purl": pkg,
                "advisory": vid,
                "cve": next((a for a in aliases if a.startswith("CVE-")), ""),
                "aliases": aliases,
                "severity": level,
                "cvss_score": v.get("cvss_score"),
                "severity_basis": v.get("severity_basis", ""),
                "rce": bool(v.get("rce")),
                "summary": v.get("summary") or "",
                "fixed": fixed,
                "scanner_fixed": reported_fix,
                "sources": list(ev.get("sources") or []),
                "disagreement": ev.get("disagreement", ""),
                "not_reported_by": list(ev.get("not_reported_by") or []),
                "affected": [
                    {"id": h, "kind": graph.node(h)["kind"], "name": graph.node(h)["name"]}
                    for h in holders
                ],
                "on_attack_path": any(h in on_path for h in holders),
            }
        )
    rows.sort(
        key=lambda r: (
            -int(r["on_attack_path"]),
            -LEVEL_RANK.get(r["severity"], 0),
            -(r["cvss_score"] or 0),
            r["package"],
            r["advisory"],
        )
    )
    return rows
