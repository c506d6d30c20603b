"""One evaluator for the Azure escalation technique records (:mod:`aispm_graph.escalation.azure`).

It runs after ``azure-rbac`` (which links each principal to its role assignments) and walks
the assignments once: for each, the records whose operations the role grants (``actions``
minus ``notActions``) are applied to the resources of the record's kind *under the
assignment's scope*, found by bisecting one sorted list of resource ids. So the cost is the
number of assignments times the matching resources in their scopes, never principals times
resources. Where an edge of the same kind already exists (``azure-rbac`` derives
``CAN_ADMINISTER`` for ``roleAssignments/write`` itself), the technique is added to its
evidence instead of a second edge.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from aispm_graph.build import BuildContext, deriver
from aispm_graph.derive.kinds import KindIndex
from aispm_graph.escalation.azure import TECHNIQUES
from aispm_graph.escalation.entra import TECHNIQUES as ENTRA_TECHNIQUES
from aispm_graph.escalation.model import On, Technique
from aispm_graph.graph.model import Confidence, Graph
from aispm_graph.knowledge.azure.arm import MG_PREFIX, norm
from aispm_graph.knowledge.azure.entra_roles import (
    APP_CREDENTIALS,
    APP_OWNERS,
    GLOBAL_ADMIN,
    GRAPH_ADMIN_APP_ROLES,
    GRAPH_APP_WRITE,
    GROUP_MEMBERS,
    RESET_PROTECTION,
    ROLE_ASSIGNABLE_GROUP_MANAGERS,
    SP_CREDENTIALS,
    TENANT_ADMIN_ROLES,
    allowed_by,
    can_reset,
)
from aispm_graph.knowledge.azure.roles import RoleDefinition

KINDS = sorted({k for t in TECHNIQUES for k in t.resource_kinds})
_ENTRA_KINDS = ("AzureSubscription", "AzureServicePrincipal", "EntraGroup", "EntraUser")


def _role(data: dict[str, Any]) -> RoleDefinition | None:
    if data.get("actions") is None:
        return None
    return RoleDefinition(
        id=str(data.get("role_definition_id")),
        name=str(data.get("role_name")),
        actions=tuple(data.get("actions") or ()),
        not_actions=tuple(data.get("not_actions") or ()),
        data_actions=tuple(data.get("data_actions") or ()),
        not_data_actions=tuple(data.get("not_data_actions") or ()),
        source=str(data.get("role_source")),
    )


class _Under:
    """Sorted ids of the resources the records act on, for 'everything below this scope'.

    What is below a scope is the scope itself and the ids starting with ``scope + "/"``: one
    contiguous run of the sorted list (``/`` sorts just before ``0``), found by two bisections
    in the list of all the records' kinds (the visit count) and in the list of each kind."""

    def __init__(self, index: KindIndex) -> None:
        self.by_kind = {kind: sorted(nid for nid, _d in index(kind)) for kind in KINDS}
        self.ids = sorted(nid for ids in self.by_kind.values() for nid in ids)
        self.idset = set(self.ids)
        self.subs = {nid for nid, _d in index("AzureSubscription")}

    @staticmethod
    def _run(ids: list[str], scope: str) -> tuple[int, int]:
        return bisect.bisect_left(ids, scope + "/"), bisect.bisect_left(ids, scope + "0")

    def __call__(self, scope: str) -> list[str]:
        lo, hi = self._run(self.ids, scope)
        return ([scope] if scope in self.idset else []) + self.ids[lo:hi]

    def count(self, scope: str) -> int:
        """``len(self(scope))`` without the list."""
        lo, hi = self._run(self.ids, scope)
        return hi - lo + (scope in self.idset)

    def of_kinds(self, scope: str, kinds: tuple[str, ...]) -> list[str]:
        """``self(scope)`` restricted to ``kinds``, in the same (sorted) order."""
        out: list[str] = []
        for kind in dict.fromkeys(kinds):
            ids = self.by_kind.get(kind)
            if not ids:
                continue
            lo, hi = self._run(ids, scope)
            if _has(ids, scope):
                out.append(scope)
            out.extend(ids[lo:hi])
        if len(kinds) > 1:
            out.sort()
        return out


def _has(ids: list[str], nid: str) -> bool:
    i = bisect.bisect_left(ids, nid)
    return i < len(ids) and ids[i] == nid


def _scopes(data: dict[str, Any], under: _Under) -> list[str]:
    """Concrete scopes: a management-group (or root) assignment applies to the subscriptions
    that listed it when collected."""
    scope = norm(str(data.get("scope") or "/")) or "/"
    if scope == "/" or scope.startswith(MG_PREFIX):
        listed = data.get("collected_for_subscriptions") or []
        return sorted({f"/subscriptions/{s}" for s in listed if isinstance(s, str)})
    return [scope]


class AzureEscalation:
    def __init__(self, graph: Graph, ctx: BuildContext) -> None:
        self.graph = graph
        self.ctx = ctx
        # One walk for every kind this pass and the Entra part read (neither adds nodes).
        # Microsoft Graph application permissions by holder, on the same walk.
        self.app_roles: dict[str, set[str]] = {}

        def graph_app_roles(nid: str, d: dict[str, Any]) -> None:
            if d.get("graph_app_roles"):
                self.app_roles[nid] = set(d["graph_app_roles"])

        self.index = KindIndex(graph, {*KINDS, *_ENTRA_KINDS}, visit=graph_app_roles)
        self.under = _Under(self.index)
        # Role assignments by holder, in edge order: Azure RBAC ones for the records below,
        # directory (Entra) ones for EntraEscalation.
        self.assigned: list[tuple[str, str, dict[str, Any]]] = []
        self.directory_roles: list[tuple[str, str, dict[str, Any]]] = []
        for holder, aid, _e in graph.edges("ASSIGNED"):
            adata = graph.node(aid)
            if adata["kind"] == "AzureRoleAssignment":
                self.assigned.append((holder, aid, adata))
            elif adata["kind"] == "EntraRoleAssignment":
                self.directory_roles.append((holder, aid, adata))
        # Per edge, every (technique, confidence, evidence writer) found; ``emit`` keeps the
        # best and writes only its evidence (about half the records are not kept, and their
        # text was most of this pass's cost).
        self.found: dict[
            tuple[str, str, str], list[tuple[Technique, Confidence, Callable[[], dict[str, Any]]]]
        ]
        self.found = defaultdict(list)
        # Managed identities each resource runs as (the RUNS_AS techniques' targets).
        self._identities: dict[str, list[str]] = {}

    def name(self, nid: str) -> str:
        return str(self.graph.node(nid)["name"])

    def condition(self, name: str, node: dict[str, Any]) -> bool:
        if name == "access-policy-vault":
            return node.get("rbac_authorization") is False
        if name == "rbac-vault":
            return node.get("rbac_authorization") is True
        if name == "user-assigned":
            return str(node.get("identity_type") or "").lower() == "userassigned"
        raise KeyError(f"unknown technique condition {name!r}")

    def run(self) -> None:
        # The resources under a scope that a technique can act on, per (scope, kinds): every
        # assignment at one subscription shares them, and filtering by kind here spares a
        # call per resource of another kind (most of a subscription's VMs and NICs).
        # Each entry keeps how many resources were under the scope (the visit count).
        reachable: dict[tuple[str, tuple[str, ...]], tuple[int, list[str]]] = {}
        granted_by: dict[RoleDefinition, list[tuple[Technique, tuple[str, str]]]] = {}
        for principal, aid, adata in self.assigned:
            role = _role(adata)
            if role is None:
                continue
            # The techniques a role grants, once per role definition (assignments share them).
            granted = granted_by.get(role)
            if granted is None:
                granted = granted_by[role] = [
                    (tech, matched)
                    for tech in TECHNIQUES
                    if (matched := self._matches(tech, role)) is not None
                ]
            for tech, matched in granted:
                for scope in _scopes(adata, self.under):
                    # A set lookup, not a scan of every subscription per assignment.
                    if tech.on is On.SCOPE:
                        targets = [scope] if scope in self.under.subs else []
                        visits = len(targets)
                    else:
                        visits, targets = self._reachable(reachable, scope, tech.resource_kinds)
                    self.ctx.stats["azure.escalation_visits"] += visits
                    for res in targets:
                        self._apply(tech, principal, aid, adata, role, matched, res)
        EntraEscalation(self).run()
        self.emit()

    def _reachable(
        self,
        memo: dict[tuple[str, tuple[str, ...]], tuple[int, list[str]]],
        scope: str,
        kinds: tuple[str, ...],
    ) -> tuple[int, list[str]]:
        hit = memo.get((scope, kinds))
        if hit is None:
            if kinds:
                hit = (self.under.count(scope), self.under.of_kinds(scope, kinds))
            else:
                under = self.under(scope)
                hit = (len(under), under)
            memo[(scope, kinds)] = hit
        return hit

    @staticmethod
    def _matches(tech: Technique, role: RoleDefinition) -> tuple[str, str] | None:
        """(operation, pattern) granting the technique, or None."""
        got: tuple[str, str] | None = None
        for op in tech.all_of:
            pattern = role.allows(op)
            if pattern is None:
                return None
            got = got or (op, pattern)
        if tech.any_of:
            alt = next(((op, p) for op in tech.any_of if (p := role.allows(op)) is not None), None)
            if alt is None:
                return None
            got = got or alt
        return got

    def _apply(
        self,
        tech: Technique,
        principal: str,
        aid: str,
        adata: dict[str, Any],
        role: RoleDefinition,
        matched: tuple[str, str],
        res: str,
    ) -> None:
        node = self.graph.node(res)
        if tech.resource_kinds and node["kind"] not in tech.resource_kinds:
            return
        if not all(self.condition(c, node) for c in tech.conditions):
            return
        if tech.on is On.RUNS_AS and tech.edge == "CAN_ESCALATE_TO":
            dsts = self._identities.get(res)  # asked once per assignment and technique
            if dsts is None:
                dsts = self._identities[res] = [
                    t
                    for t in self.graph.successors(res, "HAS_IDENTITY")
                    if self.graph.node(t)["kind"] == "AzureManagedIdentity"
                ]
        else:
            dsts = [res]
        conf = Confidence.CONDITIONAL if adata.get("condition") else Confidence.CONFIRMED
        for dst in dsts:
            if dst == principal:
                continue
            # Written in emit, for the record kept per edge only. Its inputs (the assignment's
            # node, the role, the names) do not change before then.
            evidence = partial(self._evidence, tech, principal, aid, adata, role, matched, res, dst)
            self.found[(principal, dst, tech.edge)].append((tech, conf, evidence))

    def _evidence(
        self,
        tech: Technique,
        principal: str,
        aid: str,
        adata: dict[str, Any],
        role: RoleDefinition,
        matched: tuple[str, str],
        res: str,
        dst: str,
    ) -> dict[str, Any]:
        op, pattern = matched
        grant = f"role '{role.name}' at {adata.get('scope')} (assignment {aid})"
        words = {
            "attacker": self.name(principal),
            "target": self.name(dst),
            "resource": self.name(res),
            "permissions": tech.permissions,
            "grant": grant,
            "service": "",
        }
        ev: dict[str, Any] = {
            "permission": op,
            "matched_pattern": pattern,
            "grant": grant,
            "role": role.name,
            "assignment": aid,
            "scope": adata.get("scope"),
            "technique": tech.sentence.format(**words),
            "technique_id": tech.id,
            "reference": tech.refs.text(),
            "fix": tech.fix.format(**words),
        }
        if res != dst:
            ev["resource"] = res
        if adata.get("condition"):
            ev["condition"] = f"role assignment condition: {adata.get('condition')}"
        return ev

    def emit(self) -> None:
        rank = {Confidence.CONFIRMED: 0, Confidence.CONDITIONAL: 1, Confidence.INFERRED: 2}
        for (src, dst, kind), found in sorted(self.found.items()):
            found.sort(key=lambda f: (rank[f[1]], f[0].id))
            tech, conf, evidence = found[0]
            ev = evidence()
            others = sorted({t.id for t, _c, _e in found[1:]} - {tech.id})
            if others:
                ev["also_via"] = others
            existing = self.graph.edge(src, dst, kind)
            if existing is not None:
                # Already derived (azure-rbac): say which technique it is, keep its evidence.
                prev = existing["evidence"]
                prev.setdefault("technique", ev["technique"])
                prev.setdefault("technique_id", tech.id)
                prev.setdefault("reference", ev["reference"])
                continue
            self.graph.add_edge(src, dst, kind, ev, conf)
            self.ctx.stats["azure.escalation_edges"] += 1


@dataclass(frozen=True)
class _Held:
    """One directory role a principal holds, as the Entra techniques read it."""

    assignment: str
    name: str
    template: str
    scope: str
    actions: tuple[str, ...]

    @property
    def tenant_wide(self) -> bool:
        return self.scope == "/"

    def covers(self, object_ids: set[str]) -> bool:
        """Tenant-wide, or scoped to one of these objects (``/<object id>``)."""
        return self.tenant_wide or self.scope.strip("/").lower() in object_ids

    def grant(self) -> str:
        where = "tenant-wide" if self.tenant_wide else f"at {self.scope}"
        return f"directory role '{self.name}' {where} (assignment {self.assignment})"


class EntraEscalation:
    """The Entra ID (directory) records of :mod:`aispm_graph.escalation.entra`.

    Walks each directory role assignment and each ``OWNS`` edge once, against the service
    principals, groups and users the graph holds (those with Azure roles or in groups that
    hold them), so the cost is holders times targets of their kind, no more."""

    def __init__(self, esc: AzureEscalation) -> None:
        self.esc = esc
        self.graph = esc.graph
        self.held: dict[str, list[_Held]] = defaultdict(list)
        for holder, aid, data in esc.directory_roles:
            self.held[holder].append(
                _Held(
                    aid,
                    str(data.get("role_name") or ""),
                    str(data.get("role_template_id") or "").lower(),
                    str(data.get("directory_scope") or "/"),
                    tuple(data.get("allowed_actions") or ()),
                )
            )
        self.sps = sorted(nid for nid, _d in esc.index("AzureServicePrincipal"))
        self.groups = sorted(nid for nid, _d in esc.index("EntraGroup"))
        self.users = sorted(nid for nid, _d in esc.index("EntraUser"))
        # Listed once: each admin holder below adds an edge per subscription, and a scan of
        # every node per holder would make that holders x estate.
        self.subscriptions = sorted(nid for nid, _d in esc.index("AzureSubscription"))
        # Object id -> the service principals and groups it names: a role scoped to one
        # object looks its targets up instead of testing every principal of the tenant.
        self.sps_by_object: dict[str, list[str]] = defaultdict(list)
        for sp in self.sps:
            data = self.graph.node(sp)
            for oid in {str(data.get("principal_id") or ""), str(data.get("app_object_id") or "")}:
                if oid:
                    self.sps_by_object[oid].append(sp)
        self.groups_by_object: dict[str, list[str]] = defaultdict(list)
        for group in self.groups:
            self.groups_by_object[str(self.graph.node(group).get("principal_id") or "")].append(
                group
            )

    def _scoped(
        self, role: _Held, everyone: list[str], by_object: dict[str, list[str]]
    ) -> list[str]:
        """The candidates a role can act on: everyone when tenant-wide, else those its scope
        names (in the same order); :meth:`_Held.covers` still decides."""
        if role.tenant_wide:
            return everyone
        return by_object.get(role.scope.strip("/").lower(), [])

    def run(self) -> None:
        apps = self.esc.app_roles
        owns = list(self.graph.edges("OWNS"))
        if not self.held and not apps and not owns:
            return
        by_id = {t.id: t for t in ENTRA_TECHNIQUES}
        # Tenant administrators get CAN_ADMINISTER and nothing else: their paths end at what
        # they administer, as an Owner's do (docs/escalation.md).
        admins = {
            holder
            for holder, roles in self.held.items()
            if any(r.tenant_wide and r.template in TENANT_ADMIN_ROLES for r in roles)
        } | {nid for nid, names in apps.items() if names & set(GRAPH_ADMIN_APP_ROLES)}
        for nid, names in sorted(apps.items()):
            self._graph_app(by_id, nid, names, admins)
        for owner, owned, edge in sorted(owns, key=lambda e: (e[0], e[1])):
            if owner in admins:
                continue
            kind = self.graph.node(owned)["kind"]
            what = ", ".join(edge.get("evidence", {}).get("owner_of") or ())
            name = self.esc.name(owned)
            if kind == "EntraAgentIdentity":
                name = str(self.graph.node(owned).get("app_display_name") or name)
            grant = f"owner of the {what} {name}"
            if kind == "AzureServicePrincipal":
                tech = by_id["az-entra-owner-add-credential"]
                op = APP_CREDENTIALS if "application" in what else SP_CREDENTIALS
                if self._credential_allowed(owned, op):
                    self._add(tech, owner, owned, grant, op, "ownership")
            elif kind == "EntraAgentIdentity":
                self._add(
                    by_id["az-entra-agent-blueprint-owner"],
                    owner,
                    owned,
                    grant,
                    APP_CREDENTIALS,
                    "ownership",
                )
            elif kind == "EntraGroup":
                self._add(
                    by_id["az-entra-group-owner-add-member"],
                    owner,
                    owned,
                    grant,
                    GROUP_MEMBERS,
                    "ownership",
                )
        protected = self._user_protection()
        for holder, roles in sorted(self.held.items()):
            for role in roles:
                if holder in admins:
                    self._admin(by_id, holder, role)
                else:
                    self._role(by_id, holder, role, protected)

    # -- conditions -------------------------------------------------------------------------
    def _credential_allowed(self, sp: str, op: str) -> bool:
        data = self.graph.node(sp)
        if str(data.get("service_principal_type") or "").lower() == "managedidentity":
            return False
        if data.get("first_party"):
            return False
        if op in (APP_CREDENTIALS, APP_OWNERS):
            return bool(data.get("app_object_id"))
        return True

    def _user_protection(self) -> dict[str, set[str]]:
        """Per user, what protects it from resets: the template ids of its directory roles
        (``custom`` for a custom role) and ``role-assignable-group`` for membership or
        ownership of a role-assignable group."""
        out: dict[str, set[str]] = defaultdict(set)
        for holder, roles in self.held.items():
            for role in roles:
                data = self.graph.node(role.assignment)
                out[holder].add(role.template if data.get("built_in") else "custom")
        for src, group, _e in [*self.graph.edges("MEMBER_OF"), *self.graph.edges("OWNS")]:
            if self.graph.node(group).get("role_assignable"):
                out[src].add("role-assignable-group")
        return out

    # -- directory roles --------------------------------------------------------------------
    def _role(
        self,
        by_id: dict[str, Technique],
        holder: str,
        role: _Held,
        protected: dict[str, set[str]],
    ) -> None:
        grant = role.grant()
        for tid in ("az-entra-role-add-credential", "az-entra-role-add-owner"):
            tech = by_id[tid]
            for op in tech.any_of:
                if allowed_by(role.actions, op) is None:
                    continue
                for sp in self._scoped(role, self.sps, self.sps_by_object):
                    data = self.graph.node(sp)
                    ids = {
                        str(data.get("principal_id") or ""),
                        str(data.get("app_object_id") or ""),
                    }
                    if (
                        sp != holder
                        and role.covers(ids - {""})
                        and self._credential_allowed(sp, op)
                    ):
                        self._add(tech, holder, sp, grant, op, role.assignment)
        tech = by_id["az-entra-role-add-member"]
        for group in self._scoped(role, self.groups, self.groups_by_object):
            gdata = self.graph.node(group)
            if group == holder or not role.covers({str(gdata.get("principal_id") or "")}):
                continue
            if gdata.get("role_assignable"):
                # only owners, Privileged Role Administrators and Global Administrators
                if role.template not in ROLE_ASSIGNABLE_GROUP_MANAGERS or not role.tenant_wide:
                    continue
            elif allowed_by(role.actions, GROUP_MEMBERS) is None or gdata.get("dynamic_membership"):
                continue
            self._add(tech, holder, group, grant, GROUP_MEMBERS, role.assignment)
        if role.tenant_wide and role.template in RESET_PROTECTION:
            tech = by_id["az-entra-password-reset"]
            for user in self.users:
                udata = self.graph.node(user)
                if user == holder or udata.get("external"):
                    continue
                if can_reset((role.template,), protected.get(user, set())) is None:
                    continue
                self._add(
                    tech,
                    holder,
                    user,
                    grant,
                    tech.all_of[0],
                    role.assignment,
                    condition="the password alone signs in only where MFA is not enforced "
                    "for the user (MFA registration and Conditional Access were not collected)",
                )

    def _graph_app(
        self, by_id: dict[str, Technique], nid: str, names: set[str], admins: set[str]
    ) -> None:
        """Microsoft Graph application permissions held by an application or identity."""
        held = sorted(names & set(GRAPH_ADMIN_APP_ROLES))
        if held:
            tech = by_id["az-entra-graph-grant-role"]
            grant = f"Microsoft Graph application permission {held[0]}"
            for sub in self.subscriptions:
                self._add(tech, nid, sub, grant, held[0], "graph-app-role")
            self.graph.set_prop(nid, "admin", True)
            self.graph.set_default_prop(nid, "admin_via", tech.id)
        if nid in admins or GRAPH_APP_WRITE not in names:
            return
        tech = by_id["az-entra-graph-add-secret"]
        grant = f"Microsoft Graph application permission {GRAPH_APP_WRITE}"
        for sp in self.sps:
            if sp != nid and self._credential_allowed(sp, APP_CREDENTIALS):
                self._add(tech, nid, sp, grant, GRAPH_APP_WRITE, "graph-app-role")

    def _admin(self, by_id: dict[str, Technique], holder: str, role: _Held) -> None:
        """Global Administrator and Privileged Role Administrator: every subscription."""
        if not (role.tenant_wide and role.template in TENANT_ADMIN_ROLES):
            return
        tid = (
            "az-entra-global-admin"
            if role.template == GLOBAL_ADMIN
            else "az-entra-privileged-role-admin"
        )
        tech = by_id[tid]
        for sub in self.subscriptions:
            self._add(tech, holder, sub, role.grant(), tech.all_of[0], role.assignment)
        self.graph.set_prop(holder, "admin", True)
        self.graph.set_default_prop(holder, "admin_via", tid)

    def _add(
        self,
        tech: Technique,
        src: str,
        dst: str,
        grant: str,
        op: str,
        assignment: str,
        condition: str = "",
    ) -> None:
        if src == dst:
            return
        data = self.graph.node(dst)
        resource = str(data.get("app_display_name") or self.esc.name(dst))
        if data["kind"] == "AzureServicePrincipal" and data.get("app_object_id"):
            resource = f"application {resource}"
        elif data["kind"] == "EntraAgentIdentity":
            resource = str(data.get("app_display_name") or data.get("blueprint") or resource)
        words = {
            "attacker": self.esc.name(src),
            "target": self.esc.name(dst),
            "resource": resource,
            "permissions": tech.permissions,
            "grant": grant,
            "service": "",
        }
        ev: dict[str, Any] = {
            "permission": op,
            "grant": grant,
            "technique": tech.sentence.format(**words),
            "technique_id": tech.id,
            "reference": tech.refs.text(),
            "fix": tech.fix.format(**words),
        }
        if assignment == "ownership":
            ev["ownership"] = grant
        elif assignment == "graph-app-role":
            ev["graph_app_role"] = op
        else:
            ev["assignment"] = assignment
            ev["role"] = self.graph.node(assignment).get("role_name")
        conf = Confidence.CONFIRMED
        if condition:
            conf = Confidence.CONDITIONAL
            ev["condition"] = condition
        self.esc.found[(src, dst, tech.edge)].append((tech, conf, partial(dict, ev)))


@deriver("access", "azure-escalation")
def azure_escalation(graph: Graph, ctx: BuildContext) -> None:
    """After azure-rbac (listed before it in build.PHASES), which links principals to roles."""
    if any(True for _ in graph.nodes("AzureRoleAssignment")) or any(
        True for _ in graph.nodes("EntraRoleAssignment")
    ):
        AzureEscalation(graph, ctx).run()
