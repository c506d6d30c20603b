"""The path engine against hand-made graphs and against naive enumeration."""

from __future__ import annotations

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from aispm_graph.analysis.engine import PathOptions, find_paths
from aispm_graph.analysis.targets import find_targets
from aispm_graph.graph.model import Graph


def chain_graph() -> Graph:
    g = Graph()
    g.ensure_internet()
    g.add_node("vm", "EC2Instance", "vm", public_ip="1.2.3.4")
    g.add_node("role", "AWSRole", "role")
    g.add_node("model", "BedrockCustomModel", "model")
    g.add_node("bucket", "S3Bucket", "bucket", data_role=["training"])
    g.add_node("other", "S3Bucket", "logs")
    g.add_edge("internet", "vm", "INTERNET_EXPOSED", {"exposure_width": "any"})
    g.add_edge("vm", "role", "HAS_IDENTITY", {"mechanism": "imds"})
    g.add_edge("role", "model", "CAN_INVOKE", {"permission": "bedrock:InvokeModel"})
    g.add_edge("role", "other", "CAN_READ", {"permission": "s3:GetObject"})
    g.add_edge("model", "bucket", "TRAINED_ON")
    return g


def routes(g: Graph, **kw: object) -> set[tuple[str, ...]]:
    return {tuple(n.id for n in p.nodes) for p in find_paths(g, PathOptions(**kw)).paths}  # type: ignore[arg-type]


def test_structure_is_not_walked_and_unmarked_data_is_not_a_target() -> None:
    assert routes(chain_graph()) == {("internet", "vm", "role", "model")}


def test_targets_are_terminal() -> None:
    g = chain_graph()
    g.add_edge("model", "bucket", "GROUNDED_ON", {"mechanism": "test"})
    # The bucket is reachable only through the model, which is a target: no second path.
    assert routes(g) == {("internet", "vm", "role", "model")}


def test_distinct_routes_are_distinct_paths() -> None:
    g = chain_graph()
    g.add_edge("role", "bucket", "CAN_READ", {"permission": "s3:GetObject"})
    g.add_node("bucket2", "S3Bucket", "b2", data_role=["training"], public_read=True)
    g.add_edge("internet", "bucket", "PUBLIC_ACCESS", {"grant": "public"})
    assert routes(g) == {
        ("internet", "vm", "role", "model"),
        ("internet", "vm", "role", "bucket"),
        ("internet", "bucket"),
    }


def test_hop_bound() -> None:
    assert routes(chain_graph(), max_hops=2) == set()
    assert routes(chain_graph(), max_hops=3) == {("internet", "vm", "role", "model")}


def test_container_passes_through_to_what_it_serves() -> None:
    g = Graph()
    g.ensure_internet()
    g.add_node("acct", "AzureCognitiveServicesAccount", "acct", public_network_access=True)
    g.add_node("dep", "AzureOpenAIDeployment", "dep")
    g.add_node("lonely", "AzureCognitiveServicesAccount", "lonely")
    g.add_edge("internet", "acct", "INTERNET_EXPOSED", {"auth": "key"})
    g.add_edge("internet", "lonely", "INTERNET_EXPOSED", {"auth": "key"})
    g.add_edge("acct", "dep", "SERVES", {"mechanism": "deployment"})
    assert "acct" not in find_targets(g) and "lonely" in find_targets(g)
    assert routes(g) == {("internet", "acct", "dep"), ("internet", "lonely")}


def test_credentials_entry_is_opt_in() -> None:
    g = Graph()
    g.ensure_internet()
    g.add_node("user", "AWSUser", "ci-bot", long_lived_credentials=True)
    g.add_node("m", "BedrockCustomModel", "m")
    g.add_edge("user", "m", "CAN_INVOKE", {"permission": "bedrock:InvokeModel"})
    assert routes(g) == set()
    res = find_paths(g, PathOptions(entry="credentials"))
    assert [tuple(n.id for n in p.nodes) for p in res.paths] == [("user", "m")]
    assert res.paths[0].risk.factors[0].name == "entry"


def test_path_cap_is_reported_never_silent() -> None:
    g = Graph()
    g.ensure_internet()
    for i in range(5):
        g.add_node(f"b{i}", "S3Bucket", f"b{i}", data_role=["training"], public_read=True)
        g.add_edge("internet", f"b{i}", "PUBLIC_ACCESS", {"grant": "public"})
    res = find_paths(g, PathOptions(max_paths=3, all_routes=True))
    assert res.truncated and "path cap of 3" in (res.truncation or "")
    assert len(res.paths) == 3


def test_conditional_edge_lowers_likelihood_and_is_named() -> None:
    g = chain_graph()
    base = find_paths(g).paths[0]
    g2 = chain_graph()
    g2.g.edges["role", "model", "CAN_INVOKE"]["confidence"] = "conditional"
    cond = find_paths(g2).paths[0]
    assert cond.risk.score < base.risk.score
    assert any(f.name == "confidence" and "conditional" in f.detail for f in cond.risk.factors)
    assert cond.id == base.id  # same route, same id


ATTACK = ["CAN_ASSUME", "CAN_READ", "HAS_IDENTITY", "CAN_INVOKE"]


@settings(max_examples=60, deadline=None)
@given(
    st.integers(4, 12).flatmap(
        lambda n: st.tuples(
            st.just(n),
            st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=30),
            st.sets(st.integers(1, n - 1), min_size=1, max_size=3),
            st.integers(1, 6),
        )
    )
)
def test_engine_equals_naive_enumeration(
    case: tuple[int, list[tuple[int, int]], set[int], int],
) -> None:
    """Every simple path from the internet that stops at its first target, within the bound."""
    n, pairs, target_ids, hops = case
    g = Graph(strict=False)  # random attack-step wiring, not a schema-shaped estate
    g.ensure_internet()
    names = ["internet"] + [f"n{i}" for i in range(1, n)]
    for i in range(1, n):
        if i in target_ids:
            g.add_node(names[i], "S3Bucket", names[i], data_role=["training"])
        else:
            g.add_node(names[i], "AWSRole", names[i])
    for a, b in pairs:
        if a != b and b != 0:
            g.add_edge(names[a], names[b], "CAN_ASSUME", {"statement": "s"})
    dg = nx.DiGraph()
    dg.add_edges_from((s, t) for s, t, _d in g.edges())
    targets = {names[i] for i in target_ids}
    expected: set[tuple[str, ...]] = set()
    for t in targets:
        if t in dg and "internet" in dg:
            for p in nx.all_simple_paths(dg, "internet", t, cutoff=hops):
                if not any(x in targets for x in p[1:-1]):
                    expected.add(tuple(p))
    assert routes(g, max_hops=hops, all_routes=True) == expected
    # The default lists the best routes of every pair: the same pairs, never a route that is
    # not one, the shortest route first, and the route counts are the true ones.
    best = find_paths(g, PathOptions(max_hops=hops))
    assert {(p.entry, p.target) for p in best.paths} == {(r[0], r[-1]) for r in expected}
    assert {tuple(n.id for n in p.nodes) for p in best.paths} <= expected
    for pair in best.pairs:
        mine = [r for r in expected if r[-1] == pair.target]
        assert pair.exact and pair.routes == len(mine)
        first = next(p for p in best.paths if p.id == pair.best)
        assert first.hops == min(len(r) - 1 for r in mine)
