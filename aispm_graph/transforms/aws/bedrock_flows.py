"""Bedrock Prompt Management and Flows: prompts bound to models, and flows that chain prompts,
models, knowledge bases, agents, Lambda functions and S3 under their execution role."""

from __future__ import annotations

from typing import Any

from aispm_graph.transforms.aws.bedrock_models import model_ref
from aispm_graph.transforms.aws.builder import AwsBuilder
from aispm_graph.transforms.refs import ref
from aispm_graph.transforms.registry import service


@service(
    "aws",
    "bedrock-flows",
    reads=[
        ("bedrock-flows", "list_prompts"),
        ("bedrock-flows", "get_prompt"),
        ("bedrock-flows", "get_flow"),
    ],
    order=135,
)
def bedrock_flows(b: AwsBuilder) -> None:
    """After agents (130): a flow's knowledge bases and agents are nodes by then."""
    _prompt_management(b)
    for arn, r, region in b.described("bedrock-flows", "get_prompt", "arn"):
        with b.guard("get_prompt", label=arn):
            variants = [v for v in r.get("variants") or [] if isinstance(v, dict)]
            models = sorted({str(v["modelId"]) for v in variants if v.get("modelId")})
            b.node(
                arn,
                "BedrockPrompt",
                r.get("name"),
                region,
                models=models or None,
                variant_count=len(variants),
                kms_key=r.get("customerEncryptionKeyArn"),
                cmk=bool(r.get("customerEncryptionKeyArn")),
            )
            # Each variant's model: a foundation model (made a node by bedrock_models because
            # a prompt names it), an inference profile or a custom model of the estate.
            for model in models:
                b.edge(
                    arn,
                    model_ref(model, region),
                    "USES_MODEL",
                    model=model,
                    field="variants[].modelId",
                )
            b.edge(
                arn,
                ref(r.get("customerEncryptionKeyArn")),
                "ENCRYPTED_WITH",
                if_present=True,
                field="customerEncryptionKeyArn",
            )
    for arn, r, region in b.described("bedrock-flows", "get_flow", "arn"):
        with b.guard("get_flow", label=arn):
            _flow(b, arn, r, region)


def _prompt_management(b: AwsBuilder) -> None:
    """Whether each region keeps prompts in Prompt Management, on its invocation logging node
    (the region's Bedrock node); a region whose listing was not read stays unknown."""
    count: dict[str, int] = {}
    for body in b.responses("bedrock-flows", "list_prompts"):
        listed = body["response"].get("promptSummaries")
        count[body["region"]] = count.get(body["region"], 0) + (
            len(listed) if isinstance(listed, list) else 0
        )
    for region, n in count.items():
        node = b.arn("bedrock", region, "model-invocation-logging")
        if b.graph.has_node(node):
            b.graph.add_node(node, "BedrockInvocationLogging", prompt_management=n > 0)


def _flow(b: AwsBuilder, arn: str, r: dict[str, Any], region: str) -> None:
    nodes = [n for n in (r.get("definition") or {}).get("nodes") or [] if isinstance(n, dict)]
    models: set[str] = set()
    guardrails: set[str] = set()
    tools: list[tuple[str, str, str]] = []  # (target, field, mechanism)
    kbs: list[str] = []
    buckets: list[str] = []
    for n in nodes:
        cfg = n.get("configuration") or {}
        kb = cfg.get("knowledgeBase") or {}
        if kb.get("knowledgeBaseId"):
            kbs.append(b.arn("bedrock", region, f"knowledge-base/{kb['knowledgeBaseId']}"))
            models.update([kb["modelId"]] if kb.get("modelId") else [])
        prompt = ((cfg.get("prompt") or {}).get("sourceConfiguration") or {}).get("inline") or {}
        models.update([prompt["modelId"]] if prompt.get("modelId") else [])
        for part in (kb, cfg.get("prompt") or {}):
            g = (part.get("guardrailConfiguration") or {}).get("guardrailIdentifier")
            if g:
                guardrails.add(str(g))
        fn = (cfg.get("lambdaFunction") or {}).get("lambdaArn")
        if fn:
            tools.append((str(fn), "lambdaFunction.lambdaArn", "flow Lambda function node"))
        alias = (cfg.get("agent") or {}).get("agentAliasArn")
        if alias:
            agent = str(alias).replace(":agent-alias/", ":agent/").rsplit("/", 1)[0]
            tools.append((agent, "agent.agentAliasArn", "flow agent node"))
        s3 = ((cfg.get("retrieval") or {}).get("serviceConfiguration") or {}).get("s3") or {}
        if s3.get("bucketName"):
            buckets.append(str(s3["bucketName"]))
    b.node(
        arn,
        "BedrockFlow",
        r.get("name"),
        region,
        status=r.get("status"),
        role=r.get("executionRoleArn"),
        kms_key=r.get("customerEncryptionKeyArn"),
        cmk=bool(r.get("customerEncryptionKeyArn")),
        models=sorted(models) or None,
        node_types=sorted({str(n.get("type")) for n in nodes if n.get("type")}) or None,
        guardrails=sorted(guardrails) or None,
        tools=sorted({t for t, _f, _m in tools}) or None,
    )
    # The flow runs as its execution role: control of the flow is that role.
    b.has_role(arn, r.get("executionRoleArn"), "Bedrock flow execution role")
    for target, field, mechanism in tools:
        # Kept as the `tools` property when the function or agent was not collected.
        b.edge(arn, target, "INVOKES", if_present=True, mechanism=mechanism, field=field)
    for kb in kbs:
        b.edge(
            arn,
            kb,
            "GROUNDED_ON",
            if_present=True,
            mechanism="flow knowledge base node",
            field="knowledgeBase.knowledgeBaseId",
        )
    for name in buckets:
        bucket = b.bucket(name, "grounding")
        b.edge(
            arn,
            bucket or None,
            "GROUNDED_ON",
            mechanism="flow S3 retrieval node",
            field="retrieval.serviceConfiguration.s3.bucketName",
        )
    b.edge(
        arn, ref(r.get("customerEncryptionKeyArn")), "ENCRYPTED_WITH", if_present=True, field="kms"
    )
