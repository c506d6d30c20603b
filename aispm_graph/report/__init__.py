"""Reports: one :class:`ReportData`, many formats (HTML, SARIF, OCSF, Markdown, CSV)."""

from __future__ import annotations

from collections.abc import Callable

from aispm_graph.report.data import (
    SECTION_PROVIDERS,
    ChokepointRow,
    FindingRow,
    ReportContext,
    ReportData,
    VulnRow,
    build_report_data,
)
from aispm_graph.report.jsonout import dumps


def _html(data: ReportData) -> str:
    from aispm_graph.report.html import render_html

    return render_html(data)


def _sarif(data: ReportData) -> str:
    from aispm_graph.report.sarif import render_sarif

    return dumps(render_sarif(data), indent=2) + "\n"


def _ocsf(data: ReportData) -> str:
    from aispm_graph.report.ocsf import render_ocsf

    return dumps(render_ocsf(data), indent=2) + "\n"


def _md(data: ReportData) -> str:
    from aispm_graph.report.markdown import render_markdown

    return render_markdown(data)


def _json(data: ReportData) -> str:
    return data.model_dump_json(indent=2) + "\n"


# Report formats by --format name; each turns ReportData into the file's text.
RENDERERS: dict[str, Callable[[ReportData], str]] = {
    "html": _html,
    "sarif": _sarif,
    "ocsf": _ocsf,
    "md": _md,
    "json": _json,
}


def render(data: ReportData, fmt: str) -> str:
    return RENDERERS[fmt](data)


__all__ = [
    "RENDERERS",
    "SECTION_PROVIDERS",
    "ChokepointRow",
    "FindingRow",
    "ReportContext",
    "ReportData",
    "VulnRow",
    "build_report_data",
    "render",
]
