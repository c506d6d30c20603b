"""Azure Resource Manager id arithmetic shared by the collector, transform and RBAC deriver.

Node ids are ARM resource ids in lower case (DESIGN section 3). The resource *type* is derived
from the id rather than trusted from the body: Resource Graph exports lower-case it, REST
examples sometimes carry placeholders, and the id is what role-assignment scopes are compared
against anyway.
"""

from __future__ import annotations

MG_PREFIX = "/providers/microsoft.management/managementgroups/"


def norm(resource_id: str) -> str:
    """Canonical node id: lower case, no trailing slash."""
    return resource_id.strip().rstrip("/").lower()


def resource_type(resource_id: str) -> str:
    """``microsoft.compute/virtualmachines`` for a VM id; ``subscriptions`` / ``resourcegroups``
    for the two scope levels without a provider; nested types join with ``/``."""
    segs = [s for s in norm(resource_id).split("/") if s]
    if "providers" not in segs:
        if len(segs) == 2 and segs[0] == "subscriptions":
            return "subscriptions"
        if len(segs) == 4 and segs[2] == "resourcegroups":
            return "resourcegroups"
        return ""
    i = len(segs) - 1 - segs[::-1].index("providers")
    rest = segs[i + 1 :]
    if not rest:
        return ""
    types = [rest[0]] + [rest[j] for j in range(1, len(rest), 2)]
    return "/".join(types)


def subscription_of(resource_id: str) -> str:
    segs = norm(resource_id).split("/")
    if len(segs) > 2 and segs[1] == "subscriptions":
        return segs[2]
    return ""


def subscription_id_of(resource_id: str) -> str:
    sub = subscription_of(resource_id)
    return f"/subscriptions/{sub}" if sub else ""


def resource_group_of(resource_id: str) -> str:
    """The lower-cased resource group id containing the resource, or ''."""
    segs = norm(resource_id).split("/")
    if len(segs) > 4 and segs[1] == "subscriptions" and segs[3] == "resourcegroups":
        return "/".join(segs[:5])
    return ""


def parent_of(resource_id: str) -> str:
    """The parent resource of a child resource (deployment -> account), else ''."""
    segs = norm(resource_id).split("/")
    if "providers" not in segs:
        return ""
    i = len(segs) - 1 - segs[::-1].index("providers")
    if len(segs) - (i + 1) <= 3:  # namespace/type/name: top level
        return ""
    return "/".join(segs[:-2])


def name_of(resource_id: str) -> str:
    return resource_id.rstrip("/").rsplit("/", 1)[-1]


def in_scope(resource_id: str, scope: str) -> bool:
    """Whether a role assignment at ``scope`` applies to ``resource_id`` (ARM inheritance)."""
    rid, sc = norm(resource_id), norm(scope)
    return rid == sc or rid.startswith(sc + "/") or sc in {"", "/"}
