"""Predefined IAM roles as data: which AI-relevant permissions each role grants.

The table (``predefined_roles.json``, source noted inside) lists only the permissions that
become attack edges, so a role not in it, or a permission not modelled, grants nothing here:
an unknown role is reported by the deriver rather than guessed at. Custom roles come from the
collected ``iam.googleapis.com/Role`` assets and use the same modelled subset.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path


@dataclass(frozen=True)
class RoleSpec:
    name: str
    permissions: frozenset[str]
    administers: bool = False
    custom: bool = False


@cache
def _table() -> dict[str, object]:
    path = Path(__file__).with_name("predefined_roles.json")
    data: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
    return data


@cache
def modelled_permissions() -> frozenset[str]:
    perms = _table()["modelled_permissions"]
    assert isinstance(perms, list)
    return frozenset(str(p) for p in perms)


@cache
def predefined_roles() -> dict[str, RoleSpec]:
    roles = _table()["roles"]
    assert isinstance(roles, dict)
    out: dict[str, RoleSpec] = {}
    for name, spec in roles.items():
        out[name] = RoleSpec(
            name=name,
            permissions=frozenset(spec.get("permissions", [])),
            administers=bool(spec.get("administers", False)),
        )
    return out


def source_note() -> str:
    return str(_table()["source"])


def custom_role(name: str, included: list[str]) -> RoleSpec:
    """A custom role: its modelled permissions; setIamPolicy on projects makes it admin."""
    perms = frozenset(p for p in included if p in modelled_permissions())
    return RoleSpec(
        name=name,
        permissions=perms,
        administers="resourcemanager.projects.setIamPolicy" in perms,
        custom=True,
    )
