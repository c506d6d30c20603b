"""Model-serving containers to the framework and version they run, as a package.

A model served by Text Generation Inference 1.4.0, vLLM 0.4.0 or Triton 24.01 inherits their
advisories (vLLM and TGI have had remote code execution and denial-of-service fixes). The
image tag is the only version fact a cloud record carries, so the tag is read here and turned
into a package purl that the vulnerability matcher can look up: vLLM is a PyPI package and
Ollama a Go module (both have OSV ecosystems); TGI and Triton have none in OSV, so their
packages are recorded for the bill of materials under their GitHub purl and match only
advisories imported for that purl.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class ServingFramework:
    framework: str  # tgi | vllm | triton | ollama
    version: str  # "" when the tag names no release (a date-stamped build)
    purl: str  # with @version when the version is known

    @property
    def package_name(self) -> str:
        return self.purl.split("@", 1)[0].rsplit("/", 1)[-1]


@dataclass(frozen=True)
class _Rule:
    framework: str
    image: re.Pattern[str]  # over the image reference without registry host
    version: re.Pattern[str]  # over the tag; group 1..n joined by '.'
    purl: str


_SEMVER = re.compile(r"v?(\d+)\.(\d+)(?:\.(\d+))?")
RULES: tuple[_Rule, ...] = (
    _Rule(
        "tgi",
        re.compile(r"(?:.*/)?huggingface-pytorch-tgi-inference"),
        re.compile(r".*?tgi(\d+)\.(\d+)(?:\.(\d+))?"),
        "pkg:github/huggingface/text-generation-inference",
    ),
    _Rule(
        "tgi",
        re.compile(
            r"(?:.*/)?huggingface-text-generation-inference-cu\d+\.(\d+)-(\d+)(?:-(\d+))?.*"
        ),
        re.compile(r""),
        "pkg:github/huggingface/text-generation-inference",
    ),
    _Rule(
        "tgi",
        re.compile(r"(?:.*/)?text-generation-inference"),
        _SEMVER,
        "pkg:github/huggingface/text-generation-inference",
    ),
    _Rule(
        "vllm",
        re.compile(r"(?:.*/)?(?:vllm-openai|vllm|[\w-]*-vllm-serve)"),
        _SEMVER,
        "pkg:pypi/vllm",
    ),
    _Rule(
        "triton",
        re.compile(r"(?:.*/)?(?:sagemaker-)?tritonserver"),
        re.compile(r"(\d{2})\.(\d{2})"),
        "pkg:github/triton-inference-server/server",
    ),
    _Rule(
        "ollama",
        re.compile(r"(?:.*/)?ollama"),
        _SEMVER,
        "pkg:golang/github.com/ollama/ollama",
    ),
)


def split_image(ref: str) -> tuple[str, str]:
    """'host:5000/ns/name:tag@sha256:..' -> ('host:5000/ns/name', 'tag')."""
    ref = ref.split("@", 1)[0]
    slash = ref.rfind("/")
    colon = ref.rfind(":")
    if colon > slash:
        return ref[:colon], ref[colon + 1 :]
    return ref, ""


def serving_framework(image: str) -> ServingFramework | None:
    """The serving framework an image reference runs, with the version its tag states."""
    if not image:
        return None
    repo, tag = split_image(image.strip())
    path = repo.split("/", 1)[1] if "/" in repo and "." in repo.split("/", 1)[0] else repo
    for rule in RULES:
        m = rule.image.fullmatch(path)
        if not m:
            continue
        # A version encoded in the repository name (Google's DLC naming) wins over the tag.
        groups = [g for g in m.groups() if g] or _tag_groups(rule.version, tag)
        version = ".".join(groups)
        if rule.framework == "ollama" and version.count(".") == 1:
            version += ".0"
        purl = f"{rule.purl}@{version}" if version else rule.purl
        return ServingFramework(rule.framework, version, purl)
    return None


def _tag_groups(pattern: re.Pattern[str], tag: str) -> list[str]:
    if not tag or not pattern.pattern:
        return []
    m = pattern.match(tag)
    return [g for g in m.groups() if g] if m else []
