"""Persisting a built graph: the versioned graph file format, zstd-compressed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import zstandard

from aispm_graph.atomic import atomic_write_bytes
from aispm_graph.graph.fileformat import (
    ConsumedDocumentError,
    GraphFileError,
    graph_to_document,
    parse_graph_document,
)
from aispm_graph.graph.model import Graph
from aispm_graph.workspace import WorkspaceError, compress_json


def save_graph(graph: Graph, path: Path, meta: dict[str, Any] | None = None) -> None:
    doc = graph_to_document(graph)
    doc["meta"] = meta or {}
    atomic_write_bytes(path, compress_json(doc))


def load_graph(path: Path) -> tuple[Graph, dict[str, Any]]:
    try:
        doc = _read_json(path)
    except (OSError, zstandard.ZstdError, json.JSONDecodeError) as exc:
        raise WorkspaceError(f"{path}: cannot read built graph ({exc})") from None
    meta: dict[str, Any] = doc.get("meta", {}) if isinstance(doc, dict) else {}
    try:
        try:
            # Records are dropped as they load: the parsed document and the graph are never
            # both whole in memory (a 1M-resource graph is several gigabytes of each).
            graph = parse_graph_document(doc, str(path), trusted=True, consume=True)
        except ConsumedDocumentError:
            # Read it again to say which record and field are wrong.
            graph = parse_graph_document(_read_json(path), str(path))
    except GraphFileError as exc:
        raise WorkspaceError(f"built graph is invalid: {exc}") from None
    return graph, meta


def _read_json(path: Path) -> Any:
    """The parsed document, holding at most two of its three forms at once.

    ``json.loads`` of the bytes keeps the bytes, their decoded text and the parsed document
    alive together (a million-resource graph's text is over a gigabyte); here the bytes go
    once decoded (as ``json.loads`` decodes them) and the text once parsed.
    """
    raw = zstandard.ZstdDecompressor().decompress(path.read_bytes())
    text = raw.decode(json.detect_encoding(raw), "surrogatepass")
    del raw
    return json.loads(text)
