"""What package (and which version) a stdio server's command runs.

Launchers fetch code at start: ``npx``/``bunx``/``pnpm dlx`` from npm, ``uvx``/``pipx run``
from PyPI, ``docker run`` from a registry. A server started from an unpinned package runs
whatever its publisher released last, descriptions included (a "rug pull" needs no change
on the user's side), so the pin is a security fact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePath

EXACT_SEMVER = re.compile(r"^v?\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?$")
DOCKER_VALUE_FLAGS = frozenset(
    {
        "-e",
        "--env",
        "--env-file",
        "-v",
        "--volume",
        "--name",
        "-p",
        "--publish",
        "--network",
        "--net",
        "-w",
        "--workdir",
        "-u",
        "--user",
        "--mount",
        "--entrypoint",
        "-l",
        "--label",
        "--platform",
        "--pull",
        "-m",
        "--memory",
        "--cpus",
        "--add-host",
        "-h",
        "--hostname",
    }
)


@dataclass(frozen=True)
class PackageRef:
    ecosystem: str  # npm, pypi, oci
    name: str
    version: str | None
    pinned: bool


def _npm(spec: str) -> PackageRef:
    at = spec.rfind("@")
    if at > 0:
        name, version = spec[:at], spec[at + 1 :]
    else:
        name, version = spec, ""
    return PackageRef("npm", name, version or None, bool(EXACT_SEMVER.match(version)))


def _pypi(spec: str) -> PackageRef:
    m = re.match(r"^([A-Za-z0-9_.\[\]-]+)\s*(==|@)\s*([^\s;,]+)$", spec)
    if m:
        name, _op, version = m.groups()
        return PackageRef(
            "pypi", name, version, bool(re.match(r"^\d+(\.\d+)*[A-Za-z0-9.]*$", version))
        )
    name = re.split(r"[<>=!~;\s]", spec, maxsplit=1)[0]
    return PackageRef("pypi", name, None, False)


def _oci(image: str) -> PackageRef:
    if "@sha256:" in image:
        name, _, digest = image.partition("@")
        return PackageRef("oci", name, digest, True)
    last = image.rsplit("/", 1)[-1]
    if ":" in last:
        name, tag = image.rsplit(":", 1)
        return PackageRef("oci", name, tag, False)
    return PackageRef("oci", image, "latest", False)


def _first_positional(args: list[str], value_flags: frozenset[str] = frozenset()) -> int | None:
    skip = False
    for i, a in enumerate(args):
        if skip:
            skip = False
            continue
        if a.startswith("-"):
            if a in value_flags:
                skip = True
            continue
        return i
    return None


def package_of(command: str, args: list[str]) -> PackageRef | None:
    """The package a launcher command runs, or None for local code (``node server.js``)."""
    exe = PurePath(command).name.lower().removesuffix(".exe").removesuffix(".cmd")
    rest = list(args)
    if (exe in {"pnpm", "yarn"} and rest[:1] == ["dlx"]) or (exe == "npm" and rest[:1] == ["exec"]):
        exe, rest = "npx", rest[1:]
    elif exe == "uv" and rest[:2] == ["tool", "run"]:
        exe, rest = "uvx", rest[2:]
    elif exe == "pipx" and rest[:1] == ["run"]:
        exe, rest = "uvx", rest[1:]
    elif exe in {"docker", "podman"} and rest[:1] == ["run"]:
        i = _first_positional(rest[1:], DOCKER_VALUE_FLAGS)
        return _oci(rest[1 + i]) if i is not None else None
    if exe in {"npx", "bunx"}:
        for i, a in enumerate(rest):
            if a in {"-p", "--package"} and i + 1 < len(rest):
                return _npm(rest[i + 1])
            if a.startswith("--package="):
                return _npm(a.split("=", 1)[1])
        i = _first_positional(rest)
        return _npm(rest[i]) if i is not None else None
    if exe == "uvx":
        for i, a in enumerate(rest):
            if a == "--from" and i + 1 < len(rest):
                return _pypi(rest[i + 1])
            if a.startswith("--from="):
                return _pypi(a.split("=", 1)[1])
        i = _first_positional(rest, frozenset({"--python", "--with", "--index-url"}))
        return _pypi(rest[i]) if i is not None else None
    return None
