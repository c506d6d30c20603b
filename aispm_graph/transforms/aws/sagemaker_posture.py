"""SageMaker posture facts the checks read: VPC placement and encryption of models and
training jobs, the encryption, data capture and redundancy of each endpoint's configuration,
and how a domain stores data and signs users in. Merged into the nodes :mod:`.sagemaker`
made, from the same Describe answers."""

from __future__ import annotations

from typing import Any

from aispm_graph.transforms.aws.builder import AwsBuilder
from aispm_graph.transforms.registry import service


@service(
    "aws",
    "sagemaker-posture",
    reads=[
        ("sagemaker", "describe_model"),
        ("sagemaker", "describe_training_job"),
        ("sagemaker", "describe_endpoint"),
        ("sagemaker", "describe_endpoint_config"),
        ("sagemaker", "describe_domain"),
    ],
    order=115,
)
def sagemaker_posture(b: AwsBuilder) -> None:
    """After SageMaker, whose nodes it merges into."""
    for arn, r, _region in b.described("sagemaker", "describe_model", "ModelArn"):
        with b.guard("describe_model", label=arn):
            if b.graph.has_node(arn):
                b.graph.add_node(arn, "SageMakerModel", in_vpc=_in_vpc(r))
    for arn, r, _region in b.described("sagemaker", "describe_training_job", "TrainingJobArn"):
        with b.guard("describe_training_job", label=arn):
            if b.graph.has_node(arn):
                b.graph.add_node(arn, "SageMakerTrainingJob", **training_job_facts(r))
    configs: dict[tuple[str, str], dict[str, Any]] = {}
    for body in b.responses("sagemaker", "describe_endpoint_config"):
        r = body["response"]
        with b.guard("describe_endpoint_config", r):
            configs[(body["region"], str(r["EndpointConfigName"]))] = endpoint_config_facts(r)
    for arn, r, region in b.described("sagemaker", "describe_endpoint", "EndpointArn"):
        with b.guard("describe_endpoint", label=arn):
            facts = configs.get((region, str(r.get("EndpointConfigName", ""))))
            if facts is not None and b.graph.has_node(arn):
                b.graph.add_node(arn, "SageMakerEndpoint", **facts)
    for arn, r, _region in b.described("sagemaker", "describe_domain", "DomainArn"):
        with b.guard("describe_domain", label=arn):
            if b.graph.has_node(arn):
                b.graph.add_node(
                    arn,
                    "SageMakerDomain",
                    kms=bool(r.get("KmsKeyId")),
                    auth_mode=r.get("AuthMode"),
                )


def _in_vpc(r: dict[str, Any]) -> bool:
    return bool((r.get("VpcConfig") or {}).get("Subnets"))


def training_job_facts(r: dict[str, Any]) -> dict[str, Any]:
    return {
        "in_vpc": _in_vpc(r),
        "volume_kms": bool((r.get("ResourceConfig") or {}).get("VolumeKmsKeyId")),
        "output_kms": bool((r.get("OutputDataConfig") or {}).get("KmsKeyId")),
        "intercontainer_encryption": bool(r.get("EnableInterContainerTrafficEncryption")),
    }


def endpoint_config_facts(r: dict[str, Any]) -> dict[str, Any]:
    """KMS key, data capture and the production variants that run on one instance (a
    serverless variant has no instance count and is not one)."""
    variants = [v for v in r.get("ProductionVariants") or [] if isinstance(v, dict)]
    single = sorted(
        str(v.get("VariantName"))
        for v in variants
        if not v.get("ServerlessConfig") and int(v.get("InitialInstanceCount") or 1) < 2
    )
    capture = r.get("DataCaptureConfig") or {}
    enabled = bool(capture) and capture.get("EnableCapture", True) is not False
    return {
        "endpoint_config": r.get("EndpointConfigName"),
        "kms": bool(r.get("KmsKeyId")),
        "single_instance_variants": single,
        "data_capture": enabled,
        "data_capture_kms": bool(capture.get("KmsKeyId")) if enabled else None,
    }
