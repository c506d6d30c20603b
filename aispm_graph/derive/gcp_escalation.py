"""One evaluator for the GCP escalation technique records (:mod:`aispm_graph.escalation.gcp`).

It runs right after ``gcp-iam`` and reads the same facts: allow-policy bindings on every node
(``iam_bindings``), inherited down ``ancestors``, with role permissions from the shipped table
and collected custom roles. Bindings are indexed once by (permission, member) for the
permissions the records use, so a technique only visits the members that hold its permission
and the resources under the scopes where they hold it -- never members times resources.

``gcp-iam`` already derives some of these edges (token creation, key creation, actAs,
code updates); for those the technique id and reference are added to the existing edge, and a
technique that proves more (actAs with a way to run code the rule table does not know) replaces
an ``inferred`` edge with a confirmed one. A member that can grant itself anything on a project
becomes its administrator exactly like an Owner: its other edges into the project are dropped.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from aispm_graph.build import BuildContext, deriver
from aispm_graph.escalation.gcp import TECHNIQUES
from aispm_graph.escalation.model import Technique
from aispm_graph.graph.model import CONFIDENCE_RANK, Confidence, Graph
from aispm_graph.knowledge.gcp.roles import RoleSpec, custom_role, predefined_roles

KEY_CREATION = "iam.disableServiceAccountKeyCreation"
NEEDED = sorted({p for t in TECHNIQUES for p in (*t.all_of, *t.any_of)})
SCOPE_KINDS = {
    "resourcemanager.folders.": {"GCPFolder", "GCPOrganization"},
    "resourcemanager.organizations.": {"GCPOrganization"},
}


def key_creation_ban(graph: Graph, target: str) -> str:
    """Where ``iam.disableServiceAccountKeyCreation`` is enforced over the project of the
    service account ``target`` (text for the evidence), or "" when it is not (or was not
    read). The constraint refuses new keys, so key creation alone is no escalation there."""
    for scope in graph.node(target).get("ancestors") or []:
        if not graph.has_node(scope) or graph.node(scope)["kind"] != "GCPProject":
            continue
        pol = (graph.node(scope).get("org_policies") or {}).get(KEY_CREATION) or {}
        if pol.get("enforced"):
            where = pol.get("set_at") or scope
            name = graph.node(where)["name"] if graph.has_node(where) else where
            return f"{KEY_CREATION} enforced at {name}, lifted with orgpolicy.policy.set"
        return ""
    return ""


@dataclass(frozen=True)
class Grant:
    member: str
    holder: str
    role: str
    condition: str
    via_group: str = ""

    def text(self, graph: Graph) -> str:
        cond = f" if {self.condition}" if self.condition else ""
        grp = f" (through group {self.via_group})" if self.via_group else ""
        return f"{self.role} on {graph.node(self.holder)['name']}{grp}{cond}"


_KEY_CONDITIONS = frozenset({"key-creation-allowed", "key-creation-blocked"})


class GcpEscalation:
    def __init__(self, graph: Graph, ctx: BuildContext) -> None:
        self.graph = graph
        self.ctx = ctx
        self.roles: dict[str, RoleSpec] = dict(predefined_roles())
        self.descendants: dict[str, list[str]] = defaultdict(list)
        self.ancestors: dict[str, list[str]] = {}
        self.sa_by_email: dict[str, str] = {}
        self.custom_defs: dict[str, str] = {}  # custom role name -> node defining it
        holders: list[str] = []
        for nid, data in graph.nodes():
            if data.get("provider") != "gcp":
                continue
            anc = [a for a in data.get("ancestors") or [] if isinstance(a, str)]
            self.ancestors[nid] = anc
            for a in anc:
                self.descendants[a].append(nid)
            if data.get("iam_bindings"):
                holders.append(nid)
            if data["kind"] == "GCPServiceAccount" and data.get("email"):
                self.sa_by_email[str(data["email"])] = nid
            for name, perms in (data.get("custom_roles") or {}).items():
                self.roles[name] = custom_role(name, list(perms))
                self.custom_defs[name] = nid
        members_of: dict[str, list[str]] = defaultdict(list)
        for src, grp, _e in graph.edges("MEMBER_OF"):
            if graph.node(grp).get("provider") == "gcp":
                members_of[grp].append(src)
        # (permission, member) -> grants; role -> grants (for custom roles being updated)
        self.by_perm: dict[str, dict[str, list[Grant]]] = defaultdict(lambda: defaultdict(list))
        self.by_role: dict[str, list[Grant]] = defaultdict(list)
        for holder in sorted(holders):
            for b in graph.node(holder)["iam_bindings"]:
                role = str(b.get("role"))
                spec = self.roles.get(role)
                cond = b.get("condition") or {}
                ctext = str(cond.get("title") or cond.get("expression") or "")
                for raw in b.get("members") or []:
                    member = self.member(str(raw))
                    if member is None:
                        continue
                    grants = [Grant(member, holder, role, ctext)]
                    grants += [
                        Grant(m, holder, role, ctext, graph.node(member)["name"])
                        for m in members_of.get(member, [])
                    ]
                    for gr in grants:
                        self.by_role[role].append(gr)
                        if spec is None:
                            continue
                        for perm in NEEDED:
                            if perm in spec.permissions:
                                self.by_perm[perm][gr.member].append(gr)
        self.found: dict[
            tuple[str, str, str], list[tuple[Technique, Confidence, Callable[[], dict[str, Any]]]]
        ]
        self.found = defaultdict(list)

    def member(self, raw: str) -> str | None:
        prefix, _, rest = raw.partition(":")
        if prefix == "serviceAccount":
            return self.sa_by_email.get(rest) or None
        return raw if self.graph.has_node(raw) else None

    # -- facts ----------------------------------------------------------------------------
    def under(self, holder: str) -> list[str]:
        return [holder, *self.descendants.get(holder, [])]

    def held(self, member: str, perm: str, target: str) -> Grant | None:
        """The best grant of ``perm`` to ``member`` on ``target`` (inherited included)."""
        chain = {target, *self.ancestors.get(target, [])}
        found = [g for g in self.by_perm.get(perm, {}).get(member, []) if g.holder in chain]
        found.sort(key=lambda g: (bool(g.condition), g.role))
        return found[0] if found else None

    def _holder_ok(self, perm: str, holder: str) -> bool:
        for prefix, kinds in SCOPE_KINDS.items():
            if perm.startswith(prefix):
                return self.graph.node(holder)["kind"] in kinds
        return True

    # -- techniques -----------------------------------------------------------------------
    def _below(self, holder: str, kinds: tuple[str, ...]) -> tuple[int, list[str]]:
        """What is under ``holder`` (itself included) of one of ``kinds``, and how many
        resources that looked at: shared by every member and technique granted there."""
        key = (holder, kinds)
        hit = self._below_memo.get(key)
        if hit is None:
            below = self.under(holder)
            node = self.graph.node
            hit = (len(below), [t for t in below if node(t)["kind"] in kinds])
            self._below_memo[key] = hit
        return hit

    def run(self) -> None:
        self._below_memo: dict[tuple[str, tuple[str, ...]], tuple[int, list[str]]] = {}
        for tech in TECHNIQUES:
            if "held-custom-role" in tech.conditions:
                self._custom_role_update(tech)
                continue
            primary = next(p for p in tech.all_of if p not in tech.on_any)
            for member, grants in sorted(self.by_perm.get(primary, {}).items()):
                targets: dict[str, Grant] = {}
                for gr in grants:
                    if not self._holder_ok(primary, gr.holder):
                        continue
                    visits, below = self._below(gr.holder, tech.resource_kinds)
                    self.ctx.stats["gcp.escalation_visits"] += visits
                    for t in below:
                        if t != member:
                            best = targets.get(t)
                            if best is None or (best.condition and not gr.condition):
                                targets[t] = gr
                ai_data = "ai-data" in tech.conditions
                for t, gr in sorted(targets.items()):
                    if ai_data and not self.graph.node(t).get("data_role"):
                        continue  # the technique reaches AI data only
                    self._one(tech, member, t, gr, primary)
        self.emit()

    def _one(self, tech: Technique, member: str, target: str, gr: Grant, primary: str) -> None:
        """``primary``: the technique's first permission on the target (what ``gr`` grants)."""
        node = self.graph.node(target)
        conf = Confidence.CONDITIONAL if gr.condition else Confidence.CONFIRMED
        conds: list[str] = [f"IAM condition: {gr.condition}"] if gr.condition else []
        if "ai-data" in tech.conditions and not node.get("data_role"):
            return
        guardrail = ""
        if "storage-only" in tech.conditions:
            conf = Confidence.CONDITIONAL
            conds.append(
                "an HMAC key acts as the service account in Cloud Storage only: its other "
                "permissions are not reached with it"
            )
        if not _KEY_CONDITIONS.isdisjoint(tech.conditions):
            blocked = self.key_creation_ban(target)
            if ("key-creation-blocked" in tech.conditions) != bool(blocked):
                return
            guardrail = blocked
        extra: list[str] = []
        for perm in tech.all_of:
            # The other permissions needed on the same target (or an ancestor of it).
            if perm == primary or perm in tech.on_any:
                continue
            also = self.held(member, perm, target)
            if also is None:
                return
            if also.condition:
                conf = Confidence.CONDITIONAL
                conds.append(f"IAM condition: {also.condition}")
            extra.append(f"{perm}: {also.text(self.graph)}")
        for perm in tech.on_any:
            # Created where the service account lives: its project (or anything above it).
            local = self.held(member, perm, target)
            if local is not None:
                extra.append(local.text(self.graph))
                continue
            anywhere = self.by_perm.get(perm, {}).get(member)
            if not anywhere:
                return
            conf = Confidence.CONDITIONAL
            conds.append(
                f"{perm} is held only outside the service account's project "
                f"({anywhere[0].text(self.graph)}): it needs cross-project service account use"
            )
            extra.append(anywhere[0].text(self.graph))
        self._record(tech, member, target, target, gr, conf, conds, extra, guardrail)

    def key_creation_ban(self, target: str) -> str:
        return key_creation_ban(self.graph, target)

    def _custom_role_update(self, tech: Technique) -> None:
        """A custom role bound to the member, whose definition the member may update."""
        for role, defined_on in sorted(self.custom_defs.items()):
            for bound in self.by_role.get(role, []):
                upd = self.held(bound.member, "iam.roles.update", defined_on)
                if upd is None:
                    continue
                conf = (
                    Confidence.CONDITIONAL
                    if upd.condition or bound.condition
                    else Confidence.CONFIRMED
                )
                conds = [f"IAM condition: {c}" for c in (upd.condition, bound.condition) if c]
                below = self.under(bound.holder)
                self.ctx.stats["gcp.escalation_visits"] += len(below)
                for t in below:
                    if self.graph.node(t)["kind"] in tech.resource_kinds:
                        self._record(tech, bound.member, t, role, upd, conf, conds, [])

    def _record(
        self,
        tech: Technique,
        member: str,
        dst: str,
        resource: str,
        gr: Grant,
        conf: Confidence,
        conds: list[str],
        extra: list[str],
        guardrail: str = "",
    ) -> None:
        # The evidence is written in emit, for the one record per edge that is kept (about
        # half of them): its text is most of this pass's cost. The inputs are not changed
        # after this call, and nothing in between renames a node.
        evidence = partial(self._evidence, tech, member, dst, resource, gr, conds, extra, guardrail)
        self.found[(member, dst, tech.edge)].append((tech, conf, evidence))

    def _evidence(
        self,
        tech: Technique,
        member: str,
        dst: str,
        resource: str,
        gr: Grant,
        conds: list[str],
        extra: list[str],
        guardrail: str,
    ) -> dict[str, Any]:
        rname = self.graph.node(resource)["name"] if self.graph.has_node(resource) else resource
        grant = gr.text(self.graph)
        words = {
            "attacker": self.graph.node(member)["name"],
            "target": self.graph.node(dst)["name"],
            "resource": rname,
            "permissions": tech.permissions,
            "grant": grant,
            "service": "",
        }
        ev: dict[str, Any] = {
            "permission": tech.permissions,
            "grant": grant,
            "role": gr.role,
            "technique": tech.sentence.format(**words),
            "technique_id": tech.id,
            "reference": tech.refs.text(),
            "fix": tech.fix.format(**words),
        }
        if extra:
            ev["also_granted"] = extra
        if guardrail:
            ev["guardrail"] = guardrail
        if conds:
            ev["condition"] = "; ".join(conds)
        return ev

    def emit(self) -> None:
        admins: dict[str, set[str]] = defaultdict(set)
        for (src, dst, kind), found in sorted(self.found.items()):
            found.sort(key=lambda f: (-CONFIDENCE_RANK[f[1]], f[0].id))
            tech, conf, evidence = found[0]
            ev = evidence()
            others = sorted({t.id for t, _c, _e in found[1:]} - {tech.id})
            if others:
                ev["also_via"] = others
            existing = self.graph.edge(src, dst, kind)
            if (
                existing is not None
                and CONFIDENCE_RANK[Confidence(existing["confidence"])] >= CONFIDENCE_RANK[conf]
            ):
                prev = existing["evidence"]
                prev.setdefault("technique_id", tech.id)
                prev.setdefault("reference", ev["reference"])
                if others:
                    prev.setdefault("also_via", others)
            else:
                if existing is not None:
                    self.graph.remove_edge(src, dst, kind)
                self.graph.add_edge(src, dst, kind, ev, conf)
            if kind == "CAN_ADMINISTER" and conf is Confidence.CONFIRMED:
                admins[src].add(dst)
                self.graph.set_prop(src, "admin", True)
                self.graph.set_default_prop(src, "admin_via", tech.id)
        # Administrator of a project: every edge into it is implied (as for roles/owner).
        # (Read from the adjacency in out_edges order; the cheap tests first: an administrator
        # has an edge to most of its projects' resources.)
        no_ancestors: list[str] = []
        for src, projects in admins.items():
            out = [(dst, e["kind"]) for _s, dst, e in self.graph.out_edges(src)]
            for dst, kind in out:
                if kind == "CAN_ADMINISTER" or dst in projects or not kind.startswith("CAN_"):
                    continue
                if not projects.isdisjoint(self.ancestors.get(dst, no_ancestors)):
                    self.graph.remove_edge(src, dst, kind)


@deriver("facts", "gcp-escalation")
def gcp_escalation(graph: Graph, ctx: BuildContext) -> None:
    """After gcp-iam (listed before it in build.PHASES), before the exposure phase."""
    if any(True for _ in graph.nodes("GCPProject")):
        GcpEscalation(graph, ctx).run()
