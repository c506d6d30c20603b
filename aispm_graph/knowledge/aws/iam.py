"""Offline evaluation of AWS IAM policies, good enough to decide attack-step edges.

The question every AWS attack step asks is "may principal P perform action A on resource R?".
AWS answers it by combining several policy types; this module follows the documented logic:

1. an explicit ``Deny`` in any applicable policy (identity, boundary, SCP, resource) wins;
2. SCPs, when any are known for the account, must allow the action;
3. a permission boundary, when the principal has one, must allow the action;
4. within the account, an ``Allow`` in an identity policy *or* in the resource's own policy
   (naming the principal) grants the action.

Decisions are three-valued. A statement whose action and resource match but whose condition
cannot be decided offline (source IP, MFA, tags we did not collect, ...) yields ``UNKNOWN``;
the final result is then ``conditional``: the edge exists but its confidence says a
condition stands in the way, which is different from both "absent" and "confirmed".

Resources can be concrete ARNs or *sets* written as a prefix ending in ``*`` (every object
under ``arn:aws:s3:::bucket/train/``). An Allow needs to reach *some* member of the set, an
explicit Deny must cover *all* of it to deny.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any


class Tri(IntEnum):
    """Three-valued truth: ordered so that ``min`` is AND and ``max`` is OR."""

    NO = 0
    UNKNOWN = 1
    YES = 2


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return list(value)
    return [value]


# -- work counters ----------------------------------------------------------------------------


class WorkCounts:
    """How much evaluation work was done: deterministic, so a test can tell linear growth
    (4x the estate, about 4x the work) from a pairwise pass (16x) without timing anything.
    Three integer increments per call; reset with :meth:`reset`."""

    __slots__ = ("account_lookups", "evaluations", "statements")

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.evaluations = 0  # evaluate(): one (principal, action, resource) question
        # statement_applies(): one statement checked against a request, or one pre-decided
        # statement whose Resource is matched against a target (see _Pre)
        self.statements = 0
        self.account_lookups = 0  # account_of(): principals and resources paired by account

    def snapshot(self) -> dict[str, int]:
        return {k: getattr(self, k) for k in self.__slots__}


WORK = WorkCounts()


# -- matching ---------------------------------------------------------------------------------

_VAR = re.compile(r"\$\{[^}]*\}")


def _glob_re(pattern: str, *, ignore_case: bool) -> re.Pattern[str]:
    # Policy variables (${aws:username}) are unknown offline: they match anything, and the
    # caller marks such matches as undecided.
    parts = []
    for chunk in re.split(r"(\*|\?|\$\{[^}]*\})", pattern):
        if chunk == "*":
            parts.append(".*")
        elif chunk == "?":
            parts.append(".")
        elif chunk.startswith("${"):
            parts.append(".*")
        else:
            parts.append(re.escape(chunk))
    return re.compile("".join(parts) + r"\Z", re.IGNORECASE if ignore_case else 0)


_CACHE: dict[tuple[str, bool], re.Pattern[str]] = {}


def glob_match(pattern: str, text: str, *, ignore_case: bool = False) -> bool:
    key = (pattern, ignore_case)
    rx = _CACHE.get(key)
    if rx is None:
        if len(_CACHE) > 50_000:
            _CACHE.clear()
        rx = _CACHE[key] = _glob_re(pattern, ignore_case=ignore_case)
    return rx.match(text) is not None


def action_matches(pattern: str, action: str) -> bool:
    """IAM actions are case-insensitive and use ``*`` and ``?`` wildcards."""
    return glob_match(pattern, action, ignore_case=True)


_ANY_ACTION: dict[tuple[tuple[str, ...], str], bool] = {}


def any_action_matches(patterns: tuple[str, ...], action: str) -> bool:
    """Does one of a statement's action patterns match ``action``? Remembered per (patterns,
    action): an estate's statements share a few dozen action lists and the policy passes ask
    about a few dozen actions, so this is one dict lookup instead of a regex per pattern."""
    key = (patterns, action)
    hit = _ANY_ACTION.get(key)
    if hit is None:
        if len(_ANY_ACTION) > 200_000:
            _ANY_ACTION.clear()
        hit = _ANY_ACTION[key] = any(action_matches(p, action) for p in patterns)
    return hit


def pattern_overlaps_prefix(pattern: str, prefix: str) -> bool:
    """Can ``pattern`` match some string that starts with ``prefix``?

    Walks both strings: a ``*`` in the pattern can absorb the rest, running out of prefix
    means the pattern may continue; a literal mismatch means no string of the set matches.
    """
    pattern = _VAR.sub("*", pattern)

    def walk(i: int, j: int) -> bool:
        while i < len(pattern):
            ch = pattern[i]
            if ch == "*":
                return True
            if j >= len(prefix):
                return True
            if ch != "?" and ch != prefix[j]:
                return False
            i += 1
            j += 1
        return j == len(prefix)

    return walk(0, 0)


@dataclass(frozen=True)
class Resource:
    """A concrete ARN, or a set of ARNs given by prefix (``is_set``)."""

    arn: str
    is_set: bool = False

    def matched_by(self, pattern: str, *, deny: bool) -> bool:
        """Allow statements need some member; deny statements must cover every member."""
        if not self.is_set:
            return glob_match(pattern, self.arn)
        if deny:
            return glob_match(pattern, self.arn + "*")
        return pattern_overlaps_prefix(pattern, self.arn)


def resource_set(prefix: str) -> Resource:
    return Resource(prefix, is_set=True)


# -- conditions -------------------------------------------------------------------------------


def _cond_values(value: Any) -> list[str]:
    return [str(v) for v in _as_list(value)]


def _compare(op: str, actual: str, expected: str) -> bool | None:
    """One comparison; None when the operator is not one we evaluate."""
    base = op.removesuffix("IfExists")
    if base == "StringEquals" or base == "ArnEquals":
        return actual == expected
    if base == "StringNotEquals" or base == "ArnNotEquals":
        return actual != expected
    if base == "StringEqualsIgnoreCase":
        return actual.lower() == expected.lower()
    if base == "StringNotEqualsIgnoreCase":
        return actual.lower() != expected.lower()
    if base in {"StringLike", "ArnLike"}:
        return glob_match(expected, actual)
    if base in {"StringNotLike", "ArnNotLike"}:
        return not glob_match(expected, actual)
    if base == "Bool":
        return actual.lower() == expected.lower()
    if base == "IpAddress":
        try:
            return ipaddress.ip_address(actual) in ipaddress.ip_network(expected, strict=False)
        except ValueError:
            return None
    if base == "NotIpAddress":
        try:
            return ipaddress.ip_address(actual) not in ipaddress.ip_network(expected, strict=False)
        except ValueError:
            return None
    return None


def evaluate_condition(condition: Any, context: Mapping[str, str | Sequence[str]]) -> Tri:
    """All operators and keys must hold (AND); values within a key are OR'ed.

    Keys missing from ``context`` are undecidable offline (``UNKNOWN``): we cannot know the
    caller's source IP, MFA state or request tags. Operators we do not model are UNKNOWN too,
    never silently true. ``Null`` checks on keys we know are decided.
    """
    if not condition:
        return Tri.YES
    if not isinstance(condition, dict):
        return Tri.UNKNOWN
    result = Tri.YES
    ctx = {k.lower(): v for k, v in context.items()}
    for op, block in condition.items():
        if not isinstance(block, dict):
            return Tri.UNKNOWN
        for key, expected_raw in block.items():
            raw_op = str(op)
            set_op = ""
            if ":" in raw_op and raw_op.split(":", 1)[0] in {"ForAnyValue", "ForAllValues"}:
                set_op, raw_op = raw_op.split(":", 1)
            actual = ctx.get(str(key).lower())
            if raw_op == "Null":
                if actual is None:
                    result = min(result, Tri.UNKNOWN)
                    continue
                want_null = str(_as_list(expected_raw)[0]).lower() == "true"
                result = min(result, Tri.NO if want_null else Tri.YES)
                continue
            if actual is None:
                result = min(result, Tri.UNKNOWN)
                continue
            actual_values = [str(a) for a in _as_list(actual)]
            expected = _cond_values(expected_raw)
            negated = "Not" in raw_op
            outcomes: list[bool] = []
            undecidable = False
            for a in actual_values:
                cmp = [_compare(raw_op, a, e) for e in expected]
                if any(c is None for c in cmp):
                    undecidable = True
                    break
                # Negated operators hold when the value differs from every listed value.
                outcomes.append(all(c is True for c in cmp) if negated else any(cmp))
            if undecidable:
                result = min(result, Tri.UNKNOWN)
                continue
            ok = all(outcomes) if set_op == "ForAllValues" else any(outcomes)
            if not ok:
                return Tri.NO
    return result


# -- policies ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Statement:
    effect: str
    actions: tuple[str, ...]
    not_actions: tuple[str, ...]
    resources: tuple[str, ...]
    not_resources: tuple[str, ...]
    principals: Any
    not_principals: Any
    condition: Any
    sid: str
    policy: str  # name or ARN of the policy holding the statement
    index: int

    @property
    def label(self) -> str:
        return f"{self.policy}#{self.sid or self.index}"

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"Effect": self.effect}
        if self.sid:
            out["Sid"] = self.sid
        if self.actions:
            out["Action"] = list(self.actions)
        if self.not_actions:
            out["NotAction"] = list(self.not_actions)
        if self.resources:
            out["Resource"] = list(self.resources)
        if self.not_resources:
            out["NotResource"] = list(self.not_resources)
        if self.condition:
            out["Condition"] = self.condition
        return out


_JSON: dict[int, tuple[Statement, str]] = {}


def statement_json(st: Statement) -> str:
    """The statement as canonical JSON text, for evidence. Remembered per statement object:
    a few hundred statements grant the tens of thousands of edges of a large estate."""
    hit = _JSON.get(id(st))
    if hit is None or hit[0] is not st:
        if len(_JSON) > 50_000:
            _JSON.clear()
        hit = _JSON[id(st)] = (st, json.dumps(st.as_json(), sort_keys=True))
    return hit[1]


class PolicyError(ValueError):
    """A policy document is not valid JSON policy grammar."""


def parse_policy(document: Any, name: str) -> list[Statement]:
    """Statements of a policy document (dict or JSON text); raises PolicyError when unusable."""
    if isinstance(document, str):
        from urllib.parse import unquote

        text = document.strip()
        if text.startswith("%7B") or text.startswith("%7b"):
            text = unquote(text)
        try:
            document = json.loads(text)
        except ValueError as exc:
            raise PolicyError(f"policy {name}: not JSON ({exc})") from None
    if not isinstance(document, dict):
        raise PolicyError(f"policy {name}: document is not an object")
    raw = document.get("Statement", [])
    if isinstance(raw, dict):
        raw = [raw]
    if not isinstance(raw, list):
        raise PolicyError(f"policy {name}: field 'Statement' is not a list")
    out = []
    for i, st in enumerate(raw):
        if not isinstance(st, dict):
            raise PolicyError(f"policy {name}: statement {i} is not an object")
        effect = str(st.get("Effect", ""))
        if effect not in {"Allow", "Deny"}:
            raise PolicyError(f"policy {name}: statement {i}: field 'Effect' is {effect!r}")
        out.append(
            Statement(
                effect=effect,
                actions=tuple(str(a) for a in _as_list(st.get("Action"))),
                not_actions=tuple(str(a) for a in _as_list(st.get("NotAction"))),
                resources=tuple(str(r) for r in _as_list(st.get("Resource"))),
                not_resources=tuple(str(r) for r in _as_list(st.get("NotResource"))),
                principals=st.get("Principal"),
                not_principals=st.get("NotPrincipal"),
                condition=st.get("Condition"),
                sid=str(st.get("Sid", "") or ""),
                policy=name,
                index=i,
            )
        )
    return out


def _resource_matches(st: Statement, resource: Resource) -> bool:
    """Does the statement's Resource / NotResource reach ``resource``? The only part of a
    statement check that depends on the target (the action and the condition do not)."""
    deny = st.effect == "Deny"
    if st.resources:
        return any(resource.matched_by(p, deny=deny) for p in st.resources)
    if st.not_resources:
        # NotResource applies to everything except the listed ones: an Allow reaches the
        # set unless the exclusion covers all of it; a Deny covers it only if no excluded
        # pattern touches it.
        if deny:
            return not any(resource.matched_by(p, deny=False) for p in st.not_resources)
        return not any(resource.matched_by(p, deny=True) for p in st.not_resources)
    return True


def statement_applies(
    st: Statement,
    action: str,
    resource: Resource,
    context: Mapping[str, str | Sequence[str]],
    *,
    check_resource: bool = True,
) -> Tri:
    """Does the statement speak about (action, resource) under ``context``?"""
    WORK.statements += 1
    if st.actions:
        if not any_action_matches(st.actions, action):
            return Tri.NO
    elif st.not_actions:
        if any_action_matches(st.not_actions, action):
            return Tri.NO
    else:
        return Tri.NO
    if check_resource and not _resource_matches(st, resource):
        return Tri.NO
    cond = evaluate_condition(st.condition, context)
    if cond is Tri.YES and any(_VAR.search(p) for p in st.resources):
        cond = Tri.UNKNOWN
    return cond


# -- principals -------------------------------------------------------------------------------


def principal_values(principal: Any) -> dict[str, list[str]]:
    """``Principal`` as {type: [values]}; ``"*"`` becomes {"*": ["*"]}."""
    if principal is None:
        return {}
    if principal == "*":
        return {"*": ["*"]}
    if isinstance(principal, dict):
        return {str(k): [str(v) for v in _as_list(vals)] for k, vals in principal.items()}
    return {}


def account_of(arn: str) -> str:
    WORK.account_lookups += 1
    parts = arn.split(":")
    return parts[4] if len(parts) > 4 else ""


def principal_match(st: Statement, principal_arn: str) -> str | None:
    """How the statement's Principal names ``principal_arn``: 'arn', 'account', 'any' or None."""
    values = principal_values(st.principals)
    if "*" in values:
        return "any"
    aws = values.get("AWS", [])
    acct = account_of(principal_arn)
    best: str | None = None
    for v in aws:
        if v == "*":
            return "any"
        if v == principal_arn or glob_match(v, principal_arn):
            return "arn"
        if v in {acct, f"arn:aws:iam::{acct}:root"}:
            best = "account"
    return best


def service_principals(st: Statement) -> list[str]:
    return principal_values(st.principals).get("Service", [])


# -- decisions --------------------------------------------------------------------------------


@dataclass
class Decision:
    """The result of one authorization question, with the statements that decided it."""

    allowed: Tri
    grants: list[Statement] = field(default_factory=list)
    denies: list[Statement] = field(default_factory=list)
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.allowed is not Tri.NO

    @property
    def conditional(self) -> bool:
        return self.allowed is Tri.UNKNOWN


@dataclass
class Principal:
    """An IAM user or role with everything that decides what it may do."""

    arn: str
    kind: str  # user | role
    identity: list[Statement]
    boundary: list[Statement] | None = None
    scps: list[list[Statement]] = field(default_factory=list)  # one list per level, all apply
    # Pre-decisions of its own statements per (action, context); see ``_Pre``. The statement
    # lists above must not change once the principal has been evaluated.
    _pre: dict[tuple[str, tuple[tuple[str, Any], ...]], _Pre] = field(
        default_factory=dict, compare=False, repr=False
    )
    _account: str = field(default="", init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        # Asked on every evaluation; the ARN does not change.
        self._account = account_of(self.arn)

    @property
    def account(self) -> str:
        return self._account


# One statement whose action matches, with what it decides when its resource matches too
# (its condition and policy variables do not depend on the resource), and whether it names
# every resource (``*``, or no Resource at all), so that no per-target match is needed.
_Entry = tuple[Statement, Tri, bool]
# The best of a group of entries when none of them depends on the resource.
_Static = tuple[Tri, tuple[Statement, ...]] | None

_ANY_RESOURCE = Resource("", is_set=True)


def _entries(
    statements: Iterable[Statement], action: str, ctx: Mapping[str, str | Sequence[str]]
) -> tuple[_Entry, ...]:
    out: list[_Entry] = []
    for st in statements:
        t = statement_applies(st, action, _ANY_RESOURCE, ctx, check_resource=False)
        if t is not Tri.NO:
            free = st.resources == ("*",) or not (st.resources or st.not_resources)
            out.append((st, t, free))
    return tuple(out) if out else ()


def _static(entries: tuple[_Entry, ...], effect: str) -> _Static:
    """``_best`` of the entries when it cannot depend on the resource (every entry of the
    effect names all resources); None when a target's Resource has to be matched."""
    best, which = Tri.NO, []
    for st, t, free in entries:
        if st.effect != effect:
            continue
        if not free:
            return None
        if t > best:
            best, which = t, [st]
        elif t == best:
            which.append(st)
    return best, tuple(which)


class _Pre:
    """The identity side of "may P do A": identity, boundary and SCP statements whose action
    matches A and whose condition is not false, each with its decision, computed once per
    (principal, action, context). One more target then costs only the match of their Resource
    elements (none for statements on ``*``), instead of re-checking every statement's actions
    and conditions: the statements stay the same, only the resource varies."""

    __slots__ = (
        "answers",
        "boundary",
        "boundary_allow",
        "deny_own",
        "deny_scps",
        "deny_static",
        "identity",
        "identity_allow",
        "scps",
        "scps_allow",
        "static",
    )

    def __init__(
        self,
        identity: tuple[_Entry, ...],
        boundary: tuple[_Entry, ...] | None,
        scps: list[tuple[_Entry, ...]],
    ) -> None:
        self.identity = identity
        self.boundary = boundary
        self.scps = scps
        # Deny statements in the evaluator's order: identity, boundary, (the resource
        # policy's), SCP levels, (RCP levels).
        self.deny_own = tuple(e for e in (*identity, *(boundary or ())) if e[0].effect == "Deny")
        self.deny_scps = tuple(e for level in scps for e in level if e[0].effect == "Deny")
        self.deny_static = _static((*self.deny_own, *self.deny_scps), "Deny")
        self.identity_allow = _static(identity, "Allow")
        self.boundary_allow = None if boundary is None else _static(boundary, "Allow")
        self.scps_allow = [_static(level, "Allow") for level in scps]
        # No statement names a particular resource: the answer, without a resource policy
        # or RCPs, is the same for every target (per "across accounts" or not).
        self.static = (
            self.deny_static is not None
            and self.identity_allow is not None
            and (boundary is None or self.boundary_allow is not None)
            and all(x is not None for x in self.scps_allow)
        )
        self.answers: dict[bool, _Answer] = {}


def _context_key(context: Mapping[str, str | Sequence[str]] | None) -> tuple[tuple[str, Any], ...]:
    if not context:
        return ()
    return tuple((k, tuple(v) if isinstance(v, list | tuple) else v) for k, v in context.items())


def _best(
    statements: Iterable[Statement],
    effect: str,
    action: str,
    resource: Resource,
    context: Mapping[str, str | Sequence[str]],
) -> tuple[Tri, list[Statement]]:
    best, which = Tri.NO, []
    for st in statements:
        if st.effect != effect:
            continue
        t = statement_applies(st, action, resource, context)
        if t is Tri.NO:
            continue
        if t > best:
            best, which = t, [st]
        elif t == best:
            which.append(st)
    return best, which


def _best_pre(
    groups: Iterable[tuple[_Entry, ...]],
    effect: str,
    resource: Resource,
    static: _Static = None,
) -> tuple[Tri, list[Statement]]:
    """``_best`` over pre-decided statements: the same statements in the same order, only
    their Resource elements matched against this target (``static``: the answer, when it
    does not depend on the target)."""
    # ``*`` is a regex ``.*``, which stops at a line break: such an ARN is matched in full.
    odd = "\n" in resource.arn
    if static is not None and not odd:
        return static[0], list(static[1])
    best, which = Tri.NO, []
    for group in groups:
        for st, t, free in group:
            if st.effect != effect:
                continue
            if odd or not free:
                WORK.statements += 1
                if not _resource_matches(st, resource):
                    continue
            if t > best:
                best, which = t, [st]
            elif t == best:
                which.append(st)
    return best, which


def evaluate(
    principal: Principal,
    action: str,
    resource: Resource,
    *,
    resource_policy: list[Statement] | None = None,
    context: Mapping[str, str | Sequence[str]] | None = None,
    resource_account: str | None = None,
    rcps: list[list[Statement]] | None = None,
) -> Decision:
    """May ``principal`` perform ``action`` on ``resource``?

    Same account: an allow in the identity *or* the resource policy is enough. Across accounts
    (``resource_account`` differs from the principal's): the resource policy must grant the
    principal or its account *and* the principal's own policies must allow the action. ``rcps``
    are the resource control policies of the resource's account (one list per level): like
    SCPs, each level must allow and any deny wins, whoever the caller is.

    The principal's own statements are pre-decided once per (action, context) (``_Pre``);
    the resource policy and the RCPs belong to the target and are checked per question. When
    the target has neither and none of the principal's statements for the action names a
    particular resource, the answer is the same for every target and is remembered.
    """
    WORK.evaluations += 1
    pre = _pre_decision(principal, action, context)
    cross = bool(resource_account) and resource_account != principal.account
    res_pre: tuple[_Entry, ...] = ()
    if resource_policy:
        granting = {"arn", "any", "account"} if cross else {"arn", "any"}
        res_stmts = [
            st
            for st in resource_policy
            if principal_match(st, principal.arn) in granting
            or (st.effect == "Deny" and principal_match(st, principal.arn) is not None)
        ]
        if res_stmts:
            res_pre = _entries(res_stmts, action, _request_context(principal, context))
    rcps_pre: list[tuple[_Entry, ...]] = []
    if rcps:
        ctx = _request_context(principal, context)
        rcps_pre = [_entries(level, action, ctx) for level in rcps]
    if res_pre or rcps_pre or not pre.static or "\n" in resource.arn:
        return Decision(*_decide(pre, res_pre, rcps_pre, resource, cross))
    hit = pre.answers.get(cross)
    if hit is None:
        hit = pre.answers[cross] = _decide(pre, (), [], resource, cross)
    allowed, grants, denies, reason = hit
    return Decision(allowed, list(grants), list(denies), reason)


def _pre_decision(
    principal: Principal, action: str, context: Mapping[str, str | Sequence[str]] | None
) -> _Pre:
    key = (action, _context_key(context))
    pre = principal._pre.get(key)
    if pre is None:
        ctx = _request_context(principal, context)
        pre = principal._pre[key] = _Pre(
            _entries(principal.identity, action, ctx),
            None if principal.boundary is None else _entries(principal.boundary, action, ctx),
            [_entries(level, action, ctx) for level in principal.scps],
        )
    return pre


_Answer = tuple[Tri, list[Statement], list[Statement], str]


def _decide(
    pre: _Pre,
    res_pre: tuple[_Entry, ...],
    rcps_pre: list[tuple[_Entry, ...]],
    resource: Resource,
    cross: bool,
) -> _Answer:
    """The evaluation logic proper (see :func:`evaluate`): (allowed, grants, denies, reason)."""
    if res_pre or rcps_pre:
        deny, denies = _best_pre(
            [pre.deny_own, res_pre, pre.deny_scps, *rcps_pre], "Deny", resource
        )
    else:
        deny, denies = _best_pre([pre.deny_own, pre.deny_scps], "Deny", resource, pre.deny_static)
    if deny is Tri.YES:
        return Tri.NO, [], denies, "explicit deny"
    gates = Tri.YES
    for level, static in zip(pre.scps, pre.scps_allow, strict=True):
        t, _ = _best_pre([level], "Allow", resource, static)
        gates = min(gates, t)
    if gates is Tri.NO:
        return Tri.NO, [], [], "not allowed by service control policies"
    for rcp_level in rcps_pre:
        t, _ = _best_pre([rcp_level], "Allow", resource)
        gates = min(gates, t)
    if gates is Tri.NO:
        return Tri.NO, [], [], "not allowed by resource control policies"
    if pre.boundary is not None:
        t, _ = _best_pre([pre.boundary], "Allow", resource, pre.boundary_allow)
        if t is Tri.NO:
            return Tri.NO, [], [], "outside the permission boundary"
        gates = min(gates, t)
    allow_id, grants_id = _best_pre([pre.identity], "Allow", resource, pre.identity_allow)
    allow_res, grants_res = _best_pre([res_pre], "Allow", resource) if res_pre else (Tri.NO, [])
    if cross:
        if allow_res is Tri.NO:
            return Tri.NO, [], [], "no resource policy grants the caller's account"
        if allow_id is Tri.NO:
            return Tri.NO, [], [], "the caller's own policies do not allow it"
        result = min(allow_id, allow_res, gates)
        if deny is Tri.UNKNOWN:
            result = min(result, Tri.UNKNOWN)
        return result, [*grants_res, *grants_id], denies, ""
    if allow_res > allow_id:
        allow, grants = allow_res, grants_res
    else:
        allow, grants = allow_id, grants_id
    if allow is Tri.NO:
        return Tri.NO, [], [], "no statement allows it"
    result = min(allow, gates)
    if deny is Tri.UNKNOWN:
        result = min(result, Tri.UNKNOWN)
    return result, grants, denies, ""


def undecided_statements(
    principal: Principal,
    action: str,
    resource: Resource,
    context: Mapping[str, str | Sequence[str]] | None = None,
) -> list[Statement]:
    """The principal's own statements (identity, boundary, SCPs, in that order) that speak
    about (action, resource) but whose condition or policy variables cannot be decided
    offline: what makes a decision conditional, for its evidence."""
    pre = _pre_decision(principal, action, context)
    odd = "\n" in resource.arn
    out: list[Statement] = []
    for group in (pre.identity, pre.boundary or (), *pre.scps):
        for st, t, free in group:
            if t is not Tri.UNKNOWN:
                continue
            if odd or not free:
                WORK.statements += 1
                if not _resource_matches(st, resource):
                    continue
            out.append(st)
    return out


def _request_context(
    principal: Principal, context: Mapping[str, str | Sequence[str]] | None
) -> dict[str, str | Sequence[str]]:
    ctx = dict(context or {})
    ctx.setdefault("aws:PrincipalArn", principal.arn)
    ctx.setdefault("aws:PrincipalAccount", principal.account)
    return ctx


def public_grants(
    statements: list[Statement],
    actions: Iterable[str],
    resource: Resource,
    context: Mapping[str, str | Sequence[str]] | None = None,
) -> tuple[Tri, list[Statement]]:
    """Does a resource policy let *anyone* (Principal ``*``) perform one of ``actions``?

    Conditions restricting the caller (source account, VPC, org id) usually cannot be decided
    offline and are what makes a policy non-public, so UNKNOWN is reported rather than YES.
    """
    ctx = dict(context or {})
    public = [
        st
        for st in statements
        if principal_values(st.principals).get("AWS") == ["*"]
        or principal_values(st.principals).get("*")
    ]
    best, which = Tri.NO, []
    for action in actions:
        deny, _ = _best(statements, "Deny", action, resource, ctx)
        if deny is Tri.YES:
            continue
        t, sts = _best(public, "Allow", action, resource, ctx)
        if deny is Tri.UNKNOWN:
            t = min(t, Tri.UNKNOWN)
        if t > best:
            best, which = t, sts
    return best, which
