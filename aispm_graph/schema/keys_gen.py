"""Generate ``aispm_graph/schema/keys.py``, the names of properties and evidence keys.

python -m aispm_graph.schema.keys_gen

Run it after declaring a property or evidence key; ``tests/core/test_schema.py`` fails while
the module is stale.
"""

from __future__ import annotations

import sys
from pathlib import Path

from aispm_graph.graph.model import RESERVED_NODE_KEYS
from aispm_graph.schema import EDGE_KINDS, EVIDENCE_KEYS, NODE_KINDS

TARGET = Path(__file__).with_name("keys.py")

HEADER = '''"""Names of node properties and evidence keys: generated from the schema, do not edit.

Regenerate with ``python -m aispm_graph.schema.keys_gen`` after declaring a property
(``nodes.py``, ``properties.py``) or an evidence key (``evidence.py``).

Code names a key by symbol, ``data.get(P.PUBLIC_IP)`` and ``evidence[E.GRANT]``, rather than by
string: a typo is a mypy error and an ``AttributeError`` at the first call, and a search for the
symbol finds every reader of the key. Which kinds declare a property, and what it means, is in
``docs/schema.md``.
"""

# ruff: noqa: S105  (key names such as SECRET_ARN, not secrets)
from __future__ import annotations

from typing import Final
'''


def _symbol(name: str) -> str:
    return name.upper().replace("-", "_")


def render() -> str:
    props: dict[str, list[str]] = {}
    for kind in NODE_KINDS:
        for prop in kind.props:
            props.setdefault(prop.name, []).append(kind.name)
    for reserved in RESERVED_NODE_KEYS:
        props.setdefault(reserved, [])
    evidence: dict[str, list[str]] = {name: [] for name in EVIDENCE_KEYS}
    for edge in EDGE_KINDS:
        for key in edge.evidence_keys:
            evidence.setdefault(key, []).append(edge.name)
    out = [
        HEADER,
        "",
        "class P:",
        '    """Node property names (and the reserved id, kind, name, provider)."""',
        "",
    ]
    for name in sorted(props):
        out.append(f'    {_symbol(name)}: Final = "{name}"')
    out += ["", "", "class E:", '    """Evidence key names."""', ""]
    for name in sorted(evidence):
        out.append(f'    {_symbol(name)}: Final = "{name}"')
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    target = Path(args[0]) if args else TARGET
    target.write_text(render(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
