"""Entra ID principals from Microsoft Graph: names, guests, other tenants' applications and the
transitive members of groups that hold roles."""

from __future__ import annotations

from typing import Any

from aispm_graph.external import add_external_account
from aispm_graph.graph.model import SchemaError
from aispm_graph.knowledge.azure.directory import MEMBERS_FIELD, PrincipalInfo, classify_principal
from aispm_graph.knowledge.azure.entra_roles import (
    AGENT_IDENTITY_TYPE,
    APP_ROLES_FIELD,
    APPLICATION_FIELD,
    BUILTIN_ACTIONS,
    BUILTIN_NAMES,
    CREDENTIALS_FIELD,
    GRAPH_APP_ROLES,
    OWNERS_FIELD,
    RESET_PROTECTION,
    ROLE_ASSIGNMENT_TYPE,
    ROLE_DEFINITION_TYPE,
    TENANT_ADMIN_ROLES,
)
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
    for nid, data in b.graph.nodes():
        if data.get("principal_id") and data["kind"] != "AzureRoleAssignment":
            by_oid.setdefault(str(data["principal_id"]).lower(), nid)
    warned_unknown_tenant = False
    for oid, obj in objects:
        info = classify_principal(obj, ours)
        if info is None:
            continue
        nid = by_oid.get(oid) or f"entra/{info.plural}/{oid}"
        kind = b.graph.node(nid)["kind"] if b.graph.has_node(nid) else info.kind
        try:
            b.graph.add_node(nid, kind, info.name, principal_id=oid, **info.props)
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
    resettable = _password_resetters(objects)
    role_groups = _directory_role_holders(objects)
    for oid, obj in objects:
        members = obj.get(MEMBERS_FIELD)
        if isinstance(members, list) and oid in by_oid:
            _members(
                b, by_oid[oid], members, by_oid, ours, resettable, holds_role=oid in role_groups
            )
    _agent_identities(b, objects, by_oid)
    for oid, obj in objects:
        if oid in by_oid:
            with b.guard("directory object", obj):
                _ownership(b, by_oid[oid], obj, by_oid, ours)
    _directory_roles(b, objects, by_oid, ours)


def _principal_node(
    b: AzureBuilder, obj: Any, by_oid: dict[str, str], ours: set[str], why: str
) -> str | None:
    """The node of an owner or role holder: the one already made, else a new one (guests and
    other tenants' applications with the foreign tenant that controls them)."""
    if not isinstance(obj, dict):
        return None
    oid = str(obj.get("id") or "").strip().lower()
    if not oid:
        return None
    if oid in by_oid:
        return by_oid[oid]
    info = classify_principal(obj, ours)
    if info is None or info.kind == "EntraGroup":
        return None
    nid = f"entra/{info.plural}/{oid}"
    try:
        b.graph.add_node(nid, info.kind, info.name, principal_id=oid, **info.props)
    except SchemaError as exc:
        b.ctx.warn(f"azure: {why} {oid}: {exc}; skipped")
        return None
    by_oid[oid] = nid
    if info.foreign_tenant is not None:
        _foreign(b, nid, info)
    return nid


def _assumed_breach(b: AzureBuilder, nid: str) -> None:
    """A member user who can escalate through the directory is an assumed-breach entry: its
    password is a long-lived credential (guests are entries through their home tenant)."""
    data = b.graph.node(nid)
    if data["kind"] == "EntraUser" and not data.get("external"):
        b.graph.set_prop(nid, "long_lived_credentials", True)


def _credential_counts(summary: Any) -> tuple[int, int]:
    if not isinstance(summary, dict):
        return 0, 0
    counts = []
    for key in ("passwordCredentials", "keyCredentials"):
        row = summary.get(key)
        n = row.get("count") if isinstance(row, dict) else 0
        counts.append(n if isinstance(n, int) and n > 0 else 0)
    return counts[0], counts[1]


def _ownership(
    b: AzureBuilder, nid: str, obj: dict[str, Any], by_oid: dict[str, str], ours: set[str]
) -> None:
    """``OWNS`` from the owners of a service principal, its application and a group; the
    application's name and credential counts onto the service principal."""
    data = b.graph.node(nid)
    owned: dict[str, list[str]] = {}
    if data["kind"] == "EntraGroup":
        types = obj.get("groupTypes")
        b.graph.update_props(
            nid,
            role_assignable=obj.get("isAssignableToRole") is True,
            dynamic_membership=isinstance(types, list)
            and any(str(t).lower() == "dynamicmembership" for t in types),
        )
    for owner in obj.get(OWNERS_FIELD) or []:
        who = _principal_node(b, owner, by_oid, ours, "owner")
        if who is not None and who != nid:
            owned.setdefault(who, []).append(
                "group" if data["kind"] == "EntraGroup" else "service principal"
            )
    grants = obj.get(APP_ROLES_FIELD)
    if isinstance(grants, list):
        names = sorted(
            {
                GRAPH_APP_ROLES[str(g.get("appRoleId") or "").lower()]
                for g in grants
                if isinstance(g, dict) and str(g.get("appRoleId") or "").lower() in GRAPH_APP_ROLES
            }
        )
        if names:
            b.graph.set_prop(nid, "graph_app_roles", names)
    pwd, key = _credential_counts(obj.get(CREDENTIALS_FIELD))
    app = obj.get(APPLICATION_FIELD)
    if isinstance(app, dict) and data["kind"] in {"AzureServicePrincipal", "EntraAgentIdentity"}:
        b.graph.update_props(
            nid,
            app_object_id=str(app.get("id") or "").lower() or None,
            app_display_name=app.get("displayName") or data.get("app_display_name"),
        )
        apwd, akey = _credential_counts(app.get(CREDENTIALS_FIELD))
        pwd, key = pwd + apwd, key + akey
        for owner in app.get(OWNERS_FIELD) or []:
            who = _principal_node(b, owner, by_oid, ours, "application owner")
            if who is not None and who != nid:
                owned.setdefault(who, []).append(
                    "agent identity blueprint"
                    if data["kind"] == "EntraAgentIdentity"
                    else "application"
                )
    if data["kind"] in {"AzureServicePrincipal", "EntraAgentIdentity"} and (
        obj.get(CREDENTIALS_FIELD) is not None or isinstance(app, dict)
    ):
        b.graph.update_props(nid, password_credentials=pwd, key_credentials=key)
        if (pwd or key) and not data.get("external"):
            b.graph.set_prop(nid, "long_lived_credentials", True)
    for who, what in sorted(owned.items()):
        _assumed_breach(b, who)
        b.graph.add_edge(
            who,
            nid,
            "OWNS",
            {
                "owner_of": sorted(set(what)),
                "grant": f"{b.graph.node(who)['name']} is an owner of the "
                + " and the ".join(sorted(set(what)))
                + f" {data['name']}",
            },
        )


def _agent_identities(
    b: AzureBuilder, objects: list[tuple[str, dict[str, Any]]], by_oid: dict[str, str]
) -> None:
    """Entra Agent ID identities: service principals agents act as. Their Azure role
    assignments attach to these nodes (by object id) like any principal's."""
    for oid, obj in objects:
        if str(obj.get("@odata.type") or "").lower() != AGENT_IDENTITY_TYPE:
            continue
        with b.guard("agent identity", obj):
            nid = by_oid.get(oid) or f"entra/agentidentities/{oid}"
            if b.graph.has_node(nid) and b.graph.node(nid)["kind"] != "EntraAgentIdentity":
                continue  # already modelled as another principal (kept as it is)
            name = str(obj.get("displayName") or f"agent identity {oid}")
            enabled = obj.get("accountEnabled")
            b.graph.add_node(
                nid,
                "EntraAgentIdentity",
                name,
                principal_id=oid,
                app_id=obj.get("appId") or None,
                blueprint=obj.get("agentIdentityBlueprintId") or None,
                account_enabled=enabled if isinstance(enabled, bool) else None,
            )
            by_oid[oid] = nid


def _directory_roles(
    b: AzureBuilder,
    objects: list[tuple[str, dict[str, Any]]],
    by_oid: dict[str, str],
    ours: set[str],
) -> None:
    """``EntraRoleAssignment`` nodes with the role's resource actions, ``ASSIGNED`` from the
    holder: the Entra escalation techniques decide from them who can add credentials, reset
    passwords or add group members."""
    definitions: dict[str, dict[str, Any]] = {}
    for oid, obj in objects:
        if str(obj.get("@odata.type") or "").lower() == ROLE_DEFINITION_TYPE:
            definitions[oid] = obj
            template = str(obj.get("templateId") or "").lower()
            if template:
                definitions.setdefault(template, obj)
    for _oid, obj in objects:
        if str(obj.get("@odata.type") or "").lower() != ROLE_ASSIGNMENT_TYPE:
            continue
        with b.guard("directory role assignment", obj):
            holder_oid = str(obj["principalId"]).strip().lower()
            role_id = str(obj["roleDefinitionId"]).strip().lower()
            holder = by_oid.get(holder_oid)
            if holder is None:
                # the holder's directory object was not read (refused): a named placeholder,
                # so the assignment still says who holds the role
                holder = _principal_node(
                    b,
                    {"@odata.type": "#microsoft.graph.servicePrincipal", "id": holder_oid},
                    by_oid,
                    ours,
                    "role holder",
                )
            if holder is None:
                continue
            role = definitions.get(role_id)
            actions: list[str] | None
            if role is not None:
                actions = sorted(
                    {
                        a
                        for rp in role.get("rolePermissions") or []
                        if isinstance(rp, dict)
                        for a in rp.get("allowedResourceActions") or []
                        if isinstance(a, str)
                    }
                )
                name = str(role.get("displayName") or BUILTIN_NAMES.get(role_id) or role_id)
                template = str(role.get("templateId") or role_id).lower()
                built_in = role.get("isBuiltIn") is not False
            else:
                known = BUILTIN_ACTIONS.get(role_id)
                actions = list(known) if known is not None else None
                name = BUILTIN_NAMES.get(role_id, f"directory role {role_id}")
                template, built_in = role_id, role_id in BUILTIN_NAMES
            scope = str(obj.get("directoryScopeId") or "/")
            aid = f"entra/roleassignments/{obj['id']}"
            b.graph.add_node(
                aid,
                "EntraRoleAssignment",
                f"{name} @ {scope}",
                holder_id=holder_oid,
                role_name=name,
                role_template_id=template,
                directory_scope=scope,
                allowed_actions=actions,
                built_in=built_in,
            )
            b.graph.add_edge(holder, aid, "ASSIGNED", {"role": name, "scope": scope})
            _assumed_breach(b, holder)


def _foreign(b: AzureBuilder, nid: str, info: PrincipalInfo) -> None:
    """The foreign tenant that can sign in as a guest or another tenant's application."""
    tenant = str(info.foreign_tenant)
    ext = add_external_account(
        b.graph, f"entra/tenants/{tenant}", f"Entra tenant {tenant}", tenant, "azure"
    )
    b.graph.add_edge(ext, nid, "CAN_ASSUME", info.evidence, "inferred")


def _password_resetters(objects: list[tuple[str, dict[str, Any]]]) -> bool:
    """Does someone hold a tenant-wide password-reset role (other than the tenant admins,
    whose paths end at the subscriptions)? Then a group's member users are a way into it."""
    for _oid, obj in objects:
        if str(obj.get("@odata.type") or "").lower() != ROLE_ASSIGNMENT_TYPE:
            continue
        role = str(obj.get("roleDefinitionId") or "").lower()
        if (
            role in RESET_PROTECTION
            and role not in TENANT_ADMIN_ROLES
            and str(obj.get("directoryScopeId") or "/") == "/"
        ):
            return True
    return False


def _directory_role_holders(objects: list[tuple[str, dict[str, Any]]]) -> set[str]:
    """Object ids that hold a directory role (a group's members hold it through the group)."""
    return {
        str(obj.get("principalId") or "").lower()
        for _oid, obj in objects
        if str(obj.get("@odata.type") or "").lower() == ROLE_ASSIGNMENT_TYPE
    }


def _members(
    b: AzureBuilder,
    group: str,
    members: list[Any],
    by_oid: dict[str, str],
    ours: set[str],
    resettable: bool = False,
    *,
    holds_role: bool = False,
) -> None:
    """``MEMBER_OF`` from each (transitive) member to a group that holds roles.

    Members already in the graph (managed identities of compute, service principals) are
    linked as they are; guests and other tenants' applications are added with their
    foreign tenant, since through the group they are a way in. Other members of our own
    tenant are a way in only when someone can reset their passwords (``resettable``: a
    password-reset directory role is held), and are attackers when the group holds a
    directory role (``holds_role``: an assumed-breach entry, as a direct holder is);
    otherwise they add nothing to a path (they are not entries), so they are only counted.
    """
    gname = b.graph.node(group)["name"]
    for obj in members:
        info = classify_principal(obj, ours) if isinstance(obj, dict) else None
        if info is None or info.kind == "EntraGroup":
            continue  # nested groups: their members are listed here already
        oid = str(obj.get("id") or "").lower()
        nid = by_oid.get(oid)
        if nid is None:
            if info.foreign_tenant is None and not (
                (resettable or holds_role) and info.kind == "EntraUser"
            ):
                b.ctx.stats["azure.group_members_not_modelled"] += 1
                continue
            nid = f"entra/{info.plural}/{oid}"
            try:
                b.graph.add_node(nid, info.kind, info.name, principal_id=oid, **info.props)
            except SchemaError as exc:
                b.ctx.warn(f"azure: member {oid} of group {gname}: {exc}; skipped")
                continue
            by_oid[oid] = nid
            if info.foreign_tenant is not None:
                _foreign(b, nid, info)
        if holds_role:
            _assumed_breach(b, nid)
        b.graph.add_edge(
            nid,
            group,
            "MEMBER_OF",
            {
                "group": gname,
                "membership": "member, directly or through nested groups "
                "(Microsoft Graph transitiveMembers)",
                "fix": f"Remove {b.graph.node(nid)['name']} from group {gname} (or from the "
                "nested group that brings it in), or move the group's role assignments to "
                "a group without it",
            },
        )
