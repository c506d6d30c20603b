"""User-assigned managed identities (system-assigned ones are made by their owner)."""

from __future__ import annotations

from functools import partial

from aispm_graph.transforms.azure.builder import AzureBuilder, Res, props
from aispm_graph.transforms.registry import service


@service(
    "azure",
    "managedidentity",
    reads=[
        "microsoft.managedidentity/userassignedidentities",
    ],
    order=10,
)
def managed_identities(b: AzureBuilder) -> None:
    """Before compute and AI services, whose identities refer to them."""
    for rid, res in b.resources("microsoft.managedidentity/userassignedidentities"):
        b.guarded(rid, "identity", partial(_identity, b, rid, res))


def _identity(b: AzureBuilder, rid: str, res: Res) -> None:
    p = props(res)
    b.resource_node(
        rid,
        "AzureManagedIdentity",
        res,
        principal_id=p.get("principalId"),
        client_id=p.get("clientId"),
        identity_type="UserAssigned",
    )
