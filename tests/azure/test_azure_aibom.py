"""Azure AI-BOM: Azure ML registries, compute, datastores (and their authentication),
serverless endpoints and Azure OpenAI content filters, collected by the real SDK clients from
the ARM replay (bodies shaped as the 2024-10-01 REST API returns them) and built."""

from __future__ import annotations

import json
from typing import Any

import pytest

from aispm_graph.build import BuildContext, build_graph
from aispm_graph.graph.model import Graph
from aispm_graph.providers.azure.collect import AzureCollector, StaticTokenCredential
from aispm_graph.schema import node_kind
from tests.azure.arm_replay import ArmReplay

pytestmark = pytest.mark.integration

SUB = "/subscriptions/00000000-0000-0000-0000-000000000001"
RG = f"{SUB}/resourceGroups/rg-ml"
WS = f"{RG}/providers/Microsoft.MachineLearningServices/workspaces/ws1"
ACCT = f"{RG}/providers/Microsoft.CognitiveServices/accounts/aoai1"
SA = f"{RG}/providers/Microsoft.Storage/storageAccounts/mldata"
UAI = f"{RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/ml-compute-id"


def resources() -> list[dict[str, Any]]:
    return [
        {
            "id": SA,
            "name": "mldata",
            "type": "Microsoft.Storage/storageAccounts",
            "location": "eastus",
            "kind": "StorageV2",
            "sku": {"name": "Standard_LRS"},
            "properties": {"allowBlobPublicAccess": False, "publicNetworkAccess": "Enabled"},
        },
        {
            "id": UAI,
            "name": "ml-compute-id",
            "type": "Microsoft.ManagedIdentity/userAssignedIdentities",
            "location": "eastus",
            "properties": {
                "principalId": "11111111-1111-1111-1111-111111111111",
                "clientId": "22222222-2222-2222-2222-222222222222",
                "tenantId": "33333333-3333-3333-3333-333333333333",
            },
        },
        {
            "id": WS,
            "name": "ws1",
            "type": "Microsoft.MachineLearningServices/workspaces",
            "location": "eastus",
            "kind": "Default",
            "identity": {
                "type": "SystemAssigned",
                "principalId": "44444444-4444-4444-4444-444444444444",
            },
            "properties": {"storageAccount": SA, "publicNetworkAccess": "Enabled"},
        },
        {
            "id": f"{WS}/computes/ci-alice",
            "name": "ci-alice",
            "type": "Microsoft.MachineLearningServices/workspaces/computes",
            "location": "eastus",
            "identity": {"type": "UserAssigned", "userAssignedIdentities": {UAI: {}}},
            "properties": {
                "computeType": "ComputeInstance",
                "disableLocalAuth": True,
                "properties": {
                    "vmSize": "STANDARD_DS3_V2",
                    "sshSettings": {"sshPublicAccess": "Enabled", "adminUserName": "azureuser"},
                    "enableNodePublicIp": True,
                },
            },
        },
        {
            "id": f"{WS}/computes/gpu-cluster",
            "name": "gpu-cluster",
            "type": "Microsoft.MachineLearningServices/workspaces/computes",
            "location": "eastus",
            "identity": {
                "type": "SystemAssigned",
                "principalId": "55555555-5555-5555-5555-555555555555",
            },
            "properties": {
                "computeType": "AmlCompute",
                "properties": {
                    "vmSize": "STANDARD_NC6S_V3",
                    "subnet": {
                        "id": f"{RG}/providers/Microsoft.Network/virtualNetworks/v/subnets/s"
                    },
                    "enableNodePublicIp": False,
                },
            },
        },
        {
            "id": f"{WS}/datastores/trainingdata",
            "name": "trainingdata",
            "type": "Microsoft.MachineLearningServices/workspaces/datastores",
            "properties": {
                "datastoreType": "AzureBlob",
                "accountName": "mldata",
                "containerName": "training",
                "endpoint": "core.windows.net",
                "protocol": "https",
                "isDefault": False,
                "credentials": {
                    "credentialsType": "AccountKey",
                    "secrets": {"secretsType": "AccountKey", "key": "c2VjcmV0a2V5"},
                },
            },
        },
        {
            "id": f"{WS}/datastores/workspaceblobstore",
            "name": "workspaceblobstore",
            "type": "Microsoft.MachineLearningServices/workspaces/datastores",
            "properties": {
                "datastoreType": "AzureBlob",
                "accountName": "mldata",
                "containerName": "azureml-blobstore",
                "isDefault": True,
                "credentials": {"credentialsType": "None"},
            },
        },
        {
            "id": f"{WS}/serverlessEndpoints/llama-maas",
            "name": "llama-maas",
            "type": "Microsoft.MachineLearningServices/workspaces/serverlessEndpoints",
            "location": "eastus",
            "properties": {
                "authMode": "Key",
                "modelSettings": {
                    "modelId": "azureml://registries/azureml-meta/models/Meta-Llama-3-8B-Instruct/versions/4"
                },
                "inferenceEndpoint": {"uri": "https://llama-maas.eastus.models.ai.azure.com"},
                "provisioningState": "Succeeded",
            },
        },
        {
            "id": f"{RG}/providers/Microsoft.MachineLearningServices/registries/acme-registry",
            "name": "acme-registry",
            "type": "Microsoft.MachineLearningServices/registries",
            "location": "eastus",
            "properties": {
                "publicNetworkAccess": "Disabled",
                "regionDetails": [{"location": "eastus"}],
            },
        },
        {
            "id": ACCT,
            "name": "aoai1",
            "type": "Microsoft.CognitiveServices/accounts",
            "location": "eastus",
            "kind": "OpenAI",
            "sku": {"name": "S0"},
            "properties": {"publicNetworkAccess": "Enabled", "disableLocalAuth": False},
        },
        {
            "id": f"{ACCT}/deployments/gpt4o",
            "name": "gpt4o",
            "type": "Microsoft.CognitiveServices/accounts/deployments",
            "sku": {"name": "Standard", "capacity": 10},
            "properties": {
                "model": {"format": "OpenAI", "name": "gpt-4o", "version": "2024-08-06"},
                "versionUpgradeOption": "OnceNewDefaultVersionAvailable",
                "raiPolicyName": "lenient",
            },
        },
        {
            "id": f"{ACCT}/raiPolicies/lenient",
            "name": "lenient",
            "type": "Microsoft.CognitiveServices/accounts/raiPolicies",
            "properties": {
                "type": "UserManaged",
                "mode": "Asynchronous_filter",
                "basePolicyName": "Microsoft.DefaultV2",
                "contentFilters": [
                    {"name": "Jailbreak", "enabled": False, "blocking": False, "source": "Prompt"},
                    {
                        "name": "Hate",
                        "severityThreshold": "High",
                        "blocking": True,
                        "enabled": True,
                        "source": "Prompt",
                    },
                ],
            },
        },
    ]


@pytest.fixture(scope="module")
def built() -> Any:
    server = ArmReplay(resources(), page_size=1).start()
    try:
        sub = SUB.rsplit("/", 1)[-1]
        result = AzureCollector(StaticTokenCredential("t"), server.url).collect(sub)
        ctx = BuildContext()
        yield build_graph(result.documents, ctx), ctx, result
    finally:
        server.stop()


def low(x: str) -> str:
    return x.lower()


def test_every_azure_ai_resource_is_a_node(built: Any) -> None:
    graph, _ctx, result = built
    cov = {c.service: c.status for c in result.coverage}
    for rtype in (
        "Microsoft.MachineLearningServices/workspaces/computes",
        "Microsoft.MachineLearningServices/workspaces/datastores",
        "Microsoft.MachineLearningServices/registries",
        "Microsoft.CognitiveServices/accounts/raiPolicies",
    ):
        assert cov.get(rtype) == "ok", (rtype, cov.get(rtype))
    got = {
        (n.rsplit("/", 1)[-1], d["kind"])
        for n, d in graph.nodes()
        if node_kind(d["kind"]).category == "ai"
    }
    assert {
        ("ci-alice", "AzureMLCompute"),
        ("gpu-cluster", "AzureMLCompute"),
        ("trainingdata", "AzureMLDatastore"),
        ("workspaceblobstore", "AzureMLDatastore"),
        ("llama-maas", "AzureMLServerlessEndpoint"),
        ("acme-registry", "AzureMLRegistry"),
        ("lenient", "AzureOpenAIRaiPolicy"),
        ("gpt4o", "AzureOpenAIDeployment"),
    } <= got


def test_compute_runs_as_its_identity_and_datastores_say_how_they_authenticate(built: Any) -> None:
    graph, _ctx, _r = built
    ci = low(f"{WS}/computes/ci-alice")
    assert (ci, low(UAI)) in {(s, t) for s, t, _ in graph.edges("HAS_IDENTITY")}
    assert graph.node(ci)["ssh_public_access"] is True
    gpu = low(f"{WS}/computes/gpu-cluster")
    assert any(s == gpu for s, _t, _ in graph.edges("HAS_IDENTITY"))
    key_ds = graph.node(low(f"{WS}/datastores/trainingdata"))
    assert (key_ds["auth_mode"], key_ds["stores_credentials"]) == ("AccountKey", True)
    idn_ds = graph.node(low(f"{WS}/datastores/workspaceblobstore"))
    assert (idn_ds["auth_mode"], idn_ds["stores_credentials"]) == ("None", False)
    uses = {(s, t): e["evidence"] for s, t, e in graph.edges("USES_DATASTORE")}
    ev = uses[(low(WS), low(SA))]
    assert ev["credential_datastores"] == [low(f"{WS}/datastores/trainingdata")]
    assert ev["auth_mode"] == "AccountKey"
    # the key itself never reaches the snapshot or the graph
    assert "c2VjcmV0a2V5" not in json.dumps([d.body for d in _r.documents])


def test_content_filter_and_provenance(built: Any) -> None:
    graph, _ctx, _r = built
    dep = low(f"{ACCT}/deployments/gpt4o")
    pol = low(f"{ACCT}/raiPolicies/lenient")
    assert (dep, pol) in {(s, t) for s, t, _ in graph.edges("USES_GUARDRAIL")}
    p = graph.node(pol)
    assert p["prompt_shield"] is False and "Jailbreak:prompt" in p["disabled_filters"]
    d = graph.node(dep)
    # auto-upgrading deployments are not pinned to their version
    assert (d["provenance_source"], d["provenance_id"], d["provenance_pinned"]) == (
        "foundation-model",
        "gpt-4o",
        False,
    )
    maas = graph.node(low(f"{WS}/serverlessEndpoints/llama-maas"))
    assert (maas["provenance_source"], maas["provenance_id"], maas["provenance_pinned"]) == (
        "model-registry",
        "Meta-Llama-3-8B-Instruct",
        True,
    )
    assert maas["provenance_publisher"] == "azureml-meta"


def _undeclared(graph: Graph) -> set[tuple[str, str]]:
    out = set()
    for _n, d in graph.nodes():
        kind = node_kind(d["kind"])
        if kind.category != "ai" or d["kind"] not in {
            "AzureMLCompute",
            "AzureMLDatastore",
            "AzureMLRegistry",
            "AzureMLServerlessEndpoint",
            "AzureOpenAIRaiPolicy",
        }:
            continue
        common = {"kind", "name", "provider", "collected", "arm_type"}
        declared = {p.name for p in kind.props} | common
        out |= {(d["kind"], k) for k in d if k not in declared}
    return out


def test_every_property_of_the_new_azure_kinds_is_declared(built: Any) -> None:
    graph, _ctx, _r = built
    assert _undeclared(graph) == set()


def test_no_silent_drops_every_collected_type_is_read(built: Any) -> None:
    """Completeness: every ARM resource type the collector stored is declared by a transform
    service (the builder refuses undeclared reads, so declared means read)."""
    from aispm_graph.knowledge.azure.arm import resource_type
    from aispm_graph.transforms import load_all
    from aispm_graph.transforms.registry import declared_reads

    load_all()  # registers every provider service
    _graph, _ctx, result = built
    stored = {resource_type(d.key) for d in result.documents}
    assert stored - declared_reads("azure") == set()
