"""Azure AI Services / Azure OpenAI / Foundry accounts, Azure Machine Learning and Foundry
hubs, Azure AI Search and Azure Databricks."""

from __future__ import annotations

from dataclasses import replace

from aispm_graph.recommendations.model import (
    Check,
    Fix,
    NoEdge,
    Not,
    all_of,
    equals,
    is_false,
    is_true,
    missing,
    one_of,
)
from aispm_graph.recommendations.peers import azts, checkov, cloudsploit, defender, mondoo, prowler

_MS = "https://learn.microsoft.com/azure"
_ACCOUNT = ("AzureCognitiveServicesAccount",)
_EXPOSED: dict[str, tuple[str, ...]] = {
    "owasp-llm": ("LLM10",),
    "atlas": ("AML.T0040", "AML.T0049"),
    "nist-ai-rmf": ("MEASURE 2.7",),
}
_CMK: dict[str, tuple[str, ...]] = {
    "owasp-llm": ("LLM02",),
    "atlas": ("AML.T0035",),
    "nist-ai-rmf": ("MEASURE 2.10",),
}
_LOGS: dict[str, tuple[str, ...]] = {
    "owasp-llm": ("LLM10",),
    "atlas": ("AML.T0034", "AML.T0024"),
    "nist-ai-rmf": ("MEASURE 2.4", "MANAGE 4.1"),
    "cis-azure": ("6.1.4",),
}

CHECKS: list[Check] = [
    Check(
        id="AZ-AI-001",
        title="Azure AI Services account accepts key (local) authentication",
        severity="high",
        provider="azure",
        kinds=_ACCOUNT,
        predicate=is_true("local_auth_enabled"),
        rationale="An account key is a bearer secret with full data-plane rights, shared, "
        "unattributable and long-lived; Entra ID tokens are per identity, scoped by role and "
        "logged.",
        remediation="Set disableLocalAuth=true on the account and give callers Entra ID roles "
        "(Cognitive Services OpenAI User) instead of keys.",
        fix=Fix(
            console="Azure Policy: assign 'Azure AI Services resources should have key access "
            "disabled' with effect Deny/Modify (the portal has no switch for the setting).",
            cli="az resource update --ids <account-id> --set properties.disableLocalAuth=true",
            terraform='resource "azurerm_cognitive_account" "this" {\n  # ...\n'
            "  local_auth_enabled = false\n}",
            bicep="resource account 'Microsoft.CognitiveServices/accounts@2024-10-01' = {\n"
            "  // ...\n  properties: {\n    disableLocalAuth: true\n  }\n}",
        ),
        references=(f"{_MS}/ai-services/disable-local-auth",),
        peers=(
            defender(
                "Azure AI Services resources should have key access disabled (disable local "
                "authentication)"
            ),
            azts("Azure_OpenAI_AuthN_Disable_Local_Auth"),
            defender(
                "Use identity-based authentication for Azure AI Service Accounts (IaC)", "D-AISPM"
            ),
        ),
        frameworks={
            "owasp-llm": ("LLM10",),
            "atlas": ("AML.T0055", "AML.T0012", "AML.T0040"),
            "nist-ai-rmf": ("MEASURE 2.7",),
        },
    ),
    Check(
        id="AZ-AI-002",
        title="Azure AI Services account network access is not restricted",
        severity="medium",
        provider="azure",
        kinds=_ACCOUNT,
        predicate=all_of(
            is_true("public_network_access"),
            Not(equals("network_default_action", "Deny")),
            Not(is_true("private_endpoint_only")),
        ),
        rationale="With public access on and the firewall's default action Allow, any host on "
        "the internet can call the account; only a key or token stands between it and the "
        "models.",
        remediation="Set publicNetworkAccess=Disabled, or the network ACL default action to "
        "Deny with only the networks that need the account allowed.",
        fix=Fix(
            console="Portal > the account > Networking > Firewalls and virtual networks: "
            "'Selected Networks and Private Endpoints' or 'Disabled'.",
            cli="az resource update --ids <account-id> --set "
            "properties.networkAcls.defaultAction=Deny",
            terraform='resource "azurerm_cognitive_account" "this" {\n  # ...\n'
            '  network_acls {\n    default_action = "Deny"\n    ip_rules       = []\n  }\n}',
            bicep="properties: {\n  networkAcls: {\n    defaultAction: 'Deny'\n  }\n}",
        ),
        references=(f"{_MS}/ai-services/cognitive-services-virtual-networks",),
        peers=(
            defender("Azure AI Services resources should restrict network access"),
            defender("Network connections should be limited on Microsoft Foundry (Preview)"),
            defender("Restrict Azure AI Service Endpoints (IaC)", "D-AISPM"),
        ),
        frameworks=_EXPOSED,
    ),
    Check(
        id="AZ-AI-003",
        title="Azure AI Services account has no private endpoint",
        severity="medium",
        provider="azure",
        kinds=_ACCOUNT,
        predicate=all_of(
            NoEdge(None, "any", other_kind="AzurePrivateEndpoint"),
            Not(is_true("private_endpoint_only")),
        ),
        rationale="A private endpoint keeps callers' traffic on the Microsoft backbone and "
        "lets public access be switched off.",
        remediation="Create a private endpoint for the account (sub-resource 'account') and "
        "resolve its name through the privatelink DNS zone.",
        fix=Fix(
            console="Portal > the account > Networking > Private endpoint connections > + "
            "Private endpoint.",
            cli="az network private-endpoint create -g <rg> -n <pe> --vnet-name <vnet> "
            "--subnet <subnet> --private-connection-resource-id <account-id> "
            "--group-id account --connection-name <name>",
            bicep="resource pe 'Microsoft.Network/privateEndpoints@2024-01-01' = {\n"
            "  // ...\n  properties: {\n    privateLinkServiceConnections: [{\n"
            "      name: 'account'\n      properties: {\n"
            "        privateLinkServiceId: account.id\n        groupIds: ['account']\n"
            "      }\n    }]\n  }\n}",
        ),
        references=(f"{_MS}/ai-services/cognitive-services-virtual-networks",),
        peers=(
            defender("Azure AI Services resources should use Azure Private Link"),
            defender("Use Azure AI Service Private Endpoints (IaC)", "D-AISPM"),
        ),
        frameworks={
            "owasp-llm": ("LLM10",),
            "atlas": ("AML.T0040",),
            "nist-ai-rmf": ("MEASURE 2.7",),
        },
    ),
    Check(
        id="AZ-AI-004",
        title="Azure OpenAI deployment has no content filter",
        severity="high",
        provider="azure",
        kinds=("AzureOpenAIDeployment",),
        predicate=one_of("rai_policy", "Microsoft.Nil", "none", "disabled", ""),
        rationale="The content filter (RAI policy) is where prompt shields for jailbreaks and "
        "indirect attacks, and harmful-content filters, are applied to a deployment.",
        remediation="Assign a content filter (RAI policy) to the deployment, at least "
        "Microsoft.DefaultV2, with prompt shields for jailbreak and indirect attacks on.",
        fix=Fix(
            console="Foundry portal > Guardrails + controls > Content filters: create a "
            "filter and apply it to the deployment.",
            cli="az cognitiveservices account deployment create ... "
            "--rai-policy-name Microsoft.DefaultV2",
            bicep="resource deployment "
            "'Microsoft.CognitiveServices/accounts/deployments@2024-10-01'"
            " = {\n  // ...\n  properties: {\n    raiPolicyName: 'Microsoft.DefaultV2'\n  }\n}",
        ),
        references=(f"{_MS}/ai-services/openai/how-to/content-filters",),
        peers=(
            defender(
                "Content filtering should be used on model deployed in Microsoft Foundry (Preview)"
            ),
        ),
        frameworks={
            "owasp-llm": ("LLM01", "LLM05"),
            "owasp-agentic": ("ASI01",),
            "atlas": ("AML.T0051", "AML.T0054"),
            "nist-ai-rmf": ("MEASURE 2.6", "MANAGE 1.3"),
        },
    ),
    Check(
        id="AZ-AI-005",
        title="Azure AI Services account has no diagnostic logs",
        severity="low",
        provider="azure",
        kinds=_ACCOUNT,
        predicate=is_false("diagnostic_logs_enabled"),
        rationale="Audit and RequestResponse logs are the record of who called the account "
        "and how; without them abuse and key leaks cannot be investigated.",
        remediation="Add a diagnostic setting sending the Audit and RequestResponse categories "
        "to a Log Analytics workspace.",
        fix=Fix(
            console="Portal > the account > Monitoring > Diagnostic settings > Add.",
            cli="az monitor diagnostic-settings create --resource <account-id> -n aispm "
            '--workspace <law-id> --logs \'[{"categoryGroup":"allLogs","enabled":true}]\'',
            bicep="resource diag 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {\n"
            "  scope: account\n  name: 'logs'\n  properties: {\n    workspaceId: law.id\n"
            "    logs: [{ categoryGroup: 'allLogs', enabled: true }]\n  }\n}",
        ),
        references=(f"{_MS}/ai-services/diagnostic-logging",),
        peers=(
            defender("Diagnostic logs in Azure AI services resources should be enabled"),
            cloudsploit("azure/openai/accountDiagnosticLogging"),
            azts("Azure_OpenAI_Audit_Enable_Diagnostic_Settings"),
        ),
        frameworks=_LOGS,
    ),
    Check(
        id="AZ-AI-006",
        title="Azure AI Services account has public network access enabled",
        severity="medium",
        provider="azure",
        kinds=_ACCOUNT,
        predicate=is_true("public_network_access"),
        rationale="Even with firewall rules, an enabled public endpoint is reachable from the "
        "internet for the allowed ranges; disabling it leaves private endpoints only.",
        remediation="Set publicNetworkAccess=Disabled and reach the account through private "
        "endpoints.",
        fix=Fix(
            console="Portal > the account > Networking > Firewalls and virtual networks: Disabled.",
            cli="az resource update --ids <account-id> --set "
            "properties.publicNetworkAccess=Disabled",
            terraform='resource "azurerm_cognitive_account" "this" {\n  # ...\n'
            "  public_network_access_enabled = false\n}",
            bicep="properties: {\n  publicNetworkAccess: 'Disabled'\n}",
        ),
        references=(f"{_MS}/ai-services/cognitive-services-virtual-networks",),
        peers=(
            defender(
                "Public network access should be disabled for Cognitive Services accounts",
                "D-RECDATA",
            ),
            cloudsploit("azure/openai/accountPublicAccessDisabled"),
            azts("Azure_OpenAI_NetSec_Restrict_Public_Network_Access"),
        ),
        frameworks=_EXPOSED,
    ),
    Check(
        id="AZ-AI-007",
        title="Azure AI Services account is not encrypted with a customer-managed key",
        severity="low",
        provider="azure",
        kinds=_ACCOUNT,
        predicate=is_false("cmk"),
        rationale="Fine-tuning files, uploaded data and stored conversations are encrypted "
        "with a Microsoft-managed key unless a Key Vault key is configured (off by default; "
        "'enable if required' in Defender).",
        remediation="Configure encryption with a Key Vault key (encryption.keySource="
        "Microsoft.KeyVault) using the account's managed identity.",
        fix=Fix(
            console="Portal > the account > Encryption > Customer-managed keys.",
            cli="az cognitiveservices account update -n <name> -g <rg> --encryption "
            '\'{"keySource":"Microsoft.KeyVault","keyVaultProperties":{...}}\'',
            terraform='resource "azurerm_cognitive_account_customer_managed_key" "this" {\n'
            "  cognitive_account_id = azurerm_cognitive_account.this.id\n"
            "  key_vault_key_id     = azurerm_key_vault_key.ai.id\n}",
        ),
        references=(f"{_MS}/ai-services/openai/encrypt-data-at-rest",),
        peers=(
            defender(
                "(Enable if required) Azure AI Services resources should encrypt data at rest "
                "with a customer-managed key (CMK)"
            ),
            defender("Cognitive Services accounts should enable data encryption", "D-RECDATA"),
            defender(
                "[Enable if required] Customer-managed keys should be used to "
                "encrypt data on Microsoft Foundry (Preview)"
            ),
            cloudsploit("azure/openai/accountCMKEncrypted"),
        ),
        frameworks=_CMK,
    ),
    Check(
        id="AZ-AI-008",
        title="Azure AI Services account has no managed identity",
        severity="medium",
        provider="azure",
        kinds=_ACCOUNT,
        predicate=all_of(missing("identity_principal_id"), NoEdge("HAS_IDENTITY", "out")),
        rationale="Without a managed identity the account reaches storage, Key Vault and "
        "search (On Your Data, CMK) with keys stored in its configuration.",
        remediation="Enable a system-assigned (or attach a user-assigned) managed identity "
        "and grant it roles on the resources the account uses.",
        fix=Fix(
            console="Portal > the account > Identity > System assigned: On.",
            cli="az cognitiveservices account identity assign -n <name> -g <rg>",
            terraform='resource "azurerm_cognitive_account" "this" {\n  # ...\n'
            '  identity {\n    type = "SystemAssigned"\n  }\n}',
            bicep="identity: {\n  type: 'SystemAssigned'\n}",
        ),
        references=(f"{_MS}/ai-services/openai/how-to/managed-identity",),
        peers=(
            cloudsploit("azure/openai/accountManagedIdentity"),
            azts("Azure_OpenAI_AuthN_Use_Managed_Service_Identity"),
            defender("Use Managed Identity for Azure AI Service Accounts (IaC)", "D-AISPM"),
        ),
        frameworks={"atlas": ("AML.T0055",), "nist-ai-rmf": ("MEASURE 2.7",)},
    ),
    Check(
        id="AZ-AI-009",
        title="Azure AI Services account does not restrict outbound access",
        severity="medium",
        provider="azure",
        kinds=_ACCOUNT,
        predicate=is_false("outbound_restricted"),
        rationale="Features such as On Your Data and tools fetch from URLs; without "
        "restrictOutboundNetworkAccess and an FQDN allow-list, a prompt can make the service "
        "send data to any host (data loss prevention).",
        remediation="Set restrictOutboundNetworkAccess=true and list the allowed FQDNs.",
        fix=Fix(
            cli="az resource update --ids <account-id> --set "
            "properties.restrictOutboundNetworkAccess=true properties.allowedFqdnList=[...]",
            terraform='resource "azurerm_cognitive_account" "this" {\n  # ...\n'
            "  outbound_network_access_restricted = true\n"
            '  fqdns                              = ["contoso.blob.core.windows.net"]\n}',
            bicep="properties: {\n  restrictOutboundNetworkAccess: true\n"
            "  allowedFqdnList: ['contoso.blob.core.windows.net']\n}",
        ),
        references=(f"{_MS}/ai-services/cognitive-services-data-loss-prevention",),
        peers=(
            checkov("CKV_AZURE_247"),
            azts("Azure_OpenAI_DP_Data_Loss_Prevention"),
            mondoo("cognitive-services-restrict-outbound-network"),
        ),
        frameworks={
            "owasp-llm": ("LLM02",),
            "owasp-agentic": ("ASI02",),
            "atlas": ("AML.T0025", "AML.T0086"),
            "nist-ai-rmf": ("MEASURE 2.10",),
        },
    ),
    Check(
        id="AZ-AI-010",
        title="Defender for AI services is not enabled",
        severity="medium",
        provider="azure",
        kinds=("AzureSubscription",),
        predicate=is_false("defender_for_ai"),
        rationale="Threat protection for AI workloads raises the jailbreak, credential-theft "
        "and data-leak alerts that posture checks cannot.",
        remediation="Enable the AI workloads plan of Defender for Cloud on the subscription.",
        fix=Fix(
            console="Defender for Cloud > Environment settings > subscription > Defender "
            "plans > AI services: On.",
            cli="az security pricing create --name AI --tier Standard",
            terraform='resource "azurerm_security_center_subscription_pricing" "ai" {\n'
            '  tier          = "Standard"\n  resource_type = "AI"\n}',
        ),
        references=(f"{_MS}/defender-for-cloud/ai-threat-protection",),
        peers=(mondoo("cognitive-services-defender-for-ai-enabled"),),
        frameworks={"nist-ai-rmf": ("MEASURE 2.4", "MANAGE 4.1")},
    ),
    Check(
        id="AZ-AI-011",
        title="Azure AI Services account has no tags",
        severity="low",
        provider="azure",
        kinds=_ACCOUNT,
        predicate=missing("tags"),
        rationale="Without owner and data-classification tags an AI account cannot be "
        "attributed in an audit.",
        remediation="Tag the account with owner, environment and data classification.",
        fix=Fix(cli="az resource tag --ids <account-id> --tags owner=<team> data=<class>"),
        peers=(cloudsploit("azure/openai/accountHasTags"),),
        frameworks={"nist-ai-rmf": ("GOVERN 1.6",)},
    ),
    Check(
        id="AZ-AI-012",
        title="Model deployment used by agents has no prompt shields",
        severity="high",
        provider="azure",
        kinds=("AzureOpenAIDeployment",),
        predicate=is_false("prompt_shields"),
        rationale="Agents read untrusted content; prompt shields detect jailbreak and "
        "indirect attacks before the model acts on them.",
        remediation="Use a content filter with prompt shields (jailbreak and indirect attack) "
        "on deployments that agents call.",
        peers=(
            defender(
                "Prompt shields should be enabled on model deployment used by AI Agents", "D-TSG"
            ),
        ),
        frameworks={
            "owasp-llm": ("LLM01",),
            "owasp-agentic": ("ASI01",),
            "atlas": ("AML.T0051",),
            "nist-ai-rmf": ("MEASURE 2.6",),
        },
    ),
    # --- Foundry agents (facts: transforms/azure/foundry_agents.py) ------------------------
    Check(
        id="AZ-AG-001",
        title="Foundry agent has no operational instructions",
        severity="medium",
        provider="azure",
        kinds=("AzureAIFoundryAgent",),
        predicate=is_false("has_instructions"),
        rationale="Instructions bound what an agent is for.",
        remediation="Give the agent instructions stating its task and limits.",
        peers=(
            defender("Azure AI Agent should be configured with operational instructions (Preview)"),
        ),
        frameworks={"owasp-agentic": ("ASI01",), "nist-ai-rmf": ("MAP 3.5",)},
    ),
    Check(
        id="AZ-AG-002",
        title="Connected Foundry agent has no invocation instructions",
        severity="medium",
        provider="azure",
        kinds=("AzureAIFoundryAgent",),
        predicate=is_true("connected_agent_without_instructions"),
        rationale="A caller agent decides when to hand work to a connected agent from its "
        "description; without one it may delegate anything.",
        remediation="Describe when and how each connected agent is to be invoked.",
        peers=(
            defender(
                "Connected AI agents should be configured with "
                "instructions on how to invoke them (Preview)"
            ),
        ),
        frameworks={"owasp-agentic": ("ASI07",), "nist-ai-rmf": ("MAP 3.5",)},
    ),
    Check(
        id="AZ-AG-003",
        title="Foundry agent guardrails do not include jailbreak control",
        severity="medium",
        provider="azure",
        kinds=("AzureAIFoundryAgent",),
        predicate=is_false("jailbreak_guardrail"),
        rationale="Jailbreak detection is the first line against users steering the agent.",
        remediation="Apply a guardrail with jailbreak (prompt shield) control to the agent.",
        peers=(
            defender("Foundry AI Agent's Guardrails should include Jailbreak control (Preview)"),
        ),
        frameworks={"owasp-llm": ("LLM01",), "owasp-agentic": ("ASI01",), "atlas": ("AML.T0054",)},
    ),
    Check(
        id="AZ-AG-004",
        title="Foundry agent MCP tool has no allowed-tools list",
        severity="medium",
        provider="azure",
        kinds=("AzureAIFoundryAgent",),
        predicate=is_true("mcp_without_allowed_tools"),
        rationale="Without an allow-list every tool a remote MCP server offers, now or later, "
        "is available to the agent.",
        remediation="Set allowed_tools on each MCP tool of the agent.",
        peers=(
            defender(
                "Foundry Agent's MCP tool should be configured with allowed tools list (Preview)"
            ),
        ),
        frameworks={
            "owasp-agentic": ("ASI02", "ASI04"),
            "atlas": ("AML.T0053", "AML.T0110"),
            "nist-ai-rmf": ("MAP 4.2",),
        },
    ),
    Check(
        id="AZ-AG-005",
        title="Foundry agent with indirect prompt-injection risk lacks enhanced guardrails",
        severity="high",
        provider="azure",
        kinds=("AzureAIFoundryAgent",),
        predicate=is_true("xpia_without_guardrail"),
        rationale="An agent that reads external content and can act is exposed to indirect "
        "prompt injection (XPIA) unless its guardrail screens that content.",
        remediation="Enable indirect-attack (XPIA) prompt shields on the agent's guardrail.",
        peers=(
            defender(
                "Foundry AI Agent with Indirect prompt Injection risk should "
                "use enhanced guardrails controls (Preview)"
            ),
        ),
        frameworks={
            "owasp-llm": ("LLM01",),
            "owasp-agentic": ("ASI01", "ASI06"),
            "atlas": ("AML.T0051",),
        },
    ),
    Check(
        id="AZ-AG-006",
        title="Foundry agent MCP actions run without human approval",
        severity="high",
        provider="azure",
        kinds=("AzureAIFoundryAgent",),
        predicate=is_true("mcp_without_approval"),
        rationale="With require_approval off, injected instructions turn straight into tool "
        "actions.",
        remediation="Set require_approval to always (or for every acting tool) on MCP tools.",
        peers=(
            defender(
                "Foundry AI Agent with Indirect prompt Injection risk should require "
                "human in the loop control for MCP tool actions (Preview)"
            ),
        ),
        frameworks={
            "owasp-llm": ("LLM06",),
            "owasp-agentic": ("ASI09", "ASI02"),
            "nist-ai-rmf": ("MAP 3.5", "GOVERN 3.2"),
        },
    ),
    # --- Azure Machine Learning / Foundry hubs -----------------------------------------------
    Check(
        id="AZ-ML-001",
        title="Azure ML / AI Foundry workspace is open to public networks",
        severity="medium",
        provider="azure",
        kinds=("AzureMLWorkspace",),
        predicate=is_true("public_network_access"),
        rationale="A public workspace endpoint exposes its studio, datastores and endpoints' "
        "management plane to the internet, guarded only by identity.",
        remediation="Set publicNetworkAccess=Disabled on the workspace (hub) and use a managed "
        "virtual network with private endpoints.",
        fix=Fix(
            console="Portal > the workspace > Networking > Public access: Disabled.",
            cli="az ml workspace update -n <ws> -g <rg> --public-network-access Disabled",
            terraform='resource "azurerm_machine_learning_workspace" "this" {\n  # ...\n'
            "  public_network_access_enabled = false\n}",
            bicep="properties: {\n  publicNetworkAccess: 'Disabled'\n}",
        ),
        references=(f"{_MS}/machine-learning/how-to-configure-private-link",),
        peers=(
            defender(
                "Azure Machine Learning Workspaces should disable public network access (Preview)"
            ),
            azts("Azure_AIFoundry_NetSec_Disable_Public_Network_Access"),
        ),
        frameworks=_EXPOSED,
    ),
    Check(
        id="AZ-ML-002",
        title="Azure ML online endpoint uses key authentication",
        severity="medium",
        provider="azure",
        kinds=("AzureMLOnlineEndpoint", "AzureMLServerlessEndpoint"),
        predicate=equals("auth_mode", "key"),
        rationale="Endpoint keys are shared bearer secrets; Entra ID tokens are per identity "
        "and logged.",
        remediation="Switch the endpoint auth_mode to aad_token (Entra ID) so callers need an "
        "identity rather than a shared key.",
        fix=Fix(
            cli="az ml online-endpoint update -n <ep> -w <ws> -g <rg> --set auth_mode=aad_token",
            bicep="properties: {\n  authMode: 'AADToken'\n}",
        ),
        references=(f"{_MS}/machine-learning/how-to-authenticate-online-endpoint",),
        peers=(mondoo("ml-serverless-endpoint-key-auth-disabled"),),
        frameworks={
            "owasp-llm": ("LLM10",),
            "atlas": ("AML.T0055", "AML.T0040"),
            "nist-ai-rmf": ("MEASURE 2.7",),
        },
    ),
    Check(
        id="AZ-ML-003",
        title="Azure ML / Foundry workspace has no managed network isolation",
        severity="medium",
        provider="azure",
        kinds=("AzureMLWorkspace",),
        predicate=equals("isolation_mode", "Disabled"),
        rationale="Without a managed virtual network the workspace's compute and serverless "
        "endpoints reach the internet and data stores without egress control.",
        remediation="Set managedNetwork.isolationMode to AllowOnlyApprovedOutbound (or "
        "AllowInternetOutbound with private endpoints to data).",
        fix=Fix(
            cli="az ml workspace update -n <ws> -g <rg> --managed-network "
            "allow_only_approved_outbound",
            bicep="properties: {\n  managedNetwork: {\n"
            "    isolationMode: 'AllowOnlyApprovedOutbound'\n  }\n}",
        ),
        references=(f"{_MS}/machine-learning/how-to-managed-network",),
        peers=(azts("Azure_AIFoundry_NetSec_Enable_NetworkIsolation"),),
        frameworks={
            "owasp-llm": ("LLM02",),
            "atlas": ("AML.T0025",),
            "nist-ai-rmf": ("MEASURE 2.7",),
        },
    ),
    Check(
        id="AZ-ML-004",
        title="Azure ML / Foundry workspace connection uses stored credentials",
        severity="high",
        provider="azure",
        kinds=("AzureMLConnection",),
        predicate=one_of(
            "auth_type",
            "ApiKey",
            "AccountKey",
            "SAS",
            "UsernamePassword",
            "CustomKeys",
            "AccessKey",
            "PAT",
            "ServicePrincipal",
        ),
        rationale="A credential-based connection stores a key in the workspace: anyone who "
        "can list the workspace's secrets gets the target's data, and rotation breaks every "
        "project silently.",
        remediation="Re-create the connection with Entra ID (AAD / managed identity) "
        "authentication and grant the project's identity a data role on the target.",
        fix=Fix(
            console="Foundry portal > Management center > Connected resources > the "
            "connection: re-create with Microsoft Entra ID authentication.",
            cli="az ml connection create --file connection.yml  # auth_type: aad",
        ),
        references=(f"{_MS}/ai-foundry/how-to/connections-add",),
        peers=(
            defender(
                "Microsoft Entra ID should be used when connecting to data "
                "stores on Microsoft Foundry project (Preview)"
            ),
        ),
        frameworks={
            "owasp-agentic": ("ASI03",),
            "atlas": ("AML.T0055", "AML.T0083"),
            "nist-ai-rmf": ("MEASURE 2.7",),
        },
    ),
    Check(
        id="AZ-ML-005",
        title="Azure ML / Foundry workspace has no private endpoint",
        severity="medium",
        provider="azure",
        kinds=("AzureMLWorkspace",),
        predicate=is_false("has_private_endpoint"),
        rationale="A private endpoint is what lets public access be turned off.",
        remediation="Create a private endpoint for the workspace (sub-resource amlworkspace).",
        references=(f"{_MS}/machine-learning/how-to-configure-private-link",),
        peers=(
            defender("Azure Machine Learning workspaces should use private link", "D-RECDATA"),
            azts(
                "Azure_AIFoundry_NetSec_Use_Trusted_Connections",
                differs="AzTS reads publicNetworkAccess and privateEndpointConnections "
                "together; here they are AZ-ML-001 and AZ-ML-005.",
            ),
        ),
        frameworks={"atlas": ("AML.T0040",), "nist-ai-rmf": ("MEASURE 2.7",)},
    ),
    Check(
        id="AZ-ML-006",
        title="Azure ML / Foundry workspace is not encrypted with a customer-managed key",
        severity="low",
        provider="azure",
        kinds=("AzureMLWorkspace",),
        predicate=is_false("cmk"),
        rationale="Workspace metadata, job and model data are encrypted with Microsoft-managed "
        "keys unless a Key Vault key is set at creation.",
        remediation="Create the workspace with encryption.keyVaultProperties (it cannot be "
        "added later).",
        fix=Fix(cli="az ml workspace create ... --customer-managed-key <key-uri>"),
        references=(f"{_MS}/machine-learning/concept-customer-managed-keys",),
        peers=(
            defender(
                "(Enable if required) Azure Machine Learning workspaces should "
                "be encrypted with a customer-managed key (CMK)",
                "D-RECDATA",
            ),
            mondoo("ml-workspace-cmk"),
            azts("Azure_AIFoundry_DP_Enable_Encryption_With_Customer_Managed_Keys"),
        ),
        frameworks=_CMK,
    ),
    Check(
        id="AZ-ML-007",
        title="Foundry hub reaches its default storage with account keys",
        severity="high",
        provider="azure",
        kinds=("AzureMLWorkspace",),
        predicate=equals("system_datastores_auth_mode", "accesskey"),
        rationale="With key-based system datastores, every project user reaches the default "
        "storage account through a shared key instead of their own identity.",
        remediation="Set systemDatastoresAuthMode to identity on the hub.",
        references=(f"{_MS}/ai-foundry/how-to/disable-local-auth",),
        peers=(
            defender(
                "Microsoft Entra ID should be used when connecting Microsoft "
                "Foundry to default storage account (Preview)"
            ),
        ),
        frameworks={"atlas": ("AML.T0055",), "nist-ai-rmf": ("MEASURE 2.7",)},
    ),
    Check(
        id="AZ-ML-008",
        title="Foundry hub has no Application Insights",
        severity="medium",
        provider="azure",
        kinds=("AzureMLWorkspace",),
        predicate=is_false("app_insights"),
        rationale="Application Insights records the traces of deployed flows and agents.",
        remediation="Associate an Application Insights resource with the hub.",
        references=(f"{_MS}/ai-foundry/how-to/monitor-applications",),
        peers=(defender("Application Insights should be used on Microsoft Foundry (Preview)"),),
        frameworks={"nist-ai-rmf": ("MEASURE 2.4",)},
    ),
    Check(
        id="AZ-ML-009",
        title="Azure ML workspace has no resource logs",
        severity="medium",
        provider="azure",
        kinds=("AzureMLWorkspace",),
        predicate=is_false("diagnostic_logs_enabled"),
        rationale="Resource logs record who ran jobs, read data and changed deployments.",
        remediation="Add a diagnostic setting for the workspace.",
        peers=(
            defender(
                "Resource logs in Azure Machine Learning Workspaces should be enabled (Preview)"
            ),
            azts("Azure_AIFoundry_Audit_Enable_Diagnostic_Settings"),
        ),
        frameworks=_LOGS,
    ),
    Check(
        id="AZ-ML-010",
        title="Azure ML compute is not in a virtual network",
        severity="medium",
        provider="azure",
        kinds=("AzureMLCompute",),
        predicate=is_false("in_vnet"),
        rationale="Compute outside a VNet is reachable and egresses without your controls.",
        remediation="Create compute in a VNet subnet or the workspace managed network.",
        peers=(
            defender("Azure Machine Learning Computes should be in a virtual network (Preview)"),
        ),
        frameworks=_EXPOSED,
    ),
    Check(
        id="AZ-ML-011",
        title="Azure ML compute accepts local authentication",
        severity="medium",
        provider="azure",
        kinds=("AzureMLCompute",),
        predicate=is_false("local_auth_disabled"),
        rationale="SSH keys on compute are shared secrets outside Entra ID.",
        remediation="Create compute with disableLocalAuth=true.",
        peers=(
            defender(
                "Azure Machine Learning Computes should have local "
                "authentication methods disabled (Preview)"
            ),
        ),
        frameworks={"atlas": ("AML.T0055",), "nist-ai-rmf": ("MEASURE 2.7",)},
    ),
    Check(
        id="AZ-ML-012",
        title="Azure ML compute instance runs an outdated image",
        severity="medium",
        provider="azure",
        kinds=("AzureMLCompute",),
        predicate=is_true("image_outdated"),
        rationale="Compute instances are patched only when recreated.",
        remediation="Recreate the compute instance to get the latest image.",
        peers=(
            defender(
                "Azure Machine Learning compute instances should be recreated "
                "to get the latest software updates (Preview)"
            ),
        ),
        frameworks={"owasp-llm": ("LLM03",), "nist-ai-rmf": ("MANAGE 2.2",)},
        facts="not-offline",
        facts_note="Whether an image is the latest is Defender's own assessment, not a "
        "resource property.",
    ),
    Check(
        id="AZ-ML-013",
        title="Serverless (model-as-a-service) endpoint has no content safety",
        severity="medium",
        provider="azure",
        kinds=("AzureMLServerlessEndpoint", "AzureMLOnlineEndpoint"),
        predicate=equals("content_safety", "Disabled"),
        rationale="Serverless model endpoints run third-party models; content safety applies "
        "Azure AI Content Safety filters to them.",
        remediation="Enable contentSafety on the serverless endpoint.",
        peers=(azts("Azure_AIFoundry_DP_ServerlessAPI_Enable_ContentSafety"),),
        frameworks={"owasp-llm": ("LLM01", "LLM05"), "nist-ai-rmf": ("MEASURE 2.6",)},
    ),
    # --- Azure AI Search -----------------------------------------------------------------------
    Check(
        id="AZ-SR-001",
        title="Azure AI Search service allows public network access",
        severity="high",
        provider="azure",
        kinds=("AzureSearchService",),
        predicate=is_true("public_network_access"),
        rationale="Search indexes hold the grounding data of RAG applications; a public "
        "endpoint exposes them to anyone holding a query key.",
        remediation="Set publicNetworkAccess=disabled and use private endpoints (and shared "
        "private links for indexers).",
        fix=Fix(
            console="Portal > the search service > Networking > Public access: Disabled.",
            cli="az search service update -n <svc> -g <rg> --public-access disabled",
            terraform='resource "azurerm_search_service" "this" {\n  # ...\n'
            "  public_network_access_enabled = false\n}",
            bicep="properties: {\n  publicNetworkAccess: 'disabled'\n}",
        ),
        references=(f"{_MS}/search/service-create-private-endpoint",),
        peers=(prowler("aisearch_service_not_publicly_accessible"),),
        frameworks={
            "owasp-llm": ("LLM08", "LLM02"),
            "atlas": ("AML.T0085", "AML.T0070"),
            "nist-ai-rmf": ("MEASURE 2.7",),
        },
    ),
    Check(
        id="AZ-SR-002",
        title="Azure AI Search service accepts API keys",
        severity="medium",
        provider="azure",
        kinds=("AzureSearchService",),
        predicate=is_true("local_auth_enabled"),
        rationale="Admin keys can rewrite an index (poisoning every RAG answer); query keys "
        "read it all. Entra ID roles scope and log access.",
        remediation="Set disableLocalAuth=true and grant Search Index Data Reader / "
        "Contributor roles.",
        fix=Fix(
            cli="az search service update -n <svc> -g <rg> --disable-local-auth true",
            terraform='resource "azurerm_search_service" "this" {\n  # ...\n'
            "  local_authentication_enabled = false\n}",
        ),
        references=(f"{_MS}/search/search-security-enable-roles",),
        peers=(
            defender(
                "Azure AI Services resources should have key access disabled (disable local "
                "authentication)",
                differs="The Azure Policy behind this recommendation also covers "
                "Microsoft.Search/searchServices; it is a separate check here.",
            ),
        ),
        frameworks={
            "owasp-llm": ("LLM08",),
            "owasp-agentic": ("ASI06",),
            "atlas": ("AML.T0070", "AML.T0055"),
            "nist-ai-rmf": ("MEASURE 2.7",),
        },
    ),
    # --- Azure Databricks -----------------------------------------------------------------------
    Check(
        id="AZ-DB-001",
        title="Azure Databricks workspace allows public network access",
        severity="medium",
        provider="azure",
        kinds=("AzureDatabricksWorkspace",),
        predicate=is_true("public_network_access"),
        rationale="The workspace UI and REST API are reachable from the internet.",
        remediation="Set publicNetworkAccess=Disabled with private link (front-end).",
        peers=(
            prowler("databricks_workspace_public_network_access_disabled"),
            defender("Azure Databricks Workspaces should disable public network access (Preview)"),
        ),
        frameworks={**_EXPOSED, "cis-azure": ("2.1.10",)},
    ),
    Check(
        id="AZ-DB-002",
        title="Azure Databricks cluster nodes get public IP addresses",
        severity="medium",
        provider="azure",
        kinds=("AzureDatabricksWorkspace",),
        predicate=is_false("no_public_ip"),
        rationale="Secure cluster connectivity (No Public IP) keeps cluster nodes off the "
        "internet.",
        remediation="Enable secure cluster connectivity (enableNoPublicIp=true).",
        peers=(
            prowler("databricks_workspace_no_public_ip_enabled"),
            defender("Azure Databricks Clusters should disable public IP (Preview)"),
        ),
        frameworks={**_EXPOSED, "cis-azure": ("2.1.9",)},
    ),
    Check(
        id="AZ-DB-003",
        title="Azure Databricks workspace is not deployed in your virtual network",
        severity="medium",
        provider="azure",
        kinds=("AzureDatabricksWorkspace",),
        predicate=is_false("vnet_injected"),
        rationale="VNet injection puts clusters under your NSGs, routes and firewalls.",
        remediation="Deploy the workspace with customVirtualNetworkId (VNet injection).",
        peers=(
            prowler("databricks_workspace_vnet_injection_enabled"),
            defender("Azure Databricks Workspaces should be in a virtual network (Preview)"),
        ),
        frameworks={"nist-ai-rmf": ("MEASURE 2.7",), "cis-azure": ("2.1.1",)},
    ),
    Check(
        id="AZ-DB-004",
        title="Azure Databricks workspace is not encrypted with a customer-managed key",
        severity="low",
        provider="azure",
        kinds=("AzureDatabricksWorkspace",),
        predicate=is_false("cmk"),
        rationale="Managed services and DBFS data rest under Microsoft-managed keys unless a "
        "Key Vault key is configured.",
        remediation="Configure customer-managed keys for managed services and managed disks.",
        peers=(prowler("databricks_workspace_cmk_encryption_enabled"),),
        frameworks={**_CMK, "cis-azure": ("2.1.8",)},
    ),
    Check(
        id="AZ-DB-005",
        title="Azure Databricks workspace has no private endpoint",
        severity="medium",
        provider="azure",
        kinds=("AzureDatabricksWorkspace",),
        predicate=is_false("has_private_endpoint"),
        rationale="Private link keeps workspace traffic off the internet.",
        remediation="Create a private endpoint (databricks_ui_api) for the workspace.",
        peers=(defender("Azure Databricks Workspaces should use private link (Preview)"),),
        frameworks={"nist-ai-rmf": ("MEASURE 2.7",), "cis-azure": ("2.1.11",)},
    ),
    Check(
        id="AZ-DB-006",
        title="Azure Databricks workspace has no resource logs",
        severity="medium",
        provider="azure",
        kinds=("AzureDatabricksWorkspace",),
        predicate=is_false("diagnostic_logs_enabled"),
        rationale="Databricks audit logs record access to notebooks, clusters and data.",
        remediation="Add a diagnostic setting for the workspace.",
        peers=(
            defender("Resource logs in Azure Databricks Workspaces should be enabled (Preview)"),
        ),
        frameworks={**_LOGS, "cis-azure": ("2.1.7", "6.1.4")},
    ),
]

_PENDING: dict[str, str] = {}
CHECKS = [
    replace(c, facts="not-collected", facts_note=f"Needs {_PENDING[c.id]}, not in the graph yet.")
    if c.id in _PENDING
    else c
    for c in CHECKS
]
