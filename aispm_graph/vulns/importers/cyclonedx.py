"""CycloneDX JSON SBOMs, 1.4 to 1.7, including ML-BOMs.

Library / framework / OS / application components with a purl become packages; components of
type ``machine-learning-model`` become models (their ``modelCard`` kept), ``data`` components
become datasets, and ``dependencies`` are kept as edges. ``metadata.component`` is the subject:
a ``container`` component is an image. Embedded ``vulnerabilities`` (VEX/VDR) are kept as
reported advisories.
"""

from __future__ import annotations

from typing import Any

from aispm_graph.vulns.importers.base import (
    Component,
    DataComponent,
    ModelComponent,
    ParsedReport,
    ReportedVuln,
    ReportError,
    Subject,
    component_from_purl,
    dedupe_components,
    lst,
    obj,
    text,
)

SPEC_VERSIONS = {"1.4", "1.5", "1.6", "1.7"}
MAX_DEPTH = 32
PACKAGE_TYPES = {
    "library",
    "framework",
    "operating-system",
    "application",
    "container",
    "platform",
    "device-driver",
    "firmware",
    "file",
}


def looks_like(doc: Any) -> bool:
    return isinstance(doc, dict) and doc.get("bomFormat") == "CycloneDX"


def parse(doc: Any, where: str) -> ParsedReport:
    root = obj(doc, where, "$")
    if root.get("bomFormat") != "CycloneDX":
        raise ReportError(where, "bomFormat", "must be 'CycloneDX'")
    spec = text(root.get("specVersion"), where, "specVersion", required=True)
    if spec not in SPEC_VERSIONS:
        raise ReportError(
            where, "specVersion", f"is {spec!r}; supported: {', '.join(sorted(SPEC_VERSIONS))}"
        )
    meta = obj(root.get("metadata") or {}, where, "metadata")
    mc = meta.get("component")
    subject = Subject(kind="software", name=where)
    subject_ref = ""
    if mc is not None:
        mc = obj(mc, where, "metadata.component")
        name = text(mc.get("name"), where, "metadata.component.name", required=True)
        subject_ref = text(mc.get("bom-ref"), where, "metadata.component.bom-ref")
        ctype = text(mc.get("type"), where, "metadata.component.type")
        version = text(mc.get("version"), where, "metadata.component.version")
        if ctype == "container":
            digest = _sha256(mc, where, "metadata.component")
            subject = Subject(
                kind="image", name=name, digest=digest, uri=f"{name}:{version}" if version else name
            )
        else:
            subject = Subject(kind="software", name=f"{name} {version}".strip())
    report = ParsedReport(format="cyclonedx", subject=subject)
    ref_to_id: dict[str, str] = {}
    if subject_ref:
        ref_to_id[subject_ref] = "@subject"
    packages: list[Component] = []
    _walk(
        lst(root.get("components"), where, "components"),
        where,
        "components",
        0,
        report,
        packages,
        ref_to_id,
    )
    report.packages = dedupe_components(packages)
    for i, dep in enumerate(lst(root.get("dependencies"), where, "dependencies")):
        dep = obj(dep, where, f"dependencies[{i}]")
        src = text(dep.get("ref"), where, f"dependencies[{i}].ref", required=True)
        for j, dst in enumerate(lst(dep.get("dependsOn"), where, f"dependencies[{i}].dependsOn")):
            dst_s = text(dst, where, f"dependencies[{i}].dependsOn[{j}]", required=True)
            if src in ref_to_id and dst_s in ref_to_id:
                report.depends.append((ref_to_id[src], ref_to_id[dst_s]))
    for i, v in enumerate(lst(root.get("vulnerabilities"), where, "vulnerabilities")):
        path = f"vulnerabilities[{i}]"
        v = obj(v, where, path)
        vid = text(v.get("id"), where, f"{path}.id", required=True)
        vectors, label = [], ""
        for ri, r in enumerate(lst(v.get("ratings"), where, f"{path}.ratings")):
            r = obj(r, where, f"{path}.ratings[{ri}]")
            vec = text(r.get("vector"), where, f"{path}.ratings[{ri}].vector")
            if vec.startswith("CVSS:"):
                vectors.append(vec)
            label = label or text(r.get("severity"), where, f"{path}.ratings[{ri}].severity")
        cwes = [
            f"CWE-{text(c, where, f'{path}.cwes[{ci}]')}"
            for ci, c in enumerate(lst(v.get("cwes"), where, f"{path}.cwes"))
        ]
        for ai, a in enumerate(lst(v.get("affects"), where, f"{path}.affects")):
            a = obj(a, where, f"{path}.affects[{ai}]")
            ref = text(a.get("ref"), where, f"{path}.affects[{ai}].ref", required=True)
            target = ref_to_id.get(ref)
            if target and target.startswith("pkg:"):
                report.vulns.append(
                    ReportedVuln(id=vid, purl=target, severity=label, vectors=vectors, cwes=cwes)
                )
    return report


def _sha256(comp: Any, where: str, path: str) -> str:
    for i, h in enumerate(lst(comp.get("hashes"), where, f"{path}.hashes")):
        h = obj(h, where, f"{path}.hashes[{i}]")
        if text(h.get("alg"), where, f"{path}.hashes[{i}].alg") == "SHA-256":
            return "sha256:" + text(h.get("content"), where, f"{path}.hashes[{i}].content")
    return ""


def _walk(
    items: list[Any],
    where: str,
    path: str,
    depth: int,
    report: ParsedReport,
    packages: list[Component],
    ref_to_id: dict[str, str],
) -> None:
    if depth > MAX_DEPTH:
        raise ReportError(where, path, f"components nest deeper than {MAX_DEPTH} levels")
    for i, c in enumerate(items):
        cpath = f"{path}[{i}]"
        c = obj(c, where, cpath)
        ctype = text(c.get("type"), where, f"{cpath}.type", required=True)
        name = text(c.get("name"), where, f"{cpath}.name", required=True)
        version = text(c.get("version"), where, f"{cpath}.version")
        ref = text(c.get("bom-ref"), where, f"{cpath}.bom-ref")
        purl = text(c.get("purl"), where, f"{cpath}.purl")
        if ctype == "machine-learning-model":
            card = c.get("modelCard")
            card = dict(obj(card, where, f"{cpath}.modelCard")) if card is not None else {}
            params = obj(
                card.get("modelParameters") or {}, where, f"{cpath}.modelCard.modelParameters"
            )
            datasets = []
            for di, d in enumerate(
                lst(params.get("datasets"), where, f"{cpath}.modelCard.modelParameters.datasets")
            ):
                d = obj(d, where, f"{cpath}.modelCard.modelParameters.datasets[{di}]")
                dref = text(
                    d.get("ref"), where, f"{cpath}.modelCard.modelParameters.datasets[{di}].ref"
                )
                if dref:
                    datasets.append(dref)
            mref = ref or f"model:{name}@{version}"
            report.models.append(
                ModelComponent(
                    ref=mref,
                    name=name,
                    version=version,
                    publisher=text(c.get("publisher"), where, f"{cpath}.publisher"),
                    description=text(c.get("description"), where, f"{cpath}.description")[:500]
                    if isinstance(c.get("description"), str) and len(c["description"]) <= 1024
                    else "",
                    purl=purl,
                    model_card=card,
                    datasets=datasets,
                )
            )
            ref_to_id[mref] = f"@model:{mref}"
        elif ctype == "data":
            url = ""
            classification = ""
            for di, d in enumerate(lst(c.get("data"), where, f"{cpath}.data")):
                d = obj(d, where, f"{cpath}.data[{di}]")
                classification = classification or text(
                    d.get("classification"), where, f"{cpath}.data[{di}].classification"
                )
                contents = obj(d.get("contents") or {}, where, f"{cpath}.data[{di}].contents")
                url = url or text(contents.get("url"), where, f"{cpath}.data[{di}].contents.url")
            dref = ref or f"data:{name}@{version}"
            report.datasets.append(
                DataComponent(
                    ref=dref, name=name, version=version, classification=classification, url=url
                )
            )
            ref_to_id[dref] = f"@data:{dref}"
        elif purl and ctype in PACKAGE_TYPES:
            comp = component_from_purl(purl, where, f"{cpath}.purl", version)
            packages.append(comp)
            if ref:
                ref_to_id[ref] = comp.purl
        elif ctype in PACKAGE_TYPES and ctype != "container":
            report.notes.append(f"{cpath} ({name}): no purl, not matched against advisories")
        _walk(
            lst(c.get("components"), where, f"{cpath}.components"),
            where,
            f"{cpath}.components",
            depth + 1,
            report,
            packages,
            ref_to_id,
        )
