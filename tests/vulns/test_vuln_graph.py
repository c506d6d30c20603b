"""Image -> package -> advisory in the graph, compute linking, risk factors and ``aispm vulns``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from aispm_graph.build import BuildContext, build_graph
from aispm_graph.demo import load_demo_parts
from aispm_graph.graph.model import Graph
from aispm_graph.store import load_graph
from aispm_graph.workspace import Document, Workspace
from tests.support.cli import REPO, invoke_cli

FIX = REPO / "fixtures" / "vulns"
EX = FIX / "examples"
VM = (
    "/subscriptions/6f1c2e3a-5b7d-4c9e-8a1f-2d3c4b5a6e7f/resourcegroups/rg-ai-demo/"
    "providers/microsoft.compute/virtualmachines/vm-ai-gateway"
)
ECS = "arn:aws:ecs:us-east-1:111122223333:task-definition/scanner-api:3"
RUN = "//run.googleapis.com/projects/acme/locations/us-central1/services/ubi-app"
OTHER = "//run.googleapis.com/projects/acme/locations/us-central1/services/other"
GRYPE_IMG = "image:sha256:ca738abb87a8d58f112d3400ebb079b61ceae7dc290beb34bda735be4b1941d5"
TRIVY_IMG = "image:sha256:6fecccc91c83e11ae4fede6793e9410841221d4779520c2b9e9fb7f7b3830264"
LANGCHAIN = "pkg:pypi/langchain@0.0.171"


def built(ws: Path) -> Graph:
    graph, _ = load_graph(Workspace(ws).latest_built().graph_path)
    return graph


def edges(graph: Graph, kind: str) -> set[tuple[str, str, str]]:
    return {(s, kind, t) for s, t, _e in graph.edges(kind)}


# --- the demo estate ---------------------------------------------------------------------------


def test_demo_vm_risk_comes_from_matched_advisories(demo_ws: Path) -> None:
    graph = built(demo_ws)
    vm = graph.node(VM)
    assert vm["vuln_factors"] == ["fix-available", "high-severity", "rce"]
    assert vm["vulnerabilities"]["critical"] >= 1
    # The factor is backed by real AFFECTED_BY edges from the VM's pinned langchain.
    advisories = {t for s, _k, t in edges(graph, "AFFECTED_BY") if s == LANGCHAIN}
    assert {"PYSEC-2023-146", "PYSEC-2023-138"} <= advisories
    assert graph.node("PYSEC-2023-146")["rce"] is True
    assert (VM, "RUNS_SOFTWARE", "sbom:requirements:demo-vm-ai-gateway") in edges(
        graph, "RUNS_SOFTWARE"
    )
    assert {"langchain", "openai"} <= set(vm["ai_libraries"])


def _demo_graph(drop_requirements: bool = False) -> Graph:
    docs: list[Document] = []
    for source, _scope, part_docs, _meta in load_demo_parts():
        if drop_requirements and source == "requirements":
            continue
        docs.extend(part_docs)
    return build_graph(docs, BuildContext())


def test_demo_vm_factor_is_not_hard_coded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert "vuln_factors" not in _demo_graph(drop_requirements=True).node(VM)
    # Same estate, a database without langchain advisories: the factor disappears too.
    (tmp_path / "osv.json").write_text(
        json.dumps(
            [
                {
                    "id": "PYSEC-0000-1",
                    "modified": "2024-01-01",
                    "affected": [
                        {
                            "package": {"ecosystem": "PyPI", "name": "numpy"},
                            "ranges": [
                                {
                                    "type": "ECOSYSTEM",
                                    "events": [{"introduced": "0"}, {"fixed": "1.0"}],
                                }
                            ],
                        }
                    ],
                }
            ]
        )
    )
    db = tmp_path / "db.sqlite"
    assert (
        invoke_cli(
            "vulndb",
            "import",
            str(tmp_path / "osv.json"),
            workspace=tmp_path / "w",
            env={"AISPM_VULNDB": str(db)},
        ).code
        == 0
    )
    monkeypatch.setenv("AISPM_VULNDB", str(db))
    graph = _demo_graph()
    assert "vuln_factors" not in graph.node(VM)
    assert not list(graph.edges("AFFECTED_BY"))


def test_demo_paths_use_the_matched_foothold(demo_paths: dict[str, Any]) -> None:
    vm_paths = [p for p in demo_paths["paths"] if p["nodes"][1]["id"] == VM]
    assert vm_paths
    for p in vm_paths:
        foothold = next(f for f in p["risk"]["factors"] if f["name"] == "foothold")
        assert foothold["value"] == 1.0 and "remote-code-execution" in foothold["detail"]


def test_vulns_command_on_demo(demo_ws: Path) -> None:
    res = invoke_cli("vulns", "--format", "json", workspace=demo_ws)
    assert res.code == 0, res.err
    rows = res.json()["vulnerabilities"]
    row = next(r for r in rows if r["advisory"] == "PYSEC-2023-146")
    assert row["package"] == "langchain" and row["version"] == "0.0.171"
    assert row["severity"] == "critical" and row["fixed"] == "0.0.195"
    assert row["cve"] == "CVE-2023-38896" and row["sources"] == ["osv"]
    assert row["affected"] == [{"id": VM, "kind": "AzureVirtualMachine", "name": "vm-ai-gateway"}]
    assert row["on_attack_path"] is True
    high = invoke_cli(
        "vulns", "--format", "json", "--min-severity", "high", workspace=demo_ws
    ).json()
    assert high["vulnerabilities"] and all(
        r["severity"] in {"high", "critical"} for r in high["vulnerabilities"]
    )
    table = invoke_cli("vulns", workspace=demo_ws)
    assert table.code == 0 and "PYSEC-2023-146" in table.out and "vm-ai-gateway" in table.out
    gate = invoke_cli("vulns", "--fail-on", "critical", workspace=demo_ws)
    assert gate.code == 1 and "on attack paths" in gate.err


# --- images linked to compute, scanner reconciliation ----------------------------------------


@pytest.fixture(scope="module")
def estate_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    ws = tmp_path_factory.mktemp("estate") / "ws"
    for args in (
        ("import", "graph", str(FIX / "estate.json")),
        ("import", "grype", str(EX / "grype-image-matches.json")),
        ("import", "trivy", str(EX / "trivy-image-ubi7-os-and-python.json")),
        ("import", "trivy", str(FIX / "trivy-langchain-app.json"), "--attach", "onprem-gpu-01"),
        (
            "import",
            "cyclonedx",
            str(EX / "cyclonedx-1.7-mlbom-model-card-with-dataset.json"),
            "--attach",
            "does-not-exist",
        ),
        ("build",),
    ):
        res = invoke_cli(*args, workspace=ws)
        assert res.code == 0, (args, res.err)
    return ws


def test_images_link_to_compute_by_digest_and_reference(estate_ws: Path) -> None:
    graph = built(estate_ws)
    assert edges(graph, "RUNS_IMAGE") == {
        (ECS, "RUNS_IMAGE", GRYPE_IMG),
        (RUN, "RUNS_IMAGE", TRIVY_IMG),
    }
    ev = graph.edge(ECS, GRYPE_IMG, "RUNS_IMAGE")
    assert ev is not None and ev["evidence"]["match"] == "digest"
    assert {(s, t) for s, _k, t in edges(graph, "HAS_PACKAGE") if s == TRIVY_IMG} == {
        (TRIVY_IMG, "pkg:rpm/redhat/bash@4.2.46-33.el7?distro=redhat-7.7"),
        (TRIVY_IMG, "pkg:pypi/setuptools@0.9.8"),
    }
    assert graph.node(RUN)["vuln_factors"] == ["fix-available", "high-severity"]
    assert "vuln_factors" not in graph.node(OTHER)  # ubi-8 is a different image


def test_scanner_and_osv_agree_disagree_and_complement(estate_ws: Path) -> None:
    graph = built(estate_ws)
    app = "sbom:trivy:" + next(
        n.split("sbom:trivy:", 1)[1]
        for n, _ in graph.nodes("SoftwareProject")
        if n.startswith("sbom:trivy:trivy-langchain-app")
    )
    assert ("onprem-gpu-01", "RUNS_SOFTWARE", app) in edges(graph, "RUNS_SOFTWARE")
    # Trivy's CVE-2023-38896 is our PYSEC-2023-146: one node, both sources on the edge.
    assert not graph.has_node("CVE-2023-38896")
    both = graph.edge(LANGCHAIN, "PYSEC-2023-146", "AFFECTED_BY")
    assert both is not None
    assert both["evidence"]["sources"] == ["osv", "trivy"]
    assert both["evidence"]["reported_as"] == "CVE-2023-38896"
    # Advisories only our matching found say the scanner did not report them.
    osv_only = graph.edge(LANGCHAIN, "PYSEC-2023-162", "AFFECTED_BY")
    assert osv_only is not None and osv_only["evidence"]["not_reported_by"] == ["trivy"]
    # The scanner claims a langchain advisory for gradio: kept, with the disagreement.
    gradio = "pkg:pypi/gradio@4.44.0"
    odd = graph.edge(gradio, "PYSEC-2023-138", "AFFECTED_BY")
    assert odd is not None and odd["evidence"]["sources"] == ["trivy"]
    assert "not in the affected ranges" in odd["evidence"]["disagreement"]
    # Unknown to the database: kept under the scanner's id, severity from its vector.
    ghsa = graph.node("GHSA-zzzz-0000-0000")
    assert ghsa["severity"] == "medium" and ghsa["cvss_score"] == 5.4
    assert ghsa["severity_basis"] == "cvss-v3"
    assert graph.node("pkg:pypi/langchain-experimental@0.0.1")["ai_library"] == "langchain"
    gpu = graph.node("onprem-gpu-01")
    assert set(gpu["ai_libraries"]) == {"gradio", "langchain"}
    assert gpu["vuln_factors"] == ["fix-available", "high-severity", "rce"]


def test_attach_to_unknown_resource_warns(estate_ws: Path) -> None:
    _graph, meta = load_graph(Workspace(estate_ws).latest_built().graph_path)
    assert any("--attach does-not-exist: no such resource" in w for w in meta["warnings"])


def test_mlbom_models_and_datasets_in_graph(estate_ws: Path) -> None:
    graph = built(estate_ws)
    models = dict(graph.nodes("MLBOMModel"))
    assert [m["name"] for m in models.values()] == ["support-ticket-classifier"]
    ((mid, model),) = models.items()
    assert model["model_card"]["modelParameters"]["architectureFamily"] == "transformer"
    trained = {graph.node(t)["name"] for s, _k, t in edges(graph, "TRAINED_ON") if s == mid}
    assert trained == {"support-ticket-training-data", "support-ticket-evaluation-data"}
