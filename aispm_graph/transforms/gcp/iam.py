"""Service accounts (also those known only from their IAM policy), user-managed keys and
custom roles."""

from __future__ import annotations

import re
from typing import Any

from aispm_graph.transforms.gcp.builder import GcpBuilder
from aispm_graph.transforms.registry import service

ROLE = "iam.googleapis.com/Role"
SERVICE_ACCOUNT = "iam.googleapis.com/ServiceAccount"
SERVICE_ACCOUNT_KEY = "iam.googleapis.com/ServiceAccountKey"


@service("gcp", "iam", reads=[SERVICE_ACCOUNT, SERVICE_ACCOUNT_KEY, ROLE], order=10)
def iam(b: GcpBuilder) -> None:
    """Service accounts before everything that runs as one (compute, Vertex, Cloud Run, ...)."""
    b.each((SERVICE_ACCOUNT,), _service_account, policy_only_ok=True)
    for asset in b.assets_of(SERVICE_ACCOUNT):
        if "resource" not in asset and "iam_policy" in asset:
            with b.guard(SERVICE_ACCOUNT, label=asset["name"]):
                _sa_policy_only(b, asset)
    b.each((SERVICE_ACCOUNT_KEY,), _sa_key)
    b.each((ROLE,), _custom_role)


def _service_account(b: GcpBuilder, asset: dict[str, Any]) -> None:
    data = asset.get("resource", {}).get("data", {})
    email = data.get("email")
    if not email and "resource" in asset:
        b.ctx.warn(f"gcp: {asset['name']}: field 'resource.data.email' missing; skipped")
        return
    if not email:
        return  # an IAM policy without its resource: bindings attach once we know the SA
    node = b.add(
        asset,
        "GCPServiceAccount",
        str(email),
        email=email,
        disabled=bool(data.get("disabled", False)),
        unique_id=data.get("uniqueId"),
    )
    b.sa_by_email[str(email)] = node
    b.sa_by_asset[asset["name"]] = node


def _sa_policy_only(b: GcpBuilder, asset: dict[str, Any]) -> None:
    """An SA's IAM_POLICY record whose RESOURCE record was not collected."""
    email = asset["name"].rsplit("/", 1)[-1]
    if "@" not in email:
        b.ctx.warn(
            f"gcp: {asset['name']}: IAM policy of an uncollected service account "
            "(unknown email); bindings ignored"
        )
        return
    node = b.sa_node(email)
    b.graph.set_prop(node, "iam_bindings", asset["iam_policy"]["bindings"])
    b.graph.set_prop(node, "ancestors", b.ancestors(asset))


def _sa_key(b: GcpBuilder, asset: dict[str, Any]) -> None:
    data = asset.get("resource", {}).get("data", {})
    if str(data.get("keyType", "USER_MANAGED")) != "USER_MANAGED":
        return  # Google-managed keys never leave Google
    m = re.search(r"serviceAccounts/([^/]+)/keys/", str(data.get("name") or ""))
    sa_ref = m.group(1) if m else None
    sa_node = None
    if sa_ref and "@" in sa_ref:
        sa_node = b.sa_node(sa_ref)
    else:
        sa_node = b.sa_by_asset.get(asset["name"].split("/keys/")[0])
    if sa_node is None or not b.graph.has_node(sa_node):
        b.ctx.warn(f"gcp: {asset['name']}: key of an unknown service account; skipped")
        return
    key = b.add(
        asset,
        "GCPServiceAccountKey",
        asset["name"].rsplit("/", 1)[-1],
        status="Inactive" if data.get("disabled") else "Active",
        valid_after=data.get("validAfterTime"),
        valid_before=data.get("validBeforeTime"),
    )
    if not data.get("disabled"):
        b.graph.set_prop(sa_node, "long_lived_credentials", True)
        b.edge(sa_node, key, "HAS_CREDENTIAL")
        b.edge(key, sa_node, "AUTHENTICATES_AS", mechanism="user-managed service account key")


def _custom_role(b: GcpBuilder, asset: dict[str, Any]) -> None:
    data = asset.get("resource", {}).get("data", {})
    if data.get("deleted"):
        return
    name = str(data.get("name") or "")
    perms = data.get("includedPermissions") or []
    if name and isinstance(perms, list):
        b.custom_roles[name] = [str(p) for p in perms]
