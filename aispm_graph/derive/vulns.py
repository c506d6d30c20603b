"""Vulnerabilities into risk: OSV matching, scanner reconciliation, compute linking, factors.

Runs after every transform, because a scanner report imported today may describe an image that
an ECS task, a Cloud Run service or a VM from another source runs:

1. ``vulns-match``: every Package node is matched against the offline OSV database (our own
   matching, whatever the input was). Scanner-reported advisories are reconciled with it: the
   same advisory under a CVE/GHSA alias becomes one node; where the scanner and the database
   disagree, the AFFECTED_BY edge keeps both views (``sources`` and ``disagreement``).
2. ``vulns-link``: compute is linked to the images it runs (``RUNS_IMAGE``) by digest or image
   reference found in its properties (``image_uri``, ``image_digest``, ``image``, ...), and to
   explicitly attached subjects (``--attach``).
3. ``vulns-factors``: compute gets ``vuln_factors`` (high-severity, rce, fix-available) from
   the advisories that really matched its packages, and ``ai_libraries`` from the shadow-AI
   list; model nodes get scan findings recorded by ``aispm scan-model``.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from aispm_graph.build import BuildContext, deriver
from aispm_graph.graph.model import Graph
from aispm_graph.schema import Label
from aispm_graph.vulns.matching import package_ref_from_purl
from aispm_graph.vulns.osvdb import VulnDB, VulnDBError, open_default
from aispm_graph.vulns.severity import LEVEL_RANK, is_rce

IMAGE_PROPS = (
    "image_uri",
    "image_digest",
    "image",
    "images",
    "image_uris",
    "container_images",
    "container_image",
    "image_ref",
)
HIGH = LEVEL_RANK["high"]


def _open_db(ctx: BuildContext) -> VulnDB | None:
    try:
        return open_default(ctx.workspace_root)
    except VulnDBError as exc:
        ctx.warn(f"vulnerability matching skipped: {exc}")
        return None


def _vuln_props(db: VulnDB, adv_id: str) -> dict[str, Any]:
    adv = db.advisory(adv_id)
    if adv is None:
        return {}
    return {
        "severity": adv.severity,
        "cvss_score": adv.cvss_score,
        "cvss_vector": adv.cvss_vector or None,
        "severity_basis": adv.severity_basis,
        "rce": adv.rce,
        "fixed_versions": list(adv.fixed) or None,
        "aliases": list(adv.aliases) or None,
        "summary": adv.title or None,
        "cwes": list(adv.cwes) or None,
        "references": list(adv.references[:10]) or None,
    }


@deriver("vulnerabilities", "vulns-match")
def match_packages(graph: Graph, ctx: BuildContext) -> None:
    packages = list(graph.nodes("Package"))
    if not packages:
        return
    db = _open_db(ctx)
    if db is None:
        return
    ours: set[tuple[str, str]] = set()
    for purl, data in packages:
        try:
            ref = package_ref_from_purl(purl)
        except ValueError as exc:
            ctx.warn(f"package {purl}: {exc}; not matched")
            continue
        if ref is None:
            ctx.stats["packages_without_osv_ecosystem"] += 1
            continue
        if not ref.version:
            ctx.stats["packages_without_version"] += 1
            continue
        for m in db.match(ref):
            props = _vuln_props(db, m.advisory_id)
            graph.add_node(m.advisory_id, "Vulnerability", m.advisory_id, **props)
            vnode = graph.node(m.advisory_id)
            graph.set_prop(
                m.advisory_id, "reported_by", sorted({*vnode.get("reported_by", []), "osv"})
            )
            evidence: dict[str, Any] = {
                "sources": ["osv"],
                "fixed": m.fixed,
                "database": db.description,
            }
            missed = data.get("scanned_by") or []
            if missed:
                evidence["not_reported_by"] = list(missed)  # reduced below when reconciled
            graph.add_edge(purl, m.advisory_id, "AFFECTED_BY", evidence)
            ours.add((purl, m.advisory_id))
            ctx.stats["osv_matches"] += 1
    _reconcile_reported(graph, db, ours, ctx)
    ctx.stats["git_ranges_skipped"] += db.git_ranges_skipped
    if db.bad_ranges:
        ctx.warn(f"{len(db.bad_ranges)} OSV ranges could not be evaluated, e.g. {db.bad_ranges[0]}")


def _reconcile_reported(
    graph: Graph, db: VulnDB, ours: set[tuple[str, str]], ctx: BuildContext
) -> None:
    """Fold scanner-reported advisories into OSV ones where the ids are aliases."""
    reported = [
        (vid, data)
        for vid, data in graph.nodes("Vulnerability")
        if set(data.get("reported_by", [])) - {"osv"}
    ]
    for vid, data in reported:
        primary = db.resolve(vid)
        for alias in data.get("aliases") or []:
            primary = primary or db.resolve(alias)
        scanners = sorted(set(data.get("reported_by", [])) - {"osv"})
        edges = [(s, e) for s, _t, e in graph.in_edges(vid, "AFFECTED_BY")]
        if primary is None or primary == vid:
            for _src, e in edges:
                if primary is None:
                    e["evidence"]["disagreement"] = (
                        f"not in the offline OSV database ({db.description})"
                    )
            continue
        if not graph.has_node(primary):
            graph.add_node(primary, "Vulnerability", primary, **_vuln_props(db, primary))
        pnode = graph.node(primary)
        graph.set_prop(primary, "reported_by", sorted({*pnode.get("reported_by", []), *scanners}))
        for src, e in edges:
            ev = e["evidence"]
            mine = graph.edge(src, primary, "AFFECTED_BY")
            if mine is not None and (src, primary) in ours:
                mev = mine["evidence"]
                mev["sources"] = sorted({*mev.get("sources", []), *scanners})
                mev.setdefault("reported", {}).update(ev.get("reported", {}))
                mev["reported_as"] = vid
                left = [s for s in mev.get("not_reported_by", []) if s not in scanners]
                if left:
                    mev["not_reported_by"] = left
                else:
                    mev.pop("not_reported_by", None)
                fixes = {f for r in ev.get("reported", {}).values() for f in r.get("fixed", [])}
                if mev.get("fixed") and fixes and mev["fixed"] not in fixes:
                    mev["disagreement"] = (
                        f"fixed version: osv says {mev['fixed']}, "
                        f"{'/'.join(scanners)} says {', '.join(sorted(fixes))}"
                    )
            else:
                graph.add_edge(
                    src,
                    primary,
                    "AFFECTED_BY",
                    {
                        **ev,
                        "sources": scanners,
                        "reported_as": vid,
                        "disagreement": f"osv database: {src} is not in the affected ranges of "
                        f"{primary}",
                    },
                )
            ctx.stats["scanner_advisories_reconciled"] += 1
        graph.remove_node(vid)


def _norm_ref(ref: str) -> str:
    r = ref.strip().lower()
    for prefix in (
        "https://",
        "http://",
        "docker.io/library/",
        "index.docker.io/library/",
        "docker.io/",
        "index.docker.io/",
    ):
        if r.startswith(prefix):
            r = r[len(prefix) :]
    if ":" not in r.rsplit("/", 1)[-1] and "@" not in r:
        r += ":latest"
    return r


def _digest_of(ref: str) -> str:
    if "@" in ref:
        ref = ref.rsplit("@", 1)[1]
    return ref.lower() if ref.lower().startswith("sha256:") else ""


SUPPLY_CHAIN_KINDS = frozenset({"ContainerImage", "SoftwareProject", "Package"})


def _has_supply_chain(graph: Graph, ctx: BuildContext) -> bool:
    """One pass, remembered: estates without imported images or SBOMs skip these derivers
    (a million-node build must not pay for a feature it does not use)."""
    key = "supply_chain_nodes"
    if key not in ctx.stats:
        ctx.stats[key] = sum(1 for _n, d in graph.nodes() if d["kind"] in SUPPLY_CHAIN_KINDS)
    return ctx.stats[key] > 0


@deriver("vulnerabilities", "vulns-link")
def link_compute(graph: Graph, ctx: BuildContext) -> None:
    if not _has_supply_chain(graph, ctx):
        return
    by_digest: dict[str, str] = {}
    by_ref: dict[str, str] = {}
    for image_id, data in graph.nodes("ContainerImage"):
        refs = [data.get("uri") or "", data.get("digest") or "", *(data.get("references") or [])]
        for r in refs:
            if not isinstance(r, str) or not r:
                continue
            d = _digest_of(r)
            if d:
                by_digest[d] = image_id
            by_ref[_norm_ref(r)] = image_id
    for node_id, data in list(graph.nodes()):
        if str(Label.COMPUTE) not in graph.labels(node_id):
            continue
        for prop in (*IMAGE_PROPS, "containers"):
            value = data.get(prop)
            values = value if isinstance(value, list) else [value]
            # Kubernetes / ECS / Cloud Run container specs: [{"name": ..., "image": ...}]
            values = [v.get("image") if isinstance(v, dict) else v for v in values]
            for ref in values:
                if not isinstance(ref, str) or not ref:
                    continue
                d = _digest_of(ref)
                iid = by_digest.get(d) if d else None
                how = "digest"
                if iid is None:
                    iid = by_ref.get(_norm_ref(ref))
                    how = "reference"
                if iid is not None:
                    graph.add_edge(
                        node_id, iid, "RUNS_IMAGE", {"match": how, "property": prop, "value": ref}
                    )
    for kind, edge in (("ContainerImage", "RUNS_IMAGE"), ("SoftwareProject", "RUNS_SOFTWARE")):
        for sid, data in graph.nodes(kind):
            for target in data.get("attach_to") or []:
                tid = target.lower() if target.lower().startswith("/subscriptions/") else target
                if not graph.has_node(tid):
                    ctx.warn(
                        f"{data.get('source_file', sid)}: --attach {target}: no such "
                        "resource in the graph; not linked"
                    )
                    continue
                graph.add_edge(tid, sid, edge, {"match": "attach", "value": target})


def packages_of(graph: Graph, node_id: str) -> set[str]:
    """Packages a compute (or image / project) runs: directly or through what it runs."""
    out: set[str] = set()
    for _s, t, e in graph.out_edges(node_id):
        if e["kind"] == "HAS_PACKAGE":
            out.add(t)
        elif e["kind"] in {"RUNS_IMAGE", "RUNS_SOFTWARE"}:
            out.update(t2 for _s2, t2, _e2 in graph.out_edges(t, "HAS_PACKAGE"))
    return out


def vuln_factors_for(graph: Graph, packages: set[str]) -> tuple[list[str], dict[str, int]]:
    factors: set[str] = set()
    counts: dict[str, int] = defaultdict(int)
    seen: set[str] = set()
    for p in packages:
        for _s, vid, e in graph.out_edges(p):
            if e["kind"] != "AFFECTED_BY" or vid in seen:
                continue
            seen.add(vid)
            v = graph.node(vid)
            level = str(v.get("severity") or "none")
            counts[level] += 1
            if LEVEL_RANK.get(level, 0) >= HIGH:
                factors.add("high-severity")
            if v.get("rce") or is_rce(list(v.get("cwes") or []), str(v.get("summary") or "")):
                factors.add("rce")
            if (
                e["evidence"].get("fixed")
                or v.get("fixed_versions")
                or any(r.get("fixed") for r in e["evidence"].get("reported", {}).values())
            ):
                factors.add("fix-available")
    return sorted(factors), dict(counts)


def ai_libraries_for(graph: Graph, node_id: str, packages: set[str]) -> set[str]:
    libs = {str(graph.node(p)["ai_library"]) for p in packages if graph.node(p).get("ai_library")}
    for _s, t, e in graph.out_edges(node_id):
        if e["kind"] == "RUNS_IMAGE" and graph.node(t).get("image_ai_library"):
            libs.add(str(graph.node(t)["image_ai_library"]))
    return libs


@deriver("vulnerabilities", "vulns-factors")
def set_factors(graph: Graph, ctx: BuildContext) -> None:
    if not _has_supply_chain(graph, ctx):
        return
    targets = [n for n, _d in graph.nodes() if str(Label.COMPUTE) in graph.labels(n)]
    targets += [n for kind in ("ContainerImage", "SoftwareProject") for n, _d in graph.nodes(kind)]
    for node_id in targets:
        pkgs = packages_of(graph, node_id)
        data = graph.node(node_id)
        libs = ai_libraries_for(graph, node_id, pkgs)
        if libs:
            graph.set_prop(
                node_id, "ai_libraries", sorted({*(data.get("ai_libraries") or []), *libs})
            )
        if not pkgs:
            continue
        factors, counts = vuln_factors_for(graph, pkgs)
        if factors:
            graph.set_prop(
                node_id, "vuln_factors", sorted({*(data.get("vuln_factors") or []), *factors})
            )
        if counts:
            graph.set_prop(node_id, "vulnerabilities", counts)
