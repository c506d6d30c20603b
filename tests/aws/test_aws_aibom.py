"""The AWS AI bill of materials: every AI resource the collector reads is a node, every
reference in its record an edge (with the field as evidence) or a declared property.

The real collector (boto3) runs against moto for what moto implements (IAM, S3, KMS, Bedrock
custom models and customization jobs, SageMaker models, registry, processing jobs and
pipelines) and against the replay proxy for the rest (Bedrock foundation models, inference
profiles, imported models, Marketplace endpoints, provisioned throughput; SageMaker inference
components, Studio, feature groups), with answers shaped as botocore defines them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from aispm_graph.build import BuildContext, build_graph
from aispm_graph.graph.model import Graph
from aispm_graph.providers.aws.collect import CollectOptions, collect
from aispm_graph.schema import node_kind
from aispm_graph.transforms.registry import declared_reads
from fixtures.aws.replay_proxy import ReplayProxy
from tests.aws.aws_moto import MotoEnv
from tests.support.graph import pairs as edges

ROOT = Path(__file__).resolve().parents[2]
REC = ROOT / "fixtures" / "aws" / "recorded"

A, R = "123456789012", "us-east-1"
FM = f"arn:aws:bedrock:{R}::foundation-model/"
HAIKU = FM + "anthropic.claude-3-haiku-20240307-v1:0"
TITAN = FM + "amazon.titan-text-express-v1"
EMBED = FM + "amazon.titan-embed-text-v2:0"
LLAMA3 = FM + "meta.llama3-8b-instruct-v1:0"
SM = f"arn:aws:sagemaker:{R}:{A}:"
TGI = (
    "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-tgi-inference:"
    "2.1.1-tgi2.0.0-gpu-py310-cu121-ubuntu22.04"
)
COMMIT = "e1945c40cd546c78e41f1151f4db032b271faeaa"


def trust(service: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
            ],
        }
    )


def setup(session: Any) -> dict[str, str]:
    iam = session.client("iam")
    roles = {}
    for name, svc in (
        ("bedrock-job-role", "bedrock.amazonaws.com"),
        ("sm-exec-role", "sagemaker.amazonaws.com"),
        ("marketplace-endpoint-role", "sagemaker.amazonaws.com"),
        ("studio-space-role", "sagemaker.amazonaws.com"),
        ("studio-exec-role", "sagemaker.amazonaws.com"),
        ("feature-store-role", "sagemaker.amazonaws.com"),
        ("flow-exec-role", "bedrock.amazonaws.com"),
    ):
        roles[name] = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust(svc))["Role"][
            "Arn"
        ]
    s3 = session.client("s3", region_name=R)
    for bucket in (
        "acme-train",
        "acme-out",
        "acme-weights",
        "acme-features",
        "acme-prep",
        "acme-flow-docs",
    ):
        s3.create_bucket(Bucket=bucket)
    bedrock = session.client("bedrock", region_name=R)
    bedrock.create_model_customization_job(
        jobName="titan-ft-job",
        customModelName="titan-ft",
        roleArn=roles["bedrock-job-role"],
        baseModelIdentifier="amazon.titan-text-express-v1",
        trainingDataConfig={"s3Uri": "s3://acme-train/data.jsonl"},
        outputDataConfig={"s3Uri": "s3://acme-out/titan/"},
        hyperParameters={"epochCount": "1"},
    )
    sm = session.client("sagemaker", region_name=R)
    sm.create_model(
        ModelName="hf-llama",
        ExecutionRoleArn=roles["sm-exec-role"],
        PrimaryContainer={
            "Image": TGI,
            "Environment": {
                "HF_MODEL_ID": "meta-llama/Meta-Llama-3-8B-Instruct",
                "HF_MODEL_REVISION": COMMIT,
                "HF_TOKEN": "hf_secretvalue",
                "SM_NUM_GPUS": "1",
            },
        },
    )
    sm.create_model(
        ModelName="jumpstart-falcon",
        ExecutionRoleArn=roles["sm-exec-role"],
        PrimaryContainer={
            "Image": "763104351884.dkr.ecr.us-east-1.amazonaws.com/djl-inference:0.27.0",
            "ModelDataUrl": "s3://jumpstart-cache-prod-us-east-1/huggingface-infer/prepack/"
            "v1.0.0/infer-prepack-huggingface-llm-falcon-7b-bf16.tar.gz",
        },
    )
    sm.create_model_package_group(ModelPackageGroupName="fraud-models")
    sm.create_processing_job(
        ProcessingJobName="prep-features",
        RoleArn=roles["sm-exec-role"],
        AppSpecification={"ImageUri": "123.dkr.ecr.us-east-1.amazonaws.com/prep:1"},
        ProcessingResources={
            "ClusterConfig": {
                "InstanceCount": 1,
                "InstanceType": "ml.m5.large",
                "VolumeSizeInGB": 5,
            }
        },
        ProcessingInputs=[
            {
                "InputName": "raw",
                "S3Input": {
                    "S3Uri": "s3://acme-prep/raw/",
                    "LocalPath": "/opt/ml/processing/input",
                    "S3DataType": "S3Prefix",
                    "S3InputMode": "File",
                },
            }
        ],
    )
    sm.create_pipeline(
        PipelineName="train-pipeline",
        RoleArn=roles["sm-exec-role"],
        PipelineDefinition=json.dumps(
            {"Version": "2020-12-01", "Steps": [{"Name": "Train", "Type": "Training"}]}
        ),
    )
    return roles


@pytest.fixture(scope="module")
def aibom(moto_env: MotoEnv) -> Iterator[tuple[Graph, BuildContext, Any]]:
    recordings = [REC / "aibom_bedrock.json", REC / "aibom_sagemaker.json"]
    proxy = ReplayProxy(moto_env.url, recordings).start()
    mp = pytest.MonkeyPatch()
    try:
        mp.setenv("AWS_ENDPOINT_URL_BEDROCK", proxy.url)
        mp.setenv("AWS_ENDPOINT_URL_SAGEMAKER", proxy.url)
        mp.setenv("AWS_ENDPOINT_URL_BEDROCK_AGENT", proxy.url)
        moto_env.reset()
        setup(moto_env.session())
        result = collect(
            CollectOptions(
                regions=[R],
                services=("iam", "s3", "sagemaker", "bedrock", "bedrock-flows"),
                max_workers=2,
            )
        )
        bad = [c for c in result.coverage_table() if c["status"] != "ok"]
        assert not bad, bad
        ctx = BuildContext()
        yield build_graph(result.documents, ctx), ctx, result
    finally:
        mp.undo()
        proxy.stop()


def kinds(graph: Graph, *names: str) -> set[tuple[str, str]]:
    return {(n, d["kind"]) for name in names for n, d in graph.nodes(name)}


def test_every_bedrock_model_resource_is_a_node(aibom: Any) -> None:
    graph, _ctx, _r = aibom
    custom = next(n for n, _ in graph.nodes("BedrockCustomModel"))
    job = next(n for n, _ in graph.nodes("BedrockModelCustomizationJob"))
    assert kinds(graph, "BedrockFoundationModel") == {
        # usable (availability AVAILABLE) ...
        (HAIKU, "BedrockFoundationModel"),
        # ... or named by an estate resource (custom model base, provisioned throughput,
        # the cross-region inference profile's other region), whatever their access state
        (TITAN, "BedrockFoundationModel"),
        (EMBED, "BedrockFoundationModel"),
        (
            "arn:aws:bedrock:us-west-2::foundation-model/anthropic.claude-3-haiku-20240307-v1:0",
            "BedrockFoundationModel",
        ),
    }
    assert graph.node(HAIKU)["access_state"] == "available"
    assert graph.node(TITAN)["access_state"] == "not-authorized"
    # Llama 3: agreement pending and used by nothing: counted, not a target.
    assert not graph.has_node(LLAMA3)
    assert {(s.rsplit("/", 1)[-1], t.rsplit("/", 1)[-1]) for s, t in edges(graph, "SERVES")} >= {
        ("pt0000001", "amazon.titan-embed-text-v2:0"),
        ("us.anthropic.claude-3-haiku-20240307-v1:0", "anthropic.claude-3-haiku-20240307-v1:0"),
        ("app0000001", "anthropic.claude-3-haiku-20240307-v1:0"),
    }
    pt = graph.node(f"arn:aws:bedrock:{R}:{A}:provisioned-model/pt0000001")
    assert (pt["status"], pt["commitment_duration"], pt["commitment_expiration"]) == (
        "InService",
        "OneMonth",
        "2026-12-31T00:00:00+00:00",
    )
    # lineage: job -> custom model -> base model, with the fields as evidence
    assert (custom, TITAN) in edges(graph, "BASED_ON")
    assert (job, custom) in edges(graph, "PRODUCED")
    assert graph.edge(custom, TITAN, "BASED_ON")["evidence"]["field"] == "baseModelArn"
    assert (job, f"arn:aws:iam::{A}:role/bedrock-job-role") in edges(graph, "HAS_IDENTITY")
    assert (job, "arn:aws:s3:::acme-train") in edges(graph, "TRAINED_ON")
    assert ("arn:aws:s3:::acme-out", custom) in edges(graph, "STORES_ARTIFACT")
    imported = f"arn:aws:bedrock:{R}:{A}:imported-model/imp0000001"
    assert ("arn:aws:s3:::acme-weights", imported) in edges(graph, "STORES_ARTIFACT")
    mp = f"{SM}endpoint/mp-llama-guard"
    assert (mp, f"arn:aws:iam::{A}:role/marketplace-endpoint-role") in edges(graph, "HAS_IDENTITY")


def test_provenance_of_aws_models(aibom: Any) -> None:
    graph, _ctx, _r = aibom
    got = {
        (n.rsplit("/", 1)[-1], d.get("provenance_source"), d.get("provenance_id"))
        for n, d in graph.nodes()
        if d.get("provenance_source") and d.get("tenant") in (A, None)
    }
    assert {
        ("titan-ft", "custom-model", "amazon.titan-text-express-v1"),
        ("hf-llama", "huggingface", "meta-llama/Meta-Llama-3-8B-Instruct"),
        ("mp-llama-guard", "jumpstart", "huggingface-llm-llama-guard-3-8b"),
        ("pt0000001", "foundation-model", "amazon.titan-embed-text-v2:0"),
    } <= got
    llama = graph.node(f"{SM}model/hf-llama")
    assert llama["provenance_pinned"] is True and llama["hf_revision"] == COMMIT
    # the environment's token is never stored anywhere in the graph
    assert "hf_secretvalue" not in json.dumps([d for _n, d in graph.nodes()], default=str)
    assert llama["serving_framework"] == "tgi" and llama["serving_framework_version"] == "2.0.0"
    # the model runs as its execution role: an attack step
    assert (f"{SM}model/hf-llama", f"arn:aws:iam::{A}:role/sm-exec-role") in edges(
        graph, "HAS_IDENTITY"
    )


def test_public_jumpstart_bucket_is_not_an_estate_target(aibom: Any) -> None:
    graph, ctx, _r = aibom
    assert not graph.has_node("arn:aws:s3:::jumpstart-cache-prod-us-east-1")
    assert ctx.stats["aws.public_source_references"] >= 1
    js = graph.node(f"{SM}model/jumpstart-falcon")
    assert js["provenance_source"] == "jumpstart"


def test_sagemaker_mlops_and_studio(aibom: Any) -> None:
    graph, _ctx, _r = aibom
    assert {n.rsplit("/", 1)[-1] for n, _ in graph.nodes("SageMakerModelPackageGroup")} == {
        "fraud-models"
    }
    ic = f"{SM}inference-component/llama-ic"
    assert (ic, f"{SM}model/hf-llama") in edges(graph, "SERVES")
    app = f"{SM}app/d-abc123def456/team-space/jupyterlab/default"
    ident = graph.edge(app, f"arn:aws:iam::{A}:role/studio-space-role", "HAS_IDENTITY")
    assert ident is not None and ident["confidence"] == "inferred"
    assert (f"{SM}space/d-abc123def456/team-space", app) in edges(graph, "CONTAINS")
    proc = next(n for n, _ in graph.nodes("SageMakerProcessingJob"))
    assert (proc, f"arn:aws:iam::{A}:role/sm-exec-role") in edges(graph, "HAS_IDENTITY")
    assert (proc, "arn:aws:s3:::acme-prep") in edges(graph, "DATA_FROM")
    pipe = next(d for _n, d in graph.nodes("SageMakerPipeline"))
    assert pipe["step_types"] == ["Training"]
    fg = f"{SM}feature-group/customers"
    assert (fg, "arn:aws:s3:::acme-features") in edges(graph, "DATA_FROM")
    assert graph.node(fg)["online_store"] is True


def test_no_silent_drops_every_stored_answer_is_read(aibom: Any) -> None:
    """Completeness: every (service, operation) the collector stored is declared by a
    transform service, so no answer is collected and then ignored."""
    _graph, _ctx, result = aibom
    stored = {(d.body["service"], d.body["operation"]) for d in result.documents}
    assert stored - declared_reads("aws") == set()


def test_every_property_of_an_ai_node_is_declared(aibom: Any) -> None:
    """Completeness: what a record says about an AI resource is either an edge or a property
    the schema declares (and so documents), never an undocumented free string."""
    graph, _ctx, _r = aibom
    assert _undeclared(graph) == set()


def test_registry_sharing_is_kept(aibom: Any) -> None:
    graph, _ctx, _r = aibom
    group = next(d for _n, d in graph.nodes("SageMakerModelPackageGroup"))
    assert group["shared_with"] == ["arn:aws:iam::444455556666:root"]


def _undeclared(graph: Graph) -> set[tuple[str, str]]:
    """Undeclared properties on the AI-BOM kinds (other services' posture facts on core kinds
    are theirs to declare)."""
    from aispm_graph.schema.aibom_nodes import AIBOM_NODE_KINDS

    mine = {k.name for k in AIBOM_NODE_KINDS}
    out = set()
    for _n, d in graph.nodes():
        kind = node_kind(d["kind"])
        if d["kind"] not in mine:
            continue
        declared = {p.name for p in kind.props} | {"kind", "name", "provider", "collected"}
        out |= {(d["kind"], k) for k in d if k not in declared}
    return out


def test_prompts_and_flows(aibom: Any) -> None:
    graph, _ctx, _r = aibom
    prompt = graph.node(f"arn:aws:bedrock:{R}:{A}:prompt/PROMPT00001")
    assert prompt["models"] == ["anthropic.claude-3-haiku-20240307-v1:0"]
    flow_id = f"arn:aws:bedrock:{R}:{A}:flow/FLOW000001"
    flow = graph.node(flow_id)
    assert flow["node_types"] == ["Input", "KnowledgeBase", "LambdaFunction", "Output", "Retrieval"]
    assert flow["guardrails"] == ["gr0strong01"]
    assert flow["tools"] == [f"arn:aws:lambda:{R}:{A}:function:enrich-ticket"]
    # it runs as its role, and retrieves from the estate's bucket (a grounding target)
    assert (flow_id, f"arn:aws:iam::{A}:role/flow-exec-role") in edges(graph, "HAS_IDENTITY")
    assert (flow_id, "arn:aws:s3:::acme-flow-docs") in edges(graph, "GROUNDED_ON")
    assert "grounding" in graph.node("arn:aws:s3:::acme-flow-docs")["data_role"]


def test_an_account_serving_models_without_clarify(aibom: Any) -> None:
    from aispm_graph.recommendations.evaluate import evaluate

    graph = aibom[0]
    assert graph.node(f"arn:aws:iam::{A}:root")["clarify_used"] is False
    assert {f.name for f in evaluate(graph) if f.check == "AWS-SM-023"} == {A}
