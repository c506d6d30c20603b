"""The build and the path search do linear work on a synthetic organisation: 4x the estate,
about 4x the work. A pairwise pass (every principal against every resource) would do ~16x.

Work is counted, never timed: policy evaluations, statements checked and account lookups in the
AWS IAM evaluator, pairings made by the Azure RBAC and GCP IAM derivers, and the steps of the
path search. The estate sizes hold the same mix of AWS accounts, Azure subscriptions and GCP
projects (6 and 24 tenants), so linear work grows by exactly the tenant count.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from aispm_graph.analysis.engine import PathOptions, find_paths
from aispm_graph.build import BuildContext, build_graph
from aispm_graph.knowledge.aws.iam import WORK
from aispm_graph.synth import synth_document
from aispm_graph.workspace import Document

N = 6_000
# Linear growth is 4x; the margin absorbs the few organisation-wide objects (the GCP
# organisation and folders, cross-account trusts naming the management account).
LINEAR = 4.6


@dataclass
class Work:
    iam: dict[str, int]
    stats: dict[str, int]
    search: dict[str, int]
    edges: int


def _work(resources: int) -> Work:
    doc = synth_document(resources, seed=11)
    WORK.reset()
    ctx = BuildContext()
    graph = build_graph([Document("graph", "synthetic", "synthetic", doc)], ctx)
    iam = WORK.snapshot()
    search = {
        entry: find_paths(graph, PathOptions(entry=entry)).stats.search_steps
        for entry in ("internet", "credentials")
    }
    return Work(iam, dict(ctx.stats), search, graph.edge_count)


@pytest.fixture(scope="module")
def growth() -> tuple[Work, Work]:
    return _work(N), _work(4 * N)


def _ratio(small: int, large: int) -> float:
    assert small > 0, "the estate must exercise this pass"
    return large / small


def test_estate_is_dense_enough_to_mean_something(growth: tuple[Work, Work]) -> None:
    small, large = growth
    assert small.edges > 2.5 * N and large.edges > 2.5 * 4 * N
    assert small.iam["evaluations"] > 1_000


@pytest.mark.parametrize(
    "counter",
    ["azure.rbac_pairs", "gcp.iam_pairs", "azure.escalation_visits", "gcp.escalation_visits"],
)
def test_azure_and_gcp_pairing_is_linear(growth: tuple[Work, Work], counter: str) -> None:
    small, large = growth
    assert _ratio(small.stats[counter], large.stats[counter]) <= LINEAR


def test_path_search_is_linear(growth: tuple[Work, Work]) -> None:
    """Credential entries: every access key of every account starts a search, so this is the
    search's growth with the estate (from the internet, a small estate's reach depends on which
    few hosts happen to be exposed, too noisy for a ratio)."""
    small, large = growth
    assert _ratio(small.search["credentials"], large.search["credentials"]) <= LINEAR


@pytest.mark.parametrize("counter", ["evaluations", "statements", "account_lookups"])
def test_aws_iam_evaluation_is_linear(growth: tuple[Work, Work], counter: str) -> None:
    small, large = growth
    assert _ratio(small.iam[counter], large.iam[counter]) <= LINEAR
