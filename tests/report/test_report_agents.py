"""The agent risk indicators section of the HTML and Markdown reports.

The demo estate's agents are built by the real pipeline (``aispm demo``), so the section shows
the indicators ``aispm show`` prints, with the same evidence; hostile agent names and evidence
stay text in both media (the HTML one is opened in headless Chromium).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from aispm_graph.api import Estate
from aispm_graph.derive.agents import INDICATOR_ORDER, INDICATOR_TITLES
from aispm_graph.report import ReportData, render
from aispm_graph.report.data import AgentRow
from aispm_graph.schema import Label, node_kinds
from tests.conftest import missing_tool
from tests.report.chromium_cdp import Browser, chromium_binary
from tests.report.reportkit import HOSTILE

UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


def test_every_demo_agent_is_listed_with_its_indicators(
    demo_estate: Estate, demo_report: ReportData
) -> None:
    graph = demo_estate.graph
    expected = {
        (nid, tuple(d.get("agent_indicators") or []))
        for nid, d in graph.nodes()
        if {Label.AI_AGENT, Label.AGENT_GATEWAY} & set(node_kinds()[d["kind"]].labels)
    }
    assert demo_report.agents is not None
    got = {(a.id, tuple(a.indicators)) for a in demo_report.agents}
    assert got == expected
    flagged = [a for a in demo_report.agents if a.indicators]
    assert flagged, "the demo estate has an agent with a risk indicator"
    for a in flagged:
        evidence = graph.node(a.id)["agent_indicator_evidence"]
        assert a.indicators == {k: list(evidence[k]) for k in a.indicators}
        assert list(a.indicators) == [i for i in INDICATOR_ORDER if i in a.indicators]
    # most indicators first
    sizes = [len(a.indicators) for a in demo_report.agents]
    assert sizes == sorted(sizes, reverse=True)


def test_markdown_lists_each_indicator_with_its_evidence(demo_report: ReportData) -> None:
    md = render(demo_report, "md")
    section = md.split("## Agent risk indicators", 1)[1].split("\n## ", 1)[0]
    assert demo_report.agents
    for a in demo_report.agents:
        for name, evidence in a.indicators.items():
            row = next(
                line
                for line in section.splitlines()
                if f"| {INDICATOR_TITLES[name]} |" in line and a.id.replace("_", "\\_") in line
            )
            assert len(UNESCAPED_PIPE.findall(row)) == 6  # five cells
            for line in evidence[:1]:
                assert line.split(" ")[0].replace("_", "\\_") in row


def _hostile(data: ReportData) -> ReportData:
    agent = AgentRow(
        id=f"arn:aws:bedrock:us-east-1:111122223333:agent/{HOSTILE}",
        kind="BedrockAgent",
        name=HOSTILE,
        indicators={
            "prompt-injection": [f"{HOSTILE}\n# heading\n| a | b |", "[link](javascript:x)"],
            "no-authentication": ["**bold** <script>alert(2)</script>"],
        },
        paths=2,
    )
    return data.model_copy(update={"agents": [agent, *(data.agents or [])]})


def test_markdown_keeps_hostile_text_literal(demo_report: ReportData) -> None:
    md = render(_hostile(demo_report), "md")
    section = md.split("## Agent risk indicators", 1)[1].split("\n## ", 1)[0]
    assert "<img" not in section and "<script" not in section
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in section
    assert "\\[link\\](javascript:x)" in section and "\\*\\*bold\\*\\*" in section
    rows = [line for line in section.splitlines() if "onerror=alert(1)" in line]
    assert len(rows) == 2  # one row per indicator, no line broken by the newlines
    for row in rows:
        assert len(UNESCAPED_PIPE.findall(row)) == 6  # five cells, whatever the text holds
    assert not [line for line in section.splitlines() if line.startswith("# heading")]


def test_markdown_says_when_not_computed(demo_report: ReportData) -> None:
    md = render(demo_report.model_copy(update={"agents": None}), "md")
    assert md.split("## Agent risk indicators", 1)[1].lstrip().startswith("_Not computed")
    none = render(demo_report.model_copy(update={"agents": []}), "md")
    assert "No agent found." in none


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    binary = chromium_binary()
    if binary is None:
        missing_tool("chromium is not installed (scripts/test-system-deps.sh installs it)")
    b = Browser(binary)
    try:
        yield b
    finally:
        b.close()


def test_html_section_on_screen(browser: Browser, demo_report: ReportData, tmp_path: Path) -> None:
    data = _hostile(demo_report)
    page = tmp_path / "report.html"
    page.write_text(render(data, "html"), encoding="utf-8")
    browser.open(page)
    assert browser.eval("document.querySelectorAll('img, #agents script').length") == 0
    rows = browser.eval("document.querySelectorAll('#agents table.agents tr[data-agent]').length")
    assert rows == len(data.agents or [])
    text = browser.eval("document.getElementById('agents').innerText")
    assert HOSTILE.split(" ")[0] in text and "<script>alert(2)</script>" in text
    for a in data.agents or []:
        for name, evidence in a.indicators.items():
            assert INDICATOR_TITLES[name] in text
            assert evidence[0].split("\n")[0].split(" ")[0] in text
    first = browser.eval(
        "Array.from(document.querySelectorAll('#agents tr[data-agent]'))"
        ".map(r => r.dataset.agent)[0]"
    )
    assert first == data.agents[0].id  # type: ignore[index]
    assert browser.eval("!!document.querySelector('nav a[href=\"#agents\"]')")
    browser.drain()
    assert browser.errors() == []
