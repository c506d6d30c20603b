"""Scanner reports and SBOMs (trivy, grype, cyclonedx, spdx, requirements) into the graph.

Each imported file becomes its subject (a ContainerImage, or a SoftwareProject for
repositories, file systems and dependency lists) with ``HAS_PACKAGE`` edges to Package nodes
(id = canonical purl). Advisories a scanner reported are added as it reported them (the
``vulns-match`` deriver later reconciles them with our own OSV matching, which runs on every
package). ML-BOM models and datasets become MLBOMModel / MLBOMDataset nodes. Linking a subject
to the compute that runs it needs every provider's nodes, so it is left to the deriver: the
subject carries ``attach_to`` (from ``--attach``) for it.
"""

from __future__ import annotations

import hashlib
from typing import Any

from aispm_graph.build import BuildContext, transform
from aispm_graph.graph.model import Graph
from aispm_graph.vulns.importers import PARSERS
from aispm_graph.vulns.importers.base import ParsedReport, ReportError
from aispm_graph.vulns.matching import OS_NAMESPACES, PURL_ECOSYSTEMS, parse_purl
from aispm_graph.vulns.severity import assess
from aispm_graph.vulns.shadow_ai import ai_library_for_image, ai_library_for_package
from aispm_graph.workspace import Document

SCANNERS = frozenset({"trivy", "grype"})


def image_node_id(digest: str, uri: str) -> str:
    """Images are identified by digest where known (a tag moves; a digest does not)."""
    return f"image:{digest}" if digest else f"image:{uri}"


def subject_node_id(doc: Document) -> str:
    return f"sbom:{doc.source}:{doc.scope}"


def _ecosystem(purl: str) -> str:
    ptype, ns, _n, _v, _q = parse_purl(purl)
    if ptype in {"deb", "rpm", "apk"}:
        return OS_NAMESPACES.get(ns.lower(), ptype)
    return PURL_ECOSYSTEMS.get(ptype, ptype)


def add_report(
    graph: Graph, doc: Document, report: ParsedReport, attach: list[str], source_file: str
) -> str:
    """Add one parsed report's nodes and edges; returns the subject node id."""
    subj = report.subject
    if subj.kind == "image":
        sid = image_node_id(subj.digest, subj.uri or subj.name)
        graph.add_node(
            sid,
            "ContainerImage",
            subj.name,
            digest=subj.digest or None,
            uri=subj.uri or None,
            references=subj.tags or None,
            source_file=source_file,
        )
    else:
        sid = subject_node_id(doc)
        graph.add_node(
            sid, "SoftwareProject", subj.name, source_file=source_file, format=report.format
        )
    if attach:
        held = graph.node(sid).get("attach_to", [])
        graph.set_prop(sid, "attach_to", sorted({*held, *attach}))
    image_lib = ai_library_for_image(f"{subj.uri} {subj.name}") if subj.kind == "image" else None
    if image_lib:
        graph.set_prop(sid, "image_ai_library", image_lib)
    for comp in report.packages:
        try:
            ptype, ns, name, _v, _q = parse_purl(comp.purl)
        except ValueError:
            continue
        lib = ai_library_for_package(ptype, name, ns)
        graph.add_node(
            comp.purl,
            "Package",
            f"{comp.name}@{comp.version}" if comp.version else comp.name,
            ecosystem=_ecosystem(comp.purl),
            version=comp.version,
            package_name=comp.name,
            purl_type=ptype,
            ai_library=lib,
        )
        if report.format in SCANNERS:
            held = graph.node(comp.purl).get("scanned_by", [])
            graph.set_prop(comp.purl, "scanned_by", sorted({*held, report.format}))
        graph.add_edge(
            sid,
            comp.purl,
            "HAS_PACKAGE",
            {"source": report.format, "file": source_file, "locations": comp.locations[:5]},
        )
    for v in report.vulns:
        if not graph.has_node(v.purl):
            continue
        sev = assess(v.vectors, [(report.format, v.severity)] if v.severity else [])
        graph.add_node(
            v.id,
            "Vulnerability",
            v.id,
            severity=sev.level,
            cvss_score=sev.score,
            cvss_vector=sev.vector or None,
            severity_basis=sev.basis,
            fixed_versions=v.fixed or None,
            summary=v.title or None,
            aliases=v.aliases or None,
            cwes=v.cwes or None,
        )
        held = graph.node(v.id).get("reported_by", [])
        graph.set_prop(v.id, "reported_by", sorted({*held, report.format}))
        existing = graph.edge(v.purl, v.id, "AFFECTED_BY")
        reported = {report.format: {"fixed": v.fixed, "severity": v.severity, "file": source_file}}
        if existing is not None:
            existing["evidence"].setdefault("reported", {}).update(reported)
            continue
        graph.add_edge(
            v.purl, v.id, "AFFECTED_BY", {"sources": [report.format], "reported": reported}
        )
    models: dict[str, str] = {}
    for m in report.models:
        mid = m.purl or f"mlbom:{doc.scope}:{m.ref}"
        graph.add_node(
            mid,
            "MLBOMModel",
            m.name,
            model_name=m.name,
            model_version=m.version or None,
            publisher=m.publisher or None,
            model_card=m.model_card or None,
            description=m.description or None,
            source_file=source_file,
        )
        models[f"@model:{m.ref}"] = mid
    data: dict[str, str] = {}
    for d in report.datasets:
        did = f"mlbom:{doc.scope}:{d.ref}"
        graph.add_node(
            did,
            "MLBOMDataset",
            d.name,
            classification=d.classification or None,
            url=d.url or None,
            version=d.version or None,
            source_file=source_file,
        )
        data[f"@data:{d.ref}"] = did
    for m in report.models:
        for dref in m.datasets:
            ds_id = data.get(f"@data:{dref}")
            if ds_id:
                graph.add_edge(
                    models[f"@model:{m.ref}"],
                    ds_id,
                    "TRAINED_ON",
                    {"source": "modelCard.modelParameters.datasets"},
                )
    ids = {"@subject": sid, **models, **data}
    for src, dst in report.depends:
        a = ids.get(src, src)
        b = ids.get(dst, dst)
        if graph.has_node(a) and graph.has_node(b) and a != b:
            graph.add_edge(a, b, "DEPENDS_ON", {"source": "dependencies"})
    for mid in models.values():
        if not graph.predecessors(mid):
            graph.add_edge(sid, mid, "DEPENDS_ON", {"source": "components"})
    return sid


def make_transform(source: str) -> None:
    parser = PARSERS[source]

    @transform(source)
    def _run(docs: list[Document], graph: Graph, ctx: BuildContext) -> None:
        for doc in docs:
            body: Any = doc.body
            where = f"{source}:{doc.scope}"
            if not isinstance(body, dict) or "content" not in body:
                ctx.warn(f"{where}: stored document is not an import envelope; skipped")
                continue
            where = str(body.get("file") or where)
            try:
                report = parser(body["content"], where)
            except ReportError as exc:
                # Validated on import; a failure here means the snapshot was edited by hand.
                ctx.warn(f"skipped {source} document: {exc}")
                continue
            attach = [a for a in body.get("attach") or [] if isinstance(a, str)]
            add_report(graph, doc, report, attach, where)
            for note in report.notes[:20]:
                ctx.warn(f"{where}: {note}")
            ctx.stats[f"{source}_packages"] += len(report.packages)


for _source in PARSERS:
    make_transform(_source)


def document_scope(path: str) -> str:
    """A stable scope per imported file: re-importing the same file replaces it."""
    digest = hashlib.sha256(path.encode("utf-8")).hexdigest()[:10]
    base = path.replace("\\", "/").rsplit("/", 1)[-1]
    return f"{base}-{digest}"
