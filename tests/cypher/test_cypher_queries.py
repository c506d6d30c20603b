"""Every query in ``queries/`` runs on FalkorDB against the mini estate and answers correctly."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from aispm_graph.analysis.engine import PathOptions, find_paths
from aispm_graph.build import build_graph
from aispm_graph.cypher.backends import open_falkordb
from aispm_graph.cypher.connection import Connection, FalkorDBConnection
from aispm_graph.cypher.names import schema_rel_types
from aispm_graph.cypher.queries import (
    CATEGORIES,
    QueryFileError,
    load_library,
    parse_query,
    queries_dir,
)
from aispm_graph.cypher.writer import CypherWriter
from aispm_graph.demo import load_demo_parts
from aispm_graph.graph.model import Graph
from tests.cypher.cypher_graphs import (
    ACCT,
    AOAI,
    AZVM,
    DEPLOY,
    GROUP,
    IMAGE,
    KB,
    MI,
    MODEL,
    PKG,
    PUBLIC,
    ROLE,
    SUB,
    TRAIN,
    USER,
    VM,
    VULN,
    mini_estate,
)

LIBRARY = load_library()
REQUIRED = {
    "attack-paths-to-ai",
    "internet-exposed-ai-services",
    "identities-that-can-invoke-models",
    "who-can-read-ai-data",
    "privilege-escalation-to-admin",
    "choke-points",
    "shadow-ai",
    "vulnerable-ai-images-on-paths",
    "cross-cloud-paths",
}


@pytest.fixture(scope="module")
def estate(falkordb_url: str) -> Iterator[Connection]:
    conn = open_falkordb(falkordb_url, "queries_mini_estate")
    assert isinstance(conn, FalkorDBConnection)
    conn.delete_graph()
    CypherWriter(conn).export(mini_estate(), snapshot="mini")
    yield conn
    conn.delete_graph()
    conn.close()


def run(conn: Connection, query_id: str, **given: str) -> list[dict[str, Any]]:
    query = LIBRARY[query_id]
    return conn.run(query.text, query.bind(given))


def test_library_covers_the_issue_and_headers_are_complete() -> None:
    assert set(LIBRARY) >= REQUIRED
    assert {q.category for q in LIBRARY.values()} == set(CATEGORIES)
    for q in LIBRARY.values():
        assert q.title and q.description and q.path.stem == q.id
    role = {p.name: p for p in LIBRARY["who-can-read-ai-data"].parameters}["role"]
    assert role.description.endswith("(training, grounding, model-artifact, sensitive)")


def test_attack_walks_follow_the_exported_attack_step_flag() -> None:
    # Walks over attack steps filter on the attack_step property the exporter writes from the
    # schema, so a new attack edge kind is walked without editing the library.
    for query_id in ("attack-paths-to-ai", "choke-points", "cross-cloud-paths"):
        assert "WHERE r.attack_step = true" in LIBRARY[query_id].text
    known = schema_rel_types()
    for q in LIBRARY.values():
        for group in re.findall(r"\[\w*:([A-Z_|]+)", q.text):
            assert set(group.split("|")) <= known, f"{q.id}: {group}"


def test_every_query_runs(estate: Connection) -> None:
    for query_id in LIBRARY:
        assert isinstance(run(estate, query_id), list)


def test_attack_paths_ranked(estate: Connection) -> None:
    rows = run(estate, "attack-paths-to-ai")
    got = [(r["path_ids"], r["score"], r["hops"]) for r in rows]
    assert got == [
        (["internet", VM, ROLE, MODEL], 85, 3),
        (["internet", VM, ROLE, KB], 85, 3),
        (["internet", PUBLIC], 75, 1),
        (["internet", AOAI], 70, 1),
        (["internet", VM, ROLE, TRAIN], 70, 3),
        (["internet", AZVM, MI, ROLE, MODEL], 65, 4),
        (["internet", AZVM, MI, ROLE, KB], 65, 4),
        (["internet", AZVM, MI, ROLE, TRAIN], 50, 4),
    ]
    assert rows[0]["steps"] == ["INTERNET_EXPOSED", "HAS_IDENTITY", "CAN_INVOKE"]
    assert len(run(estate, "attack-paths-to-ai", limit="2")) == 2


def test_internet_exposed_ai_services(estate: Connection) -> None:
    rows = run(estate, "internet-exposed-ai-services")
    assert [(r["id"], r["exposure"]) for r in rows] == [(AOAI, "INTERNET_EXPOSED")]
    assert '"auth": "key"' in rows[0]["evidence"]


def test_identities_that_can_invoke(estate: Connection) -> None:
    rows = run(estate, "identities-that-can-invoke-models")
    got = {(r["identity"], r["model"], r["shortest"]) for r in rows}
    expected = {(ROLE, 1), (GROUP, 2), (MI, 2), (USER, 3)}
    assert got == {(i, m, h) for i, h in expected for m in (MODEL, KB)}
    only = run(estate, "identities-that-can-invoke-models", model=MODEL)
    assert {r["model"] for r in only} == {MODEL} and len(only) == 4


def test_who_can_read_ai_data(estate: Connection) -> None:
    rows = run(estate, "who-can-read-ai-data")
    assert {(r["data_store"], r["identity"], r["access"]) for r in rows} == {
        (TRAIN, ident, "CAN_READ") for ident in (ROLE, GROUP, USER, MI)
    }
    assert run(estate, "who-can-read-ai-data", role="grounding") == []
    assert len(run(estate, "who-can-read-ai-data", role="training")) == 4


def test_privilege_escalation(estate: Connection) -> None:
    rows = run(estate, "privilege-escalation-to-admin")
    assert [(r["identity"], r["hops"]) for r in rows] == [
        (ROLE, 2),
        (GROUP, 3),
        (MI, 3),
        (USER, 4),
    ] or sorted((r["identity"], r["hops"]) for r in rows) == sorted(
        [(ROLE, 2), (GROUP, 3), (MI, 3), (USER, 4)]
    )
    assert [r["hops"] for r in rows] == sorted(r["hops"] for r in rows)
    assert rows[-1]["steps"] == ["MEMBER_OF", "CAN_ASSUME", "CAN_ESCALATE_TO", "CAN_ADMINISTER"]


def test_choke_points(estate: Connection) -> None:
    rows = run(estate, "choke-points")
    top = [(r["source"], r["step"], r["target"]) for r in rows if r["paths"] == 3]
    assert top == [
        (AZVM, "HAS_IDENTITY", MI),
        (MI, "CAN_ASSUME", ROLE),
        (VM, "HAS_IDENTITY", ROLE),
        ("internet", "INTERNET_EXPOSED", AZVM),
        ("internet", "INTERNET_EXPOSED", VM),
    ]
    assert [r["paths"] for r in rows] == sorted((r["paths"] for r in rows), reverse=True)
    counts = {(r["source"], r["step"], r["target"]): r["paths"] for r in rows}
    assert counts[(ROLE, "CAN_INVOKE", MODEL)] == 2
    assert counts[("internet", "PUBLIC_ACCESS", PUBLIC)] == 1


def test_shadow_ai(estate: Connection) -> None:
    rows = run(estate, "shadow-ai")
    got = {(r["id"], r["internet_exposed"], tuple(r["identities"])) for r in rows}
    assert got == {(VM, True, (ROLE,)), (AZVM, True, (MI,))}


def test_vulnerable_images_on_paths(estate: Connection) -> None:
    rows = run(estate, "vulnerable-ai-images-on-paths")
    assert len(rows) == 1
    row = rows[0]
    assert (row["compute"], row["package"], row["advisory"]) == (VM, PKG, VULN)
    assert row["rce"] is True and row["fixed_versions"] == ["2.2.0"]
    assert sorted(row["reaches"]) == sorted([MODEL, KB])
    assert run(estate, "vulnerable-ai-images-on-paths", severity="low") == []
    assert IMAGE  # the image sits between the VM and the package


def test_cross_cloud_paths(estate: Connection) -> None:
    rows = run(estate, "cross-cloud-paths")
    assert [r["path_ids"] for r in rows] == [
        ["internet", AZVM, MI, ROLE, KB],
        ["internet", AZVM, MI, ROLE, MODEL],
        ["internet", AZVM, MI, ROLE, TRAIN],
    ]
    assert rows[0]["providers"] == ["generic", "azure", "azure", "aws", "aws"]


def test_ai_inventory(estate: Connection) -> None:
    rows = run(estate, "ai-inventory")
    assert {(r["provider"], r["tenant"], r["kind"], r["resources"]) for r in rows} == {
        ("aws", None, "BedrockFoundationModel", 1),
        ("aws", ACCT, "BedrockKnowledgeBase", 1),
        ("azure", SUB, "AzureCognitiveServicesAccount", 1),
        ("azure", SUB, "AzureOpenAIDeployment", 1),
    }
    assert DEPLOY


def test_key_auth_recommendation(estate: Connection) -> None:
    rows = run(estate, "ai-services-with-key-auth")
    assert [(r["id"], r["key_auth"], r["internet_exposed"]) for r in rows] == [(AOAI, True, True)]
    assert rows[0]["recommendation"].startswith("Disable key authentication")


def test_bad_query_files_are_named(tmp_path: Path) -> None:
    bad = tmp_path / "bad.cypher"
    bad.write_text("// id: x\n// title: t\n// category: nonsense\n// description: d\nRETURN 1\n")
    with pytest.raises(QueryFileError, match=r"bad.cypher.*category"):
        parse_query(bad)
    bad.write_text("// id: [unclosed\nRETURN 1\n")
    with pytest.raises(QueryFileError, match="not valid YAML"):
        parse_query(bad)
    # An unquoted comma in a flow-mapping description cut it short and went unnoticed.
    bad.write_text(
        "// id: x\n// title: t\n// category: inventory\n// description: d\n// parameters:\n"
        "//   role: {type: str, description: Only (a, b)}\nRETURN $role\n"
    )
    with pytest.raises(QueryFileError, match=r"bad.cypher: parameter 'role' has unknown field"):
        parse_query(bad)
    with pytest.raises(QueryFileError, match="unknown parameter nope"):
        LIBRARY["shadow-ai"].bind({"nope": "1"})
    with pytest.raises(QueryFileError, match="is not a int"):
        LIBRARY["shadow-ai"].bind({"limit": "many"})
    assert queries_dir().is_dir()


@pytest.fixture(scope="module")
def demo(falkordb_url: str) -> Iterator[tuple[Connection, Graph]]:
    conn = open_falkordb(falkordb_url, "queries_demo")
    assert isinstance(conn, FalkorDBConnection)
    conn.delete_graph()
    graph = build_graph([d for _s, _sc, part, _m in load_demo_parts() for d in part])
    CypherWriter(conn).export(graph, snapshot="demo")
    yield conn, graph
    conn.delete_graph()
    conn.close()


def test_every_query_on_the_demo_estate(demo: tuple[Connection, Graph]) -> None:
    conn, graph = demo
    results = {query_id: run(conn, query_id) for query_id in LIBRARY}
    for query_id in (
        "attack-paths-to-ai",
        "choke-points",
        "shadow-ai",
        "who-can-read-ai-data",
        "identities-that-can-invoke-models",
        "privilege-escalation-to-admin",
        "ai-inventory",
    ):
        assert results[query_id], f"{query_id} found nothing in the demo estate"
    # Quick-view paths agree with the engine wherever both end at the same target.
    engine = find_paths(graph, PathOptions(max_hops=6))
    routes = {tuple(n.id for n in p.nodes) for p in engine.paths}
    engine_targets = {p.target for p in engine.paths}
    for row in results["attack-paths-to-ai"]:
        if row["path_ids"][-1] in engine_targets:
            assert tuple(row["path_ids"]) in routes
    # Shadow AI rows are compute with AI libraries in the graph, and nothing else.
    expected = {n for n, d in graph.nodes() if d.get("ai_libraries")}
    assert {r["id"] for r in results["shadow-ai"]} <= expected
    assert {r["id"] for r in results["shadow-ai"]} == {
        n for n in expected if "Compute" in graph.labels(n)
    }
