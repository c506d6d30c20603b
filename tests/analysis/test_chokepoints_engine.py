"""Choke-point claims re-checked by the engine, on random estates and on the demo estate."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from aispm_graph.analysis.chokepoints import chokepoints
from aispm_graph.analysis.engine import find_paths
from aispm_graph.analysis.fixes import apply_ops, collect_fixes
from aispm_graph.graph.model import Graph
from aispm_graph.store import load_graph
from aispm_graph.workspace import Workspace
from tests.analysis.estates import random_estate

SEEDS = range(25)


def _ids(g: Graph) -> set[str]:
    return {p.id for p in find_paths(g).paths}


def _check_claims(g: Graph, top_only: bool = False) -> None:
    result = find_paths(g)
    report = chokepoints(result.paths)
    fixes = collect_fixes(result.paths)
    before = {p.id for p in result.paths}
    rows = report.fixes[:1] if top_only else report.fixes
    for row in rows:
        after = _ids(apply_ops(g, fixes[row.id].ops))
        assert before - after == set(row.closes), row.id
        assert row.risk_removed == sum(p.risk.score for p in result.paths if p.id in row.closes)
    # The minimum set closes every critical and high path that any single fix can close.
    ops = [op for fid in report.minimum_set for op in fixes[fid].ops]
    left = {p.id for p in find_paths(apply_ops(g, ops)).paths}
    worst = {p.id for p in result.paths if p.risk.level in ("critical", "high")}
    assert worst & left == set(report.unbreakable) & left
    assert not (worst - set(report.unbreakable)) & left


@pytest.mark.parametrize("seed", SEEDS)
def test_every_fix_closes_exactly_the_paths_it_claims(seed: int) -> None:
    _check_claims(random_estate(seed))


@pytest.mark.parametrize("seed", SEEDS)
def test_exact_minimum_is_minimum(seed: int) -> None:
    g = random_estate(seed, hosts=4, roles=3, targets=4)
    result = find_paths(g)
    report = chokepoints(result.paths)
    if report.method == "none":
        return
    assert report.method == "exact"
    worst = {p.id for p in result.paths if p.risk.level in ("critical", "high")}
    worst -= set(report.unbreakable)
    fixes = collect_fixes(result.paths)
    cands = [f for f in fixes.values() if set(f.closes) & worst]
    smallest = next(
        k
        for k in range(len(cands) + 1)
        for combo in itertools.combinations(cands, k)
        if worst <= {p for f in combo for p in f.closes}
    )
    assert len(report.minimum_set) == smallest


def test_greedy_fallback_is_stated_and_still_covers() -> None:
    g = random_estate(3, hosts=10, roles=8, targets=10)
    result = find_paths(g)
    report = chokepoints(result.paths, exact_budget=0)
    assert report.method == "greedy"
    assert "may not be minimal" in report.method_detail
    covered = {p for fid in report.minimum_set for p in collect_fixes(result.paths)[fid].closes}
    worst = {p.id for p in result.paths if p.risk.level in ("critical", "high")}
    assert worst - set(report.unbreakable) <= covered


def test_multi_kind_hop_is_not_claimed_closed() -> None:
    g = Graph()
    g.ensure_internet()
    g.add_node("vm", "EC2Instance", "vm", public_ip="1.2.3.4", vuln_factors=["rce"])
    g.add_node("role", "AWSRole", "role")
    g.add_node("b", "S3Bucket", "b", data_role=["training"])
    g.add_edge("internet", "vm", "INTERNET_EXPOSED", {"exposure_width": "any"})
    g.add_edge("vm", "role", "HAS_IDENTITY", {})
    g.add_edge("role", "b", "CAN_READ", {"permission": "s3:GetObject", "grant": "p"})
    g.add_edge("role", "b", "CAN_WRITE", {"permission": "s3:PutObject", "grant": "p"})
    result = find_paths(g)
    (path,) = result.paths
    hop = path.edges[2]
    assert sorted(hop.kinds) == ["CAN_READ", "CAN_WRITE"]
    fixes = collect_fixes(result.paths)
    last = next(f for f in fixes.values() if f.ops[0].source == "role")
    assert last.closes == [] and last.lowers == [path.id]
    # And the engine agrees: the route survives removing that one kind.
    routes = {tuple(n.id for n in p.nodes) for p in find_paths(apply_ops(g, last.ops)).paths}
    assert ("internet", "vm", "role", "b") in routes
    report = chokepoints(result.paths)
    assert last.id not in {r.id for r in report.fixes}


def test_demo_top_choke_point(demo_ws: Path) -> None:
    graph, _ = load_graph(Workspace(demo_ws).latest_built().graph_path)
    _check_claims(graph)
    report = chokepoints(find_paths(graph).paths)
    assert report.method == "exact"
    # one fix per independent foothold: Azure gateway VM, Jupyter host, chatbot URL, public
    # bucket, Workbench instance, the poisoned MCP tool of the Cursor configuration
    assert len(report.minimum_set) == 6
