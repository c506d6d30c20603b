"""SPDX 2.3 JSON documents (``trivy --format spdx-json``, syft, GitHub dependency graph).

Packages with a ``purl`` external reference are packages; the package the document
``DESCRIBES`` is the subject, an image when its purpose is ``CONTAINER`` or its purl is
``pkg:oci``/``pkg:docker``.
"""

from __future__ import annotations

from typing import Any

from aispm_graph.vulns.importers.base import (
    Component,
    ParsedReport,
    ReportError,
    Subject,
    component_from_purl,
    dedupe_components,
    lst,
    obj,
    text,
)


def looks_like(doc: Any) -> bool:
    return isinstance(doc, dict) and str(doc.get("spdxVersion", "")).startswith("SPDX-")


def parse(doc: Any, where: str) -> ParsedReport:
    root = obj(doc, where, "$")
    version = text(root.get("spdxVersion"), where, "spdxVersion", required=True)
    if not version.startswith("SPDX-2."):
        raise ReportError(where, "spdxVersion", f"is {version!r}; SPDX 2.x JSON is read")
    described: set[str] = set()
    for i, ref in enumerate(lst(root.get("documentDescribes"), where, "documentDescribes")):
        described.add(text(ref, where, f"documentDescribes[{i}]"))
    relationships = lst(root.get("relationships"), where, "relationships")
    for i, rel in enumerate(relationships):
        rel = obj(rel, where, f"relationships[{i}]")
        if (
            text(rel.get("relationshipType"), where, f"relationships[{i}].relationshipType")
            == "DESCRIBES"
        ):
            described.add(
                text(rel.get("relatedSpdxElement"), where, f"relationships[{i}].relatedSpdxElement")
            )
    doc_name = text(root.get("name"), where, "name") or where
    subject = Subject(kind="software", name=doc_name)
    packages: list[Component] = []
    report = ParsedReport(format="spdx", subject=subject)
    for i, pkg in enumerate(lst(root.get("packages"), where, "packages")):
        path = f"packages[{i}]"
        pkg = obj(pkg, where, path)
        spdx_id = text(pkg.get("SPDXID"), where, f"{path}.SPDXID", required=True)
        name = text(pkg.get("name"), where, f"{path}.name", required=True)
        ver = text(pkg.get("versionInfo"), where, f"{path}.versionInfo")
        purpose = text(pkg.get("primaryPackagePurpose"), where, f"{path}.primaryPackagePurpose")
        purl = ""
        for j, ref in enumerate(lst(pkg.get("externalRefs"), where, f"{path}.externalRefs")):
            ref = obj(ref, where, f"{path}.externalRefs[{j}]")
            if (
                text(ref.get("referenceType"), where, f"{path}.externalRefs[{j}].referenceType")
                == "purl"
            ):
                purl = text(
                    ref.get("referenceLocator"),
                    where,
                    f"{path}.externalRefs[{j}].referenceLocator",
                    required=True,
                )
        if spdx_id in described:
            if purpose == "CONTAINER" or purl.startswith(("pkg:oci/", "pkg:docker/")):
                digest = ""
                for j, c in enumerate(lst(pkg.get("checksums"), where, f"{path}.checksums")):
                    c = obj(c, where, f"{path}.checksums[{j}]")
                    if (
                        text(c.get("algorithm"), where, f"{path}.checksums[{j}].algorithm")
                        == "SHA256"
                    ):
                        digest = "sha256:" + text(
                            c.get("checksumValue"), where, f"{path}.checksums[{j}].checksumValue"
                        )
                report.subject = Subject(
                    kind="image", name=name, digest=digest, uri=f"{name}:{ver}" if ver else name
                )
            else:
                report.subject = Subject(kind="software", name=name)
            continue
        if not purl:
            report.notes.append(f"{path} ({name}): no purl, not matched against advisories")
            continue
        packages.append(component_from_purl(purl, where, f"{path}.externalRefs", ver))
    report.packages = dedupe_components(packages)
    return report
