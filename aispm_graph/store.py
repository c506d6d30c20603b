"""Persisting a built graph: the versioned graph file format, zstd-compressed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import zstandard

from aispm_graph.atomic import atomic_write_bytes
from aispm_graph.graph.fileformat import GraphFileError, graph_to_document, parse_graph_document
from aispm_graph.graph.model import Graph
from aispm_graph.workspace import WorkspaceError, compress_json


def save_graph(graph: Graph, path: Path, meta: dict[str, Any] | None = None) -> None:
    doc = graph_to_document(graph)
    doc["meta"] = meta or {}
    atomic_write_bytes(path, compress_json(doc))


def load_graph(path: Path) -> tuple[Graph, dict[str, Any]]:
    try:
        raw = zstandard.ZstdDecompressor().decompress(path.read_bytes())
        doc = json.loads(raw)
    except (OSError, zstandard.ZstdError, json.JSONDecodeError) as exc:
        raise WorkspaceError(f"{path}: cannot read built graph ({exc})") from None
    # The JSON text is a third of the parsed document's size: not kept while the graph loads.
    del raw
    try:
        graph = parse_graph_document(doc, str(path), trusted=True)
    except GraphFileError as exc:
        raise WorkspaceError(f"built graph is invalid: {exc}") from None
    meta: dict[str, Any] = doc.get("meta", {})
    return graph, meta
