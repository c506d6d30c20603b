"""Code says what it does to the graph through ``Graph`` (``out_edges``, ``in_edges``,
``set_prop``, ...) instead of reaching into the NetworkX object behind it (``graph.g``).

Zero tolerance: outside the graph package itself and ``api.py`` (``Estate.nx``, the
documented escape hatch of the Python API) no module touches ``.g``. Transforms hold their
``Graph`` as ``b.graph`` (a builder's graph is a ``Graph``, not NetworkX), so only real
reach-throughs count. Node dicts are not edited in place either (``set_prop``,
``update_props``, ``set_default_prop``, ``append_to_prop`` say what they do and check keys in
strict mode). Where an operation is missing, add it to ``Graph``.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from aispm_graph.graph.model import Graph, SchemaError, UndeclaredKeyError

PACKAGE = Path(__file__).resolve().parents[2] / "aispm_graph"
# `something.g` as an attribute (not the "e.g." of prose)
RAW_ACCESS = re.compile(r"\b(\w+)\.g\b(?!\w)")
# Where the NetworkX object is the point: the graph package itself, `Estate.nx` (the documented
# escape hatch of the Python API).
ALLOWED = {"graph", "api.py"}
# A node dict edited in place (`graph.node(x)["k"] = v`, `.setdefault(`, `.update(`, `.pop(`)
# instead of through `set_prop`, `update_props`, `set_default_prop` or `append_to_prop`, which
# say what they do and check the key against the schema in strict mode.
IN_PLACE_EDIT = re.compile(
    r"\.node\((?:[^()]|\([^()]*\))*\)(?:\[[^\]]*\]\s*=(?!=)|\.(?:setdefault|update|pop)\()"
)


def raw_uses() -> Counter[str]:
    found: Counter[str] = Counter()
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel.split("/")[0] in ALLOWED:
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            found[rel] += sum(1 for m in RAW_ACCESS.finditer(line) if m.group(1) != "e")
    return +found


def test_no_module_reaches_into_networkx() -> None:
    uses = raw_uses()
    assert not uses, f"use Graph's operations (out_edges, set_prop, ...) instead of .g: {uses}"


def test_the_scan_sees_a_reach_through() -> None:
    """The check above can fail: the pattern it counts is what a reach-through looks like."""
    lines = ["for s in graph.g.predecessors(mid):", "self.graph.g._succ[src]", "e.g. prose"]
    hits = [m.group(1) for line in lines for m in RAW_ACCESS.finditer(line) if m.group(1) != "e"]
    assert hits == ["graph", "graph"]


def in_place_edits() -> Counter[str]:
    found: Counter[str] = Counter()
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel.split("/")[0] == "graph":
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            found[rel] += len(IN_PLACE_EDIT.findall(line))
    return +found


def test_the_ratchet_pattern_sees_in_place_edits() -> None:
    edits = [
        'b.graph.node(arn)["tags"] = tags',
        "graph.node(x).setdefault('region', r)",
        'self.graph.node(parent_of(rid)).update(region="x")',
        'graph.node(n).pop("public_read", None)',
    ]
    reads = ['b.graph.node(arn)["kind"] == "GCPBucket"', 'graph.node(x).get("tenant")']
    assert [bool(IN_PLACE_EDIT.search(e)) for e in edits] == [True] * 4
    assert [bool(IN_PLACE_EDIT.search(r)) for r in reads] == [False] * 2


def test_no_module_edits_node_dicts_in_place() -> None:
    edits = in_place_edits()
    assert not edits, (
        f"use Graph's property edits (set_prop, set_default_prop, append_to_prop): {edits}"
    )


def _graph() -> Graph:
    graph = Graph()
    graph.ensure_internet()
    graph.add_node("vm", "AzureVirtualMachine", "vm")
    graph.add_node("model", "AzureOpenAIDeployment", "gpt")
    graph.add_edge("internet", "vm", "INTERNET_EXPOSED", {"ports": "443"})
    graph.add_edge("vm", "model", "CAN_INVOKE", {"permission": "x"})
    return graph


def test_edges_of_a_node_by_kind() -> None:
    graph = _graph()
    assert {(s, t, d["kind"]) for s, t, d in graph.out_edges("vm")} == {
        ("vm", "model", "CAN_INVOKE")
    }
    assert [t for _s, t, _d in graph.out_edges("internet", "CAN_INVOKE")] == []
    assert {(s, d["kind"]) for s, _t, d in graph.in_edges("vm")} == {
        ("internet", "INTERNET_EXPOSED")
    }
    assert list(graph.out_edges("no-such-node")) == []
    assert graph.kinds_between("vm", "model") == ["CAN_INVOKE"]
    assert graph.kinds_between("model", "vm") == []


def test_set_and_update_properties() -> None:
    graph = _graph()
    graph.set_prop("vm", "public_ip", "203.0.113.7")
    graph.update_props("vm", data_role="training", public_ip=None, name="vm-1")
    data = graph.node("vm")
    assert (data.get("public_ip"), data["data_role"], data["name"]) == (None, "training", "vm-1")
    for reserved in ("kind", "provider", "id"):
        with pytest.raises(SchemaError, match="reserved"):
            graph.set_prop("vm", reserved, "x")


def test_update_evidence_adds_to_an_existing_edge_only() -> None:
    graph = _graph()
    graph.update_evidence("vm", "model", "CAN_INVOKE", note="condition not decided")
    edge = graph.edge("vm", "model", "CAN_INVOKE")
    assert edge is not None and edge["evidence"] == {
        "permission": "x",
        "note": "condition not decided",
    }
    with pytest.raises(KeyError):
        graph.update_evidence("model", "vm", "CAN_INVOKE", note="x")


def test_predecessors_by_kind_each_source_once() -> None:
    graph = _graph()
    graph.add_edge("internet", "vm", "PUBLIC_ACCESS", {"grant": "allUsers"})
    assert graph.predecessors("vm") == ["internet"]
    assert graph.predecessors("vm", "PUBLIC_ACCESS") == ["internet"]
    assert graph.predecessors("vm", "CAN_INVOKE") == []
    assert graph.predecessors("model") == ["vm"]
    assert graph.predecessors("internet") == []
    assert graph.predecessors("no-such-node") == []


def test_set_default_prop_keeps_the_first_answer() -> None:
    graph = _graph()
    assert graph.set_default_prop("vm", "public_ip", "203.0.113.7") == "203.0.113.7"
    assert graph.set_default_prop("vm", "public_ip", "198.51.100.1") == "203.0.113.7"
    assert graph.node("vm")["public_ip"] == "203.0.113.7"
    with pytest.raises(SchemaError, match="reserved"):
        graph.set_default_prop("model", "provider", "x")


def test_degrees_count_edges_both_ways() -> None:
    graph = _graph()
    assert graph.degrees() == {"internet": 1, "vm": 2, "model": 1}


def test_meta_is_held_until_taken_and_never_exported() -> None:
    from aispm_graph.graph.fileformat import graph_to_document

    graph = _graph()
    graph.set_meta("pending", [{"results": []}])
    assert "pending" not in str(graph_to_document(graph))
    assert graph.pop_meta("pending", []) == [{"results": []}]
    assert graph.pop_meta("pending", []) == []
    assert graph.pop_meta("pending") is None


def test_set_default_prop_keeps_the_first_value() -> None:
    graph = _graph()
    assert graph.set_default_prop("vm", "region", "westeurope") == "westeurope"
    assert graph.set_default_prop("vm", "region", "eastus") == "westeurope"
    assert graph.node("vm")["region"] == "westeurope"
    # None stores nothing, as add_node never stores None
    assert graph.set_default_prop("model", "region", None) is None
    assert "region" not in graph.node("model")


def test_append_to_prop_makes_then_extends_a_list() -> None:
    graph = Graph(strict=True)
    graph.add_node("ep", "AzureMLOnlineEndpoint", "ep")
    graph.append_to_prop("ep", "deployments", {"name": "blue"})
    first = graph.node("ep")["deployments"]
    graph.append_to_prop("ep", "deployments", {"name": "green"}, {"name": "red"})
    assert [d["name"] for d in graph.node("ep")["deployments"]] == ["blue", "green", "red"]
    assert [d["name"] for d in first] == ["blue"], "the list is replaced, not edited"


def test_property_edits_are_checked_in_strict_mode() -> None:
    graph = Graph(strict=True)
    graph.add_node("vm", "AzureVirtualMachine", "vm")
    for edit in (
        lambda: graph.set_default_prop("vm", "no_such_property", 1),
        lambda: graph.append_to_prop("vm", "no_such_property", 1),
    ):
        with pytest.raises(UndeclaredKeyError, match="no_such_property"):
            edit()
    assert "no_such_property" not in graph.node("vm")
    with pytest.raises(SchemaError, match="reserved"):
        graph.set_default_prop("vm", "kind", "x")
