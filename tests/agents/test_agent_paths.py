"""Path semantics for agents (DESIGN §3): the path to an agent is a path, and each route on
through its tools to what they run as and reach is another; other targets stay terminal."""

from __future__ import annotations

from aispm_graph.analysis.engine import PathOptions, find_paths
from aispm_graph.graph.model import Graph


def _estate(tool_approved: bool = False) -> Graph:
    g = Graph()
    g.ensure_internet()
    g.add_node("fn", "AWSLambda", "public-fn")
    g.add_node("fn-role", "AWSRole", "fn-role")
    g.add_node("agent", "BedrockAgent", "agent")
    g.add_node("helper", "BedrockAgent", "helper-agent")
    g.add_node("tool", "BedrockActionGroup", "tool", tool_type="lambda", acting=True)
    g.add_node("tool-fn", "AWSLambda", "tool-fn")
    g.add_node("tool-role", "AWSRole", "tool-role")
    g.add_node("data", "S3Bucket", "data", data_role=["sensitive"])
    g.add_node("kb", "BedrockKnowledgeBase", "kb")
    g.add_node("kb-bucket", "S3Bucket", "kb-bucket", data_role=["grounding"])
    g.add_node("beyond", "S3Bucket", "beyond", data_role=["training"])
    g.add_edge("internet", "fn", "PUBLIC_ACCESS", {"grant": "url"})
    g.add_edge("fn", "fn-role", "HAS_IDENTITY", {"mechanism": "execution role"})
    g.add_edge("fn-role", "agent", "CAN_INVOKE", {"permission": "bedrock:InvokeAgent"})
    g.add_edge("agent", "tool", "HAS_TOOL" if tool_approved else "USES_TOOL", {})
    g.add_edge("tool", "tool-fn", "INVOKES", {"mechanism": "executor"})
    g.add_edge("tool-fn", "tool-role", "HAS_IDENTITY", {"mechanism": "execution role"})
    g.add_edge("tool-role", "data", "CAN_READ", {"permission": "s3:GetObject"})
    g.add_edge("agent", "kb", "GROUNDED_ON", {"mechanism": "agent knowledge base"})
    g.add_edge("kb", "kb-bucket", "GROUNDED_ON", {"mechanism": "data source"})
    g.add_edge("agent", "helper", "CALLS_AGENT", {"mechanism": "collaborator"})
    # A target is terminal: nothing past the data store is walked.
    g.add_edge("data", "beyond", "GROUNDED_ON", {"mechanism": "not walked"})
    return g


def routes(g: Graph) -> set[tuple[str, ...]]:
    return {tuple(n.id for n in p.nodes) for p in find_paths(g, PathOptions()).paths}


def test_agent_is_a_path_and_passes_the_path_on_through_its_tools() -> None:
    head = ("internet", "fn", "fn-role", "agent")
    assert routes(_estate()) == {
        head,
        (*head, "tool", "tool-fn", "tool-role", "data"),
        (*head, "kb"),  # the knowledge base is a target: the path stops there
        (*head, "helper"),  # agent calls agent: the collaborator is an agent too
    }
    titles = {p.title for p in find_paths(_estate()).paths}
    assert (
        "Internet via public-fn through agent agent can reach sensitive data in S3Bucket data"
        in titles
    )


def test_a_tool_that_needs_approval_is_not_walked() -> None:
    head = ("internet", "fn", "fn-role", "agent")
    assert routes(_estate(tool_approved=True)) == {head, (*head, "kb"), (*head, "helper")}


def test_target_kind_filter_still_walks_through_agents() -> None:
    g = _estate()
    res = find_paths(g, PathOptions(target_kinds=frozenset({"S3Bucket"})))
    # With only buckets as targets, the agent and the knowledge base are ordinary hops.
    assert {tuple(n.id for n in p.nodes) for p in res.paths} == {
        ("internet", "fn", "fn-role", "agent", "tool", "tool-fn", "tool-role", "data"),
        ("internet", "fn", "fn-role", "agent", "kb", "kb-bucket"),
    }
