"""Tool-poisoning patterns in MCP tool descriptions and input schemas.

A tool description goes into the model's context verbatim, so text in it is an instruction to
the agent. The published tool-poisoning attacks hide instructions there (tags such as
``<IMPORTANT>``, invisible characters, "do not tell the user"), ask the model to read local
files (SSH keys, ``mcp.json``) or to send data elsewhere (an extra "sidenote" parameter, a URL),
and "shadow" other servers' tools by telling the model how to use them. Each check returns a
pattern id and the matched phrase (shortened, control characters removed); these are leads for
a person, so the checks favour recall on phrasing that has no business in a tool description.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

HIDDEN = re.compile(
    r"<\s*(important|system|instructions?|secret|hidden|admin)\s*>|\[\s*inst\s*\]|<!--|"
    r"ignore\s+(all\s+)?(the\s+)?(previous|prior|above|earlier)\s+instructions|"
    r"(do\s+not|don't|never)\s+(tell|inform|mention|reveal|show|notify|alert)\b[^.]{0,40}\buser|"
    r"(the\s+)?user\s+(must|should|need)\s+not\s+(know|see|be\s+told)|"
    r"without\s+(telling|informing|asking)\s+the\s+user|this\s+is\s+very\s+important|"
    r"before\s+using\s+this\s+tool,?\s+(you\s+must\s+)?(first\s+)?(read|call|run|send)",
    re.IGNORECASE,
)
FILE_READ = re.compile(
    r"~/\.ssh|\bid_(rsa|ed25519|ecdsa)\b|\.aws/credentials|\.kube/config|\.netrc\b|"
    r"\.npmrc\b|\.git-credentials|/etc/(passwd|shadow)|\bmcp\.json\b|claude_desktop_config|"
    r"(?<![\w.])\.env\b|\bprivate\s+keys?\b",
    re.IGNORECASE,
)
EXFIL = re.compile(
    r"\b(send|post|upload|forward|transmit|copy)\b[^.]{0,80}(https?://|[\w.+-]+@[\w-]+\.\w+)|"
    r"\b(also|secretly|silently|quietly|additionally)\s+(send|post|upload|forward|include|"
    r"transmit|copy|attach)\b|\bexfiltrat\w*|"
    r"\bpass\s+(it|its|them|their|the\s+\w+)\b[^.]{0,40}\b(as|in|into)\b[^.]{0,30}"
    r"\b(parameter|argument|field)\b|\bsidenote\b|\bcurl\s|\bwget\s",
    re.IGNORECASE,
)
SHADOW_CUE = re.compile(
    r"\b(when|whenever|before|after|instead\s+of)\b[^.]{0,40}\b(using|calling|you\s+use|"
    r"call|invoke)\b",
    re.IGNORECASE,
)
OVERSIZE = 4096
INVISIBLE_CATEGORIES = {"Cf", "Co"}  # format characters (zero-width, bidi), private use


def _excerpt(text: str, start: int, end: int) -> str:
    lo, hi = max(0, start - 20), min(len(text), end + 20)
    clean = "".join(c if c.isprintable() else " " for c in text[lo:hi])
    return re.sub(r"\s+", " ", clean).strip()[:100]


def _invisible(text: str) -> int:
    return sum(
        1
        for c in text
        if unicodedata.category(c) in INVISIBLE_CATEGORIES or 0xE0000 <= ord(c) <= 0xE007F
    )


def scan_text(text: str, other_names: set[str]) -> list[str]:
    """``pattern: excerpt`` findings for one piece of model-visible text."""
    found: list[str] = []
    for pid, rx in (
        ("hidden-instructions", HIDDEN),
        ("file-read", FILE_READ),
        ("exfiltration", EXFIL),
    ):
        m = rx.search(text)
        if m:
            found.append(f"{pid}: {_excerpt(text, m.start(), m.end())}")
    n = _invisible(text)
    if n:
        found.append(f"hidden-instructions: {n} invisible character(s)")
    if len(text) > OVERSIZE:
        found.append(f"oversized: {len(text)} characters of description")
    cue = SHADOW_CUE.search(text)
    if cue:
        for other in sorted(other_names, key=len, reverse=True):
            hit = re.search(rf"(?<![\w-]){re.escape(other)}(?![\w-])", text)
            if len(other) >= 3 and hit:
                where = _excerpt(text, hit.start(), hit.end())
                found.append(f"shadowing: mentions {other!r}: {where}")
                break
    return found


def _schema_texts(schema: Any) -> list[str]:
    """Descriptions, titles and property names in an input schema (also model-visible)."""
    out: list[str] = []
    stack = [schema]
    budget = 10_000
    while stack and budget:
        budget -= 1
        v = stack.pop()
        if isinstance(v, dict):
            for k, x in v.items():
                if k in {"description", "title"} and isinstance(x, str):
                    out.append(x)
                elif k == "properties" and isinstance(x, dict):
                    out.extend(str(p) for p in x)
                    stack.extend(x.values())
                elif isinstance(x, (dict, list)):
                    stack.append(x)
        elif isinstance(v, list):
            stack.extend(v)
    return out


def scan_tool(description: str, schema: Any, other_names: set[str]) -> list[str]:
    found = scan_text(description, other_names)
    for text in _schema_texts(schema):
        for f in scan_text(text, other_names):
            if f not in found:
                found.append(f"input schema {f}")
    return sorted(set(found))
