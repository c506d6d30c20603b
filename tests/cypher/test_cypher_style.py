"""The Neo4j Browser style is generated from the schema and committed up to date."""

from __future__ import annotations

import re

from aispm_graph.cypher.style import LABEL_COLOURS, grass_path, render_grass
from aispm_graph.schema import Label, edge_kinds, node_kinds


def test_committed_grass_is_current() -> None:
    assert grass_path().read_text(encoding="utf-8") == render_grass(), (
        "queries/aispm.grass is stale: run python -m aispm_graph.cypher.style"
    )


def test_every_label_kind_and_edge_has_a_rule() -> None:
    text = render_grass()
    assert set(LABEL_COLOURS) == set(Label)
    selectors = set(re.findall(r"^(node|relationship)\.(\w+) \{", text, re.M))
    for kind in node_kinds():
        assert ("node", kind) in selectors
    for lab in Label:
        assert ("node", str(lab)) in selectors
    for edge in edge_kinds():
        assert ("relationship", edge) in selectors
    attack = re.search(r"relationship\.CAN_INVOKE \{[^}]*\}", text)
    structure = re.search(r"relationship\.CONTAINS \{[^}]*\}", text)
    assert attack and "3px" in attack.group(0)
    assert structure and "1px" in structure.group(0)
    # Every rule is well formed: balanced braces, colour values as hex.
    assert text.count("{") - text.count('"{name}"') == text.count("}") - text.count('"{name}"')
    assert all(re.fullmatch(r"#[0-9A-F]{6}", c) for c in re.findall(r"color: (\S+);", text))
