"""Shared steps of the analysis commands: load the built graph, run the engine."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aispm_graph.analysis.engine import PathOptions, find_paths
from aispm_graph.analysis.models import LEVEL_ORDER, AttackPath, PathResult
from aispm_graph.cli.errors import GateFailed, UserError
from aispm_graph.cli.groups import App
from aispm_graph.graph.model import Graph
from aispm_graph.store import load_graph
from aispm_graph.workspace import Snapshot

# Other backends (Neo4j, FalkorDB) register a path finder here under their name.
PathBackend = Callable[[App, Graph, PathOptions, dict[str, Any]], PathResult]
PATH_BACKENDS: dict[str, PathBackend] = {}


def load_built(app: App, snapshot_id: str | None = None) -> tuple[Graph, dict[str, Any], Snapshot]:
    ws = app.workspace
    snap = ws.snapshot(snapshot_id) if snapshot_id else ws.latest_built()
    if not snap.sealed:
        raise UserError(f"snapshot {snap.id} has not been built: run 'aispm build'")
    graph, meta = load_graph(snap.graph_path)
    return graph, meta, snap


def run_paths(
    app: App,
    graph: Graph,
    opts: PathOptions,
    backend: str = "networkx",
    backend_args: dict[str, Any] | None = None,
) -> PathResult:
    if backend == "networkx":
        if app.show_progress:
            with app.err.status("finding attack paths..."):
                return find_paths(graph, opts)
        return find_paths(graph, opts)
    fn = PATH_BACKENDS.get(backend)
    if fn is None:
        # Backends register from their command module (cli/commands/cypher.py), which the
        # lazy CLI has not necessarily imported for 'paths'.
        from aispm_graph.cli.lazy import load_all

        load_all()
        fn = PATH_BACKENDS.get(backend)
    if fn is None:
        raise UserError(f"backend {backend!r} is not available in this installation")
    return fn(app, graph, opts, backend_args or {})


def filter_paths(
    paths: list[AttackPath], min_risk: str | None, top: int | None
) -> list[AttackPath]:
    if min_risk:
        floor = LEVEL_ORDER[min_risk]
        paths = [p for p in paths if LEVEL_ORDER[p.risk.level] >= floor]
    if top is not None:
        paths = paths[:top]
    return paths


def check_gate(paths: list[AttackPath], fail_on: str | None) -> None:
    if not fail_on:
        return
    floor = LEVEL_ORDER[fail_on]
    hits = [p for p in paths if LEVEL_ORDER[p.risk.level] >= floor]
    if hits:
        raise GateFailed(f"{len(hits)} attack path(s) at or above {fail_on} (--fail-on {fail_on})")


def path_counts(paths: list[AttackPath]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for p in paths:
        for n in p.nodes:
            counts[n.id] = counts.get(n.id, 0) + 1
    return counts
