"""Azure AI Foundry Agent Service: agents of a Foundry project, their tools and what the
tools act as (see ``providers/azure/foundry.py`` for where the answers come from).

Each agent is a node under its project; each tool a node the agent ``USES_TOOL`` (or only
``HAS_TOOL`` when every call waits for a person: an MCP tool whose approval is ``always``).
What a tool acts with follows the service's documentation:

* OpenAPI with ``managed_identity`` auth, Azure Functions (the storage queues), and Azure AI
  Search or other connections whose auth is Entra ID (``AAD``, ``ProjectManagedIdentity``) call
  out with the **project's managed identity**: ``RUNS_AS`` that identity, so a path runs agent
  → tool → identity → what its role assignments reach;
* a key-based connection is a stored key, named on the tool (``connection_auth``);
* Azure AI Search grounds the agent (``GROUNDED_ON`` the search service, marked grounding data)
  so whoever can write the index injects prompts (the agents deriver);
* a connected agent is ``CALLS_AGENT``.

Guardrails: an agent answers with a model deployment of its account; that deployment's content
filter (RAI policy, ``Microsoft.DefaultV2`` when none is named) decides the jailbreak and
indirect-attack shields. Only facts: a custom policy that was not collected leaves both unset.
"""

from __future__ import annotations

import re
from functools import partial
from typing import Any

from aispm_graph.knowledge.azure.arm import norm
from aispm_graph.transforms.azure.builder import (
    SYSTEM_IDENTITY,
    AzureBuilder,
    Res,
    endpoint_host,
    hosts,
    mark_role,
    obj,
    props,
)
from aispm_graph.transforms.registry import service

AGENTS = "microsoft.cognitiveservices/accounts/projects/agents"
CONNECTIONS = "microsoft.cognitiveservices/accounts/projects/connections"
PROJECTS = "microsoft.cognitiveservices/accounts/projects"
DEPLOYMENTS = "microsoft.cognitiveservices/accounts/deployments"
RAI = "microsoft.cognitiveservices/accounts/raipolicies"
# The policy Azure applies to a deployment that names none (documented filter set).
DEFAULT_POLICY = "microsoft.defaultv2"
DEFAULT_SHIELDS = {"microsoft.defaultv2": (True, False), "microsoft.default": (False, False)}
# Connection auth types with which the service calls out as the project's managed identity.
IDENTITY_AUTH = {"aad", "projectmanagedidentity", "managedidentity", "agenticidentity"}
# Service tool type -> the schema's tool vocabulary.
TOOL_TYPES = {
    "code_interpreter": "code-interpreter",
    "file_search": "file-search",
    "azure_ai_search": "ai-search",
    "bing_grounding": "bing-grounding",
    "bing_custom_search": "bing-grounding",
    "openapi": "openapi",
    "azure_function": "azure-function",
    "mcp": "mcp",
    "connected_agent": "connected-agent",
    "function": "return-of-control",
    "sharepoint_grounding": "file-search",
    "fabric_dataagent": "file-search",
}
# Tools that put content others write in front of the model (indirect prompt injection).
EXTERNAL_CONTENT = {"ai-search", "bing-grounding", "file-search", "mcp", "openapi"}
SENDS_OUT = {"openapi", "mcp", "bing-grounding"}
_SLUG = re.compile(r"[^a-z0-9._-]+")


@service(
    "azure", "foundry-agents", reads=[AGENTS, CONNECTIONS, PROJECTS, DEPLOYMENTS, RAI], order=92
)
def foundry_agents(b: AzureBuilder) -> None:
    """After connections (90): search and storage nodes exist to resolve tool targets."""
    by_host = hosts(b.graph)
    for rid, res in b.resources(AGENTS):
        b.guarded(rid, AGENTS, partial(_agent, b, rid, res, by_host))


def _definition(res: Res) -> dict[str, Any]:
    """The agent's facts, whichever route listed it (classic, or a version's definition)."""
    agent = obj(res.get("agent"))
    if str(res.get("route") or "") == "agents":
        latest = obj(obj(agent.get("versions")).get("latest"))
        d = obj(latest.get("definition"))
        return {
            "name": agent.get("name") or latest.get("name"),
            "id": agent["id"],
            "model": d.get("model"),
            "instructions_sha256": d.get("instructions_sha256"),
            "description": latest.get("description") or agent.get("description"),
            "tools": d.get("tools"),
            "tool_resources": d.get("tool_resources"),
            "version": latest.get("version"),
        }
    return {
        "name": agent.get("name"),
        "id": agent["id"],
        "model": agent.get("model"),
        "instructions_sha256": agent.get("instructions_sha256"),
        "description": agent.get("description"),
        "tools": agent.get("tools"),
        "tool_resources": agent.get("tool_resources"),
        "version": None,
    }


def _project_identity(b: AzureBuilder, project: str) -> str:
    """The project's managed identity (system-assigned first), or ''."""
    if b.graph.has_node(project + SYSTEM_IDENTITY):
        return project + SYSTEM_IDENTITY
    res = b.resource(PROJECTS, project)
    uai = obj(obj(res).get("identity")).get("userAssignedIdentities")
    if isinstance(uai, dict):
        for key in sorted(uai):
            if b.graph.has_node(norm(str(key))):
                return norm(str(key))
    return ""


def _shields(b: AzureBuilder, project: str, model: str) -> tuple[str, bool | None, bool | None]:
    """(policy name, jailbreak shield, indirect-attack shield) of the agent's deployment."""
    account = project.rsplit("/projects/", 1)[0]
    dep = b.resource(DEPLOYMENTS, f"{account}/deployments/{model.lower()}") if model else None
    if dep is None:
        return "", None, None
    name = str(props(dep).get("raiPolicyName") or "") or "Microsoft.DefaultV2"
    policy = b.resource(RAI, f"{account}/raipolicies/{name.lower()}")
    if policy is None:
        jail, xpia = DEFAULT_SHIELDS.get(name.lower(), (None, None))
        return name, jail, xpia
    filters = [obj(f) for f in props(policy).get("contentFilters") or []]

    def on(*names: str) -> bool:
        return any(
            str(f.get("name") or "").lower().replace("_", " ") in names
            and f.get("enabled") is not False
            and f.get("blocking") is not False
            for f in filters
        )

    return name, on("jailbreak"), on("indirect attack", "indirect attacks")


def _connection(b: AzureBuilder, ref: Any, by_host: dict[str, str]) -> tuple[str, str, str]:
    """(connection id, its auth type, the resource it points at) for a tool's connection."""
    cid = norm(str(ref)) if isinstance(ref, str) and ref.startswith("/") else ""
    if not cid:
        return (str(ref) if isinstance(ref, str) else ""), "", ""
    res = b.resource(CONNECTIONS, cid)
    if res is None:
        return cid, "", ""
    p = props(res)
    meta = obj(p.get("metadata"))
    meta_id = next(
        (norm(str(v)) for k, v in meta.items() if str(k).lower() == "resourceid" and v), ""
    )
    target = (
        meta_id
        if meta_id and b.graph.has_node(meta_id)
        else by_host.get(endpoint_host(p.get("target")), "")
    )
    return cid, str(p.get("authType") or ""), target


def _mcp_approval(tool: dict[str, Any], resources: dict[str, Any]) -> tuple[str, list[str]]:
    """(approval, tools exempt from it) of an MCP tool.

    The versioned API keeps ``require_approval`` on the tool; classic agents in
    ``tool_resources.mcp[]`` by server label. Unset means the service default, ``always``.
    ``{"never": {"tool_names": [...]}}`` exempts those tools: the tool counts as ``never``
    unless its allowed-tools list excludes every exempt one.
    """
    label = tool.get("server_label")
    setting = tool.get("require_approval")
    if setting is None:
        for entry in resources.get("mcp") or []:
            if isinstance(entry, dict) and entry.get("server_label") == label:
                setting = entry.get("require_approval")
    if setting is None or setting == "always":
        return "always", []
    if setting == "never":
        return "never", []
    if isinstance(setting, dict):
        never = obj(setting.get("never")).get("tool_names")
        exempt = sorted(str(t) for t in never) if isinstance(never, list) else []
        allowed = tool.get("allowed_tools")
        if isinstance(allowed, list) and allowed:
            exempt = [t for t in exempt if t in {str(a) for a in allowed}]
        return ("never" if exempt else "always"), exempt
    return "unknown", []


def _slug(text: Any) -> str:
    return _SLUG.sub("-", str(text or "").lower()).strip("-")[:64]


def _agent(b: AzureBuilder, rid: str, res: Res, by_host: dict[str, str]) -> None:
    d = _definition(res)
    project = norm(str(res["project"]))
    tools = [obj(t) for t in d.get("tools") or []]
    resources = obj(d.get("tool_resources"))
    model = str(d.get("model") or "")
    policy, jail, xpia = _shields(b, project, model)
    types = [TOOL_TYPES.get(str(t.get("type")), str(t.get("type") or "unknown")) for t in tools]
    external = any(t in EXTERNAL_CONTENT for t in types)
    b.resource_node(
        rid,
        "AzureAIFoundryAgent",
        None,
        name=str(d.get("name") or d["id"]),
        agent_id=str(d["id"]),
        api_route=str(res.get("route") or "assistants"),
        agent_version=d.get("version"),
        project=project,
        model_name=model or None,
        instruction_hash=d.get("instructions_sha256"),
        has_instructions=bool(d.get("instructions_sha256")),
        description=d.get("description") or None,
        tool_types=sorted(set(types)) or None,
        guardrail=policy or None,
        jailbreak_guardrail=jail,
        indirect_attack_guardrail=xpia,
        reads_external_content=external,
        xpia_without_guardrail=(external and xpia is False) if xpia is not None else None,
    )
    if b.graph.has_node(project):
        b.graph.set_prop(rid, "region", b.graph.node(project).get("region"))
    b.edge(project, rid, "CONTAINS", relation="Foundry project agent")
    if model:
        dep = f"{project.rsplit('/projects/', 1)[0]}/deployments/{model.lower()}"
        b.edge(rid, dep, "USES_MODEL", if_present=True, field="model")
        if b.graph.has_node(dep) and jail is not None and xpia is not None:
            # AZ-AI-012 asks this of deployments agents answer with, and only of those.
            b.graph.set_prop(dep, "prompt_shields", bool(jail and xpia))
    identity = _project_identity(b, project)
    seen: set[str] = set()
    mcp_no_list = mcp_no_approval = connected_blind = False
    for i, (tool, ttype) in enumerate(zip(tools, types, strict=True)):
        with b.guard(f"{AGENTS} tools", label=f"{rid} tools[{i}]"):
            flags = _tool(b, rid, d, tool, ttype, i, resources, identity, by_host, seen)
            mcp_no_list = mcp_no_list or flags[0]
            mcp_no_approval = mcp_no_approval or flags[1]
            connected_blind = connected_blind or flags[2]
    has_mcp = "mcp" in types
    b.graph.update_props(
        rid,
        mcp_without_allowed_tools=mcp_no_list if has_mcp else None,
        mcp_without_approval=mcp_no_approval if has_mcp else None,
        connected_agent_without_instructions=(
            connected_blind if "connected-agent" in types else None
        ),
    )


def _tool(
    b: AzureBuilder,
    agent: str,
    d: dict[str, Any],
    tool: dict[str, Any],
    ttype: str,
    index: int,
    resources: dict[str, Any],
    identity: str,
    by_host: dict[str, str],
    seen: set[str],
) -> tuple[bool, bool, bool]:
    """One tool node and its edges; returns (MCP without allowed tools, MCP without approval,
    connected agent without description)."""
    raw = str(tool.get("type") or "")
    inner = obj(tool.get(raw))
    props_: dict[str, Any] = {"tool_type": ttype}
    label: Any = raw
    approval = "unknown" if ttype in {"openapi", "azure-function"} else None
    connection: Any = None
    flags = (False, False, False)
    acts_as_project = False
    if ttype == "mcp":
        label = tool.get("server_label") or raw
        allowed = tool.get("allowed_tools")
        approval, exempt = _mcp_approval(tool, resources)
        props_.update(
            server_label=tool.get("server_label"),
            server_url=tool.get("server_url"),
            allowed_tools=[str(t) for t in allowed]
            if isinstance(allowed, list) and allowed
            else None,
            approval_exempt_tools=exempt or None,
            acting=True,
            sends_out=True,
        )
        connection = tool.get("project_connection_id")
        flags = (not props_["allowed_tools"], approval == "never", False)
    elif ttype == "openapi":
        label = inner.get("name") or raw
        auth = obj(inner.get("auth"))
        auth_type = str(auth.get("type") or "anonymous")
        scheme = obj(auth.get("security_scheme"))
        connection = scheme.get("connection_id") or scheme.get("project_connection_id")
        servers = [
            str(obj(s).get("url"))
            for s in obj(inner.get("spec")).get("servers") or []
            if obj(s).get("url")
        ]
        props_.update(
            auth_type=auth_type, spec_servers=servers or None, acting=True, sends_out=True
        )
        acts_as_project = auth_type == "managed_identity"
    elif ttype == "azure-function":
        fn = obj(inner.get("function"))
        label = fn.get("name") or raw
        props_.update(function_name=fn.get("name"), acting=True, sends_out=False)
        acts_as_project = True  # the service writes the input queue as the project
    elif ttype == "ai-search":
        indexes = [obj(x) for x in obj(resources.get("azure_ai_search")).get("indexes") or []]
        indexes += [obj(x) for x in inner.get("indexes") or []]
        first = indexes[0] if indexes else {}
        label = first.get("index_name") or raw
        connection = first.get("index_connection_id") or first.get("project_connection_id")
        props_.update(index_name=first.get("index_name"), acting=False, sends_out=False)
    elif ttype == "bing-grounding":
        configs = [obj(x) for x in inner.get("search_configurations") or []]
        connection = next(
            (c.get("connection_id") or c.get("project_connection_id") for c in configs), None
        )
        props_.update(acting=False, sends_out=True)
    elif ttype == "file-search":
        stores = obj(resources.get("file_search")).get("vector_store_ids") or tool.get(
            "vector_store_ids"
        )
        props_.update(
            vector_store_ids=[str(s) for s in stores]
            if isinstance(stores, list) and stores
            else None,
            acting=False,
            sends_out=False,
        )
    elif ttype == "connected-agent":
        other = str(inner.get("id") or "")
        label = inner.get("name") or other or raw
        props_.update(connected_agent=other or None, acting=True, sends_out=False)
        flags = (False, False, not str(inner.get("description") or "").strip())
    elif ttype == "return-of-control":
        fn = obj(tool.get("function"))
        label = fn.get("name") or raw
        props_.update(function_name=fn.get("name"), acting=False, sends_out=False)
    slug = _slug(f"{raw}-{label}") or f"tool-{index}"
    if slug in seen:
        slug = f"{slug}-{index}"
    seen.add(slug)
    tid = f"{agent}/tools/{slug}"
    cid, cauth, target = _connection(b, connection, by_host) if connection else ("", "", "")
    if cid:
        props_.update(connection=cid, connection_auth=cauth or None, target_resource=target or None)
        if cauth.lower() in IDENTITY_AUTH:
            acts_as_project = True
    if approval is not None:
        props_["approval"] = approval
    name = (
        f"{d.get('name') or d['id']}: {ttype} {label}"
        if label != raw
        else f"{d.get('name') or d['id']}: {ttype}"
    )
    b.node(tid, "AzureAIFoundryTool", name, **{k: v for k, v in props_.items() if v is not None})
    b.graph.set_prop(tid, "tenant", b.graph.node(agent).get("tenant"))
    evidence: dict[str, Any] = {
        "tool_type": ttype,
        "approval": approval or "not applicable",
        "field": f"tools[{index}]",
    }
    if approval == "always":
        b.edge(agent, tid, "HAS_TOOL", mechanism="every call waits for human approval", **evidence)
    else:
        b.edge(
            agent,
            tid,
            "USES_TOOL",
            mechanism=f"Foundry agent tool ({raw}); the model decides when to call it",
            **evidence,
        )
    if acts_as_project and identity:
        b.graph.set_prop(tid, "identity", identity)
    # Only a tool that sends requests the model shapes, to a destination the spec names, lends
    # the model the identity: OpenAPI. Search, grounding and queue bindings use it for one
    # fixed read or write, which the GROUNDED_ON edge and the identity property record.
    if acts_as_project and identity and ttype == "openapi":
        shown = ", ".join(props_.get("spec_servers") or []) or "the spec's servers"
        why = (
            "OpenAPI tool authenticates as the project's managed identity"
            if not cid
            else f"connection {cid.rsplit('/', 1)[-1]} ({cauth}) uses the project's identity"
        )
        b.edge(
            tid,
            identity,
            "RUNS_AS",
            "inferred",
            mechanism=f"{why}; the model chooses the operations of the spec ({shown}), so "
            "what the identity may do there is what the agent's callers may do",
            fix=f"Give the project's managed identity only what tool {label} needs, or use a "
            "connection scoped to that API",
        )
    if ttype == "ai-search" and target:
        tkind = b.graph.node(target)["kind"]
        if tkind in {"AzureSearchService", "AzureStorageAccount"}:
            mark_role(b.graph, target, "grounding")
            b.edge(
                tid,
                target,
                "GROUNDED_ON",
                mechanism=f"Azure AI Search tool reads index {props_.get('index_name')}",
                connection=cid,
            )
    if ttype == "connected-agent" and props_.get("connected_agent"):
        project = agent.rsplit("/agents/", 1)[0]
        other = f"{project}/agents/{str(props_['connected_agent']).lower()}"
        b.edge(
            agent,
            other,
            "CALLS_AGENT",
            mechanism=f"connected agent tool {label}: the agent hands it the conversation",
            field=f"tools[{index}].connected_agent.id",
        )
    return flags
