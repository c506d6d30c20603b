"""Key vaults: network exposure and whether access is RBAC or access policies."""

from __future__ import annotations

from aispm_graph.transforms.azure.builder import AzureBuilder, Res, enabled, obj, props
from aispm_graph.transforms.registry import service


@service(
    "azure",
    "keyvault",
    reads=[
        "microsoft.keyvault/vaults",
    ],
    order=52,
)
def keyvault(b: AzureBuilder) -> None:
    """Before ML workspaces, which link their key vault."""
    for rid, res in b.resources("microsoft.keyvault/vaults"):

        def _one(rid: str = rid, res: Res = res) -> None:
            p = props(res)
            acls = obj(p.get("networkAcls"))
            b.resource_node(
                rid,
                "AzureKeyVault",
                res,
                public_network_access=enabled(p.get("publicNetworkAccess")),
                network_default_action=acls.get("defaultAction") or "Allow",
                rbac_authorization=bool(p.get("enableRbacAuthorization")),
            )

        b.guarded(rid, "microsoft.keyvault/vaults", _one)
