"""``import graph`` and ``export json|graphml``: the open graph file format in and out."""

from __future__ import annotations

import hashlib
import math
import re
from pathlib import Path
from typing import Any

import click
import networkx as nx

from aispm_graph.atomic import write_output_bytes, write_output_text
from aispm_graph.cli.errors import UserError
from aispm_graph.cli.groups import App, export, import_, pass_app
from aispm_graph.cli.loading import load_built
from aispm_graph.graph.fileformat import (
    graph_to_document,
    read_json_file,
    validate_graph_document,
)
from aispm_graph.report.jsonout import dumps
from aispm_graph.store import load_graph
from aispm_graph.workspace import Document, WorkspaceError


@import_.command("graph")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@pass_app
def import_graph(app: App, files: tuple[Path, ...]) -> None:
    """Add nodes and edges from aispm-graph JSON files (what no collector sees).

    Every file is validated before anything is written: one bad file changes nothing.
    Edges may point at nodes of the latest built graph (e.g. a collected identity).
    """
    scopes = {path: _scope(path) for path in files}
    kinds = _known_kinds(app, set(scopes.values()))
    docs = []
    for path in files:
        body = read_json_file(path)
        nodes, _edges = validate_graph_document(
            body, str(path), known=kinds.__contains__, known_kinds=kinds
        )
        kinds.update((n[0], n[1]) for n in nodes)
        docs.append((scopes[path], path, Document("graph", path.name, path.name, body)))
    snap = app.workspace.open_for_write().put_sources(
        [("graph", scope, [doc], {"input": str(path)}) for scope, path, doc in docs]
    )
    app.info(f"imported {len(docs)} graph file(s) into snapshot {snap.id}; run 'aispm build'")


def _scope(path: Path) -> str:
    digest = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:10]
    return f"{path.name}-{digest}"


def _known_kinds(app: App, replacing: set[str]) -> dict[str, str]:
    """Kinds of the ids the estate already has: the latest built graph, then graph files
    imported into the current snapshot since (a re-import of the same file replaces itself,
    so its own records are not held against it: only conflicts with others count), then what
    the transforms make of provider data stored since the last build (otherwise a conflict
    with it would pass here and only be skipped, with a warning, at build)."""
    kinds: dict[str, str] = {}
    built_entries: set[tuple[str, str, str]] = set()
    try:
        built = app.workspace.latest_built()
        graph, _ = load_graph(built.graph_path)
        kinds.update((n, d["kind"]) for n, d in graph.nodes())
        built_entries = {_entry_key(e) for e in built.sources()}
    except WorkspaceError:
        pass
    current = app.workspace.current()
    if current is not None and not current.sealed:
        unbuilt: list[Document] = []
        for entry in current.sources():
            if entry.get("source") != "graph":
                if _entry_key(entry) not in built_entries:
                    unbuilt.extend(current.entry_documents(entry))
                continue
            if entry.get("scope") in replacing:
                continue
            for doc in current.entry_documents(entry):
                for rec in doc.body.get("nodes", []) if isinstance(doc.body, dict) else []:
                    if isinstance(rec, dict) and isinstance(rec.get("id"), str):
                        kinds.setdefault(rec["id"], str(rec.get("kind")))
        if unbuilt:
            from aispm_graph.build import transformed_kinds

            for node_id, kind in transformed_kinds(unbuilt).items():
                kinds.setdefault(node_id, kind)
    return kinds


def _entry_key(entry: dict[str, Any]) -> tuple[str, str, str]:
    return (str(entry.get("source")), str(entry.get("scope")), str(entry.get("taken_at")))


def _load(app: App, snapshot_id: str | None) -> Any:
    graph, _meta, _snap = load_built(app, snapshot_id)
    return graph


@export.command("json")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--snapshot", "snapshot_id", default=None)
@pass_app
def export_json(app: App, file: Path, snapshot_id: str | None) -> None:
    """Write the built graph as an aispm-graph JSON file ('-' for stdout)."""
    doc = graph_to_document(_load(app, snapshot_id))
    text = dumps(doc, indent=1, ensure_ascii=False) + "\n"
    if str(file) == "-":
        app.console.file.write(text)
    else:
        write_output_text(file, text)
        app.info(f"wrote {file}: {len(doc['nodes'])} nodes, {len(doc['edges'])} edges")


# XML 1.0 forbids most C0 controls, lone surrogates and U+FFFE/U+FFFF even as character
# references; a resource name holding one would make the whole GraphML file ill-formed.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_text(text: str) -> str:
    return _XML_ILLEGAL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _graphml_value(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # GraphML's double has no NaN/INF spelling every reader accepts
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 2**63:
        return str(value)  # beyond GraphML's long
    if isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return _xml_text(value)
    return _xml_text(dumps(value, sort_keys=True))


@export.command("graphml")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--snapshot", "snapshot_id", default=None)
@pass_app
def export_graphml(app: App, file: Path, snapshot_id: str | None) -> None:
    """Write the built graph as GraphML (nested values as JSON strings), e.g. for Gephi."""
    graph = _load(app, snapshot_id)
    out: nx.MultiDiGraph = nx.MultiDiGraph()
    for node_id, data in graph.nodes():
        out.add_node(
            _xml_text(node_id),
            **{_xml_text(k): _graphml_value(v) for k, v in data.items() if v is not None},
        )
    for s, t, data in graph.edges():
        out.add_edge(
            _xml_text(s),
            _xml_text(t),
            key=_xml_text(str(data["kind"])),
            **{_xml_text(k): _graphml_value(v) for k, v in data.items()},
        )
    lines = nx.generate_graphml(out)
    write_output_bytes(file, ("\n".join(lines) + "\n").encode("utf-8"))
    app.info(f"wrote {file}")


__all__ = ["UserError"]
