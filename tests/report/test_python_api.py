"""The Python API: same results as the CLI, as pydantic objects and DataFrames, and drawings."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import networkx as nx
import pytest

from aispm_graph.analysis.models import AttackPath, PathResult
from aispm_graph.api import Estate
from aispm_graph.workspace import WorkspaceError
from tests.conftest import run_cli

matplotlib.use("Agg")


def test_open_matches_cli(demo_estate: Estate, demo_paths: dict, demo_ws: Path) -> None:
    result = demo_estate.paths()
    assert isinstance(result, PathResult)
    assert [p.id for p in result.paths] == [p["id"] for p in demo_paths["paths"]]
    assert [p.model_dump(mode="json") for p in result.paths] == demo_paths["paths"]
    assert demo_estate.paths() is result  # cached
    assert isinstance(demo_estate.nx, nx.MultiDiGraph)
    assert demo_estate.nx.number_of_nodes() == len(demo_estate.graph)
    inv = run_cli("inventory", "--format", "json", workspace=demo_ws).json()
    assert [i.model_dump() for i in demo_estate.inventory().items] == inv["items"]
    creds = demo_estate.paths(entry="credentials")
    assert len(creds.paths) >= len(result.paths)


def test_path_lookup_and_errors(demo_estate: Estate, tmp_path: Path) -> None:
    top = demo_estate.paths().paths[0]
    assert demo_estate.path(top.id[:9]).id == top.id
    with pytest.raises(KeyError, match="no attack path"):
        demo_estate.path("ap-nothere")
    with pytest.raises(ValueError, match="entry"):
        demo_estate.paths(entry="moon")
    with pytest.raises(WorkspaceError):
        Estate.open(tmp_path / "empty")


def test_frames(demo_estate: Estate) -> None:
    df = demo_estate.paths_frame()
    paths = demo_estate.paths().paths
    assert list(df["id"]) == [p.id for p in paths]
    assert list(df["rank"]) == list(range(1, len(paths) + 1))
    assert df["score"].is_monotonic_decreasing
    hops = demo_estate.hops_frame()
    assert len(hops) == sum(p.hops for p in paths)
    first = hops[hops.path_id == paths[0].id]
    assert list(first["kind"]) == [e.kind for e in paths[0].edges]
    inv = demo_estate.inventory_frame()
    assert {"provider", "service", "shadow_ai", "paths"} <= set(inv.columns)
    assert inv["shadow_ai"].sum() == demo_estate.inventory().summary()["shadow_ai_hosts"]


def test_draw_path(demo_estate: Estate, tmp_path: Path) -> None:
    p: AttackPath = max(demo_estate.paths().paths, key=lambda p: p.hops)
    ax = demo_estate.draw_path(p)
    texts = {t.get_text() for t in ax.texts}
    for n in p.nodes:
        assert any(t.startswith(n.name[:18]) for t in texts), n.name
    for e in p.edges:
        assert e.kind in texts
    out = tmp_path / "p.png"
    ax.figure.savefig(out)
    assert out.stat().st_size > 5000


def test_whatif_with_copies(demo_estate: Estate) -> None:
    base = demo_estate.paths()
    report = demo_estate.report()
    assert report.chokepoints
    fix = report.chokepoints[0]
    p = next(p for p in base.paths if p.id == fix.paths[0])
    r = next(r for r in p.remediation if r.id == fix.fix_id)
    e = p.edges[r.edge or 0]
    fixed = demo_estate.without_edges([(e.source, e.kind, e.target)])
    after = {q.id for q in fixed.paths().paths}
    assert not after & set(fix.paths)
    assert len(after) < len(base.paths)
    # The original estate is untouched, and typos are errors, not silent no-ops.
    assert demo_estate.paths() is base and demo_estate.graph.edge(e.source, e.target, e.kind)
    with pytest.raises(KeyError):
        demo_estate.without_edges([("a", "CAN_READ", "b")])


def test_demo_constructor(tmp_path: Path, demo_paths: dict) -> None:
    est = Estate.demo(tmp_path / "ws")
    assert [p.id for p in est.paths().paths] == [p["id"] for p in demo_paths["paths"]]
    again = Estate.open(tmp_path / "ws")
    assert again.snapshot_id == est.snapshot_id
