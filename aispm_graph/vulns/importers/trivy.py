"""Trivy JSON reports (``trivy image|fs|repo --format json``, SchemaVersion 2).

Packages come from ``Results[].Packages`` (present with ``--list-all-pkgs``) and from the
packages named by ``Results[].Vulnerabilities``; identities prefer the report's PURL and fall
back to the result ``Type`` (``pip``, ``debian``, ``redhat``, ...) mapped to a purl type, with
the OS family/version from ``Metadata.OS`` as the distro. A ``container_image`` artifact is an
image subject identified by ``Metadata.ImageID`` / ``RepoDigests``.
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

# Trivy result Type -> purl type
TYPE_TO_PURL = {
    **dict.fromkeys(["pip", "python-pkg", "pipenv", "poetry", "uv", "conda-environment"], "pypi"),
    **dict.fromkeys(["npm", "yarn", "pnpm", "node-pkg", "bun"], "npm"),
    **dict.fromkeys(["gomod", "gobinary"], "golang"),
    **dict.fromkeys(["cargo", "rust-binary"], "cargo"),
    **dict.fromkeys(["jar", "pom", "gradle", "sbt"], "maven"),
    **dict.fromkeys(["bundler", "gemspec"], "gem"),
    **dict.fromkeys(["nuget", "dotnet-core", "packages-props"], "nuget"),
    "composer": "composer",
    "conda-pkg": "conda",
    **dict.fromkeys(["debian", "ubuntu"], "deb"),
    **dict.fromkeys(
        [
            "redhat",
            "centos",
            "rocky",
            "alma",
            "amazon",
            "oracle",
            "fedora",
            "photon",
            "cbl-mariner",
            "azurelinux",
            "suse linux enterprise server",
            "opensuse.leap",
            "opensuse.tumbleweed",
        ],
        "rpm",
    ),
    **dict.fromkeys(["alpine", "wolfi", "chainguard"], "apk"),
}


def looks_like(doc: Any) -> bool:
    return isinstance(doc, dict) and "SchemaVersion" in doc and "Results" in doc


def parse(doc: Any, where: str) -> ParsedReport:
    root = obj(doc, where, "$")
    sv = root.get("SchemaVersion")
    if sv != 2:
        raise ReportError(where, "SchemaVersion", f"is {sv!r}; Trivy JSON SchemaVersion 2 is read")
    art_type = text(root.get("ArtifactType"), where, "ArtifactType")
    art_name = text(root.get("ArtifactName"), where, "ArtifactName") or where
    meta = obj(root.get("Metadata") or {}, where, "Metadata")
    os_info = obj(meta.get("OS") or {}, where, "Metadata.OS")
    os_family = text(os_info.get("Family"), where, "Metadata.OS.Family")
    os_name = text(os_info.get("Name"), where, "Metadata.OS.Name")
    distro = f"{os_family}-{os_name}" if os_family and os_name else ""
    if art_type == "container_image":
        digests = [
            text(d, where, f"Metadata.RepoDigests[{i}]")
            for i, d in enumerate(lst(meta.get("RepoDigests"), where, "Metadata.RepoDigests"))
        ]
        tags = [
            text(t, where, f"Metadata.RepoTags[{i}]")
            for i, t in enumerate(lst(meta.get("RepoTags"), where, "Metadata.RepoTags"))
        ]
        image_id = text(meta.get("ImageID"), where, "Metadata.ImageID")
        repo_digest = digests[0].split("@", 1)[1] if digests and "@" in digests[0] else ""
        subject = Subject(
            kind="image",
            name=text(meta.get("Reference"), where, "Metadata.Reference") or art_name,
            digest=repo_digest or image_id,
            uri=digests[0] if digests else (tags[0] if tags else art_name),
            tags=sorted({*tags, *digests, *([image_id] if image_id else [])}),
        )
    else:
        subject = Subject(kind="software", name=art_name)
    report = ParsedReport(format="trivy", subject=subject)
    packages: list[Component] = []
    for ri, res in enumerate(lst(root.get("Results"), where, "Results")):
        rpath = f"Results[{ri}]"
        res = obj(res, where, rpath)
        rtype = text(res.get("Type"), where, f"{rpath}.Type")
        ptype = TYPE_TO_PURL.get(rtype.lower())
        target = text(res.get("Target"), where, f"{rpath}.Target")
        for pi, pkg in enumerate(lst(res.get("Packages"), where, f"{rpath}.Packages")):
            ppath = f"{rpath}.Packages[{pi}]"
            pkg = obj(pkg, where, ppath)
            comp = _component(
                pkg, pkg.get("Identifier"), "Name", "Version", ptype, distro, where, ppath
            )
            if comp is None:
                report.notes.append(f"{ppath}: no purl and unknown result type {rtype!r}")
                continue
            comp.locations.append(target)
            packages.append(comp)
        for vi, v in enumerate(lst(res.get("Vulnerabilities"), where, f"{rpath}.Vulnerabilities")):
            vpath = f"{rpath}.Vulnerabilities[{vi}]"
            v = obj(v, where, vpath)
            vid = text(v.get("VulnerabilityID"), where, f"{vpath}.VulnerabilityID", required=True)
            comp = _component(
                v,
                v.get("PkgIdentifier"),
                "PkgName",
                "InstalledVersion",
                ptype,
                distro,
                where,
                vpath,
            )
            if comp is None:
                report.notes.append(f"{vpath}: no purl and unknown result type {rtype!r}")
                continue
            comp.locations.append(target)
            packages.append(comp)
            report.vulns.append(_vuln(v, vid, comp.purl, where, vpath))
    report.packages = dedupe_components(packages)
    return report


def _component(
    rec: Any,
    ident: Any,
    name_key: str,
    version_key: str,
    ptype: str | None,
    distro: str,
    where: str,
    path: str,
) -> Component | None:
    name = text(rec.get(name_key), where, f"{path}.{name_key}", required=True)
    version = text(rec.get(version_key), where, f"{path}.{version_key}")
    if ident is not None:
        ident = obj(ident, where, f"{path}.Identifier")
        purl = text(ident.get("PURL"), where, f"{path}.Identifier.PURL")
        if purl:
            return component_from_purl(purl, where, f"{path}.Identifier.PURL", version)
    if ptype is None:
        return None
    ns = distro.split("-", 1)[0] if ptype in {"deb", "rpm", "apk"} else ""
    return Component(canonical_purl(ptype, ns, name, version, distro), name, version, ptype)


def _vuln(v: Any, vid: str, purl: str, where: str, path: str) -> ReportedVuln:
    vectors: list[str] = []
    cvss = v.get("CVSS")
    if cvss is not None:
        for src, entry in obj(cvss, where, f"{path}.CVSS").items():
            entry = obj(entry, where, f"{path}.CVSS.{src}")
            for key in ("V40Vector", "V3Vector"):
                vec = text(entry.get(key), where, f"{path}.CVSS.{src}.{key}")
                if vec and vec not in vectors:
                    vectors.append(vec)
    fixed = text(v.get("FixedVersion"), where, f"{path}.FixedVersion")
    return ReportedVuln(
        id=vid,
        purl=purl,
        severity=text(v.get("Severity"), where, f"{path}.Severity"),
        vectors=vectors,
        fixed=[f.strip() for f in fixed.split(",") if f.strip()],
        title=text(v.get("Title"), where, f"{path}.Title")[:300],
        cwes=[
            text(c, where, f"{path}.CweIDs[{i}]")
            for i, c in enumerate(lst(v.get("CweIDs"), where, f"{path}.CweIDs"))
        ],
    )
