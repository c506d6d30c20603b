"""Microsoft Entra ID (directory) escalation techniques, one record each.

They ride on Entra, not on Azure RBAC: ownership of applications, service principals and
groups, and directory roles (read from Microsoft Graph ``roleManagement/directory``). The
permissions are directory resource actions, matched against the ``allowedResourceActions`` of
the holder's role (built-in or custom), so a custom role with
``microsoft.directory/applications/credentials/update`` is found like Application
Administrator. The reference list is BloodHound's AZ edges. Conditions, decided by
:mod:`aispm_graph.derive.azure_escalation`:

* ``owner``: the attacker is an owner of the object (or of the service principal's
  application); ``directory-role``: a directory role grants the permission tenant-wide
  (``/``) or on that very object (``/<object id>``); roles scoped to an administrative unit
  are not applied (unit membership is not collected);
* ``credential-allowed``: the service principal can be given a credential that signs in as
  it: not a managed identity (Azure holds its credential), not one of Microsoft's first-party
  applications (Microsoft blocks credentials on those), and for the application actions an
  application registered in this tenant;
* ``static-membership``: members are added by hand (not a dynamic group);
  ``role-assignable``: a role-assignable group's members are managed only by its owners,
  Privileged Role Administrators and Global Administrators;
* ``reset-table``: Microsoft's "Who can reset passwords" table allows the attacker's role to
  reset a user holding the target's directory roles (any role not in its row, a custom role,
  or membership of a role-assignable group protects the target);
* ``global-admin`` / ``privileged-role-admin``: the built-in role held tenant-wide;
* ``graph-app-role``: the attacker (an application or managed identity) holds the Microsoft
  Graph application permission (app role assignment), which acts tenant-wide.

A user's password reset alone may not sign in as it where multi-factor authentication is
enforced (MFA registration is not collected), so those edges are ``conditional`` and say so.
"""

from __future__ import annotations

from aispm_graph.escalation.model import Cloud, On, Refs, Technique
from aispm_graph.knowledge.azure.entra_roles import (
    APP_CREDENTIALS,
    APP_OWNERS,
    GRAPH_ADMIN_APP_ROLES,
    GRAPH_APP_WRITE,
    GROUP_MEMBERS,
    ROLE_ASSIGNMENTS,
    SP_CREDENTIALS,
    SP_OWNERS,
)

AZ = Cloud.AZURE
RESET_ACTION = "microsoft.directory/users/password/update"
ELEVATE = "Microsoft.Authorization/elevateAccess/Action"
SP = ("AzureServicePrincipal",)

TECHNIQUES: tuple[Technique, ...] = (
    Technique(
        id="az-entra-owner-add-credential",
        cloud=AZ,
        title="Owner of an application or service principal adds a credential to it",
        on=On.IDENTITY,
        all_of=(),
        any_of=(APP_CREDENTIALS, SP_CREDENTIALS),
        resource_kinds=SP,
        conditions=("owner", "credential-allowed"),
        sentence="as an owner ({grant}), add a client secret to {resource} and sign in as "
        "its service principal {target}",
        fix="Remove {attacker} from the owners of {resource} ({grant}); manage the "
        "application through a role scoped to it instead",
        refs=Refs(bloodhound="AZOwns, AZAddSecret"),
    ),
    Technique(
        id="az-entra-agent-blueprint-owner",
        cloud=AZ,
        title="Owner of an agent identity blueprint adds a credential and acts as its agent "
        "identities",
        on=On.IDENTITY,
        all_of=(APP_CREDENTIALS,),
        resource_kinds=("EntraAgentIdentity",),
        conditions=("owner",),
        sentence="as an owner ({grant}), add a client secret to the blueprint {resource} and "
        "obtain tokens for its agent identity {target}",
        fix="Remove {attacker} from the owners of agent identity blueprint {resource} "
        "({grant}); give the blueprint a certificate or managed identity credential held by "
        "the agent platform only",
        refs=Refs(
            other="Microsoft Learn: agent identity blueprints (owners manage the blueprint's "
            "credentials, which obtain tokens for its agent identities)"
        ),
    ),
    Technique(
        id="az-entra-role-add-credential",
        cloud=AZ,
        title="A directory role that updates application or service principal credentials "
        "(Application Administrator, Cloud Application Administrator, custom)",
        on=On.IDENTITY,
        all_of=(),
        any_of=(APP_CREDENTIALS, SP_CREDENTIALS),
        resource_kinds=SP,
        conditions=("directory-role", "credential-allowed"),
        sentence="with {grant}, add a client secret to {resource} and sign in as its service "
        "principal {target}",
        fix="Remove the directory role assignment of {attacker} ({grant}), or scope it to the "
        "applications it manages; move the Azure roles of {target} to an identity without "
        "secrets (a managed identity)",
        refs=Refs(bloodhound="AZAddSecret, AZAppAdmin, AZCloudAppAdmin"),
    ),
    Technique(
        id="az-entra-role-add-owner",
        cloud=AZ,
        title="A directory role that changes application or service principal owners",
        on=On.IDENTITY,
        all_of=(),
        any_of=(APP_OWNERS, SP_OWNERS),
        resource_kinds=SP,
        conditions=("directory-role", "credential-allowed"),
        sentence="with {grant}, make itself an owner of {resource}, add a client secret and "
        "sign in as its service principal {target}",
        fix="Remove the directory role assignment of {attacker} ({grant}), or scope it to the "
        "applications it manages",
        refs=Refs(bloodhound="AZAddOwner"),
    ),
    Technique(
        id="az-entra-group-owner-add-member",
        cloud=AZ,
        title="Owner of a group that holds Azure roles adds itself to it",
        on=On.GROUP,
        all_of=(GROUP_MEMBERS,),
        resource_kinds=("EntraGroup",),
        conditions=("owner",),
        sentence="as an owner of group {target} ({grant}), add itself as a member and use the "
        "group's Azure role assignments",
        fix="Remove {attacker} from the owners of group {target}, or move the group's Azure "
        "role assignments to a group whose owners already hold them",
        refs=Refs(bloodhound="AZOwns, AZAddMembers"),
    ),
    Technique(
        id="az-entra-role-add-member",
        cloud=AZ,
        title="A directory role that manages group members (Groups Administrator, User "
        "Administrator, custom) adds itself to a group that holds Azure roles",
        on=On.GROUP,
        all_of=(GROUP_MEMBERS,),
        resource_kinds=("EntraGroup",),
        conditions=("directory-role", "static-membership", "role-assignable"),
        sentence="with {grant}, add itself to group {target} and use the group's Azure role "
        "assignments",
        fix="Make group {target} role-assignable (isAssignableToRole) so that only Privileged "
        "Role Administrators manage its members, or remove the directory role assignment of "
        "{attacker} ({grant})",
        refs=Refs(bloodhound="AZAddMembers, AZGroupsAdmin"),
    ),
    Technique(
        id="az-entra-password-reset",
        cloud=AZ,
        title="A password reset role resets the password of a user it may reset",
        on=On.USER,
        all_of=(RESET_ACTION,),
        resource_kinds=("EntraUser",),
        conditions=("directory-role", "reset-table"),
        sentence="with {grant}, reset the password of {target} and sign in as it",
        fix="Remove the directory role assignment of {attacker} ({grant}), or protect "
        "{target} by putting it in a role-assignable group; require phishing-resistant MFA "
        "for {target}",
        refs=Refs(
            bloodhound="AZResetPassword, AZHelpdeskAdmin, AZUserAdmin, AZAuthAdmin",
            other="Microsoft Learn: who can reset passwords",
        ),
    ),
    Technique(
        id="az-entra-graph-add-secret",
        cloud=AZ,
        title="An application with the Microsoft Graph permission Application.ReadWrite.All "
        "adds a secret to any application",
        on=On.IDENTITY,
        all_of=(GRAPH_APP_WRITE,),
        resource_kinds=SP,
        conditions=("graph-app-role", "credential-allowed"),
        sentence="with {grant}, add a client secret to {resource} through Microsoft Graph and "
        "sign in as its service principal {target}",
        fix="Revoke the Microsoft Graph application permission {permissions} from {attacker} "
        "(Enterprise applications > Permissions) or replace it with Application.ReadWrite."
        "OwnedBy",
        refs=Refs(bloodhound="AZMGAddSecret, AZMGAddOwner"),
    ),
    Technique(
        id="az-entra-graph-grant-role",
        cloud=AZ,
        title="An application with RoleManagement.ReadWrite.Directory or "
        "AppRoleAssignment.ReadWrite.All makes itself Global Administrator",
        on=On.SCOPE,
        all_of=(),
        any_of=GRAPH_ADMIN_APP_ROLES,
        resource_kinds=("AzureSubscription",),
        conditions=("graph-app-role",),
        edge="CAN_ADMINISTER",
        sentence="with {grant}, assign itself Global Administrator through Microsoft Graph "
        "(granting itself RoleManagement.ReadWrite.Directory first where it holds only "
        "AppRoleAssignment.ReadWrite.All), elevate access and assign itself Owner of {target}",
        fix="Revoke the Microsoft Graph application permissions {permissions} from "
        "{attacker} (Enterprise applications > Permissions); an application that manages "
        "directory roles should not also hold Azure roles or long-lived secrets",
        refs=Refs(bloodhound="AZMGGrantRole, AZMGGrantAppRoles"),
    ),
    Technique(
        id="az-entra-global-admin",
        cloud=AZ,
        title="Global Administrator elevates itself to User Access Administrator at the root",
        on=On.SCOPE,
        all_of=(ELEVATE,),
        resource_kinds=("AzureSubscription",),
        conditions=("global-admin",),
        edge="CAN_ADMINISTER",
        sentence="with {grant}, elevate access (User Access Administrator at the root scope "
        "'/') and assign itself Owner of {target}",
        fix="Remove the Global Administrator assignment of {attacker} ({grant}) or make it "
        "eligible-only through Privileged Identity Management; alert on elevateAccess",
        refs=Refs(bloodhound="AZGlobalAdmin"),
    ),
    Technique(
        id="az-entra-privileged-role-admin",
        cloud=AZ,
        title="Privileged Role Administrator assigns itself Global Administrator",
        on=On.SCOPE,
        all_of=(ROLE_ASSIGNMENTS,),
        resource_kinds=("AzureSubscription",),
        conditions=("privileged-role-admin",),
        edge="CAN_ADMINISTER",
        sentence="with {grant}, assign itself Global Administrator, elevate access and assign "
        "itself Owner of {target}",
        fix="Remove the Privileged Role Administrator assignment of {attacker} ({grant}) or "
        "make it eligible-only through Privileged Identity Management",
        refs=Refs(bloodhound="AZPrivilegedRoleAdmin"),
    ),
)
