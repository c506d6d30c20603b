"""Bedrock Agents: agents as intermediate nodes of attack paths.

An agent ``USES_TOOL`` each action group (a ``BedrockActionGroup`` node; ``HAS_TOOL``, not an
attack step, when every function requires user confirmation): a Lambda executor
(the group ``INVOKES`` the function, which runs as its role), return of control to the calling
application, or the built-in ``AMAZON.UserInput`` / ``AMAZON.CodeInterpreter`` actions. Human
approval is what the function schema says (``requireConfirmation``). Collaborators are
``CALLS_AGENT``; knowledge bases are ``GROUNDED_ON`` and ground on their data sources (S3
bucket and prefixes; web crawler seeds are kept as ``web_seeds``, content anyone who controls
those sites can write). The agent's and knowledge base's service roles are ``HAS_SERVICE_ROLE``
(structure: the service holds them, not the caller). The agent's instructions are kept as a
hash only.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from aispm_graph.transforms.aws.builder import AwsBuilder
from aispm_graph.transforms.registry import service

BUILTIN = {"AMAZON.UserInput": "user-input", "AMAZON.CodeInterpreter": "code-interpreter"}
MODEL_KINDS = ("BedrockCustomModel", "BedrockProvisionedThroughput", "BedrockFoundationModel")


def text_hash(text: Any) -> str | None:
    return hashlib.sha256(text.encode("utf-8")).hexdigest() if isinstance(text, str) else None


@service(
    "aws",
    "bedrock-agent",
    reads=[
        ("bedrock-agent", "get_agent"),
        ("bedrock-agent", "list_agent_aliases"),
        ("bedrock-agent", "get_agent_action_group"),
        ("bedrock-agent", "list_agent_collaborators"),
        ("bedrock-agent", "get_knowledge_base"),
        ("bedrock-agent", "list_agent_knowledge_bases"),
        ("bedrock-agent", "get_data_source"),
    ],
    order=130,
)
def bedrock_agent(b: AwsBuilder) -> None:
    """After Bedrock (guardrails, models), Lambda (tools) and OpenSearch Serverless (vectors)."""
    agents = _agents(b)
    _aliases(b, agents)
    for body in b.responses("bedrock-agent", "get_agent_action_group"):
        ag = body["response"].get("agentActionGroup") or {}
        with b.guard("get_agent_action_group", ag):
            agent = agents.get(ag.get("agentId", body["params"].get("agentId", "")))
            if agent:
                _action_group(b, agent, ag, body["region"])
    _collaborators(b, agents)
    kbs = _knowledge_bases(b)
    for body, i, s in b.items(
        "bedrock-agent", "list_agent_knowledge_bases", "agentKnowledgeBaseSummaries"
    ):
        with b.guard("list_agent_knowledge_bases", s, index=i):
            agent = agents.get(str(body["params"].get("agentId", "")))
            kb_arn = kbs.get(s.get("knowledgeBaseId", ""))
            if agent and kb_arn and s.get("knowledgeBaseState", "ENABLED") != "DISABLED":
                b.edge(agent, kb_arn, "GROUNDED_ON", mechanism="agent knowledge base")
    for body in b.responses("bedrock-agent", "get_data_source"):
        ds = body["response"].get("dataSource") or {}
        with b.guard("get_data_source", ds):
            _data_source(b, ds, body["params"], kbs)


def _agents(b: AwsBuilder) -> dict[str, str]:
    guardrails = {
        str(d.get("guardrail_id")): n
        for n, d in b.graph.nodes("BedrockGuardrail")
        if isinstance(d.get("guardrail_id"), str)
    }
    models: dict[str, str] = {}
    for kind in MODEL_KINDS:
        for nid, d in b.graph.nodes(kind):
            models[nid] = nid
            if d.get("model_name"):
                models.setdefault(str(d["model_name"]), nid)
    agents: dict[str, str] = {}
    for body in b.responses("bedrock-agent", "get_agent"):
        a = body["response"].get("agent") or {}
        with b.guard("get_agent", a):
            arn = a.get("agentArn")
            if not arn:
                continue
            agents[a.get("agentId", "")] = arn
            g = a.get("guardrailConfiguration") or {}
            gid = g.get("guardrailIdentifier")
            memory = a.get("memoryConfiguration") or {}
            role = a.get("agentResourceRoleArn")
            b.node(
                arn,
                "BedrockAgent",
                a.get("agentName", ""),
                body["region"],
                model_name=a.get("foundationModel"),
                guardrail=gid,
                guardrail_version=g.get("guardrailVersion"),
                role=role,
                agent_id=a.get("agentId"),
                instruction_hash=text_hash(a.get("instruction")),
                memory_enabled=bool(memory.get("enabledMemoryTypes")) or None,
                collaboration=a.get("agentCollaboration"),
                kms_key=a.get("customerEncryptionKeyArn"),
            )
            if gid:
                b.edge(arn, guardrails.get(gid) or gid, "USES_GUARDRAIL")
            if isinstance(role, str) and b.graph.has_node(role):
                b.edge(arn, role, "HAS_SERVICE_ROLE", mechanism="agent service role")
            model = models.get(str(a.get("foundationModel") or ""))
            if model:
                b.edge(arn, model, "USES_MODEL", model=a.get("foundationModel"))
    return agents


def _aliases(b: AwsBuilder, agents: dict[str, str]) -> None:
    names: dict[str, set[str]] = {}
    for body, i, alias in b.items("bedrock-agent", "list_agent_aliases", "agentAliasSummaries"):
        with b.guard("list_agent_aliases", alias, index=i):
            agent = agents.get(str(body["params"].get("agentId", "")))
            if agent and isinstance(alias, dict):
                name = alias.get("agentAliasName") or alias.get("agentAliasId")
                names.setdefault(agent, set()).add(str(name))
    for agent, found in names.items():
        b.graph.set_prop(agent, "aliases", sorted(found))


def _approval(ag: dict[str, Any]) -> str:
    """Human confirmation: every function of a function schema requires it, or not."""
    functions = (ag.get("functionSchema") or {}).get("functions") or []
    if functions:
        confirmed = [f.get("requireConfirmation") == "ENABLED" for f in functions]
        return "always" if all(confirmed) else "never"
    payload = (ag.get("apiSchema") or {}).get("payload")
    if isinstance(payload, str) and "x-requireConfirmation" in payload:
        return "unknown"  # per operation in the OpenAPI text; not decided here
    return "never"


def _functions(ag: dict[str, Any]) -> list[str]:
    functions = (ag.get("functionSchema") or {}).get("functions") or []
    if functions:
        return sorted(str(f.get("name")) for f in functions if isinstance(f, dict))
    payload = (ag.get("apiSchema") or {}).get("payload")
    if isinstance(payload, str):
        try:
            spec = json.loads(payload)
        except ValueError:
            return []  # YAML schemas: the operations are not listed
        paths = spec.get("paths") if isinstance(spec, dict) else None
        if isinstance(paths, dict):
            return sorted(
                f"{m.upper()} {p}"
                for p, ops in paths.items()
                if isinstance(ops, dict)
                for m in ops
                if m.lower() in {"get", "post", "put", "patch", "delete"}
            )
    return []


def _action_group(b: AwsBuilder, agent: str, ag: dict[str, Any], region: str) -> None:
    if ag.get("actionGroupState") == "DISABLED":
        return
    executor = ag.get("actionGroupExecutor") or {}
    fn = executor.get("lambda")
    signature = ag.get("parentActionGroupSignature")
    if signature in BUILTIN:
        tool_type = BUILTIN[signature]
    elif executor.get("customControl") == "RETURN_CONTROL":
        tool_type = "return-of-control"
    elif fn:
        tool_type = "lambda"
    else:
        tool_type = "unknown"
    approval = "always" if tool_type == "user-input" else _approval(ag)
    schema_type = "function" if ag.get("functionSchema") else "api" if ag.get("apiSchema") else None
    tid = f"{agent}/action-group/{ag.get('actionGroupId') or ag.get('actionGroupName')}"
    b.node(
        tid,
        "BedrockActionGroup",
        str(ag.get("actionGroupName") or signature or tid),
        region,
        tool_type=tool_type,
        schema_type=schema_type,
        functions=_functions(ag) or None,
        lambda_arn=fn,
        state=ag.get("actionGroupState"),
        approval=approval,
        acting=tool_type in {"lambda", "code-interpreter"},
    )
    b.edge(
        agent,
        tid,
        # A person confirms every call: injected input alone cannot run the tool.
        "HAS_TOOL" if approval == "always" else "USES_TOOL",
        mechanism="agent action group",
        tool_type=tool_type,
        approval=approval,
        fix=f"Remove action group {ag.get('actionGroupName')} from the agent, or require user "
        "confirmation (requireConfirmation ENABLED) on its functions",
    )
    if fn:
        if not b.graph.has_node(fn):
            b.warn(
                f"Lambda {fn} was not collected",
                record=f"action group {ag.get('actionGroupName')}",
            )
            return
        b.edge(
            tid,
            fn,
            "INVOKES",
            mechanism="agent action group Lambda executor",
            action_group=ag.get("actionGroupName"),
            fix=f"Validate the agent's input in {b.graph.node(fn)['name']} and scope its role down",
        )
        b.graph.set_prop(fn, "agent_action_group", True)


def _collaborators(b: AwsBuilder, agents: dict[str, str]) -> None:
    for body, i, c in b.items(
        "bedrock-agent", "list_agent_collaborators", "agentCollaboratorSummaries"
    ):
        with b.guard("list_agent_collaborators", c, index=i):
            supervisor = agents.get(str(body["params"].get("agentId", "")))
            alias = str((c.get("agentDescriptor") or {}).get("aliasArn") or "")
            # arn:aws:bedrock:region:account:agent-alias/AGENTID/ALIASID
            parts = alias.split(":", 5)
            rest = parts[5] if len(parts) == 6 else ""
            if not supervisor or not rest.startswith("agent-alias/"):
                continue
            agent_id = rest.split("/")[1]
            target = f"{':'.join(parts[:5])}:agent/{agent_id}"
            b.edge(
                supervisor,
                target,
                "CALLS_AGENT",
                mechanism="multi-agent collaborator",
                collaborator=c.get("collaboratorName"),
                alias=alias,
                relay_history=c.get("relayConversationHistory"),
                fix=f"Remove collaborator {c.get('collaboratorName')} from the supervisor",
            )


def _knowledge_bases(b: AwsBuilder) -> dict[str, str]:
    """Knowledge base id -> ARN, making the nodes and marking their vector stores."""
    kbs: dict[str, str] = {}
    for body in b.responses("bedrock-agent", "get_knowledge_base"):
        kb = body["response"].get("knowledgeBase") or {}
        with b.guard("get_knowledge_base", kb):
            arn = kb.get("knowledgeBaseArn")
            if not arn:
                continue
            kbs[kb.get("knowledgeBaseId", "")] = arn
            storage = kb.get("storageConfiguration") or {}
            coll = (storage.get("opensearchServerlessConfiguration") or {}).get("collectionArn")
            role = kb.get("roleArn")
            b.node(
                arn,
                "BedrockKnowledgeBase",
                kb.get("name", ""),
                body["region"],
                role=role,
                vector_store=storage.get("type"),
                vector_collection=coll,
            )
            if coll and b.graph.has_node(coll):
                b.graph.set_prop(coll, "data_role", ["grounding"])
                b.edge(arn, coll, "GROUNDED_ON", mechanism="vector store")
            if isinstance(role, str) and b.graph.has_node(role):
                b.edge(arn, role, "HAS_SERVICE_ROLE", mechanism="knowledge base service role")
    return kbs


def _data_source(
    b: AwsBuilder, ds: dict[str, Any], params: dict[str, Any], kbs: dict[str, str]
) -> None:
    kb_arn = kbs.get(ds.get("knowledgeBaseId", params.get("knowledgeBaseId", "")))
    if not kb_arn:
        return
    config = ds.get("dataSourceConfiguration") or {}
    kind = str(config.get("type") or "")
    if kind == "WEB":
        seeds = (
            ((config.get("webConfiguration") or {}).get("sourceConfiguration") or {}).get(
                "urlConfiguration"
            )
            or {}
        ).get("seedUrls") or []
        urls = sorted(str(s.get("url")) for s in seeds if isinstance(s, dict) and s.get("url"))
        seeds = b.graph.node(kb_arn).get("web_seeds") or []
        b.graph.set_prop(kb_arn, "web_seeds", sorted(set(seeds) | set(urls)))
        return
    if kind and kind != "S3":
        held = b.graph.node(kb_arn).get("connectors") or []
        b.graph.set_prop(kb_arn, "connectors", sorted(set(held) | {kind.lower()}))
        return
    cfg = config.get("s3Configuration") or {}
    bucket_arn = cfg.get("bucketArn", "")
    if not bucket_arn.startswith("arn:aws:s3:::"):
        return
    prefixes = cfg.get("inclusionPrefixes") or [""]
    name = bucket_arn.removeprefix("arn:aws:s3:::")
    for prefix in prefixes:
        bucket = b.bucket(name, "grounding", prefix)
    b.edge(
        kb_arn,
        bucket,
        "GROUNDED_ON",
        mechanism="knowledge base S3 data source",
        data_source=ds.get("name"),
        prefixes=prefixes,
    )
