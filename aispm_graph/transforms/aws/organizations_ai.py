"""Whether an AWS Organizations AI services opt-out policy covers the account.

An opt-out policy attached to the root, to an OU above the account or to the account itself,
whose ``services.default.opt_out_policy`` assigns ``optOut`` and lets no child policy change it
(``@@operators_allowed_for_child_policies: ["@@none"]``, as the Prowler peer requires), stops
AWS AI services from storing and using the content they process. Other inheritance operators
are not evaluated: a per-service opt-out is not counted as opting the whole account out.
"""

from __future__ import annotations

import json
from typing import Any

from aispm_graph.transforms.aws.builder import AwsBuilder
from aispm_graph.transforms.registry import service

AI_OPT_OUT = "AISERVICES_OPT_OUT_POLICY"


@service(
    "aws",
    "organizations-ai",
    reads=[
        ("organizations", "describe_organization"),
        ("organizations", "list_parents"),
        ("organizations", "describe_policy"),
        ("organizations", "list_targets_for_policy"),
    ],
    order=25,
)
def organizations_ai(b: AwsBuilder) -> None:
    """After organizations; sets ``ai_opt_out`` (and the policy names) on the account node."""
    if not b.responses("organizations", "describe_organization"):
        return  # not in an organisation, or not readable: unknown, not "no policy"
    chain = {b.account}
    for _body, i, parent in b.items("organizations", "list_parents", "Parents"):
        with b.guard("list_parents", parent, index=i):
            chain.add(str(parent["Id"]))
    targets: dict[str, list[dict[str, Any]]] = {}
    for i, body in enumerate(b.responses("organizations", "list_targets_for_policy")):
        with b.guard("list_targets_for_policy", index=i):
            listed = body["response"].get("Targets") or []
            targets[str(body["params"]["PolicyId"])] = [t for t in listed if isinstance(t, dict)]
    applying: list[str] = []
    for i, body in enumerate(b.responses("organizations", "describe_policy")):
        with b.guard("describe_policy", index=i):
            pol = body["response"].get("Policy") or {}
            summary = pol.get("PolicySummary") or {}
            is_ai = summary.get("Type") == AI_OPT_OUT or "/aiservices_opt_out_policy/" in str(
                summary.get("Arn", "")
            )
            if not is_ai or not opts_out_by_default(pol.get("Content")):
                continue
            for tgt in targets.get(str(summary.get("Id", "")), []):
                if tgt.get("Type") == "ROOT" or tgt.get("TargetId") in chain:
                    applying.append(str(summary.get("Name") or summary.get("Id")))
                    break
    b.graph.add_node(
        b.acct_id,
        "AWSAccount",
        ai_opt_out=bool(applying),
        ai_opt_out_policies=sorted(applying),
    )


def opts_out_by_default(content: Any) -> bool:
    if isinstance(content, str):
        try:
            content = json.loads(content)
        except ValueError:
            return False
    if not isinstance(content, dict):
        return False
    default = ((content.get("services") or {}).get("default") or {}).get("opt_out_policy")
    if not isinstance(default, dict):
        return False
    locked = default.get("@@operators_allowed_for_child_policies") == ["@@none"]
    return str(default.get("@@assign")).lower() == "optout" and locked
