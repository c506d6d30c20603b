"""The Azure AI posture checks on their peers' pass and fail cases (Defender for Cloud, AzTS,
CloudSploit, Checkov, Prowler's AI Search and Databricks checks), read by the real azure-mgmt
clients from the ARM replay server and built into the graph the checks run on."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from aispm_graph.build import BuildContext, build_graph
from aispm_graph.graph.model import Graph
from aispm_graph.providers.azure.collect import AzureCollector, StaticTokenCredential
from aispm_graph.recommendations.evaluate import evaluate
from tests.azure.arm_replay import ArmReplay

pytestmark = pytest.mark.integration

SUB = "22222222-3333-4444-5555-666666666666"
RG = f"/subscriptions/{SUB}/resourceGroups/rg-ai/providers"
LAW = f"{RG}/Microsoft.OperationalInsights/workspaces/law"
APPROVED = [
    {
        "id": "pec1",
        "properties": {
            "privateEndpoint": {"id": f"{RG}/Microsoft.Network/privateEndpoints/pe1"},
            "privateLinkServiceConnectionState": {"status": "Approved"},
        },
    }
]


def _res(rtype: str, name: str, props: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "id": f"{RG}/{rtype}/{name}",
        "name": name,
        "type": rtype,
        "location": "eastus",
        "properties": props,
        **extra,
    }


def _diag(owner: dict[str, Any], enabled: bool) -> dict[str, Any]:
    return {
        "id": f"{owner['id']}/providers/microsoft.insights/diagnosticSettings/to-law",
        "name": "to-law",
        "properties": {
            "workspaceId": LAW,
            "logs": [{"categoryGroup": "allLogs", "enabled": enabled}],
        },
    }


ACCOUNT_SOUND = _res(
    "Microsoft.CognitiveServices/accounts",
    "oai-sound",
    {
        "disableLocalAuth": True,
        "publicNetworkAccess": "Disabled",
        "privateEndpointConnections": APPROVED,
        "encryption": {"keySource": "Microsoft.KeyVault", "keyVaultProperties": {}},
        "restrictOutboundNetworkAccess": True,
        "allowedFqdnList": ["stdata.blob.core.windows.net"],
    },
    kind="OpenAI",
    identity={"type": "SystemAssigned", "principalId": "p-1"},
    tags={"owner": "ai-team"},
)
ACCOUNT_OPEN = _res("Microsoft.CognitiveServices/accounts", "oai-open", {}, kind="OpenAI")
HUB_OPEN = _res(
    "Microsoft.MachineLearningServices/workspaces",
    "hub-open",
    {"publicNetworkAccess": "Enabled", "managedNetwork": {"isolationMode": "Disabled"}},
    kind="Hub",
)
HUB_SOUND = _res(
    "Microsoft.MachineLearningServices/workspaces",
    "hub-sound",
    {
        "publicNetworkAccess": "Disabled",
        "privateEndpointConnections": APPROVED,
        "managedNetwork": {"isolationMode": "AllowOnlyApprovedOutbound"},
        "systemDatastoresAuthMode": "identity",
        "applicationInsights": f"{RG}/Microsoft.Insights/components/appi",
        "encryption": {
            "status": "Enabled",
            "keyVaultProperties": {"keyIdentifier": "https://kv/k"},
        },
    },
    kind="Hub",
)


def _serverless(name: str, status: str) -> dict[str, Any]:
    return {
        "id": f"{HUB_OPEN['id']}/serverlessEndpoints/{name}",
        "name": name,
        "type": "Microsoft.MachineLearningServices/workspaces/serverlessEndpoints",
        "properties": {
            "authMode": "Key",
            "contentSafety": {"contentSafetyStatus": status},
            "modelSettings": {"modelId": "azureml://registries/azureml-meta/models/Llama"},
        },
    }


SEARCH_OPEN = _res(
    "Microsoft.Search/searchServices", "srch-open", {"publicNetworkAccess": "enabled"}
)
SEARCH_SOUND = _res(
    "Microsoft.Search/searchServices",
    "srch-sound",
    {"publicNetworkAccess": "disabled", "disableLocalAuth": True},
)
DBW_OPEN = _res("Microsoft.Databricks/workspaces", "dbw-open", {"publicNetworkAccess": "Enabled"})
DBW_SOUND = _res(
    "Microsoft.Databricks/workspaces",
    "dbw-sound",
    {
        "publicNetworkAccess": "Disabled",
        "parameters": {
            "enableNoPublicIp": {"value": True},
            "customVirtualNetworkId": {"value": f"{RG}/Microsoft.Network/virtualNetworks/v"},
        },
        "encryption": {"entities": {"managedServices": {"keySource": "Microsoft.Keyvault"}}},
        "privateEndpointConnections": APPROVED,
    },
)
RESOURCES = [
    ACCOUNT_SOUND,
    ACCOUNT_OPEN,
    HUB_OPEN,
    HUB_SOUND,
    _serverless("llama-unsafe", "Disabled"),
    _serverless("llama-safe", "Enabled"),
    SEARCH_OPEN,
    SEARCH_SOUND,
    DBW_OPEN,
    DBW_SOUND,
    _diag(ACCOUNT_SOUND, True),
    _diag(HUB_SOUND, True),
    _diag(DBW_SOUND, True),
    _diag(DBW_OPEN, False),  # a setting with every log category off sends nothing
]


@pytest.fixture(scope="module")
def graph() -> Iterator[Graph]:
    server = ArmReplay(RESOURCES).start()
    try:
        result = AzureCollector(StaticTokenCredential("t"), server.url).collect(SUB)
    finally:
        server.stop()
    gaps = [c for c in result.coverage if c.status != "ok"]
    assert not gaps, gaps
    ctx = BuildContext()
    yield build_graph(result.documents, ctx)


def fired(graph: Graph, prefix: str) -> set[tuple[str, str]]:
    return {(f.check, f.name) for f in evaluate(graph) if f.check.startswith(prefix)}


def test_ai_services_accounts(graph: Graph) -> None:
    # Defender / AzTS / CloudSploit / Checkov on the two accounts: every check passes on the
    # hardened one and fails on the one left at its defaults.
    expected = {
        "AZ-AI-001",  # key access
        "AZ-AI-002",  # network not restricted
        "AZ-AI-003",  # no private link
        "AZ-AI-005",  # no diagnostic logs (no setting at all)
        "AZ-AI-006",  # public network access
        "AZ-AI-007",  # no CMK
        "AZ-AI-008",  # no managed identity
        "AZ-AI-009",  # outbound not restricted (CKV_AZURE_247)
        "AZ-AI-011",  # no tags
    }
    assert fired(graph, "AZ-AI-") == {(c, "oai-open") for c in expected}


def test_machine_learning_and_foundry_hubs(graph: Graph) -> None:
    hub = {
        "AZ-ML-001",  # public network access
        "AZ-ML-003",  # managed network isolation disabled
        "AZ-ML-005",  # no private endpoint
        "AZ-ML-006",  # no CMK
        "AZ-ML-007",  # default storage reached with account keys (the service default)
        "AZ-ML-008",  # no Application Insights
        "AZ-ML-009",  # no resource logs
    }
    assert fired(graph, "AZ-ML-") == {(c, "hub-open") for c in hub} | {
        ("AZ-ML-002", "llama-unsafe"),  # serverless endpoints use keys
        ("AZ-ML-002", "llama-safe"),
        ("AZ-ML-013", "llama-unsafe"),  # content safety disabled
    }


def test_ai_search(graph: Graph) -> None:
    # Prowler aisearch_service_not_publicly_accessible; key access as Azure Policy audits it.
    assert fired(graph, "AZ-SR-") == {("AZ-SR-001", "srch-open"), ("AZ-SR-002", "srch-open")}


def test_databricks(graph: Graph) -> None:
    # Prowler's four Databricks checks, Defender's five and CIS Azure 2.1.x.
    assert fired(graph, "AZ-DB-") == {
        (c, "dbw-open")
        for c in ("AZ-DB-001", "AZ-DB-002", "AZ-DB-003", "AZ-DB-004", "AZ-DB-005", "AZ-DB-006")
    }
