"""Credentials that ride along in imported files, removed before anything is stored or shown.

A requirements file or lock file routinely names a private index with its password
(``--index-url https://user:secret@pypi.corp/simple``, ``-i``, ``--extra-index-url``), a VCS
requirement with a token (``git+https://ghp_xxx@github.com/org/repo``), or a signed URL
(``?token=...``, ``&X-Amz-Signature=...``); SBOMs repeat such URLs in download locations and
external references. The workspace and every output would keep them, so each URL's user
information and each secret-named query value becomes ``REDACTED`` (a word every URL parser
and requirement parser still accepts, so the file imports as before).
"""

from __future__ import annotations

import re
from typing import Any

REDACTED = "REDACTED"
# scheme://userinfo@ ; userinfo runs to the last '@' before the path (passwords may hold '@'
# when the writer did not encode them). ``image@sha256:...`` is a digest, not a user.
_USERINFO = re.compile(
    r"(?i)\b([a-z][a-z0-9+.\-]*://)[^/\s?#\"'<>]*@(?!sha(?:256|384|512):)(?=[^\s@])"
)
# A query or fragment parameter whose name says secret: its value goes.
_SECRET_PARAM = re.compile(
    r"(?i)([?&;#]"
    r"[^=&;#\s\"'<>]*(?:token|secret|passw(?:or)?d|passwd|pwd|api[_-]?key|apikey|access[_-]?key"
    r"|signature|sig|auth|credential|session|key)[^=&;#\s\"'<>]*=)"
    r"[^&;#\s\"'<>]+"
)


def redact_text(text: str) -> str:
    """``text`` with URL user information and secret query values replaced."""
    if "://" not in text and "=" not in text:
        return text
    text = _USERINFO.sub(lambda m: f"{m.group(1)}{REDACTED}@", text)
    return _SECRET_PARAM.sub(lambda m: f"{m.group(1)}{REDACTED}", text)


def redact_document(value: Any) -> Any:
    """A parsed JSON document with every string (keys too) redacted; the shape is kept.
    (JSON input is nesting-limited at load, so the recursion is bounded.)"""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, list):
        return [redact_document(v) for v in value]
    if isinstance(value, dict):
        return {
            (redact_text(k) if isinstance(k, str) else k): redact_document(v)
            for k, v in value.items()
        }
    return value
