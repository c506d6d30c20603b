"""Amazon Bedrock: invocation logging per region, custom models, provisioned throughput and
guardrails (agents and knowledge bases are :mod:`.bedrock_agent`)."""

from __future__ import annotations

from aispm_graph.transforms.aws.builder import AwsBuilder, split_s3_uri
from aispm_graph.transforms.registry import service


@service(
    "aws",
    "bedrock",
    reads=[
        ("bedrock", "get_model_invocation_logging_configuration"),
        ("bedrock", "get_custom_model"),
        ("bedrock", "list_provisioned_model_throughputs"),
        ("bedrock", "get_guardrail"),
    ],
    order=120,
)
def bedrock(b: AwsBuilder) -> None:
    """Before agents: an agent finds its guardrail among the nodes made here."""
    logging_on: dict[str, bool] = {}
    for body in b.responses("bedrock", "get_model_invocation_logging_configuration"):
        region = body["region"]
        with b.guard("get_model_invocation_logging_configuration", label=region):
            cfg = body["response"].get("loggingConfig") or {}
            enabled = bool(cfg.get("s3Config") or cfg.get("cloudWatchConfig"))
            logging_on[region] = enabled
            b.node(
                b.arn("bedrock", region, "model-invocation-logging"),
                "BedrockInvocationLogging",
                f"invocation logging {region}",
                region,
                enabled=enabled,
            )
    for arn, r, region in b.described("bedrock", "get_custom_model", "modelArn"):
        with b.guard("get_custom_model", label=arn):
            uri = (r.get("trainingDataConfig") or {}).get("s3Uri", "")
            b.node(
                arn,
                "BedrockCustomModel",
                r.get("modelName", ""),
                region,
                model_name=r.get("modelName"),
                base_model=r.get("baseModelArn"),
                training_data=uri or None,
                cmk=bool(r.get("modelKmsKeyArn")),
                invocation_logging=logging_on.get(region),
            )
            loc = split_s3_uri(uri)
            if loc:
                b.edge(arn, b.bucket(loc[0], "training", loc[1]), "TRAINED_ON", uri=uri)
            out = split_s3_uri((r.get("outputDataConfig") or {}).get("s3Uri", ""))
            if out:
                b.bucket(out[0], "model-artifact", out[1])
    for body, i, pt in b.items(
        "bedrock", "list_provisioned_model_throughputs", "provisionedModelSummaries"
    ):
        with b.guard("list_provisioned_model_throughputs", pt, index=i):
            arn = pt.get("provisionedModelArn")
            if not arn:
                continue
            b.node(
                arn,
                "BedrockProvisionedThroughput",
                pt.get("provisionedModelName", ""),
                body["region"],
                model_name=pt.get("modelArn"),
                invocation_logging=logging_on.get(body["region"]),
            )
            # A base (foundation) model is AWS's, never a node; a custom model of the estate is.
            b.edge(arn, pt.get("modelArn"), "SERVES", if_present=True)
    for arn, r, region in b.described("bedrock", "get_guardrail", "guardrailArn"):
        with b.guard("get_guardrail", label=arn):
            filters = (r.get("contentPolicy") or {}).get("filters", [])
            prompt = any(
                f.get("type") == "PROMPT_ATTACK" and f.get("inputStrength", "NONE") != "NONE"
                for f in filters
            )
            b.node(
                arn,
                "BedrockGuardrail",
                r.get("name", ""),
                region,
                prompt_attack_filter=prompt,
                guardrail_id=r.get("guardrailId"),
            )
