"""JSON every strict parser reads: no NaN or Infinity, whatever the estate held.

Python's ``json.dumps`` writes ``NaN``/``Infinity`` by default, which is not JSON: jq, browsers
and most SIEM loaders reject the whole document. Non-finite numbers become ``null`` (the value
is unknown, which is what a non-finite measurement means), and ``allow_nan=False`` makes any
that slipped past a bug rather than a broken file.
"""

from __future__ import annotations

import json
import math
from typing import Any


def finite(value: Any) -> Any:
    """A copy of ``value`` with every NaN/Infinity replaced by None (iterative: deep data)."""
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
                stack.append((v, new, k))
            elif isinstance(v, float) and not math.isfinite(v):
                new[k] = None
            else:
                new[k] = v
    return root[0]


def dumps(value: Any, **kwargs: Any) -> str:
    return json.dumps(finite(value), allow_nan=False, **kwargs)
