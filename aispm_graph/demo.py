"""The bundled demo estate: where it lives and how it becomes a snapshot.

In a wheel the estate ships as package data (``aispm_graph/_demo``); in a source checkout it is
``fixtures/demo``. ``manifest.json`` lists its parts: graph files, and recorded raw provider
snapshots (``documents`` parts) that go through the same transforms as a live collection.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from aispm_graph.graph.fileformat import GraphFileError, validate_graph_document
from aispm_graph.workspace import Document, Snapshot, WorkspaceError


def demo_dir() -> Path:
    packaged = Path(__file__).parent / "_demo"
    if (packaged / "manifest.json").exists():
        return packaged
    source = Path(__file__).resolve().parents[1] / "fixtures" / "demo"
    if (source / "manifest.json").exists():
        return source
    raise WorkspaceError(
        "the demo estate is missing from this installation (reinstall aispm-graph)"
    )


def load_demo_parts(
    base: Path | None = None,
) -> list[tuple[str, str, list[Document], dict[str, Any]]]:
    """(source, scope, documents, meta) for every part of the demo estate."""
    base = base or demo_dir()
    manifest = json.loads((base / "manifest.json").read_text(encoding="utf-8"))
    parts = []
    for part in manifest["parts"]:
        source, scope = part["source"], part["scope"]
        docs: list[Document] = []
        for rel in part["files"]:
            body = json.loads((base / rel).read_text(encoding="utf-8"))
            if part.get("format", "graph") == "documents":
                docs.extend(Document(source, scope, row["key"], row["body"]) for row in body)
            else:
                try:
                    validate_graph_document(body, rel, known=lambda _n: True)
                except GraphFileError as exc:
                    raise WorkspaceError(f"demo estate is corrupt: {exc}") from None
                docs.append(Document(source, scope, rel, body))
        parts.append(
            (source, scope, docs, {"demo": True, "description": part.get("description", "")})
        )
    return parts


def import_demo(snapshot: Snapshot) -> int:
    count = 0
    for source, scope, docs, meta in load_demo_parts():
        snapshot.put_source(source, scope, docs, meta)
        count += len(docs)
    return count
