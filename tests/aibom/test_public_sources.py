"""Vendor-owned public locations are recognised in every address form transforms meet, and
estate buckets that merely look similar are not."""

from __future__ import annotations

import pytest

from aispm_graph.aibom.public_sources import PUBLIC_SOURCES, public_source


@pytest.mark.parametrize(
    ("address", "scheme", "provider", "purpose"),
    [
        # Vertex AI: the trainingTaskDefinition every real training pipeline carries.
        (
            "gs://google-cloud-aiplatform/schema/trainingjob/definition/automl_tabular_1.0.0.yaml",
            "",
            "gcp",
            "schema",
        ),
        ("gs://cloud-samples-data/ai-platform/iris/iris_data.csv", "", "gcp", "samples"),
        ("gs://vertex-model-garden-public-us/llama3/Meta-Llama-3-8B", "", "gcp", "model-garden"),
        ("https://storage.googleapis.com/cloud-samples-data/x.csv", "", "gcp", "samples"),
        ("vertex-model-garden-public-eu", "gs://", "gcp", "model-garden"),
        (
            "s3://jumpstart-cache-prod-us-east-1/huggingface-infer/prepack/v1.0.0/x.tar.gz",
            "",
            "aws",
            "model-hub",
        ),
        ("arn:aws:s3:::jumpstart-cache-prod-eu-west-1", "", "aws", "model-hub"),
        (
            "https://jumpstart-cache-prod-us-west-2.s3.us-west-2.amazonaws.com/a",
            "",
            "aws",
            "model-hub",
        ),
        ("s3://sagemaker-example-files-prod-us-east-1/datasets/x", "", "aws", "samples"),
        ("sagemaker-sample-files", "s3://", "aws", "samples"),
        ("https://azuremlexamples.blob.core.windows.net/datasets/iris.csv", "", "azure", "samples"),
        (
            "azureml://registries/azureml-meta/models/Llama-2-7b/versions/3",
            "",
            "azure",
            "model-hub",
        ),
        ("azureml://registries/HuggingFace/models/bert-base-uncased", "", "azure", "model-hub"),
    ],
)
def test_vendor_locations_are_public(
    address: str, scheme: str, provider: str, purpose: str
) -> None:
    src = public_source(address, scheme)
    assert src is not None, address
    assert (src.provider, src.purpose) == (provider, purpose)


@pytest.mark.parametrize(
    ("address", "scheme"),
    [
        ("gs://acme-training-data/iris.csv", ""),
        ("gs://cloud-samples-data-acme/x", ""),  # a look-alike is not Google's
        ("s3://jumpstart-cache-prod-us-east-1-acme/x", ""),
        ("s3://acme-sagemaker-sample-files/x", ""),
        ("arn:aws:s3:::acme-models", ""),
        ("https://acmestorage.blob.core.windows.net/models", ""),
        ("azureml://registries/acme-private/models/m/versions/1", ""),
        ("acme-bucket", "gs://"),
        ("", ""),
    ],
)
def test_estate_locations_are_not_public(address: str, scheme: str) -> None:
    assert public_source(address, scheme) is None


def test_one_list_covers_each_cloud_and_every_entry_is_documented() -> None:
    assert {s.provider for s in PUBLIC_SOURCES} == {"aws", "azure", "gcp"}
    assert all(s.doc and s.pattern for s in PUBLIC_SOURCES)
