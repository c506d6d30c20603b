"""Entra ID (directory) roles: the facts the Entra escalation techniques are decided from.

Directory roles are not Azure RBAC: they are read from Microsoft Graph
(``roleManagement/directory``), their permissions are ``microsoft.directory/...`` resource
actions, and some of what they allow depends on *whom* they act on. Microsoft documents that
dependency for password resets as a table ("Who can reset passwords", Microsoft Entra
privileged roles and permissions), encoded here as :data:`RESET_PROTECTION`; everything else is
decided from the role's ``allowedResourceActions``, so a custom role is judged the same way as a
built-in one.

Built-in roles are named by their *template id*, which is the same in every tenant.
"""

from __future__ import annotations

from collections.abc import Iterable

# Fields the collector adds to Graph documents (besides the object's own identifying fields).
OWNERS_FIELD = "owners"
APPLICATION_FIELD = "application"
CREDENTIALS_FIELD = "credentialSummary"
APP_ROLES_FIELD = "appRoleAssignments"
ROLE_DEFINITION_TYPE = "#microsoft.graph.unifiedroledefinition"
ROLE_ASSIGNMENT_TYPE = "#microsoft.graph.unifiedroleassignment"
AGENT_IDENTITY_TYPE = "#microsoft.graph.agentidentity"

GLOBAL_ADMIN = "62e90394-69f5-4237-9190-012177145e10"
PRIVILEGED_ROLE_ADMIN = "e8611ab8-c189-46e8-94e1-60213ab1f814"
PRIVILEGED_AUTH_ADMIN = "7be44c8a-adaf-4e2a-84d6-ab2649e08a13"
AUTH_ADMIN = "c4e39bd9-1100-46d3-8c65-fb160da0071f"
HELPDESK_ADMIN = "729827e3-9c14-49f7-bb1b-9608f156bbb8"
PASSWORD_ADMIN = "966707d0-3269-4727-9be2-8c3a10f19b9d"  # noqa: S105 (a role template id)
USER_ADMIN = "fe930be7-5e62-47db-91af-98c3a49a38b1"
GROUPS_ADMIN = "fdd7a751-b60b-444a-984c-02652fe8fa1c"
APP_ADMIN = "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3"
CLOUD_APP_ADMIN = "158c047a-c907-4556-b7ef-446551a6b5f7"
DIRECTORY_READERS = "88d8e3e3-8f55-4a1e-953a-9b9898b8876b"
GUEST_INVITER = "95e79109-95c0-4d8e-aee3-d01accf2d47b"
MESSAGE_CENTER_READER = "790c1fb9-7f7d-4f88-86a1-ef1f95c05c1b"
REPORTS_READER = "4a5d8f65-41da-4de4-8968-e035b65339cf"
USAGE_SUMMARY_READER = "75934031-6c7e-415a-99d7-48dbd49e875e"

BUILTIN_NAMES = {
    GLOBAL_ADMIN: "Global Administrator",
    PRIVILEGED_ROLE_ADMIN: "Privileged Role Administrator",
    PRIVILEGED_AUTH_ADMIN: "Privileged Authentication Administrator",
    AUTH_ADMIN: "Authentication Administrator",
    HELPDESK_ADMIN: "Helpdesk Administrator",
    PASSWORD_ADMIN: "Password Administrator",
    USER_ADMIN: "User Administrator",
    GROUPS_ADMIN: "Groups Administrator",
    APP_ADMIN: "Application Administrator",
    CLOUD_APP_ADMIN: "Cloud Application Administrator",
}

# Roles that reset passwords, and the target roles each may reset (None: any target).
# From Microsoft's "Who can reset passwords" table (roles assigned at tenant scope). A target
# holding any role not listed for the resetter -- any other built-in admin role, any custom
# role, or membership/ownership of a role-assignable group -- is protected from it.
_NON_ADMIN_ROWS = frozenset(
    {DIRECTORY_READERS, GUEST_INVITER, MESSAGE_CENTER_READER, REPORTS_READER, USAGE_SUMMARY_READER}
)
RESET_PROTECTION: dict[str, frozenset[str] | None] = {
    PASSWORD_ADMIN: frozenset({DIRECTORY_READERS, GUEST_INVITER, PASSWORD_ADMIN}),
    HELPDESK_ADMIN: _NON_ADMIN_ROWS | {HELPDESK_ADMIN, PASSWORD_ADMIN},
    AUTH_ADMIN: _NON_ADMIN_ROWS | {AUTH_ADMIN, PASSWORD_ADMIN},
    USER_ADMIN: _NON_ADMIN_ROWS | {GROUPS_ADMIN, HELPDESK_ADMIN, PASSWORD_ADMIN, USER_ADMIN},
    PRIVILEGED_AUTH_ADMIN: None,
    GLOBAL_ADMIN: None,
}

# Roles that, held tenant-wide, control the whole directory: Global Administrator can elevate
# itself to User Access Administrator at the Azure root scope; Privileged Role Administrator can
# assign itself Global Administrator first.
TENANT_ADMIN_ROLES = (GLOBAL_ADMIN, PRIVILEGED_ROLE_ADMIN)

# Role-assignable groups: only these roles (and the group's owners) manage their members.
ROLE_ASSIGNABLE_GROUP_MANAGERS = frozenset({GLOBAL_ADMIN, PRIVILEGED_ROLE_ADMIN})

# Microsoft Graph application permissions (app roles of the Microsoft Graph application, the
# same ids in every tenant) that control the directory: with Application.ReadWrite.All an
# application adds a secret to any other; with RoleManagement.ReadWrite.Directory it assigns
# itself Global Administrator; with AppRoleAssignment.ReadWrite.All it grants itself the former.
GRAPH_APP_ROLES = {
    "1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9": "Application.ReadWrite.All",
    "06b708a9-e830-4db3-a914-8e69da51d44f": "AppRoleAssignment.ReadWrite.All",
    "9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8": "RoleManagement.ReadWrite.Directory",
}
GRAPH_ADMIN_APP_ROLES = ("RoleManagement.ReadWrite.Directory", "AppRoleAssignment.ReadWrite.All")
GRAPH_APP_WRITE = "Application.ReadWrite.All"

APP_CREDENTIALS = "microsoft.directory/applications/credentials/update"
APP_OWNERS = "microsoft.directory/applications/owners/update"
SP_CREDENTIALS = "microsoft.directory/servicePrincipals/credentials/update"
SP_OWNERS = "microsoft.directory/servicePrincipals/owners/update"
GROUP_MEMBERS = "microsoft.directory/groups/members/update"
ROLE_ASSIGNMENTS = "microsoft.directory/roleAssignments/allProperties/allTasks"

# What the built-in roles allow of the actions above, used when the role definitions could not
# be read (RoleManagement.Read.Directory refused) but the assignments name a template id.
BUILTIN_ACTIONS: dict[str, tuple[str, ...]] = {
    GLOBAL_ADMIN: (APP_CREDENTIALS, APP_OWNERS, SP_CREDENTIALS, SP_OWNERS, GROUP_MEMBERS),
    PRIVILEGED_ROLE_ADMIN: (ROLE_ASSIGNMENTS,),
    APP_ADMIN: (APP_CREDENTIALS, APP_OWNERS, SP_CREDENTIALS, SP_OWNERS),
    CLOUD_APP_ADMIN: (APP_CREDENTIALS, APP_OWNERS, SP_CREDENTIALS, SP_OWNERS),
    GROUPS_ADMIN: (GROUP_MEMBERS,),
    USER_ADMIN: (GROUP_MEMBERS,),
}


def action_allows(granted: str, wanted: str) -> bool:
    """Does the resource action ``granted`` allow ``wanted``?

    Directory actions are ``microsoft.directory/<entity>/<property set>/<task>``;
    ``allProperties`` stands for any property set and ``allTasks`` for any task (create, read,
    update, delete). Matching is case-insensitive, as Entra treats it.
    """
    g = granted.strip().lower().split("/")
    w = wanted.strip().lower().split("/")
    if g == w:
        return True
    if len(g) != 4 or len(w) not in (3, 4) or g[:2] != w[:2]:
        return False
    w_prop, w_task = (w[2], w[3]) if len(w) == 4 else ("", w[2])
    prop_ok = g[2] == "allproperties" or g[2] == w_prop
    task_ok = g[3] == "alltasks" or g[3] == w_task
    return prop_ok and task_ok


def allowed_by(actions: Iterable[str], wanted: str) -> str | None:
    """The first granted action that allows ``wanted``, or None."""
    return next((a for a in actions if isinstance(a, str) and action_allows(a, wanted)), None)


def can_reset(resetter_roles: Iterable[str], target_roles: set[str]) -> str | None:
    """The resetter's role that may reset the password of a user holding ``target_roles``
    (template ids, plus ``"role-assignable-group"`` and ``"custom"`` markers), or None."""
    for role in resetter_roles:
        if role not in RESET_PROTECTION:
            continue
        allowed = RESET_PROTECTION[role]
        if allowed is None or target_roles <= allowed:
            return role
    return None
