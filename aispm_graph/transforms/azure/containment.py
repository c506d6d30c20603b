"""Containment: resource group → top-level resource, parent → child resource."""

from __future__ import annotations

from aispm_graph.knowledge.azure.arm import parent_of, resource_group_of
from aispm_graph.transforms.azure.builder import RESOURCE_IDS, AzureBuilder
from aispm_graph.transforms.registry import service


@service(
    "azure",
    "containment",
    reads=[
        RESOURCE_IDS,
    ],
    order=80,
)
def containment(b: AzureBuilder) -> None:
    """After every service that makes resource nodes; adds only missing ``CONTAINS`` edges."""
    for rtype, rid in b.resource_ids():
        if rtype in {"subscriptions", "resourcegroups"} or rtype.startswith(
            "microsoft.authorization"
        ):
            continue
        if not b.graph.has_node(rid):
            continue
        parent = parent_of(rid) or resource_group_of(rid)
        if parent and b.graph.has_node(parent) and not b.graph.edge(parent, rid, "CONTAINS"):
            b.edge(parent, rid, "CONTAINS")
