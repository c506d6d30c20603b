"""The published Bedrock agent techniques, reproduced on moto + the replayed Bedrock Agents
answers and found by the real collector, transform, derivers and path engine; each with the
negative control that breaks exactly one link.

* Updating an action group's Lambda code makes the agent run attacker code with the Lambda's
  role.
* A knowledge-base bucket writable by a broad principal poisons the agent (indirect prompt
  injection, inferred), and the agent's tool writes data with its role.
* Controls: user confirmation required on the action group; a tool role with no access; a
  principal that can only read the bucket.
"""

from __future__ import annotations

import copy
import io
import json
import zipfile
from collections.abc import Callable
from typing import Any

from aispm_graph.analysis.engine import PathOptions, find_paths
from aispm_graph.graph.model import Graph
from tests.aws.aws_moto import MotoEnv, collect_and_build, doc

ACCT = "123456789012"
R = "us-east-1"
SERVICES = ("iam", "lambda", "s3", "bedrock-agent")
AGENT = f"arn:aws:bedrock:{R}:{ACCT}:agent/AGENT00001"
GROUP = f"{AGENT}/action-group/AG00000001"
FN = f"arn:aws:lambda:{R}:{ACCT}:function:order-lookup"
TOOL_ROLE = f"arn:aws:iam::{ACCT}:role/order-lookup-role"
KB_BUCKET = "arn:aws:s3:::acme-kb-docs"
GROUP_PATH = "/agents/AGENT00001/agentversions/DRAFT/actiongroups/AG00000001"


def user(name: str) -> str:
    return f"arn:aws:iam::{ACCT}:user/{name}"


def allow(action: Any, resource: str = "*") -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource}


def _setup(tool_can_write: bool) -> Callable[[Any], None]:
    def setup(session: Any) -> None:
        iam = session.client("iam")
        session.client("s3").create_bucket(Bucket="acme-kb-docs")
        trust = doc(
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        )
        iam.create_role(RoleName="order-lookup-role", AssumeRolePolicyDocument=trust)
        stmts = [allow("dynamodb:GetItem")]
        if tool_can_write:
            stmts.append(allow("s3:PutObject", f"{KB_BUCKET}/docs/*"))
        iam.put_role_policy(
            RoleName="order-lookup-role", PolicyName="p", PolicyDocument=doc(*stmts)
        )
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("app.py", "def handler(e, c):\n    return e\n")
        session.client("lambda").create_function(
            FunctionName="order-lookup",
            Runtime="python3.12",
            Role=TOOL_ROLE,
            Handler="app.handler",
            Code={"ZipFile": buf.getvalue()},
        )
        for name, statements in (
            ("contractor", [allow("s3:PutObject", f"{KB_BUCKET}/*")]),
            ("dev", [allow("lambda:UpdateFunctionCode", FN)]),
            ("reader", [allow("s3:GetObject", f"{KB_BUCKET}/*")]),
        ):
            iam.create_user(UserName=name)
            iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=doc(*statements))
            iam.create_access_key(UserName=name)

    return setup


def _build(moto_env: MotoEnv, *, tool_can_write: bool = True, confirm: bool = False) -> Graph:
    saved = copy.deepcopy(moto_env.proxy.routes[("GET", GROUP_PATH)])
    if confirm:
        route = moto_env.proxy.routes[("GET", GROUP_PATH)]
        for f in route["body"]["agentActionGroup"]["functionSchema"]["functions"]:
            f["requireConfirmation"] = "ENABLED"
    try:
        return collect_and_build(moto_env, SERVICES, _setup(tool_can_write))
    finally:
        moto_env.proxy.routes[("GET", GROUP_PATH)] = saved


def _routes(graph: Graph) -> set[tuple[str, ...]]:
    """Routes from leaked credentials, starting at the user the access key belongs to."""
    res = find_paths(graph, PathOptions(entry="credentials"))
    out = set()
    for p in res.paths:
        ids = tuple(n.id for n in p.nodes)
        out.add(ids[1:] if ":access-key/" in ids[0] else ids)
    return out


def test_kb_bucket_writers_poison_the_agent_whose_tool_writes_data(moto_env: MotoEnv) -> None:
    g = _build(moto_env)
    inj = g.edge(user("contractor"), AGENT, "PROMPT_INJECTION")
    assert inj is not None and inj["confidence"] == "inferred"
    ev = inj["evidence"]
    assert ev["content"] == KB_BUCKET and ev["permission"] == "s3:PutObject"
    assert "product-docs-kb" in ev["via"]
    assert g.edge(user("reader"), AGENT, "PROMPT_INJECTION") is None  # control: read only
    routes = _routes(g)
    assert (user("contractor"), AGENT) in routes
    # ... and on through the agent: its tool writes with the Lambda's role (a distinct route
    # from the contractor's own write, with a distinct fix).
    assert (user("contractor"), AGENT, GROUP, FN, TOOL_ROLE, KB_BUCKET) in routes
    assert (user("contractor"), KB_BUCKET) in routes
    paths = find_paths(g, PathOptions(entry="credentials")).paths
    found = [p for p in paths if p.target == AGENT and p.nodes[-2].id == user("contractor")]
    assert found, [[n.name for n in p.nodes] for p in paths if p.target == AGENT]
    p = found[0]
    factor = next(f for f in p.risk.factors if f.name == "confidence")
    assert "indirect prompt injection" in factor.detail
    ind = g.node(AGENT)
    assert {"prompt-injection", "high-autonomy"} <= set(ind["agent_indicators"])
    assert any(
        "record_resolution_note" not in e for e in ind["agent_indicator_evidence"]["high-autonomy"]
    )


def test_updating_the_action_group_lambda_runs_as_its_role(moto_env: MotoEnv) -> None:
    g = _build(moto_env)
    esc = g.edge(user("dev"), TOOL_ROLE, "CAN_ESCALATE_TO")
    assert esc is not None and "agent invoke it" in esc["evidence"]["technique"]
    routes = _routes(g)
    assert (user("dev"), TOOL_ROLE, KB_BUCKET) in routes
    assert g.edge(AGENT, GROUP, "USES_TOOL") is not None
    assert g.edge(GROUP, FN, "INVOKES") is not None
    assert g.node(GROUP)["functions"] == ["lookup_order", "record_resolution_note"]
    assert g.node(AGENT)["instruction_hash"] and "instruction" not in g.node(AGENT)


def test_controls_confirmation_required_and_a_tool_role_without_access(
    moto_env: MotoEnv,
) -> None:
    confirmed = _build(moto_env, confirm=True)
    assert confirmed.edge(AGENT, GROUP, "USES_TOOL") is None
    assert confirmed.edge(AGENT, GROUP, "HAS_TOOL") is not None
    assert confirmed.node(GROUP)["approval"] == "always"
    assert not [r for r in _routes(confirmed) if AGENT in r and GROUP in r]
    assert "high-autonomy" not in (confirmed.node(AGENT).get("agent_indicators") or [])
    quiet = _build(moto_env, tool_can_write=False)
    assert quiet.edge(AGENT, GROUP, "USES_TOOL") is not None
    assert not [r for r in _routes(quiet) if TOOL_ROLE in r and r[-1] == KB_BUCKET]
    json.dumps(quiet.node(AGENT).get("agent_indicator_evidence"))  # JSON-safe
