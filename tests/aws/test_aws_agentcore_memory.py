"""AgentCore memories and custom JWT authorizers, end to end: moto (runtimes, memories) plus
the replay proxy for the runtime listing and resource policies, collected by the real
collector and built.

* readers of a memory (``RetrieveMemoryRecords``, ``ListMemoryRecords``, ``GetMemoryRecord``,
  ``ListEvents``) ``CAN_READ`` it, and it ends paths (what users told the agent is data);
* writers (``CreateEvent``, ``BatchCreateMemoryRecords``) get ``PROMPT_INJECTION`` into the
  runtime whose environment names that memory, always ``inferred``; a runtime that does not
  use it is not reached;
* a custom JWT authorizer's issuer is an ``ExternalIdentityProvider`` that reaches the runtime
  under assumed breach, never from the internet.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from aispm_graph.analysis.engine import PathOptions, find_paths
from aispm_graph.graph.model import Graph
from tests.aws.aws_moto import MotoEnv, collect_and_build
from tests.aws.test_aws_agentcore import ACCT, TRUST_CORE, R, allow, role, route, user

SERVICES = ("iam", "bedrock-agentcore")
ISSUER = "https://login.example.com/tenant-a/.well-known/openid-configuration"
ENV_SECRET = "sk-live-do-not-store"  # a value next to the memory id that must never be kept


def deny(action: str) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": "*"}


def estate(moto_env: MotoEnv) -> tuple[dict[str, str], Graph, list[str]]:
    ids: dict[str, str] = {}

    def setup(session: Any) -> None:
        iam = session.client("iam")
        core = session.client("bedrock-agentcore-control", region_name=R)
        mem = core.create_memory(name="support_memory", eventExpiryDuration=30)["memory"]
        ids["memory"], ids["memory_id"] = mem["arn"], mem["id"]
        exec_role = role(iam, "agent-exec-role", TRUST_CORE, allow("s3:ListAllMyBuckets"))
        runtimes = []
        for name, env, jwt in (
            ("mem-rt", {"BEDROCK_AGENTCORE_MEMORY_ID": mem["id"], "LLM_KEY": ENV_SECRET}, False),
            ("plain-rt", {"LLM_KEY": ENV_SECRET}, False),
            ("jwt-rt", {}, True),
        ):
            kwargs: dict[str, Any] = {}
            if jwt:
                kwargs["authorizerConfiguration"] = {
                    "customJWTAuthorizer": {
                        "discoveryUrl": ISSUER,
                        "allowedAudience": ["support-agents"],
                        "allowedClients": ["web-app"],
                    }
                }
            r = core.create_agent_runtime(
                agentRuntimeName=name.replace("-", "_"),
                agentRuntimeArtifact={
                    "containerConfiguration": {
                        "containerUri": f"{ACCT}.dkr.ecr.{R}.amazonaws.com/agent:1"
                    }
                },
                roleArn=exec_role,
                networkConfiguration={"networkMode": "PUBLIC"},
                environmentVariables=env,
                **kwargs,
            )
            ids[name] = r["agentRuntimeArn"]
            runtimes.append(
                {
                    "agentRuntimeArn": r["agentRuntimeArn"],
                    "agentRuntimeId": r["agentRuntimeId"],
                    "agentRuntimeName": name,
                    "status": "READY",
                }
            )
            # no resource policy: IAM callers of the account only
            route(
                moto_env, "GET", f"/resourcepolicy/{quote(r['agentRuntimeArn'], safe='-_.~')}", {}
            )
        route(moto_env, "POST", "/runtimes", {"agentRuntimes": runtimes})
        for name, action in (
            ("retriever", "bedrock-agentcore:RetrieveMemoryRecords"),
            ("lister", "bedrock-agentcore:ListMemoryRecords"),
            ("getter", "bedrock-agentcore:GetMemoryRecord"),
            ("event-reader", "bedrock-agentcore:ListEvents"),
        ):
            ids[name] = user(iam, name, allow(action, mem["arn"]))
        ids["denied-reader"] = user(
            iam,
            "denied-reader",
            allow("bedrock-agentcore:RetrieveMemoryRecords"),
            deny("bedrock-agentcore:RetrieveMemoryRecords"),
        )
        # control-plane reads of the memory's configuration are not its records
        ids["admin-viewer"] = user(
            iam,
            "admin-viewer",
            allow(["bedrock-agentcore:GetMemory", "bedrock-agentcore:ListMemories"]),
        )
        ids["event-writer"] = user(iam, "event-writer", allow("bedrock-agentcore:CreateEvent"))
        ids["record-writer"] = user(
            iam, "record-writer", allow("bedrock-agentcore:BatchCreateMemoryRecords", mem["arn"])
        )
        ids["denied-writer"] = user(
            iam,
            "denied-writer",
            allow("bedrock-agentcore:CreateEvent"),
            deny("bedrock-agentcore:*"),
        )

    docs: list[str] = []
    try:
        from aispm_graph.providers.aws.collect import CollectOptions, collect

        graph = collect_and_build(moto_env, SERVICES, setup)
        # the documents a collect stores, to check that no environment value is kept
        result = collect(CollectOptions(regions=[R], services=SERVICES, max_workers=2))
        docs = [json.dumps(d.body) for d in result.documents]
    finally:
        for key in [
            k for k in moto_env.proxy.routes if k[1].startswith(("/runtimes", "/resourcepolicy/"))
        ]:
            del moto_env.proxy.routes[key]
    return ids, graph, docs


def _routes(graph: Graph, **kw: Any) -> set[tuple[str, ...]]:
    kw.setdefault("all_routes", True)
    return {tuple(n.id for n in p.nodes) for p in find_paths(graph, PathOptions(**kw)).paths}


def test_memory_readers_writers_and_jwt_issuers(moto_env: MotoEnv) -> None:
    ids, g, docs = estate(moto_env)
    memory = ids["memory"]
    # Readers: one edge each, with the action that grants it; Deny and control plane: none.
    readers = {(s, e["evidence"]["permission"]) for s, t, e in g.edges("CAN_READ") if t == memory}
    assert readers == {
        (ids["retriever"], "bedrock-agentcore:RetrieveMemoryRecords"),
        (ids["lister"], "bedrock-agentcore:ListMemoryRecords"),
        (ids["getter"], "bedrock-agentcore:GetMemoryRecord"),
        (ids["event-reader"], "bedrock-agentcore:ListEvents"),
    }
    # The memory ends paths: a leaked reader key reaches what users told the agent.
    creds = _routes(g, entry="credentials")
    assert any(r[1:] == (ids["retriever"], memory) for r in creds)
    # Writers: CreateEvent and BatchCreateMemoryRecords; Deny: none.
    writers = {s for s, t, _e in g.edges("CAN_WRITE") if t == memory}
    assert writers == {ids["event-writer"], ids["record-writer"]}
    # The runtime that names the memory uses it; the one that does not, does not.
    uses = {(s, t) for s, t, _e in g.edges("USES_MEMORY")}
    assert uses == {(ids["mem-rt"], memory)}
    assert (
        "BEDROCK_AGENTCORE_MEMORY_ID"
        in g.edge(ids["mem-rt"], memory, "USES_MEMORY")["evidence"]["mechanism"]
    )
    # Writers steer the agent that reads the memory: inferred, with the content named.
    injected = {
        (s, t, e["confidence"], e["evidence"]["content"])
        for s, t, e in g.edges("PROMPT_INJECTION")
        if t in {ids["mem-rt"], ids["plain-rt"], ids["jwt-rt"]}
    }
    assert injected == {
        (ids["event-writer"], ids["mem-rt"], "inferred", memory),
        (ids["record-writer"], ids["mem-rt"], "inferred", memory),
    }
    # Environment values never reach the snapshot; the memory reference keeps name and id.
    assert not [d for d in docs if ENV_SECRET in d]
    assert any('"variable": "BEDROCK_AGENTCORE_MEMORY_ID"' in d for d in docs)
    assert g.node(ids["mem-rt"])["env_names"] == ["BEDROCK_AGENTCORE_MEMORY_ID", "LLM_KEY"]
    # The JWT issuer: an outside identity provider that reaches the runtime with its tokens.
    idp = g.node(ISSUER)
    assert idp["kind"] == "ExternalIdentityProvider" and idp["name"] == "login.example.com"
    inv = g.edge(ISSUER, ids["jwt-rt"], "CAN_INVOKE")
    assert inv is not None
    assert "audiences support-agents; clients web-app" in inv["evidence"]["grant"]
    assert (ISSUER, ids["jwt-rt"]) in creds
    assert not [r for r in _routes(g) if ids["jwt-rt"] in r]  # not from the internet
    # IAM-authenticated runtimes have no issuer in front of them.
    assert {t for s, t, _e in g.edges("CAN_INVOKE") if s == ISSUER} == {ids["jwt-rt"]}
