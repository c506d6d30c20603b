"""Where AI hub / project connections point: grounding stores and stored AI keys.

Connections name their target by URL (and often ``ResourceId`` metadata). A search or blob
connection is what a hub/project grounds on; an API-key connection to an AI account is a
stored key that invokes it."""

from __future__ import annotations

from aispm_graph.knowledge.azure.arm import norm, parent_of
from aispm_graph.transforms.azure.builder import (
    GROUNDING_CATEGORIES,
    AzureBuilder,
    Res,
    endpoint_host,
    hosts,
    mark_role,
    obj,
    props,
)
from aispm_graph.transforms.registry import service


@service(
    "azure",
    "connections",
    reads=[
        "microsoft.machinelearningservices/workspaces/connections",
    ],
    order=90,
)
def connection_targets(b: AzureBuilder) -> None:
    """After ML, AI accounts, search and storage: resolves URLs to their nodes."""
    by_host = hosts(b.graph)
    for rid, res in b.resources("microsoft.machinelearningservices/workspaces/connections"):

        def _one(rid: str = rid, res: Res = res) -> None:
            if not b.graph.has_node(rid):
                return
            p = props(res)
            meta = obj(p.get("metadata"))
            meta_id = next(
                (norm(str(v)) for k, v in meta.items() if str(k).lower() == "resourceid" and v),
                "",
            )
            target = (
                meta_id
                if meta_id and b.graph.has_node(meta_id)
                else by_host.get(endpoint_host(p.get("target")), "")
            )
            if not target:
                return
            b.graph.set_prop(rid, "target_resource", target)
            workspace = parent_of(rid)
            category = str(p.get("category") or "").lower()
            tkind = b.graph.node(target)["kind"]
            if category in GROUNDING_CATEGORIES and tkind in {
                "AzureSearchService",
                "AzureStorageAccount",
            }:
                mark_role(b.graph, target, "grounding")
                b.graph.add_edge(
                    workspace,
                    target,
                    "GROUNDED_ON",
                    {
                        "mechanism": f"workspace connection {res.get('name')} "
                        f"({p.get('category')}, auth {p.get('authType')})",
                        "connection": rid,
                    },
                    "inferred",
                )
            if b.graph.node(rid).get("ai_key") and tkind == "AzureCognitiveServicesAccount":
                b.edge(
                    rid,
                    target,
                    "CAN_INVOKE",
                    permission="API key stored in the connection",
                    grant=f"connection {res.get('name')} (auth {p.get('authType')})",
                    fix=f"Switch connection {res.get('name')} to Microsoft Entra ID auth and "
                    f"rotate the key of {b.graph.node(target)['name']}",
                )

        b.guarded(rid, "microsoft.machinelearningservices/workspaces/connections", _one)
