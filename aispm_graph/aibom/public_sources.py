"""Public buckets and addresses the cloud vendors own: schemas, samples, model gardens.

Real Vertex AI pipelines carry ``gs://google-cloud-aiplatform/schema/...`` (Google's public
schema files) in ``trainingTaskDefinition``; SageMaker JumpStart models load weights from AWS's
``jumpstart-cache-prod-<region>`` buckets; Azure ML examples read Microsoft's sample storage.
None of these is the estate's data: an attacker cannot poison or exfiltrate them through the
estate's identities, so a transform that turned them into bucket nodes marked ``training`` would
create a false attack-path target in every real estate. This is the one list of them; a
transform asks :func:`public_source` before it makes a data-store node from an address.

A name here is public material only when the vendor owns it: Google reserves bucket names with
"google" and its documented sample buckets; AWS's JumpStart and sample buckets are named in the
SageMaker documentation; Microsoft's are its documented storage accounts and registries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class PublicSource:
    """One vendor-owned public location: whose it is and what it holds."""

    provider: str  # aws | azure | gcp
    purpose: str  # schema | samples | model-garden | model-hub | public-dataset
    pattern: str  # full-match regex over the location key (see :func:`location_key`)
    doc: str

    def matches(self, key: str) -> bool:
        return re.fullmatch(self.pattern, key) is not None


_REGION = r"[a-z]{2,4}(?:-gov)?-[a-z]+-\d"

PUBLIC_SOURCES: tuple[PublicSource, ...] = (
    # --- Google --------------------------------------------------------------------------------
    PublicSource(
        "gcp",
        "schema",
        r"gs://google-cloud-aiplatform",
        "Vertex AI's public schema files (trainingTaskDefinition, metadataSchemaUri, "
        "predictionSchemata).",
    ),
    PublicSource(
        "gcp",
        "schema",
        r"gs://[a-z0-9._-]*google[a-z0-9._-]*",
        "Bucket names containing 'google' can only be created by Google.",
    ),
    PublicSource(
        "gcp",
        "samples",
        r"gs://cloud-samples-(?:data|tests)",
        "Google Cloud's public sample data used in Vertex AI tutorials.",
    ),
    PublicSource(
        "gcp",
        "samples",
        r"gs://cloud-ml-data|gs://cloud-training-demos",
        "Google's public ML sample and training-course data.",
    ),
    PublicSource(
        "gcp",
        "model-garden",
        r"gs://vertex-model-garden-[a-z0-9-]+",
        "Vertex AI Model Garden's published model weights and serving assets.",
    ),
    PublicSource(
        "gcp",
        "public-dataset",
        r"gs://gcp-public-data-[a-z0-9-]+",
        "Google Cloud public datasets.",
    ),
    # --- AWS -----------------------------------------------------------------------------------
    PublicSource(
        "aws",
        "model-hub",
        rf"s3://jumpstart-(?:private-)?cache-prod-{_REGION}",
        "SageMaker JumpStart model artifacts and scripts, one bucket per region.",
    ),
    PublicSource(
        "aws",
        "samples",
        rf"s3://sagemaker-(?:sample-files|example-files-prod-{_REGION}|sample-data-{_REGION})",
        "SageMaker's public example data and notebooks.",
    ),
    # --- Microsoft ---------------------------------------------------------------------------
    PublicSource(
        "azure",
        "samples",
        r"https://azuremlexamples\.blob\.core\.windows\.net",
        "Azure Machine Learning's public example data.",
    ),
    PublicSource(
        "azure",
        "public-dataset",
        r"https://azureopendatastorage\.blob\.core\.windows\.net",
        "Azure Open Datasets.",
    ),
    PublicSource(
        "azure",
        "model-hub",
        r"azureml://registries/(?:azureml|azureml-[a-z]+|azure-openai|huggingface|nvidia-ai|"
        r"meta|mistral-ai|cohere|microsoft)",
        "Microsoft's public model catalog registries (azureml, HuggingFace, azure-openai and "
        "the model publishers' registries).",
    ),
)


def location_key(address: str) -> str:
    """The part of an address that names its location (scheme and bucket, account or registry).

    ``gs://b/x`` -> ``gs://b``; ``s3://b/x``, ``arn:aws:s3:::b/x`` and ``https://b.s3.amazonaws.com``
    -> ``s3://b``; ``https://acct.blob.core.windows.net/c`` -> that origin;
    ``azureml://registries/r/models/m`` -> ``azureml://registries/r``; a bare bucket name is
    returned as given.
    """
    text = address.strip()
    lowered = text.lower()
    if lowered.startswith("arn:aws:s3:::"):
        return "s3://" + text[len("arn:aws:s3:::") :].split("/", 1)[0].lower()
    if lowered.startswith(("gs://", "s3://")):
        return lowered[:5] + lowered[5:].split("/", 1)[0]
    if lowered.startswith("azureml://registries/"):
        parts = lowered.split("/")
        return "/".join(parts[:4])
    if lowered.startswith(("https://", "http://")):
        url = urlsplit(lowered)
        host = url.hostname or ""
        m = re.fullmatch(r"([a-z0-9.-]+)\.s3(?:[.-][a-z0-9-]+)*\.amazonaws\.com", host)
        if m:
            return f"s3://{m.group(1)}"
        if host == "storage.googleapis.com":
            return "gs://" + url.path.lstrip("/").split("/", 1)[0]
        return f"https://{host}"
    return text


def public_source(address: str, scheme: str = "") -> PublicSource | None:
    """The vendor-owned public location ``address`` lies in, or None if it may be estate data.

    ``scheme`` (``gs://`` or ``s3://``) qualifies a bare bucket name, as transforms often hold
    only the name.
    """
    if not address:
        return None
    key = location_key(address)
    if scheme and "://" not in key:
        key = scheme + key.lower()
    return next((s for s in PUBLIC_SOURCES if s.matches(key)), None)
