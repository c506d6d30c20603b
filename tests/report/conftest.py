"""Session fixtures of the report tests: the demo estate through the API, and its report."""

from __future__ import annotations

from pathlib import Path

import pytest

from aispm_graph.api import Estate
from aispm_graph.report import ReportData
from tests.report.reportkit import FIXED_TIME


@pytest.fixture(scope="session")
def demo_estate(demo_ws: Path) -> Estate:
    return Estate.open(demo_ws)


@pytest.fixture(scope="session")
def demo_report(demo_estate: Estate) -> ReportData:
    return demo_estate.report(generated_at=FIXED_TIME)
