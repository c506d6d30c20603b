"""Azure AI Foundry Agent Service: the real azure-core pipeline collects each Foundry project's
agents from the local replay (paging by ``after``/``has_more``, a 429, a 403 project), the
transform and the RBAC pass turn them into agent → tool → identity → data paths, and the
AZ-AG checks evaluate on the agents. Negative controls: a tool that waits for approval, an
MCP allow-list that leaves out the tools exempt from approval, an identity without access.
"""

from __future__ import annotations

import copy
import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from aispm_graph.analysis.engine import PathOptions, find_paths
from aispm_graph.build import BuildContext, build_graph
from aispm_graph.demo import demo_documents
from aispm_graph.graph.model import Graph
from aispm_graph.knowledge.azure.arm import norm
from aispm_graph.providers.azure.collect import AzureCollector, StaticTokenCredential
from aispm_graph.providers.azure.foundry import AGENTS_TYPE, redact_agent
from aispm_graph.recommendations.evaluate import evaluate
from aispm_graph.workspace import Document
from tests.azure.arm_replay import ArmReplay
from tests.support.cli import run_cli

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location(
    "foundry_estate", ROOT / "fixtures" / "demo" / "azure" / "foundry_estate.py"
)
assert _spec is not None and _spec.loader is not None
estate: Any = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(estate)

SUB = estate.SUB
PROJECT = norm(estate.PROJECT)
AGENTS = f"{PROJECT}/agents"
ORDERS, NOTIFIER, FAQ = f"{AGENTS}/asst_orders01", f"{AGENTS}/asst_notify02", f"{AGENTS}/faq-agent"
OPENAPI, MCP = f"{ORDERS}/tools/openapi-crm_records", f"{ORDERS}/tools/mcp-crm"
SEARCH_TOOL = f"{ORDERS}/tools/azure_ai_search-support-kb"
FAQ_MCP = f"{FAQ}/tools/mcp-docs"
PROJECT_MI = f"{PROJECT}/identities/system"
RG = f"/subscriptions/{SUB}/resourcegroups/rg-ai-demo/providers"
VM = f"{RG}/microsoft.compute/virtualmachines/vm-ai-gateway"
GATEWAY_MI = f"{RG}/microsoft.managedidentity/userassignedidentities/id-ai-gateway"
CRM = norm(estate.CRM)
SEARCH = norm(estate.SEARCH)
LOCKED = f"{estate.ACCOUNT}/projects/proj-locked"


class ScopeRecorder(StaticTokenCredential):
    """A static token that remembers the scopes it was asked for."""

    def __init__(self, token: str) -> None:
        super().__init__(token)
        self.scopes: list[str] = []

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        self.scopes.extend(scopes)
        return super().get_token(*scopes, **kwargs)


def _locked_project() -> dict[str, Any]:
    return {
        "id": LOCKED,
        "name": "ais-contoso-agents/proj-locked",
        "type": "Microsoft.CognitiveServices/accounts/projects",
        "location": "eastus2",
        "properties": {"displayName": "Locked", "provisioningState": "Succeeded"},
        "identity": {
            "type": "SystemAssigned",
            "principalId": "9d4e2f10-5555-4a6b-8c7d-0000000000a9",
        },
    }


@pytest.fixture
def replay() -> Iterator[ArmReplay]:
    arm = [d.body for d in demo_documents("azure") if d.body.get("type") != AGENTS_TYPE]
    agents = copy.deepcopy(estate.DATA_PLANE)
    agents["proj-locked"] = {"assistants": [], "agents": []}
    server = ArmReplay([*arm, _locked_project()], page_size=1, agents=agents).start()
    server.denied_paths |= {
        "/api/projects/proj-locked/assistants",
        "/api/projects/proj-locked/agents",
    }
    yield server
    server.stop()


def _collect(replay: ArmReplay, credential: Any = None) -> Any:
    collector = AzureCollector(credential or StaticTokenCredential("t"), replay.url, retry_total=2)
    return collector.collect(SUB)


def _recorded_agents() -> dict[str, Any]:
    return {d.key: d.body for d in demo_documents("azure") if d.body.get("type") == AGENTS_TYPE}


def test_collects_every_agent_through_paging_a_429_and_a_403_project(replay: ArmReplay) -> None:
    replay.fail_once("/api/projects/proj-support/assistants", 429, {"Retry-After": "1"})
    cred = ScopeRecorder("t")
    result = _collect(replay, cred)

    got = {d.key: d.body for d in result.documents if d.body.get("type") == AGENTS_TYPE}
    # exactly the demo's recorded documents: the demo is what the collector stores
    assert got == _recorded_agents()
    assert set(got) == {ORDERS, NOTIFIER, FAQ}
    # paged one agent at a time: a 429, then two pages of assistants, one of agents
    calls = [r for r in replay.requests if r[2].startswith("/api/projects/proj-support/")]
    assert [r[2].rsplit("/", 1)[-1] for r in calls] == ["assistants"] * 3 + ["agents"]
    assert all(r[3] == "Bearer t" for r in calls)
    assert "https://ai.azure.com/.default" in cred.scopes
    # the 403 project is a coverage gap, the rest is kept
    row = next(c for c in result.coverage if c.service == AGENTS_TYPE)
    assert (row.status, row.count) == ("partial", 3)
    assert any("proj-locked" in e and "403" in e for e in row.errors)
    # the project connections came from ARM, their key never
    conns = [d for d in result.documents if "/connections/" in d.key and "/projects/" in d.key]
    assert {d.key.rsplit("/", 1)[-1] for d in conns} == {"conn-srch-rag", "conn-crm-mcp"}


def test_instructions_and_header_values_never_reach_the_snapshot(replay: ArmReplay) -> None:
    stored = json.dumps([d.body for d in _collect(replay).documents])
    assert "order desk" not in stored and "Answer product questions" not in stored
    assert "demo-key-never-stored" not in stored and "never-stored" not in stored
    orders = next(
        a for a in estate.DATA_PLANE["proj-support"]["assistants"] if a["name"] == "orders-agent"
    )
    body = redact_agent(orders)
    assert body["instructions_length"] == len(estate.ORDERS_INSTRUCTIONS)
    assert body["tool_resources"]["mcp"][0]["header_names"] == ["X-Api-Key"]
    # an empty instruction stays absent: "no instructions" is a fact the checks read
    assert "instructions_sha256" not in redact_agent({"id": "a", "instructions": ""})


def _graph(docs: list[Document]) -> Graph:
    return build_graph(docs, BuildContext())


def _routes(graph: Graph) -> set[tuple[str, ...]]:
    return {
        tuple(n.id for n in p.nodes)
        for p in find_paths(graph, PathOptions(all_routes=True)).paths
        if any("/agents/" in n.id for n in p.nodes)
    }


def test_agent_tool_identity_data_paths_with_evidence(replay: ArmReplay) -> None:
    docs = _collect(replay).documents
    g = _graph(docs)
    head = ("internet", VM, GATEWAY_MI)
    assert _routes(g) == {
        (*head, ORDERS),
        (*head, NOTIFIER),
        (*head, FAQ),
        (*head, ORDERS, NOTIFIER),  # connected agent: agent calls agent
        (*head, ORDERS, SEARCH_TOOL, SEARCH),  # grounding index
        (*head, ORDERS, OPENAPI, PROJECT_MI, CRM),  # the tool lends the project's identity
    }
    edges = {(s, k, t): d for s, t, k, d in g.g.edges(keys=True, data=True)}
    invoke = edges[(GATEWAY_MI, "CAN_INVOKE", ORDERS)]
    assert invoke["evidence"]["role"] == "Azure AI User"
    assert invoke["evidence"]["permission"].endswith("/AIServices/agents/write")
    runs = edges[(OPENAPI, "RUNS_AS", PROJECT_MI)]
    assert runs["confidence"] == "inferred"
    assert "managed identity" in runs["evidence"]["mechanism"]
    assert "https://stcontosocrm.blob.core.windows.net" in runs["evidence"]["mechanism"]
    assert edges[(PROJECT_MI, "CAN_READ", CRM)]["evidence"]["role"] == "Storage Blob Data Reader"
    # whoever can write the index steers the agent that has acting tools
    writer = "entra/users/c0ffee00-6666-4d7e-9f80-0000000000b1"
    inject = edges[(writer, "PROMPT_INJECTION", ORDERS)]
    assert inject["confidence"] == "inferred"
    assert inject["evidence"]["content"] == SEARCH
    assert (ORDERS, "CALLS_AGENT", NOTIFIER) in edges
    assert g.node(ORDERS)["agent_indicators"] == [
        "prompt-injection",
        "data-exfiltration",
        "high-autonomy",
    ]
    tools = {t: g.node(t) for _s, t, k in g.g.out_edges(ORDERS, keys=True) if k == "USES_TOOL"}
    assert {
        (t.rsplit("/", 1)[-1], d["tool_type"], d.get("approval")) for t, d in tools.items()
    } == {
        ("openapi-crm_records", "openapi", "unknown"),
        ("mcp-crm", "mcp", "never"),
        ("azure_ai_search-support-kb", "ai-search", None),
        ("connected_agent-notifier", "connected-agent", None),
    }
    assert g.node(MCP)["server_url"] == "https://mcp.contoso-crm.example/mcp"
    assert g.node(SEARCH_TOOL)["connection_auth"] == "AAD"


def test_negative_controls_approval_allow_list_and_identity_without_access(
    replay: ArmReplay,
) -> None:
    docs = _collect(replay).documents
    g = _graph(docs)
    # approval "always": structure only, never walked
    assert g.g.has_edge(FAQ, FAQ_MCP, "HAS_TOOL") and not g.g.has_edge(FAQ, FAQ_MCP, "USES_TOOL")
    assert g.node(FAQ)["agent_indicators"] == []

    def faq_with(setting: Any, allowed: list[str]) -> Graph:
        body = copy.deepcopy(next(d.body for d in docs if d.key == FAQ))
        tool = body["agent"]["versions"]["latest"]["definition"]["tools"][0]
        tool["require_approval"], tool["allowed_tools"] = setting, allowed
        return _graph([d if d.key != FAQ else Document("azure", SUB, FAQ, body) for d in docs])

    exempt = {"never": {"tool_names": ["delete_record"]}}
    # the allow-list leaves out the one tool exempt from approval: still approved
    assert faq_with(exempt, ["microsoft_docs_search"]).g.has_edge(FAQ, FAQ_MCP, "HAS_TOOL")
    # ... but allowing it makes the tool run unapproved
    opened = faq_with(exempt, ["microsoft_docs_search", "delete_record"])
    assert opened.g.has_edge(FAQ, FAQ_MCP, "USES_TOOL")
    assert opened.node(FAQ_MCP)["approval_exempt_tools"] == ["delete_record"]
    assert "high-autonomy" in opened.node(FAQ)["agent_indicators"]

    # the project identity without the blob role: the route stops at the tool's identity
    no_access = [d for d in docs if not d.key.endswith("/f0a1b2c3-7777-4d8e-9f00-000000000002")]
    routes = _routes(_graph(no_access))
    assert not any(CRM in r for r in routes)
    assert (("internet", VM, GATEWAY_MI, ORDERS)) in routes


def _findings(g: Graph) -> set[tuple[str, str]]:
    return {
        (f.check, f.resource.rsplit("/", 1)[-1])
        for f in evaluate(g)
        if f.check.startswith(("AZ-AG", "AZ-AGENT", "AZ-AI-012"))
    }


def test_foundry_agent_checks_fire_on_facts_and_stay_quiet_on_controls() -> None:
    g = _graph(list(demo_documents("azure")))
    assert _findings(g) == {
        ("AZ-AG-001", "asst_notify02"),  # no instructions
        ("AZ-AG-002", "asst_orders01"),  # connected agent without a description
        ("AZ-AG-004", "asst_orders01"),  # MCP without allowed tools
        ("AZ-AG-005", "asst_orders01"),  # reads external content, no indirect-attack shield
        ("AZ-AG-005", "faq-agent"),
        ("AZ-AG-006", "asst_orders01"),  # MCP actions without approval
        ("AZ-AGENT-001", "mcp-crm"),
        ("AZ-AGENT-002", "mcp-crm"),
        ("AZ-AI-012", "gpt-4o"),  # the agents' deployment lacks the indirect-attack shield
    }
    # a content filter with both prompt shields: AZ-AG-005 goes quiet, AZ-AG-003 stays quiet;
    # without the jailbreak shield AZ-AG-003 fires on every agent of the deployment
    docs = list(demo_documents("azure"))
    policy = norm(f"{estate.ACCOUNT}/raiPolicies/agents-shield")

    def with_filters(jailbreak: bool, indirect: bool) -> Graph:
        out = []
        for d in docs:
            if d.key == policy:
                body = copy.deepcopy(d.body)
                for f in body["properties"]["contentFilters"]:
                    if f["name"] == "Jailbreak":
                        f["enabled"] = f["blocking"] = jailbreak
                    if f["name"] == "Indirect Attack":
                        f["enabled"] = f["blocking"] = indirect
                d = Document("azure", d.scope, d.key, body)
            out.append(d)
        return _graph(out)

    # the content filter's shields are properties of its node too (AI-BOM)
    assert (g.node(policy)["prompt_shield"], g.node(policy)["indirect_attack_shield"]) == (
        True,
        False,
    )
    assert with_filters(True, True).node(policy)["indirect_attack_shield"] is True
    shielded = _findings(with_filters(True, True))
    assert not {c for c, _r in shielded} & {"AZ-AG-003", "AZ-AG-005", "AZ-AI-012"}
    open_ = _findings(with_filters(False, False))
    assert {r for c, r in open_ if c == "AZ-AG-003"} == {
        "asst_orders01",
        "asst_notify02",
        "faq-agent",
    }


def test_hostile_answers_are_gaps_not_crashes(replay: ArmReplay) -> None:
    replay.agents["proj-support"]["assistants"] = [
        *estate.DATA_PLANE["proj-support"]["assistants"][:1],
        {"object": "assistant", "name": "no id"},
    ]
    replay.agents["proj-support"]["agents"] = "not a list"  # type: ignore[assignment]
    result = _collect(replay)
    row = next(c for c in result.coverage if c.service == AGENTS_TYPE)
    assert row.status == "partial"
    assert any("without an id" in e for e in row.errors)
    assert {d.key for d in result.documents if d.body.get("type") == AGENTS_TYPE} == {ORDERS}


def test_cli_refuses_a_plain_http_foundry_endpoint_off_loopback(tmp_path: Path) -> None:
    proc = run_cli(
        "collect",
        "azure",
        "--subscription",
        SUB,
        "--foundry-endpoint",
        "http://10.1.2.3:8080",
        workspace=tmp_path / "ws",
        env={"AISPM_AZURE_TOKEN": "t"},
    )
    assert proc.code == 2
    assert "--foundry-endpoint" in proc.err and "loopback" in proc.err


def test_web_grounding_lets_the_internet_inject_into_the_agent(replay: ArmReplay) -> None:
    docs = _collect(replay).documents
    body = copy.deepcopy(next(d.body for d in docs if d.key == ORDERS))
    bing_conn = f"{estate.PROJECT}/connections/conn-bing"
    body["agent"]["tools"].append(
        {
            "type": "bing_grounding",
            "bing_grounding": {"search_configurations": [{"connection_id": bing_conn}]},
        }
    )
    g = _graph([d if d.key != ORDERS else Document("azure", SUB, ORDERS, body) for d in docs])
    edge = g.g.edges["internet", ORDERS, "PROMPT_INJECTION"]
    assert edge["confidence"] == "inferred"
    assert edge["evidence"]["permission"] == "publish a web page the search returns"
    assert edge["evidence"]["content"] == f"{ORDERS}/tools/bing_grounding-bing_grounding"
    # the internet now steers the agent without any foothold, on through its tools
    assert ("internet", ORDERS, OPENAPI, PROJECT_MI, CRM) in _routes(g)
    # without web grounding the agent has no internet entry (the data plane takes Entra tokens)
    assert not _graph(docs).g.has_edge("internet", ORDERS)


def test_the_token_goes_only_to_a_foundry_host() -> None:
    from aispm_graph.providers.azure.foundry import FoundryAgentsCollector

    reader = FoundryAgentsCollector(StaticTokenCredential("t"))
    project = {
        "id": LOCKED,
        "name": "ais-contoso-agents/proj-locked",
        "properties": {
            "endpoints": {"AI Foundry API": "https://collector.evil.example/api/projects/p"}
        },
    }
    account = {"properties": {"customSubDomainName": "ais-contoso-agents"}}
    docs, row = reader.collect(SUB, [project], [])
    assert docs == [] and row.status == "failed"
    assert "no https data-plane endpoint" in row.errors[0]
    # without the endpoints property, the account's subdomain gives the documented host
    del project["properties"]["endpoints"]
    assert reader.endpoint_for(project, account) == (
        "https://ais-contoso-agents.services.ai.azure.com/api/projects/proj-locked"
    )
