"""Azure AI Search services (the usual grounding store of RAG applications)."""

from __future__ import annotations

from aispm_graph.transforms.azure.builder import (
    AzureBuilder,
    Res,
    approved_private_endpoints,
    enabled,
    obj,
    props,
    tag_roles,
)
from aispm_graph.transforms.registry import service


@service(
    "azure",
    "search",
    reads=[
        "microsoft.search/searchservices",
    ],
    order=51,
)
def search(b: AzureBuilder) -> None:
    """Before ML connections, which resolve their targets to search services."""
    for rid, res in b.resources("microsoft.search/searchservices"):

        def _one(rid: str = rid, res: Res = res) -> None:
            p = props(res)
            rules = (p.get("networkRuleSet") or {}).get("ipRules") or []
            pna = enabled(p.get("publicNetworkAccess"))
            pecs = approved_private_endpoints(p)
            auth = obj(p.get("authOptions"))
            b.resource_node(
                rid,
                "AzureSearchService",
                res,
                public_network_access=pna,
                network_default_action="Deny" if rules else "Allow",
                local_auth_enabled=not bool(p.get("disableLocalAuth")),
                auth_options=sorted(auth) or None,
                private_endpoint_only=(not pna) and bool(pecs),
                data_role=tag_roles(res) or None,
            )
            b.system_identity(rid, res)

        b.guarded(rid, "microsoft.search/searchservices", _one)
