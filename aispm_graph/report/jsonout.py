"""JSON every strict parser reads: no NaN or Infinity, whatever the estate held.

Python's ``json.dumps`` writes ``NaN``/``Infinity`` by default, which is not JSON: jq, browsers
and most SIEM loaders reject the whole document. Non-finite numbers become ``null`` (the value
is unknown, which is what a non-finite measurement means), and ``allow_nan=False`` makes any
that slipped past a bug rather than a broken file.

Indented output (SARIF, OCSF, ``--format json``) is written by :func:`_indented`, which gives
exactly the text of ``json.dumps(finite(value), indent=...)``: the standard library encodes
indented JSON in Python, one generator per nesting level that every piece of text passes up
through, and that was three to five times the path search on large reports. Here each piece is
appended once to one list, and non-finite numbers become ``null`` as they are written, with no
copy of the data first.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from json.encoder import encode_basestring, encode_basestring_ascii
from typing import Any

_INDENTED_OPTIONS = frozenset({"indent", "ensure_ascii", "sort_keys", "default"})


def finite(value: Any) -> Any:
    """A copy of ``value`` with every NaN/Infinity replaced by None (iterative: deep data), in
    the same order (it used to move keys holding containers after the others)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if not isinstance(value, dict | list | tuple):
        return value
    root: list[Any] = [None]
    stack: list[tuple[Any, Any, Any]] = [(value, root, 0)]
    while stack:
        src, parent, key = stack.pop()
        if isinstance(src, dict):
            new: Any = {}
            items: Any = src.items()
        elif isinstance(src, list | tuple):
            new = [None] * len(src)
            items = enumerate(src)
        else:
            parent[key] = src if not isinstance(src, float) or math.isfinite(src) else None
            continue
        parent[key] = new
        for k, v in items:
            if isinstance(v, dict | list | tuple):
                new[k] = None  # holds the key's place: the copy keeps the order of keys
                stack.append((v, new, k))
            elif isinstance(v, float) and not math.isfinite(v):
                new[k] = None
            else:
                new[k] = v
    return root[0]


def dumps(value: Any, **kwargs: Any) -> str:
    indent = kwargs.get("indent")
    if indent is not None and set(kwargs) <= _INDENTED_OPTIONS:
        return _indented(
            value,
            " " * indent if isinstance(indent, int) else str(indent),
            ensure_ascii=kwargs.get("ensure_ascii", True),
            sort_keys=kwargs.get("sort_keys", False),
            default=kwargs.get("default"),
        )
    return json.dumps(finite(value), allow_nan=False, **kwargs)


def _key_text(key: Any) -> str | None:
    """A dict key as ``json.dumps`` writes it (before quoting), as it checks it."""
    if isinstance(key, str):
        return key
    if isinstance(key, float):
        if not math.isfinite(key):
            raise ValueError("Out of range float values are not JSON compliant: " + repr(key))
        return float.__repr__(key)
    if key is True:
        return "true"
    if key is False:
        return "false"
    if key is None:
        return "null"
    if isinstance(key, int):
        return int.__repr__(key)
    raise TypeError(f"keys must be str, int, float, bool or None, not {key.__class__.__name__}")


def _indented(
    value: Any,
    indent: str,
    *,
    ensure_ascii: bool,
    sort_keys: bool,
    default: Callable[[Any], Any] | None,
) -> str:
    """``json.dumps(finite(value), indent=indent, ...)``, text for text."""
    quote = encode_basestring_ascii if ensure_ascii else encode_basestring
    out: list[str] = []
    append = out.append
    labels: dict[str, str] = {}  # a key as written before its value (keys repeat a lot)

    # Each container is written with the newline of its own level (``nl``); its items go on
    # ``nl + indent``.
    def one(v: Any, nl: str) -> None:
        if isinstance(v, str):
            append(quote(v))
        elif v is None:
            append("null")
        elif v is True:
            append("true")
        elif v is False:
            append("false")
        elif isinstance(v, int):
            append(int.__repr__(v))
        elif isinstance(v, float):
            append(float.__repr__(v) if math.isfinite(v) else "null")
        elif isinstance(v, dict):
            mapping(v, nl)
        elif isinstance(v, list | tuple):
            sequence(v, nl)
        elif default is not None:
            one(default(v), nl)
        else:
            raise TypeError(f"Object of type {v.__class__.__name__} is not JSON serializable")

    def sequence(seq: list[Any] | tuple[Any, ...], nl: str) -> None:
        if not seq:
            append("[]")
            return
        inner = nl + indent
        sep = "," + inner
        append("[" + inner)
        first = True
        for v in seq:
            if first:
                first = False
            else:
                append(sep)
            if isinstance(v, str):
                append(quote(v))
            elif isinstance(v, dict):
                mapping(v, inner)
            else:
                one(v, inner)
        append(nl + "]")

    def mapping(dct: dict[Any, Any], nl: str) -> None:
        if not dct:
            append("{}")
            return
        inner = nl + indent
        sep = "," + inner
        append("{" + inner)
        first = True
        items = sorted(dct.items()) if sort_keys else dct.items()
        for k, v in items:
            label = labels.get(k) if isinstance(k, str) else None
            if label is None:
                key = k if isinstance(k, str) else _key_text(k)
                if key is None:
                    continue
                label = quote(key) + ": "
                if isinstance(k, str):
                    labels[k] = label
            if first:
                first = False
            else:
                append(sep)
            if isinstance(v, str):
                append(label + quote(v))
                continue
            append(label)
            if isinstance(v, dict):
                mapping(v, inner)
            elif isinstance(v, list):
                sequence(v, inner)
            else:
                one(v, inner)
        append(nl + "}")

    one(value, "\n")
    return "".join(out)
