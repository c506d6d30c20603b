"""Indented JSON (SARIF, OCSF, ``--format json``) is written by our own encoder for speed; it
must give exactly the text the standard library gives for the same data with every non-finite
number as ``null``, keep the order of keys, and fail where the standard library fails."""

from __future__ import annotations

import json
import math
import random
from typing import Any

import pytest

from aispm_graph.report.jsonout import dumps, finite

SCALARS: list[Any] = [
    None,
    True,
    False,
    0,
    -3,
    2**70,
    1.5,
    1e-05,
    1e16,
    -0.0,
    float("nan"),
    float("inf"),
    float("-inf"),
    'quote " backslash \\ newline \n tab \t',
    "é ✓ 𝄞 \u2028",
    "",
    "</script>",
]
KEYS: list[Any] = ["k", "é", 1, 2.5, True, False, None, "z"]


def _value(rng: random.Random, depth: int = 0) -> Any:
    r = rng.random()
    if depth > 5 or r < 0.4:
        return rng.choice(SCALARS)
    if r < 0.7:
        return [_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    if r < 0.8:
        return tuple(_value(rng, depth + 1) for _ in range(rng.randint(0, 3)))
    return {
        (rng.choice(KEYS) if rng.random() < 0.3 else f"k{i}"): _value(rng, depth + 1)
        for i in range(rng.randint(0, 5))
    }


def _stdlib(value: Any, **kwargs: Any) -> str:
    return json.dumps(finite(value), allow_nan=False, **kwargs)


OPTIONS: list[dict[str, Any]] = [
    {"indent": 2},
    {"indent": 1, "ensure_ascii": False},
    {"indent": 2, "sort_keys": False, "default": str},
    {"indent": 0},
    {"indent": "\t"},
]


@pytest.mark.parametrize(
    "options", OPTIONS, ids=lambda o: ",".join(f"{k}={v!r}" for k, v in o.items())
)
def test_same_text_as_the_standard_library(options: dict[str, Any]) -> None:
    rng = random.Random(16)
    for _ in range(1500):
        value = _value(rng)
        assert dumps(value, **options) == _stdlib(value, **options), value


def test_keys_keep_their_order_and_non_finite_numbers_are_null() -> None:
    doc = {"z": [1.0, float("nan")], "a": 1, "m": {"inf": float("inf")}, "b": "x"}
    text = dumps(doc, indent=2)
    assert list(json.loads(text)) == ["z", "a", "m", "b"]
    assert json.loads(text) == {"z": [1.0, None], "a": 1, "m": {"inf": None}, "b": "x"}
    assert "NaN" not in text and "Infinity" not in text
    # The compact form and the copy keep the order too.
    assert list(json.loads(dumps(doc))) == ["z", "a", "m", "b"]
    assert list(finite(doc)) == ["z", "a", "m", "b"]


def test_default_and_errors_as_the_standard_library() -> None:
    class Odd:
        def __str__(self) -> str:
            return "odd"

    assert json.loads(dumps({"o": Odd()}, indent=2, default=str)) == {"o": "odd"}
    with pytest.raises(TypeError, match="not JSON serializable"):
        dumps({"o": Odd()}, indent=2)
    with pytest.raises(TypeError, match="keys must be"):
        dumps({(1, 2): 1}, indent=2)
    with pytest.raises(ValueError, match="Out of range float"):
        dumps({math.nan: 1}, indent=2)
