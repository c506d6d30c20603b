"""The Neo4j Browser style (``queries/aispm.grass``), generated from the schema.

Colour says what a node *is* across clouds (its ontology label: AI model, identity, data
store, ...), so an Azure deployment and a Bedrock model look alike; the caption is the
resource name. Attack-step relationships are drawn thick and red, structure thin and grey, so
a path stands out from the estate around it. Regenerate with
``python -m aispm_graph.cypher.style`` after changing the schema (a test fails until you do).
"""

from __future__ import annotations

import sys
from pathlib import Path

from aispm_graph.cypher.names import NODE_LABEL
from aispm_graph.schema import Label, edge_kinds, node_kinds

# One colour per ontology label; hues grouped by theme (AI warm, identity purple, data
# green, network blue, supply chain brown) so a screen of nodes reads at a glance.
LABEL_COLOURS: dict[Label, str] = {
    Label.INTERNET: "#E03131",
    Label.TENANT: "#495057",
    Label.IDENTITY: "#7048E8",
    Label.CREDENTIAL: "#AE3EC9",
    Label.COMPUTE: "#1C7ED6",
    Label.NETWORK: "#74C0FC",
    Label.FIREWALL: "#4DABF7",
    Label.FIREWALL_RULE: "#A5D8FF",
    Label.AI_SERVICE: "#F76707",
    Label.AI_MODEL: "#FD7E14",
    Label.AI_DEPLOYMENT: "#FFA94D",
    Label.AI_ENDPOINT: "#FF922B",
    Label.AI_AGENT: "#E8590C",
    Label.AI_TOOL: "#D9480F",
    Label.TOOL_SERVER: "#C92A2A",
    Label.AGENT_GATEWAY: "#F59F00",
    Label.AGENT_MEMORY: "#E67700",
    Label.AGENT_IDENTITY: "#5F3DC4",
    Label.CODE_INTERPRETER: "#1971C2",
    Label.KNOWLEDGE_BASE: "#FAB005",
    Label.GUARDRAIL: "#94D82D",
    Label.TRAINING_JOB: "#FFD43B",
    Label.DATASET: "#69DB7C",
    Label.AI_WORKSPACE: "#FFC078",
    Label.NOTEBOOK: "#339AF0",
    Label.DATA_STORE: "#2F9E44",
    Label.VECTOR_STORE: "#40C057",
    Label.SECRET: "#C2255C",
    Label.IMAGE: "#8D6E63",
    Label.PACKAGE: "#A1887F",
    Label.VULNERABILITY: "#F03E3E",
    Label.POLICY: "#9775FA",
}
NEUTRAL = "#A5ABB6"
DARK_TEXT_ON = {"#FFD43B", "#FAB005", "#A5D8FF", "#74C0FC", "#94D82D", "#69DB7C", "#FFC078"}
ATTACK_COLOUR = "#E03131"
STRUCTURE_COLOUR = "#ADB5BD"


def _border(colour: str) -> str:
    """A slightly darker shade of the fill for the node border."""
    rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{max(0, int(c * 0.8)):02X}" for c in rgb)


def _node_rule(selector: str, colour: str, diameter: int) -> str:
    text = "#000000" if colour in DARK_TEXT_ON else "#FFFFFF"
    return (
        f"node.{selector} {{\n"
        f"  color: {colour};\n"
        f"  border-color: {_border(colour)};\n"
        f"  text-color-internal: {text};\n"
        f"  diameter: {diameter}px;\n"
        '  caption: "{name}";\n'
        "}\n"
    )


def render_grass() -> str:
    """The style sheet text; the same schema always gives the same bytes."""
    parts = [
        "/* Neo4j Browser style for aispm-graph. Generated from the schema by\n"
        "   `python -m aispm_graph.cypher.style`; do not edit by hand. */\n",
        "node {\n  diameter: 50px;\n  color: #A5ABB6;\n  border-color: #9AA1AC;\n"
        "  border-width: 2px;\n  text-color-internal: #FFFFFF;\n  font-size: 10px;\n"
        '  caption: "{name}";\n}\n',
        "relationship {\n  color: #ADB5BD;\n  shaft-width: 1px;\n  font-size: 8px;\n"
        "  padding: 3px;\n  text-color-external: #000000;\n  text-color-internal: #FFFFFF;\n"
        '  caption: "<type>";\n}\n',
        _node_rule(NODE_LABEL, NEUTRAL, 50),
    ]
    # Ontology labels first, then kinds: a kind's rule repeats the colour of its first
    # ontology label so the style holds whichever label Browser picks to render.
    for lab in Label:
        diameter = 65 if lab in (Label.INTERNET, Label.AI_MODEL, Label.AI_AGENT) else 55
        parts.append(_node_rule(str(lab), LABEL_COLOURS[lab], diameter))
    for kind in sorted(node_kinds().values(), key=lambda k: k.name):
        if kind.name in {str(lab) for lab in Label}:
            continue
        colour = LABEL_COLOURS[kind.labels[0]] if kind.labels else NEUTRAL
        diameter = 65 if kind.target is not None else 55
        parts.append(_node_rule(kind.name, colour, diameter))
    for name, spec in sorted(edge_kinds().items()):
        colour = ATTACK_COLOUR if spec.attack_step else STRUCTURE_COLOUR
        width = "3px" if spec.attack_step else "1px"
        parts.append(
            f"relationship.{name} {{\n  color: {colour};\n  shaft-width: {width};\n"
            '  caption: "<type>";\n}\n'
        )
    return "\n".join(parts)


def grass_path() -> Path:
    from aispm_graph.cypher.queries import queries_dir

    return queries_dir() / "aispm.grass"


def main(argv: list[str] | None = None) -> int:
    """Write the style next to the queries (or to the path given)."""
    args = sys.argv[1:] if argv is None else argv
    target = Path(args[0]) if args else grass_path()
    target.write_text(render_grass(), encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
