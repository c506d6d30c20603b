"""Grype JSON reports (``grype -o json``): ``matches[]`` of vulnerability + artifact.

The artifact's purl identifies the package; without one, its ``type`` (deb, rpm, apk,
python, npm, ...) and the report's ``distro`` build one. ``source.type == image`` makes the
subject an image, identified by its manifest digest (what registries and orchestrators show).
"""

from __future__ import annotations

from typing import Any

from aispm_graph.vulns.importers.base import (
    Component,
    ParsedReport,
    ReportedVuln,
    ReportError,
    Subject,
    canonical_purl,
    component_from_purl,
    dedupe_components,
    lst,
    obj,
    text,
)

ARTIFACT_TYPES = {
    "python": "pypi",
    "npm": "npm",
    "go-module": "golang",
    "rust-crate": "cargo",
    "java-archive": "maven",
    "gem": "gem",
    "dotnet": "nuget",
    "php-composer": "composer",
    "deb": "deb",
    "rpm": "rpm",
    "apk": "apk",
    "conda": "conda",
}


def looks_like(doc: Any) -> bool:
    return isinstance(doc, dict) and "matches" in doc and "descriptor" in doc


def parse(doc: Any, where: str) -> ParsedReport:
    root = obj(doc, where, "$")
    if "matches" not in root:
        raise ReportError(where, "matches", "is required (is this a Grype JSON report?)")
    source = obj(root.get("source") or {}, where, "source")
    distro_obj = obj(root.get("distro") or {}, where, "distro")
    dname = text(distro_obj.get("name"), where, "distro.name")
    dver = text(distro_obj.get("version"), where, "distro.version")
    distro = f"{dname}-{dver}" if dname and dver else ""
    if text(source.get("type"), where, "source.type") == "image":
        target = obj(source.get("target") or {}, where, "source.target")
        tags = [
            text(t, where, f"source.target.tags[{i}]")
            for i, t in enumerate(lst(target.get("tags"), where, "source.target.tags"))
        ]
        repo_digests = [
            text(t, where, f"source.target.repoDigests[{i}]")
            for i, t in enumerate(
                lst(target.get("repoDigests"), where, "source.target.repoDigests")
            )
        ]
        manifest = text(target.get("manifestDigest"), where, "source.target.manifestDigest")
        image_id = text(target.get("imageID"), where, "source.target.imageID")
        user = text(target.get("userInput"), where, "source.target.userInput")
        subject = Subject(
            kind="image",
            name=user or manifest or image_id or where,
            digest=manifest or image_id,
            uri=repo_digests[0] if repo_digests else user,
            tags=sorted({*tags, *repo_digests, *[x for x in (manifest, image_id) if x]}),
        )
    else:
        target_any = source.get("target")
        name = target_any if isinstance(target_any, str) else where
        subject = Subject(kind="software", name=text(name, where, "source.target") or where)
    report = ParsedReport(format="grype", subject=subject)
    packages: list[Component] = []
    for i, m in enumerate(lst(root.get("matches"), where, "matches", optional=False)):
        path = f"matches[{i}]"
        m = obj(m, where, path)
        vuln = obj(m.get("vulnerability"), where, f"{path}.vulnerability")
        art = obj(m.get("artifact"), where, f"{path}.artifact")
        comp = _component(art, distro, where, f"{path}.artifact")
        if comp is None:
            report.notes.append(f"{path}.artifact: no purl and unknown type")
            continue
        for loc in lst(art.get("locations"), where, f"{path}.artifact.locations"):
            if isinstance(loc, dict) and isinstance(loc.get("path"), str):
                comp.locations.append(loc["path"])
        packages.append(comp)
        vid = text(vuln.get("id"), where, f"{path}.vulnerability.id", required=True)
        vectors = []
        for ci, c in enumerate(lst(vuln.get("cvss"), where, f"{path}.vulnerability.cvss")):
            c = obj(c, where, f"{path}.vulnerability.cvss[{ci}]")
            vec = text(c.get("vector"), where, f"{path}.vulnerability.cvss[{ci}].vector")
            if vec.startswith("CVSS:") and vec not in vectors:
                vectors.append(vec)
        fix = obj(vuln.get("fix") or {}, where, f"{path}.vulnerability.fix")
        fixed = [
            text(f, where, f"{path}.vulnerability.fix.versions[{j}]")
            for j, f in enumerate(
                lst(fix.get("versions"), where, f"{path}.vulnerability.fix.versions")
            )
        ]
        related = [
            text(
                obj(r, where, f"{path}.relatedVulnerabilities[{j}]").get("id"),
                where,
                f"{path}.relatedVulnerabilities[{j}].id",
            )
            for j, r in enumerate(
                lst(m.get("relatedVulnerabilities"), where, f"{path}.relatedVulnerabilities")
            )
        ]
        report.vulns.append(
            ReportedVuln(
                id=vid,
                purl=comp.purl,
                severity=text(vuln.get("severity"), where, f"{path}.vulnerability.severity"),
                vectors=vectors,
                fixed=[f for f in fixed if f],
                title=text(vuln.get("description"), where, f"{path}.vulnerability.description")[
                    :300
                ],
                aliases=[r for r in related if r],
            )
        )
    report.packages = dedupe_components(packages)
    return report


def _component(art: Any, distro: str, where: str, path: str) -> Component | None:
    name = text(art.get("name"), where, f"{path}.name", required=True)
    version = text(art.get("version"), where, f"{path}.version")
    purl = text(art.get("purl"), where, f"{path}.purl")
    if purl:
        return component_from_purl(purl, where, f"{path}.purl", version)
    ptype = ARTIFACT_TYPES.get(text(art.get("type"), where, f"{path}.type").lower())
    if ptype is None:
        return None
    meta = art.get("metadata")
    if ptype == "rpm" and isinstance(meta, dict) and isinstance(meta.get("epoch"), int):
        version = f"{meta['epoch']}:{version}" if ":" not in version else version
    ns = distro.split("-", 1)[0] if ptype in {"deb", "rpm", "apk"} else ""
    return Component(canonical_purl(ptype, ns, name, version, distro), name, version, ptype)
