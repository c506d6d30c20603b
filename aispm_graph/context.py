"""Owner context: crown jewels, data sensitivity, trusted networks and known-safe exposures.

Only the owner knows which bucket is the crown jewel or which exposure is an accepted bastion.
``aispm.context.yaml`` (in the workspace, or ``aispm build --context FILE``) says so::

    version: 1
    trusted_cidrs: [198.51.100.0/24]          # sources inside are not "internet"
    assets:                                   # mark resources: they become targets
      - rule: classified-data
        match: {tags: {data-classification: [confidential, restricted]}}
        criticality: crown-jewel              # low | medium | high | crown-jewel
        data_role: [sensitive]                # training | grounding | model-artifact | sensitive
    safe_exposures:                           # accepted internet exposure: no path starts there
      - rule: bastion
        match: {name: "bastion-*", kind: EC2Instance}
        reason: MFA-protected bastion, reviewed 2026-10

A ``match`` ANDs its keys: ``id`` and ``name`` (exact or glob), ``kind``, ``provider`` and
``tenant`` (a value or a list), ``tags`` (each key: a list of accepted values, or ``*``).
The rules that applied are recorded on the node (``context_rules``) and shown as path factors.
"""

from __future__ import annotations

import fnmatch
import ipaddress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aispm_graph.safeload import InputError, load_yaml
from aispm_graph.schema import node_kinds

CRITICALITIES = ("low", "medium", "high", "crown-jewel")
DATA_ROLES = ("training", "grounding", "model-artifact", "fine-tuning", "evaluation", "sensitive")
MATCH_KEYS = ("id", "name", "kind", "provider", "tenant", "tags")
CONTEXT_FILE = "aispm.context.yaml"


class ContextError(ValueError):
    """The context file is invalid; the message names the file, the rule and the field."""


@dataclass(frozen=True)
class Match:
    criteria: dict[str, Any]

    def matches(self, node_id: str, data: dict[str, Any]) -> bool:
        c = self.criteria
        if "id" in c and not fnmatch.fnmatchcase(node_id, c["id"]):
            return False
        if "name" in c and not fnmatch.fnmatchcase(str(data.get("name", "")), c["name"]):
            return False
        for key in ("kind", "provider", "tenant"):
            if key in c:
                allowed = c[key] if isinstance(c[key], list) else [c[key]]
                if str(data.get(key, "")) not in [str(a) for a in allowed]:
                    return False
        if "tags" in c:
            tags = data.get("tags") or {}
            if not isinstance(tags, dict):
                return False
            for tag, accepted in c["tags"].items():
                if tag not in tags:
                    return False
                if accepted != "*" and str(tags[tag]) not in [str(a) for a in accepted]:
                    return False
        return True


@dataclass(frozen=True)
class AssetRule:
    rule: str
    match: Match
    criticality: str | None = None
    data_role: tuple[str, ...] = ()


@dataclass(frozen=True)
class SafeExposure:
    rule: str
    match: Match
    reason: str


@dataclass
class Context:
    trusted_cidrs: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
    assets: list[AssetRule] = field(default_factory=list)
    safe_exposures: list[SafeExposure] = field(default_factory=list)
    source: str = ""

    def extend(self, other: Context) -> Context:
        return Context(
            trusted_cidrs=self.trusted_cidrs + other.trusted_cidrs,
            assets=self.assets + other.assets,
            safe_exposures=self.safe_exposures + other.safe_exposures,
            source=", ".join(s for s in (self.source, other.source) if s),
        )


def _match(raw: Any, where: str) -> Match:
    if not isinstance(raw, dict) or not raw:
        raise ContextError(f"{where}: field 'match' must be a non-empty mapping")
    unknown = set(raw) - set(MATCH_KEYS)
    if unknown:
        raise ContextError(
            f"{where}: field 'match' has unknown keys {sorted(map(str, unknown))} "
            f"(allowed: {', '.join(MATCH_KEYS)})"
        )
    if "kind" in raw:
        kinds = raw["kind"] if isinstance(raw["kind"], list) else [raw["kind"]]
        bad = [k for k in kinds if not isinstance(k, str) or k not in node_kinds()]
        if bad:
            raise ContextError(f"{where}: field 'match.kind': unknown node kind {bad[0]!r}")
    if "tags" in raw:
        tags = raw["tags"]
        if not isinstance(tags, dict) or not all(
            isinstance(k, str)
            and (v == "*" or (isinstance(v, list) and v and all(_scalar(x) for x in v)))
            for k, v in tags.items()
        ):
            raise ContextError(
                f"{where}: field 'match.tags' maps each tag to a list of values or '*'"
            )
    for key in ("id", "name"):
        if key in raw and not isinstance(raw[key], str):
            raise ContextError(f"{where}: field 'match.{key}' must be a string")
    return Match(dict(raw))


def _scalar(value: Any) -> bool:
    return isinstance(value, str | int | float | bool)


def parse_context(doc: Any, source: str) -> Context:
    if doc is None:
        return Context(source=source)
    if not isinstance(doc, dict):
        raise ContextError(f"{source}: top level must be a mapping")
    unknown = set(doc) - {"version", "trusted_cidrs", "assets", "safe_exposures"}
    if unknown:
        raise ContextError(f"{source}: unknown top-level field(s) {sorted(map(str, unknown))}")
    for section in ("trusted_cidrs", "assets", "safe_exposures"):
        if doc.get(section) is not None and not isinstance(doc[section], list):
            raise ContextError(f"{source}: field {section!r} must be a list")
    if doc.get("version", 1) != 1:
        raise ContextError(f"{source}: field 'version' must be 1")
    cidrs = []
    for i, raw in enumerate(doc.get("trusted_cidrs") or []):
        if not isinstance(raw, str):
            raise ContextError(f"{source}: trusted_cidrs[{i}]: {raw!r} is not a CIDR string")
        try:
            cidrs.append(ipaddress.ip_network(str(raw), strict=False))
        except ValueError:
            raise ContextError(f"{source}: trusted_cidrs[{i}]: {raw!r} is not a CIDR") from None
    assets = []
    for i, raw in enumerate(doc.get("assets") or []):
        where = f"{source}: assets[{i}]"
        if not isinstance(raw, dict):
            raise ContextError(f"{where}: must be a mapping")
        rule = raw.get("rule")
        if not isinstance(rule, str) or not rule:
            raise ContextError(f"{where}: field 'rule' (a name for the rule) is required")
        where = f"{source}: assets[{i}] (rule {rule!r})"
        crit = raw.get("criticality")
        if crit is not None and (not isinstance(crit, str) or crit not in CRITICALITIES):
            raise ContextError(
                f"{where}: field 'criticality' must be one of {', '.join(CRITICALITIES)}"
            )
        roles = raw.get("data_role") or []
        if isinstance(roles, str):
            roles = [roles]
        if not isinstance(roles, list):
            raise ContextError(f"{where}: field 'data_role' must be a name or a list of names")
        bad = [r for r in roles if not isinstance(r, str) or r not in DATA_ROLES]
        if bad:
            raise ContextError(
                f"{where}: field 'data_role': {bad[0]!r} is not one of {', '.join(DATA_ROLES)}"
            )
        if crit is None and not roles:
            raise ContextError(f"{where}: set 'criticality' and/or 'data_role'")
        assets.append(AssetRule(rule, _match(raw.get("match"), where), crit, tuple(roles)))
    safe = []
    for i, raw in enumerate(doc.get("safe_exposures") or []):
        where = f"{source}: safe_exposures[{i}]"
        if not isinstance(raw, dict):
            raise ContextError(f"{where}: must be a mapping")
        rule = raw.get("rule")
        if not isinstance(rule, str) or not rule:
            raise ContextError(f"{where}: field 'rule' is required")
        reason = raw.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            raise ContextError(
                f"{where} (rule {rule!r}): field 'reason' is required: say why "
                "the exposure is accepted"
            )
        safe.append(
            SafeExposure(rule, _match(raw.get("match"), f"{where} (rule {rule!r})"), reason)
        )
    return Context(tuple(cidrs), assets, safe, source)


def load_context(path: Path) -> Context:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ContextError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        doc = load_yaml(text, str(path))
    except InputError as exc:
        raise ContextError(str(exc)) from None
    return parse_context(doc, str(path))
