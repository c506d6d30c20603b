"""SageMaker: notebook instances, models, endpoints, training jobs and domains.

Model artifacts and training data are S3 locations: the buckets behind them get their AI
``data_role`` (``model-artifact``, ``training``) through :meth:`AwsBuilder.bucket`.
"""

from __future__ import annotations

from typing import Any

from aispm_graph.aibom.provenance import model_facts_from_env
from aispm_graph.transforms.aws.builder import AwsBuilder, split_s3_uri
from aispm_graph.transforms.registry import service


@service(
    "aws",
    "sagemaker",
    reads=[
        ("sagemaker", "describe_notebook_instance"),
        ("sagemaker", "describe_model"),
        ("sagemaker", "describe_endpoint_config"),
        ("sagemaker", "describe_endpoint"),
        ("sagemaker", "describe_training_job"),
        ("sagemaker", "describe_domain"),
    ],
    order=110,
)
def sagemaker(b: AwsBuilder) -> None:
    """After IAM and S3: execution roles and data buckets are linked when present."""
    for arn, r, region in b.described(
        "sagemaker", "describe_notebook_instance", "NotebookInstanceArn"
    ):
        with b.guard("describe_notebook_instance", label=arn):
            b.node(
                arn,
                "SageMakerNotebookInstance",
                r.get("NotebookInstanceName", ""),
                region,
                root_access=r.get("RootAccess", "Enabled") == "Enabled",
                direct_internet_access=r.get("DirectInternetAccess", "Enabled") == "Enabled",
                cmk=bool(r.get("KmsKeyId")),
                subnet_id=r.get("SubnetId"),
                lifecycle_config=r.get("NotebookInstanceLifecycleConfigName"),
                role=r.get("RoleArn"),
            )
            b.has_role(arn, r.get("RoleArn"), "SageMaker notebook execution role")
    for arn, r, region in b.described("sagemaker", "describe_model", "ModelArn"):
        with b.guard("describe_model", label=arn):
            _model(b, arn, r, region)
    cfg_models: dict[str, list[str]] = {}
    for body in b.responses("sagemaker", "describe_endpoint_config"):
        r = body["response"]
        with b.guard("describe_endpoint_config", r):
            cfg_models[r.get("EndpointConfigName", "")] = [
                v.get("ModelName", "") for v in r.get("ProductionVariants", [])
            ]
    for arn, r, region in b.described("sagemaker", "describe_endpoint", "EndpointArn"):
        with b.guard("describe_endpoint", label=arn):
            b.node(
                arn,
                "SageMakerEndpoint",
                r.get("EndpointName", ""),
                region,
                status=r.get("EndpointStatus"),
            )
            for model in cfg_models.get(r.get("EndpointConfigName", ""), []):
                b.edge(arn, b.arn("sagemaker", region, f"model/{model.lower()}"), "SERVES")
    for arn, r, region in b.described("sagemaker", "describe_training_job", "TrainingJobArn"):
        with b.guard("describe_training_job", label=arn):
            _training_job(b, arn, r, region)
    _lineage(b)
    for arn, r, region in b.described("sagemaker", "describe_domain", "DomainArn"):
        with b.guard("describe_domain", label=arn):
            b.node(
                arn,
                "SageMakerDomain",
                r.get("DomainName", ""),
                region,
                app_network_access=r.get("AppNetworkAccessType"),
                public_internet=r.get("AppNetworkAccessType") == "PublicInternetOnly",
                execution_role=(r.get("DefaultUserSettings") or {}).get("ExecutionRole"),
            )


def _model(b: AwsBuilder, arn: str, r: dict[str, Any], region: str) -> None:
    containers = [r.get("PrimaryContainer") or {}, *r.get("Containers", [])]
    artifact = next((c.get("ModelDataUrl") for c in containers if c.get("ModelDataUrl")), None)
    # Uncompressed model data (ModelDataSource.S3DataSource) is the newer form of the same.
    artifact = artifact or next(
        (
            ((c.get("ModelDataSource") or {}).get("S3DataSource") or {}).get("S3Uri")
            for c in containers
            if ((c.get("ModelDataSource") or {}).get("S3DataSource") or {}).get("S3Uri")
        ),
        None,
    )
    # Provenance: the Hugging Face id and revision the serving container loads (only those
    # variables are read; the environment's tokens are never kept) and the registry package.
    facts: dict[str, str] = {}
    for c in containers:
        facts = facts or model_facts_from_env(c.get("Environment"))
    package = next(
        (c.get("ModelPackageName") for c in containers if c.get("ModelPackageName")), None
    )
    b.node(
        arn,
        "SageMakerModel",
        r.get("ModelName", ""),
        region,
        network_isolation=bool(r.get("EnableNetworkIsolation")),
        artifact=artifact,
        execution_role=r.get("ExecutionRoleArn"),
        images=[c.get("Image") for c in containers if c.get("Image")],
        hf_model_id=facts.get("hf_model_id"),
        hf_revision=facts.get("hf_revision"),
        hf_model_id_field=f"Environment.{facts['hf_model_id_field']}" if facts else None,
        registry_model=package,
        in_vpc=bool((r.get("VpcConfig") or {}).get("Subnets")),
    )
    # The model's containers run with its execution role: control of the model is that role.
    b.has_role(arn, r.get("ExecutionRoleArn"), "SageMaker model execution role")
    loc = split_s3_uri(artifact or "")
    if loc:
        bucket = b.bucket(loc[0], "model-artifact", loc[1])
        b.edge(bucket, arn, "STORES_ARTIFACT", uri=artifact)


def _training_job(b: AwsBuilder, arn: str, r: dict[str, Any], region: str) -> None:
    b.node(
        arn,
        "SageMakerTrainingJob",
        r.get("TrainingJobName", ""),
        region,
        network_isolation=bool(r.get("EnableNetworkIsolation")),
        role=r.get("RoleArn"),
    )
    for ch in r.get("InputDataConfig", []):
        uri = ((ch.get("DataSource") or {}).get("S3DataSource") or {}).get("S3Uri", "")
        loc = split_s3_uri(uri)
        if loc:
            b.edge(arn, b.bucket(loc[0], "training", loc[1]), "TRAINED_ON", uri=uri)
    output = (r.get("OutputDataConfig") or {}).get("S3OutputPath", "")
    b.graph.set_prop(arn, "output_location", output or None)
    b.has_role(arn, r.get("RoleArn"), "SageMaker training job execution role")
    out = split_s3_uri(output)
    if out:
        b.bucket(out[0], "model-artifact", out[1])
    artifacts = (r.get("ModelArtifacts") or {}).get("S3ModelArtifacts")
    if artifacts:
        b.graph.set_prop(arn, "model_artifacts", artifacts)


def _lineage(b: AwsBuilder) -> None:
    """A model whose artifact is a training job's output was produced by that job."""
    produced = {
        str(d["model_artifacts"]): n
        for n, d in b.graph.nodes("SageMakerTrainingJob")
        if d.get("tenant") == b.account and d.get("model_artifacts")
    }
    for n, d in list(b.graph.nodes("SageMakerModel")):
        job = produced.get(str(d.get("artifact") or ""))
        if job and d.get("tenant") == b.account:
            b.graph.set_prop(n, "training_job", job)
            b.edge(job, n, "PRODUCED", field="ModelArtifacts.S3ModelArtifacts")
