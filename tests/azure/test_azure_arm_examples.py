"""Microsoft's own REST examples (azure-rest-api-specs x-ms-examples) through the SDK and the
transform: the shapes we parse are the shapes ARM returns."""

from __future__ import annotations

import re
from typing import Any

from aispm_graph.build import BuildContext, build_graph
from aispm_graph.graph.model import Graph
from aispm_graph.knowledge.azure.arm import norm
from aispm_graph.providers.azure.collect import AzureCollector, StaticTokenCredential
from aispm_graph.workspace import Document
from tests.azure.arm_replay import ArmReplay
from tests.azure.conftest import example_bodies

RG1 = "/subscriptions/subid/resourcegroups/rg1/providers/microsoft.network"


# Same resource ids as a richer example (the Create response carries the identity); one
# resource id is one node, so keep the richer record.
SHADOWED = {
    "compute_2024-07-01_VirtualMachine_Get.json",
    "machinelearningservices_2024-10-01_Workspace_listBySubscription.json",
}


def example_documents() -> list[Document]:
    docs = []
    for name, body in example_bodies().items():
        if name in SHADOWED:
            continue
        for item in body.get("value", [body]):
            rid = item.get("id")
            if isinstance(rid, str) and rid.startswith("/"):  # the ML list example has "string"
                docs.append(Document("azure", "examples", f"{name}:{norm(rid)}", item))
    return docs


def build(docs: list[Document]) -> tuple[Graph, BuildContext]:
    ctx = BuildContext()
    return build_graph(docs, ctx), ctx


def test_network_examples_collected_through_the_sdk(examples_server: ArmReplay) -> None:
    result = AzureCollector(StaticTokenCredential("t"), examples_server.url).collect("subid")
    cov = {c.service: c for c in result.coverage}
    assert cov["Microsoft.Network/networkSecurityGroups"].count == 2
    assert cov["Microsoft.Network/networkInterfaces"].count == 2
    assert cov["Microsoft.Network/publicIPAddresses"].count == 3
    graph, _ctx = build(result.documents)
    nsg1 = f"{RG1}/networksecuritygroups/nsg1"
    rules = {graph.node(r)["name"] for s, r, _ in graph.edges("HAS_RULE") if s == nsg1}
    assert {"AllowVnetInBound", "AllowAzureLoadBalancerInBound", "DenyAllInBound"} <= rules
    deny = graph.node(f"{nsg1}/defaultsecurityrules/denyallinbound")
    assert (deny["access"], deny["priority"], deny["source_prefixes"]) == ("deny", 65500, ["*"])


def test_all_examples_transform_with_only_the_unknown_role_and_dangling_reference_warnings() -> (
    None
):
    graph, ctx = build(example_documents())
    # the role assignment example points at a custom role that is not in the snapshot: say so
    [role] = [w for w in ctx.warnings if "permissions are unknown" in w]
    assert "roleassignments/b0f43c54" in role
    # The examples are fragments: some reference a subnet, NIC or account that no example
    # contains. Those edges are reported (operation, edge kind, first records), never dropped
    # silently.
    dangling = {
        m.groups()
        for w in ctx.warnings
        if (m := re.match(r"azure: (\w+): \d+ (\w+) edge\(s\) not made, endpoint not in", w))
    }
    assert dangling == {
        ("deployment", "SERVES"),
        ("networkInterface", "ATTACHED_TO"),
        ("virtualMachine", "ATTACHED_TO"),
    }
    assert len(ctx.warnings) == 1 + len(dangling)
    kinds: dict[str, int] = {}
    for _nid, data in graph.nodes():
        kinds[data["kind"]] = kinds.get(data["kind"], 0) + 1
    for kind in (
        "AzureCognitiveServicesAccount",
        "AzureOpenAIDeployment",
        "AzureVirtualMachine",
        "AzureNetworkSecurityGroup",
        "AzureNSGRule",
        "AzureNetworkInterface",
        "AzurePublicIPAddress",
        "AzureStorageAccount",
        "AzureMLWorkspace",
        "AzureRoleAssignment",
        "AzureManagedIdentity",
    ):
        assert kinds.get(kind), kind


def test_example_fields_land_on_the_documented_properties() -> None:
    graph, _ = build(example_documents())
    deployment = next(d for _n, d in graph.nodes("AzureOpenAIDeployment"))
    assert (deployment["model_name"], deployment["model_version"]) == ("ada", "1")
    ws: dict[str, Any] = next(
        d for n, d in graph.nodes("AzureMLWorkspace") if d["name"] == "testworkspace"
    )
    assert ws["public_network_access"] is False
    vm_with_identity = [
        (s, t)
        for s, t, _ in graph.edges("HAS_IDENTITY")
        if graph.node(s)["kind"] == "AzureVirtualMachine"
    ]
    assert (
        vm_with_identity
    )  # the Create_WithEncryptionIdentity response carries a UserAssigned identity
    # the NIC example references a public IP that the PIP example does not contain: no address
    assert graph.node(f"{RG1}/networkinterfaces/test-nic").get("public_ip") is None
