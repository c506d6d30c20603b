"""SageMaker beyond notebooks and endpoints: the model registry (package groups and their
sharing policy), inference components, Studio spaces and apps, processing jobs, pipelines and
Feature Store feature groups.

What runs code runs as a role (processing jobs, pipelines, Studio apps): ``HAS_IDENTITY``, an
attack step like any compute's identity. Studio apps get their domain's default execution role
with ``inferred`` confidence, because user-profile overrides are not collected. Data the jobs
read and the offline stores of feature groups are S3 locations linked with ``DATA_FROM``.
"""

from __future__ import annotations

import json
from typing import Any

from aispm_graph.transforms.aws.builder import AwsBuilder, policy_doc, split_s3_uri
from aispm_graph.transforms.refs import ref
from aispm_graph.transforms.registry import service


@service(
    "aws",
    "sagemaker-mlops",
    reads=[
        ("sagemaker", "describe_model_package_group"),
        ("sagemaker", "get_model_package_group_policy"),
        ("sagemaker", "describe_inference_component"),
        ("sagemaker", "describe_space"),
        ("sagemaker", "describe_app"),
        ("sagemaker", "describe_processing_job"),
        ("sagemaker", "describe_pipeline"),
        ("sagemaker", "describe_feature_group"),
        ("sagemaker", "describe_domain"),
    ],
    order=115,
)
def sagemaker_mlops(b: AwsBuilder) -> None:
    """After SageMaker (domains, models and endpoints are nodes by then)."""
    _registry(b)
    _inference_components(b)
    _studio(b)
    _processing(b)
    _pipelines(b)
    _feature_groups(b)


def _registry(b: AwsBuilder) -> None:
    policies: dict[str, Any] = {}
    for body in b.responses("sagemaker", "get_model_package_group_policy"):
        with b.guard("get_model_package_group_policy", body.get("params")):
            name = str(body["params"].get("ModelPackageGroupName", ""))
            policies[name] = body["response"].get("ResourcePolicy")
    for arn, r, region in b.described(
        "sagemaker", "describe_model_package_group", "ModelPackageGroupArn"
    ):
        with b.guard("describe_model_package_group", label=arn):
            name = r.get("ModelPackageGroupName", "")
            policy = policy_doc(policies.get(name))
            b.node(
                arn,
                "SageMakerModelPackageGroup",
                name,
                region,
                status=r.get("ModelPackageGroupStatus"),
                resource_policy=policy or None,
                shared_with=_principals(policy) or None,
            )


def _principals(policy: Any) -> list[str]:
    """Principals an Allow statement of a resource policy names (cross-account sharing)."""
    out: set[str] = set()
    statements = policy.get("Statement") if isinstance(policy, dict) else None
    for st in statements if isinstance(statements, list) else [statements]:
        if not isinstance(st, dict) or st.get("Effect") != "Allow":
            continue
        principal = st.get("Principal")
        if isinstance(principal, str):
            out.add(principal)
        elif isinstance(principal, dict):
            for v in principal.values():
                out.update([v] if isinstance(v, str) else [str(x) for x in v or []])
    return sorted(out)


def _inference_components(b: AwsBuilder) -> None:
    for arn, r, region in b.described(
        "sagemaker", "describe_inference_component", "InferenceComponentArn"
    ):
        with b.guard("describe_inference_component", label=arn):
            spec = r.get("Specification") or {}
            model = spec.get("ModelName")
            b.node(
                arn,
                "SageMakerInferenceComponent",
                r.get("InferenceComponentName", ""),
                region,
                status=r.get("InferenceComponentStatus"),
                endpoint=r.get("EndpointName"),
                model=model,
            )
            b.edge(ref(r.get("EndpointArn")), arn, "SERVES", field="EndpointArn")
            if model:
                target = b.arn("sagemaker", region, f"model/{str(model).lower()}")
                b.edge(arn, target, "SERVES", field="Specification.ModelName")


def _studio(b: AwsBuilder) -> None:
    domains: dict[str, tuple[str, str | None, str | None]] = {}
    for arn, r, _region in b.described("sagemaker", "describe_domain", "DomainArn"):
        with b.guard("describe_domain", label=arn):
            user = (r.get("DefaultUserSettings") or {}).get("ExecutionRole")
            space = (r.get("DefaultSpaceSettings") or {}).get("ExecutionRole") or user
            domains[str(r.get("DomainId", ""))] = (arn, user, space)
    for arn, r, region in b.described("sagemaker", "describe_space", "SpaceArn"):
        with b.guard("describe_space", label=arn):
            b.node(
                arn,
                "SageMakerSpace",
                r.get("SpaceName", ""),
                region,
                status=r.get("Status"),
                sharing=(r.get("SpaceSharingSettings") or {}).get("SharingType"),
                owner=(r.get("OwnershipSettings") or {}).get("OwnerUserProfileName"),
                domain_id=r.get("DomainId"),
            )
            domain = domains.get(str(r.get("DomainId", "")))
            if domain:
                b.edge(domain[0], arn, "CONTAINS", field="DomainId")
    for arn, r, region in b.described("sagemaker", "describe_app", "AppArn"):
        with b.guard("describe_app", label=arn):
            spec = r.get("ResourceSpec") or {}
            owner = r.get("SpaceName") or r.get("UserProfileName") or ""
            domain = domains.get(str(r.get("DomainId", "")))
            role = (domain[2] if r.get("SpaceName") else domain[1]) if domain else None
            b.node(
                arn,
                "SageMakerApp",
                f"{owner}/{r.get('AppName', '')}" if owner else r.get("AppName", ""),
                region,
                status=r.get("Status"),
                app_type=r.get("AppType"),
                image=spec.get("SageMakerImageArn"),
                instance_type=spec.get("InstanceType"),
                role=role,
                domain_id=r.get("DomainId"),
            )
            if r.get("SpaceName") and domain:
                space = domain[0].replace(":domain/", ":space/") + f"/{r['SpaceName']}"
                b.edge(space, arn, "CONTAINS", if_present=True, field="SpaceName")
            if role and b.graph.has_node(role):
                b.graph.add_edge(
                    arn,
                    role,
                    "HAS_IDENTITY",
                    {
                        "mechanism": "Studio app runs as the domain's default execution role",
                        "field": "DefaultSpaceSettings/DefaultUserSettings.ExecutionRole",
                        "note": "user-profile and space overrides are not collected",
                    },
                    "inferred",
                )


def _processing(b: AwsBuilder) -> None:
    for arn, r, region in b.described("sagemaker", "describe_processing_job", "ProcessingJobArn"):
        with b.guard("describe_processing_job", label=arn):
            net = r.get("NetworkConfig") or {}
            b.node(
                arn,
                "SageMakerProcessingJob",
                r.get("ProcessingJobName", ""),
                region,
                status=r.get("ProcessingJobStatus"),
                role=r.get("RoleArn"),
                network_isolation=bool(net.get("EnableNetworkIsolation")),
                image=(r.get("AppSpecification") or {}).get("ImageUri"),
            )
            b.has_role(arn, r.get("RoleArn"), "SageMaker processing job execution role")
            for inp in r.get("ProcessingInputs") or []:
                uri = (inp.get("S3Input") or {}).get("S3Uri", "")
                loc = split_s3_uri(uri)
                if loc:
                    bucket = b.bucket(loc[0], "training", loc[1])
                    b.edge(arn, bucket, "DATA_FROM", uri=uri, field="ProcessingInputs[].S3Input")
            for out in (r.get("ProcessingOutputConfig") or {}).get("Outputs") or []:
                uri = (out.get("S3Output") or {}).get("S3Uri", "")
                loc = split_s3_uri(uri)
                if loc:
                    b.bucket(loc[0], "training", loc[1])


def _pipelines(b: AwsBuilder) -> None:
    for arn, r, region in b.described("sagemaker", "describe_pipeline", "PipelineArn"):
        with b.guard("describe_pipeline", label=arn):
            steps = _steps(r.get("PipelineDefinition"))
            b.node(
                arn,
                "SageMakerPipeline",
                r.get("PipelineName", ""),
                region,
                status=r.get("PipelineStatus"),
                role=r.get("RoleArn"),
                step_types=sorted({t for t in steps if t}) or None,
            )
            b.has_role(arn, r.get("RoleArn"), "SageMaker pipeline execution role")


def _steps(definition: Any) -> list[str]:
    """Step types of a pipeline definition (JSON text); [] when it cannot be read."""
    try:
        doc = json.loads(definition) if isinstance(definition, str) else definition
    except ValueError:
        return []
    steps = doc.get("Steps") if isinstance(doc, dict) else None
    return [str(s.get("Type", "")) for s in steps or [] if isinstance(s, dict)]


def _feature_groups(b: AwsBuilder) -> None:
    for arn, r, region in b.described("sagemaker", "describe_feature_group", "FeatureGroupArn"):
        with b.guard("describe_feature_group", label=arn):
            offline = r.get("OfflineStoreConfig") or {}
            s3 = offline.get("S3StorageConfig") or {}
            uri = s3.get("ResolvedOutputS3Uri") or s3.get("S3Uri") or ""
            online = r.get("OnlineStoreConfig") or {}
            key = s3.get("KmsKeyId") or (online.get("SecurityConfig") or {}).get("KmsKeyId")
            b.node(
                arn,
                "SageMakerFeatureGroup",
                r.get("FeatureGroupName", ""),
                region,
                status=r.get("FeatureGroupStatus"),
                data_role=["training"],
                role=r.get("RoleArn"),
                kms_key=key,
                cmk=bool(key),
                online_store=bool(online.get("EnableOnlineStore")),
                offline_store=uri or None,
            )
            loc = split_s3_uri(uri)
            if loc:
                bucket = b.bucket(loc[0], "training", loc[1])
                b.edge(
                    arn, bucket, "DATA_FROM", uri=uri, field="OfflineStoreConfig.S3StorageConfig"
                )
            b.edge(arn, ref(key), "ENCRYPTED_WITH", if_present=True, field="KmsKeyId")
