"""How the HTML report scales with the number of paths (run by hand).

    .venv/bin/python benchmarks/report_html.py [--sizes 100,1000,5000]

For each size: Python render time, file size, and the time until the page's script reports ready
in headless Chromium (DevTools protocol, fresh profile). Figures are ratios to the smallest size
measured in the same run, so they compare across machines.

Measured 2026-11-30 on 2 shared cores (Chromium 156, Debian 12):

     paths  render s      x     MB  ready s      x
       100     0.142    1.0   0.83     0.32    1.0
      1000     0.180    1.3   8.18     0.80    2.5
      5000     0.956    6.7  40.84     5.94   18.5

Rendering is near-linear; page readiness grows faster past a few thousand paths (the browser
still parses every inert template), which is why the test bound is set at 1,000 paths.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# run as a script: the repository root makes fixtures.aws and tests.* importable
sys.path.insert(0, str(REPO))

from aispm_graph.api import Estate  # noqa: E402
from aispm_graph.report import render  # noqa: E402
from tests.report.chromium_cdp import Browser, chromium_binary  # noqa: E402
from tests.report.reportkit import FIXED_TIME, many_paths  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="100,1000,5000")
    sizes = [int(s) for s in ap.parse_args().sizes.split(",")]
    base = Estate.demo().report(generated_at=FIXED_TIME)
    binary = chromium_binary()
    if binary is None:
        sys.exit("chromium is not installed (scripts/test-system-deps.sh)")
    browser = Browser(binary)
    rows = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for n in sizes:
                data = base.model_copy(
                    update={"paths": many_paths(base.paths, n), "total_paths": n}
                )
                t0 = time.perf_counter()
                html = render(data, "html")
                t_render = time.perf_counter() - t0
                page = Path(tmp) / f"r{n}.html"
                page.write_text(html, encoding="utf-8")
                t_load = browser.open(page)
                rows.append((n, t_render, len(html) / 1e6, t_load))
    finally:
        browser.close()
    b = rows[0]
    print(f"{'paths':>6} {'render s':>9} {'x':>6} {'MB':>6} {'ready s':>8} {'x':>6}")
    for n, tr, mb, tl in rows:
        print(f"{n:>6} {tr:>9.3f} {tr / b[1]:>6.1f} {mb:>6.2f} {tl:>8.2f} {tl / b[3]:>6.1f}")


if __name__ == "__main__":
    main()
