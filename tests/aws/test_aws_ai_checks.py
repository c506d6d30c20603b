"""The AI posture checks on the reference tools' own pass and fail cases.

Each case is a fact of the peer (Prowler's checks at 3e000faa, Defender's AWS recommendations)
reproduced as an estate: created in moto where moto implements the API (agents, knowledge
bases, IAM, VPCs, log groups, Organizations, invocation logging) and answered by the replay
server where it does not (guardrails, knowledge-base data sources, custom models and their
ownership listing). The real collector reads it all over HTTP, the real build makes the graph,
and the assertions are on the findings a user sees, as sets of (check, resource name).
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
from aispm_graph.recommendations.evaluate import evaluate
from fixtures.aws.replay_proxy import ReplayProxy
from tests.aws.aws_moto import ROOT, MotoEnv, doc

REGION = "us-east-1"
ACCOUNT = "123456789012"
SERVICES = ("iam", "organizations", "ec2", "bedrock", "bedrock-agent", "bedrock-flows", "logs")
GR = f"arn:aws:bedrock:{REGION}:{ACCOUNT}:guardrail"
FOUNDATION = f"arn:aws:bedrock:{REGION}::foundation-model"
PII = {"piiEntities": [{"type": "EMAIL", "action": "ANONYMIZE"}]}
BLOCKING = {
    "filters": [
        {"type": "GROUNDING", "threshold": 0.7, "action": "BLOCK", "enabled": True},
        {"type": "RELEVANCE", "threshold": 0.7, "action": "BLOCK", "enabled": True},
    ]
}


def _prompt(strength: str) -> dict[str, Any]:
    return {
        "filters": [{"type": "PROMPT_ATTACK", "inputStrength": strength, "outputStrength": "NONE"}]
    }


# name -> GetGuardrail policies; every guardrail is sound except for the aspect it is named for.
GUARDRAILS: dict[str, dict[str, Any]] = {
    "gr-sound": {},
    "gr-prompt-low": {"contentPolicy": _prompt("LOW")},
    "gr-prompt-medium": {"contentPolicy": _prompt("MEDIUM")},
    "gr-prompt-absent": {
        "contentPolicy": {
            "filters": [{"type": "HATE", "inputStrength": "HIGH", "outputStrength": "HIGH"}]
        }
    },
    "gr-pii-absent": {"sensitiveInformationPolicy": None},
    "gr-pii-regex": {
        "sensitiveInformationPolicy": {
            "regexes": [{"name": "acct", "pattern": "\\d{12}", "action": "BLOCK"}]
        }
    },
    "gr-ground-only": {"contextualGroundingPolicy": {"filters": [BLOCKING["filters"][0]]}},
    "gr-relevance-none": {
        "contextualGroundingPolicy": {
            "filters": [
                BLOCKING["filters"][0],
                {"type": "RELEVANCE", "threshold": 0.7, "action": "NONE", "enabled": True},
            ]
        }
    },
    "gr-threshold-zero": {
        "contextualGroundingPolicy": {
            "filters": [
                BLOCKING["filters"][0],
                {"type": "RELEVANCE", "threshold": 0, "action": "BLOCK"},
            ]
        }
    },
    "gr-ground-disabled": {
        "contextualGroundingPolicy": {
            "filters": [
                {"type": "GROUNDING", "threshold": 0.7, "action": "BLOCK", "enabled": False},
                BLOCKING["filters"][1],
            ]
        }
    },
    "gr-ground-absent": {"contextualGroundingPolicy": None},
    # enabled / action omitted: Prowler says MANUAL; here it is not a finding (documented)
    "gr-ground-omitted": {
        "contextualGroundingPolicy": {
            "filters": [
                {"type": "GROUNDING", "threshold": 0.7},
                {"type": "RELEVANCE", "threshold": 0.7},
            ]
        }
    },
}
OWNED = (
    f"arn:aws:bedrock:{REGION}:{ACCOUNT}:custom-model/amazon.titan-text-express-v1:0:8k/own0plain01"
)
OWNED_CMK = (
    f"arn:aws:bedrock:{REGION}:{ACCOUNT}:custom-model/amazon.titan-text-express-v1:0:8k/own0keyed01"
)
TITAN = "amazon.titan-text-express-v1:0:8k"
SHARED = f"arn:aws:bedrock:{REGION}:999988887777:custom-model/{TITAN}/shr0plain01"
MODELS = {
    "own-plain": (OWNED, None),
    "own-keyed": (OWNED_CMK, "arn:aws:kms:us-east-1:123456789012:key/k1"),
    "shared-plain": (SHARED, None),
}


def _guardrail_routes() -> list[dict[str, Any]]:
    listing, routes = [], []
    for i, (name, over) in enumerate(GUARDRAILS.items()):
        gid = f"gr{i:09d}"
        body: dict[str, Any] = {
            "guardrailId": gid,
            "guardrailArn": f"{GR}/{gid}",
            "name": name,
            "version": "DRAFT",
            "status": "READY",
            "contentPolicy": _prompt("HIGH"),
            "sensitiveInformationPolicy": PII,
            "contextualGroundingPolicy": BLOCKING,
            "blockedInputMessaging": "no",
            "blockedOutputsMessaging": "no",
            "createdAt": "2026-01-01T00:00:00Z",
            "updatedAt": "2026-01-01T00:00:00Z",
        }
        body.update(over)
        body = {k: v for k, v in body.items() if v is not None}
        listing.append(
            {
                "id": gid,
                "arn": f"{GR}/{gid}",
                "name": name,
                "status": "READY",
                "version": "DRAFT",
                "createdAt": "2026-01-01T00:00:00Z",
                "updatedAt": "2026-01-01T00:00:00Z",
            }
        )
        routes.append({"method": "GET", "path": f"/guardrails/{gid}", "body": body})
    routes.append({"method": "GET", "path": "/guardrails", "body": {"guardrails": listing}})
    return routes


def _model_routes() -> list[dict[str, Any]]:
    def summary(name: str, arn: str) -> dict[str, Any]:
        return {
            "modelArn": arn,
            "modelName": name,
            "creationTime": "2026-01-01T00:00:00Z",
            "baseModelArn": f"{FOUNDATION}/amazon.titan-text-express-v1",
            "baseModelName": "titan",
        }

    every = [summary(n, a) for n, (a, _k) in MODELS.items()]
    routes: list[dict[str, Any]] = [
        {
            "method": "GET",
            "path": "/custom-models",
            "query": "isOwned=true",
            "body": {"modelSummaries": every[:2]},
        },
        {"method": "GET", "path": "/custom-models", "body": {"modelSummaries": every}},
    ]
    for name, (arn, key) in MODELS.items():
        body = {
            "modelArn": arn,
            "modelName": name,
            "jobArn": f"{arn}-job",
            "baseModelArn": every[0]["baseModelArn"],
            "creationTime": "2026-01-01T00:00:00Z",
            "trainingDataConfig": {"s3Uri": "s3://train/x.jsonl"},
            "outputDataConfig": {"s3Uri": "s3://out/"},
        }
        if key:
            body["modelKmsKeyArn"] = key
        routes.append({"method": "GET", "path": f"/custom-models/{arn}", "body": body})
    return routes


def _collect(
    moto_env: MotoEnv, tmp: Path, routes: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> Graph:
    rec = tmp / "routes.json"
    rec.write_text(json.dumps({"routes": routes}), encoding="utf-8")
    # The AI-BOM listings moto lacks (foundation models, prompts, flows, ...) answer empty.
    empty = ROOT / "fixtures" / "aws" / "recorded" / "aibom_empty.json"
    proxy = ReplayProxy(moto_env.url, [rec, empty]).start()
    try:
        monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK", proxy.url)
        monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_AGENT", proxy.url)
        result = collect(CollectOptions(regions=[REGION], services=SERVICES, max_workers=4))
    finally:
        proxy.stop()
    bad = [c for c in result.coverage_table() if c["status"] != "ok"]
    assert not bad, bad
    ctx = BuildContext()
    graph = build_graph(result.documents, ctx)
    assert not [w for w in ctx.warnings if "skipped" in w], ctx.warnings
    return graph


def _fired(graph: Graph, check: str) -> set[str]:
    return {f.name for f in evaluate(graph) if f.check == check}


def _vpc_with_eni(ec2: Any, cidr: str) -> str:
    vpc = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock=cidr.replace("/16", "/24"))["Subnet"][
        "SubnetId"
    ]
    ec2.create_network_interface(SubnetId=subnet)
    return vpc


def _endpoints(ec2: Any, vpc: str, *services: str) -> None:
    for svc in services:
        ec2.create_vpc_endpoint(
            VpcId=vpc, ServiceName=f"com.amazonaws.{REGION}.{svc}", VpcEndpointType="Interface"
        )


@pytest.fixture(scope="module")
def module_monkeypatch() -> Iterator[pytest.MonkeyPatch]:
    with pytest.MonkeyPatch.context() as mp:
        yield mp


@pytest.fixture(scope="module")
def managed_policies(moto_env: MotoEnv) -> Iterator[None]:
    """moto (in this process) loads AWS managed policies such as AmazonBedrockFullAccess only
    when MOTO_IAM_LOAD_MANAGED_POLICIES is set when its IAM backend is created."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
        moto_env.reset()
        yield
    moto_env.reset()


@pytest.fixture(scope="module")
def estate(
    moto_env: MotoEnv,
    managed_policies: None,
    tmp_path_factory: pytest.TempPathFactory,
    module_monkeypatch: pytest.MonkeyPatch,
) -> Graph:
    """Bedrock used with resources: guardrails, models, agents, knowledge bases, logging."""
    moto_env.reset()
    s = moto_env.session()
    iam, ec2, agent, bedrock, logs, org = (
        s.client(n) for n in ("iam", "ec2", "bedrock-agent", "bedrock", "logs", "organizations")
    )
    trust = doc(
        {
            "Effect": "Allow",
            "Principal": {"Service": "bedrock.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    )
    people = doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
            "Action": "sts:AssumeRole",
        }
    )
    boundary = iam.create_policy(
        PolicyName="agent-boundary",
        PolicyDocument=doc({"Effect": "Allow", "Action": "bedrock:InvokeModel", "Resource": "*"}),
    )["Policy"]["Arn"]
    dedicated = iam.create_role(
        RoleName="agent-dedicated", AssumeRolePolicyDocument=trust, PermissionsBoundary=boundary
    )["Role"]["Arn"]
    iam.put_role_policy(
        RoleName="agent-dedicated",
        PolicyName="invoke",
        PolicyDocument=doc({"Effect": "Allow", "Action": "bedrock:InvokeModel", "Resource": "*"}),
    )
    shared = iam.create_role(RoleName="agent-shared-admin", AssumeRolePolicyDocument=trust)["Role"][
        "Arn"
    ]
    iam.put_role_policy(
        RoleName="agent-shared-admin",
        PolicyName="all",
        PolicyDocument=doc({"Effect": "Allow", "Action": "*", "Resource": "*"}),
    )
    full = "arn:aws:iam::aws:policy/AmazonBedrockFullAccess"
    iam.create_role(RoleName="analyst", AssumeRolePolicyDocument=people)
    iam.attach_role_policy(RoleName="analyst", PolicyArn=full)
    iam.create_role(RoleName="bedrock-service", AssumeRolePolicyDocument=trust)
    iam.attach_role_policy(RoleName="bedrock-service", PolicyArn=full)
    created: list[str] = []
    stages = [
        {
            "promptType": "ORCHESTRATION",
            "promptState": "ENABLED",
            "parserMode": "DEFAULT",
            "promptCreationMode": "DEFAULT",
        },
        {
            "promptType": "KNOWLEDGE_BASE_RESPONSE_GENERATION",
            "promptState": "ENABLED",
            "parserMode": "DEFAULT",
            "promptCreationMode": "DEFAULT",
        },
    ]
    created.append(
        agent.create_agent(
            agentName="agent-sound",
            agentResourceRoleArn=dedicated,
            foundationModel="anthropic.claude-3",
            instruction="Answer HR questions from the handbook only.",
            promptOverrideConfiguration={"promptConfigurations": stages},
        )["agent"]["agentId"]
    )
    created.append(
        agent.create_agent(
            agentName="agent-bare",
            agentResourceRoleArn=shared,
            foundationModel="anthropic.claude-3",
        )["agent"]["agentId"]
    )
    overridden = [
        {**stages[0], "parserMode": "OVERRIDDEN", "promptState": "DISABLED"},
        stages[1],
    ]
    created.append(
        agent.create_agent(
            agentName="agent-parser",
            agentResourceRoleArn=shared,
            foundationModel="anthropic.claude-3",
            instruction="Summarise support tickets; never change account settings.",
            promptOverrideConfiguration={
                "promptConfigurations": overridden,
                "overrideLambda": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:parser",
            },
        )["agent"]["agentId"]
    )

    def kb(name: str, mapping: dict[str, str]) -> str:
        return str(
            agent.create_knowledge_base(
                name=name,
                roleArn=dedicated,
                knowledgeBaseConfiguration={
                    "type": "VECTOR",
                    "vectorKnowledgeBaseConfiguration": {
                        "embeddingModelArn": f"{FOUNDATION}/amazon.titan-embed-text-v2:0"
                    },
                },
                storageConfiguration={
                    "type": "OPENSEARCH_SERVERLESS",
                    "opensearchServerlessConfiguration": {
                        "collectionArn": f"arn:aws:aoss:{REGION}:{ACCOUNT}:collection/c1",
                        "vectorIndexName": "i",
                        "fieldMapping": mapping,
                    },
                },
            )["knowledgeBase"]["knowledgeBaseId"]
        )

    kb_keyed = kb("kb-keyed", {"vectorField": "v", "textField": "t", "metadataField": "m"})
    kb_plain = kb("kb-plain", {"vectorField": "v", "textField": "t", "metadataField": ""})
    logs.create_log_group(logGroupName="bedrock-invocations")
    bedrock.put_model_invocation_logging_configuration(
        loggingConfig={
            "cloudWatchConfig": {"logGroupName": "bedrock-invocations", "roleArn": dedicated},
            "textDataDeliveryEnabled": True,
        }
    )
    runtime_only = _vpc_with_eni(ec2, "10.1.0.0/16")
    _endpoints(ec2, runtime_only, "bedrock-runtime")
    complete = _vpc_with_eni(ec2, "10.2.0.0/16")
    _endpoints(
        ec2, complete, "bedrock", "bedrock-runtime", "bedrock-agent", "bedrock-agent-runtime"
    )
    org.create_organization(FeatureSet="ALL")
    root = org.list_roots()["Roots"][0]["Id"]
    org.enable_policy_type(RootId=root, PolicyType="AISERVICES_OPT_OUT_POLICY")
    pol = org.create_policy(
        Name="ai-opt-out",
        Description="d",
        Type="AISERVICES_OPT_OUT_POLICY",
        Content=json.dumps(
            {
                "services": {
                    "default": {
                        "opt_out_policy": {
                            "@@assign": "optOut",
                            "@@operators_allowed_for_child_policies": ["@@none"],
                        }
                    }
                }
            }
        ),
    )
    org.attach_policy(PolicyId=pol["Policy"]["PolicySummary"]["Id"], TargetId=root)

    def data_sources(kid: str, name: str, key: str | None) -> list[dict[str, Any]]:
        ds: dict[str, Any] = {
            "knowledgeBaseId": kid,
            "dataSourceId": f"ds{name[-5:]}",
            "name": name,
            "status": "AVAILABLE",
            "dataSourceConfiguration": {
                "type": "S3",
                "s3Configuration": {"bucketArn": "arn:aws:s3:::kb-docs"},
            },
            "createdAt": "2026-01-01T00:00:00Z",
            "updatedAt": "2026-01-01T00:00:00Z",
        }
        if key:
            ds["serverSideEncryptionConfiguration"] = {"kmsKeyArn": key}
        return [
            {
                "method": "POST",
                "path": f"/knowledgebases/{kid}/datasources",
                "body": {
                    "dataSourceSummaries": [
                        {
                            "knowledgeBaseId": kid,
                            "dataSourceId": ds["dataSourceId"],
                            "name": name,
                            "status": "AVAILABLE",
                            "updatedAt": "2026-01-01T00:00:00Z",
                        }
                    ]
                },
            },
            {
                "method": "GET",
                "path": f"/knowledgebases/{kid}/datasources/{ds['dataSourceId']}",
                "body": {"dataSource": ds},
            },
        ]

    agent_routes = [
        {"method": "POST", "path": f"/agents/{aid}/{what}", "body": {key: []}}
        for aid in created
        for what, key in (
            ("agentaliases", "agentAliasSummaries"),
            ("agentversions/DRAFT/actiongroups", "actionGroupSummaries"),
            ("agentversions/DRAFT/knowledgebases", "agentKnowledgeBaseSummaries"),
            ("agentversions/DRAFT/agentcollaborators", "agentCollaboratorSummaries"),
        )
    ]
    routes = [
        *agent_routes,
        *_guardrail_routes(),
        *_model_routes(),
        *data_sources(kb_keyed, "docs-keyed", "arn:aws:kms:us-east-1:123456789012:key/k2"),
        *data_sources(kb_plain, "docs-plain", None),
        {
            "method": "GET",
            "path": "/provisioned-model-throughputs",
            "body": {"provisionedModelSummaries": []},
        },
    ]
    return _collect(moto_env, tmp_path_factory.mktemp("ai-checks"), routes, module_monkeypatch)


def test_prompt_attack_filter_must_be_high(estate: Graph) -> None:
    # Prowler bedrock_guardrail_prompt_attack_filter_enabled: HIGH passes; LOW, MEDIUM and no
    # filter fail. LOW passed here before (the known disagreement).
    assert _fired(estate, "AWS-BR-003") == {"gr-prompt-low", "gr-prompt-medium", "gr-prompt-absent"}


def test_sensitive_information_filter(estate: Graph) -> None:
    # PII entities or regexes pass; a guardrail without a sensitive information policy fails.
    assert _fired(estate, "AWS-BR-006") == {"gr-pii-absent"}


def test_contextual_grounding_blocks_both_ways(estate: Graph) -> None:
    assert _fired(estate, "AWS-BR-007") == {
        "gr-ground-only",
        "gr-relevance-none",
        "gr-threshold-zero",
        "gr-ground-disabled",
        "gr-ground-absent",
    }


def test_guardrails_exist_where_bedrock_runs(estate: Graph) -> None:
    assert _fired(estate, "AWS-BR-008") == set()


def test_prompt_management_where_bedrock_runs(estate: Graph) -> None:
    # Prowler bedrock_prompt_management_exists: a region without prompts fails (the listing
    # answered empty); the region with prompts passes in test_aws_bedrock_posture_props.
    assert _fired(estate, "AWS-BR-012") == {f"invocation logging {REGION}"}


def test_shared_custom_model_is_not_this_accounts_finding(estate: Graph) -> None:
    # Prowler lists with isOwned=true: the model shared from 999988887777 is not audited.
    assert _fired(estate, "AWS-BR-005") == {"own-plain"}
    assert estate.node(SHARED)["owned"] is False and estate.node(OWNED)["owned"] is True


def test_agent_instructions_overrides_and_roles(estate: Graph) -> None:
    assert _fired(estate, "AWS-BR-018") == {"agent-bare"}  # no instruction
    assert _fired(estate, "AWS-BR-019") == {"agent-parser"}  # parserMode OVERRIDDEN
    assert _fired(estate, "AWS-BR-020") == {"agent-bare"}  # no prompt override configuration
    assert _fired(estate, "AWS-BR-021") == {"agent-parser"}  # ORCHESTRATION disabled
    # Prowler: one role per agent, and no admin / *FullAccess / missing boundary on it.
    assert _fired(estate, "AWS-BR-015") == {"agent-bare", "agent-parser"}
    assert _fired(estate, "AWS-BR-014") == {"agent-bare", "agent-parser"}


def test_bedrock_full_access_on_non_service_roles(estate: Graph) -> None:
    assert _fired(estate, "AWS-BR-013") == {"analyst"}


def test_knowledge_base_encryption_and_field_mapping(estate: Graph) -> None:
    assert _fired(estate, "AWS-BR-009") == {"kb-plain"}
    assert _fired(estate, "AWS-BR-022") == {"kb-plain"}


def test_invocation_logs_without_a_kms_key(estate: Graph) -> None:
    assert _fired(estate, "AWS-BR-001") == set()
    assert _fired(estate, "AWS-BR-010") == {f"invocation logging {REGION}"}


def test_every_bedrock_endpoint_the_region_uses(estate: Graph) -> None:
    # Agents and knowledge bases exist, so all four endpoints are required; a runtime
    # endpoint alone used to pass.
    fired = {f.resource: f for f in evaluate(estate) if f.check == "AWS-BR-004"}
    missing = {estate.node(v)["name"]: estate.node(v)["bedrock_endpoints_missing"] for v in fired}
    runtime_only = [
        m for m in missing.values() if m == ["bedrock", "bedrock-agent", "bedrock-agent-runtime"]
    ]
    assert len(runtime_only) == 1 and len(missing) == 1, missing


def test_ai_opt_out_policy_on_the_root(estate: Graph) -> None:
    assert _fired(estate, "AWS-ORG-001") == set()
    assert estate.node(f"arn:aws:iam::{ACCOUNT}:root")["ai_opt_out_policies"] == ["ai-opt-out"]


def test_on_demand_region_is_in_use_through_its_logging(
    moto_env: MotoEnv, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, estate: Graph
) -> None:
    """No Bedrock resource at all: models are invoked on demand, and the invocation logging
    configuration is the only trace. The region is in use, so it needs a guardrail and the
    control-plane and runtime endpoints; no opt-out policy applies."""
    moto_env.reset()
    s = moto_env.session()
    ec2, org = s.client("ec2"), s.client("organizations")
    bedrock = s.client("bedrock", endpoint_url=moto_env.url)  # not through a replay server
    bedrock.put_model_invocation_logging_configuration(
        loggingConfig={"s3Config": {"bucketName": "logs"}}
    )
    vpc = _vpc_with_eni(ec2, "10.3.0.0/16")
    org.create_organization(FeatureSet="ALL")
    routes = [
        {"method": "GET", "path": "/guardrails", "body": {"guardrails": []}},
        {"method": "GET", "path": "/custom-models", "body": {"modelSummaries": []}},
        {
            "method": "GET",
            "path": "/provisioned-model-throughputs",
            "body": {"provisionedModelSummaries": []},
        },
    ]
    graph = _collect(moto_env, tmp_path, routes, monkeypatch)
    logging_node = f"arn:aws:bedrock:{REGION}:{ACCOUNT}:model-invocation-logging"
    assert graph.node(logging_node)["in_use_evidence"] == ["model invocation logging is configured"]
    assert _fired(graph, "AWS-BR-008") == {f"invocation logging {REGION}"}
    assert _fired(graph, "AWS-BR-012") == {f"invocation logging {REGION}"}
    vpc_id = f"arn:aws:ec2:{REGION}:{ACCOUNT}:vpc/{vpc}"
    assert {f.resource for f in evaluate(graph) if f.check == "AWS-BR-004"} == {vpc_id}
    assert graph.node(vpc_id)["bedrock_endpoints_missing"] == ["bedrock", "bedrock-runtime"]
    assert _fired(graph, "AWS-ORG-001") == {ACCOUNT}
