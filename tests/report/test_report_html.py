"""The HTML report in Debian's headless Chromium, driven over the DevTools protocol.

Checks what a person would: the page loads with no console error and no request beyond its own
file, a known path's diagram is really rendered (DOM and pixels), hostile names stay text, and a
1,000-path report is ready within LOAD_BOUND_S seconds (2 shared cores; measured at about 1-2 s).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from aispm_graph.report import ReportData, render
from tests.conftest import missing_tool
from tests.report.chromium_cdp import Browser, chromium_binary
from tests.report.reportkit import full_report, hostile_path, many_paths

pytestmark = [pytest.mark.integration, pytest.mark.slow]

LOAD_BOUND_S = 15.0


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


def write(tmp_path: Path, data: ReportData, name: str = "report.html") -> Path:
    out = tmp_path / name
    out.write_text(render(data, "html"), encoding="utf-8")
    return out


def test_demo_report_renders_known_path(
    browser: Browser, demo_report: ReportData, tmp_path: Path
) -> None:
    full = full_report(demo_report)
    page = write(tmp_path, full)
    browser.open(page)
    top = full.paths[0]
    # Collapsed paths have no diagram yet (lazy); opening one renders it.
    assert browser.eval("document.querySelectorAll('svg.path-diagram').length") == 0
    browser.eval(f"document.getElementById('{top.id}').open = true")
    sel = f"svg.path-diagram[data-path-id='{top.id}']"
    assert browser.eval(f'!!document.querySelector("{sel}")')
    assert browser.eval(f'document.querySelectorAll("{sel} g.node").length') == len(top.nodes)
    assert browser.eval(f'document.querySelectorAll("{sel} g.hop").length') == top.hops
    assert browser.eval(f'document.querySelectorAll("{sel} g.risky-hop").length') == 1
    names = browser.eval(
        f'Array.from(document.querySelectorAll("{sel} g.node")).map(g => g.dataset.nodeId)'
    )
    assert names == [n.id for n in top.nodes]
    box = browser.eval(
        f'(() => {{ const r = document.querySelector("{sel}").getBoundingClientRect();'
        " return [r.width, r.height]; })()"
    )
    assert box[0] > 300 and box[1] > 50
    # Sections from hand-built rows are shown; counts match.
    text = browser.eval("document.body.innerText")
    assert "Public network access is enabled" in text and "GHSA-pg7h-5qx3-wjr3" in text
    crit = browser.eval("document.querySelector('#risk-counts .card.critical b').textContent")
    assert int(crit) == full.level_counts()["critical"]
    # Pixels: scroll the diagram into view and check the screenshot is not blank.
    browser.eval(f'document.querySelector("{sel}").scrollIntoView()')
    png = browser.screenshot()
    (tmp_path / "shot.png").write_bytes(png)
    img = Image.open(io.BytesIO(png)).convert("RGB")
    assert img.size[0] >= 800
    colours = img.getcolors(maxcolors=1 << 20) or []
    assert len(colours) > 20
    assert max(c for c, _ in colours) < 0.95 * img.size[0] * img.size[1]
    browser.drain()
    assert browser.errors() == []
    assert all(u.startswith(("file:", "data:")) for u in browser.requested_urls())


def test_printing_expands_every_path(
    browser: Browser, demo_report: ReportData, tmp_path: Path
) -> None:
    browser.open(write(tmp_path, demo_report))
    pdf = browser.send("Page.printToPDF", printBackground=False)["data"]
    assert len(pdf) > 10_000
    browser.drain(0.3)
    # beforeprint opened and filled every path of the (unfiltered) list.
    assert browser.eval("document.querySelectorAll('details.path[open]').length") == len(
        demo_report.paths
    )
    assert browser.eval("document.querySelectorAll('svg.path-diagram').length") == len(
        demo_report.paths
    )
    assert browser.errors() == []


def test_hostile_names_stay_text(browser: Browser, demo_report: ReportData, tmp_path: Path) -> None:
    data = demo_report.model_copy(update={"paths": [hostile_path(p) for p in demo_report.paths]})
    browser.open(write(tmp_path, data))
    browser.eval("document.getElementById('p-open').click()")
    assert browser.eval("document.querySelectorAll('img').length") == 0
    assert browser.eval("document.querySelectorAll('svg.path-diagram').length") == len(data.paths)
    assert "onerror=alert(1)" in browser.eval("document.body.innerText")
    ids = browser.eval("Array.from(document.querySelectorAll('[id]')).map(e => e.id)")
    assert len(ids) == len(set(ids)), "duplicate element ids"
    browser.drain()
    assert browser.errors() == []


def test_thousand_paths_load_within_bound(
    browser: Browser, demo_report: ReportData, tmp_path: Path
) -> None:
    big = demo_report.model_copy(
        update={"paths": many_paths(demo_report.paths, 1000), "total_paths": 1000}
    )
    page = write(tmp_path, big, "big.html")
    seconds = browser.open(page)
    assert seconds < LOAD_BOUND_S, f"1,000-path report took {seconds:.1f}s to become ready"
    assert browser.eval("document.querySelectorAll('details.path').length") == 1000
    assert browser.eval("document.querySelectorAll('details.path:not([hidden])').length") == 50
    assert "paths 1-50 of 1000" in browser.eval("document.getElementById('page-info').textContent")
    # Paging, filtering and deep links work on the big report.
    browser.eval("document.getElementById('p-next').click()")
    assert "paths 51-100 of 1000" in browser.eval(
        "document.getElementById('page-info').textContent"
    )
    level = big.paths[-1].risk.level
    n_level = sum(1 for p in big.paths if p.risk.level == level)
    browser.eval(
        f"(() => {{ const s = document.getElementById('f-level'); s.value = '{level}';"
        " s.dispatchEvent(new Event('change')); })()"
    )
    assert f"of {n_level} " in browser.eval("document.getElementById('page-info').textContent")
    target = big.paths[777].id
    browser.eval(f"location.hash = '#{target}'")
    browser.drain(0.5)
    assert browser.eval(f"document.getElementById('{target}').open") is True
    assert browser.eval(f"!document.getElementById('{target}').hidden")
    browser.drain()
    assert browser.errors() == []
