"""The Defender for Cloud reference AI topology and its negative controls, through the transform
and derivers exactly as ``aispm build`` runs them."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import networkx as nx
import pytest

from aispm_graph.build import BuildContext, build_graph
from aispm_graph.demo import DEMO_SUBSCRIPTION, DEMO_VM, demo_documents
from aispm_graph.graph.model import Graph
from aispm_graph.workspace import Document
from tests.support.graph import pairs as edges

SUB = f"/subscriptions/{DEMO_SUBSCRIPTION}"
RG = f"{SUB}/resourcegroups/rg-ai-demo"
ROLEDEFS = "/providers/Microsoft.Authorization/roleDefinitions"
ASSIGN = "/providers/Microsoft.Authorization/roleAssignments"
MG = "/providers/Microsoft.Management/managementGroups/contoso"


def rid(kind: str, name: str) -> str:
    ns = {
        "vm": "microsoft.compute/virtualmachines",
        "mi": "microsoft.managedidentity/userassignedidentities",
        "nsg": "microsoft.network/networksecuritygroups",
        "oai": "microsoft.cognitiveservices/accounts",
        "st": "microsoft.storage/storageaccounts",
        "srch": "microsoft.search/searchservices",
        "ws": "microsoft.machinelearningservices/workspaces",
    }[kind]
    return f"{RG}/providers/{ns}/{name}"


OAI = rid("oai", "oai-contoso-prod")
GPT = f"{OAI}/deployments/gpt-4o-prod"
GROUND = rid("st", "stcontosogrounding")
GW_MI = rid("mi", "id-ai-gateway")
NEGATIVE_VMS = ("vm-nc-narrow", "vm-nc-deny", "vm-nc-subnet", "vm-build-agent")


def build(
    mutate: Callable[[dict[str, dict[str, Any]]], None] | None = None,
) -> tuple[Graph, BuildContext]:
    docs = {d.key: copy.deepcopy(d.body) for d in demo_documents("azure")}
    if mutate:
        mutate(docs)
    ctx = BuildContext()
    graph = build_graph([Document("azure", DEMO_SUBSCRIPTION, k, v) for k, v in docs.items()], ctx)
    return graph, ctx


def reachable(graph: Graph, source: str = "internet") -> set[str]:
    dg = graph.attack_subgraph()
    return set(nx.descendants(dg, source)) if source in dg else set()


@pytest.fixture(scope="module")
def demo() -> Graph:
    graph, ctx = build()
    assert ctx.warnings == []
    return graph


def test_reference_topology_edges(demo: Graph) -> None:
    assert (DEMO_VM, GW_MI) in edges(demo, "HAS_IDENTITY")
    assert (GW_MI, OAI) in edges(demo, "CAN_INVOKE")
    assert (OAI, GPT) in edges(demo, "SERVES")
    assert (GW_MI, GROUND) in edges(demo, "CAN_READ")
    assert "grounding" in demo.node(GROUND)["data_role"]
    exposed = {t for s, t in edges(demo, "INTERNET_EXPOSED") if "/virtualmachines/" in t}
    assert exposed == {DEMO_VM, rid("vm", "vm-nc-sibling")}


def test_reference_topology_evidence(demo: Graph) -> None:
    exp = demo.edge("internet", DEMO_VM, "INTERNET_EXPOSED")
    assert exp is not None
    ev = exp["evidence"]
    assert ev["ports"] == "tcp/22"
    assert ev["public_ip"] == "20.81.112.40"
    assert ev["rule"] == rid("nsg", "nsg-ai-gateway") + "/securityrules/allowsshfrominternet"
    inv = demo.edge(GW_MI, OAI, "CAN_INVOKE")
    assert inv is not None and inv["confidence"] == "confirmed"
    e = inv["evidence"]
    assert e["role"] == "Cognitive Services OpenAI User"
    assert e["scope"] == OAI and e["inherited"] is False
    assert e["assignment"].startswith(OAI + "/providers/microsoft.authorization/roleassignments/")
    assert e["permission"].endswith("/OpenAI/deployments/chat/completions/action")
    assert f"az role assignment delete --ids {e['assignment']}" in e["fix"]
    assert "id-ai-gateway" in e["fix"]


def test_reference_paths_reach_model_and_grounding_data(demo: Graph) -> None:
    reach = reachable(demo)
    assert {DEMO_VM, GW_MI, OAI, GPT, GROUND} <= reach
    dg = demo.attack_subgraph()
    assert nx.shortest_path(dg, "internet", GPT) == ["internet", DEMO_VM, GW_MI, OAI, GPT]
    assert nx.shortest_path(dg, "internet", GROUND) == ["internet", DEMO_VM, GW_MI, GROUND]


def test_hub_project_endpoint_and_grounding(demo: Graph) -> None:
    hub, proj = rid("ws", "hub-contoso-ai"), rid("ws", "proj-contoso-chat")
    assert (hub, proj) in edges(demo, "CONTAINS")
    assert demo.node(hub)["workspace_kind"] == "Hub"
    assert demo.node(proj)["workspace_kind"] == "Project"
    ep = f"{proj}/onlineendpoints/ep-contoso-chat"
    assert (proj, ep) in edges(demo, "SERVES")
    assert demo.node(ep)["auth_mode"] == "AADToken"
    assert demo.node(ep)["deployments"][0]["name"] == "blue"
    hub_store = rid("st", "sthubcontosoai")
    assert (hub, hub_store) in edges(demo, "USES_DATASTORE")
    assert (hub, rid("srch", "srch-contoso-rag")) in edges(demo, "GROUNDED_ON")
    assert (OAI, rid("srch", "srch-contoso-rag")) in edges(demo, "GROUNDED_ON")
    assert (OAI, GROUND) in edges(demo, "GROUNDED_ON")


def test_negative_controls_break_the_path(demo: Graph) -> None:
    reach = reachable(demo)
    for vm in NEGATIVE_VMS:
        assert rid("vm", vm) not in reach, vm
    # sibling resource group: exposed VM, identity with a role that covers nothing AI
    sib_mi = rid("mi", "id-nc-sibling")
    assert sib_mi in reach
    assert {d["kind"] for s, _t, d in demo.edges() if s == sib_mi} == {"ASSIGNED"}
    assert set(nx.descendants(demo.attack_subgraph(), sib_mi)) == set()
    # local auth disabled, no identity route; private endpoint only
    for name in ("oai-nc-entraonly", "oai-nc-private"):
        acct = rid("oai", name)
        assert ("internet", acct) not in edges(demo, "INTERNET_EXPOSED")
        assert acct not in reach
    # the subnet NSG is evaluated as its own layer
    subnet_vm = rid("vm", "vm-nc-subnet")
    layers = {d["evidence"]["layer"] for s, _t, d in demo.edges("PROTECTED_BY") if s == subnet_vm}
    assert layers == {"nic", "subnet"}


def _rule(docs: dict[str, dict[str, Any]], nsg: str, name: str) -> dict[str, Any]:
    body = docs[rid("nsg", nsg)]
    return next(r for r in body["properties"]["securityRules"] if r["name"] == name)


def test_deny_at_lower_priority_no_longer_blocks() -> None:
    def flip(docs: dict[str, dict[str, Any]]) -> None:
        _rule(docs, "nsg-nc-deny", "DenySSHInternet")["properties"]["priority"] = 300

    graph, _ = build(flip)
    assert ("internet", rid("vm", "vm-nc-deny")) in edges(graph, "INTERNET_EXPOSED")
    assert rid("oai", "oai-contoso-prod") in reachable(graph)


def test_subnet_nsg_allowing_ssh_exposes_the_vm() -> None:
    def open_subnet(docs: dict[str, dict[str, Any]]) -> None:
        body = docs[rid("nsg", "nsg-snet-locked")]
        body["properties"]["securityRules"].append(
            {
                "name": "AllowSSH",
                "id": rid("nsg", "nsg-snet-locked") + "/securityRules/AllowSSH",
                "properties": {
                    "protocol": "Tcp",
                    "destinationPortRange": "22",
                    "sourceAddressPrefix": "Internet",
                    "access": "Allow",
                    "priority": 110,
                    "direction": "Inbound",
                },
            }
        )

    graph, _ = build(open_subnet)
    exp = graph.edge("internet", rid("vm", "vm-nc-subnet"), "INTERNET_EXPOSED")
    assert exp is not None and exp["evidence"]["layers"] == ["nic", "subnet"]


def test_narrow_cidr_widened_exposes_the_vm() -> None:
    def widen(docs: dict[str, dict[str, Any]]) -> None:
        _rule(docs, "nsg-nc-narrow", "AllowSSHFromCorp")["properties"]["sourceAddressPrefix"] = (
            "0.0.0.0/0"
        )

    graph, _ = build(widen)
    assert rid("vm", "vm-nc-narrow") in reachable(graph)


def test_role_moved_from_sibling_to_account_group_opens_the_path() -> None:
    def move(docs: dict[str, dict[str, Any]]) -> None:
        for body in docs.values():
            props = body.get("properties", {})
            if str(props.get("scope", "")).lower().endswith("/rg-ai-sibling"):
                props["scope"] = props["scope"].replace("rg-ai-sibling", "rg-ai-demo")

    graph, _ = build(move)
    e = graph.edge(rid("mi", "id-nc-sibling"), OAI, "CAN_INVOKE")
    assert e is not None and e["evidence"]["inherited"] is True
    assert e["evidence"]["scope"] == RG


def test_local_auth_enabled_makes_the_public_account_an_entry() -> None:
    def enable(docs: dict[str, dict[str, Any]]) -> None:
        docs[rid("oai", "oai-nc-entraonly")]["properties"]["disableLocalAuth"] = False

    graph, _ = build(enable)
    acct = rid("oai", "oai-nc-entraonly")
    e = graph.edge("internet", acct, "INTERNET_EXPOSED")
    assert e is not None and e["evidence"]["auth"] == "key"
    # and the private-endpoint-only account with keys stays unexposed
    assert ("internet", rid("oai", "oai-nc-private")) not in edges(graph, "INTERNET_EXPOSED")


def test_contributor_gets_keys_only_where_keys_work() -> None:
    contributor = "b24988ac-6180-42a0-ab88-20f7382dd24c"

    def add(docs: dict[str, dict[str, Any]]) -> None:
        aid = f"{RG}{ASSIGN}/c0c0c0c0-0000-4000-8000-000000000001"
        docs[aid.lower()] = {
            "id": aid,
            "type": "Microsoft.Authorization/roleAssignments",
            "properties": {
                "roleDefinitionId": f"{SUB}{ROLEDEFS}/{contributor}",
                "principalId": "0b7c5e1a-1111-4a2b-9c3d-000000000001",
                "principalType": "ServicePrincipal",
                "scope": f"/subscriptions/{DEMO_SUBSCRIPTION}/resourceGroups/rg-ai-demo",
            },
        }

    graph, _ = build(add)
    keys = {t for s, t in edges(graph, "CAN_READ_KEYS") if s == GW_MI}
    assert keys == {rid("oai", "oai-nc-private"), rid("st", "stcontosologs")}
    # Entra-only accounts: Contributor can switch keys back on (management plane), inferred
    manage = graph.edge(GW_MI, OAI, "CAN_MANAGE")
    assert manage is not None and manage["confidence"] == "inferred"
    assert "re-enable local" in manage["evidence"]["technique"]
    # role definitions from the built-in catalogue (Contributor was not in the recording)
    assignment = graph.node(
        f"{RG}/providers/microsoft.authorization/roleassignments/c0c0c0c0-0000-4000-8000-000000000001"
    )
    assert (
        assignment["role_name"] == "Contributor"
        and assignment["role_source"] == "builtin-catalogue"
    )


def test_owner_at_subscription_and_management_group_administers() -> None:
    graph, _ = build()
    admins = edges(graph, "CAN_ADMINISTER")
    assert admins == {("entra/groups/7e3d9a10-4444-4c5d-8e6f-000000000012", SUB)}

    def mg(docs: dict[str, dict[str, Any]]) -> None:
        aid = f"{MG}{ASSIGN}/ab000000-0000-4000-8000-000000000001"
        docs[aid.lower()] = {
            "id": aid,
            "properties": {
                "roleDefinitionId": f"{ROLEDEFS}/18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
                "principalId": "0b7c5e1a-1111-4a2b-9c3d-000000000001",
                "principalType": "ServicePrincipal",
                "scope": MG,
            },
        }

    graph, _ = build(mg)
    e = graph.edge(GW_MI, SUB, "CAN_ADMINISTER")
    assert e is not None
    assert e["evidence"]["role"] == "User Access Administrator"
    assert e["evidence"]["scope"] == "/providers/microsoft.management/managementgroups/contoso"


def test_owner_at_resource_group_can_self_grant_data_access() -> None:
    def add(docs: dict[str, dict[str, Any]]) -> None:
        aid = f"{RG}{ASSIGN}/0e0e0e0e-0000-4000-8000-000000000001"
        docs[aid.lower()] = {
            "id": aid,
            "properties": {
                "roleDefinitionId": f"{SUB}{ROLEDEFS}/8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
                "principalId": "0b7c5e1a-1111-4a2b-9c3d-000000000005",
                "principalType": "ServicePrincipal",
                "scope": f"{SUB}/resourceGroups/rg-ai-demo",
            },
        }

    graph, _ = build(add)
    sib = rid("mi", "id-nc-sibling")
    e = graph.edge(sib, GROUND, "CAN_READ")
    assert e is not None and e["confidence"] == "inferred"
    assert "roleAssignments/write" in e["evidence"]["technique"]
    assert graph.edge(sib, SUB, "CAN_ADMINISTER") is None  # RG owner is not subscription admin


def test_public_load_balancer_exposes_only_forwarded_ports() -> None:
    lb = f"{RG}/providers/Microsoft.Network/loadBalancers/lb-public"
    pip = f"{RG}/providers/Microsoft.Network/publicIPAddresses/pip-lb"
    nic = f"{RG}/providers/microsoft.network/networkinterfaces/nic-build-agent"

    def add(docs: dict[str, dict[str, Any]]) -> None:
        docs[pip.lower()] = {
            "id": pip,
            "name": "pip-lb",
            "properties": {"ipAddress": "20.81.112.99"},
        }
        # the build agent's NSG allows 22 and 443 from anywhere; the LB forwards 443 only
        nsg = docs[rid("nsg", "nsg-nc-sibling")]
        nsg["properties"]["securityRules"].append(
            {
                "name": "AllowHttps",
                "properties": {
                    "protocol": "Tcp",
                    "destinationPortRange": "443",
                    "sourceAddressPrefix": "*",
                    "access": "Allow",
                    "priority": 110,
                    "direction": "Inbound",
                },
            }
        )
        docs[lb.lower()] = {
            "id": lb,
            "name": "lb-public",
            "sku": {"name": "Standard"},
            "properties": {
                "frontendIPConfigurations": [
                    {
                        "id": f"{lb}/frontendIPConfigurations/fe",
                        "name": "fe",
                        "properties": {"publicIPAddress": {"id": pip}},
                    }
                ],
                "backendAddressPools": [
                    {
                        "id": f"{lb}/backendAddressPools/be",
                        "name": "be",
                        "properties": {
                            "backendIPConfigurations": [{"id": f"{nic}/ipConfigurations/ipconfig1"}]
                        },
                    }
                ],
                "loadBalancingRules": [
                    {
                        "name": "https",
                        "properties": {
                            "frontendIPConfiguration": {"id": f"{lb}/frontendIPConfigurations/fe"},
                            "backendAddressPool": {"id": f"{lb}/backendAddressPools/be"},
                            "protocol": "Tcp",
                            "frontendPort": 443,
                            "backendPort": 443,
                        },
                    }
                ],
            },
        }

    graph, _ = build(add)
    vm = rid("vm", "vm-build-agent")
    e = graph.edge("internet", vm, "INTERNET_EXPOSED")
    assert e is not None
    assert e["evidence"]["ports"] == "tcp/443"
    assert e["evidence"]["public_ip"] == "20.81.112.99"
    assert graph.node(vm)["public_ip"] == "20.81.112.99"


def test_default_rules_are_added_when_the_response_omits_them() -> None:
    def strip(docs: dict[str, dict[str, Any]]) -> None:
        for body in docs.values():
            body.get("properties", {}).pop("defaultSecurityRules", None)

    graph, _ = build(strip)
    nsg = rid("nsg", "nsg-snet-locked")
    rules = {
        graph.node(r)["name"]: graph.node(r) for _n, r in edges(graph, "HAS_RULE") if _n == nsg
    }
    assert {n: (d["priority"], d["access"]) for n, d in rules.items()} == {
        "AllowVnetInBound": (65000, "allow"),
        "AllowAzureLoadBalancerInBound": (65001, "allow"),
        "DenyAllInBound": (65500, "deny"),
    }
    assert rid("vm", "vm-nc-subnet") not in reachable(graph)


def test_bad_records_are_skipped_with_a_warning_naming_them() -> None:
    def spoil(docs: dict[str, dict[str, Any]]) -> None:
        docs[rid("vm", "vm-nc-narrow")]["properties"]["networkProfile"] = "garbage"
        docs["x"] = {"name": "no id"}
        docs[rid("oai", "oai-nc-entraonly")]["properties"] = {"networkAcls": ["not", "a", "dict"]}

    graph, ctx = build(spoil)
    text = "\n".join(ctx.warnings)
    assert "vm-nc-narrow" in text and "virtualMachine" in text
    assert "azure:" in text and "field 'id'" in text
    # everything else still builds
    assert {DEMO_VM, GW_MI, OAI, GPT} <= reachable(graph)


# -- attack paths, as `aispm paths` reports them ----------------------------------------------


def test_engine_paths_for_the_reference_topology(demo: Graph) -> None:
    from aispm_graph.analysis.engine import find_paths

    result = find_paths(demo)
    routes = {tuple(n.id for n in p.nodes) for p in result.paths}
    # the Foundry agents of the demo (tests/azure/test_azure_foundry_agents.py covers them)
    agents = {r for r in routes if any("/agents/" in n for n in r)}
    assert {r[:4] for r in agents} == {("internet", DEMO_VM, GW_MI, r[3]) for r in agents}
    assert routes - agents == {
        ("internet", DEMO_VM, GW_MI, OAI, GPT),
        ("internet", DEMO_VM, GW_MI, OAI, f"{OAI}/deployments/text-embedding-3-large"),
        ("internet", DEMO_VM, GW_MI, GROUND),
        ("internet", DEMO_VM, GW_MI, OAI, GROUND),  # On Your Data: the model reads it
        ("internet", DEMO_VM, GW_MI, OAI, rid("srch", "srch-contoso-rag")),
    }
    to_gpt = next(p for p in result.paths if p.target == GPT)
    assert [e.kind for e in to_gpt.edges] == [
        "INTERNET_EXPOSED",
        "HAS_IDENTITY",
        "CAN_INVOKE",
        "SERVES",
    ]
    assert to_gpt.edges[2].evidence["role"] == "Cognitive Services OpenAI User"
    actions = " | ".join(r.action for r in to_gpt.remediation)
    assert "AllowSSHFromInternet" in actions
    assert "az vm identity remove -g rg-ai-demo -n vm-ai-gateway" in actions
    assert "az role assignment delete --ids" in actions
    # negative controls: no path starts at, or passes, any of them
    on_paths = {n.id for p in result.paths for n in p.nodes}
    for vm in (*NEGATIVE_VMS, "vm-nc-sibling"):
        assert rid("vm", vm) not in on_paths
    for acct in ("oai-nc-entraonly", "oai-nc-private"):
        assert rid("oai", acct) not in on_paths


def test_demo_part_loads_through_the_core_demo_loader(tmp_path: Any) -> None:
    import json

    from aispm_graph.demo import demo_dir, load_demo_parts

    files = sorted(str(p) for p in (demo_dir() / "azure").glob("*.json"))
    manifest = {
        "parts": [
            {"source": "azure", "scope": DEMO_SUBSCRIPTION, "files": files, "format": "documents"}
        ]
    }
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    [(source, scope, docs, _meta)] = load_demo_parts(tmp_path)
    assert (source, scope) == ("azure", DEMO_SUBSCRIPTION)
    assert [(d.key, d.body) for d in docs] == [(d.key, d.body) for d in demo_documents("azure")]


def test_scale_set_with_per_instance_public_ip_and_foundry_project() -> None:
    vmss = f"{RG}/providers/Microsoft.Compute/virtualMachineScaleSets/vmss-inference"
    ais = f"{RG}/providers/Microsoft.CognitiveServices/accounts/ais-foundry"
    project = f"{ais}/projects/agents"
    nsg = f"{RG}/providers/Microsoft.Network/networkSecurityGroups/nsg-ai-gateway"
    subnet = f"{RG}/providers/Microsoft.Network/virtualNetworks/vnet-ai/subnets/snet-app"

    def add(docs: dict[str, dict[str, Any]]) -> None:
        docs[vmss.lower()] = {
            "id": vmss,
            "name": "vmss-inference",
            "sku": {"name": "Standard_NC6s_v3", "capacity": 3},
            "identity": {
                "type": "SystemAssigned, UserAssigned",
                "principalId": "99999999-0000-4000-8000-000000000001",
                "userAssignedIdentities": {GW_MI: {"principalId": "x", "clientId": "y"}},
            },
            "properties": {
                "virtualMachineProfile": {
                    "networkProfile": {
                        "networkInterfaceConfigurations": [
                            {
                                "name": "nic",
                                "properties": {
                                    "networkSecurityGroup": {"id": nsg},
                                    "ipConfigurations": [
                                        {
                                            "name": "ip",
                                            "properties": {
                                                "subnet": {"id": subnet},
                                                "publicIPAddressConfiguration": {"name": "pub"},
                                            },
                                        }
                                    ],
                                },
                            }
                        ]
                    }
                }
            },
        }
        docs[ais.lower()] = {
            "id": ais,
            "name": "ais-foundry",
            "kind": "AIServices",
            "properties": {"publicNetworkAccess": "Disabled", "disableLocalAuth": True},
        }
        docs[project.lower()] = {
            "id": project,
            "name": "ais-foundry/agents",
            "identity": {
                "type": "SystemAssigned",
                "principalId": "99999999-0000-4000-8000-00000000000f",
            },
            "properties": {"displayName": "Agents"},
        }

    graph, ctx = build(add)
    assert ctx.warnings == []
    vid = vmss.lower()
    assert graph.node(vid)["public_ip"] == "per-instance public IP"
    assert ("internet", vid) in edges(graph, "INTERNET_EXPOSED")
    assert {(vid, GW_MI), (vid, vid + "/identities/system")} <= edges(graph, "HAS_IDENTITY")
    assert OAI in reachable(graph)
    pid = project.lower()
    assert graph.node(pid)["kind"] == "AzureAIFoundryProject"
    assert (ais.lower(), pid) in edges(graph, "CONTAINS")
    owners = "entra/groups/7e3d9a10-4444-4c5d-8e6f-000000000012"
    assert (owners, pid) in edges(graph, "CAN_MANAGE")


@pytest.mark.parametrize(("sku", "exposed"), [("Basic", True), ("Standard", False)])
def test_no_nsg_at_all_depends_on_the_public_ip_sku(sku: str, exposed: bool) -> None:
    nic = f"{RG}/providers/microsoft.network/networkinterfaces/nic-nc-narrow"
    pip = f"{RG}/providers/microsoft.network/publicipaddresses/pip-nc-narrow"

    def strip_nsg(docs: dict[str, dict[str, Any]]) -> None:
        docs[nic]["properties"].pop("networkSecurityGroup")
        docs[pip]["sku"] = {"name": sku}

    graph, _ = build(strip_nsg)
    vm = rid("vm", "vm-nc-narrow")
    edge = graph.edge("internet", vm, "INTERNET_EXPOSED")
    assert (edge is not None) is exposed
    if edge is not None:
        assert edge["evidence"]["via"].endswith("on no NSG on nic-nc-narrow")
        assert edge["evidence"]["ports"] == "tcp/*, udp/*"
