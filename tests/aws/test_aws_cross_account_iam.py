"""Cross-account authorization and resource control policies in the IAM evaluator."""

from __future__ import annotations

from typing import Any

from aispm_graph.knowledge.aws.iam import Principal, Resource, Tri, evaluate, parse_policy

A, B = "111111111111", "222222222222"
OBJ = Resource("arn:aws:s3:::b-data/train/x.jsonl")


def pol(*statements: dict[str, Any]) -> Any:
    return parse_policy({"Version": "2012-10-17", "Statement": list(statements)}, "p")


def caller(account: str, allow: bool = True) -> Principal:
    stmts = [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}] if allow else []
    return Principal(f"arn:aws:iam::{account}:role/app", "role", pol(*stmts))


GRANT_A = pol(
    {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{A}:root"},
        "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::b-data/*",
    }
)
RCP = [
    pol(
        {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"},
        {
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": "*",
            "Condition": {"StringNotEquals": {"aws:PrincipalAccount": B}},
        },
    )
]


def test_cross_account_needs_both_sides() -> None:
    both = evaluate(caller(A), "s3:GetObject", OBJ, resource_policy=GRANT_A, resource_account=B)
    assert both.allowed is Tri.YES
    no_grant = evaluate(caller(A), "s3:GetObject", OBJ, resource_policy=[], resource_account=B)
    assert no_grant.allowed is Tri.NO
    assert no_grant.reason == "no resource policy grants the caller's account"
    no_allow = evaluate(
        caller(A, allow=False), "s3:GetObject", OBJ, resource_policy=GRANT_A, resource_account=B
    )
    assert no_allow.allowed is Tri.NO
    assert no_allow.reason == "the caller's own policies do not allow it"
    # the same account-root grant inside one account only delegates to IAM
    same = evaluate(caller(B, allow=False), "s3:GetObject", OBJ, resource_policy=GRANT_A)
    assert same.allowed is Tri.NO


def test_resource_control_policy_blocks_outsiders_only() -> None:
    outsider = evaluate(
        caller(A), "s3:GetObject", OBJ, resource_policy=GRANT_A, resource_account=B, rcps=RCP
    )
    assert outsider.allowed is Tri.NO and outsider.reason == "explicit deny"
    insider = evaluate(caller(B), "s3:GetObject", OBJ, resource_account=B, rcps=RCP)
    assert insider.allowed is Tri.YES
    # an RCP level without any Allow for the action blocks everyone
    closed = [pol({"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*"})]
    shut = evaluate(caller(B), "s3:GetObject", OBJ, resource_account=B, rcps=closed)
    assert shut.reason == "not allowed by resource control policies"
