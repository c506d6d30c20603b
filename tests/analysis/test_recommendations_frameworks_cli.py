"""``aispm recommendations --framework``: findings grouped by framework item, and the items no
check covers; ``--list-checks`` with the catalogue's metadata."""

from __future__ import annotations

from pathlib import Path

from aispm_graph.recommendations.catalogue import CHECKS
from aispm_graph.recommendations.frameworks import FRAMEWORKS
from tests.support.cli import invoke_cli


def test_framework_json_groups_findings_by_item(demo_ws: Path) -> None:
    plain = invoke_cli("recommendations", "--format", "json", workspace=demo_ws).json()["findings"]
    for fid in ("owasp-llm", "atlas", "nist-ai-rmf"):
        res = invoke_cli(
            "recommendations", "--framework", fid, "--format", "json", workspace=demo_ws
        )
        assert res.code == 0, res.err
        doc = res.json()
        assert doc["framework"]["id"] == fid
        assert [i["id"] for i in doc["items"]] == [i.id for i in FRAMEWORKS[fid].items]
        filed = {(i["id"], f) for i in doc["items"] for f in i["findings"]}
        assert filed == {(item, f["id"]) for f in plain for item in f["frameworks"].get(fid, [])}
        named = {i for c in CHECKS for i in c.frameworks.get(fid, ())}
        uncovered = {i["id"] for i in doc["items"] if i["status"] == "uncovered"}
        assert uncovered == {i.id for i in FRAMEWORKS[fid].items} - named
        assert doc["summary"]["uncovered"] == len(uncovered)
        for i in doc["items"]:
            if i["status"] == "pending":
                assert not i["checks"] and i["pending_checks"]
    # A NIST governance subcategory no technical check can serve is reported as a gap.
    nist = invoke_cli(
        "recommendations", "--framework", "nist-ai-rmf", "--format", "json", workspace=demo_ws
    ).json()
    assert {"id": "GOVERN 2.2", "status": "uncovered"}.items() <= next(
        i for i in nist["items"] if i["id"] == "GOVERN 2.2"
    ).items()


def test_framework_table_lists_findings_and_gaps(demo_ws: Path) -> None:
    res = invoke_cli("recommendations", "--framework", "atlas", workspace=demo_ws)
    assert res.code == 0, res.err
    assert "Findings by MITRE ATLAS techniques 5.6.0" in res.out
    assert "Not covered by any check:" in res.out and "AML.T0000" in res.out
    assert "AML.T0051" in res.out  # prompt injection: the demo's lenient guardrail


def test_unknown_framework_is_a_usage_error(demo_ws: Path) -> None:
    res = invoke_cli("recommendations", "--framework", "iso-42001", workspace=demo_ws)
    assert res.code == 2
    assert "iso-42001" in res.err and "Traceback" not in res.err


def test_list_checks_json_has_reviewer_metadata() -> None:
    res = invoke_cli("recommendations", "--list-checks", "--format", "json")
    assert res.code == 0, res.err
    rows = {r["id"]: r for r in res.json()["checks"]}
    assert set(rows) == {c.id for c in CHECKS}
    br3 = rows["AWS-BR-003"]
    assert br3["status"] == "evaluated" and br3["rationale"]
    assert {"tool": "Prowler", "id": "bedrock_guardrail_prompt_attack_filter_enabled"}.items() <= (
        br3["peers"][0].items()
    )
    assert set(br3["fix"]) == {"console", "cli", "terraform"}
    pending = [r for r in rows.values() if r["status"] != "evaluated"]
    assert pending and all(r["facts_note"] for r in pending)
    table = invoke_cli("recommendations", "--list-checks")
    assert "AWS-BR-003" in table.out
    assert {r["status"] for r in pending} <= {"not-offline", "not-collected"}
    assert all(r["status"] in table.out for r in pending)
