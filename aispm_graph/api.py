"""The Python API: the same analyses as the CLI, for notebooks and scripts.

    from aispm_graph.api import Estate
    estate = Estate.open(".aispm")          # or Estate.demo() for the bundled estate
    result = estate.paths()                 # PathResult (pydantic), ranked
    df = estate.paths_frame()               # pandas DataFrame (extra: aispm-graph[notebooks])
    estate.draw_path(result.paths[0])       # matplotlib figure of one path
    G = estate.nx                           # the networkx.MultiDiGraph itself
    with estate.cypher() as conn:           # the same graph in the embedded FalkorDB
        rows = conn.run("MATCH (n:AIModel) RETURN n.name AS name")

Results are the pydantic models the CLI prints as JSON (``AttackPath``, ``Inventory``,
``ReportData``), so what a script sees is what ``--format json`` documents. pandas and matplotlib
are imported only by the functions that need them.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx
import networkx as nx

from aispm_graph.analysis.engine import DEFAULT_MAX_HOPS, DEFAULT_MAX_PATHS, PathOptions, find_paths
from aispm_graph.analysis.inventory import Inventory, build_inventory
from aispm_graph.analysis.models import AttackPath, PathResult
from aispm_graph.build import BuildContext, build_snapshot
from aispm_graph.graph.model import Graph
from aispm_graph.report.data import ReportData, build_report_data
from aispm_graph.report.svg import COLORS, node_shape
from aispm_graph.store import load_graph
from aispm_graph.workspace import Snapshot, Workspace, WorkspaceError

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

    from aispm_graph.cypher.embedded import EmbeddedGraph


class Estate:
    """One built graph and the analyses on it. Results are cached per set of options."""

    def __init__(
        self, graph: Graph, snapshot_id: str | None = None, snapshot: Snapshot | None = None
    ) -> None:
        self.graph = graph
        self.snapshot_id = snapshot_id
        self.snapshot = snapshot  # the workspace snapshot it was built in, when there is one
        self._paths: dict[tuple[Any, ...], PathResult] = {}

    # -- opening -------------------------------------------------------------------------
    @classmethod
    def open(cls, workspace: str | Path = ".aispm", snapshot: str | None = None) -> Estate:
        """The latest built snapshot of ``workspace`` (or ``snapshot``); run ``aispm build``
        first. Raises :class:`~aispm_graph.workspace.WorkspaceError` with the reason otherwise."""
        ws = Workspace(Path(workspace))
        snap = ws.snapshot(snapshot) if snapshot else ws.latest_built()
        if not snap.sealed:
            raise WorkspaceError(f"snapshot {snap.id} has not been built: run 'aispm build'")
        graph, _meta = load_graph(snap.graph_path)
        return cls(graph, snap.id, snap)

    @classmethod
    def demo(cls, workspace: str | Path | None = None) -> Estate:
        """Import and build the bundled demo estate (into a temporary workspace by default)."""
        from aispm_graph.demo import import_demo

        root = Path(workspace) if workspace else Path(tempfile.mkdtemp(prefix="aispm-demo-"))
        ws = Workspace(root)
        snap = ws.new_snapshot()
        import_demo(snap)
        graph, _ctx = build_snapshot(snap, BuildContext())
        return cls(graph, snap.id, snap)

    @classmethod
    def from_file(cls, path: str | Path) -> Estate:
        """A graph saved by a build (``graph.json.zst`` in a snapshot directory)."""
        graph, meta = load_graph(Path(path))
        return cls(graph, meta.get("snapshot"))

    def cypher(self) -> EmbeddedGraph:
        """The embedded FalkorDB holding this estate's snapshot (Python 3.12+), as the CLI's
        ``aispm query`` uses it: ``with estate.cypher() as conn: conn.run(text, params)``.
        Loaded on first use and kept in the workspace; the server stops when the block ends.
        """
        from aispm_graph.cypher.embedded import EmbeddedGraph

        if self.snapshot is None:
            raise WorkspaceError(
                "this estate has no workspace snapshot (opened from a file): use Estate.open()"
            )
        return EmbeddedGraph(self.snapshot)

    # -- the graph -----------------------------------------------------------------------
    @property
    def nx(self) -> networkx.MultiDiGraph:
        """The underlying NetworkX multigraph (edges keyed by kind). Treat it as read-only, or
        use :meth:`copy` first: the cached results describe the graph as it was."""
        return self.graph.g

    def copy(self) -> Estate:
        """An independent estate over a copy of the graph, for what-if experiments."""
        return Estate(self.graph.copy(), self.snapshot_id)

    def without_edges(self, edges: list[tuple[str, str, str]]) -> Estate:
        """A copy with the given ``(source, kind, target)`` edges removed: "what if we fixed
        these?". Unknown edges raise ``KeyError`` so a typo cannot look like a fix."""
        out = self.copy()
        for src, kind, dst in edges:
            if not out.graph.remove_edge(src, dst, kind):
                raise KeyError(f"no edge {src} -[{kind}]-> {dst}")
        return out

    def subgraph(self, path: AttackPath, neighbours: bool = False) -> networkx.MultiDiGraph:
        """The nodes of ``path`` (and, with ``neighbours``, everything one hop away)."""
        ids = {n.id for n in path.nodes}
        if neighbours:
            for n in list(ids):
                ids |= set(self.nx.successors(n)) | set(self.nx.predecessors(n))
        return self.nx.subgraph(ids).copy()

    # -- analyses ------------------------------------------------------------------------
    def paths(
        self,
        *,
        entry: str = "internet",
        max_hops: int = DEFAULT_MAX_HOPS,
        max_paths: int = DEFAULT_MAX_PATHS,
        target_kinds: tuple[str, ...] = (),
    ) -> PathResult:
        """Ranked attack paths, exactly as ``aispm paths`` finds them."""
        if entry not in ("internet", "credentials"):
            raise ValueError("entry must be 'internet' or 'credentials'")
        key = (entry, max_hops, max_paths, tuple(sorted(target_kinds)))
        if key not in self._paths:
            opts = PathOptions(
                entry="credentials" if entry == "credentials" else "internet",
                max_hops=max_hops,
                max_paths=max_paths,
                target_kinds=frozenset(target_kinds),
            )
            self._paths[key] = find_paths(self.graph, opts)
        return self._paths[key]

    def path(self, path_id: str) -> AttackPath:
        """One path by id or unique id prefix (internet entry first, then credentials)."""
        for entry in ("internet", "credentials"):
            hits = [p for p in self.paths(entry=entry).paths if p.id.startswith(path_id)]
            if len(hits) == 1 or (hits and hits[0].id == path_id):
                return hits[0]
            if hits:
                raise KeyError(f"path id prefix {path_id!r} is ambiguous ({len(hits)} paths)")
        raise KeyError(f"no attack path with id {path_id!r}")

    def inventory(self) -> Inventory:
        """The AI-BOM, with the number of (internet-entry) paths through each item."""
        counts: dict[str, int] = {}
        for p in self.paths().paths:
            for n in p.nodes:
                counts[n.id] = counts.get(n.id, 0) + 1
        return build_inventory(self.graph, counts)

    def report(self, **kwargs: Any) -> ReportData:
        """Everything a report shows (see :func:`aispm_graph.report.build_report_data`)."""
        return build_report_data(self.graph, self.paths(), snapshot=self.snapshot_id, **kwargs)

    # -- tables ----------------------------------------------------------------------------
    def paths_frame(self, result: PathResult | None = None) -> pd.DataFrame:
        return paths_frame((result or self.paths()).paths)

    def hops_frame(self, result: PathResult | None = None) -> pd.DataFrame:
        return hops_frame((result or self.paths()).paths)

    def inventory_frame(self) -> pd.DataFrame:
        return inventory_frame(self.inventory())

    def draw_path(self, path: AttackPath, ax: Axes | None = None) -> Axes:
        return draw_path(path, ax)


def _pandas() -> Any:
    try:
        import pandas
    except ImportError:  # pragma: no cover - depends on the installation
        raise ImportError("DataFrames need pandas: pip install 'aispm-graph[notebooks]'") from None
    return pandas


def paths_frame(paths: list[AttackPath]) -> pd.DataFrame:
    """One row per path: rank, id, level, score, likelihood, impact, hops, entry, target."""
    pd = _pandas()
    rows = [
        {
            "rank": i,
            "id": p.id,
            "level": p.risk.level,
            "score": p.risk.score,
            "likelihood": p.risk.likelihood,
            "impact": p.risk.impact,
            "hops": p.hops,
            "entry": p.entry,
            "target": p.target,
            "target_name": p.nodes[-1].name,
            "target_kind": p.nodes[-1].kind,
            "target_class": p.target_class,
            "title": p.title,
        }
        for i, p in enumerate(paths, 1)
    ]
    return pd.DataFrame(rows, columns=list(rows[0]) if rows else ["rank", "id", "level", "score"])


def hops_frame(paths: list[AttackPath]) -> pd.DataFrame:
    """One row per hop of every path, with its evidence as a dict column."""
    pd = _pandas()
    rows = [
        {
            "path_id": p.id,
            "hop": i + 1,
            "source": e.source,
            "source_name": p.nodes[i].name,
            "kind": e.kind,
            "target": e.target,
            "target_name": p.nodes[i + 1].name,
            "confidence": e.confidence,
            "evidence": e.evidence,
        }
        for p in paths
        for i, e in enumerate(p.edges)
    ]
    return pd.DataFrame(rows)


def inventory_frame(inv: Inventory) -> pd.DataFrame:
    pd = _pandas()
    return pd.DataFrame([i.model_dump() for i in inv.items])


def draw_path(path: AttackPath, ax: Axes | None = None) -> Axes:
    """Draw one path left to right with matplotlib (node colours as in the HTML report)."""
    import matplotlib.pyplot as plt

    if ax is None:
        _fig, ax = plt.subplots(figsize=(max(6.0, 2.6 * len(path.nodes)), 2.4))
    g = nx.DiGraph()
    pos: dict[str, tuple[float, float]] = {}
    for i, n in enumerate(path.nodes):
        g.add_node(n.id)
        pos[n.id] = (float(i), 0.0)
    for e in path.edges:
        g.add_edge(e.source, e.target, kind=e.kind)
    colors = [COLORS[node_shape(n)] for n in path.nodes]
    nx.draw_networkx_nodes(g, pos, ax=ax, node_color=colors, node_size=2200, edgecolors="#555")
    nx.draw_networkx_edges(g, pos, ax=ax, arrows=True, node_size=2200, edge_color="#555")
    nx.draw_networkx_labels(
        g,
        pos,
        ax=ax,
        font_size=7,
        labels={n.id: f"{n.name[:18]}\n{n.kind[:18]}" for n in path.nodes},
    )
    nx.draw_networkx_edge_labels(
        g, pos, ax=ax, font_size=7, edge_labels={(e.source, e.target): e.kind for e in path.edges}
    )
    ax.set_title(f"{path.id} {path.risk.level} {path.risk.score}: {path.title}"[:120], fontsize=9)
    ax.set_xlim(-0.6, len(path.nodes) - 0.4)
    ax.axis("off")
    return ax


__all__ = ["Estate", "draw_path", "hops_frame", "inventory_frame", "paths_frame"]
