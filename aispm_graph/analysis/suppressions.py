"""Reviewed risk: muting paths and findings on purpose, with a reason and an end date.

The file (``aispm.suppressions.yaml`` in the workspace, or ``--suppressions FILE``)::

    suppressions:
      - id: ap-39dff085fa01          # a path id or a finding id (rf-...)
        reason: bucket holds the public sample set only
        expires: 2027-01-31          # optional; after it the entry stops applying
      - rule: AZ-AI-005              # every finding of a check ...
        resource: /subscriptions/... # ... optionally on one resource only
        reason: logs go to the SIEM through the event hub

Every entry needs a reason. Mistakes are errors, not silent no-ops: bad YAML, an unknown key,
a missing reason, a malformed id or a rule that is not in the catalogue stop the command with
exit 2 and the line number. A well-formed id that matches nothing in this run is *unused*
(the path was fixed, say) and an entry past its date is *expired*: both are reported so the
file does not rot.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml

from aispm_graph.safeload import InputError, load_yaml_node

FILE_NAME = "aispm.suppressions.yaml"
ID_RE = re.compile(r"^(ap|rf)-[0-9a-f]{12}$")
KEYS = {"id", "rule", "resource", "reason", "expires"}


class SuppressionError(ValueError):
    """The suppressions file cannot be used as written."""


@dataclass
class Suppression:
    line: int
    reason: str
    id: str | None = None
    rule: str | None = None
    resource: str | None = None
    expires: dt.date | None = None
    used: int = 0

    @property
    def scope(self) -> str:
        """``paths`` for path ids, ``findings`` for finding ids and rules."""
        return "paths" if self.id and self.id.startswith("ap-") else "findings"

    def label(self) -> str:
        what = self.id or f"rule {self.rule}" + (f" on {self.resource}" if self.resource else "")
        return f"line {self.line} ({what})"


@dataclass
class Suppressions:
    source: str
    entries: list[Suppression] = field(default_factory=list)
    today: dt.date = field(default_factory=lambda: dt.datetime.now(dt.UTC).date())

    def active(self, entry: Suppression) -> bool:
        return entry.expires is None or entry.expires >= self.today

    def match_path(self, path_id: str) -> Suppression | None:
        for e in self.entries:
            if e.id == path_id and self.active(e):
                e.used += 1
                return e
        return None

    def match_finding(self, finding_id: str, check: str, resource: str) -> Suppression | None:
        for e in self.entries:
            if not self.active(e):
                continue
            if e.id == finding_id or (
                e.rule == check and (e.resource is None or e.resource == resource)
            ):
                e.used += 1
                return e
        return None

    def notes(self, scopes: Iterable[str]) -> list[str]:
        """Expired entries (always) and unused active entries of the scopes just evaluated."""
        scopes = set(scopes)
        out = []
        for e in self.entries:
            if not self.active(e):
                out.append(
                    f"{self.source}: {e.label()} expired on {e.expires} and no longer applies: "
                    f"review it ({e.reason})"
                )
            elif e.scope in scopes and not e.used:
                out.append(f"{self.source}: {e.label()} matched nothing in this run (unused)")
        return out


T = TypeVar("T")


def split(items: Iterable[T], matcher: Any) -> tuple[list[T], list[tuple[T, Suppression]]]:
    """Items kept, and items muted with the entry that muted them."""
    kept: list[T] = []
    muted: list[tuple[T, Suppression]] = []
    for item in items:
        entry = matcher(item)
        if entry is None:
            kept.append(item)
        else:
            muted.append((item, entry))
    return kept, muted


def _date(value: Any, where: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        if not isinstance(value, str):
            raise ValueError
        return dt.date.fromisoformat(value)
    except ValueError:
        raise SuppressionError(f"{where}: expires {value!r} is not a date (YYYY-MM-DD)") from None


MAX_BYTES = 1 << 20


def parse(text: str, source: str, known_rules: Iterable[str]) -> Suppressions:
    rules = set(known_rules)
    if len(text) > MAX_BYTES:
        raise SuppressionError(f"{source}: larger than {MAX_BYTES // 1024} KiB")
    # One parse gives both the data and the nodes (for line numbers), and refuses aliases and
    # merge keys, so the two can never disagree.
    try:
        node, data = load_yaml_node(text, source)
    except InputError as exc:
        raise SuppressionError(str(exc)) from None
    result = Suppressions(source=source)
    if data is None or data == {}:
        return result  # an empty file or an empty mapping suppresses nothing
    if isinstance(data, dict):
        if set(data) - {"suppressions"}:
            extra = ", ".join(sorted(map(str, set(data) - {"suppressions"})))
            raise SuppressionError(f"{source}: line 1: unknown top-level key(s): {extra}")
        assert isinstance(node, yaml.MappingNode)
        seq_node = next(v for k, v in node.value if k.value == "suppressions")
        items = data.get("suppressions")
        if items is None:
            return result  # "suppressions:" with nothing under it
    else:
        seq_node, items = node, data
    if not isinstance(items, list) or not isinstance(seq_node, yaml.SequenceNode):
        raise SuppressionError(
            f"{source}: line {seq_node.start_mark.line + 1}: 'suppressions' must be a list"
        )
    for raw, item_node in zip(items, seq_node.value, strict=True):
        line = item_node.start_mark.line + 1
        where = f"{source}: line {line}"
        if not isinstance(raw, dict) or not all(isinstance(k, str) for k in raw):
            raise SuppressionError(f"{where}: an entry must be a mapping with id or rule, reason")
        unknown = set(map(str, raw)) - KEYS
        if unknown:
            raise SuppressionError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
        for key in ("id", "rule", "resource", "reason"):
            if raw.get(key) is not None and not isinstance(raw[key], str | int):
                raise SuppressionError(f"{where}: {key} must be a string")
        sid, rule = raw.get("id"), raw.get("rule")
        if bool(sid) == bool(rule):
            raise SuppressionError(f"{where}: give exactly one of 'id' or 'rule'")
        if sid is not None and not ID_RE.match(str(sid)):
            raise SuppressionError(
                f"{where}: unknown id {sid!r}: expected a path id (ap-...) or a finding id "
                "(rf-...) of 12 hex digits"
            )
        if rule is not None and str(rule) not in rules:
            raise SuppressionError(
                f"{where}: unknown rule {rule!r} (see 'aispm recommendations --list-checks')"
            )
        if raw.get("resource") is not None and rule is None:
            raise SuppressionError(f"{where}: 'resource' only goes with 'rule'")
        reason = str(raw.get("reason") or "").strip()
        if not reason:
            raise SuppressionError(f"{where}: a suppression needs a reason")
        result.entries.append(
            Suppression(
                line=line,
                reason=reason,
                id=str(sid) if sid else None,
                rule=str(rule) if rule else None,
                resource=str(raw["resource"]) if raw.get("resource") is not None else None,
                expires=_date(raw["expires"], where) if raw.get("expires") is not None else None,
            )
        )
    return result


def load(path: Path, known_rules: Iterable[str]) -> Suppressions:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SuppressionError(f"{path}: cannot read suppressions ({exc})") from None
    return parse(text, str(path), known_rules)
