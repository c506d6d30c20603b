"""Bedrock posture facts read off collected answers: customer-managed keys of prompts,
guardrails, agents and flows (with the edge to the key), the models prompts use, how custom
models were trained (VPC) and tagged, and whether a region keeps prompts in Prompt Management.

moto makes the KMS key, the roles, the customization jobs (with and without vpcConfig, tags
and key) and the agents (with and without customerEncryptionKeyArn); the replay server
answers what moto lacks (guardrails, prompts, agent sub-listings) as botocore's models shape
them. The real collector reads it all; assertions are on findings and edges users see.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from aispm_graph.build import BuildContext, build_graph
from aispm_graph.graph.model import Graph
from aispm_graph.providers.aws.collect import CollectOptions, collect
from aispm_graph.recommendations.evaluate import evaluate
from fixtures.aws.replay_proxy import ReplayProxy
from tests.aws.aws_moto import ROOT, MotoEnv

A, R = "123456789012", "us-east-1"
HAIKU_ID = "anthropic.claude-3-haiku-20240307-v1:0"
HAIKU = f"arn:aws:bedrock:{R}::foundation-model/{HAIKU_ID}"
GR = f"arn:aws:bedrock:{R}:{A}:guardrail"
PROMPT = f"arn:aws:bedrock:{R}:{A}:prompt"
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "bedrock.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
)


def _setup(session: Any) -> dict[str, Any]:
    key = session.client("kms", region_name=R).create_key(Description="bedrock")["KeyMetadata"]
    role = session.client("iam").create_role(RoleName="br-role", AssumeRolePolicyDocument=TRUST)
    role_arn = role["Role"]["Arn"]
    s3 = session.client("s3", region_name=R)
    for bucket in ("ft-train", "ft-out"):
        s3.create_bucket(Bucket=bucket)
    bedrock = session.client("bedrock", region_name=R)
    common = {
        "roleArn": role_arn,
        "baseModelIdentifier": "amazon.titan-text-express-v1",
        "trainingDataConfig": {"s3Uri": "s3://ft-train/data.jsonl"},
        "outputDataConfig": {"s3Uri": "s3://ft-out/"},
        "hyperParameters": {"epochCount": "1"},
    }
    bedrock.create_model_customization_job(jobName="job-open", customModelName="ft-open", **common)
    bedrock.create_model_customization_job(
        jobName="job-vpc",
        customModelName="ft-vpc",
        customModelKmsKeyId=key["Arn"],
        customModelTags=[{"key": "owner", "value": "ml-platform"}],
        vpcConfig={"subnetIds": ["subnet-0a1b2c3d"], "securityGroupIds": ["sg-0a1b2c3d"]},
        **common,
    )
    agent = session.client("bedrock-agent", region_name=R)
    agents = [
        agent.create_agent(
            agentName="agent-keyed",
            agentResourceRoleArn=role_arn,
            foundationModel=HAIKU_ID,
            instruction="Answer billing questions from the billing handbook only.",
            customerEncryptionKeyArn=key["Arn"],
        )["agent"]["agentId"],
        agent.create_agent(
            agentName="agent-plain",
            agentResourceRoleArn=role_arn,
            foundationModel=HAIKU_ID,
            instruction="Answer billing questions from the billing handbook only.",
        )["agent"]["agentId"],
    ]
    return {"key": key["Arn"], "agents": agents}


def _guardrail(gid: str, name: str, key: str | None) -> dict[str, Any]:
    body = {
        "guardrailId": gid,
        "guardrailArn": f"{GR}/{gid}",
        "name": name,
        "version": "DRAFT",
        "status": "READY",
        "blockedInputMessaging": "no",
        "blockedOutputsMessaging": "no",
        "createdAt": "2026-01-01T00:00:00Z",
        "updatedAt": "2026-01-01T00:00:00Z",
    }
    if key:
        body["kmsKeyArn"] = key
    return body


def _prompt(pid: str, name: str, key: str | None) -> dict[str, Any]:
    body = {
        "name": name,
        "id": pid,
        "arn": f"{PROMPT}/{pid}",
        "version": "DRAFT",
        "defaultVariant": "v1",
        "variants": [
            {
                "name": "v1",
                "templateType": "TEXT",
                "modelId": HAIKU_ID,
                "templateConfiguration": {"text": {"text": "Summarise {{ticket}}"}},
            }
        ],
        "createdAt": "2026-01-01T00:00:00Z",
        "updatedAt": "2026-01-01T00:00:00Z",
    }
    if key:
        body["customerEncryptionKeyArn"] = key
    return body


def _routes(made: dict[str, Any]) -> list[dict[str, Any]]:
    key = made["key"]
    guardrails = [
        _guardrail("grkeyed0001", "gr-keyed", key),
        _guardrail("grplain0001", "gr-plain", None),
    ]
    prompts = [
        _prompt("PRKEYED001", "prompt-keyed", key),
        _prompt("PRPLAIN001", "prompt-plain", None),
    ]
    routes: list[dict[str, Any]] = [
        {
            "method": "GET",
            "path": "/guardrails",
            "body": {
                "guardrails": [
                    {k: g[k] for k in ("name", "status", "version", "createdAt", "updatedAt")}
                    | {"id": g["guardrailId"], "arn": g["guardrailArn"]}
                    for g in guardrails
                ]
            },
        },
        *(
            {"method": "GET", "path": f"/guardrails/{g['guardrailId']}", "body": g}
            for g in guardrails
        ),
        {
            "method": "GET",
            "path": "/prompts",
            "body": {
                "promptSummaries": [
                    {k: p[k] for k in ("name", "id", "arn", "version", "createdAt", "updatedAt")}
                    for p in prompts
                ]
            },
        },
        *({"method": "GET", "path": f"/prompts/{p['id']}", "body": p} for p in prompts),
        {
            "method": "GET",
            "path": "/provisioned-model-throughputs",
            "body": {"provisionedModelSummaries": []},
        },
    ]
    routes += [
        {"method": "POST", "path": f"/agents/{aid}/{what}", "body": {field: []}}
        for aid in made["agents"]
        for what, field in (
            ("agentaliases", "agentAliasSummaries"),
            ("agentversions/DRAFT/actiongroups", "actionGroupSummaries"),
            ("agentversions/DRAFT/knowledgebases", "agentKnowledgeBaseSummaries"),
            ("agentversions/DRAFT/agentcollaborators", "agentCollaboratorSummaries"),
        )
    ]
    return routes


@pytest.fixture(scope="module")
def estate(
    moto_env: MotoEnv, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Graph, str]]:
    moto_env.reset()
    made = _setup(moto_env.session())
    rec = tmp_path_factory.mktemp("props") / "routes.json"
    rec.write_text(json.dumps({"routes": _routes(made)}), encoding="utf-8")
    empty = ROOT / "fixtures" / "aws" / "recorded" / "aibom_empty.json"
    proxy = ReplayProxy(moto_env.url, [empty, rec]).start()  # ours win
    mp = pytest.MonkeyPatch()
    try:
        for svc in ("BEDROCK", "BEDROCK_AGENT"):
            mp.setenv(f"AWS_ENDPOINT_URL_{svc}", proxy.url)
        services = ("iam", "s3", "kms", "bedrock", "bedrock-agent", "bedrock-flows")
        result = collect(CollectOptions(regions=[R], services=services, max_workers=2))
        bad = [c for c in result.coverage_table() if c["status"] != "ok"]
        assert not bad, bad
        ctx = BuildContext()
        graph = build_graph(result.documents, ctx)
        assert not [w for w in ctx.warnings if "skipped" in w], ctx.warnings
        yield graph, made["key"]
    finally:
        mp.undo()
        proxy.stop()


def _fired(graph: Graph, check: str) -> set[str]:
    return {f.name for f in evaluate(graph) if f.check == check}


def _by_name(graph: Graph, kind: str) -> dict[str, str]:
    return {d["name"]: n for n, d in graph.nodes(kind)}


def test_customer_managed_keys_are_properties_and_edges(estate: tuple[Graph, str]) -> None:
    graph, key = estate
    # Prowler bedrock_prompt_encrypted_with_cmk: a prompt without customerEncryptionKeyArn fails
    assert _fired(graph, "AWS-BR-011") == {"prompt-plain"}
    # Mondoo: guardrails, agents and flows under a customer-managed key
    assert _fired(graph, "AWS-BR-027") == {"gr-plain", "agent-plain"}
    keyed = {s for s, t, _ in graph.edges("ENCRYPTED_WITH") if t == key}
    names = {graph.node(s)["name"] for s in keyed}
    assert names == {"prompt-keyed", "gr-keyed", "agent-keyed"}


def test_prompts_use_their_variants_models(estate: tuple[Graph, str]) -> None:
    graph, _key = estate
    prompts = _by_name(graph, "BedrockPrompt")
    uses = {(s, t) for s, t, _ in graph.edges("USES_MODEL") if s in prompts.values()}
    assert uses == {(prompts["prompt-keyed"], HAIKU), (prompts["prompt-plain"], HAIKU)}
    edge = graph.edge(prompts["prompt-plain"], HAIKU, "USES_MODEL")
    assert edge is not None and edge["evidence"]["field"] == "variants[].modelId"
    # prompts are kept in Prompt Management here: not a finding
    assert _fired(graph, "AWS-BR-012") == set()


def test_custom_models_trained_outside_a_vpc_and_untagged(estate: tuple[Graph, str]) -> None:
    graph, _key = estate
    models = _by_name(graph, "BedrockCustomModel")
    assert graph.node(models["ft-vpc"])["customization_in_vpc"] is True
    assert graph.node(models["ft-vpc"])["tags"] == {"owner": "ml-platform"}
    # CloudSploit customModelInVpc / customModelHasTags (moto gives every custom model a
    # made-up key ARN, so the CMK check is tested on replayed models in test_aws_ai_checks)
    assert _fired(graph, "AWS-BR-025") == {"ft-open"}
    assert _fired(graph, "AWS-BR-026") == {"ft-open"}
