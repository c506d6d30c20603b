"""GCP agents as intermediate nodes: what a Vertex AI Agent Engine agent runs as.

An Agent Engine (reasoning engine) runs its code as the service account set in
``spec.serviceAccount``; without one it runs as the Vertex AI Reasoning Engine Service Agent,
a Google-managed identity (``default_identity``) that is not part of the customer's graph.
Whoever drives the agent steers code that holds the account's credentials, so the agent
``RUNS_AS`` the account; the hop is ``inferred`` because what the agent does with it depends on
the tools in its code, which no API lists.
"""

from __future__ import annotations

from aispm_graph.build import BuildContext, deriver
from aispm_graph.graph.model import Confidence, Graph
from aispm_graph.providers.gcp.names import sa_id


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


@deriver(4, "gcp-agents")
def derive_gcp_agents(graph: Graph, ctx: BuildContext) -> None:
    added = reasoning_engine_identities(graph)
    if added:
        ctx.stats["gcp.agent_identities"] += added
