"""Bedrock AgentCore: agent runtimes, gateways and their targets, memories, code interpreters,
browsers, workload identities and credential providers.

Facts (the AWS agents deriver decides who reaches what):

* a runtime's inbound authentication is IAM (SigV4) unless a custom JWT authorizer is
  configured (AgentCore's documented default); its resource policy is kept for the deriver;
  its code runs as the execution role (``RUNS_AS``, inferred: what the agent does with the role
  depends on its code);
* a gateway ``PROVIDES_TOOL`` each target; a Lambda target ``INVOKES`` the function; a Smithy
  or OpenAPI target called with the gateway's IAM role ``RUNS_AS`` that role; OAuth and API-key
  targets ``RUNS_AS`` their credential provider; a remote MCP server target sends data out;
* code interpreters and browsers are compute that ``HAS_IDENTITY`` their execution role;
* runtimes and gateways ``HAS_AGENT_IDENTITY`` their workload identity;
* a runtime whose environment variable names a memory (the collector keeps that reference,
  never the values) ``USES_MEMORY`` it: what is written there is input to its agent;
* a runtime or gateway with a custom JWT authorizer accepts bearer tokens of an identity
  provider outside the estate: the issuer becomes an ``ExternalIdentityProvider`` node (its
  discovery URL is the id) that ``CAN_INVOKE`` the resource, with the allowed audiences and
  clients in the evidence (whoever holds such a token reaches it).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from aispm_graph.graph.model import Confidence
from aispm_graph.transforms.aws.builder import AwsBuilder, policy_doc
from aispm_graph.transforms.registry import service

S = "bedrock-agentcore"
TARGET_TYPES = {
    "lambda": "lambda",
    "openApiSchema": "openapi",
    "smithyModel": "smithy",
    "mcpServer": "mcp-server",
    "apiGateway": "api-gateway",
    "connector": "connector",
}


def _issuer(b: AwsBuilder, resource: str, name: str, jwt: dict[str, Any], what: str) -> None:
    """The identity provider a custom JWT authorizer trusts, as an entry that reaches
    ``resource`` (holders of its tokens for the allowed audiences or clients)."""
    url = jwt.get("discoveryUrl")
    if not isinstance(url, str) or not url:
        return
    host = urlsplit(url).netloc or url
    b.graph.add_node(
        url,
        "ExternalIdentityProvider",
        host,
        provider="aws",  # the cloud that trusts it, as for an uncollected account
        discovery_url=url,
        collected=False,
        risk="unknown",
    )
    audiences = [str(a) for a in jwt.get("allowedAudience") or []]
    clients = [str(c) for c in jwt.get("allowedClients") or []]
    allowed = "; ".join(
        part
        for part in (
            f"audiences {', '.join(audiences)}" if audiences else "",
            f"clients {', '.join(clients)}" if clients else "",
        )
        if part
    )
    b.edge(
        url,
        resource,
        "CAN_INVOKE",
        permission="bearer token of the identity provider",
        grant=f"custom JWT authorizer of {what} {name} accepts tokens from {url}"
        + (f" ({allowed})" if allowed else " (no audience or client restriction)"),
        fix=f"Restrict the JWT authorizer of {what} {name} to the audiences and clients that "
        "must call it, or use IAM (SigV4) authentication",
    )


def _jwt(cfg: Any) -> dict[str, Any]:
    if not isinstance(cfg, dict):
        return {}
    jwt = cfg.get("customJWTAuthorizer")
    return jwt if isinstance(jwt, dict) else {}


@service(
    "aws",
    S,
    reads=[
        (S, "get_agent_runtime"),
        (S, "list_agent_runtime_endpoints"),
        (S, "get_resource_policy"),
        (S, "get_gateway"),
        (S, "get_gateway_target"),
        (S, "get_memory"),
        (S, "get_code_interpreter"),
        (S, "get_browser"),
        (S, "list_workload_identities"),
        (S, "list_oauth2_credential_providers"),
        (S, "list_api_key_credential_providers"),
    ],
    order=135,
)
def bedrock_agentcore(b: AwsBuilder) -> None:
    """After IAM (roles) and Lambda (gateway targets)."""
    _identities(b)
    policies = _policies(b)
    memories: dict[str, str] = {}  # memory id or ARN -> ARN
    for body in b.responses(S, "get_memory"):
        m = body["response"].get("memory") or {}
        if isinstance(m, dict) and m.get("arn"):
            memories[str(m["arn"])] = str(m["arn"])
            if m.get("id"):
                memories[str(m["id"])] = str(m["arn"])
    _runtimes(b, policies, memories)
    gateways = _gateways(b, policies)
    for body in b.responses(S, "get_gateway_target"):
        r = body["response"]
        with b.guard("get_gateway_target", r):
            _target(b, r, body["params"], gateways, body["region"])
    for body in b.responses(S, "get_memory"):
        m = body["response"].get("memory") or {}
        with b.guard("get_memory", m):
            if not m.get("arn"):
                continue
            b.node(
                m["arn"],
                "BedrockAgentCoreMemory",
                m.get("name") or m.get("id"),
                body["region"],
                execution_role=m.get("memoryExecutionRoleArn"),
                kms_key=m.get("encryptionKeyArn"),
                strategies=sorted(
                    str(s.get("type")) for s in m.get("strategies") or [] if isinstance(s, dict)
                )
                or None,
            )
    for kind, op, id_key in (
        ("BedrockAgentCoreCodeInterpreter", "get_code_interpreter", "codeInterpreterId"),
        ("BedrockAgentCoreBrowser", "get_browser", "browserId"),
    ):
        for _rid, r, region in b.described(S, op, id_key):
            with b.guard(op, r):
                arn = r.get("codeInterpreterArn") or r.get("browserArn")
                if not arn:
                    continue
                role = r.get("executionRoleArn")
                b.node(
                    arn,
                    kind,
                    r.get("name") or _rid,
                    region,
                    execution_role=role,
                    network_mode=(r.get("networkConfiguration") or {}).get("networkMode"),
                    tool_type="code-interpreter" if "Code" in kind else "browser",
                    acting=True,
                )
                b.has_role(arn, role, f"{kind.removeprefix('BedrockAgentCore')} execution role")


def _identities(b: AwsBuilder) -> None:
    for body, _i, w in b.items(S, "list_workload_identities", "workloadIdentities"):
        with b.guard("list_workload_identities", w):
            if w.get("workloadIdentityArn"):
                b.node(
                    w["workloadIdentityArn"],
                    "BedrockAgentCoreWorkloadIdentity",
                    w.get("name"),
                    body["region"],
                )
    for op, ptype in (
        ("list_oauth2_credential_providers", "oauth2"),
        ("list_api_key_credential_providers", "api-key"),
    ):
        for body, _i, p in b.items(S, op, "credentialProviders"):
            with b.guard(op, p):
                if p.get("credentialProviderArn"):
                    b.node(
                        p["credentialProviderArn"],
                        "BedrockAgentCoreCredentialProvider",
                        p.get("name"),
                        body["region"],
                        provider_type=ptype,
                        vendor=p.get("credentialProviderVendor"),
                    )


def _policies(b: AwsBuilder) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for body in b.responses(S, "get_resource_policy"):
        arn = body["params"].get("resourceArn")
        pol = body["response"].get("policy")
        if isinstance(arn, str) and pol:
            out[arn] = policy_doc(pol)
    return out


def _runtimes(b: AwsBuilder, policies: dict[str, Any], memories: dict[str, str]) -> None:
    endpoints: dict[str, list[str]] = {}
    for body in b.responses(S, "list_agent_runtime_endpoints"):
        rid = str(body["params"].get("agentRuntimeId", ""))
        endpoints[rid] = sorted(
            str(e.get("name"))
            for e in body["response"].get("runtimeEndpoints", [])
            if isinstance(e, dict)
        )
    for rid, r, region in b.described(S, "get_agent_runtime", "agentRuntimeId"):
        with b.guard("get_agent_runtime", r):
            arn = r.get("agentRuntimeArn")
            if not arn:
                continue
            jwt = _jwt(r.get("authorizerConfiguration"))
            role = r.get("roleArn")
            b.node(
                arn,
                "BedrockAgentCoreRuntime",
                r.get("agentRuntimeName") or rid,
                region,
                execution_role=role,
                network_mode=(r.get("networkConfiguration") or {}).get("networkMode"),
                inbound_auth="jwt" if jwt else "iam",
                allowed_audiences=jwt.get("allowedAudience"),
                allowed_clients=jwt.get("allowedClients"),
                discovery_url=jwt.get("discoveryUrl"),
                resource_policy=policies.get(arn),
                endpoints=endpoints.get(rid),
                protocol=(r.get("protocolConfiguration") or {}).get("serverProtocol"),
                env_names=r.get("environmentVariablesNames"),
            )
            if isinstance(role, str) and b.graph.has_node(role):
                b.edge(
                    arn,
                    role,
                    "RUNS_AS",
                    Confidence.INFERRED,
                    mechanism="agent runtime execution role: the agent's code runs as it",
                    fix=f"Scope execution role {role.rsplit('/', 1)[-1]} down to what the "
                    "agent's tools need",
                )
            wid = (r.get("workloadIdentityDetails") or {}).get("workloadIdentityArn")
            b.edge(arn, wid, "HAS_AGENT_IDENTITY", if_present=True)
            name = str(r.get("agentRuntimeName") or rid)
            if jwt:
                _issuer(b, arn, name, jwt, "runtime")
            for ref in r.get("memoryReferences") or []:
                memory = memories.get(str(ref.get("memory")))
                if memory:
                    b.edge(
                        arn,
                        memory,
                        "USES_MEMORY",
                        mechanism=f"environment variable {ref.get('variable')} names the memory",
                    )


def _gateways(b: AwsBuilder, policies: dict[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for gid, r, region in b.described(S, "get_gateway", "gatewayId"):
        with b.guard("get_gateway", r):
            arn = r.get("gatewayArn")
            if not arn:
                continue
            out[gid] = arn
            jwt = _jwt(r.get("authorizerConfiguration"))
            b.node(
                arn,
                "BedrockAgentCoreGateway",
                r.get("name") or gid,
                region,
                authorizer_type=r.get("authorizerType"),
                role=r.get("roleArn"),
                gateway_url=r.get("gatewayUrl"),
                allowed_audiences=jwt.get("allowedAudience"),
                allowed_clients=jwt.get("allowedClients"),
                resource_policy=policies.get(arn),
            )
            wid = (r.get("workloadIdentityDetails") or {}).get("workloadIdentityArn")
            b.edge(arn, wid, "HAS_AGENT_IDENTITY", if_present=True)
            if str(r.get("authorizerType") or "").upper() == "CUSTOM_JWT" and jwt:
                _issuer(b, arn, str(r.get("name") or gid), jwt, "gateway")
    return out


def _target(
    b: AwsBuilder, r: dict[str, Any], params: dict[str, Any], gateways: dict[str, str], region: str
) -> None:
    gateway = r.get("gatewayArn") or gateways.get(str(params.get("gatewayIdentifier", "")))
    if not gateway or not r.get("targetId"):
        return
    mcp = (r.get("targetConfiguration") or {}).get("mcp") or {}
    kind = next((k for k in TARGET_TYPES if mcp.get(k)), "")
    tool_type = TARGET_TYPES.get(kind, "unknown")
    conf = mcp.get(kind) or {}
    endpoint = conf.get("lambdaArn") or conf.get("endpoint") or conf.get("restApiId")
    creds = [c for c in r.get("credentialProviderConfigurations") or [] if isinstance(c, dict)]
    ctype = str(creds[0].get("credentialProviderType")) if creds else None
    provider = None
    if creds:
        cp = creds[0].get("credentialProvider") or {}
        for key in ("oauthCredentialProvider", "apiKeyCredentialProvider"):
            provider = (cp.get(key) or {}).get("providerArn") or provider
    tid = f"{gateway}/target/{r['targetId']}"
    b.node(
        tid,
        "BedrockAgentCoreGatewayTarget",
        r.get("name") or r["targetId"],
        region,
        tool_type=tool_type,
        endpoint=endpoint,
        credential_type=ctype,
        credential_provider=provider,
        approval="never",  # a gateway runs the call it is asked to; no approval step exists
        acting=True,
        sends_out=tool_type in {"mcp-server", "openapi"} or None,
    )
    b.edge(
        gateway,
        tid,
        "PROVIDES_TOOL",
        mechanism=f"gateway target ({tool_type})",
        fix=f"Remove target {r.get('name')} from the gateway, or put an inbound authorizer on it",
    )
    if tool_type == "lambda" and endpoint:
        b.edge(tid, endpoint, "INVOKES", mechanism="gateway Lambda target")
        if b.graph.has_node(endpoint):
            b.graph.set_prop(endpoint, "agent_action_group", True)
    if provider:
        b.edge(tid, provider, "RUNS_AS", mechanism=f"outbound {ctype} credential provider")
    elif ctype == "GATEWAY_IAM_ROLE" and tool_type in {"smithy", "openapi", "api-gateway"}:
        role = b.graph.node(gateway).get("role")
        if isinstance(role, str) and b.graph.has_node(role):
            b.edge(
                tid,
                role,
                "RUNS_AS",
                mechanism="the gateway calls the target's API with its own IAM role",
                fix="Give the gateway a role that can call only this target's operations",
            )
