"""SageMaker governance: Model Registry versions and the models deployed from them, JumpStart
provenance from the SDK's tags, and Studio domains' default lifecycle configurations.

Everything is made in moto (registry groups and packages, models, tags, domains) and read by
the real collector; what moto lacks (the registry's resource policy, Studio listings) is
answered by the replay server. Assertions are on nodes, edges, provenance and findings a user sees.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest

from aispm_graph.build import BuildContext, build_graph
from aispm_graph.graph.model import Graph
from aispm_graph.providers.aws.collect import CollectOptions, collect
from aispm_graph.recommendations.evaluate import evaluate
from fixtures.aws.replay_proxy import ReplayProxy
from tests.aws.aws_moto import ROOT, MotoEnv, collect_and_build

A, R = "123456789012", "us-east-1"
IMAGE = "763104351884.dkr.ecr.us-east-1.amazonaws.com/djl-inference:0.27.0"
SM = f"arn:aws:sagemaker:{R}:{A}:"
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "sagemaker.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
)
LCC = f"{SM}studio-lifecycle-config/idle-shutdown"


def _setup(session: Any) -> None:
    role = session.client("iam").create_role(RoleName="sm-role", AssumeRolePolicyDocument=TRUST)
    role_arn = role["Role"]["Arn"]
    sm = session.client("sagemaker", region_name=R)
    sm.create_model_package_group(ModelPackageGroupName="fraud-models")
    spec = {
        "Containers": [{"Image": IMAGE, "ModelDataUrl": "s3://acme-models/fraud.tar.gz"}],
        "SupportedContentTypes": ["application/json"],
        "SupportedResponseMIMETypes": ["application/json"],
    }
    packages = {
        status: sm.create_model_package(
            ModelPackageGroupName="fraud-models",
            InferenceSpecification=spec,
            ModelApprovalStatus=status,
        )["ModelPackageArn"]
        for status in ("Approved", "PendingManualApproval")
    }
    sm.create_model(
        ModelName="fraud-approved",
        ExecutionRoleArn=role_arn,
        Containers=[{"ModelPackageName": packages["Approved"]}],
    )
    sm.create_model(
        ModelName="fraud-pending",
        ExecutionRoleArn=role_arn,
        Containers=[{"ModelPackageName": packages["PendingManualApproval"]}],
    )
    sm.create_model(
        ModelName="falcon-js",
        ExecutionRoleArn=role_arn,
        PrimaryContainer={"Image": IMAGE, "ModelDataUrl": "s3://acme-models/falcon.tar.gz"},
        Tags=[
            {"Key": "sagemaker-sdk:jumpstart-model-id", "Value": "huggingface-llm-falcon-7b-bf16"},
            {"Key": "sagemaker-sdk:jumpstart-model-version", "Value": "2.0.0"},
        ],
    )
    sm.create_endpoint_config(
        EndpointConfigName="fraud-config",
        ProductionVariants=[
            {
                "VariantName": "main",
                "ModelName": "fraud-approved",
                "InitialInstanceCount": 2,
                "InstanceType": "ml.m5.large",
            }
        ],
    )
    for name in ("fraud-monitored", "fraud-unwatched", "fraud-stopped-monitor"):
        sm.create_endpoint(EndpointName=name, EndpointConfigName="fraud-config")
    sm.create_processing_job(
        ProcessingJobName="clarify-bias",
        RoleArn=role_arn,
        AppSpecification={
            "ImageUri": "205585389593.dkr.ecr.us-east-1.amazonaws.com/"
            "sagemaker-clarify-processing:1.0"
        },
        ProcessingResources={
            "ClusterConfig": {
                "InstanceCount": 1,
                "InstanceType": "ml.m5.large",
                "VolumeSizeInGB": 5,
            }
        },
    )
    network = {"SubnetIds": ["subnet-0a1b2c3d"], "VpcId": "vpc-0a1b2c3d", "AuthMode": "IAM"}
    sm.create_domain(
        DomainName="studio-managed",
        DefaultUserSettings={
            "ExecutionRole": role_arn,
            "JupyterLabAppSettings": {
                "LifecycleConfigArns": [LCC],
                "DefaultResourceSpec": {"LifecycleConfigArn": LCC},
            },
        },
        **network,
    )
    sm.create_domain(
        DomainName="studio-bare", DefaultUserSettings={"ExecutionRole": role_arn}, **network
    )


POLICY = {
    "method": "POST",
    "path": "/",
    "target": "SageMaker.GetModelPackageGroupPolicy",
    "body": {
        "ResourcePolicy": json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
                        "Action": "sagemaker:DescribeModelPackage",
                        "Resource": f"{SM}model-package/fraud-models/*",
                    }
                ],
            }
        )
    },
}


def _schedule(endpoint: str, status: str) -> dict[str, Any]:
    return {
        "MonitoringScheduleName": f"{endpoint}-quality",
        "MonitoringScheduleArn": f"{SM}monitoring-schedule/{endpoint}-quality",
        "CreationTime": 1767225600,
        "LastModifiedTime": 1767225600,
        "MonitoringScheduleStatus": status,
        "EndpointName": endpoint,
        "MonitoringType": "DataQuality",
    }


SCHEDULES = {
    "method": "POST",
    "path": "/",
    "target": "SageMaker.ListMonitoringSchedules",
    "body": {
        "MonitoringScheduleSummaries": [
            _schedule("fraud-monitored", "Scheduled"),
            _schedule("fraud-stopped-monitor", "Stopped"),
        ]
    },
}


@pytest.fixture(scope="module")
def graph(moto_env: MotoEnv, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Graph]:
    rec = tmp_path_factory.mktemp("sm") / "routes.json"
    rec.write_text(json.dumps({"routes": [POLICY, SCHEDULES]}), encoding="utf-8")
    empty = ROOT / "fixtures" / "aws" / "recorded" / "aibom_empty.json"
    proxy = ReplayProxy(moto_env.url, [empty, rec]).start()
    mp = pytest.MonkeyPatch()
    try:
        mp.setenv("AWS_ENDPOINT_URL_SAGEMAKER", proxy.url)
        yield collect_and_build(moto_env, ("iam", "sagemaker"), _setup)
    finally:
        mp.undo()
        proxy.stop()


def _fired(graph: Graph, check: str) -> set[str]:
    return {f.name for f in evaluate(graph) if f.check == check}


def _named(graph: Graph, kind: str) -> dict[str, str]:
    return {d["name"]: n for n, d in graph.nodes(kind)}


def test_registry_versions_and_the_models_built_from_them(graph: Graph) -> None:
    groups = _named(graph, "SageMakerModelPackageGroup")
    packages = {
        (d["name"], d["approval_status"]): n for n, d in graph.nodes("SageMakerModelPackage")
    }
    assert set(packages) == {
        ("fraud-models/1", "Approved"),
        ("fraud-models/2", "PendingManualApproval"),
    }
    contained = {
        (s, t)
        for s, t, _ in graph.edges("CONTAINS")
        if t in packages.values() and not s.endswith(":root")  # the account contains all
    }
    assert contained == {(groups["fraud-models"], p) for p in packages.values()}
    models = _named(graph, "SageMakerModel")
    based = {(s, t) for s, t, _ in graph.edges("BASED_ON") if s in models.values()}
    assert based == {
        (models["fraud-approved"], packages[("fraud-models/1", "Approved")]),
        (models["fraud-pending"], packages[("fraud-models/2", "PendingManualApproval")]),
    }
    assert graph.node(models["fraud-approved"])["model_package_approval"] == "Approved"


def test_models_not_from_an_approved_package_are_findings(graph: Graph) -> None:
    assert _fired(graph, "AWS-SM-022") == {"fraud-pending", "falcon-js"}


def test_jumpstart_tags_give_provenance(graph: Graph) -> None:
    falcon = graph.node(_named(graph, "SageMakerModel")["falcon-js"])
    assert (falcon["jumpstart_model_id"], falcon["jumpstart_model_version"]) == (
        "huggingface-llm-falcon-7b-bf16",
        "2.0.0",
    )
    assert (falcon["provenance_source"], falcon["provenance_id"], falcon["provenance_pinned"]) == (
        "jumpstart",
        "huggingface-llm-falcon-7b-bf16",
        True,
    )


def test_studio_default_lifecycle_configuration(graph: Graph) -> None:
    domains = _named(graph, "SageMakerDomain")
    assert graph.node(domains["studio-managed"])["lifecycle_configs"] == [LCC]
    # Defender: LifecycleConfigArn should be configured on SageMaker apps
    assert _fired(graph, "AWS-SM-018") == {"studio-bare"}


def test_clarify_ran_in_an_account_that_serves_models(graph: Graph) -> None:
    # Prowler sagemaker_clarify_exists passes with a Clarify job; the failing case (models,
    # processing jobs, none of them Clarify) is in test_aws_aibom.
    assert graph.node(f"arn:aws:iam::{A}:root")["clarify_used"] is True
    assert _fired(graph, "AWS-SM-023") == set()


def test_endpoints_without_a_running_monitor(graph: Graph) -> None:
    # Prowler sagemaker_models_monitor_enabled: a Scheduled monitor passes, a stopped one or
    # none fails (here per endpoint).
    assert _fired(graph, "AWS-SM-021") == {"fraud-unwatched", "fraud-stopped-monitor"}


SECRET = "hf_AbCdEfGhIjKlMnOpQrStUvWxYz012345"


def _notebooks(session: Any) -> None:
    role = session.client("iam").create_role(RoleName="nb-role", AssumeRolePolicyDocument=TRUST)
    sm = session.client("sagemaker", region_name=R)
    scripts = {
        "leaky": f"#!/bin/bash\nset -e\nexport HF_TOKEN={SECRET}\npip install transformers\n",
        "at-run-time": "#!/bin/bash\n# HF_TOKEN=hf_commentedOutNotRead0000000000\n"
        "export HF_TOKEN=$(aws secretsmanager get-secret-value --secret-id hf "
        "--query SecretString --output text)\n",
    }
    for name, script in scripts.items():
        sm.create_notebook_instance_lifecycle_config(
            NotebookInstanceLifecycleConfigName=name,
            OnStart=[{"Content": base64.b64encode(script.encode()).decode()}],
        )
        sm.create_notebook_instance(
            NotebookInstanceName=f"nb-{name}",
            InstanceType="ml.t3.medium",
            RoleArn=role["Role"]["Arn"],
            LifecycleConfigName=name,
        )


def test_lifecycle_scripts_are_scanned_never_stored(moto_env: MotoEnv) -> None:
    moto_env.reset()
    _notebooks(moto_env.session())
    result = collect(CollectOptions(regions=[R], services=("iam", "sagemaker"), max_workers=2))
    assert not [c for c in result.coverage_table() if c["status"] != "ok"]
    stored = json.dumps([d.body for d in result.documents])
    assert SECRET not in stored and "commentedOut" not in stored
    assert base64.b64encode(SECRET.encode()).decode()[:20] not in stored
    graph = build_graph(result.documents, BuildContext())
    notebooks = _named(graph, "SageMakerNotebookInstance")
    assert graph.node(notebooks["nb-leaky"])["lifecycle_secrets"] == [
        "OnStart line 3: credential format"
    ]
    assert graph.node(notebooks["nb-at-run-time"])["lifecycle_secrets"] == []
    # Prowler sagemaker_notebook_instance_no_secrets: the leaky script fails, the other passes
    assert _fired(graph, "AWS-SM-006") == {"nb-leaky"}


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("aws configure set aws_secret_access_key wJalrXUtnFEMIK7MDENGbPxRfiCYzEXAMPLEKEY", 1),
        ("pip install --index-url https://bot:s3cretpass@pypi.acme.internal/simple x", 1),
        ("export OPENAI_API_KEY=${OPENAI_API_KEY}", 0),
        ("export PASSWORD=short", 0),  # too short to be a secret
        ("echo starting; export DB_PASSWORD='Tr0ub4dor&3xyz'", 1),
        ("-----BEGIN RSA PRIVATE KEY-----", 1),
        ("# export TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123", 0),  # a comment is not run
    ],
)
def test_script_detectors(script: str, expected: int) -> None:
    from aispm_graph.providers.aws.script_secrets import scan_script

    found = scan_script(script)
    assert len(found) == expected, found
    said = " ".join(found)
    assert not any(v in said for v in ("wJalrXUtn", "s3cretpass", "Tr0ub4dor", "ghp_", "BEGIN"))
