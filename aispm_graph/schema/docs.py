"""Generate ``docs/schema.md`` from the schema, so the documentation cannot go stale.

python -m aispm_graph.schema.docs docs/schema.md
"""

from __future__ import annotations

import sys
from collections import defaultdict

from aispm_graph.generated import generate
from aispm_graph.schema import (
    EDGE_KINDS,
    EVIDENCE_KEYS,
    NODE_KINDS,
    SCHEMA_VERSION,
    Label,
    Provider,
)


def render() -> str:
    out = [
        "# Graph schema",
        "",
        f"Generated from `aispm_graph/schema/` (schema version {SCHEMA_VERSION}); do not edit by "
        "hand: run `python -m aispm_graph.schema.docs docs/schema.md`.",
        "",
        "Every node has `id`, `kind`, `name`, `provider` and the ontology labels of its kind. "
        "Every edge has `kind`, `evidence` and `confidence`. Attack-step edges are what the path "
        "engine walks; the others are structure.",
        "",
        "Every property a built graph holds is declared below with its kind; *as read* marks "
        "a value copied as the provider returned it (read it with the provider's documentation "
        "at hand), the others are normalised or decided by the transforms and derivers. Code "
        "names properties and evidence keys by symbol from `aispm_graph/schema/keys.py`, "
        "generated from the same declarations.",
        "",
        "## Ontology labels",
        "",
        "| label | node kinds |",
        "| --- | --- |",
    ]
    by_label: dict[str, list[str]] = defaultdict(list)
    for k in NODE_KINDS:
        for label in k.labels:
            by_label[label.value].append(k.name)
    for label in Label:
        kinds = ", ".join(f"`{n}`" for n in sorted(by_label.get(label.value, []))) or "-"
        out.append(f"| `{label.value}` | {kinds} |")
    out += ["", "## Edge kinds", "", "| kind | attack step | fix breaks path | description |"]
    out.append("| --- | --- | --- | --- |")
    for e in EDGE_KINDS:
        step = "yes" if e.attack_step else ""
        brk = ("yes" if e.breaks_path else "lowers risk") if e.attack_step else ""
        out.append(f"| `{e.name}` | {step} | {brk} | {e.doc} |")
    out += ["", "### Remediation templates", ""]
    for e in EDGE_KINDS:
        if e.attack_step and e.remediation:
            out.append(f"- `{e.name}` ({e.effort} effort): {e.remediation}")
    out += [
        "",
        "### Endpoints and evidence per edge kind",
        "",
        "Endpoint labels an edge kind allows (any when blank) and the evidence keys it may "
        "carry; tests refuse any other (strict graphs, `python -m aispm_graph.schema.audit`).",
        "",
        "| kind | source labels | target labels | evidence keys |",
        "| --- | --- | --- | --- |",
    ]
    for e in EDGE_KINDS:
        src = ", ".join(f"`{label.value}`" for label in e.source_labels)
        dst = ", ".join(f"`{label.value}`" for label in e.target_labels)
        keys = ", ".join(f"`{k}`" for k in e.evidence_keys)
        out.append(f"| `{e.name}` | {src} | {dst} | {keys} |")
    out += [
        "",
        "### Evidence keys",
        "",
        "What each evidence key says; one meaning on every edge kind that carries it.",
        "",
        "| key | type | description |",
        "| --- | --- | --- |",
    ]
    for key in sorted(EVIDENCE_KEYS.values(), key=lambda k: k.name):
        out.append(f"| `{key.name}` | {key.type.value} | {key.doc} |")
    out += ["", "## Node kinds"]
    for provider in Provider:
        provider_kinds = [k for k in NODE_KINDS if k.provider == provider]
        out += ["", f"### {provider.value}", ""]
        for k in provider_kinds:
            labels = ", ".join(f"`{label.value}`" for label in k.labels) or "-"
            tgt = f"; target: `{k.target.value}`" if k.target else ""
            carto = " (Cartography label)" if k.cartography else ""
            out += [
                f"#### `{k.name}`{carto}",
                "",
                f"{k.doc}",
                "",
                f"Labels: {labels}; category `{k.category}`; service `{k.service or '-'}`{tgt}.",
                "",
            ]
            if k.props:
                out += [
                    "| property | type | from provider | description |",
                    "| --- | --- | --- | --- |",
                ]
                for prop in k.props:
                    idx = " (indexed)" if prop.indexed else ""
                    raw = "as read" if prop.passthrough else ""
                    out.append(f"| `{prop.name}` | {prop.type.value} | {raw} | {prop.doc}{idx} |")
                out.append("")
    return "\n".join(out).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    return generate(render, argv)


if __name__ == "__main__":
    sys.exit(main())
