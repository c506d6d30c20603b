"""The one builder every provider transform writes the graph through.

Three rules that used to be three different habits (AWS skipped a missing edge endpoint and
returned ``False``, Azure skipped it silently, GCP raised and lost the whole record) are kept
here once:

* **Edges never depend on load order.** :meth:`Builder.edge` adds the edge at once when both
  ends exist and otherwise keeps it until :meth:`Builder.finish`, which runs after every
  service of the provider; an endpoint that is still missing then is *reported* (source,
  operation, record, edge), never silently dropped.
* **One bad record costs one record.** :meth:`Builder.guard` wraps the handling of one raw
  record; any exception becomes a build warning naming source, scope, operation, record and
  (for a ``KeyError``) the field, and the transform carries on with the next record.
* **Things referenced but not collected are one kind of node.** :meth:`Builder.placeholder`
  makes (or leaves alone) a node with ``collected=False``, so "known to exist, contents
  unknown" is stated in one place.

Warnings follow the convention of ``docs/architecture.md``:
``"<source>:<scope>: <operation>: record <id>: field '<f>': <why>; skipped"``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from aispm_graph.build import BuildContext
from aispm_graph.graph.model import Confidence, Graph, UndeclaredKeyError
from aispm_graph.transforms.registry import ServiceSpec, UndeclaredRead, check_read, services

log = logging.getLogger(__name__)

# Keys that usually name a raw record, most specific first; used to say *which* record failed.
ID_KEYS = (
    "id",
    "name",
    "Arn",
    "ARN",
    "arn",
    "Id",
    "Name",
)
# How many records a missing-endpoint warning names before it only counts the rest.
NAMED_PER_WARNING = 3


def record_label(record: Any, index: int | None = None) -> str:
    """A short, stable name for a raw record: its id-like field, else its position.

    Looks at the usual id keys first, then at any string field whose name ends in ``Arn``,
    ``Id`` or ``Name`` (``FunctionArn``, ``GroupId``, ``RoleName``), so a warning points at the
    record a person can find in the snapshot.
    """
    if isinstance(record, Mapping):
        for key in ID_KEYS:
            value = record.get(key)
            if isinstance(value, str) and value:
                return _short(value)
        for suffix in ("Arn", "ARN", "Id", "Name"):
            for key, value in record.items():
                if str(key).endswith(suffix) and isinstance(value, str) and value:
                    return _short(value)
    elif isinstance(record, str) and record:
        return _short(record)
    return f"#{index}" if index is not None else "(unnamed)"


def _short(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def describe_error(exc: BaseException) -> tuple[str | None, str]:
    """(field, why) of an exception raised while reading a record.

    A ``KeyError`` names the field that was missing; other errors say what went wrong in the
    value (``TypeError: 'NoneType' object is not subscriptable``).
    """
    if isinstance(exc, KeyError) and exc.args:
        return str(exc.args[0]), "missing"
    text = str(exc)
    return None, f"{type(exc).__name__}: {_short(text)}" if text else type(exc).__name__


@dataclass
class PendingEdge:
    """An edge whose endpoint did not exist yet when its record was read."""

    source: str
    target: str
    kind: str
    evidence: dict[str, Any]
    confidence: str
    operation: str
    record: str
    if_present: bool = False


class Builder:
    """Shared base of the AWS, Azure and GCP builders (see the module docstring).

    ``source`` is the workspace source (``aws``), ``scope`` the account, tenant or project the
    documents were collected for ('' when one builder serves several). ``operation`` and
    ``record`` track what is being read, so warnings from :meth:`edge`, :meth:`warn` and
    :meth:`guard` name it without every caller repeating it.
    """

    def __init__(self, graph: Graph, ctx: BuildContext, source: str, scope: str = "") -> None:
        self.graph = graph
        self.ctx = ctx
        self.source = source
        self.scope = scope
        self.operation = ""
        self.record = ""
        self._pending: list[PendingEdge] = []
        # The service running now (None outside one): its declared reads are enforced.
        self.current: ServiceSpec | None = None

    # -- where are we -------------------------------------------------------------------------
    @property
    def where(self) -> str:
        """``aws:123456789012`` or ``azure``: the prefix of this builder's warnings."""
        return f"{self.source}:{self.scope}" if self.scope else self.source

    def warn(
        self, message: str, *, operation: str | None = None, record: str | None = None
    ) -> None:
        """A build warning naming source, operation and record (the current ones by default)."""
        parts = [self.where]
        op = self.operation if operation is None else operation
        rec = self.record if record is None else record
        if op:
            parts.append(op)
        if rec:
            parts.append(f"record {rec}")
        parts.append(message)
        self.ctx.warn(": ".join(parts))

    # -- nodes --------------------------------------------------------------------------------
    def node(self, node_id: str, kind: str, name: str | None = None, **props: Any) -> str:
        """Add (or merge into) a node; returns its id. ``None`` properties are not stored."""
        self.graph.add_node(node_id, kind, name, **props)
        return node_id

    def placeholder(self, kind: str, node_id: str, name: str | None = None, **props: Any) -> str:
        """A node for something referenced but not collected (``collected=False``).

        A node that already exists (collected, or an earlier placeholder) is left as it is, so
        a reference never overwrites what collection said; returns the id either way.
        """
        if not self.graph.has_node(node_id):
            self.node(node_id, kind, name or node_id, collected=False, **props)
        return node_id

    # -- edges --------------------------------------------------------------------------------
    def edge(
        self,
        src: str | None,
        dst: str | None,
        kind: str,
        confidence: Confidence | str = Confidence.CONFIRMED,
        *,
        if_present: bool = False,
        **evidence: Any,
    ) -> None:
        """Add an edge now if both ends exist, else when :meth:`finish` runs.

        An empty ``src`` or ``dst`` means the record referenced nothing (an optional field was
        absent): no edge and nothing to report. A non-empty endpoint that is still missing at
        :meth:`finish` is reported, naming the operation and record that asked for the edge.
        ``if_present=True`` is for references that by design often point outside any estate
        (an AWS foundation model, a Google-managed service agent): those are counted in the
        build stats (``<source>.edges_to_uncollected``) instead of warned about, and the
        reference itself must be kept as a node property by the caller.
        """
        if not src or not dst:
            return
        if self.graph.has_node(src) and self.graph.has_node(dst):
            self.graph.add_edge(src, dst, kind, evidence, confidence)
            return
        self._pending.append(
            PendingEdge(
                src,
                dst,
                kind,
                evidence,
                str(Confidence(confidence)),
                self.operation,
                self.record,
                if_present,
            )
        )

    # -- per-record guard ---------------------------------------------------------------------
    @contextmanager
    def guard(
        self,
        operation: str,
        record: Any = None,
        *,
        index: int | None = None,
        label: str | None = None,
    ) -> Iterator[None]:
        """Handle one raw record; an error in it skips that record with a warning.

        ``record`` is the raw record (its id-like field names it in warnings) or its id;
        ``label`` overrides the name. Edges and warnings issued inside name this operation and
        record. Any exception is caught: collected data must never stop a build (exit 3).
        """
        saved = (self.operation, self.record)
        self.operation = operation
        self.record = label if label is not None else record_label(record, index)
        try:
            yield
        except (UndeclaredRead, UndeclaredKeyError):
            raise  # a wrong declaration is a bug in the service module, not a bad record
        except Exception as exc:  # the point: no record stops the build
            field, why = describe_error(exc)
            self.ctx.stats[f"{self.source}.records_skipped"] += 1
            log.debug("record skipped", exc_info=True)
            where = f"field {field!r}: {why}" if field else why
            self.warn(f"{where}; skipped")
        finally:
            self.operation, self.record = saved

    @contextmanager
    def reading(self, operation: str) -> Iterator[None]:
        """Name the operation for warnings without guarding (the caller guards per record)."""
        saved = (self.operation, self.record)
        self.operation, self.record = operation, ""
        try:
            yield
        finally:
            self.operation, self.record = saved

    # -- services -----------------------------------------------------------------------------
    def run_services(self, provider: str | None = None) -> None:
        """Run every registered service of the provider, in order, then :meth:`finish`.

        A service that fails outside its per-record guards (a bug, or a shape no guard
        expected) loses only itself, with a warning; an undeclared read is a bug in the
        service module and is raised, so tests catch it.
        """
        for spec in services(provider or self.source):
            self.run_service(spec)

    def run_service(self, spec: ServiceSpec) -> None:
        saved = self.current
        self.current = spec
        try:
            with self.guard(spec.name, label=""):
                spec.run(self)
        finally:
            self.current = saved

    def check_read(self, read: Any) -> None:
        """Raise unless the running service declared ``read`` (see :mod:`.registry`)."""
        check_read(self.current, read)

    # -- end of the provider's transform -------------------------------------------------------
    def finish(self) -> None:
        """Add the edges that waited for an endpoint; report the ones that still cannot be made.

        One warning per (operation, edge kind), naming the first records and counting the rest,
        so a thousand references to one uncollected thing do not bury the other warnings.
        """
        pending, self._pending = self._pending, []
        missing: dict[tuple[str, str], list[PendingEdge]] = {}
        for p in pending:
            if self.graph.has_node(p.source) and self.graph.has_node(p.target):
                self.graph.add_edge(p.source, p.target, p.kind, p.evidence, p.confidence)
            elif p.if_present:
                self.ctx.stats[f"{self.source}.edges_to_uncollected"] += 1
            else:
                missing.setdefault((p.operation, p.kind), []).append(p)
        for (operation, kind), edges in sorted(missing.items()):
            self.ctx.stats[f"{self.source}.edges_missing_endpoint"] += len(edges)
            named = []
            for p in edges[:NAMED_PER_WARNING]:
                ends = [e for e in (p.source, p.target) if not self.graph.has_node(e)]
                who = f"record {p.record}: " if p.record else ""
                named.append(f"{who}{p.source} -> {p.target} (no node {', '.join(map(str, ends))})")
            more = len(edges) - len(named)
            tail = f"; and {more} more" if more > 0 else ""
            self.warn(
                f"{len(edges)} {kind} edge(s) not made, endpoint not in the graph: "
                + "; ".join(named)
                + tail,
                operation=operation,
                record="",
            )
