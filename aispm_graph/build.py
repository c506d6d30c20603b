"""Turn a snapshot's raw documents into the graph.

Transforms (one per source: ``aws``, ``azure``, ``gcp``, ``graph``, ``trivy``, ...) reshape raw
documents into nodes and edges; derivers then compute edges that need the whole graph (internet
exposure from firewall rules, ...). Both register themselves here, so adding a provider never
touches the build loop. Bad records are skipped with a warning that names them, never dropped
silently.
"""

from __future__ import annotations

import gc
import ipaddress
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aispm_graph.context import Context
from aispm_graph.graph.model import Graph, UndeclaredKeyError
from aispm_graph.progress import Reporter, task
from aispm_graph.schema.audit import audit
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
_DERIVERS: list[tuple[str, str, Deriver]] = []

# The derivers run in named phases, in this order; within a phase, in the order listed here.
# This table is the one place that says what runs before what (docs/architecture.md repeats it):
#
# * facts: properties and edges later phases read (public buckets and trusts, GCP IAM, which
#   sets the public bucket properties exposure reads, owner-marked assets);
# * exposure: what the internet reaches (firewall rules, PaaS endpoints, load balancers);
# * access: who can do what (IAM policy evaluation, RBAC, privilege escalation);
# * vulnerabilities: packages and models matched with advisories and scan findings;
# * context: indicators summarised from the finished graph.
# (The owner's accepted exposures are applied inside access, see below: where they always ran.)
#
# A deriver not listed runs at the end of its phase, by name.
PHASES: dict[str, tuple[str, ...]] = {
    "facts": (
        "gcp-agents",
        "aws-public",
        "context-assets",
        "gcp-iam",
        "gcp-escalation",
        "gcp-external-projects",
    ),
    "exposure": ("internet-exposure", "aws-load-balancers"),
    "access": (
        "aws-iam",
        # A long-term Bedrock API key reaches what its user's Bedrock permissions reach.
        "aws-bedrock-api-keys",
        "azure-rbac",
        # The owner's accepted exposures drop internet edges after the policy passes that add
        # them and before the passes that read them (agents, MCP servers, injection).
        "context-safe-exposures",
        "aws-agents",
        "azure-escalation",
        "gcp-cloud-run-mcp",
        "gcp-dialogflow-webhooks",
        "azure-agents-web",
        "agents-injection",
        "model-provenance",
    ),
    "vulnerabilities": ("vulns-match", "vulns-link", "vulns-factors", "model-scan-findings"),
    "context": ("agents-indicators",),
}

# Integer orders of the former ``@deriver(order, name)``, still accepted during the transition:
# an order below each bound belongs to that phase.
_LEGACY_BOUNDS: tuple[tuple[int, str], ...] = (
    (10, "facts"),
    (20, "exposure"),
    (50, "access"),
    (60, "vulnerabilities"),
)


def transform(source: str) -> Callable[[Transform], Transform]:
    def register(fn: Transform) -> Transform:
        _TRANSFORMS[source] = fn
        return fn

    return register


def phase_of(order: int) -> str:
    """The phase a former integer order belongs to."""
    for bound, phase in _LEGACY_BOUNDS:
        if order < bound:
            return phase
    return "context"


def _run_key(entry: tuple[str, str, Deriver]) -> tuple[int, int, str]:
    phase, name, _fn = entry
    listed = PHASES[phase]
    position = listed.index(name) if name in listed else len(listed)
    return (list(PHASES).index(phase), position, name)


def deriver(phase: str | int, name: str) -> Callable[[Deriver], Deriver]:
    """Register a whole-graph pass in ``phase`` (a key of :data:`PHASES`); an integer is the
    former order and is mapped with :func:`phase_of`."""
    resolved = phase_of(phase) if isinstance(phase, int) else phase
    if resolved not in PHASES:
        raise ValueError(f"deriver {name!r}: unknown phase {phase!r}; one of {', '.join(PHASES)}")

    def register(fn: Deriver) -> Deriver:
        _DERIVERS[:] = [d for d in _DERIVERS if d[1] != name]
        _DERIVERS.append((resolved, name, fn))
        _DERIVERS.sort(key=_run_key)
        return fn

    return register


def deriver_order() -> list[tuple[str, str]]:
    """(phase, name) of every registered deriver in the order a build runs them."""
    _load_plugins()
    return [(phase, name) for phase, name, _fn in _DERIVERS]


def _load_plugins() -> None:
    """Import the modules that register transforms and derivers."""
    import aispm_graph.derive  # noqa: F401
    from aispm_graph.transforms import load_all

    load_all()


def build_graph(documents: Iterable[Document], ctx: BuildContext | None = None) -> Graph:
    _load_plugins()
    ctx = ctx or BuildContext()
    # The cyclic collector is held while the graph is built: the build allocates millions of
    # small dicts and lists that stay alive (the graph itself) and makes almost no cycles, so
    # every collection it triggered walked the growing graph again for nothing (a quarter of
    # the build's CPU at 30k resources). Reference counting still frees everything else.
    held = gc.isenabled()
    gc.disable()
    try:
        return _build(documents, ctx)
    finally:
        if held:
            gc.enable()


def _build(documents: Iterable[Document], ctx: BuildContext) -> Graph:
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
        for _phase, name, derive in _DERIVERS:
            bar.update(detail=name)
            started = time.perf_counter()
            derive(graph, ctx)
            ctx.timings.append(("deriver", name, time.perf_counter() - started))
            bar.advance()
    if graph.strict:
        check_declared(graph)
    return graph


def transformed_kinds(documents: Iterable[Document]) -> dict[str, str]:
    """The kind of every node the transforms make from ``documents`` (no derivers, no graph
    files): what ``import graph`` checks a file against when provider data collected or
    imported since the last build is not in a built graph yet."""
    _load_plugins()
    graph = Graph(strict=False)
    ctx = BuildContext()
    by_source: dict[str, list[Document]] = defaultdict(list)
    for doc in documents:
        if doc.source != "graph":
            by_source[doc.source].append(doc)
    for source in sorted(by_source):
        fn = _TRANSFORMS.get(source)
        if fn is not None:
            fn(by_source[source], graph, ctx)
    return {node_id: str(data.get("kind")) for node_id, data in graph.nodes()}


def check_declared(graph: Graph) -> None:
    """Strict graphs (tests) also catch keys written by editing a node's dict in place, which
    the checks in ``Graph.add_*`` cannot see."""
    undeclared = audit(graph).keys() - graph.excused
    if undeclared:
        raise UndeclaredKeyError(
            "built graph holds undeclared keys (python -m aispm_graph.schema.audit lists "
            "where): " + ", ".join(sorted(undeclared))
        )


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
