"""Named graph facts that checks refer to (``Fact("...")``).

Each is a small pure function of the built graph, for the few conditions a property test
cannot state: they look at a neighbour found through a property (an agent's role ARN), at
other nodes of the same kind, or at a policy document. Checks stay declarations; the code a
reviewer has to read is here, one function per fact, each with its reason.
"""

from __future__ import annotations

import json
from typing import Any

from aispm_graph.graph.model import Graph
from aispm_graph.recommendations.model import fact

AWS_MANAGED = "arn:aws:iam::aws:policy/"
BEDROCK_FULL_ACCESS = f"{AWS_MANAGED}AmazonBedrockFullAccess"


def _attached(graph: Graph, node_id: str) -> list[str]:
    return [t for _s, t, _e in graph.out_edges(node_id, "POLICY")]


def _trust_statements(data: dict[str, Any]) -> list[dict[str, Any]]:
    doc = data.get("trust_policy")
    if isinstance(doc, str):
        try:
            doc = json.loads(doc)
        except ValueError:
            return []
    if not isinstance(doc, dict):
        return []
    stmts = doc.get("Statement") or []
    if isinstance(stmts, dict):
        stmts = [stmts]
    return [s for s in stmts if isinstance(s, dict)]


@fact("aws_service_role", "the role is assumable by AWS services only (a service role)")
def aws_service_role(graph: Graph, node_id: str, data: dict[str, Any]) -> bool:
    """A role only services can assume is how a service acts for you; people and workloads
    cannot pick it up, so broad service policies on it are the service's business."""
    allows = [s for s in _trust_statements(data) if s.get("Effect", "Allow") == "Allow"]
    if not allows:
        return False
    for s in allows:
        principal = s.get("Principal")
        if not isinstance(principal, dict) or set(principal) != {"Service"}:
            return False
    return True


@fact("bedrock_full_access_attached", "AmazonBedrockFullAccess is attached")
def bedrock_full_access(graph: Graph, node_id: str, data: dict[str, Any]) -> bool:
    return BEDROCK_FULL_ACCESS in _attached(graph, node_id)


def role_violations(graph: Graph, role_id: str) -> list[str]:
    """Why a role is not least privilege, in the terms the Prowler peer uses: an AWS-managed
    ``*FullAccess`` policy, administrative access, a privilege-escalation route, or no
    permissions boundary."""
    if not graph.has_node(role_id):
        return []
    data = graph.node(role_id)
    out = [
        f"managed policy {t.removeprefix(AWS_MANAGED)} grants full access"
        for t in _attached(graph, role_id)
        if t.startswith(AWS_MANAGED) and t.endswith("FullAccess")
    ]
    if data.get("admin") is True:
        out.append("the role is an administrator of its account")
    if any(graph.out_edges(role_id, "CAN_ESCALATE_TO")):
        out.append("the role can escalate its privileges")
    if data.get("permissions_boundary") is None:
        out.append("no permissions boundary")
    return out


@fact(
    "agent_role_not_least_privilege",
    "the agent's execution role has a *FullAccess policy, admin rights, an escalation route "
    "or no permissions boundary",
)
def agent_role_not_least_privilege(graph: Graph, node_id: str, data: dict[str, Any]) -> bool:
    role = data.get("role")
    return isinstance(role, str) and bool(role_violations(graph, role))


@fact("agent_role_shared", "another agent runs as the same execution role")
def agent_role_shared(graph: Graph, node_id: str, data: dict[str, Any]) -> bool:
    """One role per agent: a shared role gives every agent the union of their rights and
    leaves CloudTrail unable to say which agent acted."""
    role = data.get("role")
    if not role:
        return False
    return any(other != node_id and d.get("role") == role for other, d in graph.nodes(data["kind"]))


def _statements(doc: Any) -> list[dict[str, Any]]:
    if isinstance(doc, str):
        try:
            doc = json.loads(doc)
        except ValueError:
            return []
    stmts = doc.get("Statement") if isinstance(doc, dict) else None
    if isinstance(stmts, dict):
        stmts = [stmts]
    return [s for s in stmts or [] if isinstance(s, dict)]


def _as_list(value: Any) -> list[str]:
    return [str(v) for v in (value if isinstance(value, list) else [value]) if v is not None]


def full_bedrock_grants(graph: Graph, principal: str) -> list[str]:
    """Policies of the principal (and of its groups) that allow every Bedrock action on every
    resource (``bedrock:*`` or ``*`` on ``*``), as Prowler's full-service-access test reads
    them: an Allow statement, no NotAction, resource ``*``."""
    holders = [principal] + [t for _s, t, _e in graph.out_edges(principal, "MEMBER_OF")]
    found: list[str] = []
    for holder in holders:
        for pol in graph.node(holder).get("policies") or []:
            if not isinstance(pol, dict):
                continue
            for st in _statements(pol.get("document")):
                if st.get("Effect") != "Allow" or "NotAction" in st:
                    continue
                actions = {a.lower() for a in _as_list(st.get("Action"))}
                if actions & {"*", "bedrock:*"} and "*" in _as_list(st.get("Resource")):
                    found.append(str(pol.get("name") or pol.get("arn") or "a policy"))
                    break
    return found


@fact(
    "api_key_user_privileged",
    "the key's IAM user is an administrator, can escalate its privileges, or is allowed "
    "bedrock:* on every resource",
)
def api_key_user_privileged(graph: Graph, node_id: str, data: dict[str, Any]) -> bool:
    """A Bedrock API key acts with its user's Bedrock rights; with bedrock:* it can delete
    guardrails and logging, and an admin or escalating user turns a leaked key into more."""
    user = data.get("user")
    if not isinstance(user, str) or not graph.has_node(user):
        return False
    if graph.node(user).get("admin") is True:
        return True
    if any(graph.out_edges(user, "CAN_ESCALATE_TO")):
        return True
    return bool(full_bedrock_grants(graph, user))
