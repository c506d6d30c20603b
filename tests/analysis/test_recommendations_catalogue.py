"""Every catalogue check fires on its firing fixture and stays quiet on its non-firing one,
through the real CLI (graph file import, build, recommendations)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from aispm_graph.graph.model import Graph
from aispm_graph.recommendations.catalogue import CHECKS, register
from aispm_graph.recommendations.evaluate import evaluate
from aispm_graph.recommendations.model import Check, is_true
from tests.conftest import run_cli

# check id -> (kind, firing properties, quiet properties); edges added below where a check is
# about the graph (guardrail edge, private endpoint).
CASES: dict[str, tuple[str, dict[str, Any], dict[str, Any]]] = {
    "AZ-AI-001": (
        "AzureCognitiveServicesAccount",
        {"local_auth_enabled": True},
        {"local_auth_enabled": False},
    ),
    "AZ-AI-002": (
        "AzureCognitiveServicesAccount",
        {"public_network_access": True, "network_default_action": "Allow"},
        {"public_network_access": True, "network_default_action": "Deny"},
    ),
    "AZ-AI-003": ("AzureCognitiveServicesAccount", {}, {}),  # quiet one gets a private endpoint
    "AZ-AI-004": (
        "AzureOpenAIDeployment",
        {"rai_policy": "Microsoft.Nil"},
        {"rai_policy": "Microsoft.DefaultV2"},
    ),
    "AZ-AI-005": (
        "AzureCognitiveServicesAccount",
        {"diagnostic_logs_enabled": False},
        {"diagnostic_logs_enabled": True},
    ),
    "AZ-ML-001": (
        "AzureMLWorkspace",
        {"public_network_access": True},
        {"public_network_access": False},
    ),
    "AZ-ML-002": ("AzureMLOnlineEndpoint", {"auth_mode": "Key"}, {"auth_mode": "AADToken"}),
    "AWS-BR-001": ("BedrockInvocationLogging", {"enabled": False}, {"enabled": True}),
    "AWS-BR-002": ("BedrockAgent", {}, {}),  # quiet one gets a USES_GUARDRAIL edge
    "AWS-BR-003": (
        "BedrockGuardrail",
        {"prompt_attack_filter": False},
        {"prompt_attack_filter": True},
    ),
    "AWS-BR-004": ("AWSVpc", {"bedrock_vpc_endpoint": False}, {"bedrock_vpc_endpoint": True}),
    "AWS-BR-005": ("BedrockCustomModel", {"cmk": False}, {"cmk": True}),
    "AWS-SM-001": (
        "SageMakerNotebookInstance",
        {"root_access": True, "subnet_id": "s"},
        {"root_access": False, "subnet_id": "s"},
    ),
    "AWS-SM-002": (
        "SageMakerNotebookInstance",
        {"direct_internet_access": True, "subnet_id": "s"},
        {"direct_internet_access": False, "subnet_id": "s"},
    ),
    "AWS-SM-003": ("SageMakerNotebookInstance", {}, {"subnet_id": "subnet-1"}),
    "AWS-SM-004": ("SageMakerModel", {"network_isolation": False}, {"network_isolation": True}),
    "GCP-VX-001": (
        "VertexAIEndpoint",
        {"private_service_connect": False},
        {"private_service_connect": True},
    ),
    "GCP-VX-002": ("VertexAINotebookRuntime", {"public_ip": "34.1.2.3"}, {}),
    "GCP-VX-003": ("VertexAINotebookRuntime", {"root_access": True}, {"root_access": False}),
    "DATA-001": (
        "S3Bucket",
        {"public_read": True, "data_role": ["training"]},
        {"public_read": True, "data_role": ["logs"]},
    ),
    # no source named vs a Hugging Face repository pinned to a commit
    "MODEL-001": ("SageMakerModel", {}, {"hf_model_id": "acme/m", "hf_revision": "a" * 40}),
    # a branch is not a pin; a commit hash is
    "MODEL-002": (
        "SageMakerModel",
        {"hf_model_id": "acme/m", "hf_revision": "main"},
        {"hf_model_id": "acme/m", "hf_revision": "b" * 40},
    ),
    # granted something (an edge added below) vs referenced with nothing granted
    "TRUST-001": ("ExternalAccount", {"risk": "unknown"}, {"risk": "unknown"}),
}


def _doc() -> dict[str, Any]:
    nodes: list[dict[str, Any]] = []
    edges: list[dict[str, Any]] = []
    for cid, (kind, fire, quiet) in CASES.items():
        for tag, props in (("fire", fire), ("quiet", quiet)):
            nodes.append(
                {"id": f"{tag}:{cid}", "kind": kind, "name": f"{tag}-{cid}", "properties": props}
            )
    nodes.append({"id": "pe", "kind": "AzurePrivateEndpoint", "name": "pe", "properties": {}})
    edges.append({"source": "pe", "target": "quiet:AZ-AI-003", "kind": "ROUTES_TO", "evidence": {}})
    nodes.append({"id": "gr", "kind": "BedrockGuardrail", "name": "gr", "properties": {}})
    edges.append(
        {"source": "quiet:AWS-BR-002", "target": "gr", "kind": "USES_GUARDRAIL", "evidence": {}}
    )
    nodes.append({"id": "role", "kind": "AWSRole", "name": "partner-role", "properties": {}})
    edges.append(
        {"source": "fire:TRUST-001", "target": "role", "kind": "CAN_ASSUME", "evidence": {}}
    )
    return {"format": "aispm-graph", "version": 1, "nodes": nodes, "edges": edges}


def test_every_check_has_a_case() -> None:
    assert set(CASES) == {c.id for c in CHECKS}


@pytest.fixture(scope="module")
def rec_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("recs")
    f = base / "recs.json"
    f.write_text(json.dumps(_doc()))
    ws = base / "ws"
    assert run_cli("import", "graph", str(f), workspace=ws).code == 0
    res = run_cli("build", workspace=ws)
    assert res.code == 0, res.err
    return ws


def test_each_check_fires_on_its_case_and_not_on_the_quiet_one(rec_ws: Path) -> None:
    res = run_cli("recommendations", "--format", "json", workspace=rec_ws)
    assert res.code == 0, res.err
    fired = {(f["check"], f["resource"]) for f in res.json()["findings"]}
    for cid in CASES:
        assert (cid, f"fire:{cid}") in fired, cid
        assert not any(r == f"quiet:{cid}" and c == cid for c, r in fired), cid
    # Nothing else fires, except the one expected overlap: the other Azure AI account fixtures
    # have no private endpoint either.
    overlap = {
        ("AZ-AI-003", f"{tag}:{cid}")
        for tag in ("fire", "quiet")
        for cid in ("AZ-AI-001", "AZ-AI-002", "AZ-AI-005")
    }
    # ...and the other model fixtures name no source of their weights, so their provenance is
    # unknown (MODEL-001) too.
    overlap |= {
        ("MODEL-001", f"{tag}:{cid}")
        for tag in ("fire", "quiet")
        for cid in ("AZ-AI-004", "AWS-BR-005", "AWS-SM-004")
    }
    assert fired == {(c, f"fire:{c}") for c in CASES} | overlap


def test_priority_is_raised_by_paths_and_names_them(
    demo_ws: Path, demo_paths: dict[str, Any]
) -> None:
    res = run_cli("recommendations", "--format", "json", workspace=demo_ws)
    assert res.code == 0, res.err
    findings = res.json()["findings"]
    by_id = {p["id"]: p for p in demo_paths["paths"]}
    for f in findings:
        for pid in f["paths"]:
            assert f["resource"] in {n["id"] for n in by_id[pid]["nodes"]}
    raised = [f for f in findings if f["priority"] != f["severity"]]
    assert raised, "some medium finding sits on a high path in the demo"
    # Ordered by priority: a raised medium finding comes before a high one with no path.
    order = ["critical", "high", "medium", "low"]
    assert [order.index(f["priority"]) for f in findings] == sorted(
        order.index(f["priority"]) for f in findings
    )
    lonely_high = [f for f in findings if f["severity"] == "high" and not f["paths"]]
    if lonely_high:
        first_lonely = findings.index(lonely_high[0])
        assert any(findings.index(r) < first_lonely for r in raised)
    table = run_cli("recommendations", workspace=demo_ws)
    assert raised[0]["paths"][0] in table.out


def test_min_severity_and_gate(demo_ws: Path) -> None:
    res = run_cli(
        "recommendations", "--min-severity", "critical", "--format", "json", workspace=demo_ws
    )
    assert {f["priority"] for f in res.json()["findings"]} == {"critical"}
    gate = run_cli("recommendations", "--fail-on", "critical", workspace=demo_ws)
    assert gate.code == 1


def test_adding_a_check_is_one_declaration() -> None:
    g = Graph()
    g.add_node("x", "CustomAIService", "x", vendor="v", local_auth_enabled=True)
    extra = Check(
        id="TEST-1",
        title="t",
        severity="low",
        provider="generic",
        kinds=("CustomAIService",),
        predicate=is_true("local_auth_enabled"),
        remediation="r",
    )
    assert [f.check for f in evaluate(g, checks=[extra])] == ["TEST-1"]
    with pytest.raises(ValueError, match="AZ-AI-001"):
        register(CHECKS[0])


def test_docs_list_every_check() -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "analysis.md").read_text()
    missing = [c.id for c in CHECKS if f"`{c.id}`" not in docs]
    assert not missing, f"docs/analysis.md lacks {missing}"
