"""Parsing files an attacker may have written: every failure is an input error, never a crash.

JSON, TOML and YAML parsers in the standard library and PyYAML raise more than their
documented error on hostile input: a number over Python's 4,300-digit limit raises a bare
``ValueError``, deep nesting a ``RecursionError``, and JSON's ``NaN``/``Infinity`` (or ``1e999``)
parse into floats that no strict JSON writer can write back out. A lone surrogate (``"\\ud800"``)
is valid JSON but not valid UTF-8, so it crashes every output later. These helpers turn all of
that into :class:`InputError` with the file and, where known, the line, and replace lone
surrogates with U+FFFD at the boundary so nothing downstream ever meets one.
"""

from __future__ import annotations

import json
import math
import re
import tomllib
from typing import Any

import yaml

MAX_INT_DIGITS = 4300
_SURROGATE = re.compile("[\ud800-\udfff]")
_LONG_NUMBER = re.compile(r"\d{" + str(MAX_INT_DIGITS + 1) + ",}")


class InputError(ValueError):
    """A file that cannot be used; the message names it and says where and why."""


def _position(text: str, index: int) -> str:
    line = text.count("\n", 0, index) + 1
    col = index - (text.rfind("\n", 0, index) + 1) + 1
    return f"line {line} column {col}"


def _long_number(text: str, where: str) -> InputError:
    match = _LONG_NUMBER.search(text)
    at = f" at {_position(text, match.start())}" if match else ""
    return InputError(f"{where}: a number{at} has more than {MAX_INT_DIGITS} digits")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _NonFinite(text)
    return value


class _NonFinite(ValueError):
    pass


def _reject_constant(name: str) -> Any:
    raise _NonFinite(name)


def clean_str(value: str) -> str:
    """``value`` with lone surrogates replaced by U+FFFD (valid in every output encoding)."""
    return _SURROGATE.sub("\ufffd", value) if _SURROGATE.search(value) else value


def sanitize(value: Any) -> Any:
    """Replace lone surrogates in every string (keys too) of a parsed document, iteratively
    (hostile documents nest deeper than the recursion limit)."""
    if isinstance(value, str):
        return clean_str(value)
    if not isinstance(value, dict | list):
        return value
    root: list[Any] = [value]
    stack: list[Any] = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            for i, item in enumerate(node):
                if isinstance(item, str):
                    node[i] = clean_str(item)
                elif isinstance(item, dict | list):
                    stack.append(item)
        else:
            for key in list(node):
                item = node[key]
                if isinstance(item, str):
                    item = clean_str(item)
                elif isinstance(item, dict | list):
                    stack.append(item)
                new_key = clean_str(key) if isinstance(key, str) else key
                if new_key is not key:
                    del node[key]
                node[new_key] = item
    return root[0]


def loads_json(text: str | bytes, where: str) -> Any:
    """Strict JSON: finite numbers only, bounded integers and depth, no lone surrogates."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputError(f"{where}: not UTF-8 text (byte {exc.start})") from None
    try:
        doc = json.loads(text, parse_float=_finite_float, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{where}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None
    except _NonFinite as exc:
        raise InputError(
            f"{where}: {exc.args[0][:40]!r} is not a finite number (NaN, Infinity and "
            "out-of-range numbers are not JSON)"
        ) from None
    except RecursionError:
        raise InputError(f"{where}: invalid JSON: nested too deeply") from None
    except ValueError as exc:
        if "digits" in str(exc):
            raise _long_number(text, where) from None
        raise InputError(f"{where}: invalid JSON: {exc}") from None
    return sanitize(doc)


def loads_toml(text: str, where: str) -> dict[str, Any]:
    """TOML with the same guarantees as :func:`loads_json` (tomllib recurses per level)."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{where}: invalid TOML: {exc}") from None
    except RecursionError:
        raise InputError(f"{where}: invalid TOML: nested too deeply") from None
    except ValueError as exc:
        if "digits" in str(exc):
            raise _long_number(text, where) from None
        raise InputError(f"{where}: invalid TOML: {exc}") from None
    result: dict[str, Any] = sanitize(doc)
    for value in _floats(result):
        if not math.isfinite(value):
            raise InputError(f"{where}: nan/inf is not a usable value here")
    return result


def _floats(value: Any) -> list[float]:
    out: list[float] = []
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, float):
            out.append(node)
        elif isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return out


class StrictYamlLoader(yaml.SafeLoader):
    """SafeLoader for owner-written config (context, suppressions) that an attacker may edit.

    No aliases (an alias bomb is a few hundred bytes), no merge keys (``<<`` makes the parsed
    data disagree with the lines errors point at), and dates stay strings (an invalid date
    like ``2024-13-45`` would raise a bare ValueError inside the parser; the caller checks
    the string and names the field instead).
    """

    yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
            raise yaml.composer.ComposerError(
                None, None, "YAML aliases (*name) are not allowed here", mark
            )
        return super().compose_node(parent, index)

    def flatten_mapping(self, node: Any) -> None:
        for key, _value in node.value:
            if key.tag == "tag:yaml.org,2002:merge":
                raise yaml.constructor.ConstructorError(
                    None, None, "YAML merge keys (<<) are not allowed here", key.start_mark
                )
        super().flatten_mapping(node)


def _yaml_error(exc: BaseException, where: str) -> InputError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = f"line {mark.line + 1}: " if mark is not None else ""
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    ctx, ctx_mark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
    if ctx and ctx_mark is not None and mark is not None and ctx_mark.line != mark.line:
        problem += f" ({ctx} at line {ctx_mark.line + 1})"  # where the unclosed thing began
    return InputError(f"{where}: {line}invalid YAML: {problem}")


def load_yaml_node(text: str, where: str) -> tuple[yaml.Node | None, Any]:
    """(node, data) of one YAML document, parsed once with :class:`StrictYamlLoader`: the node
    gives line numbers for messages, the data is plain Python with lone surrogates replaced."""
    loader = StrictYamlLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, where) from None
    except RecursionError:
        raise InputError(f"{where}: invalid YAML: nested too deeply") from None
    except (ValueError, TypeError, OverflowError) as exc:
        if "digits" in str(exc):
            raise InputError(f"{where}: a number has more than {MAX_INT_DIGITS} digits") from None
        raise InputError(f"{where}: unusable YAML value: {str(exc).splitlines()[0]}") from None
    finally:
        loader.dispose()
    return node, sanitize(data)


def load_yaml(text: str, where: str) -> Any:
    return load_yaml_node(text, where)[1]
