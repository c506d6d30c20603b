"""AWS Organizations: the service and resource control policies that reach this account.

Stored on the account node (``scps``, ``rcps``) as one list per level of the chain (account,
OUs, root) for the IAM evaluator; the management account is never restricted by them.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from aispm_graph.transforms.aws.builder import AwsBuilder, policy_doc
from aispm_graph.transforms.registry import service


@service(
    "aws",
    "organizations",
    reads=[
        ("organizations", "describe_organization"),
        ("organizations", "list_parents"),
        ("organizations", "list_targets_for_policy"),
        ("organizations", "describe_policy"),
    ],
    order=20,
)
def organizations(b: AwsBuilder) -> None:
    """SCPs and RCPs on the account node (after ``sts``, which makes it)."""
    orgs = b.responses("organizations", "describe_organization")
    if not orgs:
        return
    org = orgs[0]["response"].get("Organization")
    if isinstance(org, dict) and org.get("MasterAccountId") == b.account:
        return  # SCPs never restrict the management account
    chain = {b.account}
    for _body, i, p in b.items("organizations", "list_parents", "Parents"):
        with b.guard("list_parents", p, index=i):
            chain.add(p.get("Id", ""))
    targets: dict[str, list[dict[str, Any]]] = {}
    for body in b.responses("organizations", "list_targets_for_policy"):
        with b.guard("list_targets_for_policy", label=body["doc"]):
            found = body["response"].get("Targets", [])
            targets[str(body["params"].get("PolicyId", ""))] = (
                found if isinstance(found, list) else []
            )
    # Service control policies limit the account's principals; resource control policies
    # (RCPs) limit access to the account's resources, whoever asks. Both come from the same
    # describe_policy answers and are told apart by the policy type.
    levels: dict[str, dict[str, list[dict[str, Any]]]] = {
        "scps": defaultdict(list),
        "rcps": defaultdict(list),
    }
    for body in b.responses("organizations", "describe_policy"):
        pol = body["response"].get("Policy", {})
        with b.guard(
            "describe_policy", pol.get("PolicySummary") if isinstance(pol, dict) else None
        ):
            _policy(pol, targets, chain, levels)
    for attr, by_level in levels.items():
        if by_level:
            b.graph.set_prop(b.acct_id, attr, [by_level[k] for k in sorted(by_level)])


def _policy(
    pol: dict[str, Any],
    targets: dict[str, list[dict[str, Any]]],
    chain: set[str],
    levels: dict[str, dict[str, list[dict[str, Any]]]],
) -> None:
    summary = pol.get("PolicySummary", {})
    ptype = str(summary.get("Type") or "")
    if not ptype:
        arn = str(summary.get("Arn") or "")
        ptype = (
            "RESOURCE_CONTROL_POLICY"
            if "/resource_control_policy/" in arn
            else "SERVICE_CONTROL_POLICY"
        )
    if ptype == "SERVICE_CONTROL_POLICY":
        which = levels["scps"]
    elif ptype == "RESOURCE_CONTROL_POLICY":
        which = levels["rcps"]
    else:
        return  # tag, backup and AI opt-out policies grant or deny nothing
    for tgt in targets.get(summary.get("Id", ""), []):
        tid = tgt.get("TargetId", "")
        if tgt.get("Type") == "ROOT" or tid in chain:
            which[tid].append(
                {
                    "name": summary.get("Name", summary.get("Id")),
                    "arn": summary.get("Arn"),
                    "document": policy_doc(pol.get("Content")),
                }
            )
