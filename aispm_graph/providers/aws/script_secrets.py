"""Secrets written into scripts the collector must not store (SageMaker lifecycle
configurations): the script is read, scanned and dropped at collect time, and only where a
secret sits (hook, line) and what it looks like (the detector) reaches the snapshot.

The detectors are the ones the MCP configuration reader uses (:mod:`aispm_graph.mcp.secrets`):
a well-known credential format anywhere on a line, or a literal, non-reference value assigned
to a secret-named variable (``export HF_TOKEN=...``, ``aws configure set
aws_secret_access_key ...``).
"""

from __future__ import annotations

import base64
import binascii
import re

from aispm_graph.mcp.secrets import SECRET_VALUE, is_reference, looks_secret_name

# NAME=value / export NAME="value" / NAME: value, and "set <name> <value>" (aws configure).
_ASSIGN = re.compile(
    r"""(?:^|[\s;])(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*[=:]\s*["']?([^"'\s;]+)"""
)
_SET = re.compile(r"\bset\s+([A-Za-z_][A-Za-z0-9_.-]*)\s+[\"']?([^\"'\s;]+)")


def decode_script(content: object) -> str:
    """A lifecycle hook's ``Content`` (base64 text); '' when it is not decodable."""
    if not isinstance(content, str):
        return ""
    try:
        return base64.b64decode(content, validate=False).decode("utf-8", "replace")
    except (binascii.Error, ValueError):
        return ""


def scan_script(text: str) -> list[str]:
    """``line N: <detector>`` for each line that holds a secret; never the secret itself."""
    found: list[str] = []
    for n, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith("#"):
            continue
        if SECRET_VALUE.search(line):
            found.append(f"line {n}: credential format")
            continue
        for m in (*_ASSIGN.finditer(line), *_SET.finditer(line)):
            name, value = m.group(1), m.group(2)
            if looks_secret_name(name) and len(value) >= 8 and not _is_reference(value):
                found.append(f"line {n}: literal value of {name}")
                break
    return found


def _is_reference(value: str) -> bool:
    """``$VAR``, ``${VAR}``, ``$(command)``: the script reads the secret at run time."""
    return is_reference(value) or value.startswith("$")
