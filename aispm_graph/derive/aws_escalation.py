"""One evaluator for every AWS escalation technique record (:mod:`aispm_graph.escalation.aws`).

Checking every technique for every (attacker, target) pair is quadratic: 100k resources hold
thousands of roles. The evaluator stays near linear in the number of principals with three
indexes, built once:

* **actions**: an inverted index from each action pattern in an Allow statement to the
  principals holding it. The principals whose policies *may* allow an action are the union
  over the patterns that match it; everyone else is skipped without evaluating a policy.
* **targets**: users, roles and groups by account, roles by the service their trust admits,
  resources by the role they run as, group members and attached policies per principal.
* **named resources**: when every Allow statement of an attacker for the action names exact
  ARNs, only those targets are tried instead of every principal of the account.

Only then is the full IAM evaluation (:func:`aispm_graph.knowledge.aws.iam.evaluate`) run, with
Deny, permission boundaries, SCPs and conditions. Conditions it cannot decide, and technique
conditions whose facts were not collected, are named in the edge's ``condition`` evidence.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from aispm_graph.escalation.aws import TECHNIQUES
from aispm_graph.escalation.model import On, Technique
from aispm_graph.graph.model import Confidence
from aispm_graph.knowledge.aws.iam import (
    Decision,
    PolicyError,
    Principal,
    Resource,
    Statement,
    Tri,
    account_of,
    action_matches,
    evaluate,
    parse_policy,
    resource_set,
    service_principals,
    statement_applies,
    statement_json,
    undecided_statements,
)

if TYPE_CHECKING:
    from aispm_graph.derive.aws_access import IamDeriver

ANY = resource_set("")
# Actions an administrator-equivalent policy allows everywhere; a principal allowed all of them
# on any resource holds *:* in effect (or a close equivalent such as NotAction: none).
ADMIN_PROBE = (
    "iam:CreatePolicyVersion",
    "ec2:RunInstances",
    "s3:GetObject",
    "sts:AssumeRole",
    "iam:PassRole",
    "kms:Decrypt",
)
_STAR = Statement("Allow", ("*",), (), ("*",), (), None, None, None, "", "self-granted", 0)
POLICY_ACTIONS = {"iam:createpolicyversion", "iam:setdefaultpolicyversion"}


def undecided(
    p: Principal, action: str, resource: Resource, context: dict[str, str] | None = None
) -> list[str]:
    """The statements whose conditions left (action, resource) undecided, as text."""
    out: list[str] = []
    for st in undecided_statements(p, action, resource, context):
        if st.condition:
            out.append(f"{st.label} ({st.effect}) if {json.dumps(st.condition, sort_keys=True)}")
        else:
            out.append(f"{st.label} ({st.effect}) names a policy variable in its Resource")
    return out


class ActionIndex:
    """Action pattern -> principals whose Allow statements hold it (the cheap 'may' filter)."""

    def __init__(self, principals: dict[str, Principal]) -> None:
        self.by_pattern: dict[str, set[str]] = defaultdict(set)
        self.not_action: list[tuple[str, tuple[str, ...]]] = []
        for pid, p in principals.items():
            self.add(pid, p)
        self._cache: dict[str, frozenset[str]] = {}

    def add(self, pid: str, p: Principal) -> None:
        for st in p.identity:
            if st.effect != "Allow":
                continue
            if st.actions:
                for a in st.actions:
                    self.by_pattern[a.lower()].add(pid)
            elif st.not_actions:
                self.not_action.append((pid, st.not_actions))
        self._cache = {}

    def may(self, action: str) -> frozenset[str]:
        hit = self._cache.get(action)
        if hit is None:
            found: set[str] = set()
            for pattern, pids in self.by_pattern.items():
                if action_matches(pattern, action):
                    found |= pids
            for pid, excluded in self.not_action:
                if not any(action_matches(x, action) for x in excluded):
                    found.add(pid)
            hit = self._cache[action] = frozenset(found)
        return hit

    def candidates(self, tech: Technique) -> frozenset[str]:
        out: frozenset[str] | None = None
        for action in tech.all_of:
            out = self.may(action) if out is None else out & self.may(action)
            if not out:
                return frozenset()
        if tech.any_of:
            alt: frozenset[str] = frozenset().union(*(self.may(a) for a in tech.any_of))
            out = alt if out is None else out & alt
        return out or frozenset()


def _named(p: Principal, action: str) -> set[str] | None:
    """Exact ARNs the attacker's Allow statements for ``action`` name; None when any of them
    uses a wildcard, a variable or NotResource (then every target must be tried)."""
    out: set[str] = set()
    for st in p.identity:
        if st.effect != "Allow":
            continue
        if statement_applies(st, action, ANY, {}, check_resource=False) is Tri.NO:
            continue
        if not st.resources:
            return None
        for r in st.resources:
            if any(ch in r for ch in "*?$"):
                return None
            out.add(r)
    return out


def _combine(decisions: Iterable[Decision]) -> Decision:
    ds = list(decisions)
    return Decision(
        min((d.allowed for d in ds), default=Tri.YES),
        grants=[g for d in ds for g in d.grants],
        denies=[x for d in ds for x in d.denies],
    )


Target = tuple[str, str, str | None]


class Escalation:
    """Applies the technique records to the principals of an :class:`IamDeriver`."""

    def __init__(self, deriver: IamDeriver) -> None:
        self.d = deriver
        self.graph = deriver.graph
        self.index = ActionIndex(deriver.p)
        self.by_account: dict[tuple[str, str], list[str]] = defaultdict(list)
        for kind in ("AWSUser", "AWSRole", "AWSGroup"):
            for nid, _data in deriver.index(kind):
                self.by_account[(kind, account_of(nid))].append(nid)
        self.groups_of: dict[str, list[str]] = defaultdict(list)
        for src, dst, _e in self.graph.edges("MEMBER_OF"):
            if self.graph.node(dst)["kind"] == "AWSGroup":
                self.groups_of[src].append(dst)
        self.trusting: dict[str, list[str]] = defaultdict(list)
        for rid, trust in deriver.trusts.items():
            services: set[str] = set()
            for st in trust:
                if st.effect == "Allow" and any(
                    a.lower() in {"sts:assumerole", "sts:*", "*"} for a in st.actions
                ):
                    services.update(service_principals(st))
            for svc in services:
                self.trusting[svc].append(rid)
        self.profile_roles = {
            str(d.get("role")) for _i, d in deriver.index("AWSInstanceProfile") if d.get("role")
        }
        self._gate_admin: dict[str, Decision] = {}
        self._any_cache: dict[tuple[str, str, str], Decision] = {}
        self._existing: dict[tuple[str, str], str | None] = {}  # (kind, account) -> one of it
        self.found: dict[tuple[str, str, str], list[tuple[Technique, Decision, dict[str, Any]]]]
        self.found = defaultdict(list)

    # -- facts ----------------------------------------------------------------------------
    def name(self, nid: str) -> str:
        return self.d.name(nid) if self.graph.has_node(nid) else nid

    def attached_policies(self, pid: str) -> list[str]:
        """Customer-managed policies attached to the principal or to its groups."""
        out: list[str] = []
        for holder in (pid, *self.groups_of.get(pid, ())):
            if not self.graph.has_node(holder):
                continue
            for entry in self.graph.node(holder).get("policies") or []:
                arn = str(entry.get("arn") or "") if isinstance(entry, dict) else ""
                if arn and account_of(arn) == account_of(pid) and arn not in out:
                    out.append(arn)
        return out

    def admin_gate(self, p: Principal) -> Decision:
        """Could the principal hold administrator rights if it granted itself ``*:*``? Its
        permission boundary and SCPs still apply to whatever it writes."""
        hit = self._gate_admin.get(p.arn)
        if hit is None:
            probe = Principal(p.arn, p.kind, [_STAR], p.boundary, p.scps)
            ds = [evaluate(probe, a, ANY) for a in ADMIN_PROBE]
            hit = _combine(ds) if all(d.ok for d in ds) else Decision(Tri.NO)
            self._gate_admin[p.arn] = hit
        return hit

    def condition(self, name: str, target: str, resource: str) -> tuple[Tri, str]:
        """Decide a named technique condition; the text says what was (not) known."""
        node = self.graph.node(resource) if self.graph.has_node(resource) else {}
        tnode = self.graph.node(target) if self.graph.has_node(target) else {}
        if name == "in-instance-profile":
            ok = target in self.profile_roles
            return (Tri.YES if ok else Tri.NO), "the role is in an instance profile"
        if name == "fewer-than-two-keys":
            keys = [
                k
                for k in self.graph.successors(target, "HAS_CREDENTIAL")
                if self.graph.node(k)["kind"] == "AccountAccessKey"
            ]
            ok = len(keys) < 2
            return (Tri.YES if ok else Tri.NO), f"the user has {len(keys)} access key(s)"
        if name in {"no-login-profile", "has-login-profile"}:
            have = tnode.get("login_profile")
            if have is None:
                return Tri.UNKNOWN, (
                    f"whether user {self.name(target)} has a console password (login profile) "
                    "was not collected"
                )
            want = name == "has-login-profile"
            return (Tri.YES if bool(have) == want else Tri.NO), (
                "the user has a console password" if have else "the user has no console password"
            )
        if name == "function-triggered":
            ok = bool(
                node.get("function_url")
                or node.get("event_sources")
                or node.get("agent_action_group")
            )
            return (Tri.YES if ok else Tri.NO), "its URL, event sources or an agent invoke it"
        if name == "ssm-managed":
            return self._ssm_managed(resource, node)
        if name == "ssh-reachable":
            for _src, _t, _e in self.graph.in_edges(resource, "INTERNET_EXPOSED"):
                return Tri.YES, "the instance's SSH port is reachable from the internet"
            return Tri.UNKNOWN, (
                f"whether the attacker can reach SSH on {self.name(resource)} is not known "
                "(it is not exposed to the internet)"
            )
        if name == "used-by-autoscaling":
            groups = node.get("autoscaling_groups") or []
            return (Tri.YES if groups else Tri.NO), (
                f"Auto Scaling groups {', '.join(groups)} launch from it"
                if groups
                else "no Auto Scaling group launches from it"
            )
        if name.startswith("exists:"):
            kind = name.removeprefix("exists:")
            acct = account_of(target)
            if (kind, acct) not in self._existing:
                self._existing[(kind, acct)] = next(
                    (n for n, _d in self.graph.nodes(kind) if account_of(n) == acct), None
                )
            found = self._existing[(kind, acct)]
            return (Tri.YES if found else Tri.NO), (
                f"{self.name(found)} is an existing {kind} of the account"
                if found
                else f"no {kind} exists in the account"
            )
        if name == "admin-version":
            return self._admin_version(resource)
        raise KeyError(f"unknown technique condition {name!r}")

    def _ssm_managed(self, resource: str, node: dict[str, Any]) -> tuple[Tri, str]:
        """SendCommand and StartSession reach an instance only through an online agent."""
        status = node.get("ssm_ping_status")
        managed = node.get("ssm_managed")
        name = self.name(resource)
        if status == "not-registered":
            return Tri.UNKNOWN, (
                f"agent presence unknown: Systems Manager does not list {name} as a managed "
                "instance (no registered SSM agent seen; it may register when it next starts)"
            )
        if managed is None:
            return Tri.UNKNOWN, (
                f"agent presence unknown: whether {name} runs a registered Systems Manager "
                "agent was not collected (ssm:DescribeInstanceInformation)"
            )
        if managed:
            return Tri.YES, f"the SSM agent of {name} is registered and online"
        return Tri.NO, f"the SSM agent of {name} is registered but {status or 'not online'}"

    def _admin_version(self, policy: str) -> tuple[Tri, str]:
        node = self.graph.node(policy) if self.graph.has_node(policy) else {}
        versions = node.get("versions")
        if versions is None:
            return (
                Tri.UNKNOWN,
                f"the non-default versions of {self.name(policy)} were not collected",
            )
        for v in versions:
            if not isinstance(v, dict) or v.get("default"):
                continue
            try:
                stmts = parse_policy(v.get("document"), f"{policy} version {v.get('id')}")
            except PolicyError:
                continue
            probe = Principal(policy, "policy", stmts)
            if all(evaluate(probe, a, ANY).ok for a in ADMIN_PROBE):
                return Tri.YES, f"version {v.get('id')} of {self.name(policy)} allows *:*"
        return Tri.NO, "no non-default version grants administrator access"

    # -- decisions ------------------------------------------------------------------------
    def decide(
        self, tech: Technique, p: Principal, target: Resource, role: str | None = None
    ) -> tuple[Decision, str] | None:
        """All permissions of the technique for ``p``; the decision and the permission that
        made it conditional (for the evidence), or None when it does not hold."""
        parts: list[tuple[str, Decision, Resource, dict[str, str]]] = []
        for action in tech.all_of:
            res, ctx = self._where(tech, action, target, role)
            d = self._eval(p, action, res, ctx)
            if not d.ok:
                return None
            parts.append((action, d, res, ctx))
        if tech.any_of:
            best: tuple[str, Decision, Resource, dict[str, str]] | None = None
            for action in tech.any_of:
                res, ctx = self._where(tech, action, target, role)
                d = self._eval(p, action, res, ctx)
                if d.ok and (best is None or d.allowed > best[1].allowed):
                    best = (action, d, res, ctx)
            if best is None:
                return None
            parts.append(best)
        # Grants of the permission on the target first: that is what the fix removes.
        parts.sort(key=lambda x: x[0] in tech.on_any)
        decision = _combine(d for _a, d, _r, _c in parts)
        texts: list[str] = []
        for action, d, res, ctx in parts:
            if d.conditional:
                texts.extend(f"{action}: {t}" for t in undecided(p, action, res, ctx))
        return decision, "; ".join(dict.fromkeys(texts))

    def _where(
        self, tech: Technique, action: str, target: Resource, role: str | None
    ) -> tuple[Resource, dict[str, str]]:
        if action == "iam:PassRole" and role is not None:
            to = tech.extra.get("passed_to") or tech.service
            return Resource(role), ({"iam:PassedToService": to} if to else {})
        if action in tech.on_any:
            return ANY, {}
        return target, {}

    def _eval(self, p: Principal, action: str, res: Resource, ctx: dict[str, str]) -> Decision:
        if res is ANY and not ctx:
            key = (p.arn, action, "")
            hit = self._any_cache.get(key)
            if hit is None:
                hit = self._any_cache[key] = evaluate(p, action, res)
            return hit
        return evaluate(p, action, res, context=ctx or None)

    # -- record application ---------------------------------------------------------------
    def candidates(self, tech: Technique) -> list[str]:
        kinds = set(tech.principal_kinds)
        out = []
        for pid in sorted(self.index.candidates(tech)):
            if pid not in self.d.p:
                continue  # an administrator already, or not a principal
            if kinds and self.graph.node(pid)["kind"] not in kinds:
                continue
            out.append(pid)
        return out

    def targets(self, tech: Technique, pid: str) -> list[Target]:
        """(edge target, resource the permissions are on, role passed or principal gone
        through) for one attacker."""
        acct = account_of(pid)
        p = self.d.p[pid]
        on = tech.on
        if on is On.SELF:
            return [(self._account(pid), pid, None)]
        if on is On.OWN_GROUP:
            return [(self._account(pid), gid, None) for gid in self.groups_of.get(pid, ())]
        if on is On.OWN_POLICY:
            return [(self._account(pid), pol, None) for pol in self.attached_policies(pid)]
        if on is On.NEW_PRINCIPAL:
            return [(self._account(pid), "", None)]
        if on in {On.USER, On.ROLE, On.GROUP}:
            kind = {On.USER: "AWSUser", On.ROLE: "AWSRole", On.GROUP: "AWSGroup"}[on]
            pool = self.by_account.get((kind, acct), [])
            named = _named(p, tech.all_of[0])
            if named is not None:
                pool = [t for t in pool if t in named]
            return [(t, t, None) for t in pool if t != pid]
        if on is On.SERVICE_ROLE:
            roles = self.trusting.get(tech.service, [])
            named = _named(p, "iam:PassRole")
            if named is not None:
                roles = [r for r in roles if r in named]
            # iam:PassRole only ever passes roles of the caller's own account.
            return [(r, r, r) for r in roles if r != pid and account_of(r) == acct]
        if on is On.RUNS_AS:
            out: list[Target] = []
            for kind in tech.resource_kinds:
                for rid, role in self.d.runs_as.get(kind, []):
                    if role != pid and account_of(rid) == acct:
                        out.append((role, rid, role))
            return out
        if on is On.REACHED_PRINCIPAL:
            reached: list[Target] = []
            for _s, t, edata in self.graph.out_edges(pid):
                if edata["kind"] not in {"CAN_ASSUME", "CAN_ESCALATE_TO"} or t not in self.d.p:
                    continue
                if account_of(t) != acct or t == pid:
                    continue
                if tech.resource_kinds and self.graph.node(t)["kind"] not in tech.resource_kinds:
                    continue
                # The edge ends at the account; the third slot names the principal it goes
                # through (whose boundary and SCPs decide whether it can become admin).
                acct_node = self._account(pid)
                if any(a.lower() in POLICY_ACTIONS for a in tech.all_of):
                    reached.extend((acct_node, pol, t) for pol in self.attached_policies(t))
                else:
                    reached.append((acct_node, t, t))
            return reached
        return []

    def _account(self, pid: str) -> str:
        return self.d.account_node.get(account_of(pid), "")

    def apply(self, tech: Technique) -> None:
        for pid in self.candidates(tech):
            p = self.d.p[pid]
            for dst, on_res, role in self.targets(tech, pid):
                if not dst or not self.graph.has_node(dst):
                    continue
                self._one(tech, pid, p, dst, on_res, role)

    def _one(
        self, tech: Technique, pid: str, p: Principal, dst: str, on_res: str, role: str | None
    ) -> None:
        if tech.on is On.NEW_PRINCIPAL:
            word = "role" if "iam:CreateRole" in tech.all_of else "user"
            target = resource_set(f"arn:aws:iam::{account_of(pid)}:{word}/")
        else:
            target = Resource(on_res)
        cond_tri, cond_texts = Tri.YES, []
        for cname in tech.conditions:
            t, text = self.condition(cname, dst, on_res)
            if t is Tri.NO:
                return
            if t is Tri.UNKNOWN:
                cond_texts.append(text)
            cond_tri = min(cond_tri, t)
        got = self.decide(tech, p, target, role)
        if got is None:
            return
        decision, undecided_text = got
        if tech.edge == "CAN_ADMINISTER":
            holder = p if tech.on is not On.REACHED_PRINCIPAL else self.d.p[str(role)]
            gate = self.admin_gate(holder)
            if not gate.ok:
                return  # what it can grant stays inside a boundary / SCPs short of admin
            if gate.conditional:
                cond_texts.append("the permission boundary or SCPs allow *:* only conditionally")
            decision = Decision(
                min(decision.allowed, gate.allowed), decision.grants, decision.denies
            )
        decision = Decision(min(decision.allowed, cond_tri), decision.grants, decision.denies)
        if undecided_text:
            cond_texts.insert(0, undecided_text)
        ev = self.evidence(tech, pid, dst, on_res, role, decision, cond_texts)
        self.found[(pid, dst, tech.edge)].append((tech, decision, ev))

    def evidence(
        self,
        tech: Technique,
        pid: str,
        dst: str,
        on_res: str,
        role: str | None,
        decision: Decision,
        cond_texts: list[str],
    ) -> dict[str, Any]:
        st = decision.grants[0] if decision.grants else None
        words = {
            "attacker": self.name(pid),
            "target": self.name(dst) if tech.on is not On.OWN_GROUP else self.name(on_res),
            "resource": self.name(on_res) if on_res else self.name(dst),
            "service": tech.extra.get("passed_to") or tech.service,
            "permissions": tech.permissions,
        }
        if tech.on in {On.OWN_GROUP, On.OWN_POLICY}:
            words["target"] = self.name(on_res)
        if tech.on is On.REACHED_PRINCIPAL and role:
            words["target"] = self.name(role)
            words["resource"] = self.name(on_res)
        fix = tech.fix.format(**words)
        if st is not None:
            fix += f" (granted by statement {st.sid or st.index} of {st.policy})"
        ev: dict[str, Any] = {
            "permission": tech.permissions,
            "permissions": ", ".join([*tech.all_of, *tech.any_of]),
            "technique": tech.sentence.format(**words),
            "technique_id": tech.id,
            "reference": tech.refs.text(),
            "grant": st.label if st else "",
            "statement": statement_json(st) if st else "",
            "policy": st.policy if st else "",
            "fix": fix,
        }
        if tech.service:
            ev["service"] = tech.service
        if on_res and on_res != dst:
            ev["resource"] = on_res
        if tech.on is On.REACHED_PRINCIPAL and role:
            ev["through"] = role
        if role and tech.on is On.RUNS_AS and on_res.startswith("arn:aws:lambda"):
            ev["function"] = on_res
        if decision.conditional:
            ev["condition"] = "; ".join(cond_texts) or "a condition could not be decided offline"
        return ev

    def emit(self) -> list[str]:
        """Add one edge per (attacker, target, kind): the strongest technique, the others
        listed. Returns the principals that became administrators."""
        admins: list[str] = []
        for (src, dst, kind), found in sorted(self.found.items()):
            found.sort(key=lambda f: (-int(f[1].allowed), f[0].id))
            tech, decision, ev = found[0]
            others = [t.id for t, _d, _e in found[1:]]
            if others:
                ev["also_via"] = others
            conf = Confidence.CONDITIONAL if decision.conditional else Confidence.CONFIRMED
            self.graph.add_edge(src, dst, kind, ev, conf)
            if kind == "CAN_ADMINISTER":
                self.graph.set_prop(src, "admin", True)
                self.graph.set_default_prop(src, "admin_via", tech.id)
                admins.append(src)
        self.found.clear()
        return admins

    def run_phase(self, ons: set[On]) -> list[str]:
        for tech in TECHNIQUES:
            if tech.on in ons and tech.id != "aws-sts-assume-role":
                self.apply(tech)
        return self.emit()


ADMIN_PHASE = {On.SELF, On.OWN_GROUP, On.OWN_POLICY, On.NEW_PRINCIPAL}
EDGE_PHASE = {On.USER, On.ROLE, On.GROUP, On.SERVICE_ROLE, On.RUNS_AS}
REACH_PHASE = {On.REACHED_PRINCIPAL}


def group_principal(gid: str, data: dict[str, Any], policies: list[Statement]) -> Principal:
    """A group as the principal its new members become (their own boundary aside)."""
    return Principal(arn=gid, kind="group", identity=policies)
