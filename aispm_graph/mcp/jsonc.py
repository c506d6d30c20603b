"""JSON with comments and trailing commas (VS Code's ``mcp.json`` and ``settings.json``), read
with limits: a configuration file is small, so a huge or deeply nested one is refused rather
than parsed."""

from __future__ import annotations

from typing import Any

from aispm_graph import safeload

MAX_BYTES = 4 * 1024 * 1024
MAX_DEPTH = 48


class InputError(ValueError):
    """A file that cannot be used; the message names the file and, where known, the field."""


def _outside_strings(text: str) -> list[tuple[bool, str]]:
    """Split into (is_string, chunk) runs, honouring escapes, so edits never touch strings."""
    runs: list[tuple[bool, str]] = []
    i, n, start = 0, len(text), 0
    while i < n:
        if text[i] == '"':
            if i > start:
                runs.append((False, text[start:i]))
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            runs.append((True, text[i : j + 1]))
            i = start = j + 1
        else:
            i += 1
    if start < n:
        runs.append((False, text[start:]))
    return runs


def _drop_comments(text: str) -> str:
    """One pass that removes ``//`` and ``/* */`` comments outside strings."""
    out: list[str] = []
    i, n = 0, len(text)
    in_str = False
    while i < n:
        c = text[i]
        if in_str:
            out.append(c)
            if c == "\\" and i + 1 < n:
                out.append(text[i + 1])
                i += 2
                continue
            in_str = c != '"'
            i += 1
        elif c == '"':
            in_str = True
            out.append(c)
            i += 1
        elif text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def strip_comments(text: str) -> str:
    """Remove comments, then trailing commas, outside strings only, so ``"http://x"`` inside
    a string is left alone."""
    out: list[str] = []
    for is_str, chunk in _outside_strings(_drop_comments(text)):
        if is_str:
            out.append(chunk)
            continue
        buf: list[str] = []
        for i, c in enumerate(chunk):
            if c == "," and chunk[i + 1 :].lstrip(" \t\r\n")[:1] in ("}", "]"):
                continue
            buf.append(c)
        out.append("".join(buf))
    return "".join(out)


def _depth(value: Any) -> int:
    """Nesting depth without recursion, so a hostile file cannot exhaust the stack here."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        v, d = stack.pop()
        if isinstance(v, dict):
            deepest = max(deepest, d)
            stack.extend((x, d + 1) for x in v.values())
        elif isinstance(v, list):
            deepest = max(deepest, d)
            stack.extend((x, d + 1) for x in v)
    return deepest


def loads(raw: bytes, where: str, *, allow_comments: bool = True) -> Any:
    """Parse ``raw`` (the bytes of ``where``) within the size and depth limits."""
    if len(raw) > MAX_BYTES:
        raise InputError(f"{where}: larger than {MAX_BYTES // 2**20} MiB; not an MCP file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{where}: not UTF-8 text") from None
    if allow_comments:
        text = strip_comments(text)
    # The shared strict loader: numbers past the 4,300-digit limit, NaN/Infinity and deep
    # nesting are input errors, lone surrogates become U+FFFD (a config is hostile input too).
    try:
        value = safeload.loads_json(text, where)
    except safeload.InputError as exc:
        raise InputError(str(exc)) from None
    if _depth(value) > MAX_DEPTH:
        raise InputError(f"{where}: nested more than {MAX_DEPTH} levels deep")
    return value
