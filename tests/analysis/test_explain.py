"""`show --explain`: the arithmetic replays to exactly the reported score."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from aispm_graph.analysis.engine import find_paths
from aispm_graph.analysis.explain import explain
from aispm_graph.store import load_graph
from aispm_graph.workspace import Workspace
from tests.analysis.estates import random_estate
from tests.support.cli import invoke_cli


@pytest.mark.parametrize("seed", range(40))
def test_replay_matches_every_score(seed: int) -> None:
    for path in find_paths(random_estate(seed)).paths:
        e = explain(path)
        assert e.consistent, (path.id, e.score, path.risk.score)


def test_replay_matches_every_demo_path(demo_ws: Path) -> None:
    graph, _ = load_graph(Workspace(demo_ws).latest_built().graph_path)
    paths = find_paths(graph).paths
    assert paths
    for p in paths:
        assert explain(p).consistent, p.id


def test_cli_explain_on_demo(demo_paths: dict[str, Any], demo_ws: Path) -> None:
    top = demo_paths["paths"][0]
    res = invoke_cli("show", top["id"], "--explain", "--format", "json", workspace=demo_ws)
    assert res.code == 0, res.err
    ex = res.json()["explain"]
    assert ex["consistent"] and ex["score"] == top["risk"]["score"]
    factors = top["risk"]["factors"]
    assert [s["factor"] for s in ex["steps"]] == [
        f["name"] for f in factors if f["kind"] == "likelihood"
    ] + [f["name"] for f in factors if f["kind"] == "impact"]
    res = invoke_cli("show", top["id"], "--explain", workspace=demo_ws)
    assert "Risk arithmetic" in res.out
    assert f"= {top['risk']['score']}" in res.out
    assert "please report" not in res.out
