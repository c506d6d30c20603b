"""CSV for spreadsheets: the AI-BOM, vulnerabilities, recommendations, paths and choke points.

Cells that a spreadsheet would run as a formula (leading ``=``, ``+``, ``-``, ``@``, tab, CR) are
prefixed with a quote: resource names come from the estate, not from us. List cells are joined
with ``;``, which a spreadsheet importing with ``;`` as separator splits into cells again, so
every element is checked on its own too. Control characters that a viewer obeys instead of
showing (C0 but tab and newline, C1, bidi overrides and isolates that make ``txt.exe`` read
``exe.txt``, zero-width characters, lone surrogates) are written as visible escapes first,
the same as on the terminal (textsafe.clean). Every cell and header goes through
:func:`_safe`; every CSV in the project through :func:`to_csv`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from typing import Any

from aispm_graph.analysis.inventory import Inventory
from aispm_graph.report.data import ReportData
from aispm_graph.textsafe import clean

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


_AFTER_SEPARATOR = re.compile(r";(\s*)(?=[=+\-@\t\r])")


def _safe(v: Any) -> str:
    text = ";".join(map(str, v)) if isinstance(v, list) else ("" if v is None else str(v))
    text = clean(text)
    text = _AFTER_SEPARATOR.sub(r";\1'", text)
    return "'" + text if text.startswith(FORMULA_START) else text


def to_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([_safe(h) for h in header])
    for row in rows:
        w.writerow([_safe(v) for v in row])
    return buf.getvalue()


INVENTORY_COLUMNS = (
    "id",
    "kind",
    "name",
    "provider",
    "service",
    "category",
    "region",
    "tenant",
    "model",
    "shadow_ai",
    "ai_libraries",
    "internet_exposed",
    "paths",
    "provenance",
    "provenance_source",
    "provenance_pinned",
    "serving_framework",
)


def inventory_csv(inv: Inventory) -> str:
    return to_csv(
        INVENTORY_COLUMNS, ([getattr(i, c) for c in INVENTORY_COLUMNS] for i in inv.items)
    )


def paths_csv(data: ReportData) -> str:
    return to_csv(
        ("rank", "id", "level", "score", "title", "entry", "target", "target_class", "hops"),
        (
            (
                i,
                p.id,
                p.risk.level,
                p.risk.score,
                p.title,
                p.entry,
                p.target,
                p.target_class,
                p.hops,
            )
            for i, p in enumerate(data.paths, 1)
        ),
    )


def recommendations_csv(data: ReportData) -> str:
    cols = ("id", "check", "title", "severity", "priority", "resource_id", "resource_name",
            "remediation", "path_ids")  # fmt: skip
    return to_csv(cols, ([getattr(r, c) for c in cols] for r in data.recommendations or []))


def vulnerabilities_csv(data: ReportData) -> str:
    cols = ("advisory", "severity", "package", "version", "fixed_version", "on_path",
            "resources", "summary")  # fmt: skip
    return to_csv(cols, ([getattr(v, c) for c in cols] for v in data.vulnerabilities or []))


def chokepoints_csv(data: ReportData) -> str:
    cols = ("fix_id", "action", "effort", "risk_removed", "paths")
    return to_csv(cols, ([getattr(c, k) for k in cols] for c in data.chokepoints or []))
