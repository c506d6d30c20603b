"""The vocabulary checks are written in: a tiny declarative predicate language.

A check is one :class:`Check` declaration: which node kinds it looks at and a predicate over
the node's properties (and, for a few checks, its edges). Predicates are data, not code, so the
catalogue can be listed, documented and tested as a table, and a provider adds a check with
one declaration.

Unknown is not bad: a property predicate on a property the collector did not report is false
(``missing`` / ``present`` are the only ways to test for absence). A check therefore fires on
evidence, never on silence.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from aispm_graph.graph.model import Graph

Severity = Literal["critical", "high", "medium", "low"]
PropOp = Literal["equals", "not_equals", "is_true", "is_false", "missing", "present", "in"]


@dataclass(frozen=True)
class Prop:
    """A property test. ``in``: the value (or, for a list property, any element) is listed."""

    name: str
    op: PropOp
    value: Any = None

    def test(self, graph: Graph, node_id: str, data: dict[str, Any]) -> bool:
        present = data.get(self.name) is not None
        v = data.get(self.name)
        if self.op == "missing":
            return not present
        if self.op == "present":
            return present and v not in ("", [], {})
        if not present:
            return False
        if self.op == "is_true":
            return v is True
        if self.op == "is_false":
            return v is False
        if self.op == "equals":
            return bool(_norm(v) == _norm(self.value))
        if self.op == "not_equals":
            return bool(_norm(v) != _norm(self.value))
        values = {_norm(x) for x in self.value}
        if isinstance(v, list):
            return any(_norm(x) in values for x in v)
        return _norm(v) in values

    def describe(self) -> str:
        if self.op in ("is_true", "is_false", "missing", "present"):
            return f"{self.name} {self.op.replace('_', ' ')}"
        return f"{self.name} {self.op.replace('_', ' ')} {self.value!r}"


def _norm(v: Any) -> Any:
    return v.lower() if isinstance(v, str) else v


@dataclass(frozen=True)
class NoEdge:
    """No edge of ``kind`` (any kind if None) in ``direction``, optionally to ``other_kind``."""

    kind: str | None
    direction: Literal["out", "in", "any"] = "out"
    other_kind: str | None = None

    def test(self, graph: Graph, node_id: str, data: dict[str, Any]) -> bool:
        edges: list[tuple[str, str]] = []
        if self.direction in ("out", "any"):
            edges += [(t, e["kind"]) for _s, t, e in graph.out_edges(node_id)]
        if self.direction in ("in", "any"):
            edges += [(s, e["kind"]) for s, _t, e in graph.in_edges(node_id)]
        for other, kind in edges:
            if self.kind is not None and kind != self.kind:
                continue
            if self.other_kind is not None and graph.node(other)["kind"] != self.other_kind:
                continue
            return False
        return True

    def describe(self) -> str:
        what = self.kind or "any"
        to = f" to/from a {self.other_kind}" if self.other_kind else ""
        return f"has no {what} edge ({self.direction}){to}"


@dataclass(frozen=True)
class All:
    items: tuple[Predicate, ...]

    def test(self, graph: Graph, node_id: str, data: dict[str, Any]) -> bool:
        return all(p.test(graph, node_id, data) for p in self.items)

    def describe(self) -> str:
        return " and ".join(f"({p.describe()})" for p in self.items)


@dataclass(frozen=True)
class Any_:
    items: tuple[Predicate, ...]

    def test(self, graph: Graph, node_id: str, data: dict[str, Any]) -> bool:
        return any(p.test(graph, node_id, data) for p in self.items)

    def describe(self) -> str:
        return " or ".join(f"({p.describe()})" for p in self.items)


@dataclass(frozen=True)
class Not:
    item: Predicate

    def test(self, graph: Graph, node_id: str, data: dict[str, Any]) -> bool:
        return not self.item.test(graph, node_id, data)

    def describe(self) -> str:
        return f"not ({self.item.describe()})"


# Facts a property test cannot state (a role trusted by services only, a role two agents
# share) are small named functions of the graph, registered once in
# :mod:`aispm_graph.recommendations.facts`; a check names them, so it stays a declaration.
FactFn = Callable[[Graph, str, dict[str, Any]], bool]
FACTS: dict[str, tuple[FactFn, str]] = {}


def fact(name: str, describe: str) -> Callable[[FactFn], FactFn]:
    """Register a named graph fact (``describe`` is what ``--list-checks`` shows)."""

    def register(fn: FactFn) -> FactFn:
        if name in FACTS:
            raise ValueError(f"fact {name} is declared twice")
        FACTS[name] = (fn, describe)
        return fn

    return register


@dataclass(frozen=True)
class Fact:
    """A named, registered graph fact about the node (see :func:`fact`)."""

    name: str

    def test(self, graph: Graph, node_id: str, data: dict[str, Any]) -> bool:
        return FACTS[self.name][0](graph, node_id, data)

    def describe(self) -> str:
        return FACTS[self.name][1] if self.name in FACTS else self.name


@dataclass(frozen=True)
class Neighbour:
    """Some node over an edge of ``kind`` in ``direction`` satisfies ``item``.

    Lets a check on an endpoint look at the models it serves, or a check on an agent at the
    role it runs as, without code.
    """

    kind: str
    direction: Literal["out", "in"]
    item: Predicate

    def test(self, graph: Graph, node_id: str, data: dict[str, Any]) -> bool:
        if self.direction == "out":
            others = [t for _s, t, _e in graph.out_edges(node_id, self.kind)]
        else:
            others = [s for s, _t, _e in graph.in_edges(node_id, self.kind)]
        return any(self.item.test(graph, o, graph.node(o)) for o in others)

    def describe(self) -> str:
        way = "->" if self.direction == "out" else "<-"
        return f"a node {way}{self.kind} has ({self.item.describe()})"


Predicate = Prop | NoEdge | All | Any_ | Not | Fact | Neighbour


def all_of(*items: Predicate) -> All:
    return All(tuple(items))


def any_of(*items: Predicate) -> Any_:
    return Any_(tuple(items))


def is_true(name: str) -> Prop:
    return Prop(name, "is_true")


def is_false(name: str) -> Prop:
    return Prop(name, "is_false")


def equals(name: str, value: Any) -> Prop:
    return Prop(name, "equals", value)


def one_of(name: str, *values: Any) -> Prop:
    return Prop(name, "in", tuple(values))


def missing(name: str) -> Prop:
    return Prop(name, "missing")


def present(name: str) -> Prop:
    return Prop(name, "present")


def not_equals(name: str, value: Any) -> Prop:
    return Prop(name, "not_equals", value)


# How a check's facts reach the graph. ``collected``: the collectors read them and the check
# is evaluated. ``not-collected``: declared so that coverage and the peer table are honest,
# but no collector reads the facts yet; ``not-offline``: the facts live where an offline,
# read-only collection cannot see them (runtime telemetry, a portal-only setting).
Facts = Literal["collected", "not-collected", "not-offline"]


@dataclass(frozen=True)
class Fix:
    """How to fix a finding, in the words a person uses in each tool.

    ``console`` is the portal / console path, ``cli`` one command (placeholders in angle
    brackets), ``terraform`` / ``bicep`` the setting in infrastructure as code.
    """

    console: str = ""
    cli: str = ""
    terraform: str = ""
    bicep: str = ""


@dataclass(frozen=True)
class Peer:
    """The same check in another tool: tool name, its check id or title, its document.

    ``differs`` is empty when our verdict agrees with the peer's on the peer's own pass and
    fail cases; otherwise it says how and why.
    """

    tool: str
    id: str
    doc: str = ""
    differs: str = ""


@dataclass(frozen=True)
class Check:
    """One posture check, declared as data.

    ``frameworks`` maps a framework id of :mod:`aispm_graph.recommendations.frameworks`
    (``owasp-llm``, ``owasp-agentic``, ``atlas``, ``nist-ai-rmf``, ``cis-azure``) to the ids of
    the items the check serves; a test keeps every id declared there. ``references`` are
    documentation URLs; ``peers`` the same check in other tools.
    """

    id: str
    title: str
    severity: Severity
    provider: str
    kinds: tuple[str, ...]
    predicate: Predicate
    remediation: str
    references: tuple[str, ...] = ()
    frameworks: dict[str, tuple[str, ...]] = field(default_factory=dict)
    rationale: str = ""
    fix: Fix = field(default_factory=Fix)
    peers: tuple[Peer, ...] = ()
    facts: Facts = "collected"
    facts_note: str = ""

    @property
    def evaluated(self) -> bool:
        return self.facts == "collected"

    def matches(self, graph: Graph, node_id: str, data: dict[str, Any]) -> bool:
        return data["kind"] in self.kinds and self.predicate.test(graph, node_id, data)
