"""Where a model's weights came from, decided from the facts its cloud record carries.

An auditor asks of every model: whose weights are these, which exact version, and who made
them? The answer is one :class:`Provenance` per model node, computed from properties the
transforms keep (a Bedrock custom model's base model and customization job, a serving
container's Hugging Face repository and revision, a JumpStart or Model Garden id, an Azure ML
registry asset, a foundation model's provider and id), or ``unknown`` when the record names
none. ``pinned`` says whether the source fixes one immutable version: a Hugging Face commit
hash, a versioned foundation model id, a registry asset version. A branch name such as
``main`` or no revision at all is unpinned: the next deployment may load different weights.

The container environment is read for provenance only: the few variables that name a model are
picked out here and nothing else from the environment (which holds tokens) is kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from aispm_graph.aibom.public_sources import public_source

UNKNOWN = "unknown"

# Serving-container variables that name the model to load (SageMaker Hugging Face DLC, TGI,
# Vertex Model Garden containers). Values are repository ids, never credentials.
HF_ID_VARS = ("HF_MODEL_ID", "HUGGING_FACE_HUB_MODEL_ID", "MODEL_ID")
HF_REVISION_VARS = ("HF_MODEL_REVISION", "REVISION", "HF_REVISION")
_HF_REPO = re.compile(r"[A-Za-z0-9][\w.-]{0,95}(?:/[A-Za-z0-9][\w.-]{0,95})?")
_COMMIT = re.compile(r"[0-9a-f]{40}")
_HF_URL = re.compile(
    r"https://huggingface\.co/(?P<repo>[\w.-]+/[\w.-]+)(?:/(?:resolve|tree|blob)/(?P<rev>[^/]+))?"
)
_AZUREML_ASSET = re.compile(
    r"azureml://registries/(?P<registry>[^/]+)/models/(?P<model>[^/]+)"
    r"(?:/versions/(?P<version>[^/]+)|/labels/(?P<label>[^/]+))?",
    re.IGNORECASE,
)
_BEDROCK_FM = re.compile(r"arn:aws[\w-]*:bedrock:[^:]*::foundation-model/(?P<id>.+)")
_VERSIONED_FM = re.compile(r".*(?:-v\d+(?::\d+)?(?::[\w.]+)?|-\d{8}(?:-v\d+:\d+)?|@\d+)$")
_GARDEN = re.compile(r"publishers/(?P<publisher>[^/]+)/models/(?P<model>[^/@]+)(?:@(?P<ver>.+))?")


@dataclass(frozen=True)
class Provenance:
    """Where one model's weights came from.

    ``source``: foundation-model, custom-model, huggingface, jumpstart, model-garden,
    model-registry, estate-artifact or unknown. ``evidence`` names the property (and so the
    API field) the answer was read from.
    """

    source: str
    model_id: str = ""
    publisher: str = ""
    revision: str = ""
    pinned: bool = False
    evidence: str = ""
    base_model: str = ""
    training_job: str = ""

    def as_props(self) -> dict[str, Any]:
        return {
            "provenance_source": self.source,
            "provenance_id": self.model_id or None,
            "provenance_publisher": self.publisher or None,
            "provenance_revision": self.revision or None,
            "provenance_pinned": self.pinned,
            "provenance_evidence": self.evidence or None,
            "base_model": self.base_model or None,
            "training_job": self.training_job or None,
        }

    def summary(self) -> str:
        """One line for tables: 'huggingface meta-llama/Llama-3-8B@main (unpinned)'."""
        if self.source == UNKNOWN:
            return UNKNOWN
        ident = self.model_id or self.base_model
        rev = f"@{self.revision}" if self.revision else ""
        pin = "" if self.pinned else " (unpinned)"
        return f"{self.source} {ident}{rev}{pin}".strip()


def _env_pairs(env: Any) -> dict[str, str]:
    """A container environment as a dict, from SageMaker's mapping or Vertex's name/value list."""
    if isinstance(env, Mapping):
        return {str(k): str(v) for k, v in env.items() if isinstance(v, str | int | float)}
    out: dict[str, str] = {}
    if isinstance(env, list):
        for item in env:
            if isinstance(item, Mapping) and isinstance(item.get("name"), str):
                value = item.get("value")
                if isinstance(value, str):
                    out[item["name"]] = value
    return out


def hf_repo(value: str) -> str | None:
    """The Hugging Face repository id a value names, or None (a local path, a URI, a flag)."""
    text = value.strip()
    m = _HF_URL.match(text)
    if m:
        return m.group("repo")
    if text.startswith(("/", ".", "~")) or "://" in text or not _HF_REPO.fullmatch(text):
        return None
    return text


def model_facts_from_env(env: Any, args: Iterable[Any] = ()) -> dict[str, str]:
    """The provenance facts a serving container's environment and arguments state.

    Returns ``{"hf_model_id": ..., "hf_revision": ...}`` (either may be absent). Only the model
    naming variables are read, so the caller can store the result without storing secrets.
    """
    pairs = _env_pairs(env)
    facts: dict[str, str] = {}
    for var in HF_ID_VARS:
        repo = hf_repo(pairs.get(var, ""))
        if repo:
            facts["hf_model_id"] = repo
            facts["hf_model_id_field"] = var
            break
    for var in HF_REVISION_VARS:
        if pairs.get(var, "").strip():
            facts["hf_revision"] = pairs[var].strip()
            break
    flags = [str(a) for a in args if isinstance(a, str | int)]
    for i, arg in enumerate(flags):
        name, _, value = arg.partition("=")
        if not value and i + 1 < len(flags) and not flags[i + 1].startswith("-"):
            value = flags[i + 1]
        if name in ("--model", "--model-id", "--model_id") and "hf_model_id" not in facts:
            repo = hf_repo(value)
            if repo:
                facts["hf_model_id"], facts["hf_model_id_field"] = repo, f"args {name}"
        elif name == "--revision" and value and "hf_revision" not in facts:
            facts["hf_revision"] = value
    return facts


def foundation_model_id(ref: str) -> str:
    """'arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-text-express-v1' -> the id."""
    m = _BEDROCK_FM.match(ref or "")
    return m.group("id") if m else ""


def is_versioned_model_id(model_id: str) -> bool:
    """A foundation model id that names one release (anthropic.claude-3-haiku-20240307-v1:0)."""
    return bool(_VERSIONED_FM.match(model_id))


def _from_uri(uri: str, evidence: str) -> Provenance | None:
    m = _HF_URL.match(uri)
    if m:
        rev = m.group("rev") or ""
        return Provenance(
            "huggingface",
            m.group("repo"),
            m.group("repo").split("/", 1)[0],
            rev,
            bool(_COMMIT.fullmatch(rev)),
            evidence,
        )
    m = _AZUREML_ASSET.match(uri)
    if m:
        registry = m.group("registry")
        hub = registry.lower() == "huggingface"
        version = m.group("version") or ""
        return Provenance(
            "huggingface" if hub else "model-registry",
            m.group("model"),
            registry,
            version or (m.group("label") or ""),
            bool(version),
            evidence,
        )
    src = public_source(uri)
    if src is not None and src.purpose in ("model-hub", "model-garden"):
        source = "jumpstart" if src.provider == "aws" else "model-garden"
        key = uri.split("://", 1)[-1].split("/", 1)
        return Provenance(source, key[1] if len(key) > 1 else "", src.provider, "", False, evidence)
    return None


def provenance_of(kind: str, props: Mapping[str, Any]) -> Provenance:
    """Decide one model node's provenance from its properties, most specific fact first."""

    def s(key: str) -> str:
        v = props.get(key)
        return v.strip() if isinstance(v, str) else ""

    # A custom model: its base model and the job that made it.
    base, job = s("base_model"), s("training_job")
    if base or job:
        fm = foundation_model_id(base) or base
        return Provenance(
            "custom-model",
            fm,
            fm.split(".", 1)[0] if "." in fm else "",
            "",
            is_versioned_model_id(fm) if fm else False,
            "base_model" if base else "training_job",
            base_model=base,
            training_job=job,
        )
    if s("jumpstart_model_id"):
        ver = s("jumpstart_model_version")
        return Provenance(
            "jumpstart",
            s("jumpstart_model_id"),
            "aws",
            ver,
            bool(ver) and ver != "*",
            "tags sagemaker-sdk:jumpstart-model-id",
        )
    if s("model_garden_id"):
        m = _GARDEN.search(s("model_garden_id"))
        return Provenance(
            "model-garden",
            s("model_garden_id"),
            m.group("publisher") if m else "",
            (m.group("ver") or "") if m else "",
            bool(m and m.group("ver")),
            "model_garden_id",
        )
    if s("hf_model_id"):
        rev = s("hf_revision")
        return Provenance(
            "huggingface",
            s("hf_model_id"),
            s("hf_model_id").split("/", 1)[0] if "/" in s("hf_model_id") else "",
            rev,
            bool(_COMMIT.fullmatch(rev)),
            s("hf_model_id_field") or "hf_model_id",
        )
    if s("registry_model"):
        got = _from_uri(s("registry_model"), "registry_model")
        if got:
            return got
        return Provenance("model-registry", s("registry_model"), "", "", True, "registry_model")
    if kind == "BedrockFoundationModel" or s("foundation_model_id"):
        field = next((k for k in ("foundation_model_id", "model_id", "model_name") if s(k)), "")
        fm = (foundation_model_id(s(field)) or s(field)) if field else ""
        if fm:
            return Provenance(
                "foundation-model",
                fm,
                s("model_provider") or (fm.split(".", 1)[0] if "." in fm else ""),
                "",
                is_versioned_model_id(fm),
                field,
            )
    if kind == "AzureOpenAIDeployment" and s("model_name"):
        version = s("model_version")
        upgrade = s("version_upgrade_option")
        return Provenance(
            "foundation-model",
            s("model_name"),
            s("model_format") or "OpenAI",
            version,
            bool(version) and upgrade in ("", "NoAutoUpgrade"),
            "model_name, model_version",
        )
    # A provisioned throughput or deployment names the model it serves.
    served = s("serves_model") or (
        s("model_name") if kind == "BedrockProvisionedThroughput" else ""
    )
    if served:
        fm = foundation_model_id(served)
        if fm:
            return Provenance(
                "foundation-model", fm, fm.split(".", 1)[0], "", is_versioned_model_id(fm), "model"
            )
    for key in ("artifact", "model_data", "artifact_uri"):
        if s(key):
            got = _from_uri(s(key), key)
            if got:
                return got
    if s("purl").startswith("pkg:huggingface/"):
        body = s("purl").removeprefix("pkg:huggingface/")
        repo, _, rev = body.partition("@")
        return Provenance(
            "huggingface", repo, repo.split("/", 1)[0], rev, bool(_COMMIT.fullmatch(rev)), "purl"
        )
    if s("publisher") and s("model_name"):
        ver = s("model_version")
        return Provenance(
            "declared", s("model_name"), s("publisher"), ver, bool(ver), "publisher, model_name"
        )
    return Provenance(UNKNOWN, evidence="no base model, registry, hub id or training job named")
