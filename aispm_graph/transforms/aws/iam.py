"""IAM: users, groups, roles, managed policies, instance profiles and access keys.

The policy documents are stored on the principals (``policies``, ``permissions_boundary``,
``trust_policy``) for the IAM evaluator of the AWS derivers; this module decides nothing.
"""

from __future__ import annotations

from typing import Any

from aispm_graph.transforms.aws.builder import AwsBuilder, policy_doc, tags_of
from aispm_graph.transforms.registry import service

DETAILS = "get_account_authorization_details"


@service(
    "aws",
    "iam",
    reads=[("iam", DETAILS), ("iam", "list_access_keys")],
    order=10,
)
def iam(b: AwsBuilder) -> None:
    """Principals and policies first: every later service attaches roles by ARN."""
    for body in b.responses("iam", DETAILS):
        _details(b, body["response"])
    # By name, once: the keys' answers name their user, and a scan of the graph per key is
    # quadratic on large accounts. Only this account's users (names repeat across accounts).
    users = {
        str(d["name"]): nid
        for nid, d in b.graph.nodes("AWSUser")
        if nid.split(":")[4:5] == [b.account]
    }
    for body in b.responses("iam", "list_access_keys"):
        user = str(body["params"].get("UserName", ""))
        keys = body["response"].get("AccessKeyMetadata", [])
        for i, key in enumerate(keys if isinstance(keys, list) else []):
            with b.guard("list_access_keys", key, index=i):
                _access_key(b, users.get(user), user, key)


def _details(b: AwsBuilder, r: dict[str, Any]) -> None:
    managed: dict[str, dict[str, Any]] = {}
    for i, pol in enumerate(b.listed(r, "Policies", DETAILS)):
        with b.guard(DETAILS, pol, index=i):
            arn = pol.get("Arn")
            default = next(
                (v for v in pol.get("PolicyVersionList", []) if v.get("IsDefaultVersion")), None
            )
            if not arn or default is None:
                b.warn("no default version; skipped", record=str(arn or pol.get("PolicyName")))
                continue
            doc = policy_doc(default.get("Document"))
            managed[arn] = {"name": pol.get("PolicyName", arn), "arn": arn, "document": doc}
            b.node(
                arn,
                "AWSPolicy",
                pol.get("PolicyName", arn),
                document=doc,
                attachment_count=pol.get("AttachmentCount"),
                # Every version: iam:SetDefaultPolicyVersion can switch to any of them.
                versions=[
                    {
                        "id": v.get("VersionId"),
                        "default": bool(v.get("IsDefaultVersion")),
                        "document": policy_doc(v.get("Document")),
                    }
                    for v in pol.get("PolicyVersionList", [])
                ],
            )

    def policies(item: dict[str, Any], inline_key: str) -> list[dict[str, Any]]:
        out = []
        for p in item.get(inline_key, []):
            out.append(
                {
                    "name": f"inline policy {p.get('PolicyName')} of "
                    f"{item.get('UserName') or item.get('RoleName') or item.get('GroupName')}",
                    "inline": p.get("PolicyName"),
                    "document": policy_doc(p.get("PolicyDocument")),
                }
            )
        for att in item.get("AttachedManagedPolicies", []):
            pol = managed.get(att.get("PolicyArn", ""))
            if pol is None:
                b.warn(
                    f"attached policy {att.get('PolicyArn')} "
                    "has no document in the collected details; not evaluated",
                    record=str(item.get("Arn")),
                )
                continue
            out.append(pol)
        return out

    def boundary(item: dict[str, Any]) -> Any:
        pb = item.get("PermissionsBoundary") or {}
        arn = pb.get("PermissionsBoundaryArn")
        if not arn:
            return None
        pol = managed.get(arn)
        if pol is None:
            b.warn(
                f"permission boundary {arn} not collected; treated as allowing nothing",
                record=str(item.get("Arn")),
            )
            return {"name": arn, "arn": arn, "document": {"Statement": []}}
        return pol

    groups: dict[str, str] = {}
    for i, grp in enumerate(b.listed(r, "GroupDetailList", DETAILS)):
        with b.guard(DETAILS, grp, index=i):
            arn = grp["Arn"]
            groups[grp["GroupName"]] = arn
            b.node(arn, "AWSGroup", grp["GroupName"], policies=policies(grp, "GroupPolicyList"))
    for i, user in enumerate(b.listed(r, "UserDetailList", DETAILS)):
        with b.guard(DETAILS, user, index=i):
            arn = user["Arn"]
            b.node(
                arn,
                "AWSUser",
                user["UserName"],
                policies=policies(user, "UserPolicyList"),
                permissions_boundary=boundary(user),
                tags=tags_of(user.get("Tags")),
                groups=list(user.get("GroupList", [])),
            )
            for gname in user.get("GroupList", []):
                if gname in groups:
                    b.edge(arn, groups[gname], "MEMBER_OF")
            for att in user.get("AttachedManagedPolicies", []):
                b.edge(arn, att.get("PolicyArn", ""), "POLICY")
    for i, role in enumerate(b.listed(r, "RoleDetailList", DETAILS)):
        with b.guard(DETAILS, role, index=i):
            arn = role["Arn"]
            b.node(
                arn,
                "AWSRole",
                role["RoleName"],
                trust_policy=policy_doc(role.get("AssumeRolePolicyDocument")),
                policies=policies(role, "RolePolicyList"),
                permissions_boundary=boundary(role),
                tags=tags_of(role.get("Tags")),
                path=role.get("Path"),
            )
            for att in role.get("AttachedManagedPolicies", []):
                b.edge(arn, att.get("PolicyArn", ""), "POLICY")
            for prof in role.get("InstanceProfileList", []):
                b.node(
                    prof["Arn"], "AWSInstanceProfile", prof.get("InstanceProfileName", ""), role=arn
                )
                b.edge(prof["Arn"], arn, "ATTACHED_TO")


def _access_key(b: AwsBuilder, user_arn: str | None, user: str, key: dict[str, Any]) -> None:
    kid = key.get("AccessKeyId")
    if user_arn is None or not kid:
        b.warn("user not in IAM details; skipped", record=f"access key of {user}")
        return
    key_id = f"arn:aws:iam::{b.account}:access-key/{kid}"
    last = key.get("AccessKeyLastUsed") or {}
    b.node(
        key_id,
        "AccountAccessKey",
        kid,
        status=key.get("Status"),
        last_used=str(last.get("LastUsedDate") or "") or None,
        last_used_service=last.get("ServiceName"),
    )
    b.edge(user_arn, key_id, "HAS_CREDENTIAL")
    if key.get("Status") == "Active":
        b.edge(key_id, user_arn, "AUTHENTICATES_AS", mechanism="access key")
        b.graph.set_prop(user_arn, "long_lived_credentials", True)
