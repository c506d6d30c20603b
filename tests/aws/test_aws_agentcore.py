"""Bedrock AgentCore and Bedrock Agents end to end: moto (runtimes, gateways, targets,
memories) plus the replay proxy for what moto lacks (runtime listing, resource policies, code
interpreters), collected by the real collector and built; the assertions are the paths and
edges a user sees, with the negative control of each technique."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from aispm_graph.analysis.engine import PathOptions, find_paths
from aispm_graph.graph.model import Graph
from tests.aws.aws_moto import MotoEnv, collect_and_build, doc

ACCT = "123456789012"
R = "us-east-1"
SERVICES = ("iam", "lambda", "secretsmanager", "bedrock-agentcore")
TRUST_LAMBDA = {"Service": "lambda.amazonaws.com"}
TRUST_CORE = {"Service": "bedrock-agentcore.amazonaws.com"}


def allow(action: Any, resource: str = "*") -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource}


def role(iam: Any, name: str, principal: dict[str, str], *statements: dict[str, Any]) -> str:
    arn: str = iam.create_role(
        RoleName=name,
        AssumeRolePolicyDocument=doc(
            {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}
        ),
    )["Role"]["Arn"]
    if statements:
        iam.put_role_policy(RoleName=name, PolicyName="p", PolicyDocument=doc(*statements))
    return arn


def user(iam: Any, name: str, *statements: dict[str, Any]) -> str:
    arn: str = iam.create_user(UserName=name)["User"]["Arn"]
    iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=doc(*statements))
    iam.create_access_key(UserName=name)
    return arn


def lambda_fn(session: Any, name: str, role_arn: str) -> str:
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("app.py", "def handler(e, c):\n    return e\n")
    arn: str = session.client("lambda").create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=role_arn,
        Handler="app.handler",
        Code={"ZipFile": buf.getvalue()},
    )["FunctionArn"]
    return arn


def route(moto_env: MotoEnv, method: str, path: str, body: Any, **extra: Any) -> None:
    moto_env.proxy.routes[(method, path.rstrip("/"))] = {
        "method": method,
        "path": path,
        "body": body,
        **extra,
    }


def estate(moto_env: MotoEnv) -> tuple[dict[str, str], Graph]:
    ids: dict[str, str] = {}

    def setup(session: Any) -> None:
        iam = session.client("iam")
        core = session.client("bedrock-agentcore-control", region_name=R)
        secret = session.client("secretsmanager").create_secret(
            Name="anthropic-api-key", SecretString="never-stored"
        )["ARN"]
        ids["secret"] = secret
        tool_role = role(
            iam, "gw-tool-role", TRUST_LAMBDA, allow("secretsmanager:GetSecretValue", secret)
        )
        ids["tool_fn"] = lambda_fn(session, "gw-tool", tool_role)
        ids["tool_role"] = tool_role
        quiet_role = role(iam, "gw-quiet-role", TRUST_LAMBDA, allow("dynamodb:GetItem"))
        ids["quiet_fn"] = lambda_fn(session, "gw-quiet", quiet_role)
        gw_role = role(iam, "gateway-role", TRUST_CORE, allow("lambda:InvokeFunction"))
        schema = {
            "inlinePayload": [{"name": "t", "description": "d", "inputSchema": {"type": "object"}}]
        }
        for name, auth, fn in (
            ("open-gw", "NONE", ids["tool_fn"]),
            ("iam-gw", "AWS_IAM", ids["tool_fn"]),
            ("jwt-gw", "CUSTOM_JWT", ids["tool_fn"]),
            ("open-quiet-gw", "NONE", ids["quiet_fn"]),
        ):
            kwargs: dict[str, Any] = {}
            if auth == "CUSTOM_JWT":
                kwargs["authorizerConfiguration"] = {
                    "customJWTAuthorizer": {
                        "discoveryUrl": "https://idp.example.com/.well-known/openid-configuration",
                        "allowedClients": ["agent-app"],
                    }
                }
            g = core.create_gateway(
                name=name,
                roleArn=gw_role,
                protocolType="MCP",
                authorizerType=auth,
                **kwargs,
            )
            ids[name] = g["gatewayArn"]
            core.create_gateway_target(
                gatewayIdentifier=g["gatewayId"],
                name=f"{name}-tool",
                targetConfiguration={"mcp": {"lambda": {"lambdaArn": fn, "toolSchema": schema}}},
                credentialProviderConfigurations=[{"credentialProviderType": "GATEWAY_IAM_ROLE"}],
            )
        exec_role = role(
            iam, "runtime-exec-role", TRUST_CORE, allow("secretsmanager:GetSecretValue", secret)
        )
        runtimes = []
        for name, jwt in (("public-rt", False), ("jwt-rt", True)):
            kwargs = {}
            if jwt:
                kwargs["authorizerConfiguration"] = {
                    "customJWTAuthorizer": {
                        "discoveryUrl": "https://idp.example.com/.well-known/openid-configuration",
                        "allowedAudience": ["agents"],
                    }
                }
            r = core.create_agent_runtime(
                agentRuntimeName=name,
                agentRuntimeArtifact={
                    "containerConfiguration": {
                        "containerUri": f"{ACCT}.dkr.ecr.{R}.amazonaws.com/agent:1"
                    }
                },
                roleArn=exec_role,
                networkConfiguration={"networkMode": "PUBLIC"},
                environmentVariables={"OPENAI_API_KEY": "sk-never-stored-either"},
                **kwargs,
            )
            ids[name] = r["agentRuntimeArn"]
            runtimes.append({"agentRuntimeArn": r["agentRuntimeArn"], **_summary(r, name)})
        # moto lists runtimes under another path; the replay serves the listing.
        route(moto_env, "POST", "/runtimes", {"agentRuntimes": runtimes})
        public = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "AnyoneInvokes",
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "bedrock-agentcore:InvokeAgentRuntime",
                    "Resource": "*",
                }
            ],
        }
        for arn in (ids["public-rt"], ids["jwt-rt"]):
            route(
                moto_env,
                "GET",
                f"/resourcepolicy/{quote(arn, safe='-_.~')}",
                {"policy": json.dumps(public)},
            )
        # Code interpreters: moto has none; the replay answers with one whose role is admin.
        admin = role(iam, "ci-admin-role", TRUST_CORE, allow("*"))
        ids["admin_role"] = admin
        ci = f"arn:aws:bedrock-agentcore:{R}:{ACCT}:code-interpreter-custom/ci_admin-abc123"
        ids["ci"] = ci
        route(
            moto_env,
            "POST",
            "/code-interpreters",
            {"codeInterpreterSummaries": [{"codeInterpreterId": "ci_admin-abc123"}]},
        )
        route(
            moto_env,
            "GET",
            "/code-interpreters/ci_admin-abc123",
            {
                "codeInterpreterId": "ci_admin-abc123",
                "codeInterpreterArn": ci,
                "name": "ci_admin",
                "executionRoleArn": admin,
                "networkConfiguration": {"networkMode": "PUBLIC"},
                "status": "READY",
            },
        )
        ids["runner"] = user(
            iam,
            "ci-runner",
            allow(
                [
                    "bedrock-agentcore:StartCodeInterpreterSession",
                    "bedrock-agentcore:InvokeCodeInterpreter",
                ],
                ci,
            ),
        )
        ids["passer"] = user(
            iam,
            "ci-creator",
            allow("iam:PassRole", admin),
            allow(
                [
                    "bedrock-agentcore:CreateCodeInterpreter",
                    "bedrock-agentcore:StartCodeInterpreterSession",
                    "bedrock-agentcore:InvokeCodeInterpreter",
                ]
            ),
        )
        ids["viewer"] = user(iam, "ci-viewer", allow("bedrock-agentcore:Get*"))
        mem = core.create_memory(name="support_memory", eventExpiryDuration=30)["memory"]
        ids["memory"] = mem["arn"]
        ids["mem_writer"] = user(iam, "mem-writer", allow("bedrock-agentcore:CreateEvent"))

    try:
        graph = collect_and_build(moto_env, SERVICES, setup)
    finally:
        for key in [k for k in moto_env.proxy.routes if k[1].startswith(("/runtimes", "/code"))]:
            del moto_env.proxy.routes[key]
        for key in [k for k in moto_env.proxy.routes if k[1].startswith("/resourcepolicy/")]:
            del moto_env.proxy.routes[key]
    return ids, graph


def _summary(r: dict[str, Any], name: str) -> dict[str, Any]:
    return {"agentRuntimeId": r["agentRuntimeId"], "agentRuntimeName": name, "status": "READY"}


def _routes(graph: Graph, **kw: Any) -> set[tuple[str, ...]]:
    """Every route (the claim is which routes exist, not which few rank best per pair)."""
    kw.setdefault("all_routes", True)
    res = find_paths(graph, PathOptions(**kw))
    return {tuple(n.id for n in p.nodes) for p in res.paths}


def test_agentcore_entry_points_tools_and_code_interpreters(moto_env: MotoEnv) -> None:
    ids, g = estate(moto_env)
    open_gw, iam_gw, jwt_gw = ids["open-gw"], ids["iam-gw"], ids["jwt-gw"]
    # Gateways: only authorizerType NONE is an internet entry point.
    public = {t for s, t, _d in g.edges("PUBLIC_ACCESS") if s == "internet"}
    assert open_gw in public and ids["open-quiet-gw"] in public
    assert iam_gw not in public and jwt_gw not in public
    # Runtimes: IAM-authenticated with a Principal * resource policy is open to any AWS
    # principal; the JWT-authorized one is not an entry point whatever its policy says.
    assert ids["public-rt"] in public and ids["jwt-rt"] not in public
    rt = g.node(ids["public-rt"])
    assert rt["inbound_auth"] == "iam" and g.node(ids["jwt-rt"])["inbound_auth"] == "jwt"
    assert rt["env_names"] == ["OPENAI_API_KEY"]  # names only
    routes = _routes(g)
    target = next(t for s, t, _d in g.edges("PROVIDES_TOOL") if s == open_gw)
    fn_role = ids["tool_role"]
    assert ("internet", open_gw, target, ids["tool_fn"], fn_role, ids["secret"]) in routes
    # Negative controls: the same tool behind an IAM or JWT gateway starts no path, and a
    # tool whose role reaches nothing ends none of its own (its role, like every principal,
    # may only invoke the runtime whose resource policy admits anyone).
    assert not [r for r in routes if iam_gw in r or jwt_gw in r]
    assert all(ids["public-rt"] in r for r in routes if ids["quiet_fn"] in r)
    # The public runtime is a path (an agent), and on through its execution role.
    exec_role = f"arn:aws:iam::{ACCT}:role/runtime-exec-role"
    assert ("internet", ids["public-rt"]) in routes
    assert ("internet", ids["public-rt"], exec_role, ids["secret"]) in routes
    runs_as = g.edge(ids["public-rt"], exec_role, "RUNS_AS")
    assert runs_as is not None and runs_as["confidence"] == "inferred"
    # Code interpreter: running code in an existing interpreter with an admin role is admin;
    # passing the admin role to a new interpreter is an escalation; Get* is neither.
    ci = ids["ci"]
    run = g.edge(ids["runner"], ci, "CAN_RUN_CODE")
    assert run is not None and "run code as its execution role" in run["evidence"]["technique"]
    assert g.edge(ci, ids["admin_role"], "HAS_IDENTITY") is not None
    esc = g.edge(ids["passer"], ids["admin_role"], "CAN_ESCALATE_TO")
    assert esc is not None and "code interpreter" in esc["evidence"]["technique"]
    assert not [
        (t, d["kind"])
        for s, t, d in g.edges()
        if s == ids["viewer"] and d["kind"] in {"CAN_RUN_CODE", "CAN_ESCALATE_TO"}
    ]
    creds = _routes(g, entry="credentials")
    account = f"arn:aws:iam::{ACCT}:root"
    # the leaked key of ci-runner is the entry (one route per credential, not one per user)
    assert any(r[1:] == (ids["runner"], ci, ids["admin_role"], account) for r in creds)
    # Memory writers are recorded (CreateEvent); readers and users: test_aws_agentcore_memory.
    assert g.edge(ids["mem_writer"], ids["memory"], "CAN_WRITE") is not None
    # The JWT gateway and runtime are reached by holders of the issuer's tokens: an outside
    # identity provider, an entry under assumed breach that goes on through the gateway's tool.
    issuer = "https://idp.example.com/.well-known/openid-configuration"
    reached = {(t, e["evidence"]["grant"]) for s, t, e in g.edges("CAN_INVOKE") if s == issuer}
    assert {t for t, _grant in reached} == {jwt_gw, ids["jwt-rt"]}
    assert any(t == jwt_gw and "clients agent-app" in grant for t, grant in reached)
    jwt_target = next(t for s, t, _d in g.edges("PROVIDES_TOOL") if s == jwt_gw)
    assert (issuer, jwt_gw, jwt_target, ids["tool_fn"], fn_role, ids["secret"]) in creds
    # Indicators: the open gateway has no authentication and acts through its tools.
    gw = g.node(open_gw)
    assert "no-authentication" in gw["agent_indicators"]
    assert "no-authentication" not in (g.node(iam_gw).get("agent_indicators") or [])
