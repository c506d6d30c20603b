"""GCP agents as intermediate nodes: what a Vertex AI Agent Engine agent runs as.

An Agent Engine (reasoning engine) runs its code as the service account set in
``spec.serviceAccount``; without one it runs as the Vertex AI Reasoning Engine Service Agent,
a Google-managed identity (``default_identity``) that is not part of the customer's graph.
Whoever drives the agent steers code that holds the account's credentials, so the agent
``RUNS_AS`` the account; the hop is ``inferred`` because what the agent does with it depends on
the tools in its code, which no API lists.

Cloud Run services that serve MCP are marked (``serves_mcp``, ``mcp_public``) for the checks;
one open to ``allUsers`` is already an internet entry point of the GCP IAM pass.
"""

from __future__ import annotations

import re
from typing import Any

from aispm_graph.build import BuildContext, deriver
from aispm_graph.graph.model import Confidence, Graph
from aispm_graph.knowledge.gcp.names import sa_id
from aispm_graph.knowledge.gcp.roles import RoleSpec, custom_role, predefined_roles
from aispm_graph.schema import INTERNET_ID


def reasoning_engine_identities(graph: Graph) -> int:
    added = 0
    for nid, data in list(graph.nodes("VertexAIReasoningEngine")):
        email = data.get("service_account")
        if not isinstance(email, str) or not email:
            graph.set_prop(nid, "default_identity", True)
            continue
        graph.set_prop(nid, "default_identity", False)
        target = sa_id(email)
        if not graph.has_node(target):
            graph.add_node(target, "GCPServiceAccount", email, email=email, collected=False)
        graph.add_edge(
            nid,
            target,
            "RUNS_AS",
            {
                "mechanism": "Agent Engine spec.serviceAccount: the agent's code runs as it",
                "service_account": email,
                "fix": f"Give agent {data['name']} a service account with only what its tools "
                f"need instead of {email}",
            },
            Confidence.INFERRED,
        )
        added += 1
    return added


@deriver("facts", "gcp-agents")
def derive_gcp_agents(graph: Graph, ctx: BuildContext) -> None:
    added = reasoning_engine_identities(graph)
    if added:
        ctx.stats["gcp.agent_identities"] += added


MCP_HINT = re.compile(r"(?i)(?:^|[^a-z])mcp(?:[^a-z]|$)")


def cloud_run_mcp(graph: Graph) -> int:
    """Mark Cloud Run services that serve MCP, and say whether anyone may call them.

    Cloud Run has no "this is an MCP server" field; the service's name, images, labels and
    environment variable names are what deployments of MCP servers carry (``mcp-server``
    images, ``MCP_*`` settings). Unauthenticated access is the ``PUBLIC_ACCESS`` edge the GCP
    IAM pass made from an ``allUsers`` invoker binding with ingress ``all``.
    """
    marked = 0
    for nid, data in graph.nodes("GCPCloudRunService"):
        hints = [str(data.get("name") or "")]
        hints += [str(i) for i in data.get("images") or []]
        hints += [f"{k}={v}" for k, v in (data.get("tags") or {}).items()]
        hints += [str(e) for e in data.get("env_var_names") or []]
        evidence = [h for h in hints if MCP_HINT.search(h)]
        if not evidence:
            continue
        graph.update_props(
            nid,
            serves_mcp=True,
            mcp_evidence=evidence[:5],
            mcp_public=any(
                s == INTERNET_ID and e["kind"] in {"PUBLIC_ACCESS", "INTERNET_EXPOSED"}
                for s, _t, e in graph.in_edges(nid)
            ),
        )
        marked += 1
    return marked


@deriver("access", "gcp-cloud-run-mcp")
def derive_cloud_run_mcp(graph: Graph, ctx: BuildContext) -> None:
    marked = cloud_run_mcp(graph)
    if marked:
        ctx.stats["gcp.cloud_run_mcp"] += marked


# -- Dialogflow CX webhooks to services of the estate --------------------------------------------

INVOKE_PERMISSIONS = ("run.routes.invoke", "cloudfunctions.functions.invoke")


def _roles(graph: Graph) -> dict[str, RoleSpec]:
    """The predefined role table and the collected custom roles (the IAM pass's sources)."""
    roles = dict(predefined_roles())
    for _nid, data in graph.nodes():
        for name, perms in (data.get("custom_roles") or {}).items():
            roles[name] = custom_role(name, list(perms))
    return roles


def _invoker_grants(
    graph: Graph, roles: dict[str, RoleSpec], target: str, email: str
) -> list[tuple[str, str, str, str]]:
    """(role, scope name, condition, permission) of each binding that lets ``email`` call
    ``target``, from the collected IAM policies of the service and its ancestors."""
    member = f"serviceAccount:{email}"
    found: list[tuple[str, str, str, str]] = []
    tdata = graph.node(target)
    for scope in [target, *(tdata.get("ancestors") or [])]:
        if not graph.has_node(scope):
            continue
        sdata = graph.node(scope)
        for binding in sdata.get("iam_bindings") or []:
            if member not in (binding.get("members") or []):
                continue
            spec = roles.get(str(binding.get("role")))
            held = [p for p in INVOKE_PERMISSIONS if spec and p in spec.permissions]
            if not held:
                continue
            cond = binding.get("condition") or {}
            found.append(
                (
                    str(binding["role"]),
                    str(sdata["name"]),
                    str(cond.get("title") or cond.get("expression") or ""),
                    held[0],
                )
            )
    return found


def _public(graph: Graph, node: str) -> str:
    """The grant that opens a service to anyone, '' when it is not open."""
    for s, _t, e in graph.in_edges(node):
        if s == INTERNET_ID and e["kind"] in {"PUBLIC_ACCESS", "INTERNET_EXPOSED"}:
            return str((e.get("evidence") or {}).get("grant") or e["kind"])
    return ""


def webhook_calls(graph: Graph) -> int:
    """``INVOKES`` from each Dialogflow webhook to the estate service its URI names, where the
    call gets through; otherwise the webhook says why it is refused (``unreachable_reason``).

    A Cloud Run service or Cloud Function checks IAM on every call unless it admits anyone
    (``allUsers`` invoker, invoker check disabled): only a Google-signed ID token of a
    principal with ``run.routes.invoke`` (``cloudfunctions.functions.invoke``) passes. The
    webhook's token is the Dialogflow service agent's, so the agent's grants decide. OAuth,
    API-key and basic credentials are not Google ID tokens and are refused, and a service
    whose ingress is not ``all`` does not take a generic web service call (Service Directory is
    Dialogflow's private route).
    """
    added = 0
    hooks = list(graph.nodes("DialogflowCXWebhook"))
    roles = _roles(graph) if hooks else {}
    for nid, data in hooks:
        target = data.get("target_service")
        if not isinstance(target, str) or not graph.has_node(target) or data.get("disabled"):
            continue
        tdata = graph.node(target)
        tname, name = tdata["name"], data["name"]
        evidence: dict[str, Any] = {"mechanism": f"webhook URI {data.get('uri')}"}
        confidence = Confidence.CONFIRMED
        opened = _public(graph, target)
        if tdata.get("ingress_all") is False:
            graph.set_prop(
                nid,
                "unreachable_reason",
                f"{tname} takes internal traffic only (ingress {tdata.get('ingress')}); a generic "
                "web service webhook is not internal",
            )
            continue
        if opened:
            evidence["grant"] = f"{tname} admits unauthenticated calls ({opened})"
        elif data.get("auth") != "service-agent-id-token":
            graph.set_prop(
                nid,
                "unreachable_reason",
                f"{tname} requires a Google-signed ID token and the webhook sends "
                f"{data.get('auth')} credentials",
            )
            continue
        else:
            email = _service_agent(graph, nid)
            grants = _invoker_grants(graph, roles, target, email) if email else []
            if not email:
                confidence = Confidence.CONDITIONAL
                evidence["condition"] = (
                    "the project number is unknown, so the Dialogflow service agent's invoker "
                    "grant could not be checked"
                )
            elif not grants:
                graph.set_prop(
                    nid,
                    "unreachable_reason",
                    f"the Dialogflow service agent {email} holds no invoker role on {tname}: "
                    "the call is refused",
                )
                continue
            else:
                role, scope, cond, perm = grants[0]
                evidence["grant"] = f"{role} for serviceAccount:{email} on {scope}"
                evidence["permission"] = perm
                if all(g[2] for g in grants):
                    confidence = Confidence.CONDITIONAL
                    evidence["condition"] = cond
            graph.set_prop(nid, "service_agent", email or None)
        evidence["fix"] = (
            f"Validate the input of {tname} (it receives whatever the agent's users type) and "
            f"give it a least-privilege identity, or detach webhook {name}"
        )
        graph.add_edge(nid, target, "INVOKES", evidence, confidence)
        added += 1
    return added


def _service_agent(graph: Graph, webhook: str) -> str:
    """``service-NUMBER@gcp-sa-dialogflow...`` of the webhook's project, '' when unknown."""
    data = graph.node(webhook)
    if data.get("service_agent"):
        return str(data["service_agent"])
    m = re.search(r"/projects/(\d+)/", webhook)
    if m:
        return f"service-{m.group(1)}@gcp-sa-dialogflow.iam.gserviceaccount.com"
    project = f"//cloudresourcemanager.googleapis.com/projects/{data.get('tenant')}"
    number = graph.node(project).get("project_number") if graph.has_node(project) else None
    return f"service-{number}@gcp-sa-dialogflow.iam.gserviceaccount.com" if number else ""


@deriver("access", "gcp-dialogflow-webhooks")
def derive_dialogflow_webhooks(graph: Graph, ctx: BuildContext) -> None:
    added = webhook_calls(graph)
    if added:
        ctx.stats["gcp.dialogflow_webhook_calls"] += added
    taken = webhook_editor_takeover(graph)
    if taken:
        ctx.stats["gcp.dialogflow_service_agent_takeovers"] += taken


# -- webhook editors take the Dialogflow service agent's token -----------------------------------

WEBHOOK_EDIT = frozenset({"dialogflow.webhooks.update", "dialogflow.webhooks.create"})


def _agent_service_agent(graph: Graph, agent: str) -> str:
    """``service-NUMBER@gcp-sa-dialogflow...`` of the agent's project, '' when unknown."""
    m = re.search(r"/projects/(\d+)/", agent)
    number = m.group(1) if m else None
    if number is None:
        project = (
            f"//cloudresourcemanager.googleapis.com/projects/{graph.node(agent).get('tenant')}"
        )
        number = graph.node(project).get("project_number") if graph.has_node(project) else None
    return f"service-{number}@gcp-sa-dialogflow.iam.gserviceaccount.com" if number else ""


def webhook_editor_takeover(graph: Graph) -> int:
    """``CAN_ASSUME`` from whoever may create or edit an agent's webhooks to the project's
    Dialogflow service agent.

    Google's own caution on the Dialogflow roles: a webhook can be set to authenticate with a
    token of the service agent, so its editor points a webhook at an endpoint it controls with
    ``serviceAgentAuth: ACCESS_TOKEN`` and receives that token on the next call. Only where the
    service agent is in the graph (a collected IAM policy or a webhook names it); what it may
    do then comes from its own bindings.
    """
    added = 0
    for src, agent, edata in list(graph.edges("CAN_MANAGE")):
        if graph.node(agent)["kind"] != "DialogflowCXAgent":
            continue
        ev = edata.get("evidence") or {}
        if ev.get("permission") not in WEBHOOK_EDIT:
            continue
        email = _agent_service_agent(graph, agent)
        target = sa_id(email) if email else ""
        if not target or not graph.has_node(target) or target == src:
            continue
        graph.add_edge(
            src,
            target,
            "CAN_ASSUME",
            {
                "permission": ev.get("permission"),
                "grant": ev.get("grant"),
                "technique": f"edit a webhook of {graph.node(agent)['name']} to call an endpoint "
                "you control with service agent ACCESS_TOKEN auth: the next call carries "
                f"an access token of {email}",
                "fix": f"Grant {ev.get('permission')} on {graph.node(agent)['name']} only to "
                f"people who may act as {email}, and remove the roles {email} does not need",
            },
            str(edata.get("confidence") or Confidence.CONFIRMED),
        )
        added += 1
    return added
