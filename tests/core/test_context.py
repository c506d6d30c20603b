"""Owner context rules: crown jewels become targets, accepted exposures start no path."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.cli import invoke_cli

GRAPH = {
    "format": "aispm-graph",
    "version": 1,
    "nodes": [
        {"id": "vm", "kind": "CustomCompute", "name": "bastion-01"},
        {"id": "id", "kind": "AWSRole", "name": "ops"},
        {
            "id": "b1",
            "kind": "S3Bucket",
            "name": "hr-exports",
            "properties": {"tags": {"data-classification": "restricted"}},
        },
        {
            "id": "b2",
            "kind": "S3Bucket",
            "name": "public-assets",
            "properties": {"tags": {"data-classification": "public"}},
        },
    ],
    "edges": [
        {
            "source": "internet",
            "target": "vm",
            "kind": "INTERNET_EXPOSED",
            "evidence": {"via": "perimeter rule 7", "ports": "tcp/22"},
        },
        {"source": "vm", "target": "id", "kind": "HAS_IDENTITY", "evidence": {"mechanism": "x"}},
        {"source": "id", "target": "b1", "kind": "CAN_READ", "evidence": {"permission": "s3:Get"}},
        {"source": "id", "target": "b2", "kind": "CAN_READ", "evidence": {"permission": "s3:Get"}},
    ],
}

CONTEXT = """\
version: 1
assets:
  - rule: classified-data
    match:
      tags: {data-classification: [confidential, restricted]}
    criticality: crown-jewel
    data_role: [sensitive]
"""


def setup(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    f = tmp_path / "g.json"
    f.write_text(json.dumps(GRAPH))
    assert invoke_cli("import", "graph", str(f), workspace=ws).code == 0
    return ws


def targets(ws: Path) -> dict[str, dict]:
    res = invoke_cli("paths", "--format", "json", workspace=ws)
    assert res.code == 0, res.err
    return {p["target"]: p for p in res.json()["paths"]}


def test_tagged_bucket_becomes_a_target_with_the_rule_as_factor(tmp_path: Path) -> None:
    ws = setup(tmp_path)
    assert invoke_cli("build", workspace=ws).code == 0
    assert targets(ws) == {}
    (ws / "aispm.context.yaml").write_text(CONTEXT)
    assert invoke_cli("build", workspace=ws).code == 0
    found = targets(ws)
    assert set(found) == {"b1"}
    factors = {f["name"]: f["detail"] for f in found["b1"]["risk"]["factors"]}
    assert "classified-data" in factors["criticality"]


def test_crown_jewel_flag(tmp_path: Path) -> None:
    ws = setup(tmp_path)
    assert invoke_cli("build", "--crown-jewel", "b2", workspace=ws).code == 0
    assert set(targets(ws)) == {"b2"}


def test_safe_exposure_stops_the_path_and_is_reported(tmp_path: Path) -> None:
    ws = setup(tmp_path)
    ctx = tmp_path / "ctx.yaml"
    ctx.write_text(
        CONTEXT
        + """\
safe_exposures:
  - rule: bastion
    match: {name: "bastion-*"}
    reason: MFA-protected bastion, reviewed 2026-10
"""
    )
    res = invoke_cli("build", "--context", str(ctx), workspace=ws)
    assert res.code == 0 and "accepted exposure of bastion-01" in res.err
    assert targets(ws) == {}


def test_bad_context_files_exit_2_naming_rule_and_field(tmp_path: Path) -> None:
    ws = setup(tmp_path)
    kind_err = "assets:\n  - rule: x\n    match: {kind: NoSuchKind}\n    criticality: high\n"
    crit_err = "assets:\n  - rule: x\n    match: {name: a}\n    criticality: extreme\n"
    cases = {
        kind_err: "assets[0] (rule 'x'): field 'match.kind'",
        crit_err: "field 'criticality'",
        "safe_exposures:\n  - rule: y\n    match: {name: a}\n": "field 'reason' is required",
        "trusted_cidrs: [10.0.0.0/33]\n": "trusted_cidrs[0]",
        "assets: [\n  - rule\n": "line 2: invalid YAML",
        "colour: blue\n": "unknown top-level field",
    }
    for text, message in cases.items():
        f = tmp_path / "bad.yaml"
        f.write_text(text)
        res = invoke_cli("build", "--context", str(f), workspace=ws)
        assert res.code == 2 and message in res.err, (text, res.err)
        assert "Traceback" not in res.err
