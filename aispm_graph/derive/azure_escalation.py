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
from typing import Any

from aispm_graph.build import BuildContext, deriver
from aispm_graph.escalation.azure import TECHNIQUES
from aispm_graph.escalation.model import On, Technique
from aispm_graph.graph.model import Confidence, Graph
from aispm_graph.knowledge.azure.arm import MG_PREFIX, norm
from aispm_graph.knowledge.azure.roles import RoleDefinition

KINDS = sorted({k for t in TECHNIQUES for k in t.resource_kinds})


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
    """Sorted ids of the resources the records act on, for 'everything below this scope'."""

    def __init__(self, graph: Graph) -> None:
        self.ids = sorted(nid for kind in KINDS for nid, _d in graph.nodes(kind))
        self.subs = {nid for nid, _d in graph.nodes("AzureSubscription")}

    def __call__(self, scope: str) -> list[str]:
        out = []
        i = bisect.bisect_left(self.ids, scope)
        while i < len(self.ids) and self.ids[i].startswith(scope):
            nid = self.ids[i]
            if nid == scope or nid.startswith(scope + "/"):
                out.append(nid)
            i += 1
        return out


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
        self.g = graph
        self.ctx = ctx
        self.under = _Under(graph)
        self.found: dict[tuple[str, str, str], list[tuple[Technique, Confidence, dict[str, Any]]]]
        self.found = defaultdict(list)

    def name(self, nid: str) -> str:
        return str(self.g.node(nid)["name"])

    def condition(self, name: str, node: dict[str, Any]) -> bool:
        if name == "access-policy-vault":
            return node.get("rbac_authorization") is False
        if name == "rbac-vault":
            return node.get("rbac_authorization") is True
        if name == "user-assigned":
            return str(node.get("identity_type") or "").lower() == "userassigned"
        raise KeyError(f"unknown technique condition {name!r}")

    def run(self) -> None:
        for principal, aid, _e in self.g.edges("ASSIGNED"):
            adata = self.g.node(aid)
            if adata["kind"] != "AzureRoleAssignment":
                continue
            role = _role(adata)
            if role is None:
                continue
            for tech in TECHNIQUES:
                matched = self._matches(tech, role)
                if matched is None:
                    continue
                for scope in _scopes(adata, self.under):
                    # A set lookup, not a scan of every subscription per assignment.
                    if tech.on is On.SCOPE:
                        targets = [scope] if scope in self.under.subs else []
                    else:
                        targets = self.under(scope)
                    self.ctx.stats["azure.escalation_visits"] += len(targets)
                    for res in targets:
                        self._apply(tech, principal, aid, adata, role, matched, res)
        self.emit()

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
        node = self.g.node(res)
        if tech.resource_kinds and node["kind"] not in tech.resource_kinds:
            return
        if not all(self.condition(c, node) for c in tech.conditions):
            return
        if tech.on is On.RUNS_AS and tech.edge == "CAN_ESCALATE_TO":
            dsts = [
                t
                for _s, t, k in self.g.g.out_edges(res, keys=True)
                if k == "HAS_IDENTITY" and self.g.node(t)["kind"] == "AzureManagedIdentity"
            ]
        else:
            dsts = [res]
        for dst in dsts:
            if dst == principal:
                continue
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
            conf = Confidence.CONFIRMED
            if adata.get("condition"):
                conf = Confidence.CONDITIONAL
                ev["condition"] = f"role assignment condition: {adata.get('condition')}"
            self.found[(principal, dst, tech.edge)].append((tech, conf, ev))

    def emit(self) -> None:
        rank = {Confidence.CONFIRMED: 0, Confidence.CONDITIONAL: 1, Confidence.INFERRED: 2}
        for (src, dst, kind), found in sorted(self.found.items()):
            found.sort(key=lambda f: (rank[f[1]], f[0].id))
            tech, conf, ev = found[0]
            others = sorted({t.id for t, _c, _e in found[1:]} - {tech.id})
            if others:
                ev["also_via"] = others
            existing = self.g.edge(src, dst, kind)
            if existing is not None:
                # Already derived (azure-rbac): say which technique it is, keep its evidence.
                prev = existing["evidence"]
                prev.setdefault("technique", ev["technique"])
                prev.setdefault("technique_id", tech.id)
                prev.setdefault("reference", ev["reference"])
                continue
            self.g.add_edge(src, dst, kind, ev, conf)
            self.ctx.stats["azure.escalation_edges"] += 1


@deriver("access", "azure-escalation")
def azure_escalation(graph: Graph, ctx: BuildContext) -> None:
    """After azure-rbac (listed before it in build.PHASES), which links principals to roles."""
    if any(True for _ in graph.nodes("AzureRoleAssignment")):
        AzureEscalation(graph, ctx).run()
