"""``import graph`` and ``export json|graphml``: the open graph file format in and out."""

from __future__ import annotations

import hashlib
import json
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
from aispm_graph.store import load_graph
from aispm_graph.workspace import Document


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
    known_ids: set[str] = set()
    try:
        snap = app.workspace.latest_built()
        graph, _ = load_graph(snap.graph_path)
        known_ids = set(graph.g.nodes)
    except Exception:
        known_ids = set()
    docs = []
    for path in files:
        body = read_json_file(path)
        validate_graph_document(body, str(path), known=known_ids.__contains__)
        digest = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:10]
        docs.append((f"{path.name}-{digest}", path, Document("graph", path.name, path.name, body)))
    snap = app.workspace.open_for_write()
    for scope, path, doc in docs:
        snap.put_source("graph", scope, [doc], {"input": str(path)})
    app.info(f"imported {len(docs)} graph file(s) into snapshot {snap.id}; run 'aispm build'")


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
    text = json.dumps(doc, indent=1, ensure_ascii=False) + "\n"
    if str(file) == "-":
        app.console.file.write(text)
    else:
        write_output_text(file, text)
        app.info(f"wrote {file}: {len(doc['nodes'])} nodes, {len(doc['edges'])} edges")


def _graphml_value(value: Any) -> Any:
    if isinstance(value, bool | int | float | str):
        return value
    return json.dumps(value, sort_keys=True)


@export.command("graphml")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--snapshot", "snapshot_id", default=None)
@pass_app
def export_graphml(app: App, file: Path, snapshot_id: str | None) -> None:
    """Write the built graph as GraphML (nested values as JSON strings), e.g. for Gephi."""
    graph = _load(app, snapshot_id)
    out: nx.MultiDiGraph = nx.MultiDiGraph()
    for node_id, data in graph.g.nodes(data=True):
        out.add_node(node_id, **{k: _graphml_value(v) for k, v in data.items() if v is not None})
    for s, t, key, data in graph.g.edges(keys=True, data=True):
        out.add_edge(s, t, key=key, **{k: _graphml_value(v) for k, v in data.items()})
    lines = nx.generate_graphml(out)
    write_output_bytes(file, ("\n".join(lines) + "\n").encode("utf-8"))
    app.info(f"wrote {file}")


__all__ = ["UserError"]
