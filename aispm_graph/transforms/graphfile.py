"""The ``graph`` source: graph files imported with ``aispm import graph``."""

from __future__ import annotations

from aispm_graph.build import BuildContext, transform
from aispm_graph.graph.fileformat import GraphFileError, parse_graph_document
from aispm_graph.graph.model import Graph
from aispm_graph.workspace import Document


@transform("graph")
def transform_graph_files(docs: list[Document], graph: Graph, ctx: BuildContext) -> None:
    for doc in docs:
        try:
            parse_graph_document(doc.body, f"{doc.scope}:{doc.key}", into=graph, trusted=True)
        except GraphFileError as exc:
            # Validated on import; a failure here means the snapshot was edited by hand.
            ctx.warn(f"skipped graph document: {exc}")
