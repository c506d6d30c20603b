"""Is this package version affected by that OSV record? Range evaluation per the OSV schema.

An ``affected`` entry is compiled once (events parsed with the ecosystem's ordering and sorted)
and then answers any number of versions. A version is affected when it is in the explicit
``versions`` list or inside any ``ECOSYSTEM`` / ``SEMVER`` range: walking the sorted events,
``introduced`` opens the range, ``fixed`` closes it at that version, ``last_affected`` closes it
just after, and any ``limit`` caps the whole range. ``GIT`` ranges name commits, which installed
packages do not carry, so they are skipped and counted rather than guessed at.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from aispm_graph.vulns.versions import (
    UnparseableVersion,
    key_function,
    normalize_name,
)

# purl type (and namespace for OS packages) -> OSV ecosystem family.
PURL_ECOSYSTEMS: dict[str, str] = {
    "pypi": "PyPI",
    "npm": "npm",
    "maven": "Maven",
    "golang": "Go",
    "cargo": "crates.io",
    "gem": "RubyGems",
    "nuget": "NuGet",
    "composer": "Packagist",
    "hex": "Hex",
    "pub": "Pub",
    "swift": "SwiftURL",
    "cran": "CRAN",
    "hackage": "Hackage",
}
OS_NAMESPACES: dict[str, str] = {
    "debian": "Debian",
    "ubuntu": "Ubuntu",
    "redhat": "Red Hat",
    "rhel": "Red Hat",
    "centos": "Red Hat",
    "almalinux": "AlmaLinux",
    "alma": "AlmaLinux",
    "rocky": "Rocky Linux",
    "opensuse": "openSUSE",
    "suse": "SUSE",
    "sles": "SUSE",
    "alpine": "Alpine",
    "wolfi": "Wolfi",
    "chainguard": "Chainguard",
}


@dataclass(frozen=True)
class PackageRef:
    """A package as matching sees it: ecosystem family, normalised name, version, OS release."""

    family: str
    name: str
    version: str
    release: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return (self.family, self.name)


def split_ecosystem(ecosystem: str) -> tuple[str, str]:
    """``Debian:12`` -> (``Debian``, ``12``); ``Ubuntu:22.04:LTS`` -> (``Ubuntu``, ``22.04``)."""
    parts = ecosystem.split(":")
    return parts[0], parts[1] if len(parts) > 1 else ""


def parse_purl(purl: str) -> tuple[str, str, str, str, dict[str, str]]:
    """(type, namespace, name, version, qualifiers) of a purl; ValueError names what is wrong."""
    if not purl.startswith("pkg:"):
        raise ValueError(f"{purl!r} is not a purl (must start with 'pkg:')")
    rest = purl[4:].split("#", 1)[0]
    rest, _, query = rest.partition("?")
    qualifiers: dict[str, str] = {}
    for part in query.split("&") if query else []:
        k, _, v = part.partition("=")
        if k:
            qualifiers[k.lower()] = unquote(v)
    rest = rest.strip("/")
    if "/" not in rest:
        raise ValueError(f"{purl!r} has no package type")
    ptype, _, path = rest.partition("/")
    path, _, version = path.rpartition("@") if "@" in path else (path, "", "")
    segments = [unquote(s) for s in path.split("/") if s]
    if not segments or not ptype:
        raise ValueError(f"{purl!r} has no package name")
    name = segments[-1]
    namespace = "/".join(segments[:-1])
    return ptype.lower(), namespace, name, unquote(version), qualifiers


def package_ref_from_purl(purl: str, version: str = "") -> PackageRef | None:
    """The matchable identity of a purl, or None when no OSV ecosystem covers its type."""
    ptype, namespace, name, pversion, qualifiers = parse_purl(purl)
    version = version or pversion
    release = ""
    if ptype in {"deb", "rpm", "apk"}:
        family = OS_NAMESPACES.get(namespace.lower())
        distro = qualifiers.get("distro", "")
        if family is None and distro:
            family = OS_NAMESPACES.get(distro.split("-")[0].lower())
        if family is None:
            return None
        # distro=debian-12 / ubuntu-22.04 / redhat-7.7 / alpine-3.18.4
        if "-" in distro:
            release = distro.split("-", 1)[1]
        if ptype == "rpm" and qualifiers.get("epoch") and ":" not in version:
            version = f"{qualifiers['epoch']}:{version}"
    else:
        family_opt = PURL_ECOSYSTEMS.get(ptype)
        if family_opt is None:
            return None
        family = family_opt
        if ptype == "maven" and namespace:
            name = f"{namespace}:{name}"
        elif ptype in {"golang", "npm", "swift"} and namespace:
            name = f"{namespace}/{name}"
    return PackageRef(family, normalize_name(family, name), version, release)


def release_matches(record_release: str, package_release: str) -> bool:
    """An OS record for ``Debian:12`` applies to a package from ``debian-12``; no release on
    either side means the record applies to every release of that distribution."""
    if not record_release or not package_release:
        return True
    r = record_release.lstrip("v")
    p = package_release.lstrip("v")
    return p == r or p.startswith(r + ".") or r.startswith(p + ".")


@dataclass
class CompiledRange:
    events: list[tuple[Any, int, str]]  # (key, rank, raw) rank: 0 introduced, 1 fixed, 2 last
    limits: list[Any]
    introduced_zero: bool

    def contains(self, key: Any) -> bool:
        if self.limits and not any(key < lim for lim in self.limits):
            return False
        affected = self.introduced_zero
        for ekey, rank, _raw in self.events:  # sorted: once past the version, nothing changes
            if key < ekey:
                break
            if rank == 0:
                if key >= ekey:
                    affected = True
            elif rank == 1:
                if key >= ekey:
                    affected = False
            elif key > ekey:
                affected = False
        return affected

    def next_fix(self, key: Any) -> str | None:
        for k, rank, raw in self.events:  # sorted ascending
            if rank == 1 and k > key:
                return raw
        return None


@dataclass
class CompiledAffected:
    """One ``affected`` entry of one advisory, ready to answer version questions."""

    advisory_id: str
    family: str
    release: str
    ranges: list[CompiledRange] = field(default_factory=list)
    version_keys: set[Any] = field(default_factory=set)
    unhashable_keys: list[Any] = field(default_factory=list)
    _pending_versions: list[str] = field(default_factory=list)
    raw_versions: set[str] = field(default_factory=set)
    fixed: list[str] = field(default_factory=list)
    git_ranges_skipped: int = 0
    bad_ranges: list[str] = field(default_factory=list)

    def affects(self, version: str, release: str = "") -> tuple[bool, str | None]:
        """(affected, the first fixed version above it if one is known)."""
        return self.affects_key(self._key(version), version, release)

    def affects_key(self, key: Any, version: str, release: str = "") -> tuple[bool, str | None]:
        """As :meth:`affects` with the version already parsed (``None`` if it did not parse):
        matching one package against hundreds of records parses its version once."""
        if not release_matches(self.release, release):
            return False, None
        if key is not None:
            for r in self.ranges:
                if r.contains(key):
                    return True, r.next_fix(key)
        if version in self.raw_versions:
            return True, self._next_fix(key) if key is not None else None
        if key is None:
            return False, None
        if self._listed(key):
            return True, self._next_fix(key)
        return False, None

    def _listed(self, key: Any) -> bool:
        """Is the version in ``versions`` under another spelling (``1.0`` for ``1.0.0``)?

        Parsing the list is deferred to the first question and skipped when the entry has
        evaluable ranges: osv.dev enumerates that list from those very ranges, so the exact
        string test in :meth:`affects_key` plus the ranges already cover it, and the bundled
        database alone lists 47,000 versions."""
        if self.ranges:
            return False
        if self._pending_versions:
            fn = key_function(self.family)
            for raw in self._pending_versions:
                try:
                    k = fn(raw)
                except UnparseableVersion:
                    continue
                try:
                    self.version_keys.add(k)
                except TypeError:
                    self.unhashable_keys.append(k)
            self._pending_versions = []
        try:
            if key in self.version_keys:
                return True
        except TypeError:
            pass
        return any(key == k for k in self.unhashable_keys)

    def _key(self, version: str) -> Any:
        try:
            return key_function(self.family)(version)
        except UnparseableVersion:
            return None

    def _next_fix(self, key: Any) -> str | None:
        fixes = [
            (k, raw) for r in self.ranges for k, rank, raw in r.events if rank == 1 and k > key
        ]
        return min(fixes, key=lambda f: f[0])[1] if fixes else None


def compile_affected(advisory_id: str, ecosystem: str, entry: dict[str, Any]) -> CompiledAffected:
    """Parse one ``affected`` entry; bad events are kept as notes, never raised mid-build."""
    family, release = split_ecosystem(ecosystem)
    out = CompiledAffected(advisory_id=advisory_id, family=family, release=release)
    for rng in entry.get("ranges") or []:
        rtype = str(rng.get("type", ""))
        if rtype == "GIT":
            out.git_ranges_skipped += 1
            continue
        if rtype not in {"ECOSYSTEM", "SEMVER"}:
            out.bad_ranges.append(f"unknown range type {rtype!r}")
            continue
        fn = key_function(family, rtype)
        events: list[tuple[Any, int, str]] = []
        limits: list[Any] = []
        zero = False
        try:
            for ev in rng.get("events") or []:
                if "introduced" in ev:
                    raw = str(ev["introduced"])
                    if raw == "0":
                        zero = True
                    else:
                        events.append((fn(raw), 0, raw))
                elif "fixed" in ev:
                    raw = str(ev["fixed"])
                    events.append((fn(raw), 1, raw))
                    out.fixed.append(raw)
                elif "last_affected" in ev:
                    raw = str(ev["last_affected"])
                    events.append((fn(raw), 2, raw))
                elif "limit" in ev:
                    raw = str(ev["limit"])
                    if raw != "*":
                        limits.append(fn(raw))
        except UnparseableVersion as exc:
            out.bad_ranges.append(str(exc))
            continue
        events.sort(key=lambda e: (e[0], e[1]))
        out.ranges.append(CompiledRange(events, limits, zero))
    out.raw_versions = {str(v) for v in entry.get("versions") or []}
    out._pending_versions = sorted(out.raw_versions)
    return out
