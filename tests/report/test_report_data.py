"""The report model: sections, pluggable providers, the highlighted hop, and the CLI."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from aispm_graph.api import Estate
from aispm_graph.report import (
    SECTION_PROVIDERS,
    ChokepointRow,
    ReportContext,
    ReportData,
    build_report_data,
    render,
)
from aispm_graph.report.data import riskiest_hop
from tests.report.reportkit import FIXED_TIME, full_report, hand_rows
from tests.support.cli import invoke_cli


def test_demo_report_has_paths_inventory_and_every_section(
    demo_report: ReportData, demo_paths: dict
) -> None:
    assert [p.id for p in demo_report.paths] == [p["id"] for p in demo_paths["paths"]]
    assert demo_report.total_paths == demo_paths["total_paths"] >= 8
    assert demo_report.inventory.summary()["ai_assets"] > 0
    # Choke points from the choke-point analysis: each fix with the paths it closes, most
    # risk removed first; the top one closes several paths.
    cps = demo_report.chokepoints
    assert cps is not None and cps
    scores = {p.id: p.risk.score for p in demo_report.paths}
    for c in cps:
        assert c.risk_removed == sum(scores[pid] for pid in c.paths)
    assert [c.risk_removed for c in cps] == sorted((c.risk_removed for c in cps), reverse=True)
    assert len(cps[0].paths) >= 2
    # The recommendations catalogue and the vulnerability matching are wired in.
    assert demo_report.recommendations and demo_report.vulnerabilities


def test_providers_plug_in_and_unregistered_sections_say_not_computed(
    demo_estate: Estate,
) -> None:
    recs, _vulns = hand_rows(demo_estate.paths().paths)
    seen: list[ReportContext] = []

    def rec_provider(ctx: ReportContext) -> list:
        seen.append(ctx)
        return recs

    providers = {
        **SECTION_PROVIDERS,
        "recommendations": rec_provider,
        "vulnerabilities": lambda _c: [],
    }
    data = demo_estate.report(providers=providers, generated_at=FIXED_TIME)
    assert seen and seen[0].graph is demo_estate.graph
    assert data.recommendations == recs and data.vulnerabilities == []
    md = render(data, "md")
    assert "No vulnerability matched." in md and "Public network access is enabled" in md
    html = render(data, "html")
    assert "Vulnerabilities: not computed" not in html and "No vulnerability matched." in html
    bare = demo_estate.report(providers={}, generated_at=FIXED_TIME)
    assert bare.chokepoints is None
    for fmt in ("md", "html"):
        text = render(bare, fmt)
        for section in ("Choke points", "Recommendations", "Vulnerabilities"):
            assert f"{section}: not computed" in text or "_Not computed" in text


def test_riskiest_hop_is_the_most_shared_breaking_fix(demo_report: ReportData) -> None:
    counts = demo_report.fix_path_counts()
    for p in demo_report.paths:
        hot = riskiest_hop(p, counts)
        breaking = [r for r in p.remediation if r.breaks_path and r.edge is not None]
        if breaking:
            best = max(counts.get(r.id, 1) for r in breaking)
            assert counts.get(next(r.id for r in breaking if r.edge == hot), 1) == best
    # A fix shared by more paths moves the highlight onto its hop.
    p = next(p for p in demo_report.paths if p.hops >= 2)
    last = next(r for r in reversed(p.remediation) if r.breaks_path and r.edge)
    assert riskiest_hop(p, {last.id: 99}) == last.edge


def test_same_graph_same_report(demo_estate: Estate) -> None:
    a = demo_estate.report(generated_at=FIXED_TIME)
    b = Estate(demo_estate.graph.copy(), demo_estate.snapshot_id).report(generated_at=FIXED_TIME)
    for fmt in ("html", "sarif", "ocsf", "md", "json"):
        assert render(a, fmt) == render(b, fmt), fmt


def test_cli_report_every_format_and_gate(demo_ws: Path, demo_paths: dict, tmp_path: Path) -> None:
    total = demo_paths["total_paths"]
    for fmt, marker in (
        ("html", "<!DOCTYPE html>"),
        ("sarif", '"version": "2.1.0"'),
        ("ocsf", '"class_uid": 2004'),
        ("md", "```mermaid"),
        ("json", '"schema_version": 1'),
    ):
        out = tmp_path / f"r.{fmt}"
        res = invoke_cli("report", "--format", fmt, "-o", str(out), workspace=demo_ws)
        assert res.code == 0, res.err
        assert marker in out.read_text(encoding="utf-8")
        assert f"wrote {fmt} report to {out} ({total} paths)" in res.err
    top = invoke_cli("report", "--format", "json", "--top", "3", workspace=demo_ws).json()
    assert len(top["paths"]) == 3 and top["total_paths"] == total
    gate = invoke_cli(
        "report",
        "--format",
        "md",
        "-o",
        str(tmp_path / "g.md"),
        "--fail-on",
        "critical",
        workspace=demo_ws,
    )
    assert gate.code == 1 and (tmp_path / "g.md").exists()
    (tmp_path / "afile").write_text("x")
    bad = invoke_cli("report", "-o", str(tmp_path / "afile" / "r.html"), workspace=demo_ws)
    assert bad.code == 2 and "cannot write" in bad.err and "Traceback" not in bad.err
    empty = invoke_cli("report", workspace=tmp_path / "nows")
    assert empty.code == 2 and "Traceback" not in empty.err


def test_cli_paths_report_formats_and_inventory_csv(demo_ws: Path, demo_paths: dict) -> None:
    md = invoke_cli("paths", "--format", "md", "--top", "2", workspace=demo_ws)
    assert md.code == 0 and md.out.count("```mermaid") == 2
    sarif = invoke_cli("paths", "--format", "sarif", workspace=demo_ws).json()
    assert len(sarif["runs"][0]["results"]) == demo_paths["total_paths"]
    html = invoke_cli("paths", "--format", "html", workspace=demo_ws)
    assert demo_paths["paths"][0]["id"] in html.out
    ocsf = invoke_cli("paths", "--format", "ocsf", "--min-risk", "high", workspace=demo_ws).json()
    assert {e["risk_level"] for e in ocsf} <= {"Critical", "High"}
    # The existing formats are unchanged.
    assert invoke_cli("paths", "--format", "json", workspace=demo_ws).json()["total_paths"] == len(
        demo_paths["paths"]
    )
    res = invoke_cli("inventory", "--format", "csv", workspace=demo_ws)
    assert res.code == 0, res.err
    rows = list(csv.DictReader(io.StringIO(res.out)))
    inv = invoke_cli("inventory", "--format", "json", workspace=demo_ws).json()
    assert [r["id"] for r in rows] == [i["id"] for i in inv["items"]]
    assert {r["shadow_ai"] for r in rows} == {"True", "False"}


def test_csv_neutralises_formulas(demo_report: ReportData) -> None:
    from aispm_graph.report.csvout import chokepoints_csv, recommendations_csv, to_csv

    text = to_csv(["a", "b"], [['=HYPERLINK("x")', "+1"], ["ok", ["-x", "y"]]])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1] == ['\'=HYPERLINK("x")', "'+1"] and rows[2] == ["ok", "'-x;y"]
    full = full_report(demo_report)
    recs = list(csv.DictReader(io.StringIO(recommendations_csv(full))))
    assert [r["check"] for r in recs] == ["public-network-access", "no-guardrail"]
    cps = list(csv.DictReader(io.StringIO(chokepoints_csv(full))))
    assert len(cps) == len(full.chokepoints or [])


def test_report_json_round_trips(demo_report: ReportData) -> None:
    again = ReportData.model_validate(json.loads(render(demo_report, "json")))
    assert again == demo_report
    row = ChokepointRow(fix_id="fx-1", action="a", paths=["ap-1"], risk_removed=5)
    assert build_report_data  # public entry point exported
    assert row.effort == "medium"


def test_cli_report_csv_sections(demo_ws: Path, demo_paths: dict) -> None:
    paths = invoke_cli("report", "--format", "csv", workspace=demo_ws)
    assert paths.code == 0, paths.err
    rows = list(csv.DictReader(io.StringIO(paths.out)))
    assert [r["id"] for r in rows] == [p["id"] for p in demo_paths["paths"]]
    cps = invoke_cli("report", "--format", "csv", "--section", "chokepoints", workspace=demo_ws)
    assert cps.code == 0 and cps.out.startswith("fix_id,action,effort,risk_removed,paths")
    # The vulns module registers the vulnerabilities section: the demo VM's matched advisories.
    vulns = invoke_cli(
        "report", "--format", "csv", "--section", "vulnerabilities", workspace=demo_ws
    )
    assert vulns.code == 0, vulns.err
    vrows = list(csv.DictReader(io.StringIO(vulns.out)))
    assert any(
        r["advisory"] == "PYSEC-2023-146 (CVE-2023-38896)" and r["on_path"] == "True" for r in vrows
    )


def test_truncation_is_said_in_every_format(demo_report: ReportData) -> None:
    cut = demo_report.model_copy(
        update={"truncated": True, "truncation": "path cap of 5 reached; raise --max-paths"}
    )
    assert "Results are incomplete: path cap of 5 reached" in render(cut, "html")
    assert "results are incomplete: path cap of 5 reached" in render(cut, "md")
    sarif = json.loads(render(cut, "sarif"))
    notes = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert notes[0]["message"]["text"].startswith("path cap of 5 reached")
    assert "Results are incomplete" not in render(demo_report, "html")
