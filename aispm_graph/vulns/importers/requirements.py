"""Python dependency lists: requirements.txt / pip freeze output, poetry.lock, uv.lock.

Only exact pins (``name==version``) name an installed version, so only they are matched;
ranges (``torch>=2``) still count for shadow-AI detection, and are listed in the notes.
Options (``-r``, ``--hash``, ``-e``) are ignored; a line that is not a requirement is an error
naming the file and line, since a typo there would silently hide a package.
"""

from __future__ import annotations

from typing import Any

from packaging.requirements import InvalidRequirement, Requirement

from aispm_graph.safeload import InputError, loads_toml
from aispm_graph.vulns.importers.base import (
    Component,
    ParsedReport,
    ReportError,
    Subject,
    canonical_purl,
    dedupe_components,
    lst,
    obj,
    text,
)

FORMATS = ("requirements", "poetry.lock", "uv.lock")


def detect(filename: str) -> str:
    lower = filename.lower()
    if lower.endswith("poetry.lock"):
        return "poetry.lock"
    if lower.endswith("uv.lock"):
        return "uv.lock"
    return "requirements"


def parse(content: Any, where: str) -> ParsedReport:
    body = obj(content, where, "$")
    fmt = text(body.get("format"), where, "format", required=True)
    data = body.get("text")
    if not isinstance(data, str):
        raise ReportError(where, "text", "must be the file's text")
    name = text(body.get("filename"), where, "filename") or where
    report = ParsedReport(format=fmt, subject=Subject(kind="software", name=name))
    if fmt == "requirements":
        report.packages = _requirements(data, where, report)
    elif fmt in {"poetry.lock", "uv.lock"}:
        report.packages = _lock(data, where)
    else:
        raise ReportError(where, "format", f"unknown format {fmt!r}")
    return report


def _requirements(data: str, where: str, report: ParsedReport) -> list[Component]:
    out: list[Component] = []
    lines = data.splitlines()
    i = 0
    while i < len(lines):
        lineno = i + 1
        line = lines[i]
        while line.rstrip().endswith("\\") and i + 1 < len(lines):
            i += 1
            line = line.rstrip()[:-1] + " " + lines[i]
        i += 1
        line = line.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("-"):
            continue  # -r other.txt, -e ., --index-url, --hash continuation
        if " --" in line:
            line = line.split(" --", 1)[0].strip()  # per-line options (--hash=...)
        try:
            req = Requirement(line)
        except InvalidRequirement as exc:
            raise ReportError(where, f"line {lineno}", f"not a requirement ({exc})") from None
        pins = [s for s in req.specifier if s.operator in {"==", "==="} and "*" not in s.version]
        version = pins[0].version if pins else ""
        if req.url:
            report.notes.append(f"line {lineno}: {req.name} from a URL, version unknown")
        elif not version:
            report.notes.append(f"line {lineno}: {req.name} is not pinned, not matched")
        comp = Component(canonical_purl("pypi", "", req.name, version), req.name, version, "pypi")
        comp.locations.append(f"line {lineno}")
        out.append(comp)
    return dedupe_components(out)


def _lock(data: str, where: str) -> list[Component]:
    try:
        doc = loads_toml(data, where)
    except InputError as exc:
        raise ReportError(
            where, "$", f"not valid TOML ({str(exc).removeprefix(where + ': ')})"
        ) from None
    out = []
    for i, pkg in enumerate(lst(doc.get("package"), where, "package", optional=False)):
        pkg = obj(pkg, where, f"package[{i}]")
        name = text(pkg.get("name"), where, f"package[{i}].name", required=True)
        version = text(pkg.get("version"), where, f"package[{i}].version")
        src = pkg.get("source")
        if isinstance(src, dict) and ("editable" in src or "virtual" in src):
            continue  # the project itself, not an installed dependency
        out.append(Component(canonical_purl("pypi", "", name, version), name, version, "pypi"))
    return dedupe_components(out)
