"""Foundry agents grounded on web search: the internet writes what they read.

An agent with a Bing grounding tool puts search results in front of the model. Anyone can
publish a page a search returns, so the internet gets ``PROMPT_INJECTION`` to the agent, as it
does to a knowledge base whose web crawler seeds are public sites (``agents-injection``).
Always ``inferred``: the page must rank, and the model may resist the injected text. The risk
indicators (context phase) then weigh it against the agent's acting tools.
"""

from __future__ import annotations

from aispm_graph.build import BuildContext, deriver
from aispm_graph.graph.model import Confidence, Graph
from aispm_graph.schema import INTERNET_ID

WEB_TOOL_TYPES = {"bing-grounding"}


def web_injection(graph: Graph) -> int:
    added = 0
    if not graph.has_node(INTERNET_ID):
        return 0
    for tool, data in list(graph.nodes("AzureAIFoundryTool")):
        if data.get("tool_type") not in WEB_TOOL_TYPES:
            continue
        for agent, _t, edata in list(graph.in_edges(tool)):
            if edata["kind"] not in {"USES_TOOL", "HAS_TOOL"}:
                continue
            agent_name = graph.node(agent)["name"]
            graph.add_edge(
                INTERNET_ID,
                agent,
                "PROMPT_INJECTION",
                {
                    "content": tool,
                    "content_kind": f"web search results ({data['name']})",
                    "via": f"{agent_name} -> {data['name']}",
                    "permission": "publish a web page the search returns",
                    "grant": f"Bing grounding connection {data.get('connection') or '(unnamed)'}",
                    "fix": f"Treat what {agent_name} reads from the web as untrusted: an "
                    "indirect-attack prompt shield on its deployment's content filter, and "
                    "approval before its acting tools run; or remove web grounding",
                },
                Confidence.INFERRED,
            )
            added += 1
    return added


@deriver("access", "azure-agents-web")
def derive_azure_agents_web(graph: Graph, ctx: BuildContext) -> None:
    added = web_injection(graph)
    if added:
        ctx.stats["azure.agent_web_injection_edges"] += added
