"""The bundled demo estate: where it lives and how it becomes a snapshot.

In a wheel the estate ships as package data (``aispm_graph/_demo``); in a source checkout it is
``fixtures/demo``. ``manifest.json`` lists its parts: graph files, and recorded raw provider
snapshots (``documents`` parts) that go through the same transforms as a live collection.
This module is the one way in: ``aispm demo`` (``cli/commands/demo.py``), ``Estate.demo()``
and the tests that replay one provider's recordings (:func:`demo_documents`) all read the
manifest through it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from aispm_graph.graph.fileformat import GraphFileError, validate_graph_document
from aispm_graph.workspace import Document, Snapshot, WorkspaceError

#: The Azure subscription of the demo estate, and its internet-exposed AI gateway VM.
DEMO_SUBSCRIPTION = "6f1c2e3a-5b7d-4c9e-8a1f-2d3c4b5a6e7f"
DEMO_VM = (
    f"/subscriptions/{DEMO_SUBSCRIPTION}/resourcegroups/rg-ai-demo/providers/"
    "microsoft.compute/virtualmachines/vm-ai-gateway"
)


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


def demo_documents(source: str, base: Path | None = None) -> list[Document]:
    """The demo estate's recorded documents of one source (``azure``, ``gcp``, ...), as the
    collector stores them: what the collector tests replay and the transform tests build."""
    docs = [d for src, _scope, part, _meta in load_demo_parts(base) if src == source for d in part]
    if not docs:
        raise WorkspaceError(f"the demo estate has no documents of source {source!r}")
    return docs
