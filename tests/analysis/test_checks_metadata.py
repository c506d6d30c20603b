"""The catalogue as a reviewer reads it: every check carries its reasons, fixes, peers and
framework items; every framework item a check names is declared; the reference tools' checks
are all accounted for; and docs/checks.md is the catalogue."""

from __future__ import annotations

from pathlib import Path

import pytest

from aispm_graph.recommendations.catalogue import CHECKS
from aispm_graph.recommendations.coverage import framework_coverage
from aispm_graph.recommendations.docs import render
from aispm_graph.recommendations.frameworks import FRAMEWORKS
from aispm_graph.schema import node_kinds

REPO = Path(__file__).resolve().parents[2]

# The check ids of the reference list (/work/shared/reference/ai-posture-checks.md, Prowler at
# 3e000faa): each must be the peer of a check here, evaluated or declared with its reason.
PROWLER = {
    "bedrock_agent_guardrail_enabled",
    "bedrock_agent_role_least_privilege",
    "bedrock_agent_role_not_shared_across_agents",
    "bedrock_api_key_no_administrative_privileges",
    "bedrock_api_key_no_long_term_credentials",
    "bedrock_custom_model_encrypted_with_cmk",
    "bedrock_full_access_policy_attached",
    "bedrock_guardrail_contextual_grounding_filter_enabled",
    "bedrock_guardrail_prompt_attack_filter_enabled",
    "bedrock_guardrail_sensitive_information_filter_enabled",
    "bedrock_guardrails_configured",
    "bedrock_knowledge_base_encrypted_with_cmk",
    "bedrock_model_invocation_logging_enabled",
    "bedrock_model_invocation_logs_encryption_enabled",
    "bedrock_prompt_encrypted_with_cmk",
    "bedrock_prompt_management_exists",
    "bedrock_vpc_endpoints_configured",
    "cloudtrail_bedrock_logging_enabled",
    "iam_role_access_not_stale_to_bedrock",
    "iam_user_access_not_stale_to_bedrock",
    "organizations_opt_out_ai_services_policy",
    "sagemaker_notebook_instance_root_access_disabled",
    "sagemaker_notebook_instance_without_direct_internet_access_configured",
    "sagemaker_notebook_instance_vpc_settings_configured",
    "sagemaker_notebook_instance_encryption_enabled",
    "sagemaker_notebook_instance_no_secrets",
    "sagemaker_models_network_isolation_enabled",
    "sagemaker_models_vpc_settings_configured",
    "sagemaker_models_monitor_enabled",
    "sagemaker_models_registry_in_use",
    "sagemaker_clarify_exists",
    "sagemaker_training_jobs_network_isolation_enabled",
    "sagemaker_training_jobs_vpc_settings_configured",
    "sagemaker_training_jobs_volume_and_output_encryption_enabled",
    "sagemaker_training_jobs_intercontainer_encryption_enabled",
    "sagemaker_endpoint_config_kms_encryption_enabled",
    "sagemaker_endpoint_config_prod_variant_instances",
    "sagemaker_domain_sso_configured",
    "iam_user_access_not_stale_to_sagemaker",
    "aisearch_service_not_publicly_accessible",
    "databricks_workspace_public_network_access_disabled",
    "databricks_workspace_no_public_ip_enabled",
    "databricks_workspace_vnet_injection_enabled",
    "databricks_workspace_cmk_encryption_enabled",
    "gemini_api_disabled",
    "apikeys_api_restricted_with_gemini_api",
}
CLOUDSPLOIT = {
    "google/vertexai/modelEncryption",
    "google/vertexai/modelLabelsAdded",
    "google/vertexai/vertexAIDatasetEncryption",
    "google/vertexai/vertexAIDatasetLabels",
    "azure/openai/accountCMKEncrypted",
    "azure/openai/accountDiagnosticLogging",
    "azure/openai/accountHasTags",
    "azure/openai/accountManagedIdentity",
    "azure/openai/accountPublicAccessDisabled",
    "aws/bedrock/customModelEncryptionEnabled",
    "aws/bedrock/customModelHasTags",
    "aws/bedrock/customModelInVpc",
    "aws/bedrock/modelInvocationLoggingEnabled",
}
# Defender recommendations with an AWS or GCP resource, or on Azure AI / ML / Databricks
# resources (reference sections 1 to 3), by a distinctive part of their title.
DEFENDER = {
    "key access disabled",
    "should restrict network access",
    "should use Azure Private Link",
    "Public network access should be disabled for Cognitive Services",
    "Diagnostic logs in Azure AI services",
    "encrypt data at rest with a customer-managed key",
    "Network connections should be limited on Microsoft Foundry",
    "connecting Microsoft Foundry to default storage",
    "connecting to data stores on Microsoft Foundry project",
    "Application Insights should be used on Microsoft Foundry",
    "Customer-managed keys should be used to encrypt data on Microsoft Foundry",
    "Content filtering should be used on model deployed",
    "Azure AI Agent should be configured with operational instructions",
    "Connected AI agents should be configured",
    "Jailbreak control",
    "MCP tool should be configured with allowed tools",
    "should use enhanced guardrails controls",
    "human in the loop control",
    "Prompt shields should be enabled",
    "Security findings should be resolved on AI models",
    "Machine Learning Workspaces should disable public network access",
    "Machine Learning workspaces should use private link",
    "Machine Learning Computes should be in a virtual network",
    "Machine Learning Computes should have local authentication",
    "compute instances should be recreated",
    "Resource logs in Azure Machine Learning Workspaces",
    "Machine Learning workspaces should be encrypted with a customer-managed key",
    "Databricks Clusters should disable public IP",
    "Databricks Workspaces should be in a virtual network",
    "Databricks Workspaces should disable public network access",
    "Databricks Workspaces should use private link",
    "Resource logs in Azure Databricks",
    "Bedrock agents should use guardrails",
    "Bedrock should use AWS PrivateLink",
    "model invocation logging enabled",
    "Bedrock AI Agent should be configured with operational instructions",
    "Customer-managed KMS encryption should be enabled on Amazon Bedrock Agents",
    "Explicit prompt override control",
    "Parser override should be disabled",
    "Prompt execution state should be enabled",
    "Knowledge Base field mapping",
    "Server-side encryption should be enabled for Amazon Bedrock Knowledge Bases",
    "Disable direct internet access for Amazon Sage Maker notebook",
    "Network isolation should be enabled for AWS SageMaker models",
    "Network isolation should be enabled on AWS SageMaker endpoints",
    "Proper VPC configuration should be enabled on AWS SageMaker endpoints",
    "VpcConfig should be configured for AWS SageMaker models",
    "VPC-only network access should be configured on AWS SageMaker domains",
    "encryption should be enabled for SageMaker domain",
    "encryption should be enabled on SageMaker endpoints",
    "LifecycleConfigArn should be configured",
    "Private Service endpoint should be used for Vertex AI",
    "Public IP addresses should be disabled on Workbench",
    "Root access should be disabled on Workbench",
    "Cloud Monitoring should be used on GCP Workbench",
    "Idle shutdown should be enabled on Workbench",
    "encrypt data at rest in Vertex AI DataSets",
    "enabled for Vertex AI Datastore",
    "enabled for Vertex AI Engine",
}


def _peer_ids(tool: str) -> set[str]:
    return {p.id for c in CHECKS for p in c.peers if p.tool == tool}


def test_every_prowler_and_cloudsploit_check_of_the_reference_has_a_check() -> None:
    assert PROWLER - _peer_ids("Prowler") == set()
    assert CLOUDSPLOIT - _peer_ids("CloudSploit") == set()


def test_every_defender_ai_recommendation_of_the_reference_has_a_check() -> None:
    titles = _peer_ids("Defender for Cloud")
    missing = {d for d in DEFENDER if not any(d.lower() in t.lower() for t in titles)}
    assert missing == set()


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.id)
def test_each_check_carries_what_a_reviewer_needs(check: object) -> None:
    from aispm_graph.recommendations.model import Check

    assert isinstance(check, Check)
    assert check.title and check.rationale and check.remediation, check.id
    assert check.peers or check.references, f"{check.id}: no peer and no reference"
    assert check.frameworks, f"{check.id}: serves no framework item"
    assert set(check.frameworks) <= set(FRAMEWORKS), check.id
    for p in check.peers:
        assert p.doc, f"{check.id}: peer {p.id} has no document"
    if check.evaluated:
        unknown = [k for k in check.kinds if k not in node_kinds()]
        assert not unknown, f"{check.id} is evaluated on undeclared kinds {unknown}"
    else:
        assert check.facts_note, f"{check.id}: not evaluated and does not say why"


def test_every_framework_item_named_by_a_check_is_declared() -> None:
    for fid in FRAMEWORKS:
        framework_coverage(fid)  # raises UnknownItem naming the check and the item


def test_framework_items_are_unique() -> None:
    for fw in FRAMEWORKS.values():
        ids = [i.id for i in fw.items]
        assert len(ids) == len(set(ids)), fw.id
    assert {i.id for i in FRAMEWORKS["owasp-llm"].items} == {f"LLM{n:02d}" for n in range(1, 11)}
    assert len(FRAMEWORKS["nist-ai-rmf"].items) == 72


def test_docs_checks_md_is_the_catalogue() -> None:
    current = (REPO / "docs" / "checks.md").read_text(encoding="utf-8")
    assert current == render(), (
        "docs/checks.md is stale: python -m aispm_graph.recommendations.docs docs/checks.md"
    )
    for c in CHECKS:
        assert f"| `{c.id}` |" in current
