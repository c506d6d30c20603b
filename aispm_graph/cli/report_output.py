"""Writing a report file, shared by ``aispm report`` and ``aispm paths --format html|...``.

Its own module so that neither command module imports the other.
"""

from __future__ import annotations

from pathlib import Path

from aispm_graph.cli.errors import UserError
from aispm_graph.cli.groups import App
from aispm_graph.report import RENDERERS, ReportData

REPORT_FORMATS = ("html", "sarif", "ocsf", "md", "json", "csv")
CSV_SECTIONS = ("paths", "chokepoints", "recommendations", "vulnerabilities", "inventory")


def csv_section(data: ReportData, section: str) -> str:
    """One table of the report as CSV; a section that was not computed is a usage error."""
    from aispm_graph.report import csvout

    if section == "inventory":
        return csvout.inventory_csv(data.inventory)
    if section == "paths":
        return csvout.paths_csv(data)
    if getattr(data, section) is None:
        raise UserError(f"--section {section}: not computed in this installation")
    writer = {
        "chokepoints": csvout.chokepoints_csv,
        "recommendations": csvout.recommendations_csv,
        "vulnerabilities": csvout.vulnerabilities_csv,
    }[section]
    return writer(data)


def write_report(
    app: App, data: ReportData, fmt: str, output: Path | None, section: str = "paths"
) -> None:
    """Render ``data`` and write it to ``output`` (atomically) or stdout."""
    text = csv_section(data, section) if fmt == "csv" else RENDERERS[fmt](data)
    if output is None:
        app.console.file.write(text)
        return
    from aispm_graph.atomic import write_output_text

    write_output_text(output, text)
    app.info(f"wrote {fmt} report to {output} ({len(data.paths)} paths)")
