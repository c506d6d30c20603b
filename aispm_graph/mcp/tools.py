"""Saved ``tools/list`` answers: the tools a server offers, as a client saw them.

Accepted shapes: the JSON-RPC response (``{"jsonrpc": "2.0", "result": {"tools": [...]}}``),
its ``result`` object (``{"tools": [...]}``) or the bare list. Each tool keeps its name, a hash
of its description (to notice a later change), the poisoning patterns found in it, and the
MCP annotations that say whether it acts (``readOnlyHint``, default false) and reaches outside
(``openWorldHint``, default true).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from aispm_graph.mcp.jsonc import InputError
from aispm_graph.mcp.poisoning import scan_tool

MAX_TOOLS = 2000
MAX_DESCRIPTION = 64 * 1024


def tool_list(doc: Any, where: str) -> list[dict[str, Any]]:
    if isinstance(doc, dict) and "result" in doc:
        doc = doc["result"]
        where = f"{where}: result"
    if isinstance(doc, dict) and "error" in doc and "tools" not in doc:
        raise InputError(f"{where}: a JSON-RPC error answer, not a tools/list result")
    if isinstance(doc, dict):
        doc = doc.get("tools")
        where = f"{where}: tools"
    if not isinstance(doc, list):
        raise InputError(f"{where}: expected a list of tools")
    if len(doc) > MAX_TOOLS:
        raise InputError(f"{where}: more than {MAX_TOOLS} tools")
    return doc


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def parse_tools(
    doc: Any, where: str, other_names: set[str]
) -> tuple[list[dict[str, Any]], list[str]]:
    """(tools, warnings); ``other_names`` are the other servers' names and tools, for
    shadowing checks."""
    out: list[dict[str, Any]] = []
    warnings: list[str] = []
    seen: set[str] = set()
    for i, raw in enumerate(tool_list(doc, where)):
        at = f"{where}[{i}]"
        if not isinstance(raw, dict) or not isinstance(raw.get("name"), str) or not raw["name"]:
            warnings.append(f"{at}: field 'name': missing or not a string; tool skipped")
            continue
        name = "".join(c if c.isprintable() else "?" for c in raw["name"][:200])
        if name in seen:
            warnings.append(f"{at}: tool {name!r} listed twice; the second is skipped")
            continue
        seen.add(name)
        desc = raw.get("description") or ""
        if not isinstance(desc, str):
            warnings.append(f"{at}.description: not a string; treated as empty")
            desc = ""
        schema = raw.get("inputSchema")
        schema_text = json.dumps(schema, sort_keys=True)[:MAX_DESCRIPTION] if schema else ""
        ann_raw = raw.get("annotations")
        ann: dict[str, Any] = ann_raw if isinstance(ann_raw, dict) else {}
        read_only = ann.get("readOnlyHint") is True
        open_world = ann.get("openWorldHint") is not False
        out.append(
            {
                "name": name,
                "description_hash": digest(desc + "\x1f" + schema_text),
                "poisoning": scan_tool(desc[:MAX_DESCRIPTION], schema, other_names - {name}),
                "oversized": len(desc) > MAX_DESCRIPTION,
                "acting": not read_only,
                "sends_out": open_world and not read_only,
                "destructive": ann.get("destructiveHint") is not False and not read_only,
            }
        )
    return out, warnings
