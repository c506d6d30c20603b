"""Every Cypher text we ship or send is clean under Neo4j's own parser and semantic checks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aispm_graph.cypher.dialect import Dialect
from aispm_graph.cypher.paths import candidates_query, path_query, serves_query, subgraph_queries
from aispm_graph.cypher.queries import load_library
from aispm_graph.cypher.writer import all_statements

Linter = Callable[[list[tuple[str, str, dict[str, Any]]]], dict[str, list[dict[str, Any]]]]


def _problems(result: dict[str, list[dict[str, Any]]]) -> dict[str, list[str]]:
    return {
        name: [f"{d['severity']} {d['line']}:{d['column']} {d['message']}" for d in diags]
        for name, diags in result.items()
        if diags
    }


def test_linter_reports_errors_and_unknown_schema_names(cypher_lint: Linter) -> None:
    # The check must be able to fail: a typo'd label, an unknown type and a bad variable.
    result = cypher_lint(
        [
            ("label", "MATCH (n:AIModle) RETURN n.id", {}),
            ("type", "MATCH (a:AispmNode)-[:CAN_INVOK]->(b) RETURN b.id", {}),
            ("syntax", "MATCH (n:AispmNode RETURN n", {}),
            ("param", "MATCH (n:AispmNode) WHERE n.id = $nope RETURN n.id", {}),
        ]
    )
    assert all(result[name] for name in ("label", "type", "syntax", "param")), result


def test_query_library_lints_clean(cypher_lint: Linter) -> None:
    library = load_library()
    items = [(q.id, q.text, {p.name: p.default for p in q.parameters}) for q in library.values()]
    assert len(items) >= 10
    assert _problems(cypher_lint(items)) == {}


def test_every_writer_statement_lints_clean_in_both_dialects(cypher_lint: Linter) -> None:
    # Writer statements take $rows / cleanup parameters; FalkorDB variants must parse as
    # Cypher too (they are executed against FalkorDB in the export tests).
    params = {"rows": [], "tenants": [], "export_id": "", "batch": 1}
    items = []
    for dialect in Dialect:
        for i, stmt in enumerate(all_statements(dialect)):
            items.append((f"{dialect}:{i}:{stmt.splitlines()[0]}", stmt, params))
    assert len(items) > 200
    problems = _problems(cypher_lint(items))
    assert problems == {}


def test_path_search_statements_lint_clean(cypher_lint: Linter) -> None:
    params: dict[str, Any] = {"entries": [], "targets": [], "limit": 1, "ids": [], "kinds": []}
    items = [(f"paths-{h}", path_query(h), params) for h in (1, 4, 8)]
    items.append(("candidates", candidates_query(), params))
    items.append(("serves", serves_query(), params))
    nodes_q, edges_q = subgraph_queries()
    items += [("subgraph-nodes", nodes_q, params), ("subgraph-edges", edges_q, params)]
    assert _problems(cypher_lint(items)) == {}
