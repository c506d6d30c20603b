"""Amazon Bedrock: invocation logging per region, custom models, provisioned throughput and
guardrails (agents and knowledge bases are :mod:`.bedrock_agent`)."""

from __future__ import annotations

from typing import Any

from aispm_graph.transforms.aws.builder import AwsBuilder, split_s3_uri
from aispm_graph.transforms.refs import ref
from aispm_graph.transforms.registry import service


def _iso(value: Any) -> str | None:
    """Bedrock's REST-JSON timestamps: ISO 8601 text in a recording, datetime from boto3."""
    if value is None or value == "":
        return None
    iso = getattr(value, "isoformat", None)
    return str(iso()) if callable(iso) else str(value)


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
            output = (r.get("outputDataConfig") or {}).get("s3Uri", "")
            b.node(
                arn,
                "BedrockCustomModel",
                r.get("modelName", ""),
                region,
                model_name=r.get("modelName"),
                base_model=r.get("baseModelArn"),
                training_job=r.get("jobArn"),
                job_arn=r.get("jobArn"),
                customization_type=r.get("customizationType"),
                training_data=uri or None,
                output_location=output or None,
                cmk=bool(r.get("modelKmsKeyArn")),
                kms_key=r.get("modelKmsKeyArn"),
                invocation_logging=logging_on.get(region),
            )
            loc = split_s3_uri(uri)
            if loc:
                b.edge(arn, b.bucket(loc[0], "training", loc[1]), "TRAINED_ON", uri=uri)
            out = split_s3_uri(output)
            if out:
                bucket = b.bucket(out[0], "model-artifact", out[1])
                b.edge(bucket, arn, "STORES_ARTIFACT", uri=output, field="outputDataConfig.s3Uri")
            # Lineage: the base model (a foundation model node, see bedrock_models) and the
            # job that made it; a deleted job is a property, not a warning.
            b.edge(arn, ref(r.get("baseModelArn")), "BASED_ON", field="baseModelArn")
            b.edge(ref(r.get("jobArn")), arn, "PRODUCED", if_present=True, field="jobArn")
            b.edge(
                arn,
                r.get("modelKmsKeyArn"),
                "ENCRYPTED_WITH",
                if_present=True,
                field="modelKmsKeyArn",
            )
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
                foundation_model=pt.get("foundationModelArn"),
                status=pt.get("status"),
                commitment_duration=pt.get("commitmentDuration") or "none",
                commitment_expiration=_iso(pt.get("commitmentExpirationTime")),
                model_units=pt.get("modelUnits"),
                invocation_logging=logging_on.get(body["region"]),
            )
            # The model it serves: a custom model of the estate, or a foundation model (made a
            # node by bedrock_models because it is referenced here).
            b.edge(arn, ref(pt.get("modelArn")), "SERVES", field="modelArn")
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
