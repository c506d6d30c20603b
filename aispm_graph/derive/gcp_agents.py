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

from aispm_graph.build import BuildContext, deriver
from aispm_graph.graph.model import Confidence, Graph
from aispm_graph.knowledge.gcp.names import sa_id
from aispm_graph.schema import INTERNET_ID


def reasoning_engine_identities(graph: Graph) -> int:
    added = 0
    for nid, data in list(graph.nodes("VertexAIReasoningEngine")):
        email = data.get("service_account")
        if not isinstance(email, str) or not email:
            data["default_identity"] = True
            continue
        data["default_identity"] = False
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
