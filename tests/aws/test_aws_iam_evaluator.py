"""The IAM evaluator on its own: SCPs, wildcards, resource sets, and hostile policy text.

The moto-backed tests cover each rule end to end; these pin down the decision logic for
inputs moto cannot produce (Organizations SCPs on a member account) and fuzz the parser.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aispm_graph.knowledge.aws.iam import (
    PolicyError,
    Principal,
    Resource,
    Tri,
    evaluate,
    parse_policy,
    pattern_overlaps_prefix,
    resource_set,
)

ARN = "arn:aws:iam::123456789012:role/r"


def stmts(*statements: dict[str, Any]) -> list[Any]:
    return parse_policy({"Statement": list(statements)}, "p")


def who(*identity: dict[str, Any], scps: list[list[dict[str, Any]]] | None = None) -> Principal:
    return Principal(ARN, "role", stmts(*identity), scps=[stmts(*level) for level in scps or []])


ALLOW_ALL = {"Effect": "Allow", "Action": "*", "Resource": "*"}


def test_scp_must_allow_at_every_level() -> None:
    only_s3 = [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]
    p = who(ALLOW_ALL, scps=[[ALLOW_ALL], only_s3])
    assert evaluate(p, "s3:GetObject", Resource("arn:aws:s3:::b/k")).allowed is Tri.YES
    d = evaluate(p, "bedrock:InvokeModel", Resource("arn:aws:bedrock:us-east-1::x"))
    assert d.allowed is Tri.NO and "service control" in d.reason


def test_scp_deny_wins_over_identity_allow() -> None:
    p = who(
        ALLOW_ALL, scps=[[ALLOW_ALL, {"Effect": "Deny", "Action": "bedrock:*", "Resource": "*"}]]
    )
    assert evaluate(p, "bedrock:InvokeModel", Resource("x")).allowed is Tri.NO


@pytest.mark.parametrize(
    ("pattern", "action", "expected"),
    [
        ("s3:Get*", "s3:GetObject", True),
        ("S3:getobject", "s3:GetObject", True),
        ("s3:Get?bject", "s3:GetObject", True),
        ("s3:Put*", "s3:GetObject", False),
        ("*", "iam:PassRole", True),
        ("bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream", False),
    ],
)
def test_action_wildcards(pattern: str, action: str, expected: bool) -> None:
    p = who({"Effect": "Allow", "Action": pattern, "Resource": "*"})
    assert evaluate(p, action, Resource("r")).ok is expected


def test_resource_sets_allow_needs_some_deny_needs_all() -> None:
    data = resource_set("arn:aws:s3:::bucket/")
    p = who({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket/a/*"})
    assert evaluate(p, "s3:GetObject", data).ok  # some objects are readable
    p = who(
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket/*"},
        {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket/a/*"},
    )
    assert evaluate(p, "s3:GetObject", data).ok  # the deny leaves other prefixes readable
    p = who(
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket/*"},
        {"Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::bucket*"},
    )
    assert not evaluate(p, "s3:GetObject", data).ok
    assert not pattern_overlaps_prefix("arn:aws:s3:::other/*", "arn:aws:s3:::bucket/")


def test_policy_variables_are_conditional() -> None:
    p = who(
        {
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::home/${aws:username}/*",
        }
    )
    assert evaluate(p, "s3:GetObject", resource_set("arn:aws:s3:::home/")).allowed is Tri.UNKNOWN


def test_undecidable_deny_makes_allow_conditional() -> None:
    p = who(
        ALLOW_ALL,
        {
            "Effect": "Deny",
            "Action": "*",
            "Resource": "*",
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}},
        },
    )
    assert evaluate(p, "s3:GetObject", Resource("x")).allowed is Tri.UNKNOWN


@pytest.mark.parametrize(
    "document",
    [
        "",
        "{",
        "[]",
        "null",
        '{"Statement": 5}',
        '{"Statement": [1]}',
        '{"Statement": [{"Effect": "Maybe", "Action": "*"}]}',
    ],
)
def test_malformed_policies_raise_policy_error(document: str) -> None:
    with pytest.raises(PolicyError):
        parse_policy(document, "bad")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)
statement = st.fixed_dictionaries(
    {"Effect": st.sampled_from(["Allow", "Deny"])},
    optional={
        "Action": json_values,
        "NotAction": json_values,
        "Resource": json_values,
        "NotResource": json_values,
        "Condition": json_values,
        "Principal": json_values,
    },
)


@settings(max_examples=200, deadline=None)
@given(st.lists(statement, max_size=4) | json_values)
def test_hostile_documents_never_crash_the_evaluator(doc: Any) -> None:
    try:
        parsed = parse_policy(json.dumps({"Statement": doc}), "fuzz")
    except PolicyError:
        return
    p = Principal(ARN, "role", parsed, boundary=parsed)
    d = evaluate(p, "s3:GetObject", resource_set("arn:aws:s3:::b/"), resource_policy=parsed)
    assert d.allowed in set(Tri)


# -- one principal, many targets ---------------------------------------------------------------
# The evaluator decides a principal's own statements once per (action, context) and, where none
# names a resource, remembers the whole answer. These ask one principal about a series of
# targets in an order where a remembered answer from the previous target would be wrong.

BUCKET_A = Resource("arn:aws:s3:::a/k")
BUCKET_B = Resource("arn:aws:s3:::b/k")


def test_resource_specific_statements_are_matched_per_target() -> None:
    p = who(
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::a/*"},
        {"Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"},
    )
    answers = [
        (r.arn, evaluate(p, "s3:GetObject", r).allowed, evaluate(p, "s3:GetObject", r).reason)
        for r in (BUCKET_A, BUCKET_B, BUCKET_A, Resource("arn:aws:s3:::c/k"))
    ]
    assert answers == [
        ("arn:aws:s3:::a/k", Tri.YES, ""),
        ("arn:aws:s3:::b/k", Tri.NO, "explicit deny"),
        ("arn:aws:s3:::a/k", Tri.YES, ""),
        ("arn:aws:s3:::c/k", Tri.NO, "no statement allows it"),
    ]


def test_a_remembered_answer_never_carries_a_resource_policy_to_another_target() -> None:
    p = who(ALLOW_ALL)
    deny_p = stmts({"Effect": "Deny", "Principal": {"AWS": ARN}, "Action": "s3:*", "Resource": "*"})
    plain = evaluate(p, "s3:GetObject", BUCKET_A)
    denied = evaluate(p, "s3:GetObject", BUCKET_B, resource_policy=deny_p)
    again = evaluate(p, "s3:GetObject", BUCKET_A)
    assert (plain.allowed, denied.allowed, denied.reason, again.allowed) == (
        Tri.YES,
        Tri.NO,
        "explicit deny",
        Tri.YES,
    )
    # Across accounts the same identity policy is not enough without a resource policy.
    other = evaluate(p, "s3:GetObject", BUCKET_A, resource_account="999999999999")
    assert (other.allowed, other.reason) == (
        Tri.NO,
        "no resource policy grants the caller's account",
    )
    # Answers are copies: changing one does not change the next.
    again.grants.clear()
    assert [g.label for g in evaluate(p, "s3:GetObject", BUCKET_A).grants] == ["p#0"]


def test_request_context_is_part_of_the_remembered_decision() -> None:
    p = who(
        {
            "Effect": "Allow",
            "Action": "iam:PassRole",
            "Resource": "*",
            "Condition": {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}},
        }
    )
    role = Resource("arn:aws:iam::123456789012:role/app")
    got = [
        evaluate(p, "iam:PassRole", role, context=ctx).allowed
        for ctx in (
            {"iam:PassedToService": "ec2.amazonaws.com"},
            {"iam:PassedToService": "lambda.amazonaws.com"},
            None,
            {"iam:PassedToService": "ec2.amazonaws.com"},
        )
    ]
    assert got == [Tri.YES, Tri.NO, Tri.UNKNOWN, Tri.YES]
