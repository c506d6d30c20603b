"""The remembering route counter answers exactly as the plain depth-first count walk.

`aispm paths` reports, per (entry, target) pair, how many routes exist besides the listed
ones. The engine counts them with a walk that remembers what lies below a node (by hops left
and the route nodes that node could still meet); the plain walk is the definition. Both run
on real built estates with cycles (GCP instances and the service accounts that can update
them; a 12-role assume-role clique), for every entry, with budgets that run out at once,
part-way and never: counts, exactness and steps must be identical, so the lower bounds a
user sees when a budget runs out are the same numbers as before.
"""

from __future__ import annotations

import pytest

from aispm_graph.analysis.engine import (
    PathOptions,
    _count_routes,
    _RouteCounter,
    _search_space,
)
from aispm_graph.build import BuildContext, build_graph
from aispm_graph.graph.model import Graph
from aispm_graph.synth import synth_document
from aispm_graph.workspace import Document


def _built(n: int, profile: str) -> Graph:
    doc = synth_document(n, profile=profile)
    return build_graph([Document("graph", "synthetic", "synthetic", doc)], BuildContext())


@pytest.fixture(scope="module")
def estates() -> dict[str, Graph]:
    return {"org": _built(3000, "org"), "explosion": _built(100, "explosion")}


@pytest.mark.parametrize(
    ("profile", "entry"),
    [("org", "internet"), ("org", "credentials"), ("explosion", "credentials")],
)
@pytest.mark.parametrize("hops", [5, 8])
def test_counts_match_the_plain_walk(
    estates: dict[str, Graph], profile: str, entry: str, hops: int
) -> None:
    space = _search_space(estates[profile], PathOptions(entry=entry, max_hops=hops))  # type: ignore[arg-type]
    live = [e for e in space.entries if e in space.keep]
    assert live
    counter = _RouteCounter(space.succ, space.to_target, space.targets, hops, space.through)
    outcomes = set()
    for budget in (1, 97, 5_000, 10**8):
        for e in live:
            got = counter.count(e, budget)
            want = _count_routes(
                space.succ, space.to_target, space.targets, e, hops, budget, space.through
            )
            assert got == want, (e, budget)
            outcomes.add(want[1])
    # Both a budget that ran out (lower bounds) and complete counts were compared.
    assert outcomes == {True, False}
    assert counter.memo, "the counter remembered nothing: it only walked"


def test_cycles_are_present(estates: dict[str, Graph]) -> None:
    """The estates above exercise the part that can go wrong: nodes on cycles."""
    for profile in ("org", "explosion"):
        space = _search_space(estates[profile], PathOptions(entry="credentials"))
        counter = _RouteCounter(space.succ, space.to_target, space.targets, 8, space.through)
        assert counter.cyclic and counter.meets, profile
