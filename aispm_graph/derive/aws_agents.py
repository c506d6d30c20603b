"""Who reaches AWS agents: AgentCore gateways, runtimes, code interpreters and memories.

Entry points follow each service's documented authentication, not the absence of a setting:

* a gateway with ``authorizerType`` ``NONE`` accepts MCP calls from anyone (``PUBLIC_ACCESS``);
  ``AWS_IAM`` gateways are reached by the identities allowed ``bedrock-agentcore:InvokeGateway``;
  ``CUSTOM_JWT`` gateways by holders of tokens from their identity provider (the transform's
  ``ExternalIdentityProvider`` node; the audiences and clients are in its edge's evidence);
* a runtime authenticates callers with SigV4 unless a JWT authorizer is configured; its
  resource policy may admit other accounts or anyone (``Principal: *``: any AWS principal),
  and identities allowed ``bedrock-agentcore:InvokeAgentRuntime`` ``CAN_INVOKE`` it;
* identities allowed to start and invoke code-interpreter sessions ``CAN_RUN_CODE`` in an
  interpreter, whose code runs as the interpreter's execution role (invoking a session that
  already exists is enough to take it over); the "pass a privileged role to a new code
  interpreter" escalation is an ``iam:PassRole`` technique of :mod:`.aws_access`;
* identities allowed ``bedrock-agentcore:CreateEvent`` or ``BatchCreateMemoryRecords``
  ``CAN_WRITE`` a memory (the agents-injection pass turns that into ``PROMPT_INJECTION`` into
  every runtime that ``USES_MEMORY`` it, ``inferred``); identities allowed to read it
  (``RetrieveMemoryRecords``, ``ListMemoryRecords``, ``GetMemoryRecord``, ``ListEvents``)
  ``CAN_READ`` it: what users told the agent is data exposure.

Custom JWT authorizers are modelled by the transform: the issuer is an
``ExternalIdentityProvider`` that ``CAN_INVOKE`` the runtime or gateway.
"""

from __future__ import annotations

import json

from aispm_graph.build import BuildContext, deriver
from aispm_graph.derive.aws_access import _evidence, _fix_remove, _resource_policy, principals
from aispm_graph.graph.model import Confidence, Graph
from aispm_graph.knowledge.aws.iam import Decision, Resource, Tri, evaluate, public_grants
from aispm_graph.schema import INTERNET_ID

AGENTCORE_KINDS = (
    "BedrockAgentCoreGateway",
    "BedrockAgentCoreRuntime",
    "BedrockAgentCoreCodeInterpreter",
    "BedrockAgentCoreMemory",
)
# (node kind, edge kind, actions that must all be allowed, what, technique)
RULES: tuple[tuple[str, str, tuple[str, ...], str, str], ...] = (
    (
        "BedrockAgentCoreRuntime",
        "CAN_INVOKE",
        ("bedrock-agentcore:InvokeAgentRuntime",),
        "agent runtime",
        "invoke the agent runtime with chosen input",
    ),
    (
        "BedrockAgentCoreGateway",
        "CAN_INVOKE",
        ("bedrock-agentcore:InvokeGateway",),
        "gateway",
        "call the gateway's MCP tools directly",
    ),
    (
        "BedrockAgentCoreCodeInterpreter",
        "CAN_RUN_CODE",
        (
            "bedrock-agentcore:StartCodeInterpreterSession",
            "bedrock-agentcore:InvokeCodeInterpreter",
        ),
        "code interpreter",
        "start a session in the code interpreter and run code as its execution role",
    ),
    (
        "BedrockAgentCoreCodeInterpreter",
        "CAN_RUN_CODE",
        ("bedrock-agentcore:InvokeCodeInterpreter",),
        "code interpreter",
        "take over an existing session of the code interpreter (InvokeCodeInterpreter on its "
        "session id) and run code as its execution role",
    ),
    (
        "BedrockAgentCoreMemory",
        "CAN_WRITE",
        ("bedrock-agentcore:CreateEvent",),
        "agent memory",
        "write events into the agent memory that agents read back as context",
    ),
    (
        "BedrockAgentCoreMemory",
        "CAN_WRITE",
        ("bedrock-agentcore:BatchCreateMemoryRecords",),
        "agent memory",
        "write long-term memory records that agents retrieve as context",
    ),
    *(
        (
            "BedrockAgentCoreMemory",
            "CAN_READ",
            (action,),
            "agent memory",
            f"{action.split(':')[1]}: read what users and tools told the agents",
        )
        for action in (
            "bedrock-agentcore:RetrieveMemoryRecords",
            "bedrock-agentcore:ListMemoryRecords",
            "bedrock-agentcore:GetMemoryRecord",
            "bedrock-agentcore:ListEvents",
        )
    ),
)


def _public(graph: Graph, ctx: BuildContext) -> None:
    for gid, data in list(graph.nodes("BedrockAgentCoreGateway")):
        if str(data.get("authorizer_type") or "").upper() == "NONE":
            graph.add_edge(
                INTERNET_ID,
                gid,
                "PUBLIC_ACCESS",
                {
                    "grant": "gateway authorizerType NONE: its MCP endpoint takes calls with no "
                    "authentication",
                    "access": "invoke",
                    "url": data.get("gateway_url"),
                    "exposure_width": "any",
                    "fix": f"Recreate gateway {data['name']} with authorizerType AWS_IAM or "
                    "CUSTOM_JWT (allowed audiences or clients set)",
                },
                Confidence.CONFIRMED,
            )
    for rid, data in list(graph.nodes("BedrockAgentCoreRuntime")):
        if data.get("inbound_auth") == "jwt":
            continue  # callers present tokens of the configured identity provider
        stmts = _resource_policy(graph, ctx, rid)
        t, sts = public_grants(stmts, ("bedrock-agentcore:InvokeAgentRuntime",), Resource(rid))
        if t is Tri.NO:
            continue
        graph.add_edge(
            INTERNET_ID,
            rid,
            "PUBLIC_ACCESS",
            {
                "grant": f"resource policy {sts[0].label} allows Principal * "
                "bedrock-agentcore:InvokeAgentRuntime (any AWS principal, any account)",
                "access": "invoke",
                "statement": json.dumps(sts[0].as_json(), sort_keys=True),
                "exposure_width": "any",
                "fix": f"Remove statement {sts[0].sid or sts[0].index} (Principal *) from the "
                f"resource policy of runtime {data['name']}",
            },
            Confidence.CONFIRMED if t is Tri.YES else Confidence.CONDITIONAL,
        )


def _access(graph: Graph, ctx: BuildContext) -> None:
    people = principals(graph, ctx)
    for kind, edge, actions, what, technique in RULES:
        for nid, data in list(graph.nodes(kind)):
            if kind == "BedrockAgentCoreGateway" and data.get("authorizer_type") != "AWS_IAM":
                continue
            if kind == "BedrockAgentCoreRuntime" and data.get("inbound_auth") == "jwt":
                continue
            rp = _resource_policy(graph, ctx, nid)
            tenant = str(data.get("tenant") or "")
            for pid, p in people.items():
                if tenant and tenant != p.account and not rp:
                    continue
                if graph.node(pid).get("admin"):
                    continue  # an administrator reaches it through the account already
                worst = Tri.YES
                first: Decision | None = None
                for action in actions:
                    d = evaluate(
                        p, action, Resource(nid), resource_policy=rp, resource_account=tenant
                    )
                    if not d.ok:
                        first = None
                        break
                    worst = min(worst, d.allowed)
                    first = first or d
                if first is None:
                    continue
                if graph.edge(pid, nid, edge) is not None:
                    continue  # a stronger rule (start + invoke) already said it
                perm = " + ".join(actions)
                d = Decision(worst, grants=first.grants, denies=first.denies)
                ev = _evidence(
                    d,
                    perm,
                    _fix_remove(d, perm, str(graph.node(pid)["name"]), f"{what} {data['name']}"),
                    technique=technique,
                )
                graph.add_edge(
                    pid,
                    nid,
                    edge,
                    ev,
                    Confidence.CONDITIONAL if d.conditional else Confidence.CONFIRMED,
                )


@deriver("access", "aws-agents")
def derive_aws_agents(graph: Graph, ctx: BuildContext) -> None:
    if not any(True for k in AGENTCORE_KINDS for _ in graph.nodes(k)):
        return
    graph.ensure_internet()
    _public(graph, ctx)
    _access(graph, ctx)
