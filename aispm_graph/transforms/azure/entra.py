"""Entra ID principals from Microsoft Graph: names, guests, other tenants' applications and the
transitive members of groups that hold roles."""

from __future__ import annotations

from typing import Any

from aispm_graph.external import add_external_account
from aispm_graph.graph.model import SchemaError
from aispm_graph.knowledge.azure.directory import MEMBERS_FIELD, PrincipalInfo, classify_principal
from aispm_graph.transforms.azure.builder import DIRECTORY_OBJECTS, AzureBuilder
from aispm_graph.transforms.registry import service


@service(
    "azure",
    "entra",
    reads=[
        DIRECTORY_OBJECTS,
        "subscriptions",
        "microsoft.management/managementgroups",
    ],
    order=100,
)
def entra(b: AzureBuilder) -> None:
    """Last: enriches the principal nodes every other service made."""
    objects = b.directory_objects()
    if not objects:
        return
    ours = b.own_tenants()
    by_oid: dict[str, str] = {}
    for nid, data in b.g.nodes():
        if data.get("principal_id") and data["kind"] != "AzureRoleAssignment":
            by_oid.setdefault(str(data["principal_id"]).lower(), nid)
    warned_unknown_tenant = False
    for oid, obj in objects:
        info = classify_principal(obj, ours)
        if info is None:
            continue
        nid = by_oid.get(oid) or f"entra/{info.plural}/{oid}"
        kind = b.g.node(nid)["kind"] if b.g.has_node(nid) else info.kind
        try:
            b.g.add_node(nid, kind, info.name, principal_id=oid, **info.props)
        except SchemaError as exc:
            b.ctx.warn(f"azure: directory object {oid}: {exc}; skipped")
            continue
        by_oid[oid] = nid
        if info.foreign_tenant is None:
            if info.needs_tenant and not ours and not warned_unknown_tenant:
                warned_unknown_tenant = True
                b.ctx.warn(
                    "azure: no subscription record with a tenantId was collected, so "
                    "applications owned by other tenants cannot be told apart"
                )
            continue
        _foreign(b, nid, info)
    for oid, obj in objects:
        members = obj.get(MEMBERS_FIELD)
        if isinstance(members, list) and oid in by_oid:
            _members(b, by_oid[oid], members, by_oid, ours)


def _foreign(b: AzureBuilder, nid: str, info: PrincipalInfo) -> None:
    """The foreign tenant that can sign in as a guest or another tenant's application."""
    tenant = str(info.foreign_tenant)
    ext = add_external_account(
        b.g, f"entra/tenants/{tenant}", f"Entra tenant {tenant}", tenant, "azure"
    )
    b.g.add_edge(ext, nid, "CAN_ASSUME", info.evidence, "inferred")


def _members(
    b: AzureBuilder, group: str, members: list[Any], by_oid: dict[str, str], ours: set[str]
) -> None:
    """``MEMBER_OF`` from each (transitive) member to a group that holds roles.

    Members already in the graph (managed identities of compute, service principals) are
    linked as they are; guests and other tenants' applications are added with their
    foreign tenant, since through the group they are a way in. Other members of our own
    tenant add nothing to a path (they are not entries), so they are only counted.
    """
    gname = b.g.node(group)["name"]
    for obj in members:
        info = classify_principal(obj, ours) if isinstance(obj, dict) else None
        if info is None or info.kind == "EntraGroup":
            continue  # nested groups: their members are listed here already
        oid = str(obj.get("id") or "").lower()
        nid = by_oid.get(oid)
        if nid is None:
            if info.foreign_tenant is None:
                b.ctx.stats["azure.group_members_not_modelled"] += 1
                continue
            nid = f"entra/{info.plural}/{oid}"
            try:
                b.g.add_node(nid, info.kind, info.name, principal_id=oid, **info.props)
            except SchemaError as exc:
                b.ctx.warn(f"azure: member {oid} of group {gname}: {exc}; skipped")
                continue
            by_oid[oid] = nid
            _foreign(b, nid, info)
        b.g.add_edge(
            nid,
            group,
            "MEMBER_OF",
            {
                "group": gname,
                "membership": "member, directly or through nested groups "
                "(Microsoft Graph transitiveMembers)",
                "fix": f"Remove {b.g.node(nid)['name']} from group {gname} (or from the "
                "nested group that brings it in), or move the group's role assignments to "
                "a group without it",
            },
        )
