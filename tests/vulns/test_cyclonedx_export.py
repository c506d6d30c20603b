"""``aispm inventory --format cyclonedx``: a CycloneDX 1.6 AI-BOM that the CycloneDX library
validates against the official schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from tests.support.cli import REPO, invoke_cli

EX = REPO / "fixtures" / "vulns" / "examples"


def validate(text: str) -> None:
    error = JsonStrictValidator(SchemaVersion.V1_6).validate_str(text)
    assert error is None, str(error)


def test_validator_is_not_a_rubber_stamp() -> None:
    bad = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "version": 1,
        "components": [{"type": "machine-learning-model", "name": "m", "modelCard": 5}],
    }
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(json.dumps(bad)) is not None


@pytest.fixture(scope="module")
def bom(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    ws = tmp_path_factory.mktemp("bom") / "ws"
    assert invoke_cli("demo", workspace=ws).code == 0
    for fmt, name in (
        ("cyclonedx", "cyclonedx-1.7-mlbom-model-card-with-dataset.json"),
        ("grype", "grype-image-matches.json"),
    ):
        res = invoke_cli("import", fmt, str(EX / name), workspace=ws)
        assert res.code == 0, res.err
    assert invoke_cli("build", workspace=ws).code == 0
    out = ws.parent / "bom.json"
    res = invoke_cli("inventory", "--format", "cyclonedx", "-o", str(out), workspace=ws)
    assert res.code == 0, res.err
    text = out.read_text()
    validate(text)
    stdout = invoke_cli("inventory", "--format", "cyclonedx", workspace=ws)
    assert stdout.code == 0
    validate(stdout.out)
    data: dict[str, object] = json.loads(text)
    return data


def test_bom_has_models_services_data_and_dependencies(bom: dict[str, object]) -> None:
    comps = bom["components"]
    assert isinstance(comps, list)
    by_type: dict[str, list[dict[str, object]]] = {}
    for c in comps:
        by_type.setdefault(c["type"], []).append(c)
    models = {c["name"]: c for c in by_type["machine-learning-model"]}
    # The imported ML-BOM's model keeps its model card; cloud models are there too.
    card = models["support-ticket-classifier"]["modelCard"]
    assert card["modelParameters"]["task"] == "text-classification"
    assert any(str(c["bom-ref"]).startswith("arn:aws:bedrock") for c in models.values())
    data_names = {c["name"] for c in by_type["data"]}
    assert {"support-ticket-training-data", "support-ticket-evaluation-data"} <= data_names
    services = bom["services"]
    assert isinstance(services, list) and any("oai-contoso-prod" in s["name"] for s in services)
    libs = {c["purl"] for c in by_type["library"]}
    assert "pkg:pypi/langchain@0.0.171" in libs
    platforms = {c["name"] for c in by_type["platform"]}
    assert "vm-ai-gateway" in platforms
    deps = {d["ref"]: set(d["dependsOn"]) for d in bom["dependencies"]}  # type: ignore[union-attr]
    model_ref = models["support-ticket-classifier"]["bom-ref"]
    assert len(deps[model_ref]) == 2  # trained on both datasets
    vulns = {v["id"]: v for v in bom["vulnerabilities"]}  # type: ignore[union-attr]
    v = vulns["PYSEC-2023-146"]
    assert v["ratings"][0]["severity"] == "critical" and v["ratings"][0]["method"] == "CVSSv31"
    assert v["affects"] == [{"ref": "pkg:pypi/langchain@0.0.171"}]
    assert any(r["id"] == "CVE-2023-38896" for r in v["references"])


def test_bom_for_empty_workspace_is_still_valid(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    assert (
        invoke_cli("import", "requirements", str(REPO / "pyproject.toml"), workspace=ws).code == 2
    )
    empty = tmp_path / "empty.json"
    empty.write_text(json.dumps({"format": "aispm-graph", "version": 1, "nodes": [], "edges": []}))
    assert invoke_cli("import", "graph", str(empty), workspace=ws).code == 0
    assert invoke_cli("build", workspace=ws).code == 0
    res = invoke_cli("inventory", "--format", "cyclonedx", workspace=ws)
    assert res.code == 0, res.err
    validate(res.out)
