"""Posture checks on agents, their tools, gateways and MCP configurations.

An additive module (registered with :func:`aispm_graph.recommendations.catalogue.register`), so
the agent checks live next to the code that computes the facts they read: the indicators of
:mod:`aispm_graph.derive.agents` (each with its evidence on the node, shown by ``aispm show``)
and the MCP importer's verdicts. OWASP ids are from the Top 10 for LLM applications 2025
(LLM01 prompt injection, LLM02 sensitive information disclosure, LLM03 supply chain, LLM06
excessive agency).
"""

from __future__ import annotations

from dataclasses import replace

from aispm_graph.recommendations.catalogue import register
from aispm_graph.recommendations.model import (
    Check,
    all_of,
    equals,
    is_true,
    missing,
    one_of,
    present,
)

AGENT_KINDS = (
    "BedrockAgent",
    "BedrockAgentCoreRuntime",
    "AzureAIFoundryAgent",
    "VertexAIReasoningEngine",
    "DialogflowCXAgent",
    "MCPClient",
)
_AWS = "https://docs.aws.amazon.com"
_MS = "https://learn.microsoft.com/azure"
_MCP = "https://modelcontextprotocol.io/specification/2025-06-18"
_OWASP = "https://genai.owasp.org/llmrisk"


_DECLARED: tuple[Check, ...] = (
    Check(
        id="AGENT-001",
        title="Agent exposed to indirect prompt injection: untrusted-writable content reaches an "
        "agent with acting tools",
        severity="high",
        provider="generic",
        kinds=AGENT_KINDS,
        predicate=one_of("agent_indicators", "prompt-injection"),
        remediation="Restrict who can write the content the agent reads (knowledge-base "
        "buckets, indexes, memory), put a guardrail with a prompt-attack filter on the agent, "
        "and require approval before its acting tools run. The evidence is in 'aispm show' on "
        "the paths through the agent.",
        references=(f"{_OWASP}/llm01-prompt-injection/",),
        frameworks={"owasp-llm": ("LLM01", "LLM06")},
    ),
    Check(
        id="AGENT-002",
        title="Agent can exfiltrate data: it reads AI or sensitive data and has a tool that "
        "sends data out",
        severity="high",
        provider="generic",
        kinds=AGENT_KINDS,
        predicate=one_of("agent_indicators", "data-exfiltration"),
        remediation="Remove outbound tools (OpenAPI, MCP, webhooks) from agents that read "
        "sensitive data, or limit them to allow-listed destinations.",
        references=(f"{_OWASP}/llm022025-sensitive-information-disclosure/",),
        frameworks={"owasp-llm": ("LLM02", "LLM06")},
    ),
    Check(
        id="AGENT-003",
        title="Agent acts without human approval (high autonomy)",
        severity="medium",
        provider="generic",
        kinds=AGENT_KINDS,
        predicate=one_of("agent_indicators", "high-autonomy"),
        remediation="Require approval for acting tools: require_approval 'always' on Foundry MCP "
        "tools, user confirmation on Bedrock action group functions, no autoApprove in MCP "
        "clients.",
        references=(f"{_OWASP}/llm062025-excessive-agency/",),
        frameworks={"owasp-llm": ("LLM06",)},
    ),
    Check(
        id="AGENT-004",
        title="Agent or gateway accepts calls without authentication",
        severity="high",
        provider="generic",
        kinds=(*AGENT_KINDS, "BedrockAgentCoreGateway"),
        predicate=one_of("agent_indicators", "no-authentication"),
        remediation="Configure an inbound authorizer (AWS_IAM or a JWT authorizer with allowed "
        "audiences or clients), remove '*' from resource policies, and require credentials on "
        "remote MCP servers.",
        references=(f"{_AWS}/bedrock-agentcore/latest/devguide/gateway-inbound-auth.html",),
        frameworks={"owasp-llm": ("LLM06",)},
    ),
    Check(
        id="AGENT-005",
        title="Agent reaches across tenants (another account, subscription or project, or a "
        "remote MCP server)",
        severity="medium",
        provider="generic",
        kinds=AGENT_KINDS,
        predicate=one_of("agent_indicators", "cross-tenant"),
        remediation="Keep an agent's tools and identities inside its own tenant, or review the "
        "cross-tenant grant and the remote server it sends tool calls to.",
        frameworks={"owasp-llm": ("LLM06",)},
    ),
    Check(
        id="AGENT-006",
        title="Agent acts through a privileged identity (administrator of its tenant)",
        severity="high",
        provider="generic",
        kinds=(*AGENT_KINDS, "BedrockAgentCoreGateway"),
        predicate=one_of("agent_indicators", "privileged-identity"),
        remediation="Give each tool its own least-privilege role or managed identity; never "
        "an administrator.",
        frameworks={"owasp-llm": ("LLM06",)},
    ),
    # --- Bedrock AgentCore ------------------------------------------------------------------
    Check(
        id="AWS-AC-001",
        title="AgentCore gateway has no inbound authorizer",
        severity="high",
        provider="aws",
        kinds=("BedrockAgentCoreGateway",),
        predicate=equals("authorizer_type", "NONE"),
        remediation="Recreate the gateway with authorizerType AWS_IAM or CUSTOM_JWT (allowed "
        "audiences or clients set).",
        references=(f"{_AWS}/bedrock-agentcore/latest/devguide/gateway-inbound-auth.html",),
        frameworks={"owasp-llm": ("LLM06",)},
    ),
    Check(
        id="AWS-AC-002",
        title="AgentCore runtime, code interpreter or browser runs in PUBLIC network mode",
        severity="low",
        provider="aws",
        kinds=(
            "BedrockAgentCoreRuntime",
            "BedrockAgentCoreCodeInterpreter",
            "BedrockAgentCoreBrowser",
        ),
        predicate=equals("network_mode", "PUBLIC"),
        remediation="Use VPC network mode so the agent's code cannot send data to arbitrary "
        "internet hosts.",
        references=(f"{_AWS}/bedrock-agentcore/latest/devguide/agentcore-vpc.html",),
        frameworks={"owasp-llm": ("LLM02",)},
    ),
    # --- Azure AI Foundry Agent Service ---------------------------------------------------------
    Check(
        id="AZ-AGENT-001",
        title="Foundry agent MCP tool runs without approval",
        severity="medium",
        provider="azure",
        kinds=("AzureAIFoundryTool",),
        predicate=all_of(equals("tool_type", "mcp"), equals("approval", "never")),
        remediation="Set require_approval to 'always' on the MCP tool (or list the read-only "
        "tools that may skip approval).",
        references=(f"{_MS}/ai-foundry/agents/how-to/tools/model-context-protocol",),
        frameworks={"owasp-llm": ("LLM06",)},
    ),
    Check(
        id="AZ-AGENT-002",
        title="Foundry agent MCP tool has no allowed-tools list",
        severity="medium",
        provider="azure",
        kinds=("AzureAIFoundryTool",),
        predicate=all_of(equals("tool_type", "mcp"), missing("allowed_tools")),
        remediation="Set allowed_tools on the MCP tool to the tools the agent needs.",
        references=(f"{_MS}/ai-foundry/agents/how-to/tools/model-context-protocol",),
        frameworks={"owasp-llm": ("LLM06",)},
    ),
    Check(
        id="GCP-MCP-001",
        title="Cloud Run service serving MCP accepts unauthenticated calls (allUsers invoker)",
        severity="high",
        provider="gcp",
        kinds=("GCPCloudRunService",),
        predicate=all_of(is_true("serves_mcp"), is_true("mcp_public")),
        remediation="Remove allUsers from roles/run.invoker on the service and require IAM "
        "(or an identity-aware proxy) in front of the MCP endpoint; restrict ingress.",
        references=("https://cloud.google.com/run/docs/host-mcp-servers",),
        frameworks={"owasp-llm": ("LLM06",)},
    ),
    # --- MCP client configurations ------------------------------------------------------------
    Check(
        id="MCP-001",
        title="MCP server runs an unpinned package (its publisher can change it at any time)",
        severity="medium",
        provider="generic",
        kinds=("MCPServer",),
        predicate=equals("pinned", False),
        remediation="Pin the package to a reviewed version (name@1.2.3, pkg==1.2.3, or an image "
        "digest) so tool code and descriptions cannot change under you.",
        references=(f"{_OWASP}/llm032025-supply-chain/",),
        frameworks={"owasp-llm": ("LLM03",)},
    ),
    Check(
        id="MCP-002",
        title="Secret value written in an MCP client configuration",
        severity="high",
        provider="generic",
        kinds=("MCPCredential",),
        predicate=is_true("literal"),
        remediation="Rotate the credential; reference it instead (${env:NAME} or ${input:name} in "
        "VS Code, an environment variable set outside the file elsewhere).",
        frameworks={"owasp-llm": ("LLM02",)},
    ),
    Check(
        id="MCP-003",
        title="MCP tool description carries instructions for the model (tool poisoning)",
        severity="high",
        provider="generic",
        kinds=("MCPTool",),
        predicate=present("poisoning"),
        remediation="Remove the server, or pin a version whose tool descriptions you reviewed; "
        "the patterns found are on the tool node ('poisoning').",
        references=(f"{_MCP}/server/tools#security-considerations",),
        frameworks={"owasp-llm": ("LLM01", "LLM03")},
    ),
    Check(
        id="MCP-004",
        title="MCP server configuration carries credentials in its URL or arguments",
        severity="high",
        provider="generic",
        kinds=("MCPServer",),
        predicate=present("config_findings"),
        remediation="Move the credential out of the URL query or command line into an "
        "environment variable or header reference, and rotate it.",
        frameworks={"owasp-llm": ("LLM02",)},
    ),
    Check(
        id="MCP-005",
        title="Remote MCP server reached over plain http",
        severity="medium",
        provider="generic",
        kinds=("MCPServer",),
        predicate=is_true("insecure_transport"),
        remediation="Use https for remote MCP servers.",
        references=(f"{_MCP}/basic/transports",),
    ),
)

_OWASP_AGENCY = f"{_OWASP}/llm062025-excessive-agency/"
_OWASP_DISCLOSURE = f"{_OWASP}/llm022025-sensitive-information-disclosure/"
# Why each check matters, for the reviewer (docs/checks.md), and the references of the checks
# declared above without one.
_RATIONALE: dict[str, tuple[str, tuple[str, ...]]] = {
    "AGENT-001": (
        "Text an attacker writes into what the agent reads becomes instructions; with "
        "an acting tool those instructions run with the tool's identity.",
        (),
    ),
    "AGENT-002": (
        "An agent that both reads sensitive data and can send data out needs only one "
        "injected instruction to leak it.",
        (),
    ),
    "AGENT-003": (
        "Without a person approving acting calls, a steered agent acts at once and "
        "at machine speed.",
        (),
    ),
    "AGENT-004": (
        "An agent or MCP endpoint that accepts anonymous calls is an internet entry "
        "point to every tool behind it.",
        (),
    ),
    "AGENT-005": (
        "Tool calls that cross a tenant boundary carry data and authority to places "
        "the tenant's own controls do not cover.",
        (_OWASP_AGENCY,),
    ),
    "AGENT-006": (
        "Whoever steers an agent whose tools run as an administrator administers the tenant.",
        (_OWASP_AGENCY,),
    ),
    "AWS-AC-001": (
        "AgentCore gateways with authorizer NONE take MCP calls from anyone who knows the URL.",
        (),
    ),
    "AWS-AC-002": (
        "PUBLIC network mode lets the agent's code reach any internet host, the "
        "easiest exfiltration channel.",
        (),
    ),
    "AZ-AGENT-001": (
        "An MCP tool that needs no approval lets injected text call the remote server directly.",
        (),
    ),
    "AZ-AGENT-002": (
        "Without an allowed-tools list the agent may call every tool the remote "
        "MCP server offers, including ones added later.",
        (),
    ),
    "GCP-MCP-001": (
        "A Cloud Run MCP server open to allUsers lets anyone call its tools with "
        "the service's identity.",
        (),
    ),
    "MCP-001": (
        "An unpinned launcher runs whatever the publisher released last, tool "
        "descriptions included: a rug pull needs no change on your side.",
        (),
    ),
    "MCP-002": (
        "A credential written in a client configuration is readable by every process "
        "and backup that can read the file.",
        (_OWASP_DISCLOSURE,),
    ),
    "MCP-003": (
        "Tool descriptions go into the model's context verbatim; instructions hidden "
        "there steer the agent (tool poisoning, shadowing).",
        (),
    ),
    "MCP-004": (
        "Credentials in URLs and command lines end up in logs, process lists and shell history.",
        (_OWASP_DISCLOSURE,),
    ),
    "MCP-005": ("Plain http exposes tool calls, results and tokens to anyone on the path.", ()),
}
_FRAMEWORKS: dict[str, dict[str, tuple[str, ...]]] = {"MCP-005": {"owasp-llm": ("LLM02",)}}
AGENT_CHECKS: tuple[Check, ...] = tuple(
    replace(
        c,
        rationale=_RATIONALE[c.id][0],
        references=c.references or _RATIONALE[c.id][1],
        frameworks=c.frameworks or _FRAMEWORKS.get(c.id, {}),
    )
    for c in _DECLARED
)

register(*AGENT_CHECKS)
