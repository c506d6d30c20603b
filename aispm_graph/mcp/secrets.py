"""What in an MCP configuration looks like a credential.

Only the verdicts leave this module: a value is read to decide whether it *is* a secret, a
reference to one (``${env:TOKEN}``, ``${input:token}``, ``$TOKEN``) or harmless, and is then
dropped; nothing downstream ever sees it.
"""

from __future__ import annotations

import math
import re
from collections import Counter

SECRET_NAME = re.compile(
    r"(?i)(api[_-]?key|apikey|token|secret|passw(?:or)?d|passwd|credential|private[_-]?key|"
    r"access[_-]?key|auth|cookie|session[_-]?key|client[_-]?secret|conn(?:ection)?[_-]?str|"
    r"(?:^|_)pat(?:$|_)|bearer|signing[_-]?key|dsn)"
)
# Well-known credential formats (prefix or shape); any one is enough.
SECRET_VALUE = re.compile(
    r"sk-[A-Za-z0-9_-]{16,}|sk-ant-[A-Za-z0-9_-]{16,}|gh[pousr]_[A-Za-z0-9]{20,}|"
    r"github_pat_[A-Za-z0-9_]{20,}|glpat-[A-Za-z0-9_-]{16,}|xox[abposr]-[A-Za-z0-9-]{10,}|"
    r"(?:AKIA|ASIA)[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{30,}|hf_[A-Za-z0-9]{20,}|"
    r"npm_[A-Za-z0-9]{30,}|-----BEGIN [A-Z ]*PRIVATE KEY-----|"
    r"eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{5,}|"
    r"[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@"  # credentials in a URL
)
REFERENCE = re.compile(
    r"^\s*(?:\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*|%[A-Za-z_][A-Za-z0-9_]*%|\{\{[^}]*\}\})\s*$"
)
TOKEN_CHARS = re.compile(r"^[A-Za-z0-9_+=-]+$")
BEARER = re.compile(r"(?i)^\s*(?:bearer|basic|token)\s+(\S+)\s*$")


def entropy(text: str) -> float:
    """Shannon entropy in bits per character."""
    if not text:
        return 0.0
    counts = Counter(text)
    return -sum(c / len(text) * math.log2(c / len(text)) for c in counts.values())


def is_reference(value: str) -> bool:
    """A placeholder the client resolves at start (environment, prompt, secret store)."""
    return bool(REFERENCE.match(value))


def looks_secret_value(value: str) -> bool:
    """A literal that is a credential by its format, or a long high-entropy token."""
    if is_reference(value):
        return False
    m = BEARER.match(value)
    if m and not is_reference(m.group(1)):
        return True
    if SECRET_VALUE.search(value):
        return True
    token = value.strip()
    # Generic tokens: long, one word of base64/hex-like characters, high entropy. Package
    # specs, paths, URLs and image references (with '/', '.', '@', ':') are never this shape.
    return (
        len(token) >= 24
        and TOKEN_CHARS.match(token) is not None
        and entropy(token) >= 4.0
        and any(c.isdigit() for c in token)
        and any(c.isalpha() for c in token)
    )


def looks_secret_name(name: str) -> bool:
    return bool(SECRET_NAME.search(name))


def classify(name: str, value: object) -> dict[str, bool]:
    """The verdicts kept for one variable or header (the value itself is not returned).

    ``credential``: it carries a credential (by name or by value). ``literal_secret``: the
    configuration file holds the secret itself rather than a reference to it.
    """
    text = value if isinstance(value, str) else ""
    scheme = BEARER.match(text)
    ref = bool(text) and is_reference(scheme.group(1) if scheme else text)
    by_value = bool(text) and looks_secret_value(text)
    by_name = looks_secret_name(name)
    literal = not ref and (by_value or (by_name and len(text.strip()) >= 8))
    return {
        "credential": by_name or by_value,
        "literal_secret": literal,
        "reference": ref,
    }


def redact_arg(arg: str) -> tuple[str, bool]:
    """An argument with any secret in it replaced; True when something was redacted."""
    if "=" in arg and arg.startswith("-"):
        flag, _, val = arg.partition("=")
        if val and (looks_secret_value(val) or (looks_secret_name(flag) and not is_reference(val))):
            return f"{flag}=<redacted>", True
        return arg, False
    if looks_secret_value(arg):
        return "<redacted>", True
    return arg, False
