"""The shape of a privilege-escalation technique, shared by the three clouds.

A technique is data, not code: which permissions it needs, on which resource the attacker must
hold them, which extra facts must be true, which edge it yields and how a user fixes it. One
evaluator per cloud (under :mod:`aispm_graph.derive`) applies every record, so adding a
technique is adding a record, and the table in ``docs/escalation.md`` is generated from the
same records so that the documented coverage is the tested coverage.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from enum import StrEnum


class Cloud(StrEnum):
    AWS = "aws"
    AZURE = "azure"
    GCP = "gcp"


class On(StrEnum):
    """Where the attacker must hold the permissions, and so what the technique reaches."""

    SELF = "self"  # its own identity policies (grant itself anything)
    OWN_GROUP = "own-group"  # a group it is a member of
    OWN_POLICY = "own-policy"  # a customer-managed policy attached to it or to one of its groups
    NEW_PRINCIPAL = "new-principal"  # a principal it creates and then uses
    GROUP = "group"  # any group of its account (joins it)
    USER = "user"  # another user of its account
    ROLE = "role"  # another role of its account
    REACHED_PRINCIPAL = "reached-principal"  # a principal it already reaches: make it admin
    SERVICE_ROLE = "service-role"  # any role that trusts a service, passed to a new resource
    RUNS_AS = "runs-as"  # an existing resource that runs as an identity
    SCOPE = "scope"  # a scope (subscription, project, folder) it holds a role on
    IDENTITY = "identity"  # an identity object itself (service account, managed identity, app)


ON_TEXT: dict[On, str] = {
    On.SELF: "itself",
    On.OWN_GROUP: "a group it is in",
    On.OWN_POLICY: "a customer-managed policy attached to it or its group",
    On.NEW_PRINCIPAL: "a principal it creates",
    On.GROUP: "any group of its account",
    On.USER: "another user",
    On.ROLE: "another role",
    On.REACHED_PRINCIPAL: "a principal it can already act as",
    On.SERVICE_ROLE: "any role trusting the service",
    On.RUNS_AS: "an existing resource that runs as an identity",
    On.SCOPE: "a scope it holds a role on",
    On.IDENTITY: "the identity itself",
}


@dataclass(frozen=True)
class Refs:
    """Public catalogues that describe the technique (at least one is required)."""

    pathfinding: str = ""  # pathfinding.cloud id, e.g. iam-001
    rhino: str = ""  # Rhino Security Labs method name
    bloodhound: str = ""  # BloodHound edge name, e.g. AZAddSecret
    pmapper: str = ""  # PMapper edge checker, e.g. IAM, EC2, Lambda
    other: str = ""  # another public write-up (HackTricks, vendor documentation)

    def any(self) -> bool:
        return bool(self.pathfinding or self.rhino or self.bloodhound or self.pmapper or self.other)

    def text(self) -> str:
        # Asked for every edge an escalation pass writes; the answer never changes.
        return _refs_text(self)

    def _text(self) -> str:
        parts = []
        if self.pathfinding:
            parts.append(f"pathfinding.cloud {self.pathfinding}")
        if self.rhino:
            parts.append(f"Rhino: {self.rhino}")
        if self.bloodhound:
            parts.append(f"BloodHound {self.bloodhound}")
        if self.pmapper:
            parts.append(f"PMapper {self.pmapper} edges")
        if self.other:
            parts.append(self.other)
        return "; ".join(parts)


@functools.cache
def _refs_text(refs: Refs) -> str:
    return refs._text()


@dataclass(frozen=True)
class Technique:
    """One published escalation technique.

    ``all_of`` permissions are all needed; of ``any_of`` one is enough. ``sentence`` and ``fix``
    are templates filled with ``{attacker}``, ``{target}``, ``{resource}``, ``{service}`` and
    ``{permissions}``. ``conditions`` name extra facts (the evaluator of the cloud knows how to
    decide each, and names the ones it cannot decide in the edge's evidence).
    """

    id: str
    cloud: Cloud
    title: str
    on: On
    all_of: tuple[str, ...]
    sentence: str
    fix: str
    refs: Refs
    any_of: tuple[str, ...] = ()
    edge: str = "CAN_ESCALATE_TO"
    service: str = ""  # the service principal a passed role must trust
    # node kinds of the resource (RUNS_AS, IDENTITY) or of the principal reached (REACHED)
    resource_kinds: tuple[str, ...] = ()
    principal_kinds: tuple[str, ...] = ()  # node kinds the attacker may be (empty: any)
    conditions: tuple[str, ...] = ()
    # Permissions evaluated on any resource rather than on the target (creating a new thing).
    on_any: tuple[str, ...] = ()
    notes: str = ""
    extra: dict[str, str] = field(default_factory=dict, hash=False, compare=False)

    @property
    def permissions(self) -> str:
        text = " + ".join(self.all_of)
        if self.any_of:
            alt = " or ".join(self.any_of)
            text = f"{text} + ({alt})" if text else alt
        return text
