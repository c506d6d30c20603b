"""Label, relationship-type and property names as they appear in Cypher text.

Cypher cannot take a label or a relationship type as a parameter, so those are the only parts
of a statement that are spliced into its text. They come from the schema, never from data: a
name is accepted only if the schema declares it, and it is back-quoted anyway. Everything that
comes from a resource (ids, names, properties, evidence) travels as a parameter.
"""

from __future__ import annotations

import re
from functools import cache

from aispm_graph.schema import Label, edge_kinds, node_kinds

#: Every node the exporter writes carries this label, with a unique ``id``: edges and lookups
#: find their endpoints through one index whatever the node's kind.
NODE_LABEL = "AispmNode"

#: Properties the exporter adds to every node and relationship it writes.
SNAPSHOT_PROP = "snapshot"
TENANT_PROP = "tenant"
JSON_PROPS = "json_props"

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class NameError_(ValueError):
    """A label or relationship type the schema does not declare."""


@cache
def schema_labels() -> frozenset[str]:
    """Every node label the exporter may write: kinds, ontology labels and the node label."""
    labels = {NODE_LABEL, *(str(label) for label in Label)}
    for kind in node_kinds().values():
        labels.update(kind.all_labels())
    return frozenset(labels)


@cache
def schema_rel_types() -> frozenset[str]:
    return frozenset(edge_kinds())


def _quote(name: str) -> str:
    if not _IDENT.match(name):
        raise NameError_(f"{name!r} is not a plain identifier")
    return f"`{name}`"


def label(name: str) -> str:
    """A node label, back-quoted, after checking the schema declares it."""
    if name not in schema_labels():
        raise NameError_(f"{name!r} is not a label of the schema")
    return _quote(name)


def labels(names: tuple[str, ...] | list[str]) -> str:
    """``:`A`:`B``` for a set-labels clause (empty string for none)."""
    return "".join(f":{label(n)}" for n in names)


def rel_type(name: str) -> str:
    """A relationship type, back-quoted, after checking the schema declares it."""
    if name not in schema_rel_types():
        raise NameError_(f"{name!r} is not a relationship type of the schema")
    return _quote(name)


def rel_types(names: list[str] | tuple[str, ...] | frozenset[str]) -> str:
    """``:`A`|`B``` alternation for a pattern, in a stable order."""
    ordered = sorted(names)
    if not ordered:
        raise NameError_("empty relationship type list")
    return ":" + "|".join(rel_type(n) for n in ordered)


def prop_name(name: str) -> str:
    """A property key spliced into text (index definitions only); must be an identifier."""
    return _quote(name)
