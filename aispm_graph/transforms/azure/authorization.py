"""Role definitions and assignments: the inputs of the Azure RBAC deriver."""

from __future__ import annotations

from aispm_graph.knowledge.azure.arm import norm, subscription_of
from aispm_graph.knowledge.azure.roles import builtin_roles, from_arm, role_guid
from aispm_graph.transforms.azure.builder import AzureBuilder, Res, looks_like_guid, props
from aispm_graph.transforms.registry import service


@service(
    "azure",
    "authorization",
    reads=[
        "microsoft.authorization/roledefinitions",
        "microsoft.authorization/roleassignments",
    ],
    order=70,
)
def authorization(b: AzureBuilder) -> None:
    """Custom definitions first; an assignment falls back to the built-in catalogue."""
    collected = {}
    for rid, res in b.resources("microsoft.authorization/roledefinitions"):

        def _one(rid: str = rid, res: Res = res) -> None:
            role = from_arm(res)
            if role is None:
                b.ctx.warn(
                    f"azure: {rid}: roleDefinition: field 'properties.roleName' or "
                    "'permissions' missing; skipped"
                )
                return
            collected[role.id] = role

        b.guarded(rid, "microsoft.authorization/roledefinitions", _one)
    catalogue = builtin_roles()
    for rid, res in b.resources("microsoft.authorization/roleassignments"):

        def _one(rid: str = rid, res: Res = res) -> None:
            p = props(res)
            role_id = str(p.get("roleDefinitionId") or "")
            principal = str(p.get("principalId") or "")
            scope = str(
                p.get("scope") or rid.split("/providers/microsoft.authorization/")[0] or "/"
            )
            if not role_id or not principal:
                b.ctx.warn(
                    f"azure: {rid}: roleAssignment: field 'roleDefinitionId' or "
                    "'principalId' missing; skipped"
                )
                return
            role = collected.get(role_guid(role_id)) or catalogue.get(role_guid(role_id))
            if role is None:
                b.ctx.warn(
                    f"azure: {rid}: roleAssignment: role definition {role_guid(role_id)} "
                    "not collected and not a known built-in role; its permissions are "
                    "unknown, so no access is derived from it"
                )
            listed_for = sorted(s for s in b.doc_scopes.get(rid, ()) if looks_like_guid(s))
            b.graph.add_node(
                rid,
                "AzureRoleAssignment",
                f"{role.name if role else role_guid(role_id)} @ {scope}",
                role_name=role.name if role else None,
                role_definition_id=role_guid(role_id),
                role_source=role.source if role else None,
                actions=list(role.actions) if role else None,
                not_actions=list(role.not_actions) if role else None,
                data_actions=list(role.data_actions) if role else None,
                not_data_actions=list(role.not_data_actions) if role else None,
                principal_id=principal.lower(),
                principal_type=p.get("principalType"),
                scope=norm(scope) or "/",
                condition=p.get("condition"),
                collected_for_subscriptions=listed_for or None,
                tenant=subscription_of(rid) or None,
            )

        b.guarded(rid, "microsoft.authorization/roleassignments", _one)
