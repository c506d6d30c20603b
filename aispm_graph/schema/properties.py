"""Properties of the provider kinds, declared per kind (issue 18, section 2).

``nodes.py`` declares each kind with the properties its author documented at the time; this
module declares the rest of what the transforms and derivers write, so a graph holds no key the
schema does not explain. ``aispm_graph.schema`` merges ``KIND_PROPS`` into the kinds, so every
reader (the audit, strict graphs, ``docs/schema.md``, the generated ``keys.py``) sees one list
per kind. A new property may be declared in either place; ``tests/core/test_schema.py`` fails
when one kind declares a name twice.

Shared vocabularies (the neutral firewall rule, the Cloud Asset envelope of every GCP resource,
the ARM type of every Azure resource) are one ``Prop`` each, so the same name means the same
thing on every kind that carries it.
"""

from __future__ import annotations

from aispm_graph.schema.model import Label, Prop, PropType, Provider
from aispm_graph.schema.nodes import (
    ACTING,
    ADMIN,
    ADMIN_VIA,
    AI_LIBS,
    APPROVAL,
    CMK,
    CRITICALITY,
    DATA_ROLE,
    INDICATORS,
    LOCAL_AUTH,
    LONG_LIVED,
    MODEL_VERSION,
    NET_DEFAULT,
    PRIVATE_ONLY,
    VULN_FACTORS,
)

S, INT, B, SL, J = (
    PropType.STR,
    PropType.INT,
    PropType.BOOL,
    PropType.STR_LIST,
    PropType.JSON,
)


def P(name: str, type_: PropType, doc: str, *, passthrough: bool = False) -> Prop:
    return Prop(name, type_, doc, passthrough=passthrough)


# --- envelopes every resource of a provider carries ------------------------------------------
ARM_TYPE = P(
    "arm_type",
    S,
    "Azure Resource Manager type, lower case (microsoft.cognitiveservices/accounts): what the "
    "resource is in Azure's own terms, to look up in Azure documentation and Azure Policy.",
    passthrough=True,
)
ASSET_TYPE = P(
    "asset_type",
    S,
    "Cloud Asset Inventory type it was read as (aiplatform.googleapis.com/Endpoint).",
    passthrough=True,
)
ANCESTORS = P(
    "ancestors",
    SL,
    "Project, folders and organisation above the resource, nearest first: where IAM bindings "
    "that reach it can be inherited from.",
    passthrough=True,
)
COLLECTED = P(
    "collected",
    B,
    "False on a placeholder: something collected references it, but it was not read itself "
    "(out of scope, denied, or outside the estate), so its own settings are unknown.",
)
IAM_BINDINGS = P(
    "iam_bindings",
    J,
    "The resource's own IAM policy bindings as read ([{role, members, condition}]): who holds "
    "which role directly on it, before inheritance.",
    passthrough=True,
)

MODEL_SCAN = P(
    "model_scan",
    J,
    "Findings of 'aispm scan-model' on an artifact attached to the resource "
    "([{path, verdict, findings}]): unsafe deserialisation in model files runs code on load.",
)
VULN_COUNTS = P(
    "vulnerabilities",
    J,
    "Matched vulnerabilities of its software counted by severity ({critical: n, high: n}).",
)

AGENT_INDICATOR_EVIDENCE = P(
    "agent_indicator_evidence",
    J,
    "Per agent indicator (agent_indicators), the facts that raised it: which principal can "
    "write what the agent reads, which tool sends data out.",
)

# Properties any kind may carry, declared once and merged into every kind they apply to:
# any node may be a placeholder (``Builder.placeholder``), be marked by the owner's context
# (``derive/context_rules.py``) or get a model scan attached (``aispm scan-model --attach``).
COMMON_PROPS: tuple[Prop, ...] = (
    COLLECTED,
    CRITICALITY,
    DATA_ROLE,
    P(
        "context_rules",
        SL,
        "Names of the owner's context rules that marked the resource (crown jewel, data role): "
        "shown as path factors so a raised risk says whose judgement raised it.",
    ),
    P(
        "accepted_exposures",
        J,
        "Internet exposures the owner accepted and the build dropped ([{rule, reason, edge}]): "
        "kept so a report can show what was accepted and why.",
    ),
    MODEL_SCAN,
    VULN_FACTORS,
)
# Software found on compute (the vulns-factors deriver), whatever the kind of compute.
LABEL_PROPS: dict[Label, tuple[Prop, ...]] = {
    Label.COMPUTE: (AI_LIBS, VULN_FACTORS, VULN_COUNTS),
    # The agents deriver rates every agent and gateway (docs/agents.md).
    Label.AI_AGENT: (INDICATORS, AGENT_INDICATOR_EVIDENCE),
    Label.AGENT_GATEWAY: (INDICATORS, AGENT_INDICATOR_EVIDENCE),
}
# Every Azure resource carries its ARM type (``transforms/azure/builder.py``), every GCP asset
# its Cloud Asset envelope (``transforms/gcp/builder.py``).
PROVIDER_PROPS: dict[Provider, tuple[Prop, ...]] = {
    Provider.AZURE: (
        ARM_TYPE,
        # A diagnostic setting may name any resource (transforms/azure/ai_posture.py).
        P(
            "diagnostic_logs_enabled",
            B,
            "A diagnostic setting sends the resource's logs somewhere: without it, use of "
            "the resource leaves no trail to investigate.",
        ),
    ),
    Provider.GCP: (ANCESTORS, ASSET_TYPE, IAM_BINDINGS),
}

# --- the neutral firewall rule (derive/exposure.py evaluates these) --------------------------
FW_ACCESS = P("access", S, "allow or deny: whether traffic the rule matches is admitted.")
FW_DIRECTION = P("direction", S, "inbound or outbound; internet exposure reads inbound rules.")
FW_PRIORITY = P(
    "priority",
    INT,
    "Evaluation order, lowest first; a deny with a lower number than an allow wins.",
)
FW_PROTOCOL = P(
    "protocol",
    S,
    "Protocol matched: tcp, udp, icmp, or '*' / '-1' / 'all' for every protocol.",
)
FW_PORTS = P(
    "port_ranges",
    SL,
    "Destination ports matched ('*', '22', '8000-8999'): which services an admitted source "
    "reaches.",
)
FW_SOURCES = P(
    "source_prefixes",
    SL,
    "Sources matched: CIDR ranges or provider tags; 0.0.0.0/0, ::/0, '*' and 'Internet' admit "
    "the whole internet.",
)
FIREWALL_RULE = (FW_ACCESS, FW_DIRECTION, FW_PRIORITY, FW_PROTOCOL, FW_PORTS, FW_SOURCES)
KMS_KEY = P(
    "kms_key",
    S,
    "ARN of the customer-managed KMS key it is encrypted with (absent: an AWS-owned key, "
    "which the account cannot audit or revoke).",
    passthrough=True,
)
PERMISSIONS_BOUNDARY = P(
    "permissions_boundary",
    J,
    "The permissions boundary policy ({name, arn, document}); it caps what identity policies "
    "grant. One that was not collected is recorded as allowing nothing.",
)
SOURCE_FILE = P("source_file", S, "The imported file (SBOM, scan report) it was read from.")
FW_DISABLED = P("disabled", B, "The rule exists but is switched off, so it admits nothing.")
FW_LOG = P(
    "log_enabled",
    B,
    "Firewall rule logging is on: connections it admits are recorded for investigation.",
)
FW_NETWORK = P("network", S, "VPC network the rule applies to (projects/p/global/networks/n).")

# --- shared meanings --------------------------------------------------------------------------
EXEC_ROLE_ARN = P(
    "role",
    S,
    "ARN of the IAM role it runs as: whoever controls its code or input acts with that role.",
)
RESOURCE_POLICY = P(
    "resource_policy",
    J,
    "The resource-based policy document as read: who outside the owning identity may use it "
    "(public and cross-account grants are evaluated from it).",
    passthrough=True,
)
PUBLIC_READ_GRANT = P(
    "public_read_grant",
    S,
    "The grant that makes the data readable by anyone, in words (bucket policy statement, ACL, "
    "allUsers binding): what to remove to close it.",
)
IDENTITY_STATE = P("state", S, "Lifecycle state as the provider reports it.", passthrough=True)
SKU = P(
    "sku",
    S,
    "Pricing tier / SKU name as read; some security features depend on it.",
    passthrough=True,
)
PRINCIPAL_TYPE = P(
    "principal_type",
    S,
    "Kind of principal as the provider names it: User, Group, ServicePrincipal, user, group, "
    "domain.",
    passthrough=True,
)
SYNTHETIC = P(
    "synthetic",
    B,
    "Made by the transform, not read: the open door of a NIC with a Basic public IP and no NSG, "
    "spelled out as a firewall so exposure evidence can name it and the fix say what to add.",
)
DISABLED = P("disabled", B, "Disabled: it cannot be used until someone enables it again.")
STATUS = P("status", S, "Provider status (RUNNING, InService, ...).", passthrough=True)

KIND_PROPS: dict[str, tuple[Prop, ...]] = {
    "ExternalIdentityProvider": (
        P(
            "risk",
            S,
            "Always 'unknown': who can obtain its tokens is outside the estate; under assumed "
            "breach it is an entry.",
        ),
    ),
    "BedrockAgentCoreCodeInterpreter": (ACTING,),
    "VertexAIIndex": (CMK,),
    "VertexAIFeatureOnlineStore": (CMK,),
    "GCPServiceAccountKey": (
        STATUS,
        P("valid_after", S, "Start of the key's validity (RFC 3339).", passthrough=True),
        P(
            "valid_before",
            S,
            "End of the key's validity; far in the future for user-managed keys, which do not "
            "expire unless a policy says so.",
            passthrough=True,
        ),
    ),
    "GCPForwardingRule": (
        P(
            "ip_address",
            S,
            "The rule's IP address (external for EXTERNAL rules).",
            passthrough=True,
        ),
        P("ip_protocol", S, "Protocol forwarded (TCP, UDP).", passthrough=True),
        P(
            "load_balancing_scheme",
            S,
            "EXTERNAL (internet-facing), INTERNAL, EXTERNAL_MANAGED, ...",
            passthrough=True,
        ),
        P("port_range", S, "Port range forwarded (80-80).", passthrough=True),
        P("ports", SL, "Ports forwarded.", passthrough=True),
    ),
    "GCPCloudFunction": (
        P("generation", S, "Cloud Functions generation: 1 or 2 (2 runs on Cloud Run)."),
        P(
            "http_trigger",
            B,
            "Triggered over HTTPS: callable at its URL (who may call depends on invoker IAM).",
        ),
        P(
            "ingress",
            S,
            "Ingress setting (ALLOW_ALL, ALLOW_INTERNAL_ONLY, ALLOW_INTERNAL_AND_GCLB).",
            passthrough=True,
        ),
        P("ingress_all", B, "Ingress is ALLOW_ALL: the URL is reachable from the internet."),
        P("url", S, "The function URL.", passthrough=True),
        P(
            "env_var_names",
            SL,
            "Names of its environment variables (never the values): names like API_KEY show "
            "secrets passed in plain environment.",
        ),
    ),
    "GCPOrganization": (
        P(
            "custom_roles",
            J,
            "Custom roles defined here with their permissions ({role: [permission]}): what a "
            "binding to one of them grants.",
        ),
        P(
            "org_policies",
            J,
            "Effective organisation policy constraints the product watches ({constraint: "
            "{enforced | list, set_at}}): guard rails such as public access prevention and "
            "external IP limits, and where they are set.",
        ),
    ),
    "GCPFolder": (
        P(
            "custom_roles",
            J,
            "Custom roles defined here with their permissions ({role: [permission]}): what a "
            "binding to one of them grants.",
        ),
        P(
            "org_policies",
            J,
            "Effective organisation policy constraints the product watches ({constraint: "
            "{enforced | list, set_at}}): guard rails such as public access prevention and "
            "external IP limits, and where they are set.",
        ),
    ),
    "SageMakerTrainingJob": (
        P(
            "model_artifacts",
            S,
            "S3 URI of the model artifacts the job wrote: whoever writes there replaces the model.",
            passthrough=True,
        ),
        P(
            "network_isolation",
            B,
            "Network isolation is on: the training container cannot reach the network (no "
            "exfiltration from a poisoned dependency).",
            passthrough=True,
        ),
        EXEC_ROLE_ARN,
        P(
            "output_location",
            S,
            "S3 URI the job writes its model to: whoever writes there replaces the model.",
            passthrough=True,
        ),
        P("in_vpc", B, "The job runs in the account's VPC subnets (VpcConfig names subnets)."),
        P("volume_kms", B, "The training volume is encrypted with a customer-managed KMS key."),
        P("output_kms", B, "The model artifacts are encrypted with a customer-managed KMS key."),
        P(
            "intercontainer_encryption",
            B,
            "Traffic between the containers of a distributed job is encrypted.",
            passthrough=True,
        ),
    ),
    "SageMakerDomain": (
        P(
            "auth_mode",
            S,
            "How users sign in to Studio: IAM or SSO (IAM Identity Center).",
            passthrough=True,
        ),
        P("kms", B, "The domain's storage is encrypted with a customer-managed KMS key."),
    ),
    "MLBOMModel": (
        SOURCE_FILE,
        P("description", S, "Description from the ML-BOM.", passthrough=True),
    ),
    "MLBOMDataset": (
        SOURCE_FILE,
        P("version", S, "Dataset version from the ML-BOM.", passthrough=True),
    ),
    "LoadBalancerV2": (
        P("dns_name", S, "DNS name clients reach it at.", passthrough=True),
        P("lb_type", S, "application or network.", passthrough=True),
        P(
            "listeners",
            J,
            "Listeners ([{port, protocol}]): the ports the balancer accepts and forwards.",
        ),
    ),
    "KMSKey": (
        P("aliases", SL, "Alias names of the key.", passthrough=True),
        P("key_id", S, "Key id.", passthrough=True),
        P("state", S, "Key state (Enabled, PendingDeletion, ...).", passthrough=True),
    ),
    "EKSCluster": (
        P(
            "public_access_cidrs",
            SL,
            "Ranges admitted to the public API endpoint (0.0.0.0/0: the whole internet).",
            passthrough=True,
        ),
    ),
    "ECSTaskDefinition": (
        P(
            "env_var_names",
            SL,
            "Names of the containers' environment variables (never the values).",
        ),
        P("images", SL, "Container images the task runs.", passthrough=True),
    ),
    "ECRRepository": (
        P(
            "scan_on_push",
            B,
            "Images are scanned for vulnerabilities when pushed.",
            passthrough=True,
        ),
        P("uri", S, "Repository URI images are pulled from.", passthrough=True),
    ),
    "EC2LaunchTemplate": (
        P(
            "instance_profile",
            S,
            "Instance profile instances launched from the template get: whoever can launch it "
            "runs code as that role.",
        ),
    ),
    "ContainerImage": (
        AI_LIBS,
        VULN_COUNTS,
        P(
            "image_ai_library",
            S,
            "AI library or model server the image's name shows (vllm, ollama, pytorch): shadow "
            "AI even without an SBOM.",
        ),
        SOURCE_FILE,
        P("references", SL, "Tags or references the image was reported under."),
    ),
    "OpenSearchServerlessCollection": (STATUS,),
    "CloudFormationStack": (STATUS,),
    "BedrockAgentCoreRuntime": (
        P(
            "env_names",
            SL,
            "Names of the runtime's environment variables (never the values): names like "
            "API_KEY show secrets passed in plain environment.",
        ),
    ),
    "BedrockImportedModel": (KMS_KEY,),
    "AzureStorageAccount": (
        LOCAL_AUTH,
        PRIVATE_ONLY,
        P(
            "public_read",
            B,
            "Anonymous blob read is allowed on the account: containers set to public can be "
            "read by anyone.",
        ),
        PUBLIC_READ_GRANT,
    ),
    "AzureSearchService": (
        NET_DEFAULT,
        PRIVATE_ONLY,
        P(
            "auth_options",
            J,
            "Data-plane authentication options as read (apiKeyOnly, aadOrApiKey): whether API "
            "keys are accepted.",
            passthrough=True,
        ),
    ),
    "AzureDatabricksWorkspace": (
        P(
            "managed_resource_group",
            S,
            "Id of the resource group Databricks manages for the workspace's compute and "
            "storage (locked to the customer).",
            passthrough=True,
        ),
    ),
    "AWSGroup": (
        P(
            "policies",
            J,
            "The group's identity policies with their documents; every member holds them.",
        ),
    ),
    "AzureLoadBalancer": (
        SKU,
        P(
            "public_ip",
            S,
            "Public address of its first public frontend: a public load balancer forwards its "
            "rule ports from the internet to the backends.",
        ),
    ),
    "AzureVMScaleSet": (
        P(
            "public_ip",
            S,
            "Public address of the scale set, or 'per-instance public IP' when each instance "
            "gets its own.",
        ),
        P("capacity", INT, "Number of instances in the scale set.", passthrough=True),
    ),
    "AzureNetworkSecurityGroup": (SYNTHETIC,),
    "EntraUser": (
        P(
            "external_user_state",
            S,
            "Invitation state of a guest (PendingAcceptance, Accepted): an accepted guest "
            "signs in with credentials another tenant controls.",
            passthrough=True,
        ),
    ),
    "ExternalAccount": (
        P(
            "account_type",
            S,
            "What the uncollected account is (gcp-project, aws-account, entra-tenant).",
        ),
        P(
            "risk",
            S,
            "Always 'unknown': the account was not collected, so nothing is known about who "
            "controls it; under assumed breach it is an entry.",
        ),
    ),
    "AzureServicePrincipal": (
        P(
            "sign_in_audience",
            S,
            "Who may sign in to the application (AzureADMyOrg, AzureADMultipleOrgs, ...): a "
            "multi-tenant app can be consented into other tenants.",
            passthrough=True,
        ),
    ),
    "AzureMLServerlessEndpoint": (
        P(
            "content_safety",
            S,
            "Azure AI Content Safety on the endpoint: Enabled or Disabled (harmful prompts and "
            "answers pass unfiltered when Disabled).",
        ),
    ),
    # --- AWS --------------------------------------------------------------------------------
    "AWSAccount": (
        P(
            "scps",
            J,
            "Service control policies that apply, one list per level from the account up to "
            "the root: they cap what any principal of the account may do.",
        ),
        P(
            "rcps",
            J,
            "Resource control policies that apply, per level like scps: they cap what anyone "
            "may do to the account's resources.",
        ),
        P(
            "ai_opt_out",
            B,
            "An Organizations AI services opt-out policy applies: AWS does not use the "
            "account's AI content (prompts, outputs) to improve its services.",
        ),
        P("ai_opt_out_policies", SL, "Names of the opt-out policies that apply."),
        P(
            "collected_by",
            S,
            "ARN of the caller that collected the account (sts:GetCallerIdentity): the "
            "vantage point, and so the limits, of what was read.",
            passthrough=True,
        ),
    ),
    "AWSInstanceProfile": (
        P(
            "role",
            S,
            "ARN of the role in the profile: what an instance that has the profile runs as.",
        ),
    ),
    "AWSLambda": (
        EXEC_ROLE_ARN,
        RESOURCE_POLICY,
        P(
            "agent_action_group",
            B,
            "A Bedrock agent calls it as an action group: agent input (and prompt injection) "
            "reaches its code.",
        ),
        P(
            "event_sources",
            INT,
            "Number of event source mappings (SQS, Kinesis, DynamoDB streams) that trigger it: "
            "whoever can write those sources runs its code.",
        ),
        P("function_url", S, "Its function URL, if one is configured.", passthrough=True),
        P(
            "url_public",
            B,
            "The function URL has AuthType NONE and a resource policy that lets anyone invoke "
            "it: the function is reachable from the internet without credentials.",
        ),
        P("package_type", S, "Zip or Image deployment package.", passthrough=True),
        P(
            "runtime",
            S,
            "Language runtime (python3.12); a deprecated runtime gets no security patches.",
            passthrough=True,
        ),
    ),
    "AWSPolicy": (
        P(
            "attachment_count",
            INT,
            "How many users, groups and roles it is attached to: the blast radius of changing it.",
            passthrough=True,
        ),
    ),
    "AWSRole": (
        PERMISSIONS_BOUNDARY,
        P("path", S, "IAM path of the role (/service-role/ ...).", passthrough=True),
        P(
            "policies",
            J,
            "The role's identity policies, inline and attached, with their documents "
            "([{name, arn or inline, document}]): what it may do, as evaluated by the IAM "
            "deriver.",
        ),
    ),
    "AWSUser": (
        PERMISSIONS_BOUNDARY,
        P(
            "policies",
            J,
            "The user's identity policies, inline and attached, with their documents "
            "([{name, arn or inline, document}]).",
        ),
        P("groups", SL, "Names of the IAM groups the user is in (their policies apply too)."),
    ),
    "AWSVpc": (
        P("cidr", S, "Primary IPv4 CIDR block.", passthrough=True),
        P(
            "bedrock_endpoints_missing",
            SL,
            "Bedrock interface endpoints (bedrock, bedrock-runtime, bedrock-agent, "
            "bedrock-agent-runtime) the VPC lacks: model calls from it leave over the "
            "internet path instead of PrivateLink.",
        ),
    ),
    "AccountAccessKey": (
        P(
            "last_used_service",
            S,
            "Service the key last called (N/A when never used): a key used recently is live; "
            "one never used is removable at no cost.",
            passthrough=True,
        ),
    ),
    "BedrockAgent": (
        AGENT_INDICATOR_EVIDENCE,
        P("agent_id", S, "Bedrock agent id (the ARN's last part).", passthrough=True),
        P(
            "disabled_prompt_stages",
            SL,
            "Prompt stages (pre-processing, ...) switched off: the checks they do are skipped.",
        ),
        P("has_instruction", B, "The agent has instructions (a system prompt)."),
        P(
            "parser_override",
            B,
            "A custom Lambda parses the model's output at some stage: its code decides what "
            "the agent does.",
        ),
        P(
            "prompt_override",
            B,
            "A prompt template is overridden: the default prompt's safeguards may be gone.",
        ),
    ),
    "BedrockCustomModel": (
        P(
            "owned",
            B,
            "The account owns the model (listed with isOwned); a model shared from another "
            "account is governed there.",
        ),
    ),
    "BedrockGuardrail": (
        P("guardrail_id", S, "Guardrail id.", passthrough=True),
        P(
            "grounding_filter_gaps",
            SL,
            "Contextual grounding filters the guardrail lacks ('no GROUNDING filter'): "
            "hallucinated or off-source answers pass.",
        ),
        P(
            "prompt_attack_strength",
            S,
            "Input strength of the prompt-attack filter (NONE, LOW, MEDIUM, HIGH): how hard "
            "it blocks jailbreaks and prompt injection.",
            passthrough=True,
        ),
        P(
            "sensitive_information_filter",
            B,
            "A sensitive-information (PII / regex) filter is configured.",
        ),
    ),
    "BedrockInvocationLogging": (
        P(
            "unencrypted_log_destinations",
            SL,
            "Log destinations of model invocations (prompts and answers) without a KMS key.",
        ),
        P(
            "bedrock_in_use",
            B,
            "The region has Bedrock resources, so the logging and guardrail findings on it matter.",
        ),
        P("in_use_evidence", SL, "What shows Bedrock is used there (resource kinds found)."),
        P(
            "no_guardrails",
            B,
            "Bedrock is used in the region and no guardrail exists there.",
        ),
    ),
    "BedrockKnowledgeBase": (
        P(
            "web_seeds",
            SL,
            "Seed URLs of a web crawler data source: whoever controls those sites writes "
            "what the knowledge base retrieves.",
        ),
        P(
            "connectors",
            SL,
            "Types of its non-S3 data sources (confluence, sharepoint, salesforce): content "
            "their users can edit reaches the model.",
        ),
        P(
            "role",
            S,
            "ARN of the knowledge base's service role: what ingestion reads data sources as.",
        ),
        P(
            "data_sources_without_cmk",
            SL,
            "Data sources whose ingestion is not encrypted with a customer-managed key.",
        ),
        P(
            "field_mapping_gaps",
            SL,
            "Vector store field mappings that are missing (text, metadata, vector field).",
        ),
        P(
            "vector_collection",
            S,
            "ARN of the vector store (OpenSearch Serverless collection, ...) holding the "
            "embeddings: whoever can write it steers retrieval.",
            passthrough=True,
        ),
        P(
            "vector_store",
            S,
            "Vector store type (OPENSEARCH_SERVERLESS, PINECONE, RDS, ...).",
            passthrough=True,
        ),
    ),
    "EC2Instance": (
        P(
            "imds_hop_limit",
            INT,
            "Metadata response hop limit: above 1, a container on the host can reach the "
            "instance role's credentials.",
            passthrough=True,
        ),
        P("instance_profile", S, "ARN of the attached instance profile."),
        P("public_ip_address", S, "Public IPv4 address, if any.", passthrough=True),
        IDENTITY_STATE,
        P(
            "subnet_internet_route",
            B,
            "Its subnet routes 0.0.0.0/0 to an internet gateway: a public address makes it "
            "reachable.",
        ),
    ),
    "EC2NetworkAcl": (
        P("default", B, "The VPC's default network ACL (allows everything unless changed)."),
    ),
    "EC2NetworkAclRule": FIREWALL_RULE,
    "EC2SecurityGroup": (
        P("group_id", S, "Security group id (sg-...).", passthrough=True),
        P("vpc_id", S, "Id of the VPC the group belongs to.", passthrough=True),
    ),
    "EC2Subnet": (
        P("cidr", S, "IPv4 CIDR block.", passthrough=True),
        P("internet_gateway", S, "Id of the internet gateway its route table points at."),
        P(
            "internet_route",
            B,
            "Its route table sends 0.0.0.0/0 to an internet gateway (a public subnet).",
        ),
    ),
    "IpPermissionInbound": (
        *FIREWALL_RULE,
        P(
            "source_groups",
            SL,
            "Security groups admitted as sources: members of those groups reach the port.",
        ),
    ),
    "S3Bucket": (
        P(
            "public_write_grant",
            S,
            "The grant that lets anyone write the bucket, in words: what to remove to close it.",
        ),
        KMS_KEY,
        RESOURCE_POLICY,
        PUBLIC_READ_GRANT,
        P(
            "ai_prefixes",
            SL,
            "Key prefixes AI resources use (training data, knowledge base data sources, model "
            "artifacts): access to these, not the whole bucket, is what matters.",
        ),
        P(
            "public_access_block",
            J,
            "Bucket-level Block Public Access settings as read (empty when none are set).",
            passthrough=True,
        ),
        P(
            "public_acl_grants",
            SL,
            "ACL grants to AllUsers or AuthenticatedUsers (permission per grantee).",
        ),
    ),
    "SageMakerEndpoint": (
        P(
            "data_capture",
            B,
            "Data capture is on: requests and responses are stored for monitoring (and must "
            "be protected as data).",
        ),
        P("endpoint_config", S, "Name of the endpoint configuration.", passthrough=True),
        P("kms", B, "The endpoint configuration names a KMS key for its storage volumes."),
        P(
            "single_instance_variants",
            SL,
            "Production variants with one instance: no availability across zones.",
        ),
        STATUS,
    ),
    "SageMakerNotebookInstance": (
        P(
            "lifecycle_config",
            S,
            "Lifecycle configuration run at start as root: whoever can change it runs code on "
            "the notebook.",
            passthrough=True,
        ),
        CMK,
        P(
            "role",
            S,
            "ARN of the notebook's execution role: anyone with a notebook session acts as it.",
        ),
    ),
    "SecretsManagerSecret": (CMK, RESOURCE_POLICY),
    # --- Azure ------------------------------------------------------------------------------
    "AzureCognitiveServicesAccount": (
        P(
            "network_ip_rules",
            SL,
            "IP ranges the account firewall admits when its default action is Deny.",
            passthrough=True,
        ),
        P(
            "allowed_fqdns",
            SL,
            "Destinations the account may still reach when outbound access is restricted: "
            "where it could send data.",
            passthrough=True,
        ),
        CMK,
        SKU,
        P("endpoint", S, "The account's endpoint URL.", passthrough=True),
        P(
            "identity_principal_id",
            S,
            "Object id of its system-assigned managed identity: what the account acts as "
            "towards storage, search and key vaults.",
            passthrough=True,
        ),
        P(
            "outbound_restricted",
            B,
            "Outbound network access is restricted to allowed FQDNs "
            "(restrictOutboundNetworkAccess): the service cannot send data elsewhere.",
            passthrough=True,
        ),
        P("private_endpoints", SL, "Ids of private endpoints connected to the account."),
    ),
    "AzureKeyVault": (
        NET_DEFAULT,
        P(
            "rbac_authorization",
            B,
            "Data-plane access is decided by Azure RBAC (not access policies): secret readers "
            "are found from role assignments.",
            passthrough=True,
        ),
    ),
    "AzureMLConnection": (
        P(
            "shared_to_all",
            B,
            "Every user of the workspace may use the connection's credentials.",
            passthrough=True,
        ),
        P("target_resource", S, "Resource id of what the connection reaches, when Azure."),
        P("target_url", S, "URL of what the connection reaches.", passthrough=True),
    ),
    "AzureMLOnlineEndpoint": (
        P(
            "deployments",
            J,
            "The endpoint's deployments ([{name, model, instance_type, ...}]): which models "
            "it serves.",
        ),
        P("endpoint_type", S, "online or serverless.", passthrough=True),
        P("scoring_uri", S, "The URL clients call to score.", passthrough=True),
    ),
    "AzureMLWorkspace": (
        CMK,
        PRIVATE_ONLY,
        P("app_insights", B, "An Application Insights resource is attached (telemetry)."),
        P("has_private_endpoint", B, "At least one private endpoint connects to it."),
        P(
            "hub",
            S,
            "Resource id of the hub workspace a project workspace belongs to: the hub's "
            "connections and identity are shared.",
        ),
        P(
            "isolation_mode",
            S,
            "Managed network isolation (Disabled, AllowInternetOutbound, "
            "AllowOnlyApprovedOutbound): whether compute in it can reach the internet.",
            passthrough=True,
        ),
        P(
            "system_datastores_auth_mode",
            S,
            "How the workspace authenticates to its default storage: accesskey (shared key) or "
            "identity.",
            passthrough=True,
        ),
    ),
    "AzureManagedIdentity": (
        P(
            "assigned_to",
            S,
            "Resource id of the resource a system-assigned identity belongs to.",
        ),
        P("client_id", S, "Application (client) id of the identity.", passthrough=True),
        P("identity_type", S, "SystemAssigned or UserAssigned.", passthrough=True),
    ),
    "AzureNSGRule": (
        P(
            "source_application_security_groups",
            SL,
            "Application security groups admitted as sources: their members' NICs reach the port.",
        ),
        *FIREWALL_RULE,
        SYNTHETIC,
        P(
            "load_balancer_rule",
            B,
            "Stands for a public load balancer's rule: the balancer forwards only this port, so "
            "it is an allow-list layer in front of the backends.",
        ),
        P(
            "default_rule",
            B,
            "One of Azure's default security rules (priority 65000+), present in every NSG.",
        ),
    ),
    "AzureOpenAIDeployment": (
        SKU,
        P(
            "capacity",
            INT,
            "Provisioned capacity (thousands of tokens per minute).",
            passthrough=True,
        ),
        P(
            "content_filter",
            B,
            "A content filter (RAI policy) applies to the deployment.",
        ),
    ),
    "AzurePrivateEndpoint": (P("targets", SL, "Resource ids the private endpoint connects to."),),
    "AzurePublicIPAddress": (
        SKU,
        P("allocation", S, "Static or Dynamic allocation.", passthrough=True),
        P("ip_address", S, "The public IP address.", passthrough=True),
    ),
    "AzureRoleAssignment": (
        P(
            "condition",
            S,
            "ABAC condition of the assignment, as written: the grant holds only where it is true "
            "(edges from it are conditional).",
            passthrough=True,
        ),
        P(
            "actions",
            SL,
            "Control-plane actions the assigned role grants (wildcards as in the role definition).",
        ),
        P(
            "not_actions",
            SL,
            "Control-plane actions excluded from actions (not a deny).",
        ),
        P("data_actions", SL, "Data-plane actions the role grants (read blobs, call models)."),
        P("not_data_actions", SL, "Data-plane actions excluded from data_actions."),
        P(
            "collected_for_subscriptions",
            SL,
            "Subscriptions whose collection listed the assignment: an assignment above them "
            "(management group) is only known where it was listed.",
        ),
        P("principal_id", S, "Object id of the assignee.", passthrough=True),
        PRINCIPAL_TYPE,
        P("role_definition_id", S, "Id (GUID) of the role definition.", passthrough=True),
        P(
            "role_source",
            S,
            "Where the role's permissions came from: collected (role definition read), "
            "builtin (the bundled list of built-in roles) or unknown.",
        ),
    ),
    "AzureSubnet": (P("address_prefix", S, "The subnet's address range.", passthrough=True),),
    "AzureSubscription": (
        P("subscription_id", S, "Subscription id (GUID).", passthrough=True),
        P(
            "defender_for_ai",
            B,
            "The Defender for Cloud AI threat protection plan (pricings/AI) is on the Standard "
            "tier; unset when the plans could not be read.",
        ),
        P(
            "azure_tenant_id",
            S,
            "Entra tenant the subscription trusts for sign-in: whose identities control it.",
            passthrough=True,
        ),
    ),
    "AzureVirtualMachine": (
        VULN_COUNTS,
        P("image", S, "Image reference (publisher:offer:sku).", passthrough=True),
        P("os_type", S, "Linux or Windows.", passthrough=True),
        P("vm_size", S, "VM size (Standard_NC... sizes have GPUs).", passthrough=True),
    ),
    "AzureVirtualNetwork": (
        P("address_prefixes", SL, "Address ranges of the network.", passthrough=True),
    ),
    "AzureWebApp": (
        P(
            "default_host_name",
            S,
            "The app's default *.azurewebsites.net host name.",
            passthrough=True,
        ),
    ),
    # --- GCP --------------------------------------------------------------------------------
    "DiscoveryEngineDataStore": (
        CMK,
        DATA_ROLE,
        P(
            "content_config",
            S,
            "What the data store holds (NO_CONTENT, CONTENT_REQUIRED, PUBLIC_WEBSITE): a "
            "public website is content anyone can write.",
            passthrough=True,
        ),
        P("industry_vertical", S, "Industry vertical (GENERIC, MEDIA, ...).", passthrough=True),
    ),
    "GCPBucket": (
        P("public_write", B, "Anyone can write objects (an allUsers binding that grants it)."),
        P(
            "public_access_prevention_source",
            S,
            "Where enforced public access prevention comes from (an organisation policy and "
            "where it is set).",
        ),
        P(
            "public_list",
            B,
            "Anyone can list the objects (an allUsers binding with storage.objects.list but "
            "not get): names leak, contents do not.",
        ),
        P("public_list_grant", S, "The binding that makes the objects listable by anyone."),
        P("public_write_grant", S, "The binding that lets anyone write the bucket."),
        PUBLIC_READ_GRANT,
        P(
            "public_access_prevention",
            S,
            "enforced or inherited: enforced blocks allUsers and allAuthenticatedUsers grants.",
            passthrough=True,
        ),
        P(
            "uniform_access",
            B,
            "Uniform bucket-level access: object ACLs are off and IAM alone decides access.",
            passthrough=True,
        ),
    ),
    "GCPCloudRunService": (
        P(
            "mcp_evidence",
            SL,
            "What suggests the service is an MCP server (image, name, tag, environment names).",
        ),
        P(
            "mcp_public",
            B,
            "That MCP server is reachable from the internet: its tools can be called directly.",
        ),
        P(
            "env_var_names",
            SL,
            "Names of its environment variables (never the values): names like API_KEY show "
            "secrets passed in plain environment.",
        ),
        P("images", SL, "Container images it runs.", passthrough=True),
        P(
            "ingress_all",
            B,
            "Ingress is INGRESS_TRAFFIC_ALL: the service URL is reachable from the internet.",
        ),
        P(
            "invoker_iam_disabled",
            B,
            "The invoker IAM check is off: anyone reaching the URL may call it.",
            passthrough=True,
        ),
        P("url", S, "The service URL.", passthrough=True),
    ),
    "GCPFirewall": (
        P(
            "target_service_accounts",
            SL,
            "Service accounts of the instances the rule applies to (none: every instance).",
            passthrough=True,
        ),
        *FIREWALL_RULE,
        FW_DISABLED,
        FW_LOG,
        FW_NETWORK,
        P(
            "target_tags",
            SL,
            "Network tags of the instances the rule applies to (none: every instance).",
            passthrough=True,
        ),
    ),
    "GCPFirewallRule": (*FIREWALL_RULE, FW_DISABLED, FW_LOG, FW_NETWORK),
    "GCPInstance": (
        P(
            "org_policy_violation",
            S,
            "An organisation policy the instance breaks (an external IP although "
            "compute.vmExternalIpAccess forbids it): the constraint only stops new ones.",
        ),
        P(
            "public_ip_via",
            S,
            "Name of the external forwarding rule that gives the instance its public address.",
        ),
        STATUS,
        P(
            "deep_learning_image",
            B,
            "Booted from a Deep Learning VM image: an AI workload (shadow AI when unlisted).",
        ),
        P("public_ips", SL, "External IP addresses of its interfaces.", passthrough=True),
        P(
            "service_accounts",
            SL,
            "Emails of the service accounts attached: code on the VM gets their tokens from "
            "the metadata server.",
        ),
    ),
    "GCPProject": (
        P(
            "custom_roles",
            J,
            "Custom roles defined here with their permissions ({role: [permission]}): what a "
            "binding to one of them grants.",
        ),
        P(
            "org_policies",
            J,
            "Effective organisation policy constraints the product watches ({constraint: "
            "{enforced | list, set_at}}): guard rails such as public access prevention and "
            "external IP limits, and where they are set.",
        ),
        P("lifecycle_state", S, "ACTIVE or DELETE_REQUESTED.", passthrough=True),
        P(
            "gemini_api_enabled",
            B,
            "The Gemini Developer API (generativelanguage.googleapis.com) is enabled (Service "
            "Usage); unset when the project's services were not collected.",
        ),
        P(
            "unrestricted_gemini_key",
            B,
            "An API key of the project can call the Gemini API without an API restriction to "
            "it alone (no restriction, all Cloud APIs, or Gemini among other APIs).",
        ),
        P(
            "unrestricted_gemini_keys",
            SL,
            "Display names of those API keys (never the key strings).",
        ),
        P(
            "project_number",
            S,
            "Project number (in default service account emails).",
            passthrough=True,
        ),
    ),
    "GCPServiceAccount": (
        LONG_LIVED,
        P(
            "owner_project",
            S,
            "Project that owns the service account when it is used in other projects: "
            "whoever controls that project controls its keys.",
        ),
        ADMIN,
        ADMIN_VIA,
        DISABLED,
        P("email", S, "The service account's email.", passthrough=True),
        P("unique_id", S, "Numeric unique id.", passthrough=True),
    ),
    "GCPSubnetwork": (
        P("ip_cidr_range", S, "Primary IP range.", passthrough=True),
        P(
            "private_google_access",
            B,
            "VMs without external IPs can reach Google APIs privately.",
            passthrough=True,
        ),
    ),
    "GCPUser": (
        P(
            "external_domain",
            S,
            "Domain of a group member outside the organisation's domains: someone another "
            "organisation manages holds the group's roles.",
        ),
        ADMIN,
        ADMIN_VIA,
        PRINCIPAL_TYPE,
        P(
            "member_count",
            INT,
            "For a Google group: how many members were read (Cloud Identity); each holds the "
            "group's roles.",
        ),
    ),
    "GKECluster": (
        P(
            "master_authorized_networks",
            SL,
            "Ranges admitted to the control plane when authorized networks are on.",
            passthrough=True,
        ),
        P(
            "endpoint_public_access",
            B,
            "The control-plane endpoint is reachable from the internet (no private endpoint).",
        ),
        P(
            "workload_identity",
            B,
            "Workload Identity is on: pods get their own service accounts instead of the node's.",
        ),
    ),
    "VertexAIDataset": (
        P(
            "metadata_schema",
            S,
            "Schema URI of the dataset (tabular, image, text).",
            passthrough=True,
        ),
    ),
    "VertexAIEndpoint": (
        P(
            "dedicated_endpoint",
            B,
            "Served on its own dedicated DNS endpoint (public unless Private Service Connect).",
            passthrough=True,
        ),
        P(
            "private_network",
            S,
            "VPC network peered for private serving: not reachable from the internet.",
            passthrough=True,
        ),
        CMK,
        P(
            "public_endpoint",
            B,
            "Served on the shared public endpoint (no Private Service Connect): callable from "
            "the internet with IAM credentials.",
        ),
    ),
    "VertexAIModel": (
        P(
            "hf_model_id",
            S,
            "Hugging Face repository the serving container loads (from its environment or "
            "arguments): weights from outside the estate.",
        ),
        CMK,
        MODEL_VERSION,
        P("container_image", S, "Serving container image.", passthrough=True),
        P(
            "training_pipeline",
            S,
            "Name of the training pipeline that produced it.",
            passthrough=True,
        ),
    ),
    "VertexAINotebookRuntime": (
        P(
            "runtime_user",
            S,
            "The user a Colab Enterprise runtime is assigned to: with end-user credentials on, "
            "code in it acts as that user.",
            passthrough=True,
        ),
        P(
            "internet_access",
            B,
            "The runtime template allows internet access (data can leave, code can be fetched).",
            passthrough=True,
        ),
        P("template", S, "Name of the runtime template it was created from.", passthrough=True),
        P(
            "template_hardened",
            B,
            "Its runtime template sets a customer-managed key (encryptionSpec) and Secure Boot "
            "(shieldedVmConfig); unset when the template was not collected.",
        ),
        P(
            "template_gaps",
            SL,
            "What the runtime template lacks: cmek, secure-boot.",
        ),
        P(
            "public_ip_source",
            S,
            "The setting that gives the runtime a public address (gceSetup.disablePublicIp is "
            "false).",
        ),
        IDENTITY_STATE,
        P(
            "default_service_account",
            B,
            "Runs as the Compute Engine default service account (often Editor on the project).",
        ),
        P("idle_shutdown", B, "Idle shutdown is on.", passthrough=True),
        P("monitoring", B, "Health / usage monitoring is on.", passthrough=True),
        P("notebook_type", S, "workbench, managed or user-managed.", passthrough=True),
        P(
            "proxy_access",
            B,
            "Reachable through the notebooks proxy (a browser URL) by anyone with access.",
        ),
        P("public_ip_enabled", B, "The runtime has an external IP address."),
    ),
    "VertexAIReasoningEngine": (
        CMK,
        AGENT_INDICATOR_EVIDENCE,
        P(
            "agent_framework",
            S,
            "Agent framework deployed (langchain, langgraph, ag2, ...).",
            passthrough=True,
        ),
    ),
    "VertexAITrainingPipeline": (
        CMK,
        IDENTITY_STATE,
        P(
            "service_account",
            S,
            "Email of the service account the pipeline runs as: its training code acts with "
            "that account's roles.",
        ),
    ),
    # --- generic, agents, software ------------------------------------------------------------
    "MCPClient": (AGENT_INDICATOR_EVIDENCE,),
    "MCPCredential": (
        P(
            "reference",
            B,
            "The configuration references the secret (an environment variable name, a secret "
            "store) rather than holding its value.",
        ),
        P("server", S, "Id of the MCP server whose configuration holds it."),
    ),
    "MCPServer": (
        P(
            "allowed_tools",
            SL,
            "Tools the client allows from this server (absent: every tool it lists).",
            passthrough=True,
        ),
        P(
            "auto_approve",
            SL,
            "Tools the client runs without asking the user: tool calls a prompt injection "
            "causes go through unseen.",
            passthrough=True,
        ),
        ACTING,
        APPROVAL,
        DISABLED,
        P(
            "config_findings",
            SL,
            "Problems in its configuration (a credential in the URL query, ...).",
        ),
        P(
            "insecure_transport",
            B,
            "Reached over plain http (not localhost): traffic and tokens can be read on the way.",
        ),
        P("package_ecosystem", S, "Package registry it is started from (npm, pypi, docker)."),
    ),
    "MCPTool": (APPROVAL,),
    "Package": (
        P("scanned_by", SL, "Scanners that reported the package (trivy, grype)."),
        P(
            "serving_framework",
            S,
            "The model serving framework (tgi, vllm, triton) this package is, when it was "
            "inferred from a serving image's tag.",
        ),
        P("package_name", S, "Package name without version (from the purl)."),
        P("purl_type", S, "purl type: pypi, npm, golang, ..."),
    ),
    "SoftwareProject": (
        VULN_COUNTS,
        P(
            "attach_to",
            SL,
            "Ids of the cloud resources the SBOM or scan was attached to (--attach): the "
            "software's vulnerabilities count on them.",
        ),
    ),
    "Vulnerability": (
        P("cwes", SL, "CWE ids of the weakness (CWE-94: code injection).", passthrough=True),
        P("references", SL, "Advisory and fix URLs from the advisory database.", passthrough=True),
    ),
}
