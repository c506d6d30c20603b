"""What every importer produces, and the strict checks they share.

An importer reads one scanner report or SBOM into a :class:`ParsedReport`. The same parse runs
twice: on ``aispm import`` to refuse a bad file before anything is written (the error names the
file and the field), and in the build transform to turn the stored raw document into nodes.
Keeping one parser for both means an accepted file always builds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from aispm_graph.vulns.matching import parse_purl
from aispm_graph.vulns.versions import normalize_pypi_name

MAX_NAME = 1024
MAX_ITEMS = 500_000


class ReportError(ValueError):
    """A report is malformed: ``where`` is the file and record, ``field`` the JSON path."""

    def __init__(self, where: str, field: str, message: str) -> None:
        super().__init__(f"{where}: {field}: {message}")
        self.where = where
        self.field = field


@dataclass
class Component:
    """An installed package, identified by a canonical purl."""

    purl: str
    name: str
    version: str
    ptype: str
    locations: list[str] = field(default_factory=list)


@dataclass
class ReportedVuln:
    """An advisory a scanner reported against a package (kept next to our own matching)."""

    id: str
    purl: str
    severity: str = ""
    vectors: list[str] = field(default_factory=list)
    fixed: list[str] = field(default_factory=list)
    title: str = ""
    cwes: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)


@dataclass
class ModelComponent:
    ref: str
    name: str
    version: str = ""
    publisher: str = ""
    description: str = ""
    purl: str = ""
    model_card: dict[str, Any] = field(default_factory=dict)
    datasets: list[str] = field(default_factory=list)


@dataclass
class DataComponent:
    ref: str
    name: str
    version: str = ""
    classification: str = ""
    url: str = ""
    description: str = ""


@dataclass
class Subject:
    """What the report describes: a container image, or software (repository, file system)."""

    kind: str  # "image" | "software"
    name: str
    digest: str = ""
    uri: str = ""
    tags: list[str] = field(default_factory=list)


@dataclass
class ParsedReport:
    format: str
    subject: Subject
    packages: list[Component] = field(default_factory=list)
    vulns: list[ReportedVuln] = field(default_factory=list)
    models: list[ModelComponent] = field(default_factory=list)
    datasets: list[DataComponent] = field(default_factory=list)
    depends: list[tuple[str, str]] = field(default_factory=list)  # (from purl/ref, to purl/ref)
    notes: list[str] = field(default_factory=list)


# --- strict field access ----------------------------------------------------------------------


def obj(value: Any, where: str, path: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise ReportError(where, path, f"must be an object, not {type(value).__name__}")
    return value


def lst(value: Any, where: str, path: str, optional: bool = True) -> list[Any]:
    if value is None and optional:
        return []
    if not isinstance(value, list):
        raise ReportError(where, path, f"must be a list, not {type(value).__name__}")
    if len(value) > MAX_ITEMS:
        raise ReportError(where, path, f"has more than {MAX_ITEMS} entries")
    return value


def text(value: Any, where: str, path: str, required: bool = False) -> str:
    """A string field; numbers are accepted as their text (some tools write versions as such)."""
    if value is None or value == "":
        if required:
            raise ReportError(where, path, "is required")
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ReportError(where, path, f"must be a string, not {type(value).__name__}")
    s = str(value)
    if len(s) > MAX_NAME:
        raise ReportError(where, path, f"is longer than {MAX_NAME} characters")
    if any(ord(c) < 32 for c in s):
        raise ReportError(where, path, "contains control characters")
    return s


# --- package identity -------------------------------------------------------------------------

OS_TYPES = {"deb", "rpm", "apk"}


def canonical_purl(ptype: str, namespace: str, name: str, version: str, distro: str = "") -> str:
    """One spelling per package so two reports of the same package meet in one node.

    PyPI names are PEP 503-normalised; of the qualifiers only ``distro`` is kept (it decides
    which OS advisories apply); ``arch`` and friends are dropped.
    """
    ptype = ptype.lower()
    if ptype == "pypi":
        name = normalize_pypi_name(name)
        namespace = ""
    ns = "/".join(quote(p, safe="") for p in namespace.split("/") if p)
    out = f"pkg:{ptype}/{ns + '/' if ns else ''}{quote(name, safe='')}"
    if version:
        out += f"@{quote(version, safe='.:~^-_!')}"
    if ptype in OS_TYPES and distro:
        out += f"?distro={quote(distro, safe='.-_')}"
    return out


def component_from_purl(purl: str, where: str, path: str, version: str = "") -> Component:
    try:
        ptype, ns, name, pver, qual = parse_purl(purl)
    except ValueError as exc:
        raise ReportError(where, path, str(exc)) from None
    v = version or pver
    distro = qual.get("distro", "")
    if ptype == "rpm" and qual.get("epoch") and ":" not in v:
        v = f"{qual['epoch']}:{v}"
    return Component(canonical_purl(ptype, ns, name, v, distro), name, v, ptype)


def dedupe_components(items: list[Component]) -> list[Component]:
    seen: dict[str, Component] = {}
    for c in items:
        if c.purl in seen:
            seen[c.purl].locations.extend(x for x in c.locations if x not in seen[c.purl].locations)
        else:
            seen[c.purl] = c
    return list(seen.values())
