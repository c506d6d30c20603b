"""Who really controls an Entra principal: our tenant, Microsoft, or someone outside.

A role assignment names an object id in our directory, but two kinds of principal are
authenticated elsewhere:

* a **guest** (B2B) user: its sign-in name carries ``#EXT#`` and its home tenant (or email
  provider) vouches for it, so whoever controls that identity holds its Azure roles;
* the service principal of a **multi-tenant application** registered in another tenant
  (``appOwnerOrganizationId``): that tenant holds the application's credentials.

Microsoft's own first-party applications (owner tenant ``f8cdef31-...``) are outside our tenant
too, but they are the platform itself, so they are marked ``first_party`` and not treated as an
external way in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MICROSOFT_TENANT = "f8cdef31-a31e-4b4a-93e4-5f571e91255a"
# A group's members (nested groups flattened) are stored on the group's document under this key.
MEMBERS_FIELD = "transitiveMembers"
UNKNOWN_HOME = "unknown-guest-home"


@dataclass
class PrincipalInfo:
    kind: str
    plural: str
    name: str
    props: dict[str, Any] = field(default_factory=dict)
    foreign_tenant: str | None = None  # tenant id or domain that can sign in as it
    needs_tenant: bool = False  # owner known, but our own tenant is not
    evidence: dict[str, Any] = field(default_factory=dict)


def guest_home(upn: str, mail: str) -> str:
    """Home domain of a guest: ``alice_fabrikam.com#EXT#@contoso.onmicrosoft.com`` ->
    ``fabrikam.com``; else the mail domain; else ''."""
    lowered = upn.lower()
    local = upn[: lowered.index("#ext#")] if "#ext#" in lowered else ""
    if "_" in local:
        domain = local.rsplit("_", 1)[1].strip().lower()
        if "." in domain:
            return domain
    if "@" in mail:
        return mail.rsplit("@", 1)[1].strip().lower()
    return ""


def _text(obj: dict[str, Any], key: str) -> str:
    value = obj.get(key)
    return value.strip() if isinstance(value, str) else ""


def classify_principal(obj: dict[str, Any], own_tenants: set[str]) -> PrincipalInfo | None:
    """Node kind, properties and (for guests and other tenants' apps) the foreign tenant."""
    otype = _text(obj, "@odata.type").lower()
    oid = _text(obj, "id").lower()
    if not oid:
        return None
    display = _text(obj, "displayName")
    if otype == "#microsoft.graph.user":
        return _user(obj, oid, display)
    if otype == "#microsoft.graph.serviceprincipal":
        return _service_principal(obj, oid, display, own_tenants)
    if otype == "#microsoft.graph.group":
        return PrincipalInfo("EntraGroup", "groups", display or f"group {oid}")
    return None


def _user(obj: dict[str, Any], oid: str, display: str) -> PrincipalInfo:
    upn = _text(obj, "userPrincipalName")
    user_type = _text(obj, "userType")
    guest = user_type.lower() == "guest" or "#ext#" in upn.lower()
    info = PrincipalInfo(
        "EntraUser",
        "users",
        display or upn or f"user {oid}",
        {
            "user_type": user_type or ("Guest" if guest else None),
            "user_principal_name": upn or None,
            "external_user_state": _text(obj, "externalUserState") or None,
            "external": guest,
        },
    )
    if not guest:
        return info
    home = guest_home(upn, _text(obj, "mail"))
    info.props["home_domain"] = home or None
    info.foreign_tenant = home or UNKNOWN_HOME
    who = home or "an unknown home tenant"
    info.evidence = {
        "permission": "sign-in as a B2B guest",
        "statement": f"guest user {upn or oid}"
        + "".join(
            f", {label} {value}"
            for label, value in (
                ("userType", user_type),
                ("invitation", _text(obj, "externalUserState")),
            )
            if value
        ),
        "policy": "Entra B2B collaboration (guest access)",
        "grant": f"guest account of {who}",
        "technique": f"whoever controls the {who} identity (its home tenant or email account) "
        f"signs in as {display or upn} and uses its Azure role assignments",
        "reason": f"{display or upn} is a guest: {who} authenticates it, outside the collected "
        "tenant, so its security is unknown",
        "fix": f"Remove the role assignments of guest {display or upn} "
        f"(az role assignment delete --assignee {oid}) or delete the guest if no longer needed; "
        f"limit B2B collaboration with {who} in the cross-tenant access settings",
    }
    return info


def _service_principal(
    obj: dict[str, Any], oid: str, display: str, own_tenants: set[str]
) -> PrincipalInfo:
    owner = _text(obj, "appOwnerOrganizationId").lower()
    app_id = _text(obj, "appId")
    sp_type = _text(obj, "servicePrincipalType")
    first_party = owner == MICROSOFT_TENANT
    foreign = bool(owner) and not first_party and bool(own_tenants) and owner not in own_tenants
    info = PrincipalInfo(
        "AzureServicePrincipal",
        "serviceprincipals",
        display or _text(obj, "appDisplayName") or f"service principal {oid}",
        {
            "app_id": app_id or None,
            "app_owner_tenant": owner or None,
            "service_principal_type": sp_type or None,
            "sign_in_audience": _text(obj, "signInAudience") or None,
            "first_party": first_party,
            "external": foreign,
        },
    )
    if foreign:
        info.foreign_tenant = owner
        app = _text(obj, "appDisplayName") or display or app_id
        info.evidence = {
            "permission": "authenticate as the application (its credentials live in the owner "
            "tenant)",
            "statement": f"service principal of multi-tenant application {app} ({app_id}) "
            f"owned by tenant {owner}",
            "policy": "multi-tenant application consent",
            "grant": f"application {app_id} registered in tenant {owner}",
            "technique": f"whoever holds a credential of application {app} in tenant {owner} "
            f"signs in to our tenant as {display or app} and uses its Azure role assignments",
            "reason": f"tenant {owner} owns the application and was not collected: who holds "
            "its credentials is unknown",
            "fix": f"Remove the role assignments of {display or app} "
            f"(az role assignment delete --assignee {oid}); if the application is needed, "
            "require assignment and conditional access for it, or replace it with an "
            f"application registered in your own tenant; restrict tenant {owner} in the "
            "cross-tenant access settings",
        }
    elif owner and not first_party and not own_tenants:
        info.needs_tenant = True
    return info
