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
