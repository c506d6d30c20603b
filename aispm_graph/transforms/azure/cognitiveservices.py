"""Azure OpenAI / AI Services accounts, their model deployments and AI Foundry projects."""

from __future__ import annotations

from functools import partial

from aispm_graph.knowledge.azure.arm import parent_of
from aispm_graph.transforms.azure.builder import (
    AzureBuilder,
    Res,
    approved_private_endpoints,
    enabled,
    is_whole_internet,
    obj,
    props,
)
from aispm_graph.transforms.registry import service


@service(
    "azure",
    "cognitiveservices",
    reads=[
        "microsoft.cognitiveservices/accounts",
        "microsoft.cognitiveservices/accounts/deployments",
        "microsoft.cognitiveservices/accounts/projects",
    ],
    order=40,
)
def cognitive_services(b: AzureBuilder) -> None:
    """Accounts before their deployments (a deployment takes the account's region)."""
    for rid, res in b.resources("microsoft.cognitiveservices/accounts"):
        b.guarded(rid, "cognitiveServicesAccount", partial(_account, b, rid, res))
    for rid, res in b.resources("microsoft.cognitiveservices/accounts/deployments"):
        b.guarded(rid, "deployment", partial(_deployment, b, rid, res))
    for rid, res in b.resources("microsoft.cognitiveservices/accounts/projects"):

        def _one(rid: str = rid, res: Res = res) -> None:
            p = props(res)
            b.resource_node(rid, "AzureAIFoundryProject", res, display_name=p.get("displayName"))
            b.edge(parent_of(rid), rid, "CONTAINS")
            b.system_identity(rid, res)
            b.user_identities(res)

        b.guarded(rid, "microsoft.cognitiveservices/accounts/projects", _one)


def _account(b: AzureBuilder, rid: str, res: Res) -> None:
    p = props(res)
    acls = obj(p.get("networkAcls"))
    pna = enabled(p.get("publicNetworkAccess"))
    default = str(acls.get("defaultAction") or "Allow")
    ip_rules = [str(r.get("value")) for r in acls.get("ipRules") or [] if isinstance(r, dict)]
    if default.lower() == "deny" and any(is_whole_internet(r) for r in ip_rules):
        default = "Allow"
    pecs = approved_private_endpoints(p)
    b.resource_node(
        rid,
        "AzureCognitiveServicesAccount",
        res,
        account_kind=res.get("kind"),
        custom_subdomain=p.get("customSubDomainName"),
        endpoint=p.get("endpoint"),
        public_network_access=pna,
        network_default_action=default,
        network_ip_rules=ip_rules or None,
        local_auth_enabled=not bool(p.get("disableLocalAuth")),
        private_endpoint_only=(not pna) and bool(pecs),
        private_endpoints=pecs or None,
        sku=(res.get("sku") or {}).get("name"),
        identity_principal_id=(res.get("identity") or {}).get("principalId")
        if isinstance(res.get("identity"), dict)
        else None,
    )
    b.system_identity(rid, res)
    b.user_identities(res)


def _deployment(b: AzureBuilder, rid: str, res: Res) -> None:
    p = props(res)
    model = obj(p.get("model"))
    sku = obj(res.get("sku"))
    b.resource_node(
        rid,
        "AzureOpenAIDeployment",
        res,
        model_name=model.get("name"),
        model_version=model.get("version"),
        model_format=model.get("format"),
        sku=sku.get("name"),
        capacity=sku.get("capacity"),
        version_upgrade_option=p.get("versionUpgradeOption"),
        rai_policy=p.get("raiPolicyName"),
        content_filter=bool(p.get("raiPolicyName")),
    )
    account = parent_of(rid)
    if b.graph.has_node(account):
        b.graph.set_default_prop(rid, "region", b.graph.node(account).get("region"))
    b.edge(account, rid, "SERVES", mechanism="model deployment of the account")
