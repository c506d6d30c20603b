"""Azure RBAC role definitions: the built-in catalogue and Azure's action-pattern matching.

A role grants an operation when one of its ``actions`` (or ``dataActions``) patterns matches
and none of its ``notActions`` (``notDataActions``) does; ``*`` matches any run of characters
and comparison ignores case, as in Azure.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any


@dataclass(frozen=True)
class RoleDefinition:
    id: str  # the role GUID, lower case
    name: str
    actions: tuple[str, ...]
    not_actions: tuple[str, ...]
    data_actions: tuple[str, ...]
    not_data_actions: tuple[str, ...]
    source: str  # "collected" or "builtin-catalogue"

    def allows(self, operation: str, data: bool = False) -> str | None:
        """The pattern that grants ``operation``, or None if the role does not grant it."""
        allow, deny = (
            (self.data_actions, self.not_data_actions) if data else (self.actions, self.not_actions)
        )
        if any(_matches(p, operation) for p in deny):
            return None
        for pattern in allow:
            if _matches(pattern, operation):
                return pattern
        return None


@cache
def _pattern(pattern: str) -> re.Pattern[str]:
    return re.compile(
        "^" + ".*".join(re.escape(p) for p in pattern.split("*")) + "$", re.IGNORECASE
    )


def _matches(pattern: str, operation: str) -> bool:
    return bool(_pattern(pattern).match(operation))


def role_guid(role_definition_id: str) -> str:
    return role_definition_id.rstrip("/").rsplit("/", 1)[-1].lower()


def from_arm(body: dict[str, Any], source: str = "collected") -> RoleDefinition | None:
    """A role definition from its ARM JSON (REST or Resource Graph shape); None if unusable."""
    props = body.get("properties") or {}
    name = props.get("roleName") or body.get("roleName")
    perms = props.get("permissions") or body.get("permissions") or []
    if not isinstance(name, str) or not isinstance(perms, list):
        return None
    acc: dict[str, list[str]] = {
        "actions": [],
        "notActions": [],
        "dataActions": [],
        "notDataActions": [],
    }
    for perm in perms:
        if not isinstance(perm, dict):
            continue
        for key, bucket in acc.items():
            bucket.extend(str(x) for x in perm.get(key) or [])
    rid = str(body.get("id") or body.get("name") or "")
    return RoleDefinition(
        id=role_guid(rid),
        name=name,
        actions=tuple(acc["actions"]),
        not_actions=tuple(acc["notActions"]),
        data_actions=tuple(acc["dataActions"]),
        not_data_actions=tuple(acc["notDataActions"]),
        source=source,
    )


@cache
def builtin_roles() -> dict[str, RoleDefinition]:
    """Built-in roles shipped with the package, keyed by role GUID."""
    text = resources.files(__package__).joinpath("builtin_roles.json").read_text("utf-8")
    data = json.loads(text)
    out: dict[str, RoleDefinition] = {}
    for r in data["roles"]:
        out[r["id"]] = RoleDefinition(
            id=r["id"],
            name=r["roleName"],
            actions=tuple(r["actions"]),
            not_actions=tuple(r["notActions"]),
            data_actions=tuple(r["dataActions"]),
            not_data_actions=tuple(r["notDataActions"]),
            source="builtin-catalogue",
        )
    return out


def builtin_by_name(name: str) -> RoleDefinition:
    for role in builtin_roles().values():
        if role.name.lower() == name.lower():
            return role
    raise KeyError(f"no built-in role named {name!r}")
