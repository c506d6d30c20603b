"""Choke-point claims re-checked by the engine, on random estates and on the demo estate."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from aispm_graph.analysis.chokepoints import chokepoints
from aispm_graph.analysis.engine import PathOptions, find_paths
from aispm_graph.analysis.fixes import apply_ops, collect_fixes, edge_fixes
from aispm_graph.graph.model import Graph
from aispm_graph.schema import attack_edge_kinds
from aispm_graph.store import load_graph
from aispm_graph.workspace import Workspace
from tests.analysis.estates import random_estate

SEEDS = range(25)


def _ids(g: Graph, **kw: object) -> set[str]:
    return {p.id for p in find_paths(g, PathOptions(**kw)).paths}  # type: ignore[arg-type]


def _reachable_pairs(g: Graph, **kw: object) -> set[tuple[str, str]]:
    """Every (entry, target) pair with any route, from exhaustive enumeration."""
    opts = PathOptions(all_routes=True, **kw)  # type: ignore[arg-type]
    return {(p.entry, p.target) for p in find_paths(g, opts).paths}


def _check_claims(g: Graph, top_only: bool = False, **kw: object) -> None:
    result = find_paths(g, PathOptions(**kw))  # type: ignore[arg-type]
    report = chokepoints(g, result.paths)
    fixes = {**edge_fixes(g), **collect_fixes(result.paths)}
    before = {p.id for p in result.paths}
    rows = report.fixes[:1] if top_only else report.fixes
    for row in rows:
        if not row.closes:
            continue
        after = _ids(apply_ops(g, fixes[row.id].ops), **kw)
        assert before - after == set(row.closes), row.id
        assert row.risk_removed == sum(p.risk.score for p in result.paths if p.id in row.closes)
    # The minimum set cuts every entry off every target it reached by a critical or high
    # path: no route at all is left between them (listed or not), unless it is unbreakable.
    ops = [op for fid in report.minimum_set for op in fixes[fid].ops]
    left = _reachable_pairs(apply_ops(g, ops), **kw)
    worst = {(p.entry, p.target) for p in result.paths if p.risk.level in ("critical", "high")}
    stuck = {(p.entry, p.target) for p in result.paths if p.id in report.unbreakable}
    assert not (worst - stuck) & left
    assert report.pairs_cut == len(worst - stuck)


@pytest.mark.parametrize("seed", SEEDS)
def test_every_fix_closes_exactly_the_paths_it_claims(seed: int) -> None:
    _check_claims(random_estate(seed))


@pytest.mark.parametrize("seed", range(8))
def test_minimum_set_holds_for_credential_entries_too(seed: int) -> None:
    g = random_estate(seed)
    for i, role in enumerate(("r0", "r1")):
        g.add_node(f"key{i}", "AccountAccessKey", f"key{i}")
        g.add_edge(f"key{i}", role, "AUTHENTICATES_AS", {"mechanism": "access key"})
    _check_claims(g, entry="credentials")
    report = chokepoints(g, find_paths(g, PathOptions(entry="credentials")).paths)
    if report.method != "none":
        assert report.lower_bound is not None
        assert report.lower_bound <= len(report.minimum_set)
        assert (report.method == "exact") == (report.lower_bound == len(report.minimum_set))


def _attack_edges(g: Graph) -> list[tuple[str, str, str]]:
    steps = attack_edge_kinds()
    return sorted((s, d["kind"], t) for s, t, d in g.edges() if d["kind"] in steps)


@pytest.mark.parametrize("seed", range(10))
def test_exact_minimum_is_minimum(seed: int) -> None:
    """Brute force: the fewest attack edges whose removal leaves no route (exhaustive
    enumeration) from the internet to any target it reached by a critical or high path."""
    g = random_estate(seed, hosts=4, roles=3, targets=4)
    result = find_paths(g)
    report = chokepoints(g, result.paths)
    if report.method == "none":
        return
    assert report.method == "exact" and report.lower_bound == len(report.minimum_set)
    worst = {(p.entry, p.target) for p in result.paths if p.risk.level in ("critical", "high")}
    worst -= {(p.entry, p.target) for p in result.paths if p.id in report.unbreakable}
    # A cut only ever needs edges on some route to those targets.
    every = find_paths(g, PathOptions(all_routes=True)).paths
    on_routes = {
        (e.source, k, e.target)
        for p in every
        if (p.entry, p.target) in worst
        for e in p.edges
        for k in e.kinds
    }
    cands = [e for e in _attack_edges(g) if e in on_routes]

    def cuts(combo: tuple[tuple[str, str, str], ...]) -> bool:
        h = g.copy()
        for s, k, t in combo:
            h.remove_edge(s, t, k)
        return not worst & _reachable_pairs(h)

    smallest = next(
        k
        for k in range(len(cands) + 1)
        for combo in itertools.combinations(cands, k)
        if cuts(combo)
    )
    assert len(report.minimum_set) == smallest


def test_bound_is_stated_when_entries_disagree() -> None:
    """Two credentials, each reaching its own target through its own hop, plus a shared
    third route: cutting both entries off both targets costs more than either alone."""
    g = Graph()
    g.ensure_internet()
    for name in ("a", "b"):
        g.add_node(f"key-{name}", "AccountAccessKey", f"key-{name}")
        g.add_node(f"role-{name}", "AWSRole", f"role-{name}")
        g.add_node(
            f"t-{name}", "S3Bucket", f"t-{name}", data_role=["training"], criticality="crown-jewel"
        )
        g.add_edge(f"key-{name}", f"role-{name}", "AUTHENTICATES_AS", {"mechanism": "key"})
        g.add_edge(f"role-{name}", f"t-{name}", "CAN_READ", {"permission": "s3:GetObject"})
    # key-a also reaches t-b through a second role; key-b never reaches t-a.
    g.add_node("role-c", "AWSRole", "role-c")
    g.add_edge("role-a", "role-c", "CAN_ASSUME", {"statement": "trust"})
    g.add_edge("role-c", "t-b", "CAN_READ", {"permission": "s3:GetObject"})
    result = find_paths(g, PathOptions(entry="credentials"))
    report = chokepoints(g, result.paths)
    assert report.method in ("exact", "bound") and report.method_detail
    assert report.lower_bound is not None and report.lower_bound <= len(report.minimum_set)
    assert not {("key-a", "t-a"), ("key-a", "t-b"), ("key-b", "t-b")} & _reachable_pairs(
        apply_ops(g, [op for f in report.minimum_set for op in edge_fixes(g)[f].ops]),
        entry="credentials",
    )


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
    report = chokepoints(g, result.paths)
    assert last.id not in {r.id for r in report.fixes if r.closes}


def test_demo_top_choke_point(demo_ws: Path) -> None:
    graph, _ = load_graph(Workspace(demo_ws).latest_built().graph_path)
    _check_claims(graph)
    report = chokepoints(graph, find_paths(graph).paths)
    assert report.method == "exact"
    # one fix per independent foothold: Azure gateway VM, Jupyter host, chatbot URL, public
    # bucket, Workbench instance, the poisoned MCP tool of the Cursor configuration
    assert len(report.minimum_set) == 6
