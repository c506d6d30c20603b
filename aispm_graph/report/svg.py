"""Inline SVG diagrams of attack paths, drawn in Python so reports need no JavaScript library.

One shape per node category (internet: circle, identity: pill, compute: box, data: cylinder, AI:
hexagon, secret: diamond, tenant: double box), the edge kind on every arrow, dashed arrows for
hops whose confidence is not ``confirmed``, and the highlighted hop in red.
"""

from __future__ import annotations

from html import escape

from aispm_graph.analysis.models import AttackPath, PathNode
from aispm_graph.schema import INTERNET_ID, node_kinds

NODE_W, NODE_H, GAP, PAD = 150, 56, 104, 12
COLORS = {
    "internet": "#fde2e1",
    "identity": "#e6eefc",
    "compute": "#eef5e6",
    "data": "#fff4d6",
    "ai": "#efe4fb",
    "secret": "#fbe4f0",
    "tenant": "#e0f2f1",
    "other": "#f1f1f1",
}


def node_shape(node: PathNode) -> str:
    """The shape family of a node, from its schema category and labels."""
    if node.id == INTERNET_ID:
        return "internet"
    spec = node_kinds().get(node.kind)
    if spec is None:
        return "other"
    labels = {str(label) for label in spec.labels}
    if "Secret" in labels or "Credential" in labels:
        return "secret"
    if spec.category in COLORS:
        return spec.category
    if labels & {"DataStore", "VectorStore", "Dataset"}:
        return "data"
    return "other"


def _clip(text: str, n: int = 22) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _shape(kind: str, x: float, y: float) -> str:
    w, h = NODE_W, NODE_H
    fill = COLORS[kind]
    common = f'fill="{fill}" stroke="#555" stroke-width="1.2"'
    cx, cy = x + w / 2, y + h / 2
    if kind == "internet":
        return f'<ellipse cx="{cx}" cy="{cy}" rx="{w / 2}" ry="{h / 2}" {common}/>'
    if kind == "identity":
        return f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="{h / 2}" {common}/>'
    if kind == "data":
        e = 8
        return (
            f'<path d="M{x},{y + e} v{h - 2 * e} a{w / 2},{e} 0 0,0 {w},0 v{-(h - 2 * e)} '
            f'a{w / 2},{e} 0 0,0 {-w},0 a{w / 2},{e} 0 0,0 {w},0" {common}/>'
        )
    if kind == "ai":
        d = 14
        pts = [
            (x + d, y),
            (x + w - d, y),
            (x + w, cy),
            (x + w - d, y + h),
            (x + d, y + h),
            (x, cy),
        ]
        return f'<polygon points="{" ".join(f"{a},{b}" for a, b in pts)}" {common}/>'
    if kind == "secret":
        pts = [(cx, y - 4), (x + w, cy), (cx, y + h + 4), (x, cy)]
        return f'<polygon points="{" ".join(f"{a},{b}" for a, b in pts)}" {common}/>'
    if kind == "tenant":
        return (
            f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="3" {common}/>'
            f'<rect x="{x + 4}" y="{y + 4}" width="{w - 8}" height="{h - 8}" rx="2" '
            f'fill="none" stroke="#555" stroke-width="0.8"/>'
        )
    return f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="4" {common}/>'


def _markers(mid: str) -> str:
    def one(suffix: str, fill: str) -> str:
        return (
            f'<marker id="{mid}{suffix}" viewBox="0 0 10 10" refX="9" refY="5" '
            'markerUnits="userSpaceOnUse" markerWidth="10" markerHeight="10" '
            f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{fill}"/></marker>'
        )

    return f"<defs>{one('', '#555')}{one('-hot', '#c62828')}</defs>"


def path_svg(path: AttackPath, highlight: int | None = None) -> str:
    """An ``<svg>`` element showing ``path`` left to right; ``highlight`` is a hop index."""
    n = len(path.nodes)
    top = 30
    mid = "m-" + "".join(c for c in path.id if c.isalnum())  # marker ids unique per diagram
    width = PAD * 2 + n * NODE_W + (n - 1) * GAP
    height = top + NODE_H + 34
    out = [
        f'<svg class="path-diagram" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'data-path-id="{escape(path.id)}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" font-family="sans-serif" font-size="11">',
        f"<title>{escape(path.title)}</title>",
        _markers(mid),
    ]
    for i, e in enumerate(path.edges):
        x1 = PAD + i * (NODE_W + GAP) + NODE_W
        x2 = x1 + GAP
        y = top + NODE_H / 2
        hot = i == highlight
        stroke = "#c62828" if hot else "#555"
        dash = "" if e.confidence == "confirmed" else ' stroke-dasharray="5,3"'
        cls = "hop risky-hop" if hot else "hop"
        out.append(
            f'<g class="{cls}" data-hop="{i}"><title>hop {i + 1}: {escape(e.kind)} '
            f"({escape(e.confidence)})</title>"
            f'<line x1="{x1 + 2}" y1="{y}" x2="{x2 - 2}" y2="{y}" stroke="{stroke}" '
            f'stroke-width="{3 if hot else 1.5}"{dash} '
            f'marker-end="url(#{mid}{"-hot" if hot else ""})"/>'
            f'<text x="{(x1 + x2) / 2}" y="{y - 8}" text-anchor="middle" font-size="9" '
            f'fill="{stroke}">{escape(_clip(e.kind, 20))}</text></g>'
        )
    for i, node in enumerate(path.nodes):
        x = PAD + i * (NODE_W + GAP)
        shape = node_shape(node)
        out.append(
            f'<g class="node node-{shape}" data-node-id="{escape(node.id)}">'
            f"<title>{escape(node.kind)}: {escape(node.id)}</title>"
            f"{_shape(shape, x, top)}"
            f'<text x="{x + NODE_W / 2}" y="{top + NODE_H / 2 - 3}" text-anchor="middle" '
            f'font-weight="bold">{escape(_clip(node.name))}</text>'
            f'<text x="{x + NODE_W / 2}" y="{top + NODE_H / 2 + 12}" text-anchor="middle" '
            f'fill="#444" font-size="9">{escape(_clip(node.kind, 26))}</text></g>'
        )
    out.append(
        f'<text x="{PAD}" y="{height - 6}" font-size="9" fill="#666">'
        f"{len(path.edges)} hop(s); red: where one fix breaks the most paths; dashed: "
        f"conditional or inferred</text></svg>"
    )
    return "".join(out)
