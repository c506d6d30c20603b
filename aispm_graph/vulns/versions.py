"""Version ordering per ecosystem, as OSV ranges need it.

OSV ``ECOSYSTEM`` ranges are only meaningful with the ecosystem's own ordering: PEP 440 for
PyPI, dpkg's for Debian/Ubuntu, rpmvercmp for Red Hat-family distributions, apk's for Alpine and
SemVer for npm, crates.io, Go and friends. Each ordering here turns a version string into a key
that supports ``<`` / ``==``, so range evaluation is written once for all of them.

PyPI keys are the *public* version (the local label ``+cu118`` is dropped): PEP 440 defines a
local version as a downstream build of the same public release, so ``2.1.0+cu118`` is affected
exactly when ``2.1.0`` is. Pre-, post- and dev-releases and epochs keep their PEP 440 order, which
``packaging.version.Version`` implements (``SpecifierSet`` is deliberately not used: it excludes
pre-releases from ``<fixed`` unless asked, which would hide ``2.0.0rc1`` below a ``2.0.0`` fix).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cmp_to_key
from typing import Any

from packaging.version import InvalidVersion, Version

_PEP503 = re.compile(r"[-_.]+")


class UnparseableVersion(ValueError):
    """The version string is not valid in its ecosystem's scheme."""


def normalize_pypi_name(name: str) -> str:
    """PEP 503 normalised project name: ``Foo_Bar.baz`` and ``foo-bar-baz`` are one project."""
    return _PEP503.sub("-", name).lower()


def normalize_name(family: str, name: str) -> str:
    if family == "PyPI":
        return normalize_pypi_name(name)
    return name


PypiKey = tuple[int, tuple[int, ...], tuple[int, str, int], tuple[int, int], tuple[int, int]]


def pypi_key(version: str) -> PypiKey:
    """PEP 440 order as a plain tuple (compared in C: matching compares millions of times).

    Parsed by ``packaging.version.Version``; the tuple follows PEP 440's rules: trailing zero
    release components do not count (1.0 == 1.0.0); a dev release of a final sorts before its
    pre-releases; no pre-release sorts after any; no post sorts before any; no dev sorts after
    any. The local label is dropped (see the module docstring).
    """
    try:
        v = Version(version)
    except InvalidVersion:
        raise UnparseableVersion(f"{version!r} is not a PEP 440 version") from None
    release = list(v.release)
    while len(release) > 1 and release[-1] == 0:
        release.pop()
    if v.pre is None and v.post is None and v.dev is not None:
        pre = (-1, "", 0)
    elif v.pre is None:
        pre = (1, "", 0)
    else:
        pre = (0, v.pre[0], v.pre[1])
    post = (-1, 0) if v.post is None else (0, v.post)
    dev = (1, 0) if v.dev is None else (0, v.dev)
    return (v.epoch, tuple(release), pre, post, dev)


# --- dpkg ------------------------------------------------------------------------------------


def _dpkg_order(c: str) -> int:
    if c == "~":
        return -1
    if c.isdigit():
        return 0
    if c.isascii() and c.isalpha():
        return ord(c)
    return ord(c) + 256


def _dpkg_verrevcmp(a: str, b: str) -> int:
    i = j = 0
    while i < len(a) or j < len(b):
        first_diff = 0
        while (i < len(a) and not a[i].isdigit()) or (j < len(b) and not b[j].isdigit()):
            ac = _dpkg_order(a[i]) if i < len(a) else 0
            bc = _dpkg_order(b[j]) if j < len(b) else 0
            if ac != bc:
                return ac - bc
            i += 1
            j += 1
        while i < len(a) and a[i] == "0":
            i += 1
        while j < len(b) and b[j] == "0":
            j += 1
        while i < len(a) and a[i].isdigit() and j < len(b) and b[j].isdigit():
            if not first_diff:
                first_diff = ord(a[i]) - ord(b[j])
            i += 1
            j += 1
        if i < len(a) and a[i].isdigit():
            return 1
        if j < len(b) and b[j].isdigit():
            return -1
        if first_diff:
            return first_diff
    return 0


def _split_deb(v: str) -> tuple[int, str, str]:
    epoch = 0
    if ":" in v:
        e, v = v.split(":", 1)
        if not e.isdigit():
            raise UnparseableVersion(f"{v!r}: epoch is not a number")
        epoch = int(e)
    upstream, _, revision = v.rpartition("-") if "-" in v else (v, "", "")
    if not upstream or not upstream[0].isdigit():
        raise UnparseableVersion(f"{v!r} is not a Debian version")
    return epoch, upstream, revision


def dpkg_compare(a: str, b: str) -> int:
    ea, ua, ra = _split_deb(a)
    eb, ub, rb = _split_deb(b)
    if ea != eb:
        return -1 if ea < eb else 1
    c = _dpkg_verrevcmp(ua, ub)
    if c:
        return -1 if c < 0 else 1
    c = _dpkg_verrevcmp(ra, rb)
    return 0 if c == 0 else (-1 if c < 0 else 1)


# --- rpm -------------------------------------------------------------------------------------


def _is_digit(c: str) -> bool:
    return "0" <= c <= "9"


def _is_alpha(c: str) -> bool:
    return ("a" <= c <= "z") or ("A" <= c <= "Z")


def rpmvercmp(a: str, b: str) -> int:
    """rpm's segment comparison: digits beat letters, ``~`` sorts first, ``^`` just after."""
    if a == b:
        return 0
    i = j = 0
    while i < len(a) or j < len(b):
        while i < len(a) and not (_is_digit(a[i]) or _is_alpha(a[i])) and a[i] not in "~^":
            i += 1
        while j < len(b) and not (_is_digit(b[j]) or _is_alpha(b[j])) and b[j] not in "~^":
            j += 1
        at = i < len(a) and a[i] == "~"
        bt = j < len(b) and b[j] == "~"
        if at or bt:
            if not at:
                return 1
            if not bt:
                return -1
            i += 1
            j += 1
            continue
        ac = i < len(a) and a[i] == "^"
        bc = j < len(b) and b[j] == "^"
        if ac or bc:
            if i >= len(a):
                return -1
            if j >= len(b):
                return 1
            if not ac:
                return 1
            if not bc:
                return -1
            i += 1
            j += 1
            continue
        if i >= len(a) or j >= len(b):
            break
        pred = _is_digit if _is_digit(a[i]) else _is_alpha
        si, sj = i, j
        while i < len(a) and pred(a[i]):
            i += 1
        while j < len(b) and pred(b[j]):
            j += 1
        sa, sb = a[si:i], b[sj:j]
        if not sb:
            return 1 if pred is _is_digit else -1
        if pred is _is_digit:
            sa, sb = sa.lstrip("0"), sb.lstrip("0")
            if len(sa) != len(sb):
                return 1 if len(sa) > len(sb) else -1
        if sa != sb:
            return 1 if sa > sb else -1
    if i >= len(a) and j >= len(b):
        return 0
    return -1 if i >= len(a) else 1


def _split_rpm(v: str) -> tuple[int, str, str]:
    epoch = 0
    if ":" in v:
        e, v = v.split(":", 1)
        if not e.isdigit():
            raise UnparseableVersion(f"{v!r}: epoch is not a number")
        epoch = int(e)
    version, _, release = v.partition("-")
    if not version:
        raise UnparseableVersion(f"{v!r} is not an RPM version")
    return epoch, version, release


def rpm_compare(a: str, b: str) -> int:
    ea, va, ra = _split_rpm(a)
    eb, vb, rb = _split_rpm(b)
    if ea != eb:
        return -1 if ea < eb else 1
    c = rpmvercmp(va, vb)
    if c or not (ra and rb):
        return c
    return rpmvercmp(ra, rb)


# --- apk -------------------------------------------------------------------------------------

_APK = re.compile(
    r"^(?P<nums>\d+(?:\.\d+)*)(?P<letter>[a-z]?)(?P<suffixes>(?:_(?:alpha|beta|pre|rc|cvs|svn|git|hg|p)\d*)*)"
    r"(?:-r(?P<rel>\d+))?$"
)
_APK_SUFFIX = {
    "alpha": -4,
    "beta": -3,
    "pre": -2,
    "rc": -1,
    "cvs": 1,
    "svn": 2,
    "git": 3,
    "hg": 4,
    "p": 5,
}


def apk_key(v: str) -> tuple[Any, ...]:
    """Alpine ordering: numbers, optional letter, suffixes (_rc < release < _p), then -rN."""
    m = _APK.match(v)
    if not m:
        raise UnparseableVersion(f"{v!r} is not an Alpine version")
    nums = tuple(int(x) for x in m["nums"].split("."))
    suffixes = tuple(
        (_APK_SUFFIX[s.rstrip("0123456789")], int(s[len(s.rstrip("0123456789")) :] or 0))
        for s in m["suffixes"].split("_")[1:]
    )
    return (nums, m["letter"] or "", (*suffixes, (0, 0)), int(m["rel"] or 0))


# --- semver / generic -------------------------------------------------------------------------

_SEMVER = re.compile(
    r"^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$"
)


def semver_key(v: str) -> tuple[Any, ...]:
    """SemVer 2 precedence: a pre-release sorts below its release; build metadata is ignored."""
    m = _SEMVER.match(v.strip())
    if not m:
        raise UnparseableVersion(f"{v!r} is not a SemVer version")
    core = tuple(int(x or 0) for x in m.group(1, 2, 3))
    pre = m.group(4)
    if pre is None:
        return (core, 1, ())
    ids = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in pre.split("."))
    return (core, 0, ids)


def generic_key(v: str) -> tuple[Any, ...]:
    """Best effort for ecosystems without a dedicated ordering: numeric runs compare as numbers."""
    parts = re.findall(r"\d+|[A-Za-z]+", v)
    if not parts:
        raise UnparseableVersion(f"{v!r} has no comparable parts")
    return tuple((0, int(p), "") if p.isdigit() else (-1, 0, p.lower()) for p in parts)


KeyFn = Callable[[str], Any]
_DPKG_KEY = cmp_to_key(dpkg_compare)
_RPM_KEY = cmp_to_key(rpm_compare)


def deb_key(v: str) -> Any:
    """Validated eagerly: a comparison key must not fail later in the middle of a sort."""
    _split_deb(v)
    return _DPKG_KEY(v)


def rpm_key(v: str) -> Any:
    _split_rpm(v)
    return _RPM_KEY(v)


_DEB_FAMILIES = {"Debian", "Ubuntu"}
_RPM_FAMILIES = {
    "Red Hat",
    "AlmaLinux",
    "Rocky Linux",
    "openSUSE",
    "SUSE",
    "Mageia",
    "openEuler",
    "CentOS",
    "Oracle Linux",
    "Photon OS",
    "Azure Linux",
}
_SEMVER_FAMILIES = {"npm", "crates.io", "Go", "Hex", "Pub", "NuGet", "SwiftURL", "Packagist"}


def key_function(family: str, range_type: str = "ECOSYSTEM") -> KeyFn:
    """The ordering for an ecosystem family (``Debian`` for ``Debian:12``)."""
    if range_type == "SEMVER":
        return semver_key
    if family == "PyPI":
        return pypi_key
    if family in _DEB_FAMILIES:
        return deb_key
    if family in _RPM_FAMILIES:
        return rpm_key
    if family in {"Alpine", "Wolfi", "Chainguard"}:
        return apk_key
    if family in _SEMVER_FAMILIES:
        return _semver_or_generic
    return generic_key


def _semver_or_generic(v: str) -> tuple[Any, ...]:
    try:
        return (1, semver_key(v))
    except UnparseableVersion:
        return (0, generic_key(v))
