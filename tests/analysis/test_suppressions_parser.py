"""The suppressions parser on malformed, truncated and hostile input: a SuppressionError
naming the file, never another exception."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aispm_graph.analysis.suppressions import SuppressionError, parse

GOOD = (
    "suppressions:\n"
    "  - id: ap-0123456789ab\n    reason: reviewed\n    expires: 2030-01-01\n"
    "  - rule: AZ-AI-001\n    resource: r1\n    reason: accepted\n"
)
RULES = {"AZ-AI-001"}


def test_good_file() -> None:
    sup = parse(GOOD, "s.yaml", RULES)
    assert [(e.line, e.id, e.rule, e.resource, e.expires) for e in sup.entries] == [
        (2, "ap-0123456789ab", None, None, dt.date(2030, 1, 1)),
        (5, None, "AZ-AI-001", "r1", None),
    ]
    assert sup.match_finding("rf-000000000000", "AZ-AI-001", "r2") is None
    assert sup.match_finding("rf-000000000000", "AZ-AI-001", "r1") is sup.entries[1]


@pytest.mark.parametrize("cut", range(1, len(GOOD), 7))
def test_truncated(cut: int) -> None:
    try:
        parse(GOOD[:cut], "s.yaml", RULES)
    except SuppressionError as exc:
        assert "s.yaml" in str(exc)


def test_alias_bomb_is_rejected_cheaply() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n"
    for i in range(1, 12):
        bomb += f"{chr(97 + i)}: &{chr(97 + i)} [*{chr(96 + i)}, *{chr(96 + i)}, *{chr(96 + i)}]\n"
    text = bomb + "suppressions:\n  - id: ap-0123456789ab\n    reason: *l\n"
    with pytest.raises(SuppressionError, match=r"unknown top-level key|must be a string|aliases"):
        parse(text, "s.yaml", RULES)
    text = "suppressions:\n  - id: ap-0123456789ab\n    reason: &r [1, 2]\n"
    with pytest.raises(SuppressionError, match="line 2: reason must be a string"):
        parse(text, "s.yaml", RULES)


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("suppresions:-idrulap0123456789ab \n\t[]{}&*!'\"#?")),
        max_size=200,
    )
)
def test_random_text_never_crashes(text: str) -> None:
    try:
        parse(text, "s.yaml", RULES)
    except SuppressionError as exc:
        assert str(exc).startswith("s.yaml")


@pytest.mark.parametrize("text", ["", "{}", "suppressions:\n", "suppressions: []\n"])
def test_empty_files_suppress_nothing(text: str) -> None:
    assert parse(text, "s.yaml", RULES).entries == []
