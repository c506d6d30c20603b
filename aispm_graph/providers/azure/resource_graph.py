"""Offline input: the JSON that ``az graph query`` writes, as ``azure`` source documents.

``az graph query -q "Resources | union AuthorizationResources" --first 1000 -o json`` prints
either ``{"count": n, "data": [rows], "skip_token": ...}`` (current CLI) or a bare list of rows
(older CLI). Each row is an ARM resource (``id``, ``type``, ``properties``, ``identity`` ...),
the shape the transform reads, so a Resource Graph export and a live collection build the same
graph. Rows that are not resources are skipped with a reason naming the row and field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aispm_graph.knowledge.azure.arm import norm, resource_type
from aispm_graph.safeload import InputError, loads_json
from aispm_graph.workspace import Document


class ResourceGraphError(ValueError):
    """The file is not an ``az graph query`` JSON output at all."""


def parse_resource_graph(path: Path, scope: str) -> tuple[list[Document], list[str]]:
    """Documents from one export, and warnings for the rows that had to be skipped."""
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ResourceGraphError(f"{path}: cannot read ({exc})") from None
    try:
        data: Any = loads_json(raw, str(path))
    except InputError as exc:
        raise ResourceGraphError(str(exc)) from None
    if isinstance(data, dict):
        if "data" not in data:
            raise ResourceGraphError(
                f"{path}: field 'data' missing: expected the output of 'az graph query -o json'"
            )
        rows = data["data"]
        if isinstance(rows, dict) and isinstance(rows.get("rows"), list):
            raise ResourceGraphError(
                f"{path}: field 'data' is a table (resultFormat=table); rerun with "
                "'--query-format objectArray' or the default CLI output"
            )
    else:
        rows = data
    if not isinstance(rows, list):
        raise ResourceGraphError(f"{path}: field 'data' is not a list of rows")
    docs: list[Document] = []
    warnings: list[str] = []
    for i, row in enumerate(rows):
        where = f"{path.name}: row {i}"
        if not isinstance(row, dict):
            warnings.append(f"{where}: not an object; skipped")
            continue
        rid = row.get("id")
        if not isinstance(rid, str) or not rid.startswith("/") or not resource_type(rid):
            warnings.append(f"{where}: field 'id': missing or not an ARM resource id; skipped")
            continue
        if "properties" in row and not isinstance(row["properties"], dict | type(None)):
            warnings.append(f"{where}: field 'properties': not an object; skipped")
            continue
        docs.append(Document("azure", scope, norm(rid), row))
    return docs, warnings
