"""Turn a snapshot's raw documents into the graph.

Transforms (one per source: ``aws``, ``azure``, ``gcp``, ``graph``, ``trivy``, ...) reshape raw
documents into nodes and edges; derivers then compute edges that need the whole graph (internet
exposure from firewall rules, ...). Both register themselves here, so adding a provider never
touches the build loop. Bad records are skipped with a warning that names them, never dropped
silently.
"""

from __future__ import annotations

import ipaddress
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aispm_graph.context import Context
from aispm_graph.graph.model import Graph
from aispm_graph.progress import Reporter, task
from aispm_graph.workspace import Document, Snapshot

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass
class BuildOptions:
    """Context that changes what is derived: networks the owner trusts are not 'internet',
    crown jewels become targets, accepted exposures start no path."""

    trusted_cidrs: tuple[Network, ...] = ()
    context: Context | None = None


@dataclass
class BuildContext:
    options: BuildOptions = field(default_factory=BuildOptions)
    warnings: list[str] = field(default_factory=list)
    stats: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    # The workspace being built, for derivers that read workspace-level data (the imported
    # vulnerability database); None when building documents outside a workspace.
    workspace_root: Path | None = None
    # Where passes report how far they are (progress bars in the CLI; nothing by default).
    progress: Reporter | None = None
    # Seconds per pass, in run order: ("transform" | "deriver", name, seconds). Always filled
    # (a clock read per pass costs nothing next to the pass); ``aispm build --profile`` prints it.
    timings: list[tuple[str, str, float]] = field(default_factory=list)

    def warn(self, message: str) -> None:
        self.warnings.append(message)


Transform = Callable[[list[Document], Graph, BuildContext], None]
Deriver = Callable[[Graph, BuildContext], None]

_TRANSFORMS: dict[str, Transform] = {}
_DERIVERS: list[tuple[int, str, Deriver]] = []


def transform(source: str) -> Callable[[Transform], Transform]:
    def register(fn: Transform) -> Transform:
        _TRANSFORMS[source] = fn
        return fn

    return register


def deriver(order: int, name: str) -> Callable[[Deriver], Deriver]:
    """Register a whole-graph pass; lower ``order`` runs first (exposure before escalation)."""

    def register(fn: Deriver) -> Deriver:
        _DERIVERS.append((order, name, fn))
        _DERIVERS.sort(key=lambda d: (d[0], d[1]))
        return fn

    return register


def _load_plugins() -> None:
    """Import the modules that register transforms and derivers."""
    import aispm_graph.derive  # noqa: F401
    from aispm_graph.transforms import load_all

    load_all()


def build_graph(documents: Iterable[Document], ctx: BuildContext | None = None) -> Graph:
    _load_plugins()
    ctx = ctx or BuildContext()
    graph = Graph()
    by_source: dict[str, list[Document]] = defaultdict(list)
    for doc in documents:
        by_source[doc.source].append(doc)
    # Sources build in a fixed order so the same snapshot gives the same graph.
    total = sum(len(docs) for docs in by_source.values())
    with task(ctx.progress, "build: documents", total) as bar:
        for source in sorted(by_source):
            docs = by_source[source]
            bar.update(detail=source)
            fn = _TRANSFORMS.get(source)
            if fn is None:
                ctx.warn(f"no transform for source {source!r}: {len(docs)} documents skipped")
                bar.advance(len(docs), failed=len(docs))
                continue
            started = time.perf_counter()
            fn(docs, graph, ctx)
            ctx.timings.append(("transform", source, time.perf_counter() - started))
            bar.advance(len(docs))
    graph.ensure_internet()
    with task(ctx.progress, "build: derive passes", len(_DERIVERS)) as bar:
        for _order, name, derive in _DERIVERS:
            bar.update(detail=name)
            started = time.perf_counter()
            derive(graph, ctx)
            ctx.timings.append(("deriver", name, time.perf_counter() - started))
            bar.advance()
    return graph


def build_snapshot(snapshot: Snapshot, ctx: BuildContext | None = None) -> tuple[Graph, Any]:
    from aispm_graph.store import save_graph

    ctx = ctx or BuildContext()
    if ctx.workspace_root is None:
        ctx.workspace_root = snapshot.workspace.root
    # Held from reading the documents to sealing: a source stored meanwhile would otherwise be
    # listed in the sealed manifest but missing from its graph.
    with snapshot.workspace.lock():
        graph = build_graph(snapshot.documents(), ctx)
        save_graph(
            graph, snapshot.graph_path, meta={"snapshot": snapshot.id, "warnings": ctx.warnings}
        )
    return graph, ctx
