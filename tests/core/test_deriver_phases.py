"""Derivers run in the named phases of ``build.PHASES``, in the order the docs list."""

from __future__ import annotations

import pytest

from aispm_graph import build


def test_every_deriver_runs_in_its_declared_phase_and_position() -> None:
    order = build.deriver_order()
    declared = [(phase, name) for phase, names in build.PHASES.items() for name in names]
    assert order == declared, (
        "a deriver is registered outside the order declared in build.PHASES; list it there"
    )


def test_docs_list_the_same_order() -> None:
    from pathlib import Path

    text = (Path(__file__).parents[2] / "docs" / "architecture.md").read_text()
    for phase, names in build.PHASES.items():
        line = f"| {phase} | " + ", ".join(f"`{n}`" for n in names) + " |"
        assert line in text, f"docs/architecture.md misses the line {line!r}"


@pytest.mark.parametrize(
    ("order", "phase"),
    [
        (5, "facts"),
        (6, "facts"),
        (10, "exposure"),
        (12, "exposure"),
        (20, "access"),
        (21, "access"),
        (50, "vulnerabilities"),
        (53, "vulnerabilities"),
        (90, "context"),
    ],
)
def test_former_integer_orders_map_to_phases(order: int, phase: str) -> None:
    assert build.phase_of(order) == phase


def test_unknown_phase_is_refused_with_the_choices() -> None:
    with pytest.raises(ValueError, match=r"unknown phase 'late'.*facts, exposure"):
        build.deriver("late", "x")
