"""Reference fields as node ids.

A record field that names another resource (``roleArn``, ``modelArn``, ``kmsKeyName``) is an
edge endpoint only when it holds text: a malformed answer (a number, a list, ``true``) names
nothing, so it gives no edge rather than an edge to a nonsense id.
"""

from __future__ import annotations

from typing import Any


def ref(value: Any) -> str:
    """``value`` when it is a non-empty string, else ''."""
    return value if isinstance(value, str) else ""
