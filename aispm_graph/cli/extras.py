"""Commands that need an optional extra say which one, instead of failing on an import.

The base install runs the demo, imports and analysis; the cloud SDKs and database clients are
extras (``pip install 'aispm-graph[aws]'``). A command reaching for a missing one must stop
with that instruction (exit 2), never with an internal error.
"""

from __future__ import annotations

import importlib.util

from aispm_graph.cli.errors import UserError


def require(module: str, extra: str, what: str) -> None:
    """Stop with how to install ``extra`` when ``module`` cannot be imported."""
    try:
        found = importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # a parent package (``google``) is missing
        found = False
    if not found:
        raise UserError(f"{what} is not installed: pip install 'aispm-graph[{extra}]'")
