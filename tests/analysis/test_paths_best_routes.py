"""`aispm paths` on a dense IAM account: the best routes of every pair, never a lost pair.

The estate is `aispm synth --profile explosion`: one AWS account whose principals' raw policies
the build evaluates, a 12-role assume-role clique and users with access keys, the shape in
which every route through the clique multiplies the others.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aispm_graph.analysis.drift import drift
from aispm_graph.analysis.engine import PathOptions, find_paths
from aispm_graph.graph.model import Graph
from tests.support.cli import invoke_cli


@pytest.fixture(scope="module")
def dense_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    ws = tmp_path_factory.mktemp("dense") / "ws"
    res = invoke_cli("synth", "--profile", "explosion", "--resources", "100", workspace=ws)
    assert res.code == 0, res.err
    res = invoke_cli("build", "--profile", workspace=ws)
    assert res.code == 0, res.err
    assert "aws-iam" in res.err and "total" in res.err  # the per-pass timing table
    return ws


# Six hops keep exhaustive enumeration (the reference here) to about a thousand routes.
HOPS = ("--max-hops", "6")


def _paths(ws: Path, *args: str) -> dict:  # type: ignore[type-arg]
    res = invoke_cli(
        "paths", "--entry", "credentials", "--format", "json", *HOPS, *args, workspace=ws
    )
    assert res.code == 0, res.err
    out: dict = res.json()  # type: ignore[type-arg]
    return out


def test_every_pair_is_listed_and_counted(dense_ws: Path) -> None:
    best = _paths(dense_ws)
    every = _paths(dense_ws, "--all-routes", "--max-paths", "1000000")
    assert best["mode"] == "best-routes" and not best["truncated"]
    assert every["mode"] == "all-routes" and not every["truncated"]
    pairs = {(p["entry"], p["target"]) for p in every["paths"]}
    assert {(p["entry"], p["target"]) for p in best["paths"]} == pairs
    # Routes multiply: far more exist than are listed, and the counts say how many.
    assert len(every["paths"]) > 5 * len(best["paths"])
    routes = {(q["entry"], q["target"]): q["routes"] for q in best["pairs"]}
    assert all(q["exact"] for q in best["pairs"])
    assert sum(routes.values()) == len(every["paths"])
    for (entry, target), n in routes.items():
        assert n == sum(1 for p in every["paths"] if (p["entry"], p["target"]) == (entry, target))
    # Each pair lists its best routes: the same best score as exhaustive enumeration finds.
    top = {}
    for p in every["paths"]:
        key = (p["entry"], p["target"])
        top[key] = max(top.get(key, 0), p["risk"]["score"])
    for q in best["pairs"]:
        first = next(p for p in best["paths"] if p["id"] == q["best"])
        assert first["risk"]["score"] == top[(q["entry"], q["target"])]
        assert q["listed"] <= 3


def test_routes_per_pair_and_caps(dense_ws: Path) -> None:
    one = _paths(dense_ws, "--routes-per-pair", "1")
    assert all(q["listed"] == 1 for q in one["pairs"])
    assert len(one["paths"]) == len(one["pairs"])
    capped = _paths(dense_ws, "--all-routes", "--max-paths", "50")
    assert capped["truncated"] and "path cap of 50" in capped["truncation"]
    assert not all(q["exact"] for q in capped["pairs"])


def _rank(p: dict) -> tuple[int, int, int]:  # type: ignore[type-arg]
    levels = {"critical": 3, "high": 2, "medium": 1, "low": 0}
    return (-p["risk"]["score"], -levels[p["risk"]["level"]], len(p["edges"]))


@pytest.mark.parametrize("n", [3, 5])
def test_routes_per_pair_lists_the_n_best_of_every_route(dense_ws: Path, n: int) -> None:
    """`--routes-per-pair N`: every pair lists min(N, routes) routes, and they rank as the N
    best of exhaustive enumeration do (score, level, hops; equal-ranked routes may differ)."""
    every = _paths(dense_ws, "--all-routes", "--max-paths", "1000000")
    best = _paths(dense_ws, "--routes-per-pair", str(n))
    assert best["routes_per_pair"] == n and not best["truncated"]
    ranked: dict[tuple[str, str], list[tuple[int, int, int]]] = {}
    for p in every["paths"]:
        ranked.setdefault((p["entry"], p["target"]), []).append(_rank(p))
    listed: dict[tuple[str, str], list[tuple[int, int, int]]] = {}
    for p in best["paths"]:
        listed.setdefault((p["entry"], p["target"]), []).append(_rank(p))
    assert set(listed) == set(ranked)
    assert any(len(r) > n for r in ranked.values())  # some pair has more than N routes
    for pair, ranks in ranked.items():
        assert sorted(listed[pair]) == sorted(ranks)[:n], pair
    for q in best["pairs"]:
        assert q["listed"] == min(n, q["routes"]) and q["exact"]


def test_table_says_what_is_not_listed(dense_ws: Path) -> None:
    res = invoke_cli("paths", "--entry", "credentials", "--top", "5", workspace=dense_ws)
    assert res.code == 0, res.err
    assert "(entry, target) pairs, up to 3 best routes each" in res.out
    assert "more routes exist" in res.out


def test_a_route_starts_at_the_credential_once(dense_ws: Path) -> None:
    """A user with an access key is reached through the key: no second, equal path from the
    user itself."""
    out = _paths(dense_ws)
    entries = {p["entry"] for p in out["paths"]}
    assert any(":access-key/" in e for e in entries)
    assert not any(":user/" in e for e in entries)
    starts = [tuple(n["id"] for n in p["nodes"][1:]) for p in out["paths"]]
    assert len(starts) == len(set(starts))


def test_identity_without_credential_node_is_still_an_entry() -> None:
    g = Graph()
    g.ensure_internet()
    g.add_node("user", "AWSUser", "ci-bot", long_lived_credentials=True)
    g.add_node("keyed", "AWSUser", "dev", long_lived_credentials=True)
    g.add_node("key", "AccountAccessKey", "AKIA1")
    g.add_node("m", "BedrockCustomModel", "m")
    g.add_edge("key", "keyed", "AUTHENTICATES_AS", {"mechanism": "access key"})
    for u in ("user", "keyed"):
        g.add_edge(u, "m", "CAN_INVOKE", {"permission": "bedrock:InvokeModel"})
    res = find_paths(g, PathOptions(entry="credentials"))
    assert {tuple(n.id for n in p.nodes) for p in res.paths} == {
        ("user", "m"),
        ("key", "keyed", "m"),
    }


def test_show_finds_a_route_that_is_not_listed(dense_ws: Path) -> None:
    listed = {p["id"] for p in _paths(dense_ws)["paths"]}
    every = _paths(dense_ws, "--all-routes", "--max-paths", "1000000")["paths"]
    hidden = next(p["id"] for p in every if p["id"] not in listed)
    res = invoke_cli(
        "show", hidden, "--entry", "credentials", "--format", "json", workspace=dense_ws
    )
    assert res.code == 0, res.err
    assert res.json()["id"] == hidden


def _fan(extra_direct: bool) -> Graph:
    """A key whose user reaches a model through three roles (and, in the new snapshot,
    directly as well: a better route that pushes one of the three out of the listing)."""
    g = Graph()
    g.ensure_internet()
    g.add_node("key", "AccountAccessKey", "AKIA1")
    g.add_node("user", "AWSUser", "dev", long_lived_credentials=True)
    g.add_node("m", "BedrockCustomModel", "m")
    g.add_edge("key", "user", "AUTHENTICATES_AS", {"mechanism": "access key"})
    for i in range(3):
        g.add_node(f"r{i}", "AWSRole", f"r{i}")
        g.add_edge("user", f"r{i}", "CAN_ASSUME", {"statement": "trust"})
        g.add_edge(f"r{i}", "m", "CAN_INVOKE", {"permission": "bedrock:InvokeModel"})
    if extra_direct:
        g.add_edge("user", "m", "CAN_INVOKE", {"permission": "bedrock:InvokeModel"})
    return g


def test_diff_does_not_mistake_ranking_for_change() -> None:
    opts = PathOptions(entry="credentials")
    old_g, new_g = _fan(False), _fan(True)
    old, new = find_paths(old_g, opts), find_paths(new_g, opts)
    dropped = {p.id for p in old.paths} - {p.id for p in new.paths}
    assert len(dropped) == 1  # still a route, just not among the best three any more
    report = drift("a", old_g, old, "b", new_g, new)
    assert [p.id for p in report.new_paths] == [
        next(p.id for p in new.paths if p.hops == 2)  # key -> user -> m, really new
    ]
    assert report.closed_paths == []
