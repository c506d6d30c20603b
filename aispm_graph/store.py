"""Persisting a built graph: the versioned graph file format, zstd-compressed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any

import zstandard

from aispm_graph.atomic import atomic_writer
from aispm_graph.graph.fileformat import (
    FORMAT_NAME,
    FORMAT_VERSION,
    ConsumedDocumentError,
    GraphFileError,
    edge_documents,
    node_documents,
    parse_graph_document,
)
from aispm_graph.graph.model import Graph
from aispm_graph.safeload import sanitize
from aispm_graph.workspace import WorkspaceError


def save_graph(graph: Graph, path: Path, meta: dict[str, Any] | None = None) -> None:
    """Write the graph as :func:`graph_to_document` plus ``meta``, the same JSON text that
    ``compress_json`` of that document gives, compressed as it is made: the document, its
    text and its bytes of a 1M-resource graph (several gigabytes each) are never whole in
    memory beside the graph."""
    with (
        atomic_writer(path) as fh,
        zstandard.ZstdCompressor(level=6).stream_writer(fh, closefd=False) as out,
    ):
        for piece in _graph_json(graph, meta or {}):
            out.write(piece)


_BATCH = 1024  # records per json.dumps call: its fixed cost per call, not per record


def _graph_json(graph: Graph, meta: dict[str, Any]) -> Iterator[bytes]:
    head = {"format": FORMAT_NAME, "version": FORMAT_VERSION}
    yield _json(head)[:-1] + b',"nodes":['
    yield from _array(node_documents(graph))
    yield b'],"edges":['
    yield from _array(edge_documents(graph))
    yield b'],"meta":' + _json(meta) + b"}"


def _array(records: Iterator[dict[str, Any]]) -> Iterator[bytes]:
    """The elements of a JSON array of ``records``, comma-separated, in batches."""
    first = True
    while batch := list(islice(records, _BATCH)):
        text = _json(batch)[1:-1]
        yield text if first else b"," + text
        first = False


def _json(value: Any) -> bytes:
    # compress_json's text: compact, keys in order, non-ASCII as is; lone surrogates (from a
    # leniently parsed provider answer) become U+FFFD, in the values they are in.
    text = json.dumps(value, separators=(",", ":"), sort_keys=False, ensure_ascii=False)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        clean = sanitize(json.loads(text))
        return json.dumps(clean, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


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
    # A frame written as a stream does not record its size up front: decompressobj reads
    # those and the older ones written whole alike.
    raw = zstandard.ZstdDecompressor().decompressobj().decompress(path.read_bytes())
    text = raw.decode(json.detect_encoding(raw), "surrogatepass")
    del raw
    return json.loads(text)
