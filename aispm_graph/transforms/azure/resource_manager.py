"""Subscriptions, resource groups and the management-group tree above them."""

from __future__ import annotations

from typing import Any

from aispm_graph.knowledge.azure.arm import (
    MG_PREFIX,
    name_of,
    resource_group_of,
    subscription_id_of,
    subscription_of,
)
from aispm_graph.transforms.azure.builder import RESOURCE_IDS, AzureBuilder, obj, props, ref_id
from aispm_graph.transforms.registry import service


@service(
    "azure",
    "resource-manager",
    reads=[
        "subscriptions",
        "resourcegroups",
        "microsoft.management/managementgroups",
        RESOURCE_IDS,
    ],
    order=0,
)
def resource_manager(b: AzureBuilder) -> None:
    """First: every other resource hangs from its subscription and group (``CONTAINS``)."""
    _tenancy(b)
    _hierarchy(b)


def _tenancy(b: AzureBuilder) -> None:
    subs: set[str] = set()
    rgs: set[str] = set()
    for _rtype, rid in b.resource_ids():
        if subscription_id_of(rid):
            subs.add(subscription_id_of(rid))
        if resource_group_of(rid):
            rgs.add(resource_group_of(rid))
    listed_only = set(b.sub_entities) - subs
    subs.update(b.sub_entities)
    for sub in sorted(subs):
        res = b.resource("subscriptions", sub)
        entity = props(b.sub_entities.get(sub) or {})
        b.resource_node(
            sub,
            "AzureSubscription",
            res,
            name=(res or {}).get("displayName") or entity.get("displayName"),
            azure_tenant_id=(res or {}).get("tenantId") or entity.get("tenantId"),
            # seen only in the management-group tree: its resources are unknown
            collected=False if sub in listed_only else None,
        )
        b.graph.set_default_prop(sub, "subscription_id", subscription_of(sub))
    for rg in sorted(rgs):
        b.resource_node(rg, "AzureResourceGroup", b.resource("resourcegroups", rg))
        b.edge(subscription_id_of(rg), rg, "CONTAINS")


def _hierarchy(b: AzureBuilder) -> None:
    """Management groups and ``CONTAINS`` edges group -> child group -> subscription.

    Three inputs describe the tree: ``getEntities`` rows (groups and subscriptions with
    ``properties.parent.id``), management-group resources (``properties.details.parent``)
    and Resource Graph subscription rows (``properties.managementGroupAncestorsChain``,
    ordered from the direct parent up to the tenant root).
    """
    parents: dict[str, str] = {}
    names: dict[str, str] = {}
    tenants: dict[str, str] = {}

    def chain(child: str, ancestors: Any) -> None:
        prev = child
        for link in ancestors if isinstance(ancestors, list) else []:
            name = str(obj(link).get("name") or "").strip()
            if not name:
                break
            mg = MG_PREFIX + name.lower()
            names.setdefault(mg, str(obj(link).get("displayName") or name))
            parents.setdefault(prev, mg)
            prev = mg

    for rid, res in b.resources("microsoft.management/managementgroups"):
        p = props(res)
        names[rid] = str(p.get("displayName") or res.get("name") or name_of(rid))
        if p.get("tenantId"):
            tenants[rid] = str(p["tenantId"]).lower()
        parent = ref_id(p.get("parent")) or ref_id(obj(p.get("details")).get("parent"))
        if parent.startswith(MG_PREFIX):
            parents[rid] = parent
        chain(rid, p.get("managementGroupAncestorsChain"))
    for sid, res in sorted(b.sub_entities.items()):
        parent = ref_id(props(res).get("parent"))
        if parent.startswith(MG_PREFIX):
            parents[sid] = parent
    for sid, res in b.resources("subscriptions"):
        chain(sid, props(res).get("managementGroupAncestorsChain"))
    ours = b.own_tenants()
    for mg in sorted(set(names) | set(parents.values())):
        name = name_of(mg)
        tenant = tenants.get(mg)
        # The tenant root group is named after the tenant id and has no parent.
        root = mg not in parents and (name == tenant or name in ours)
        b.graph.add_node(
            mg,
            "AzureManagementGroup",
            names.get(mg) or name,
            mg_name=name,
            tenant=tenant or (name if root else None),
            root=root,
        )
    for child, parent in sorted(parents.items()):
        if child == parent:
            b.ctx.warn(f"azure: {child}: management group is its own parent; ignored")
            continue
        b.edge(parent, child, "CONTAINS", relation="management-group hierarchy")
