"""The nodes of several kinds, read in one walk over the graph.

``Graph.nodes(kind)`` walks every node of the estate to find one kind. A deriver that reads ten
kinds walked a 100k-node graph ten times (about 20 ms a walk at 100k, a tenth of the IAM and
escalation passes). :class:`KindIndex` walks once and keeps each kind's nodes in the graph's
own order, so results and iteration order are those of ``Graph.nodes(kind)``.

It is a snapshot: nodes added after it was taken are not in it, so a deriver takes it where
it would have walked, and only for kinds it does not add itself. Node data are the graph's own
dicts, so property changes are seen.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from aispm_graph.graph.model import Graph, NodeData


class KindIndex:
    """``kinds``: read with ``index(kind)``; ``ordered``: nodes of these kinds together, in
    graph order (for a pass that handles several kinds in one loop)."""

    def __init__(
        self,
        graph: Graph,
        kinds: Iterable[str],
        ordered: Iterable[str] = (),
        visit: Callable[[str, NodeData], None] | None = None,
    ) -> None:
        """``visit``: called with every node of the graph on the same walk."""
        self.of: dict[str, list[tuple[str, NodeData]]] = {kind: [] for kind in kinds}
        self.ordered: list[tuple[str, NodeData]] = []
        together = frozenset(ordered)
        of = self.of
        for node_id, data in graph.nodes():
            kind = data["kind"]
            bucket = of.get(kind)
            if bucket is not None:
                bucket.append((node_id, data))
            if kind in together:
                self.ordered.append((node_id, data))
            if visit is not None:
                visit(node_id, data)

    def __call__(self, kind: str) -> list[tuple[str, NodeData]]:
        """The nodes of ``kind`` (a KeyError for a kind the index was not asked to read)."""
        return self.of[kind]
