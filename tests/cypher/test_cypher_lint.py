"""Every Cypher text we ship or send is clean under Neo4j's own parser and semantic checks.

Everything is linted in one Node.js run (starting the linter dominates small batches); each
test then checks its own part of the result.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from aispm_graph.cypher.dialect import Dialect
from aispm_graph.cypher.paths import candidates_query, path_query, serves_query, subgraph_queries
from aispm_graph.cypher.queries import load_library
from aispm_graph.cypher.writer import all_statements

Linter = Callable[[list[tuple[str, str, dict[str, Any]]]], dict[str, list[dict[str, Any]]]]
Diagnostics = dict[str, list[dict[str, Any]]]

BROKEN = {
    "broken:label": ("MATCH (n:AIModle) RETURN n.id", {}),
    "broken:type": ("MATCH (a:AispmNode)-[:CAN_INVOK]->(b) RETURN b.id", {}),
    "broken:syntax": ("MATCH (n:AispmNode RETURN n", {}),
    "broken:param": ("MATCH (n:AispmNode) WHERE n.id = $nope RETURN n.id", {}),
}


def _library_items() -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (f"library:{q.id}", q.text, {p.name: p.default for p in q.parameters})
        for q in load_library().values()
    ]


def _writer_items() -> list[tuple[str, str, dict[str, Any]]]:
    # FalkorDB variants must parse as Cypher too (they are executed against FalkorDB in the
    # export tests). Texts the two dialects share are linted once.
    params = {"rows": [], "tenants": [], "export_id": "", "batch": 1}
    texts: dict[str, str] = {}
    for dialect in Dialect:
        for i, stmt in enumerate(all_statements(dialect)):
            texts.setdefault(stmt, f"writer:{dialect}:{i}:{stmt.splitlines()[-1]}")
    return [(name, text, params) for text, name in texts.items()]


def _path_items() -> list[tuple[str, str, dict[str, Any]]]:
    params: dict[str, Any] = {
        "entries": [],
        "targets": [],
        "stops": [],
        "limit": 1,
        "ids": [],
        "kinds": [],
    }
    items = [(f"paths:{h}", path_query(h), params) for h in (1, 8)]
    nodes_q, edges_q = subgraph_queries()
    items += [
        ("paths:candidates", candidates_query(), params),
        ("paths:serves", serves_query(), params),
        ("paths:subgraph-nodes", nodes_q, params),
        ("paths:subgraph-edges", edges_q, params),
    ]
    return items


@pytest.fixture(scope="module")
def linted(cypher_lint: Linter) -> Diagnostics:
    items = [(name, text, params) for name, (text, params) in BROKEN.items()]
    items += _library_items() + _writer_items() + _path_items()
    return cypher_lint(items)


def _problems(result: Diagnostics, prefix: str) -> dict[str, list[str]]:
    return {
        name: [f"{d['severity']} {d['line']}:{d['column']} {d['message']}" for d in diags]
        for name, diags in result.items()
        if name.startswith(prefix) and diags
    }


def test_linter_reports_errors_and_unknown_schema_names(linted: Diagnostics) -> None:
    # The check must be able to fail: a typo'd label, an unknown type, bad syntax, a missing
    # parameter.
    assert all(linted[name] for name in BROKEN), {n: linted[n] for n in BROKEN}


def test_query_library_lints_clean(linted: Diagnostics) -> None:
    assert sum(name.startswith("library:") for name in linted) >= 10
    assert _problems(linted, "library:") == {}


def test_every_writer_statement_lints_clean_in_both_dialects(linted: Diagnostics) -> None:
    assert sum(name.startswith("writer:") for name in linted) > 100
    assert _problems(linted, "writer:") == {}


def test_path_search_statements_lint_clean(linted: Diagnostics) -> None:
    assert _problems(linted, "paths:") == {}
