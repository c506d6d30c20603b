"""Provider-neutral agent passes: prompt injection through content, and risk indicators.

Runs after the provider IAM passes, so the ``CAN_WRITE`` / ``PUBLIC_ACCESS`` edges that say who
can write a data store already exist.

* ``agents-injection``: content an agent reads (a knowledge base and its data sources, a
  grounding index, its memory, a crawled web site) is input to the model. Whoever can write
  that content gets ``PROMPT_INJECTION`` to the agent, always ``inferred`` (a model may resist
  the injected text), with the content, the chain it is read through and the write grant.
* ``agents-indicators``: per agent (and gateway) the indicators security teams ask about, each
  with the evidence that triggers it, stored as ``agent_indicators`` (names) and
  ``agent_indicator_evidence`` (name -> sentences): indirect prompt-injection exposure, data
  exfiltration exposure, high autonomy, no authentication, cross-tenant reach, privileged
  identity. Evidence only: an indicator never fires on a fact the collectors did not report.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from typing import Any

from aispm_graph.build import BuildContext, deriver
from aispm_graph.graph.model import Confidence, Graph
from aispm_graph.schema import INTERNET_ID, Label, node_kinds

CONTENT_LABELS = {Label.DATA_STORE, Label.VECTOR_STORE, Label.KNOWLEDGE_BASE, Label.AGENT_MEMORY}
READ_EDGES = ("GROUNDED_ON", "USES_MEMORY")
# Tool types that only read (retrieval) or hand the action back to a person or the caller.
NON_ACTING_TYPES = {
    "file-search",
    "ai-search",
    "bing-grounding",
    "user-input",
    "return-of-control",
    "knowledge-base",
}
SENDING_TYPES = {"openapi", "mcp", "mcp-server", "webhook", "smithy", "browser"}
# Edges along which "what the agent acts as" is followed for privilege and reach.
ACT_EDGES = {"USES_TOOL", "INVOKES", "RUNS_AS", "HAS_IDENTITY", "PROVIDES_TOOL", "CALLS_AGENT"}
# ... plus what those identities read and write, and the service role the agent itself uses.
REACH_EDGES = ACT_EDGES | {"HAS_SERVICE_ROLE", "CAN_READ", "CAN_WRITE", "GROUNDED_ON"}
INDICATOR_ORDER = (
    "prompt-injection",
    "data-exfiltration",
    "high-autonomy",
    "no-authentication",
    "cross-tenant",
    "privileged-identity",
)
# How people read them (aispm show, the reports).
INDICATOR_TITLES = {
    "prompt-injection": "indirect prompt-injection exposure",
    "data-exfiltration": "data exfiltration exposure",
    "high-autonomy": "high autonomy (acting tools without approval)",
    "no-authentication": "no authentication",
    "cross-tenant": "cross-tenant reach",
    "privileged-identity": "privileged identity",
}


def _labels(graph: Graph, node_id: str) -> set[Label]:
    return set(node_kinds()[graph.node(node_id)["kind"]].labels)


def _agents(graph: Graph) -> list[str]:
    return sorted(n for n, d in graph.nodes() if Label.AI_AGENT in node_kinds()[d["kind"]].labels)


def _out(graph: Graph, node_id: str, kinds: set[str] | tuple[str, ...]) -> Iterator[str]:
    for _s, t, edata in graph.out_edges(node_id):
        if edata["kind"] in kinds:
            yield t


def _name(graph: Graph, node_id: str) -> str:
    return str(graph.node(node_id)["name"])


# -- prompt injection through content ----------------------------------------------------------


def _content(graph: Graph, agent: str) -> list[tuple[str, list[str]]]:
    """(content node, chain of node ids from the agent) for everything the agent reads."""
    found: list[tuple[str, list[str]]] = []
    seen = {agent}
    queue: deque[tuple[str, list[str]]] = deque([(agent, [agent])])
    while queue:
        node, chain = queue.popleft()
        if len(chain) > 4:
            continue
        nxt = [(t, True) for t in _out(graph, node, READ_EDGES)]
        if node == agent:  # retrieval tools of the agent itself
            nxt += [(t, False) for t in _out(graph, node, {"USES_TOOL"})]
        for t, is_read in nxt:
            if t in seen:
                continue
            seen.add(t)
            if is_read and _labels(graph, t) & CONTENT_LABELS:
                found.append((t, [*chain, t]))
            queue.append((t, [*chain, t]))
    return found


def _writers(graph: Graph, content: str) -> list[tuple[str, dict[str, Any], str]]:
    """(writer, evidence of its write, confidence) for one piece of content."""
    data = graph.node(content)
    out: list[tuple[str, dict[str, Any], str]] = []
    if data.get("public_write") and graph.has_node(INTERNET_ID):
        grant = str(data.get("public_write_grant") or "anonymous write access")
        out.append((INTERNET_ID, {"permission": "anonymous write", "grant": grant}, "confirmed"))
    for src, _t, edata in graph.in_edges(content, "CAN_WRITE"):
        if src != INTERNET_ID:
            ev = edata.get("evidence") or {}
            out.append(
                (
                    src,
                    {"permission": ev.get("permission"), "grant": ev.get("grant")},
                    str(edata.get("confidence", "confirmed")),
                )
            )
    seeds = data.get("web_seeds")
    if seeds and graph.has_node(INTERNET_ID):
        shown = ", ".join(str(s) for s in list(seeds)[:3])
        out.append(
            (
                INTERNET_ID,
                {"permission": "publish on a crawled site", "grant": f"web crawler seeds {shown}"},
                "inferred",
            )
        )
    return out


def derive_injection(graph: Graph) -> int:
    added = 0
    for agent in _agents(graph):
        for content, chain in _content(graph, agent):
            kind = graph.node(content)["kind"]
            via = " -> ".join(_name(graph, n) for n in chain)
            for writer, ev, _conf in _writers(graph, content):
                if writer == agent:
                    continue
                evidence = {
                    "content": content,
                    "content_kind": f"{kind} {_name(graph, content)}",
                    "via": via,
                    **ev,
                    "fix": f"Stop {_name(graph, writer)} writing {_name(graph, content)} "
                    f"({ev.get('permission') or 'write access'}), or treat what "
                    f"{_name(graph, agent)} reads there as untrusted: a guardrail with a "
                    "prompt-attack filter, and approval before acting tools",
                }
                # Always inferred: the write is (maybe) confirmed, the model obeying is not.
                graph.add_edge(writer, agent, "PROMPT_INJECTION", evidence, Confidence.INFERRED)
                added += 1
    return added


# -- indicators ----------------------------------------------------------------------------------


def _tool_acting(data: dict[str, Any]) -> bool:
    if data.get("acting") is not None:
        return bool(data["acting"])
    ttype = data.get("tool_type")
    return bool(ttype) and ttype not in NON_ACTING_TYPES


def _tool_sends(data: dict[str, Any]) -> bool:
    if data.get("sends_out") is not None:
        return bool(data["sends_out"])
    return data.get("tool_type") in SENDING_TYPES or data.get("kind") == "MCPServer"


def _reach(graph: Graph, start: str, limit: int = 5) -> dict[str, list[str]]:
    """Nodes reached from ``start`` along what it acts as, with the chain to each."""
    chains: dict[str, list[str]] = {start: [start]}
    queue: deque[str] = deque([start])
    while queue:
        node = queue.popleft()
        if len(chains[node]) > limit:
            continue
        for t in _out(graph, node, REACH_EDGES):
            if t not in chains:
                chains[t] = [*chains[node], t]
                queue.append(t)
    return chains


def _is_data(graph: Graph, node_id: str) -> bool:
    """AI or sensitive data, a knowledge base or an AI secret (what exfiltration is about)."""
    data = graph.node(node_id)
    labels = _labels(graph, node_id)
    if Label.KNOWLEDGE_BASE in labels:
        return True
    if labels & {Label.DATA_STORE, Label.VECTOR_STORE} and data.get("data_role"):
        return True
    return bool(Label.SECRET in labels and data.get("ai_key"))


def _tenant(data: dict[str, Any]) -> str:
    t = data.get("tenant")
    return "" if t in (None, "", "local") else str(t)


def indicators(graph: Graph, agent: str) -> dict[str, list[str]]:
    """Indicator name -> evidence sentences, for one agent or gateway."""
    data = graph.node(agent)
    name = data["name"]
    found: dict[str, list[str]] = {}
    tools = sorted(set(_out(graph, agent, {"USES_TOOL"})))
    acting = [t for t in tools if _tool_acting(graph.node(t))]
    # Calling another agent hands it the conversation: its acting tools count too.
    for other in sorted(set(_out(graph, agent, {"CALLS_AGENT"}))):
        acting += [t for t in _out(graph, other, {"USES_TOOL"}) if _tool_acting(graph.node(t))]
    if Label.AGENT_GATEWAY in _labels(graph, agent):
        acting = [t for t in _out(graph, agent, {"PROVIDES_TOOL"}) if _tool_acting(graph.node(t))]

    injected = [
        (s, e.get("evidence") or {}) for s, _t, e in graph.in_edges(agent, "PROMPT_INJECTION")
    ]
    if injected and acting:
        src, ev = injected[0]
        more = f" (and {len(injected) - 1} more)" if len(injected) > 1 else ""
        found["prompt-injection"] = [
            f"{_name(graph, src)} can write {ev.get('content_kind', 'content')} that {name} "
            f"reads ({ev.get('via', '')}){more}",
            f"{name} has acting tools: {', '.join(_name(graph, t) for t in acting[:5])}",
        ]

    reach = _reach(graph, agent)
    data_hits = []
    for node, chain in reach.items():
        if node == agent:
            continue
        if _is_data(graph, node):
            data_hits.append((node, chain))
    for content, chain in _content(graph, agent):
        if _is_data(graph, content):
            data_hits.append((content, chain))
    senders = [t for t in tools if _tool_sends(graph.node(t))]
    if data_hits and senders:
        node, chain = sorted(data_hits, key=lambda h: len(h[1]))[0]
        found["data-exfiltration"] = [
            f"{name} reaches {graph.node(node)['kind']} {_name(graph, node)} "
            f"({' -> '.join(_name(graph, n) for n in chain)})",
            f"and can send data out through {', '.join(_name(graph, t) for t in senders[:5])}",
        ]

    # "client-default": an MCP client's own confirmation prompt applies; not evidence of none.
    unapproved = [
        t for t in acting if graph.node(t).get("approval") not in {"always", "client-default"}
    ]
    if unapproved:
        found["high-autonomy"] = [
            f"acting tool {_name(graph, t)} runs without human approval "
            f"(approval: {graph.node(t).get('approval') or 'not required by the configuration'})"
            for t in unapproved[:5]
        ]

    open_in = [
        (e["kind"], e.get("evidence") or {})
        for s, _t, e in graph.in_edges(agent)
        if s == INTERNET_ID and e["kind"] in {"PUBLIC_ACCESS", "INTERNET_EXPOSED"}
    ]
    if open_in:
        k, ev = open_in[0]
        found["no-authentication"] = [
            f"anyone on the internet can call {name} ({k}: {ev.get('grant') or ev.get('via')})"
        ]
    for t in tools:
        td = graph.node(t)
        if td.get("kind") == "MCPServer" and td.get("url") and td.get("auth") == "not-configured":
            found.setdefault("no-authentication", []).append(
                f"remote MCP server {td['name']} ({td['url']}) has no credentials configured"
            )

    home = _tenant(data)
    cross = []
    for s, _t, e in graph.in_edges(agent):
        k = e["kind"]
        sd = graph.node(s)
        if k in {"CAN_INVOKE", "CALLS_AGENT"} and (
            sd["kind"] == "ExternalAccount" or (_tenant(sd) and home and _tenant(sd) != home)
        ):
            cross.append(f"{sd['name']} in another tenant can call {name} ({k})")
    for node, chain in reach.items():
        nd = graph.node(node)
        if node != agent and _tenant(nd) and home and _tenant(nd) != home:
            cross.append(
                f"{name} reaches {nd['kind']} {nd['name']} in tenant {_tenant(nd)} "
                f"({' -> '.join(_name(graph, n) for n in chain)})"
            )
    for t in tools:
        td = graph.node(t)
        if td.get("kind") == "MCPServer" and td.get("url"):
            cross.append(f"{name} sends tool calls to remote MCP server {td['url']}")
    if cross:
        found["cross-tenant"] = sorted(set(cross))[:5]

    privileged = []
    for node, chain in reach.items():
        nd = graph.node(node)
        if Label.IDENTITY not in _labels(graph, node):
            continue
        admin = nd.get("admin") or any(True for _ in _out(graph, node, {"CAN_ADMINISTER"}))
        if admin:
            privileged.append(
                f"{name} acts through {nd['kind']} {nd['name']}, an administrator of its "
                f"tenant ({' -> '.join(_name(graph, n) for n in chain)})"
            )
    if privileged:
        found["privileged-identity"] = privileged[:3]
    return found


def derive_indicators(graph: Graph) -> None:
    for node_id, data in graph.nodes():
        labels = set(node_kinds()[data["kind"]].labels)
        if not labels & {Label.AI_AGENT, Label.AGENT_GATEWAY}:
            continue
        found = indicators(graph, node_id)
        shown = [i for i in INDICATOR_ORDER if i in found]
        graph.update_props(
            node_id,
            agent_indicators=shown,
            agent_indicator_evidence={k: found[k] for k in shown},
        )


@deriver("access", "agents-injection")
def derive_agents_injection(graph: Graph, ctx: BuildContext) -> None:
    added = derive_injection(graph)
    if added:
        ctx.stats["agents.prompt_injection_edges"] += added


@deriver("context", "agents-indicators")
def derive_agents_indicators(graph: Graph, ctx: BuildContext) -> None:
    del ctx
    derive_indicators(graph)
