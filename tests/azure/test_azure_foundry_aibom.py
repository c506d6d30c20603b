"""Azure ML AI-BOM facts for the posture checks: online deployments as nodes with their model's
provenance, and whether compute runs in a virtual network and refuses local authentication
(AZ-ML-010 / AZ-ML-011), collected by the real SDK clients from the ARM replay."""

from __future__ import annotations

from typing import Any

import pytest

from aispm_graph.build import BuildContext, build_graph
from aispm_graph.graph.model import Graph
from aispm_graph.knowledge.azure.arm import norm
from aispm_graph.providers.azure.collect import AzureCollector, StaticTokenCredential
from aispm_graph.recommendations.evaluate import evaluate
from tests.azure.arm_replay import ArmReplay
from tests.azure.test_azure_aibom import RG, SUB, WS, resources

WS_MANAGED = f"{RG}/providers/Microsoft.MachineLearningServices/workspaces/ws-managed"
EP = f"{WS}/onlineEndpoints/ep-chat"


def extra() -> list[dict[str, Any]]:
    return [
        {
            "id": WS_MANAGED,
            "name": "ws-managed",
            "type": "Microsoft.MachineLearningServices/workspaces",
            "location": "eastus",
            "kind": "Default",
            "properties": {
                "publicNetworkAccess": "Disabled",
                "managedNetwork": {"isolationMode": "AllowOnlyApprovedOutbound"},
            },
        },
        {
            "id": f"{WS_MANAGED}/computes/ci-managed",
            "name": "ci-managed",
            "type": "Microsoft.MachineLearningServices/workspaces/computes",
            "location": "eastus",
            "properties": {
                "computeType": "ComputeInstance",
                "disableLocalAuth": True,
                "properties": {"vmSize": "STANDARD_DS3_V2", "enableNodePublicIp": False},
            },
        },
        {
            "id": EP,
            "name": "ep-chat",
            "type": "Microsoft.MachineLearningServices/workspaces/onlineEndpoints",
            "location": "eastus",
            "identity": {"type": "SystemAssigned", "principalId": "66666666-6666-6666-6666-66"},
            "properties": {
                "authMode": "AADToken",
                "publicNetworkAccess": "Disabled",
                "scoringUri": "https://ep-chat.eastus.inference.ml.azure.com/score",
                "provisioningState": "Succeeded",
            },
        },
        {
            "id": f"{EP}/deployments/registry",
            "name": "registry",
            "type": "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments",
            "location": "eastus",
            "kind": "Managed",
            "sku": {"name": "Default", "capacity": 1},
            "properties": {
                "endpointComputeType": "Managed",
                "model": "azureml://registries/azureml/models/Phi-3-mini-4k-instruct/versions/14",
                "instanceType": "Standard_NC24ads_A100_v4",
                "egressPublicNetworkAccess": "Disabled",
                "appInsightsEnabled": True,
                "provisioningState": "Succeeded",
            },
        },
        {
            "id": f"{EP}/deployments/tgi",
            "name": "tgi",
            "type": "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments",
            "location": "eastus",
            "kind": "Managed",
            "properties": {
                "endpointComputeType": "Managed",
                "environmentId": f"{WS}/environments/tgi-env/versions/3",
                "environmentVariables": {
                    "HF_MODEL_ID": "mistralai/Mistral-7B-Instruct-v0.3",
                    "HF_TOKEN": "hf_never_stored_value",
                },
                "instanceType": "Standard_NC24ads_A100_v4",
                "egressPublicNetworkAccess": "Enabled",
                "provisioningState": "Succeeded",
            },
        },
    ]


@pytest.fixture(scope="module")
def graph() -> Graph:
    server = ArmReplay([*resources(), *extra()], page_size=2).start()
    try:
        sub = SUB.rsplit("/", 1)[-1]
        docs = AzureCollector(StaticTokenCredential("t"), server.url, retry_total=1).collect(sub)
    finally:
        server.stop()
    return build_graph(docs.documents, BuildContext())


def test_online_deployments_are_nodes_with_model_provenance(graph: Graph) -> None:
    deps = {n.rsplit("/", 1)[-1]: d for n, d in graph.nodes("AzureMLOnlineDeployment")}
    assert {
        (name, d["provenance_source"], d["provenance_id"], d.get("provenance_revision"))
        for name, d in deps.items()
    } == {
        ("registry", "model-registry", "Phi-3-mini-4k-instruct", "14"),
        ("tgi", "huggingface", "mistralai/Mistral-7B-Instruct-v0.3", None),
    }
    assert deps["registry"]["provenance_pinned"] is True
    assert deps["tgi"]["provenance_pinned"] is False  # no revision: unpinned
    assert deps["tgi"]["egress_public_network_access"] == "Enabled"
    assert deps["tgi"]["environment"] == f"{WS}/environments/tgi-env/versions/3"
    assert "hf_never_stored_value" not in repr(deps["tgi"])
    assert graph.g.has_edge(norm(EP), norm(f"{EP}/deployments/tgi"), "CONTAINS")


def test_compute_network_and_local_auth_facts_and_their_checks(graph: Graph) -> None:
    compute = {n.rsplit("/", 1)[-1]: d for n, d in graph.nodes("AzureMLCompute")}
    assert {
        (name, d["in_vnet"], d["local_auth_disabled"], d.get("managed_network"))
        for name, d in compute.items()
    } == {
        ("ci-alice", False, True, None),  # public node IP, no subnet
        ("gpu-cluster", True, False, None),  # its own subnet, local auth left on
        ("ci-managed", True, True, "AllowOnlyApprovedOutbound"),  # workspace managed network
    }
    found = {
        (f.check, f.resource.rsplit("/", 1)[-1])
        for f in evaluate(graph)
        if f.check in {"AZ-ML-010", "AZ-ML-011"}
    }
    assert found == {("AZ-ML-010", "ci-alice"), ("AZ-ML-011", "gpu-cluster")}
