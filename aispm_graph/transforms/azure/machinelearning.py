"""Azure Machine Learning / AI Foundry hub workspaces, their endpoints and connections."""

from __future__ import annotations

from functools import partial

from aispm_graph.aibom.provenance import model_facts_from_env
from aispm_graph.knowledge.azure.arm import parent_of
from aispm_graph.transforms.azure.builder import (
    AzureBuilder,
    Res,
    approved_private_endpoints,
    enabled,
    props,
    ref_id,
)
from aispm_graph.transforms.registry import service


@service(
    "azure",
    "machinelearning",
    reads=[
        "microsoft.machinelearningservices/workspaces",
        "microsoft.machinelearningservices/workspaces/onlineendpoints",
        "microsoft.machinelearningservices/workspaces/serverlessendpoints",
        "microsoft.machinelearningservices/workspaces/onlineendpoints/deployments",
        "microsoft.machinelearningservices/workspaces/connections",
    ],
    order=60,
)
def machine_learning(b: AzureBuilder) -> None:
    """After storage and key vaults: a workspace marks its default storage as AI data."""
    for rid, res in b.resources("microsoft.machinelearningservices/workspaces"):
        b.guarded(rid, "workspace", partial(_workspace, b, rid, res))
    for rid, res in b.resources("microsoft.machinelearningservices/workspaces"):

        def _one(rid: str = rid, res: Res = res) -> None:
            p = props(res)
            hub = ref_id(p.get("hubResourceId"))
            if hub:
                b.edge(hub, rid, "CONTAINS", relation="hub -> project")

        b.guarded(rid, "microsoft.machinelearningservices/workspaces", _one)
    for rtype, endpoint_type in (
        ("microsoft.machinelearningservices/workspaces/onlineendpoints", "online"),
        ("microsoft.machinelearningservices/workspaces/serverlessendpoints", "serverless"),
    ):
        for rid, res in b.resources(rtype):
            b.guarded(
                rid,
                "endpoint",
                partial(_endpoint, b, rid, res, endpoint_type),
            )
    for rid, res in b.resources(
        "microsoft.machinelearningservices/workspaces/onlineendpoints/deployments"
    ):

        def _one(rid: str = rid, res: Res = res) -> None:
            p = props(res)
            ep = parent_of(rid)
            if b.graph.has_node(ep):
                b.graph.append_to_prop(
                    ep,
                    "deployments",
                    {
                        "name": res.get("name"),
                        "model": p.get("model"),
                        "instance_type": p.get("instanceType"),
                    },
                )
            _online_deployment(b, rid, res)

        b.guarded(
            rid,
            "microsoft.machinelearningservices/workspaces/onlineendpoints/deployments",
            _one,
        )
    for rid, res in b.resources("microsoft.machinelearningservices/workspaces/connections"):
        b.guarded(rid, "connection", partial(_connection, b, rid, res))


def _online_deployment(b: AzureBuilder, rid: str, res: Res) -> None:
    """A deployment of an online endpoint: the model asset it serves and its environment.

    The model id (``azureml://registries/<r>/models/<m>/versions/<v>`` or a workspace model's
    ARM id) is its provenance (the provenance deriver reads ``registry_model``); a serving
    container's environment variables may name a Hugging Face repository instead. Only the
    model-naming variables are kept, never the values of the others.
    """
    p = props(res)
    env = p.get("environmentVariables")
    model = p.get("model")
    b.resource_node(
        rid,
        "AzureMLOnlineDeployment",
        res,
        registry_model=model if isinstance(model, str) and model else None,
        environment=p.get("environmentId") or None,
        instance_type=p.get("instanceType"),
        endpoint_compute_type=p.get("endpointComputeType") or res.get("kind"),
        egress_public_network_access=p.get("egressPublicNetworkAccess"),
        app_insights_enabled=p.get("appInsightsEnabled"),
        **model_facts_from_env(env if isinstance(env, dict) else {}),
    )
    b.edge(parent_of(rid), rid, "CONTAINS", relation="online endpoint deployment")
    b.system_identity(rid, res)


def _workspace(b: AzureBuilder, rid: str, res: Res) -> None:
    p = props(res)
    kind = str(res.get("kind") or "Default")
    b.resource_node(
        rid,
        "AzureMLWorkspace",
        res,
        workspace_kind={"hub": "Hub", "project": "Project"}.get(kind.lower(), "Default"),
        public_network_access=enabled(p.get("publicNetworkAccess")),
        private_endpoint_only=(not enabled(p.get("publicNetworkAccess")))
        and bool(approved_private_endpoints(p)),
        hub=ref_id(p.get("hubResourceId")) or None,
        isolation_mode=(p.get("managedNetwork") or {}).get("isolationMode"),
    )
    b.system_identity(rid, res)
    b.user_identities(res)
    storage = ref_id(p.get("storageAccount"))
    if storage and b.graph.has_node(storage):
        held = b.graph.node(storage).get("data_role") or []
        b.graph.set_prop(storage, "data_role", sorted(set(held) | {"model-artifact", "training"}))
        b.edge(
            rid,
            storage,
            "USES_DATASTORE",
            mechanism="default workspace storage (datastores, models, uploaded data)",
        )
    kv = ref_id(p.get("keyVault"))
    if kv and b.graph.has_node(kv):
        b.edge(rid, kv, "CONTAINS", relation="workspace key vault")


def _endpoint(b: AzureBuilder, rid: str, res: Res, endpoint_type: str) -> None:
    p = props(res)
    model = (p.get("modelSettings") or {}).get("modelId")
    # A serverless (model-as-a-service) endpoint is one catalogue model: its own kind, so it
    # carries that model's provenance (registry asset id).
    serverless = endpoint_type == "serverless"
    b.resource_node(
        rid,
        "AzureMLServerlessEndpoint" if serverless else "AzureMLOnlineEndpoint",
        res,
        registry_model=model if serverless else None,
        model_id=model if serverless else None,
        endpoint_type=endpoint_type,
        auth_mode=p.get("authMode") or ("Key" if endpoint_type == "serverless" else None),
        public_network_access=enabled(p.get("publicNetworkAccess")),
        scoring_uri=p.get("scoringUri") or (p.get("inferenceEndpoint") or {}).get("uri"),
        model=(p.get("modelSettings") or {}).get("modelId"),
    )
    b.system_identity(rid, res)
    b.edge(parent_of(rid), rid, "SERVES", mechanism=f"{endpoint_type} endpoint of the workspace")


def _connection(b: AzureBuilder, rid: str, res: Res) -> None:
    p = props(res)
    auth = str(p.get("authType") or "")
    category = str(p.get("category") or "")
    b.resource_node(
        rid,
        "AzureMLConnection",
        res,
        category=category,
        auth_type=auth,
        target_url=p.get("target"),
        shared_to_all=p.get("isSharedToAll"),
        ai_key=auth.lower() in {"apikey", "accesskey", "accountkey", "sas", "customkeys"}
        and category.lower()
        in {
            "azureopenai",
            "aiservices",
            "cognitiveservice",
            "cognitivesearch",
            "serverless",
            "openai",
        },
    )
    b.edge(parent_of(rid), rid, "CONTAINS")
