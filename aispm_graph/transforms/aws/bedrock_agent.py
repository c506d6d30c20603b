"""Bedrock Agents: agents, their action groups (Lambda tools), knowledge bases and the data
sources and vector stores those ground on."""

from __future__ import annotations

from typing import Any

from aispm_graph.transforms.aws.builder import AwsBuilder
from aispm_graph.transforms.registry import service


@service(
    "aws",
    "bedrock-agent",
    reads=[
        ("bedrock-agent", "get_agent"),
        ("bedrock-agent", "get_agent_action_group"),
        ("bedrock-agent", "get_knowledge_base"),
        ("bedrock-agent", "list_agent_knowledge_bases"),
        ("bedrock-agent", "get_data_source"),
    ],
    order=130,
)
def bedrock_agent(b: AwsBuilder) -> None:
    """After Bedrock (guardrails), Lambda (tools) and OpenSearch Serverless (vector stores)."""
    guardrails = {
        str(d.get("guardrail_id")): n
        for n, d in b.g.nodes("BedrockGuardrail")
        if isinstance(d.get("guardrail_id"), str)
    }
    agents: dict[str, str] = {}
    for body in b.responses("bedrock-agent", "get_agent"):
        a = body["response"].get("agent") or {}
        with b.guard("get_agent", a):
            arn = a.get("agentArn")
            if not arn:
                continue
            agents[a.get("agentId", "")] = arn
            g = a.get("guardrailConfiguration") or {}
            gid = g.get("guardrailIdentifier")
            b.node(
                arn,
                "BedrockAgent",
                a.get("agentName", ""),
                body["region"],
                model_name=a.get("foundationModel"),
                guardrail=gid,
                role=a.get("agentResourceRoleArn"),
                agent_id=a.get("agentId"),
            )
            if gid:
                b.edge(arn, guardrails.get(gid) or gid, "USES_GUARDRAIL")
    for body in b.responses("bedrock-agent", "get_agent_action_group"):
        ag = body["response"].get("agentActionGroup") or {}
        with b.guard("get_agent_action_group", ag):
            agent = agents.get(ag.get("agentId", body["params"].get("agentId", "")))
            fn = (ag.get("actionGroupExecutor") or {}).get("lambda")
            if agent and fn:
                if not b.g.has_node(fn):
                    b.warn(
                        f"Lambda {fn} was not collected",
                        record=f"action group {ag.get('actionGroupName')}",
                    )
                    continue
                b.edge(
                    agent,
                    fn,
                    "INVOKES",
                    mechanism="agent action group",
                    action_group=ag.get("actionGroupName"),
                )
                b.g.node(fn)["agent_action_group"] = True
    kbs = _knowledge_bases(b)
    for body, i, s in b.items(
        "bedrock-agent", "list_agent_knowledge_bases", "agentKnowledgeBaseSummaries"
    ):
        with b.guard("list_agent_knowledge_bases", s, index=i):
            agent = agents.get(str(body["params"].get("agentId", "")))
            kb_arn = kbs.get(s.get("knowledgeBaseId", ""))
            if agent and kb_arn:
                b.edge(agent, kb_arn, "GROUNDED_ON", mechanism="agent knowledge base")
    for body in b.responses("bedrock-agent", "get_data_source"):
        ds = body["response"].get("dataSource") or {}
        with b.guard("get_data_source", ds):
            _data_source(b, ds, body["params"], kbs)


def _knowledge_bases(b: AwsBuilder) -> dict[str, str]:
    """Knowledge base id -> ARN, making the nodes and marking their vector stores."""
    kbs: dict[str, str] = {}
    for body in b.responses("bedrock-agent", "get_knowledge_base"):
        kb = body["response"].get("knowledgeBase") or {}
        with b.guard("get_knowledge_base", kb):
            arn = kb.get("knowledgeBaseArn")
            if not arn:
                continue
            kbs[kb.get("knowledgeBaseId", "")] = arn
            storage = kb.get("storageConfiguration") or {}
            coll = (storage.get("opensearchServerlessConfiguration") or {}).get("collectionArn")
            b.node(
                arn,
                "BedrockKnowledgeBase",
                kb.get("name", ""),
                body["region"],
                role=kb.get("roleArn"),
                vector_store=storage.get("type"),
                vector_collection=coll,
            )
            if coll and b.g.has_node(coll):
                b.g.node(coll)["data_role"] = ["grounding"]
                b.edge(arn, coll, "GROUNDED_ON", mechanism="vector store")
    return kbs


def _data_source(
    b: AwsBuilder, ds: dict[str, Any], params: dict[str, Any], kbs: dict[str, str]
) -> None:
    kb_arn = kbs.get(ds.get("knowledgeBaseId", params.get("knowledgeBaseId", "")))
    cfg = (ds.get("dataSourceConfiguration") or {}).get("s3Configuration") or {}
    bucket_arn = cfg.get("bucketArn", "")
    if not kb_arn or not bucket_arn.startswith("arn:aws:s3:::"):
        return
    prefixes = cfg.get("inclusionPrefixes") or [""]
    name = bucket_arn.removeprefix("arn:aws:s3:::")
    for prefix in prefixes:
        bucket = b.bucket(name, "grounding", prefix)
    b.edge(
        kb_arn,
        bucket,
        "GROUNDED_ON",
        mechanism="knowledge base S3 data source",
        data_source=ds.get("name"),
        prefixes=prefixes,
    )
