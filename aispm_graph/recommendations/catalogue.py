"""The built-in posture checks for AI resources.

Each entry is data (see :mod:`aispm_graph.recommendations.model`); the ids are stable and are
what suppressions refer to. Checks follow the AI recommendations users know from Microsoft
Defender for Cloud and Prowler; the ``frameworks`` give the matching controls (MCSB v1 for
Azure, Prowler check names for AWS, OWASP Top 10 for LLM applications 2025) where one
clearly corresponds; none is claimed where it does not.

Provider modules extend the catalogue by calling :func:`register` with more checks.
"""

from __future__ import annotations

from aispm_graph.recommendations.model import (
    Check,
    NoEdge,
    Not,
    all_of,
    any_of,
    equals,
    is_false,
    is_true,
    missing,
    one_of,
    present,
)
from aispm_graph.schema import Label, node_kinds

AI_DATA_ROLES = ("training", "grounding", "model-artifact", "fine-tuning", "evaluation")
# Every kind that is a model or a model deployment: where provenance is decided.
MODEL_KINDS = tuple(
    sorted(
        k.name
        for k in node_kinds().values()
        if Label.AI_MODEL in k.labels or Label.AI_DEPLOYMENT in k.labels
    )
)

_MS = "https://learn.microsoft.com/azure"
_AWS = "https://docs.aws.amazon.com"
_GCP = "https://cloud.google.com"

CHECKS: list[Check] = [
    # --- Azure AI Services / Azure OpenAI ---------------------------------------------------
    Check(
        id="AZ-AI-001",
        title="Azure AI Services account accepts key (local) authentication",
        severity="high",
        provider="azure",
        kinds=("AzureCognitiveServicesAccount",),
        predicate=is_true("local_auth_enabled"),
        remediation="Set disableLocalAuth=true on the account and give callers Entra ID roles "
        "(Cognitive Services OpenAI User) instead of keys.",
        references=(f"{_MS}/ai-services/disable-local-auth",),
        frameworks={"MCSB": ("IM-1",), "OWASP-LLM": ("LLM10",)},
    ),
    Check(
        id="AZ-AI-002",
        title="Azure AI Services account is open to public networks",
        severity="medium",
        provider="azure",
        kinds=("AzureCognitiveServicesAccount",),
        predicate=all_of(
            is_true("public_network_access"),
            Not(equals("network_default_action", "Deny")),
            Not(is_true("private_endpoint_only")),
        ),
        remediation="Set publicNetworkAccess=Disabled, or the network ACL default action to "
        "Deny with only the networks that need the account allowed.",
        references=(f"{_MS}/ai-services/cognitive-services-virtual-networks",),
        frameworks={"MCSB": ("NS-2",)},
    ),
    Check(
        id="AZ-AI-003",
        title="Azure AI Services account has no private endpoint",
        severity="medium",
        provider="azure",
        kinds=("AzureCognitiveServicesAccount",),
        predicate=all_of(
            NoEdge(None, "any", other_kind="AzurePrivateEndpoint"),
            Not(is_true("private_endpoint_only")),
        ),
        remediation="Create a private endpoint for the account (sub-resource 'account') and "
        "resolve its name through the privatelink DNS zone.",
        references=(f"{_MS}/ai-services/cognitive-services-virtual-networks",),
        frameworks={"MCSB": ("NS-2",)},
    ),
    Check(
        id="AZ-AI-004",
        title="Azure OpenAI deployment has no content filter",
        severity="high",
        provider="azure",
        kinds=("AzureOpenAIDeployment",),
        predicate=one_of("rai_policy", "Microsoft.Nil", "none", "disabled", ""),
        remediation="Assign a content filter (RAI policy) to the deployment, at least "
        "Microsoft.DefaultV2, with prompt shields for jailbreak and indirect attacks on.",
        references=(f"{_MS}/ai-services/openai/how-to/content-filters",),
        frameworks={"OWASP-LLM": ("LLM01", "LLM05")},
    ),
    Check(
        id="AZ-AI-005",
        title="Azure AI Services account has no diagnostic logs",
        severity="low",
        provider="azure",
        kinds=("AzureCognitiveServicesAccount",),
        predicate=is_false("diagnostic_logs_enabled"),
        remediation="Add a diagnostic setting sending the Audit and RequestResponse categories "
        "to a Log Analytics workspace.",
        references=(f"{_MS}/ai-services/diagnostic-logging",),
        frameworks={"MCSB": ("LT-3",)},
    ),
    # --- Azure Machine Learning / AI Foundry ------------------------------------------------
    Check(
        id="AZ-ML-001",
        title="Azure ML / AI Foundry workspace is open to public networks",
        severity="medium",
        provider="azure",
        kinds=("AzureMLWorkspace",),
        predicate=is_true("public_network_access"),
        remediation="Set publicNetworkAccess=Disabled on the workspace (hub) and use a managed "
        "virtual network with private endpoints.",
        references=(f"{_MS}/machine-learning/how-to-configure-private-link",),
        frameworks={"MCSB": ("NS-2",)},
    ),
    Check(
        id="AZ-ML-002",
        title="Azure ML online endpoint uses key authentication",
        severity="medium",
        provider="azure",
        kinds=("AzureMLOnlineEndpoint", "AzureMLServerlessEndpoint"),
        predicate=equals("auth_mode", "key"),
        remediation="Switch the endpoint auth_mode to aad_token (Entra ID) so callers need an "
        "identity rather than a shared key.",
        references=(f"{_MS}/machine-learning/how-to-authenticate-online-endpoint",),
        frameworks={"MCSB": ("IM-1",)},
    ),
    # --- Amazon Bedrock ---------------------------------------------------------------------
    Check(
        id="AWS-BR-001",
        title="Bedrock model invocation logging is off",
        severity="medium",
        provider="aws",
        kinds=("BedrockInvocationLogging",),
        predicate=is_false("enabled"),
        remediation="Enable model invocation logging (PutModelInvocationLoggingConfiguration) "
        "to CloudWatch Logs or S3 in every region where Bedrock is used.",
        references=(f"{_AWS}/bedrock/latest/userguide/model-invocation-logging.html",),
        frameworks={"Prowler": ("bedrock_model_invocation_logging_enabled",)},
    ),
    Check(
        id="AWS-BR-002",
        title="Bedrock agent has no guardrail",
        severity="high",
        provider="aws",
        kinds=("BedrockAgent",),
        predicate=all_of(missing("guardrail"), NoEdge("USES_GUARDRAIL", "out")),
        remediation="Attach a guardrail (guardrailConfiguration) to the agent with prompt-attack "
        "and denied-topic filters.",
        references=(f"{_AWS}/bedrock/latest/userguide/agents-guardrail.html",),
        frameworks={"Prowler": ("bedrock_agent_guardrail_enabled",), "OWASP-LLM": ("LLM01",)},
    ),
    Check(
        id="AWS-BR-003",
        title="Bedrock guardrail has no prompt-attack filter",
        severity="medium",
        provider="aws",
        kinds=("BedrockGuardrail",),
        predicate=is_false("prompt_attack_filter"),
        remediation="Add a PROMPT_ATTACK content filter with input strength HIGH to the guardrail.",
        references=(f"{_AWS}/bedrock/latest/userguide/guardrails-prompt-attack.html",),
        frameworks={
            "Prowler": ("bedrock_guardrail_prompt_attack_filter_enabled",),
            "OWASP-LLM": ("LLM01",),
        },
    ),
    Check(
        id="AWS-BR-004",
        title="VPC reaches Bedrock without a VPC endpoint",
        severity="low",
        provider="aws",
        kinds=("AWSVpc",),
        predicate=is_false("bedrock_vpc_endpoint"),
        remediation="Create interface VPC endpoints for bedrock-runtime (and bedrock-agent-"
        "runtime) so model traffic stays off the internet, with an endpoint policy.",
        references=(f"{_AWS}/bedrock/latest/userguide/vpc-interface-endpoints.html",),
    ),
    Check(
        id="AWS-BR-005",
        title="Bedrock custom model is not encrypted with a customer-managed key",
        severity="low",
        provider="aws",
        kinds=("BedrockCustomModel",),
        predicate=is_false("cmk"),
        remediation="Re-create the customization job with customModelKmsKeyId set to a KMS "
        "key you control.",
        references=(f"{_AWS}/bedrock/latest/userguide/encryption-custom-job.html",),
    ),
    # --- Amazon SageMaker -------------------------------------------------------------------
    Check(
        id="AWS-SM-001",
        title="SageMaker notebook instance gives users root access",
        severity="medium",
        provider="aws",
        kinds=("SageMakerNotebookInstance",),
        predicate=is_true("root_access"),
        remediation="Set RootAccess=Disabled on the notebook instance.",
        references=(f"{_AWS}/sagemaker/latest/dg/nbi-root-access.html",),
        frameworks={"Prowler": ("sagemaker_notebook_instance_root_access_disabled",)},
    ),
    Check(
        id="AWS-SM-002",
        title="SageMaker notebook instance has direct internet access",
        severity="high",
        provider="aws",
        kinds=("SageMakerNotebookInstance",),
        predicate=is_true("direct_internet_access"),
        remediation="Set DirectInternetAccess=Disabled and route egress through the VPC (NAT "
        "or VPC endpoints).",
        references=(f"{_AWS}/sagemaker/latest/dg/appendix-notebook-and-internet-access.html",),
        frameworks={
            "Prowler": ("sagemaker_notebook_instance_without_direct_internet_access_configured",)
        },
    ),
    Check(
        id="AWS-SM-003",
        title="SageMaker notebook instance is not in a VPC",
        severity="medium",
        provider="aws",
        kinds=("SageMakerNotebookInstance",),
        predicate=missing("subnet_id"),
        remediation="Re-create the notebook instance with a SubnetId and security groups in "
        "your VPC.",
        references=(f"{_AWS}/sagemaker/latest/dg/notebook-interface-endpoint.html",),
        frameworks={"Prowler": ("sagemaker_notebook_instance_vpc_settings_configured",)},
    ),
    Check(
        id="AWS-SM-004",
        title="SageMaker model runs without network isolation",
        severity="medium",
        provider="aws",
        kinds=("SageMakerModel",),
        predicate=is_false("network_isolation"),
        remediation="Create the model with EnableNetworkIsolation=true so the container "
        "cannot make outbound calls.",
        references=(f"{_AWS}/sagemaker/latest/dg/mkt-algo-model-internet-free.html",),
        frameworks={"Prowler": ("sagemaker_models_network_isolation_enabled",)},
    ),
    # --- Google Vertex AI -------------------------------------------------------------------
    Check(
        id="GCP-VX-001",
        title="Vertex AI endpoint is not served through Private Service Connect",
        severity="medium",
        provider="gcp",
        kinds=("VertexAIEndpoint",),
        predicate=is_false("private_service_connect"),
        remediation="Deploy the model to a private endpoint with Private Service Connect "
        "(privateServiceConnectConfig) so it is not reachable from the internet.",
        references=(f"{_GCP}/vertex-ai/docs/predictions/private-service-connect",),
    ),
    Check(
        id="GCP-VX-002",
        title="Vertex AI Workbench instance has a public IP",
        severity="high",
        provider="gcp",
        kinds=("VertexAINotebookRuntime",),
        predicate=present("public_ip"),
        remediation="Re-create the instance with disablePublicIp=true and reach it through IAP "
        "or a private network.",
        references=(f"{_GCP}/vertex-ai/docs/workbench/instances/create",),
    ),
    Check(
        id="GCP-VX-003",
        title="Vertex AI Workbench instance gives users root access",
        severity="medium",
        provider="gcp",
        kinds=("VertexAINotebookRuntime",),
        predicate=is_true("root_access"),
        remediation="Set the metadata notebook-disable-root=true on the instance.",
        references=(f"{_GCP}/vertex-ai/docs/workbench/instances/manage-metadata",),
    ),
    # --- data used by AI ----------------------------------------------------------------------
    Check(
        id="DATA-001",
        title="Publicly readable storage holds AI data",
        severity="critical",
        provider="any",
        kinds=("S3Bucket", "GCPBucket", "AzureStorageAccount", "CustomDataStore"),
        predicate=all_of(
            any_of(is_true("public_read"), is_true("allow_blob_public_access")),
            one_of("data_role", *AI_DATA_ROLES),
        ),
        remediation="Remove anonymous access (S3 Block Public Access, GCS public access "
        "prevention, allowBlobPublicAccess=false) from storage holding training, grounding or "
        "model data.",
        references=(
            f"{_AWS}/AmazonS3/latest/userguide/access-control-block-public-access.html",
            f"{_GCP}/storage/docs/public-access-prevention",
        ),
        frameworks={"OWASP-LLM": ("LLM04",)},
    ),
    # --- model provenance (issue 20; additive: the catalogue's restructuring for issue 17
    # may move these two entries, their ids and predicates are what matters) ----------------
    Check(
        id="MODEL-001",
        title="Model of unknown provenance: its record names no base model, hub repository, "
        "registry asset, catalogue id or training job",
        severity="medium",
        provider="any",
        kinds=MODEL_KINDS,
        predicate=equals("provenance_source", "unknown"),
        remediation="Deploy models only from a registry (SageMaker Model Registry, Azure ML "
        "registry, Vertex Model Registry) or name their source in the serving container "
        "(HF_MODEL_ID with HF_MODEL_REVISION), so an auditor can tell whose weights run.",
        references=("https://genai.owasp.org/llmrisk/llm032025-supply-chain/",),
        frameworks={"OWASP-LLM": ("LLM03",)},
    ),
    Check(
        id="MODEL-002",
        title="Model weights are not pinned to an immutable version",
        severity="low",
        provider="any",
        kinds=MODEL_KINDS,
        predicate=all_of(
            is_false("provenance_pinned"),
            Not(one_of("provenance_source", "unknown")),
        ),
        remediation="Pin the source: a Hugging Face commit hash in HF_MODEL_REVISION (not a "
        "branch such as main), a versioned foundation model id, a registry asset version, and "
        "no automatic version upgrade on Azure OpenAI deployments.",
        references=("https://genai.owasp.org/llmrisk/llm032025-supply-chain/",),
        frameworks={"OWASP-LLM": ("LLM03",)},
    ),
    # --- trust beyond the collected estate --------------------------------------------------
    Check(
        id="TRUST-001",
        title="An account, tenant or project outside the collected estate is granted access",
        severity="medium",
        provider="any",
        kinds=("ExternalAccount",),
        predicate=Not(NoEdge(None, "out")),
        remediation="Remove the grant its edges name (role trust, bucket / key / secret policy, "
        "guest or multi-tenant app role assignment, service account binding) if it is not "
        "needed; otherwise collect that account, tenant or project so its own paths and "
        "posture are known instead of assumed.",
        references=(
            f"{_AWS}/IAM/latest/UserGuide/access_policies-cross-account-resource-access.html",
            f"{_MS}/active-directory/external-identities/cross-tenant-access-overview",
            f"{_GCP}/iam/docs/attach-service-accounts#attaching-different-project",
        ),
    ),
]


def register(*checks: Check) -> None:
    """Add checks (provider modules); an id may be declared only once."""
    known = {c.id for c in CHECKS}
    for check in checks:
        if check.id in known:
            raise ValueError(f"check {check.id} is declared twice")
        known.add(check.id)
        CHECKS.append(check)


def checks_by_id() -> dict[str, Check]:
    return {c.id: c for c in CHECKS}
