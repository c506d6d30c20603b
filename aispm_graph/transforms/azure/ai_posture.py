"""Azure AI posture facts the checks read: customer-managed keys and outbound restriction of AI
Services accounts; encryption, private endpoints, default-storage authentication and
Application Insights of Azure ML / Foundry workspaces; content safety of serverless model
endpoints; Azure Databricks workspaces; and whether each AI resource's diagnostic settings send
its logs anywhere.

The inventory modules (:mod:`.cognitiveservices`, :mod:`.machinelearning`) make the nodes;
this module merges settings into them and makes the Databricks workspaces, which nothing else
reads.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from aispm_graph.transforms.azure.builder import (
    AzureBuilder,
    Res,
    approved_private_endpoints,
    enabled,
    obj,
    props,
)
from aispm_graph.transforms.registry import service

ACCOUNTS = "microsoft.cognitiveservices/accounts"
WORKSPACES = "microsoft.machinelearningservices/workspaces"
SERVERLESS = "microsoft.machinelearningservices/workspaces/serverlessendpoints"
DATABRICKS = "microsoft.databricks/workspaces"
DIAGNOSTICS = "microsoft.insights/diagnosticsettings"
_DESTINATIONS = ("workspaceId", "storageAccountId", "eventHubAuthorizationRuleId")


@service(
    "azure",
    "ai-posture",
    reads=[ACCOUNTS, WORKSPACES, SERVERLESS, DATABRICKS, DIAGNOSTICS],
    order=65,
)
def ai_posture(b: AzureBuilder) -> None:
    """After cognitive services (40) and machine learning (60), whose nodes it merges into."""
    for rid, res in b.resources(ACCOUNTS):
        b.guarded(rid, "cognitiveServicesAccount", partial(_account, b, rid, res))
    for rid, res in b.resources(WORKSPACES):
        b.guarded(rid, "workspace", partial(_workspace, b, rid, res))
    for rid, res in b.resources(SERVERLESS):
        b.guarded(rid, "serverlessEndpoint", partial(_serverless, b, rid, res))
    for rid, res in b.resources(DATABRICKS):
        b.guarded(rid, "databricksWorkspace", partial(_databricks, b, rid, res))
    for rid, res in b.resources(DIAGNOSTICS):
        b.guarded(rid, "diagnosticSettings", partial(_diagnostics, b, rid, res))


def _merge(b: AzureBuilder, rid: str, **facts: Any) -> None:
    if b.graph.has_node(rid):
        b.graph.add_node(rid, b.graph.node(rid)["kind"], **facts)


def _account(b: AzureBuilder, rid: str, res: Res) -> None:
    p = props(res)
    key_source = str(obj(p.get("encryption")).get("keySource") or "Microsoft.CognitiveServices")
    _merge(
        b,
        rid,
        cmk=key_source.lower() == "microsoft.keyvault",
        outbound_restricted=bool(p.get("restrictOutboundNetworkAccess")),
        allowed_fqdns=[str(f) for f in p.get("allowedFqdnList") or []] or None,
    )


def _workspace(b: AzureBuilder, rid: str, res: Res) -> None:
    p = props(res)
    enc = obj(p.get("encryption"))
    hub = str(res.get("kind") or "").lower() == "hub"
    facts: dict[str, Any] = {
        "cmk": str(enc.get("status") or "").lower() == "enabled"
        or bool(obj(enc.get("keyVaultProperties")).get("keyIdentifier")),
        "has_private_endpoint": bool(approved_private_endpoints(p)),
    }
    if hub:
        # Hubs reach their default storage with account keys unless set to identity (the
        # service's default is accessKey).
        facts["system_datastores_auth_mode"] = str(
            p.get("systemDatastoresAuthMode") or "accessKey"
        ).lower()
        facts["app_insights"] = bool(p.get("applicationInsights"))
    _merge(b, rid, **facts)


def _serverless(b: AzureBuilder, rid: str, res: Res) -> None:
    safety = obj(props(res).get("contentSafety"))
    status = safety.get("contentSafetyStatus")
    if status is None and "enabled" in safety:
        status = "Enabled" if safety.get("enabled") else "Disabled"
    if status is not None:
        _merge(b, rid, content_safety=str(status).capitalize())


def _param(p: dict[str, Any], name: str) -> Any:
    return obj(obj(p.get("parameters")).get(name)).get("value")


def _databricks(b: AzureBuilder, rid: str, res: Res) -> None:
    p = props(res)
    services = obj(obj(obj(p.get("encryption")).get("entities")).get("managedServices"))
    dbfs = obj(_param(p, "encryption"))
    cmk = str(services.get("keySource") or "").lower() == "microsoft.keyvault" or (
        str(dbfs.get("KeySource") or dbfs.get("keySource") or "").lower() == "microsoft.keyvault"
    )
    b.resource_node(
        rid,
        "AzureDatabricksWorkspace",
        res,
        public_network_access=enabled(p.get("publicNetworkAccess")),
        no_public_ip=bool(_param(p, "enableNoPublicIp")),
        vnet_injected=bool(_param(p, "customVirtualNetworkId")),
        cmk=cmk,
        has_private_endpoint=bool(approved_private_endpoints(p)),
        managed_resource_group=p.get("managedResourceGroupId"),
    )


def _diagnostics(b: AzureBuilder, rid: str, res: Res) -> None:
    """A stored listing of one resource's diagnostic settings (see the collector): logs are
    on when a setting enables a log category (or group) and names a destination."""
    owner = str(res.get("owner") or rid.split("/providers/microsoft.insights")[0]).lower()
    on = False
    for setting in res.get("value") or []:
        sp = props(setting) if isinstance(setting, dict) else {}
        logs = [x for x in sp.get("logs") or [] if isinstance(x, dict)]
        if any(x.get("enabled") for x in logs) and any(sp.get(d) for d in _DESTINATIONS):
            on = True
    _merge(b, owner, diagnostic_logs_enabled=on)
