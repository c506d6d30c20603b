"""App Service (web and function apps), Automation accounts and Logic Apps: code that runs
with a managed identity.

Whoever may change what such an app runs (deploy code, change settings, write a runbook or a
workflow) acts as its managed identity; the escalation records in
:mod:`aispm_graph.escalation.azure` turn those permissions into edges to the identity.
"""

from __future__ import annotations

from functools import partial

from aispm_graph.transforms.azure.builder import AzureBuilder, Res, props
from aispm_graph.transforms.registry import service

KINDS = {
    "microsoft.web/sites": ("AzureWebApp", "App Service app"),
    "microsoft.automation/automationaccounts": ("AzureAutomationAccount", "Automation account"),
    "microsoft.logic/workflows": ("AzureLogicApp", "Logic App"),
}


@service("azure", "apps", reads=list(KINDS), order=35)
def apps(b: AzureBuilder) -> None:
    """After managed identities (user-assigned identities are nodes already)."""
    for rtype in KINDS:
        for rid, res in b.resources(rtype):
            b.guarded(rid, rtype, partial(_app, b, rtype, rid, res))


def _app(b: AzureBuilder, rtype: str, rid: str, res: Res) -> None:
    kind, what = KINDS[rtype]
    p = props(res)
    extra = {}
    if kind == "AzureWebApp":
        extra = {
            "app_kind": str(res.get("kind") or "app"),
            "public_network_access": str(p.get("publicNetworkAccess") or "Enabled").lower()
            != "disabled",
            "default_host_name": p.get("defaultHostName"),
        }
    b.resource_node(rid, kind, res, **extra)
    name = str(res.get("name") or rid.rsplit("/", 1)[-1])
    for mid in b.user_identities(res):
        b.edge(
            rid,
            mid,
            "HAS_IDENTITY",
            mechanism=f"user-assigned managed identity of the {what}",
            fix=f"Detach {mid.rsplit('/', 1)[-1]} from {name} if it does not need it, or cut "
            "the identity's roles to what the app calls",
        )
    sys_id = b.system_identity(rid, res)
    if sys_id:
        b.edge(
            rid,
            sys_id,
            "HAS_IDENTITY",
            mechanism=f"system-assigned managed identity of the {what}",
            fix=f"Disable the system-assigned identity of {name} if unused, or cut its roles",
        )
