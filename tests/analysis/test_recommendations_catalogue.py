"""Every catalogue check fires on its firing fixture and stays quiet on its non-firing one,
through the real CLI (graph file import, build, recommendations)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from aispm_graph.graph.model import Graph
from aispm_graph.recommendations.catalogue import CHECKS, register
from aispm_graph.recommendations.evaluate import evaluate
from aispm_graph.recommendations.model import Check, is_true
from tests.support.cli import invoke_cli

ADMIN_TRUST = {"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::1:root"}}]}
SERVICE_TRUST = {
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "bedrock.amazonaws.com"}}]
}
FULL_ACCESS = "arn:aws:iam::aws:policy/AmazonBedrockFullAccess"

# Every fixture node starts from a clean configuration of its kind, so each check's firing
# node fires that check only and its quiet twin fires nothing. ``None`` removes a property.
BASE: dict[str, dict[str, Any]] = {
    "AzureCognitiveServicesAccount": {
        "local_auth_enabled": False,
        "public_network_access": False,
        "network_default_action": "Deny",
        "private_endpoint_only": True,
        "diagnostic_logs_enabled": True,
        "identity_principal_id": "p-1",
        "tags": {"owner": "ai"},
        "cmk": True,
        "outbound_restricted": True,
    },
    "AzureOpenAIDeployment": {"rai_policy": "Microsoft.DefaultV2"},
    "AzureMLWorkspace": {
        "public_network_access": False,
        "isolation_mode": "AllowOnlyApprovedOutbound",
        "has_private_endpoint": True,
        "cmk": True,
        "system_datastores_auth_mode": "identity",
        "app_insights": True,
        "diagnostic_logs_enabled": True,
    },
    "AzureDatabricksWorkspace": {
        "public_network_access": False,
        "no_public_ip": True,
        "vnet_injected": True,
        "cmk": True,
        "has_private_endpoint": True,
        "diagnostic_logs_enabled": True,
    },
    "AzureMLOnlineEndpoint": {"auth_mode": "AADToken", "content_safety": "Enabled"},
    "AzureAIFoundryAgent": {
        "has_instructions": True,
        "connected_agent_without_instructions": False,
        "jailbreak_guardrail": True,
        "mcp_without_allowed_tools": False,
        "xpia_without_guardrail": False,
        "mcp_without_approval": False,
    },
    "AzureMLCompute": {"in_vnet": True, "local_auth_disabled": True},
    "AzureMLConnection": {"auth_type": "AAD"},
    "AzureSearchService": {"public_network_access": False, "local_auth_enabled": False},
    "BedrockInvocationLogging": {
        "enabled": True,
        "bedrock_in_use": True,
        "no_guardrails": False,
        "unencrypted_log_destinations": [],
        "prompt_management": True,
    },
    "AWSAccount": {
        "ai_opt_out": True,
        "bedrock_in_use": True,
        "cloudtrail_bedrock_data_events": True,
        "clarify_used": True,
    },
    "BedrockAgent": {
        "guardrail": "gr-1",
        "has_instruction": True,
        "prompt_override": True,
        "parser_override": False,
        "disabled_prompt_stages": [],
        "cmk": True,
    },
    "BedrockKnowledgeBase": {"data_sources_without_cmk": [], "field_mapping_gaps": []},
    "BedrockGuardrail": {
        "prompt_attack_filter": True,
        "prompt_attack_strength": "HIGH",
        "sensitive_information_filter": True,
        "grounding_filter_gaps": [],
        "cmk": True,
    },
    "BedrockPrompt": {"cmk": True},
    # a clean estate holds no usable long-term key; an inactive one authenticates nothing
    "BedrockApiKey": {"usable": False, "user": "user-admin"},
    "AWSVpc": {"bedrock_vpc_endpoint": True, "bedrock_endpoints_missing": []},
    "BedrockCustomModel": {"cmk": True, "customization_in_vpc": True, "tagged": True},
    "AWSRole": {"trust_policy": ADMIN_TRUST},
    "SageMakerNotebookInstance": {
        "root_access": False,
        "direct_internet_access": False,
        "subnet_id": "subnet-1",
        "cmk": True,
        "lifecycle_secrets": [],
    },
    # created from an approved Model Registry package (AWS-SM-022)
    "SageMakerModel": {
        "network_isolation": True,
        "in_vpc": True,
        "model_package": "arn:aws:sagemaker:us-east-1:1:model-package/m/1",
        "model_package_approval": "Approved",
    },
    "SageMakerTrainingJob": {
        "network_isolation": True,
        "in_vpc": True,
        "volume_kms": True,
        "output_kms": True,
        "intercontainer_encryption": True,
    },
    "SageMakerDomain": {
        "app_network_access": "VpcOnly",
        "kms": True,
        "auth_mode": "SSO",
        "default_lifecycle_config": True,
    },
    "SageMakerEndpoint": {
        "kms": True,
        "single_instance_variants": [],
        "data_capture": False,
        "monitored": True,
    },
    "VertexAIEndpoint": {"private_service_connect": True},
    "VertexAINotebookRuntime": {
        "root_access": False,
        "notebook_type": "workbench",
        "monitoring": True,
        "idle_shutdown": True,
        "default_service_account": False,
    },
    "VertexAIReasoningEngine": {"cmk": True},
    "DiscoveryEngineDataStore": {"cmk": True},
    "VertexAITuningJob": {"cmk": True},
    "DialogflowCXWebhook": {
        "disabled": False,
        "sends_out": False,
        "auth": "service-agent-id-token",
    },
    "VertexAIDataset": {"cmk": True, "tags": {"owner": "ai"}},
    "VertexAIModel": {"cmk": True, "tags": {"owner": "ai"}},
    "AzureSubscription": {"defender_for_ai": True},
    "GCPProject": {"gemini_api_enabled": False, "unrestricted_gemini_key": False},
    "S3Bucket": {"public_read": False},
    "ExternalAccount": {"risk": "unknown"},
}

# check id -> (kind, firing properties, quiet properties), over BASE; edges are added below
# where a check is about the graph (guardrail edge, private endpoint, served model, role).
CASES: dict[str, tuple[str, dict[str, Any], dict[str, Any]]] = {
    "AZ-AI-001": ("AzureCognitiveServicesAccount", {"local_auth_enabled": True}, {}),
    "AZ-AI-002": (
        "AzureCognitiveServicesAccount",
        {
            "public_network_access": True,
            "network_default_action": "Allow",
            "private_endpoint_only": False,
        },
        {
            "public_network_access": True,
            "network_default_action": "Deny",
            "private_endpoint_only": False,
        },
    ),
    # quiet one gets a private endpoint edge instead of private_endpoint_only
    "AZ-AI-003": (
        "AzureCognitiveServicesAccount",
        {"private_endpoint_only": False},
        {"private_endpoint_only": False},
    ),
    "AZ-AI-004": ("AzureOpenAIDeployment", {"rai_policy": "Microsoft.Nil"}, {}),
    "AZ-AI-005": ("AzureCognitiveServicesAccount", {"diagnostic_logs_enabled": False}, {}),
    "AZ-AI-006": (
        "AzureCognitiveServicesAccount",
        {"public_network_access": True},
        {"public_network_access": False},
    ),
    "AZ-AI-008": (
        "AzureCognitiveServicesAccount",
        {"identity_principal_id": None},
        {"identity_principal_id": None},
    ),  # quiet: user-assigned identity edge
    "AZ-AI-011": ("AzureCognitiveServicesAccount", {"tags": None}, {}),
    "AZ-AI-007": ("AzureCognitiveServicesAccount", {"cmk": False}, {}),
    "AZ-AI-009": ("AzureCognitiveServicesAccount", {"outbound_restricted": False}, {}),
    # plan Free vs unknown (the pricings listing was refused): only a known Free plan fires
    "AZ-AI-010": ("AzureSubscription", {"defender_for_ai": False}, {"defender_for_ai": None}),
    "AZ-ML-005": ("AzureMLWorkspace", {"has_private_endpoint": False}, {}),
    "AZ-ML-006": ("AzureMLWorkspace", {"cmk": False}, {}),
    "AZ-ML-007": ("AzureMLWorkspace", {"system_datastores_auth_mode": "accesskey"}, {}),
    "AZ-ML-008": ("AzureMLWorkspace", {"app_insights": False}, {}),
    "AZ-ML-009": ("AzureMLWorkspace", {"diagnostic_logs_enabled": False}, {}),
    "AZ-ML-013": ("AzureMLOnlineEndpoint", {"content_safety": "Disabled"}, {}),
    "AZ-ML-010": ("AzureMLCompute", {"in_vnet": False}, {}),
    "AZ-ML-011": ("AzureMLCompute", {"local_auth_disabled": False}, {}),
    "AZ-AI-012": ("AzureOpenAIDeployment", {"prompt_shields": False}, {"prompt_shields": True}),
    "AZ-AG-001": ("AzureAIFoundryAgent", {"has_instructions": False}, {}),
    "AZ-AG-002": ("AzureAIFoundryAgent", {"connected_agent_without_instructions": True}, {}),
    "AZ-AG-003": ("AzureAIFoundryAgent", {"jailbreak_guardrail": False}, {}),
    "AZ-AG-004": ("AzureAIFoundryAgent", {"mcp_without_allowed_tools": True}, {}),
    # quiet: a guardrail that could not be read is not evidence of a missing shield
    "AZ-AG-005": (
        "AzureAIFoundryAgent",
        {"xpia_without_guardrail": True},
        {"xpia_without_guardrail": None},
    ),
    "AZ-AG-006": ("AzureAIFoundryAgent", {"mcp_without_approval": True}, {}),
    "AZ-DB-001": ("AzureDatabricksWorkspace", {"public_network_access": True}, {}),
    "AZ-DB-002": ("AzureDatabricksWorkspace", {"no_public_ip": False}, {}),
    "AZ-DB-003": ("AzureDatabricksWorkspace", {"vnet_injected": False}, {}),
    "AZ-DB-004": ("AzureDatabricksWorkspace", {"cmk": False}, {}),
    "AZ-DB-005": ("AzureDatabricksWorkspace", {"has_private_endpoint": False}, {}),
    "AZ-DB-006": ("AzureDatabricksWorkspace", {"diagnostic_logs_enabled": False}, {}),
    "AZ-ML-001": ("AzureMLWorkspace", {"public_network_access": True}, {}),
    "AZ-ML-002": ("AzureMLOnlineEndpoint", {"auth_mode": "Key"}, {}),
    "AZ-ML-003": ("AzureMLWorkspace", {"isolation_mode": "Disabled"}, {}),
    "AZ-ML-004": ("AzureMLConnection", {"auth_type": "ApiKey"}, {"auth_type": "ManagedIdentity"}),
    "AZ-SR-001": ("AzureSearchService", {"public_network_access": True}, {}),
    "AZ-SR-002": ("AzureSearchService", {"local_auth_enabled": True}, {}),
    "AWS-BR-001": ("BedrockInvocationLogging", {"enabled": False}, {}),
    "AWS-BR-002": ("BedrockAgent", {"guardrail": None}, {"guardrail": None}),  # quiet: edge
    # the known disagreement: a LOW prompt-attack filter is a finding, as in the peer
    "AWS-BR-003": ("BedrockGuardrail", {"prompt_attack_strength": "LOW"}, {}),
    # a runtime endpoint alone no longer satisfies the check: the control plane is missing
    "AWS-BR-004": ("AWSVpc", {"bedrock_endpoints_missing": ["bedrock"]}, {}),
    # quiet: a model shared from another account (not owned) cannot be re-keyed here
    "AWS-BR-005": ("BedrockCustomModel", {"cmk": False}, {"cmk": False, "owned": False}),
    "AWS-BR-013": ("AWSRole", {}, {"trust_policy": SERVICE_TRUST}),  # both hold full access
    "AWS-BR-014": ("BedrockAgent", {"role": "role-admin"}, {"role": "role-bounded"}),
    "AWS-BR-015": ("BedrockAgent", {"role": "role-shared"}, {"role": "role-own"}),
    "AWS-BR-006": ("BedrockGuardrail", {"sensitive_information_filter": False}, {}),
    "AWS-BR-007": ("BedrockGuardrail", {"grounding_filter_gaps": ["no GROUNDING filter"]}, {}),
    # no guardrail where Bedrock runs vs none in a region Bedrock does not use
    "AWS-BR-008": (
        "BedrockInvocationLogging",
        {"no_guardrails": True},
        {"no_guardrails": True, "bedrock_in_use": False},
    ),
    "AWS-BR-009": ("BedrockKnowledgeBase", {"data_sources_without_cmk": ["docs"]}, {}),
    "AWS-BR-010": (
        "BedrockInvocationLogging",
        {"unencrypted_log_destinations": ["CloudWatch log group x has no KMS key"]},
        {},
    ),
    "AWS-ORG-001": ("AWSAccount", {"ai_opt_out": False}, {}),
    "AWS-BR-011": ("BedrockPrompt", {"cmk": False}, {}),
    # Prompt Management unused where Bedrock runs vs in a region Bedrock does not use
    "AWS-BR-012": (
        "BedrockInvocationLogging",
        {"prompt_management": False},
        {"prompt_management": False, "bedrock_in_use": False},
    ),
    # an active key of an administrator vs an active key of a user with no broad rights
    # (both are usable long-term keys, so AWS-BR-017 fires on both: see ALSO_FIRING)
    "AWS-BR-016": (
        "BedrockApiKey",
        {"usable": True},
        {"usable": True, "user": "user-plain"},
    ),
    "AWS-BR-017": ("BedrockApiKey", {"usable": True, "user": "user-plain"}, {}),
    # no data events where Bedrock is used vs an account that does not use Bedrock
    "AWS-BR-023": (
        "AWSAccount",
        {"cloudtrail_bedrock_data_events": False},
        {"cloudtrail_bedrock_data_events": False, "bedrock_in_use": False},
    ),
    # a model shared from another account was trained and tagged by its owner
    "AWS-BR-025": (
        "BedrockCustomModel",
        {"customization_in_vpc": False},
        {"customization_in_vpc": False, "owned": False},
    ),
    "AWS-BR-026": (
        "BedrockCustomModel",
        {"tagged": False},
        {"tagged": False, "owned": False},
    ),
    "AWS-BR-027": ("BedrockGuardrail", {"cmk": False}, {}),
    "AWS-BR-018": ("BedrockAgent", {"has_instruction": False}, {}),
    "AWS-BR-019": ("BedrockAgent", {"parser_override": True}, {}),
    "AWS-BR-020": ("BedrockAgent", {"prompt_override": False}, {}),
    "AWS-BR-021": ("BedrockAgent", {"disabled_prompt_stages": ["ORCHESTRATION"]}, {}),
    "AWS-BR-022": ("BedrockKnowledgeBase", {"field_mapping_gaps": ["metadataField"]}, {}),
    "AWS-SM-007": ("SageMakerModel", {"in_vpc": False}, {}),
    "AWS-SM-009": ("SageMakerTrainingJob", {"in_vpc": False}, {}),
    "AWS-SM-010": ("SageMakerTrainingJob", {"output_kms": False}, {}),
    "AWS-SM-011": ("SageMakerTrainingJob", {"intercontainer_encryption": False}, {}),
    "AWS-SM-012": ("SageMakerEndpoint", {"kms": False}, {}),
    "AWS-SM-013": ("SageMakerEndpoint", {"single_instance_variants": ["AllTraffic"]}, {}),
    "AWS-SM-014": (
        "SageMakerEndpoint",
        {"data_capture": True, "data_capture_kms": False},
        {"data_capture": True, "data_capture_kms": True},
    ),
    "AWS-SM-016": ("SageMakerDomain", {"kms": False}, {}),
    "AWS-SM-017": ("SageMakerDomain", {"auth_mode": "IAM"}, {}),
    "AWS-SM-018": ("SageMakerDomain", {"default_lifecycle_config": False}, {}),
    "AWS-SM-021": ("SageMakerEndpoint", {"monitored": False}, {}),
    # created straight from an artifact vs from a package of another account's registry,
    # whose approval status was not collected (not judged on silence)
    "AWS-SM-022": (
        "SageMakerModel",
        {"model_package": None, "model_package_approval": None},
        {"model_package_approval": None},
    ),
    "AWS-SM-023": ("AWSAccount", {"clarify_used": False}, {}),
    "AWS-SM-020": ("SageMakerEndpoint", {}, {}),  # edges to the AWS-SM-007 models below
    "AWS-SM-001": ("SageMakerNotebookInstance", {"root_access": True}, {}),
    "AWS-SM-002": ("SageMakerNotebookInstance", {"direct_internet_access": True}, {}),
    "AWS-SM-003": ("SageMakerNotebookInstance", {"subnet_id": None}, {}),
    "AWS-SM-004": ("SageMakerModel", {"network_isolation": False}, {}),
    "AWS-SM-005": ("SageMakerNotebookInstance", {"cmk": False}, {}),
    "AWS-SM-006": (
        "SageMakerNotebookInstance",
        {"lifecycle_secrets": ["OnStart line 3: AWS access key"]},
        {},
    ),
    "AWS-SM-008": ("SageMakerTrainingJob", {"network_isolation": False}, {}),
    "AWS-SM-015": ("SageMakerDomain", {"app_network_access": "PublicInternetOnly"}, {}),
    "AWS-SM-019": ("SageMakerEndpoint", {}, {}),  # edges to the AWS-SM-004 models below
    "GCP-VX-001": ("VertexAIEndpoint", {"private_service_connect": False}, {}),
    "GCP-VX-002": ("VertexAINotebookRuntime", {"public_ip": "34.1.2.3"}, {}),
    "GCP-VX-003": ("VertexAINotebookRuntime", {"root_access": True}, {}),
    "GCP-VX-004": ("VertexAINotebookRuntime", {"monitoring": False}, {}),
    # a Colab Enterprise runtime has no such setting: only Workbench instances are judged
    "GCP-VX-005": (
        "VertexAINotebookRuntime",
        {"idle_shutdown": False},
        {"idle_shutdown": False, "notebook_type": "colab-enterprise"},
    ),
    "GCP-VX-008": ("VertexAIReasoningEngine", {"cmk": False}, {}),
    "GCP-VX-009": ("DiscoveryEngineDataStore", {"cmk": False}, {}),
    "GCP-VX-013": ("VertexAITuningJob", {"cmk": False}, {}),
    # a disabled webhook is not called: it never fires
    "GCP-DF-001": (
        "DialogflowCXWebhook",
        {"sends_out": True},
        {"sends_out": True, "disabled": True},
    ),
    "GCP-DF-002": ("DialogflowCXWebhook", {"auth": "none"}, {"auth": "api-key"}),
    "GCP-DF-003": ("DialogflowCXWebhook", {"auth": "service-agent-access-token"}, {}),
    "GCP-VX-011": ("VertexAINotebookRuntime", {"default_service_account": True}, {}),
    "GCP-VX-006": ("VertexAIDataset", {"cmk": False}, {}),
    "GCP-VX-007": ("VertexAIModel", {"cmk": False}, {}),
    "GCP-VX-010": ("VertexAIDataset", {"tags": None}, {}),
    "GCP-VX-012": (
        "VertexAINotebookRuntime",
        {"notebook_type": "colab-enterprise", "template_hardened": False},
        {"notebook_type": "colab-enterprise", "template_hardened": True},
    ),
    "GCP-GM-001": ("GCPProject", {"gemini_api_enabled": True}, {}),
    # services not collected: the key alone decides; a key restricted to Gemini is quiet
    "GCP-GM-002": (
        "GCPProject",
        {"gemini_api_enabled": None, "unrestricted_gemini_key": True},
        {"gemini_api_enabled": None},
    ),
    "MODEL-001": (
        "BedrockCustomModel",
        {"vuln_factors": ["unsafe-model"]},
        {"vuln_factors": ["high-severity"]},
    ),
    # no source named vs a Hugging Face repository pinned to a commit (issue 20)
    "MODEL-002": ("SageMakerModel", {}, {"hf_model_id": "acme/m", "hf_revision": "a" * 40}),
    # a branch is not a pin; a commit hash is
    "MODEL-003": (
        "SageMakerModel",
        {"hf_model_id": "acme/m", "hf_revision": "main"},
        {"hf_model_id": "acme/m", "hf_revision": "b" * 40},
    ),
    "DATA-001": (
        "S3Bucket",
        {"public_read": True, "data_role": ["training"]},
        {"public_read": True, "data_role": ["logs"]},
    ),
    # granted something (an edge added below) vs referenced with nothing granted
    "TRUST-001": ("ExternalAccount", {}, {}),
}
# Fixture nodes that fire a check besides the case's own firing node.
# An account open to the internet (both AZ-AI-002 fixtures) necessarily has public access
# on (AZ-AI-006) and no private endpoint (AZ-AI-003): the three checks are Defender's three.
# A Bedrock API key whose user's rights matter (AWS-BR-016) is a usable long-term key
# (AWS-BR-017) whichever user holds it.
ALSO_FIRING = {
    ("AWS-BR-015", "peer:AWS-BR-015"),
    *{("AWS-BR-017", f"{tag}:AWS-BR-016") for tag in ("fire", "quiet")},
    *{(c, f"{tag}:AZ-AI-002") for c in ("AZ-AI-003", "AZ-AI-006") for tag in ("fire", "quiet")},
}


def _props(kind: str, over: dict[str, Any]) -> dict[str, Any]:
    merged = {**BASE[kind], **over}
    return {k: v for k, v in merged.items() if v is not None}


def _doc() -> dict[str, Any]:
    nodes: list[dict[str, Any]] = []
    edges: list[dict[str, Any]] = []

    def node(nid: str, kind: str, props: dict[str, Any]) -> None:
        nodes.append({"id": nid, "kind": kind, "name": nid, "properties": props})

    def edge(src: str, dst: str, kind: str) -> None:
        edges.append({"source": src, "target": dst, "kind": kind, "evidence": {}})

    for cid, (kind, fire, quiet) in CASES.items():
        for tag, props in (("fire", fire), ("quiet", quiet)):
            node(f"{tag}:{cid}", kind, _props(kind, props))
    node("pe", "AzurePrivateEndpoint", {})
    edge("pe", "quiet:AZ-AI-003", "ROUTES_TO")
    node("uami", "AzureManagedIdentity", {})
    edge("quiet:AZ-AI-008", "uami", "HAS_IDENTITY")
    node("gr", "BedrockGuardrail", _props("BedrockGuardrail", {}))
    edge("quiet:AWS-BR-002", "gr", "USES_GUARDRAIL")
    node("role", "AWSRole", _props("AWSRole", {}))
    edge("fire:TRUST-001", "role", "CAN_ASSUME")
    node(FULL_ACCESS, "AWSPolicy", {})
    edge("fire:AWS-BR-013", FULL_ACCESS, "POLICY")
    edge("quiet:AWS-BR-013", FULL_ACCESS, "POLICY")
    node(
        "role-admin",
        "AWSRole",
        _props("AWSRole", {"admin": True, "permissions_boundary": {"name": "pb"}}),
    )
    node("role-bounded", "AWSRole", _props("AWSRole", {"permissions_boundary": {"name": "pb"}}))
    node("peer:AWS-BR-015", "BedrockAgent", _props("BedrockAgent", {"role": "role-shared"}))
    node("user-admin", "AWSUser", {"admin": True})
    node("user-plain", "AWSUser", {"admin": False})
    edge("fire:AWS-SM-019", "fire:AWS-SM-004", "SERVES")
    edge("quiet:AWS-SM-019", "quiet:AWS-SM-004", "SERVES")
    edge("fire:AWS-SM-020", "fire:AWS-SM-007", "SERVES")
    edge("quiet:AWS-SM-020", "quiet:AWS-SM-007", "SERVES")
    return {"format": "aispm-graph", "version": 1, "nodes": nodes, "edges": edges}


def test_every_evaluated_check_has_a_case() -> None:
    # Agent checks read facts the agents deriver computes; tests/agents covers them on real graphs.
    from aispm_graph.recommendations.agents import AGENT_CHECKS

    assert set(CASES) == {c.id for c in CHECKS if c.evaluated} - {c.id for c in AGENT_CHECKS}


@pytest.fixture(scope="module")
def rec_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("recs")
    f = base / "recs.json"
    f.write_text(json.dumps(_doc()))
    ws = base / "ws"
    assert invoke_cli("import", "graph", str(f), workspace=ws).code == 0
    res = invoke_cli("build", workspace=ws)
    assert res.code == 0, res.err
    return ws


def test_each_check_fires_on_its_case_and_not_on_the_quiet_one(rec_ws: Path) -> None:
    res = invoke_cli("recommendations", "--format", "json", workspace=rec_ws)
    assert res.code == 0, res.err
    fired = {(f["check"], f["resource"]) for f in res.json()["findings"]}
    for cid in CASES:
        assert (cid, f"fire:{cid}") in fired, cid
        assert not any(r == f"quiet:{cid}" and c == cid for c, r in fired), cid
    # Nothing else fires: each firing node breaks one rule of a clean configuration.
    # ...except the provenance checks: fixtures of other checks that are models name no
    # source of their weights (MODEL-002) or an unpinned one (MODEL-003), decided as the
    # model-provenance deriver decides them.
    assert fired == {(c, f"fire:{c}") for c in CASES} | ALSO_FIRING | _provenance_overlap()


def _provenance_overlap() -> set[tuple[str, str]]:
    from aispm_graph.aibom.provenance import provenance_of
    from aispm_graph.recommendations.checks.provenance import PROVENANCE_KINDS

    out = set()
    for cid, (kind, fire, quiet) in CASES.items():
        if cid in ("MODEL-002", "MODEL-003") or kind not in PROVENANCE_KINDS:
            continue
        for tag, props in (("fire", fire), ("quiet", quiet)):
            prov = provenance_of(kind, props)
            if prov.source == "unknown":
                out.add(("MODEL-002", f"{tag}:{cid}"))
            elif not prov.pinned:
                out.add(("MODEL-003", f"{tag}:{cid}"))
    return out


def test_priority_is_raised_by_paths_and_names_them(
    demo_ws: Path, demo_paths: dict[str, Any]
) -> None:
    res = invoke_cli("recommendations", "--format", "json", workspace=demo_ws)
    assert res.code == 0, res.err
    findings = res.json()["findings"]
    by_id = {p["id"]: p for p in demo_paths["paths"]}
    for f in findings:
        for pid in f["paths"]:
            assert f["resource"] in {n["id"] for n in by_id[pid]["nodes"]}
    raised = [f for f in findings if f["priority"] != f["severity"]]
    assert raised, "some medium finding sits on a high path in the demo"
    # Ordered by priority: a raised medium finding comes before a high one with no path.
    order = ["critical", "high", "medium", "low"]
    assert [order.index(f["priority"]) for f in findings] == sorted(
        order.index(f["priority"]) for f in findings
    )
    lonely_high = [f for f in findings if f["severity"] == "high" and not f["paths"]]
    if lonely_high:
        first_lonely = findings.index(lonely_high[0])
        assert any(findings.index(r) < first_lonely for r in raised)
    table = invoke_cli("recommendations", workspace=demo_ws)
    assert raised[0]["paths"][0] in table.out


def test_min_severity_and_gate(demo_ws: Path) -> None:
    res = invoke_cli(
        "recommendations", "--min-severity", "critical", "--format", "json", workspace=demo_ws
    )
    assert {f["priority"] for f in res.json()["findings"]} == {"critical"}
    gate = invoke_cli("recommendations", "--fail-on", "critical", workspace=demo_ws)
    assert gate.code == 1


def test_adding_a_check_is_one_declaration() -> None:
    g = Graph()
    g.add_node("x", "CustomAIService", "x", vendor="v", local_auth_enabled=True)
    extra = Check(
        id="TEST-1",
        title="t",
        severity="low",
        provider="generic",
        kinds=("CustomAIService",),
        predicate=is_true("local_auth_enabled"),
        remediation="r",
    )
    assert [f.check for f in evaluate(g, checks=[extra])] == ["TEST-1"]
    with pytest.raises(ValueError, match="AZ-AI-001"):
        register(CHECKS[0])
