"""AWS attack-step edges from IAM evaluation, resource policies and network facts.

Two passes:

* ``aws-public`` (before the neutral exposure pass) decides what anyone on the internet can
  use without credentials: buckets whose policy or ACL is public after the public access block
  (``public_read`` / ``public_write``), Lambda function URLs with auth ``NONE`` whose resource
  policy admits everyone, roles whose trust admits any AWS principal; and internet-facing
  load balancers, which expose their targets on the listener ports.
* ``aws-iam`` evaluates every user and role with :mod:`aispm_graph.knowledge.aws.iam` and adds
  the edges an attacker walks: compute to its role, role assumption, privilege escalation,
  administrator of the account, and invoke/read/write on AI models, agents, knowledge bases,
  AI data and secrets. Each edge carries the permission, the granting statement and policy,
  the technique where there is one, and a ``fix`` sentence; undecidable conditions make it
  ``conditional``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from aispm_graph.build import BuildContext, deriver
from aispm_graph.derive.aws_escalation import (
    ADMIN_PHASE,
    ADMIN_PROBE,
    EDGE_PHASE,
    REACH_PHASE,
    Escalation,
    undecided,
)
from aispm_graph.derive.kinds import KindIndex
from aispm_graph.escalation.model import On
from aispm_graph.external import add_external_account
from aispm_graph.graph.model import Confidence, Graph
from aispm_graph.knowledge.aws.iam import (
    Decision,
    PolicyError,
    Principal,
    Resource,
    Statement,
    Tri,
    account_of,
    evaluate,
    parse_policy,
    principal_match,
    principal_values,
    public_grants,
    resource_set,
    statement_applies,
    statement_json,
)
from aispm_graph.net.ports import fmt_ranges, intersect, normalize, parse_port_spec
from aispm_graph.schema import INTERNET_ID

# -- policy loading ------------------------------------------------------------------------------


def _load(graph: Graph, ctx: BuildContext, owner: str, entries: Any) -> list[Statement]:
    out: list[Statement] = []
    for entry in entries or []:
        if not isinstance(entry, dict):
            continue
        name = str(entry.get("arn") or entry.get("name") or owner)
        try:
            out.extend(parse_policy(entry.get("document"), name))
        except PolicyError as exc:
            ctx.warn(f"aws: {owner}: {exc}; policy ignored")
    return out


def _resource_policy(graph: Graph, ctx: BuildContext, node_id: str) -> list[Statement]:
    doc = graph.node(node_id).get("resource_policy")
    if not doc:
        return []
    try:
        return parse_policy(doc, f"resource policy of {graph.node(node_id)['name']}")
    except PolicyError as exc:
        ctx.warn(f"aws: {node_id}: {exc}; resource policy ignored")
        return []


def principals(
    graph: Graph,
    ctx: BuildContext,
    kinds: tuple[str, ...] = ("AWSUser", "AWSRole"),
    index: KindIndex | None = None,
) -> dict[str, Principal]:
    """Users and roles with identity policies (groups folded in), boundary and SCPs; with
    ``AWSGroup`` in ``kinds``, groups too, as the principal a new member would become.
    ``index``: the nodes of these kinds and of ``AWSAccount``, read already."""
    nodes = index if index is not None else graph.nodes
    group_pols: dict[str, list[Statement]] = {}
    for gid, data in nodes("AWSGroup"):
        group_pols[gid] = _load(graph, ctx, gid, data.get("policies"))
    scps_of: dict[str, list[list[Statement]]] = {}
    for aid, data in nodes("AWSAccount"):
        levels = data.get("scps") or []
        scps_of[str(data.get("tenant") or data["name"])] = [
            _load(graph, ctx, aid, level) for level in levels
        ]
    out: dict[str, Principal] = {}
    for kind in kinds:
        for pid, data in nodes(kind):
            if kind == "AWSGroup":
                stmts = list(group_pols[pid])
            else:
                stmts = _load(graph, ctx, pid, data.get("policies"))
            if kind == "AWSUser":
                for _s, gid, _e in graph.out_edges(pid):
                    if gid in group_pols and graph.edge(pid, gid, "MEMBER_OF"):
                        stmts.extend(group_pols[gid])
            pb = data.get("permissions_boundary")
            boundary = _load(graph, ctx, pid, [pb]) if pb else None
            out[pid] = Principal(
                arn=pid,
                kind={"AWSUser": "user", "AWSRole": "role"}.get(kind, "group"),
                identity=stmts,
                boundary=boundary,
                scps=scps_of.get(str(data.get("tenant")), []),
            )
    return out


# -- evidence ------------------------------------------------------------------------------------


def _confidence(decision: Decision) -> Confidence:
    return Confidence.CONDITIONAL if decision.conditional else Confidence.CONFIRMED


def _evidence(
    decision: Decision, permission: str, fix: str, *, undecided_text: str = "", **extra: Any
) -> dict[str, Any]:
    """Evidence of a permission-derived edge. A conditional edge names what was undecided:
    the granting statement's condition, a Deny's, or ``undecided_text`` (statements of a
    boundary, SCP or policy variable) -- never an empty ``null``."""
    st = decision.grants[0] if decision.grants else None
    ev: dict[str, Any] = {
        "permission": permission,
        "grant": st.label if st else "",
        "statement": statement_json(st) if st else "",
        "policy": st.policy if st else "",
        "fix": fix,
    }
    if decision.conditional:
        cond = (st.condition if st and st.condition else None) or next(
            (d.condition for d in decision.denies if d.condition), None
        )
        if cond:
            ev["condition"] = "a condition could not be decided offline: " + json.dumps(
                cond, sort_keys=True
            )
        else:
            ev["condition"] = undecided_text or "a condition could not be decided offline"
    ev.update({k: v for k, v in extra.items() if v is not None})
    return ev


def _fix_remove(decision: Decision, permission: str, who: str, what: str) -> str:
    st = decision.grants[0] if decision.grants else None
    where = f"statement {st.sid or st.index} of {st.policy}" if st else "its policies"
    return (
        f"Remove {permission} for {what} from {where} (granted to {who}), or add an "
        f"explicit Deny for it"
    )


# -- public access -------------------------------------------------------------------------------

READ_ACTIONS = ("s3:GetObject",)
WRITE_ACTIONS = ("s3:PutObject",)


def _public_buckets(graph: Graph, ctx: BuildContext) -> None:
    for bid, data in list(graph.nodes("S3Bucket")):
        pab = data.get("public_access_block") or {}
        name = data["name"]
        stmts = _resource_policy(graph, ctx, bid)
        obj = resource_set(f"arn:aws:s3:::{name}/")
        for prop, actions, acl_perms in (
            ("public_read", READ_ACTIONS, {"READ", "FULL_CONTROL"}),
            ("public_write", WRITE_ACTIONS, {"WRITE", "FULL_CONTROL"}),
        ):
            grant = ""
            t, sts = public_grants(stmts, actions, obj)
            if t is Tri.YES and not pab.get("RestrictPublicBuckets"):
                grant = f"bucket policy {sts[0].label} allows Principal * {actions[0]}"
            acl = sorted(set(data.get("public_acl_grants") or []) & acl_perms)
            if not grant and acl and not pab.get("IgnorePublicAcls"):
                grant = f"bucket ACL grants AllUsers/AuthenticatedUsers {', '.join(acl)}"
            if grant:
                graph.update_props(bid, **{prop: True, f"{prop}_grant": grant})
            elif t is Tri.UNKNOWN:
                graph.set_prop(bid, f"{prop}_conditional", True)


def _public_lambdas(graph: Graph, ctx: BuildContext) -> None:
    for fid, data in list(graph.nodes("AWSLambda")):
        if str(data.get("url_auth_type") or "").upper() != "NONE":
            continue
        stmts = _resource_policy(graph, ctx, fid)
        t, sts = public_grants(
            stmts,
            ("lambda:InvokeFunctionUrl",),
            Resource(fid),
            {"lambda:FunctionUrlAuthType": "NONE"},
        )
        if t is Tri.NO:
            graph.set_prop(fid, "url_public", False)
            continue
        graph.set_prop(fid, "url_public", t is Tri.YES)
        graph.add_edge(
            INTERNET_ID,
            fid,
            "PUBLIC_ACCESS",
            {
                "grant": f"function URL auth NONE and resource policy {sts[0].label} allows "
                "Principal * lambda:InvokeFunctionUrl",
                "access": "invoke",
                "url": data.get("function_url"),
                "statement": statement_json(sts[0]),
                "exposure_width": "any",
                "fix": f"Set the function URL auth type of {data['name']} to AWS_IAM, or remove "
                f"statement {sts[0].sid or sts[0].index} (Principal *) from its resource policy",
            },
            Confidence.CONFIRMED if t is Tri.YES else Confidence.CONDITIONAL,
        )


def _public_trusts(graph: Graph, ctx: BuildContext) -> None:
    for rid, data in list(graph.nodes("AWSRole")):
        try:
            stmts = parse_policy(data.get("trust_policy") or {"Statement": []}, f"trust of {rid}")
        except PolicyError as exc:
            ctx.warn(f"aws: {rid}: {exc}; trust ignored")
            continue
        for st in stmts:
            vals = principal_values(st.principals)
            if st.effect != "Allow" or not ("*" in vals or "*" in vals.get("AWS", [])):
                continue
            if not any(a.lower() in {"sts:assumerole", "sts:*", "*"} for a in st.actions):
                continue
            conf = Confidence.CONDITIONAL if st.condition else Confidence.CONFIRMED
            graph.add_edge(
                INTERNET_ID,
                rid,
                "PUBLIC_ACCESS",
                {
                    "grant": f"trust policy statement {st.sid or st.index} allows any AWS "
                    "principal to assume the role",
                    "access": "assume",
                    "statement": statement_json(st),
                    "exposure_width": "any",
                    "fix": f"Replace Principal * in the trust policy of {data['name']} with the "
                    "specific principals that need it",
                },
                conf,
            )


def _load_balancers(graph: Graph, ctx: BuildContext) -> None:
    """Internet-facing ELBv2: the internet reaches each target on the listener ports."""
    from aispm_graph.derive.exposure import evaluate_layer

    rules_of: dict[str, list[str]] = defaultdict(list)
    for fw, rule, _d in graph.edges("HAS_RULE"):
        rules_of[fw].append(rule)
    for lb, data in list(graph.nodes("LoadBalancerV2")):
        if data.get("scheme") != "internet-facing":
            continue
        sgs = graph.successors(lb, "PROTECTED_BY")
        admitted_tcp = None
        if sgs:
            pairs = [(fw, r) for fw in sgs for r in rules_of.get(fw, [])]
            adm = evaluate_layer(graph, pairs, ctx.options.trusted_cidrs, ctx)
            admitted_tcp = normalize(r for a in adm if a.protocol == "tcp" for r in a.ranges)
        for _s, target, edata in graph.out_edges(lb, "ROUTES_TO"):
            ev = edata.get("evidence", {})
            port = ev.get("listener_port")
            if port is None:
                continue
            ports = [parse_port_spec(int(port))]
            if admitted_tcp is not None:
                ports = intersect(ports, admitted_tcp)
            if not ports:
                continue
            shown = ", ".join(fmt_ranges("tcp", ports))
            graph.add_edge(
                INTERNET_ID,
                target,
                "INTERNET_EXPOSED",
                {
                    "via": f"internet-facing load balancer {data['name']}",
                    "load_balancer": lb,
                    "rule": ev.get("target_group"),
                    "source_range": "0.0.0.0/0",
                    "ports": shown,
                    "target_port": ev.get("target_port"),
                    "exposure_width": "any",
                    "port_classes": ["web"],
                    "fix": f"Make load balancer {data['name']} internal or restrict its listener "
                    f"{shown} to trusted sources; it forwards internet traffic to "
                    f"{graph.node(target)['name']}",
                },
                Confidence.CONFIRMED,
            )


@deriver("facts", "aws-public")
def derive_aws_public(graph: Graph, ctx: BuildContext) -> None:
    graph.ensure_internet()
    _public_buckets(graph, ctx)
    _public_lambdas(graph, ctx)
    _public_trusts(graph, ctx)


@deriver("exposure", "aws-load-balancers")
def derive_aws_lbs(graph: Graph, ctx: BuildContext) -> None:
    _load_balancers(graph, ctx)


# -- IAM-derived edges -----------------------------------------------------------------------------


ANY = resource_set("")


def _all(
    p: Principal, actions: Iterable[str], resource: Resource, context: dict[str, str] | None = None
) -> Decision:
    """All actions allowed? The weakest decision, with the grants of the first action."""
    first: Decision | None = None
    worst = Tri.YES
    for action in actions:
        d = evaluate(p, action, resource, context=context)
        if not d.ok:
            return d
        worst = min(worst, d.allowed)
        first = first or d
    assert first is not None
    first.allowed = worst
    return first


# The kinds this pass reads (in one walk: it adds no node of them), and the AI assets and data
# stores it decides access to, which it handles in one loop in graph order.
_READ_KINDS = (
    "AWSAccount",
    "AWSUser",
    "AWSRole",
    "AWSGroup",
    "AWSInstanceProfile",
    "EC2Instance",
    "KMSKey",
)
_TARGET_KINDS = (
    "BedrockCustomModel",
    "BedrockProvisionedThroughput",
    "BedrockFoundationModel",
    "BedrockAgent",
    "SageMakerEndpoint",
    "BedrockKnowledgeBase",
    "SecretsManagerSecret",
    "S3Bucket",
)


class IamDeriver:
    def __init__(self, graph: Graph, ctx: BuildContext) -> None:
        self.graph = graph
        self.ctx = ctx
        self.index = KindIndex(graph, _READ_KINDS, ordered=_TARGET_KINDS)
        self.p = principals(graph, ctx, index=self.index)
        self.groups = principals(graph, ctx, ("AWSGroup",), index=self.index)
        self.runs_as: dict[str, list[tuple[str, str]]] = defaultdict(list)
        self._kms_keys: dict[str, str] | None = None
        self.trusts: dict[str, list[Statement]] = {}
        for rid, data in self.index("AWSRole"):
            try:
                self.trusts[rid] = parse_policy(
                    data.get("trust_policy") or {"Statement": []}, f"trust policy of {data['name']}"
                )
            except PolicyError as exc:
                ctx.warn(f"aws: {rid}: {exc}; trust ignored")
                self.trusts[rid] = []
        self.account_node = {
            str(d.get("tenant") or d["name"]): aid for aid, d in self.index("AWSAccount")
        }
        # Resource control policies of each collected account, applied to its resources.
        self.rcps_of: dict[str, list[list[Statement]]] = {
            str(d.get("tenant") or d["name"]): [
                _load(graph, ctx, aid, level) for level in d.get("rcps") or []
            ]
            for aid, d in self.index("AWSAccount")
            if d.get("rcps")
        }

    def may(self, pid: str, action: str) -> bool:
        """Could any identity statement of ``pid`` allow ``action`` at all (any resource)?

        The cheap pre-filter, answered from the inverted action index: most (principal,
        target) pairs fail here. Resource-policy grants are checked by the callers separately.
        """
        return pid in self.esc.index.may(action)

    def name(self, node_id: str) -> str:
        return str(self.graph.node(node_id)["name"])

    def add(self, src: str, dst: str, kind: str, decision: Decision, ev: dict[str, Any]) -> None:
        self.graph.add_edge(src, dst, kind, ev, _confidence(decision))

    def run(self) -> None:
        self.compute_identities()
        self.esc = Escalation(self)
        self.admins()
        self._drop_admins(self.esc.run_phase(ADMIN_PHASE))
        # Groups someone can join become principals: joining hands over what they hold.
        self.esc.run_phase({On.GROUP})
        joinable = {
            dst for _s, dst, _e in self.graph.edges("CAN_ESCALATE_TO") if dst in self.groups
        }
        for gid in sorted(joinable):
            self.p[gid] = self.groups[gid]
            self.esc.index.add(gid, self.groups[gid])
        self.admins(sorted(joinable))
        self._drop_admins([])
        self.assume()
        self.esc.run_phase(EDGE_PHASE - {On.GROUP})
        self._drop_admins(self.esc.run_phase(REACH_PHASE))
        self.ai_access()
        self.external_accounts()

    def _drop_admins(self, _new: list[str]) -> None:
        """An administrator reaches everything; its other edges would only repeat that."""
        self.p = {pid: p for pid, p in self.p.items() if not self.graph.node(pid).get("admin")}

    # compute -> role ------------------------------------------------------------------------
    def compute_identities(self) -> None:
        for iid, data in self.index("EC2Instance"):
            prof = data.get("instance_profile")
            if not prof or not self.graph.has_node(prof):
                continue
            role = self.graph.node(prof).get("role")
            if not role or not self.graph.has_node(role):
                continue
            v1 = bool(data.get("imds_v1"))
            self.graph.add_edge(
                iid,
                role,
                "HAS_IDENTITY",
                {
                    "mechanism": "instance profile credentials from the instance metadata service",
                    "instance_profile": prof,
                    "imds_v1": v1,
                    # IMDSv2 only makes theft harder (it is a separate risk-lowering fix);
                    # what breaks the hop is the instance no longer holding the role.
                    "fix": f"Detach instance profile {self.name(prof)} from {data['name']}, or "
                    f"scope role {self.name(role)} down to what the workload needs",
                },
            )
        # One walk: every identity edge gets its fix, and roles are indexed by what runs
        # as them (the escalation evaluator's RUNS_AS targets).
        for src, dst, edata in self.graph.edges("HAS_IDENTITY"):
            edata["evidence"].setdefault(
                "fix", f"Scope role {self.name(dst)} used by {self.name(src)} down to what it needs"
            )
            if self.graph.node(dst)["kind"] == "AWSRole":
                self.runs_as[self.graph.node(src)["kind"]].append((src, dst))

    # admin ----------------------------------------------------------------------------------
    def admins(self, only: list[str] | None = None) -> None:
        """Principals whose policies allow everything (``*:*`` or equivalent) administer
        their account; self-granting techniques are records applied by the evaluator."""
        for pid in only if only is not None else list(self.p):
            p = self.p[pid]
            acct = self.account_node.get(p.account)
            if not acct:
                continue
            full = _all(p, ADMIN_PROBE, ANY)
            if not full.ok:
                continue
            self.graph.set_prop(pid, "admin", True)
            self.graph.set_default_prop(pid, "admin_via", "administrator-equivalent policy")
            ev = _evidence(
                full,
                "*:* (administrator)",
                _fix_remove(full, "the wildcard permissions", self.name(pid), "all services"),
                technique="administrator-equivalent policy",
            )
            if full.conditional:
                ev["condition"] = self._undecided(p, ADMIN_PROBE, ANY)
            self.add(pid, acct, "CAN_ADMINISTER", full, ev)

    def _undecided(
        self, p: Principal, actions: Iterable[str], res: Resource, ctx: dict[str, str] | None = None
    ) -> str:
        texts = [f"{a}: {t}" for a in actions for t in undecided(p, a, res, ctx)]
        return "; ".join(dict.fromkeys(texts)) or "a condition could not be decided offline"

    # assume ---------------------------------------------------------------------------------
    def assume(self) -> None:
        # Principals whose own policies could allow sts:AssumeRole, by account, once: a trust
        # naming an account root admits only that account's principals, so pairing every such
        # trust with every principal of every account made this pass quadratic.
        may_by_account: dict[str, set[str]] = defaultdict(set)
        for pid in self.p:
            if self.may(pid, "sts:AssumeRole"):
                may_by_account[self.p[pid].account].add(pid)
        for rid, trust in self.trusts.items():
            # Index the trust: only principals it names (or, for account/wildcard trusts,
            # principals of those accounts whose own policies could allow sts:AssumeRole).
            named: set[str] = set()
            accounts: set[str] = set()
            wide = False
            for st in trust:
                vals = principal_values(st.principals)
                wide = wide or "*" in vals or bool(st.not_principals)
                for v in vals.get("AWS", []):
                    if "*" in v or "?" in v:
                        wide = True
                    elif v.isdigit():
                        accounts.add(v)
                    elif v.endswith(":root"):
                        accounts.add(account_of(v))
                    else:
                        named.add(v)
            candidates = set(named & self.p.keys())
            if wide:
                for members in may_by_account.values():
                    candidates |= members
            else:
                for acct in accounts:
                    candidates |= may_by_account.get(acct, set())
            for pid in sorted(candidates):
                if pid != rid:
                    self._assume_one(pid, self.p[pid], rid, trust)

    def _assume_one(self, pid: str, p: Principal, rid: str, trust: list[Statement]) -> None:
        action = "sts:AssumeRole"
        res = Resource(rid)
        # Trust-policy Deny that names the caller (or everyone) wins.
        for st in trust:
            if (
                st.effect == "Deny"
                and principal_match(st, pid) is not None
                and statement_applies(
                    st, action, res, {"aws:PrincipalArn": pid}, check_resource=False
                )
                is Tri.YES
            ):
                return
        best: tuple[Tri, Statement, str] | None = None
        for st in trust:
            if st.effect != "Allow":
                continue
            how = principal_match(st, pid)
            if how is None:
                continue
            t = statement_applies(st, action, res, {"aws:PrincipalArn": pid}, check_resource=False)
            if t is Tri.NO:
                continue
            if best is None or t > best[0] or (how == "arn" and best[2] != "arn"):
                best = (t, st, how)
        if best is None:
            return
        t, st, how = best
        # The caller's own policies (denies, boundary, SCPs) and the RCPs of the role's account.
        d = evaluate(p, action, res, rcps=self.rcps_of.get(account_of(rid)))
        if how == "arn" and account_of(pid) == account_of(rid):
            # A same-account trust naming the principal ARN is enough on its own, unless the
            # caller's policies explicitly deny or a boundary/SCP does not allow it.
            if not d.ok and d.reason == "no statement allows it":
                d = Decision(Tri.YES)
            elif not d.ok:
                return
        if not d.ok:
            return
        allowed = min(t, d.allowed)
        decision = Decision(allowed, grants=[st], denies=d.denies)
        trust_txt = (
            "the role's trust names it"
            if how == "arn"
            else (
                "the trust names the account root, and its own policy allows sts:AssumeRole"
                if how == "account"
                else "the trust admits any principal, and its own policy allows sts:AssumeRole"
            )
        )
        ev = _evidence(
            decision,
            action,
            "",
            undecided_text=self._undecided(p, [action], res) if d.conditional else "",
            trust=how,
            technique="sts:AssumeRole",
            technique_id="aws-sts-assume-role",
            reason=trust_txt,
        )
        ev["statement"] = statement_json(st)
        ev["policy"] = f"trust policy of {self.name(rid)}"
        if how == "arn":
            ev["fix"] = (
                f"Remove {self.name(pid)} from statement {st.sid or st.index} of the "
                f"trust policy of role {self.name(rid)}"
            )
        else:
            g = d.grants[0] if d.grants else None
            ev["fix"] = (
                f"Remove sts:AssumeRole on {self.name(rid)} from "
                f"{g.policy if g else 'the policies'} of {self.name(pid)}, or name only "
                f"the intended principals in the trust policy of {self.name(rid)}"
            )
            if g:
                ev["caller_grant"] = g.label
        self.add(pid, rid, "CAN_ASSUME", decision, ev)

    # AI and data ------------------------------------------------------------------------------
    def _targets(self) -> list[tuple[str, str, tuple[str, ...], Resource, str]]:
        """(edge kind, node, actions, resource, what) for every AI asset and AI data store."""
        out: list[tuple[str, str, tuple[str, ...], Resource, str]] = []
        for nid, d in self.index.ordered:
            kind = d["kind"]
            if kind in {
                "BedrockCustomModel",
                "BedrockProvisionedThroughput",
                "BedrockFoundationModel",
            }:
                out.append(
                    (
                        "CAN_INVOKE",
                        nid,
                        ("bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"),
                        Resource(nid),
                        "model",
                    )
                )
            elif kind == "BedrockAgent":
                alias = nid.replace(":agent/", ":agent-alias/") + "/"
                out.append(
                    ("CAN_INVOKE", nid, ("bedrock:InvokeAgent",), resource_set(alias), "agent")
                )
            elif kind == "SageMakerEndpoint":
                out.append(
                    ("CAN_INVOKE", nid, ("sagemaker:InvokeEndpoint",), Resource(nid), "endpoint")
                )
            elif kind == "BedrockKnowledgeBase":
                out.append(
                    (
                        "CAN_READ",
                        nid,
                        ("bedrock:Retrieve", "bedrock:RetrieveAndGenerate"),
                        Resource(nid),
                        "knowledge base",
                    )
                )
            elif kind == "SecretsManagerSecret":
                out.append(
                    ("CAN_READ", nid, ("secretsmanager:GetSecretValue",), Resource(nid), "secret")
                )
            elif kind == "S3Bucket" and d.get("data_role"):
                prefixes = d.get("ai_prefixes") or [""]
                prefix = prefixes[0] if len(prefixes) == 1 else ""
                res = resource_set(f"{nid}/{prefix}")
                out.append(("CAN_READ", nid, ("s3:GetObject",), res, "data"))
                if {"training", "model-artifact", "grounding"} & set(d["data_role"]):
                    out.append(("CAN_WRITE", nid, ("s3:PutObject",), res, "data"))
        return out

    def _kms_index(self) -> dict[str, str]:
        index: dict[str, str] = {}
        for kid, d in self.index("KMSKey"):
            index[kid] = kid
            index[str(d.get("key_id"))] = kid
            for alias in d.get("aliases") or []:
                index[alias] = kid
                index[f"arn:aws:kms:{d.get('region')}:{d.get('tenant')}:{alias}"] = kid
        return index

    def _kms(self, p: Principal, key_ref: str, action: str) -> tuple[Decision, str]:
        """May ``p`` use the bucket's KMS key? Key policies are not like other resource
        policies: an identity policy counts only if the key policy delegates to the account."""
        if self._kms_keys is None:
            self._kms_keys = self._kms_index()
        key = self._kms_keys.get(key_ref) or self._kms_keys.get(key_ref.split("/")[-1])
        if key is None:
            if "alias/aws/" in key_ref:
                return Decision(Tri.YES), "AWS managed key"
            return Decision(Tri.YES), f"key policy of {key_ref} not collected; not checked"
        try:
            kp = parse_policy(
                self.graph.node(key).get("key_policy") or {"Statement": []},
                f"key policy of {self.name(key)}",
            )
        except PolicyError as exc:
            self.ctx.warn(f"aws: {key}: {exc}; key treated as unusable")
            return Decision(Tri.NO), "unreadable key policy"
        tenant = str(self.graph.node(key).get("tenant") or "")
        d = evaluate(
            p,
            action,
            Resource(key),
            resource_policy=kp,
            resource_account=tenant,
            rcps=self.rcps_of.get(tenant),
        )
        if not d.ok:
            return d, d.reason
        if any(g in kp for g in d.grants):
            return d, f"{action} granted by the key policy of {self.name(key)}"
        delegated = max(
            (
                statement_applies(st, action, Resource(key), {})
                for st in kp
                if st.effect == "Allow" and principal_match(st, p.arn) == "account"
            ),
            default=Tri.NO,
        )
        if delegated is Tri.NO:
            return Decision(Tri.NO, reason="key policy does not delegate to IAM"), ""
        return (
            Decision(min(d.allowed, delegated), grants=d.grants, denies=d.denies),
            f"{action} on {self.name(key)} allowed by IAM (the key policy delegates to "
            "the account)",
        )

    def ai_access(self) -> None:
        targets = self._targets()
        order = {pid: i for i, pid in enumerate(self.p)}  # keep the principals' own order
        by_account: dict[str, set[str]] = defaultdict(set)
        for pid, prin in self.p.items():
            by_account[prin.account].add(pid)
        rp_cache: dict[str, list[Statement]] = {}
        may_by_account: dict[str, dict[str, set[str]]] = {}
        for kind, nid, actions, res, what in targets:
            if nid not in rp_cache:
                rp_cache[nid] = _resource_policy(self.graph, self.ctx, nid)
            rp = rp_cache[nid]
            tenant = str(self.graph.node(nid).get("tenant") or "")
            # Only principals whose own policies may allow one of the actions can reach the
            # target, plus, with a resource policy, those it names itself (an ARN, or anyone
            # in the resource's account when it names everybody): ask the indexes, never
            # every principal of every account.
            accounts: set[str] = set()
            wide = False
            named: set[str] = set()
            if rp:
                named, accounts, wide = self._named_by(rp, tenant, by_account)
            # Principals whose own policies may allow an action, looked up only in the accounts
            # that can matter: the resource's own, and those its policy names (all when it names
            # everyone). A scan of every account's principals per target is what made this
            # pass grow with the square of the estate.
            cands = set(named)
            for a in actions:
                per_acct = may_by_account.get(a)
                if per_acct is None:
                    per_acct = defaultdict(set)
                    for m in self.esc.index.may(a):
                        if m in self.p:
                            per_acct[self.p[m].account].add(m)
                    may_by_account[a] = per_acct
                if wide or not tenant:
                    for members in per_acct.values():
                        cands |= members
                else:
                    for acct in {tenant, *accounts}:
                        cands |= per_acct.get(acct, set())
            pool = [
                (pid, self.p[pid])
                for pid in sorted((m for m in cands if m in self.p), key=order.__getitem__)
            ]
            for pid, p in pool:
                if tenant and tenant != p.account and not (wide or p.account in accounts):
                    continue  # the resource's policy grants the principal's account nothing
                best: tuple[Decision, str] | None = None
                for action in actions:
                    if not rp and not self.may(pid, action):
                        continue
                    d = evaluate(
                        p,
                        action,
                        res,
                        resource_policy=rp,
                        resource_account=tenant,
                        rcps=self.rcps_of.get(tenant),
                    )
                    if d.ok and (best is None or d.allowed > best[0].allowed):
                        best = (d, action)
                if best is None:
                    continue
                d, action = best
                kms_note: str | None = None
                key_ref = self.graph.node(nid).get("kms_key") if what == "data" else None
                if key_ref:
                    kms_action = "kms:Decrypt" if kind == "CAN_READ" else "kms:GenerateDataKey"
                    kd, kms_note = self._kms(p, str(key_ref), kms_action)
                    if not kd.ok:
                        continue
                    d = Decision(
                        min(d.allowed, kd.allowed), grants=d.grants, denies=d.denies + kd.denies
                    )
                ev = _evidence(
                    d,
                    action,
                    _fix_remove(d, action, self.name(pid), f"{what} {self.name(nid)}"),
                    undecided_text=self._undecided(p, [action], res) if d.conditional else "",
                    resource=res.arn + ("*" if res.is_set else ""),
                    kms=kms_note,
                )
                if kind == "CAN_READ" and what == "knowledge base":
                    ev["technique"] = (
                        "bedrock:Retrieve returns the knowledge base's source "
                        "documents without any S3 permission"
                    )
                elif kind == "CAN_WRITE":
                    ev["technique"] = "write training / grounding data (poisoning)"
                elif kind == "CAN_READ" and what == "data":
                    ev["technique"] = "read AI data (exfiltration)"
                self.add(pid, nid, kind, d, ev)

    def _named_by(
        self, rp: list[Statement], tenant: str, by_account: dict[str, set[str]]
    ) -> tuple[set[str], set[str], bool]:
        """Principals a resource policy may grant access to without their own policies' help.

        In AWS a resource policy alone grants a principal of the resource's own account that it
        names by ARN (or names as anyone); a principal it names through an account root, or one
        from another account, still needs an allowing identity policy, which the action index
        finds. So: ARNs named in Allow statements, and the resource's account when a statement
        names everyone (``*``, a wildcard ARN or ``NotPrincipal``). Deny and conditions are left
        to the evaluator. Also returns the accounts the policy names and whether it names
        everyone: a principal of another account is only worth evaluating when one holds.
        """
        named: set[str] = set()
        accounts: set[str] = set()
        wide = False
        for st in rp:
            if st.effect != "Allow":
                continue
            values = principal_values(st.principals)
            if st.not_principals or "*" in values:
                wide = True
                named |= by_account.get(tenant, set()) if tenant else set(self.p)
                continue
            for v in values.get("AWS", []):
                if v == "*" or "*" in v or "?" in v:
                    wide = True
                    named |= by_account.get(tenant, set()) if tenant else set(self.p)
                    continue
                accounts.add(v if v.isdigit() else account_of(v))
                if v in self.p:
                    named.add(v)
                elif ":assumed-role/" in v:
                    # arn:aws:sts::ACCT:assumed-role/NAME/SESSION names the role NAME
                    acct, _, rest = v.partition(":assumed-role/")
                    role = rest.split("/", 1)[0]
                    account = acct.rsplit(":", 1)[-1]
                    named |= {
                        pid
                        for pid in by_account.get(account, set())
                        if pid.endswith(f"/{role}") and ":role/" in pid
                    }
        return named, accounts, wide

    # accounts that were not collected ---------------------------------------------------------
    def _external(self, value: str) -> str | None:
        """The account a trust / resource-policy principal names, if it was not collected."""
        if value.isdigit() and len(value) == 12:
            acct = value
        elif value.startswith("arn:") and "*" not in value and "?" not in value:
            acct = account_of(value)
        else:
            return None
        if not acct.isdigit() or acct in self.account_node:
            return None
        return acct

    def _external_node(self, acct: str) -> str:
        nid = f"arn:aws:iam::{acct}:root"
        if not self.graph.has_node(nid):
            add_external_account(self.graph, nid, f"AWS account {acct}", acct, "aws")
        return nid

    def external_accounts(self) -> None:
        """Keep grants to accounts outside the collected estate as edges from an
        ``ExternalAccount`` node: who holds them is unknown, so the edge is only inferred."""
        grants: list[tuple[str, str, str, Statement, str]] = []
        for rid, trust in self.trusts.items():
            for st in trust:
                if st.effect != "Allow" or not any(
                    statement_applies(st, a, Resource(rid), {}, check_resource=False) is not Tri.NO
                    for a in ("sts:AssumeRole",)
                ):
                    continue
                for v in principal_values(st.principals).get("AWS", []):
                    acct = self._external(v)
                    if acct:
                        grants.append((acct, rid, "CAN_ASSUME", st, "sts:AssumeRole"))
        kms_notes: dict[tuple[str, str, str], str] = {}
        for kind, nid, actions, res, what in self._targets():
            for st in _resource_policy(self.graph, self.ctx, nid):
                if st.effect != "Allow":
                    continue
                action = next(
                    (a for a in actions if statement_applies(st, a, res, {}) is not Tri.NO), None
                )
                if action is None:
                    continue
                for v in principal_values(st.principals).get("AWS", []):
                    acct = self._external(v)
                    if not acct:
                        continue
                    key_ref = self.graph.node(nid).get("kms_key") if what == "data" else None
                    if key_ref:
                        note = self._external_kms(acct, str(key_ref), kind)
                        if note is None:
                            continue  # the key policy does not let that account decrypt
                        kms_notes[(acct, nid, kind)] = note
                    grants.append((acct, nid, kind, st, action))
        for acct, target, kind, st, action in grants:
            src = self._external_node(acct)
            where = (
                f"the trust policy of {self.name(target)}"
                if kind == "CAN_ASSUME"
                else f"the resource policy of {self.name(target)}"
            )
            self.graph.add_edge(
                src,
                target,
                kind,
                {
                    "permission": action,
                    "statement": statement_json(st),
                    "policy": where,
                    "grant": st.label,
                    "reason": f"{where} grants account {acct}, which was not collected: "
                    "who can use it is unknown",
                    "fix": f"Remove account {acct} from statement {st.sid or st.index} of {where}"
                    " (or collect that account)",
                    **(
                        {"kms": kms_notes[(acct, target, kind)]}
                        if (acct, target, kind) in kms_notes
                        else {}
                    ),
                },
                Confidence.INFERRED,
            )

    def _external_kms(self, acct: str, key_ref: str, kind: str) -> str | None:
        """Can an uncollected account use the bucket's key? Only if the key policy itself
        names that account: IAM in the other account cannot reach a key on its own. None when
        it cannot; otherwise what was found."""
        if self._kms_keys is None:
            self._kms_keys = self._kms_index()
        key = self._kms_keys.get(key_ref) or self._kms_keys.get(key_ref.split("/")[-1])
        if key is None:
            if "alias/aws/" in key_ref:
                return None  # AWS managed keys are never usable from another account
            return f"key policy of {key_ref} not collected; not checked"
        action = "kms:Decrypt" if kind == "CAN_READ" else "kms:GenerateDataKey"
        try:
            kp = parse_policy(
                self.graph.node(key).get("key_policy") or {"Statement": []},
                f"key policy of {self.name(key)}",
            )
        except PolicyError:
            return None
        for st in kp:
            if st.effect != "Allow" or statement_applies(st, action, Resource(key), {}) is Tri.NO:
                continue
            aws = principal_values(st.principals).get("AWS", [])
            if "*" in principal_values(st.principals) or any(
                v == acct or (v.startswith("arn:") and account_of(v) == acct) for v in aws
            ):
                return f"{action} granted to account {acct} by the key policy of {self.name(key)}"
        return None


@deriver("access", "aws-iam")
def derive_aws_iam(graph: Graph, ctx: BuildContext) -> None:
    if not any(True for _ in graph.nodes("AWSAccount")):
        return
    IamDeriver(graph, ctx).run()
