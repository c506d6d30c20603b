"""Bedrock's model catalogue as the account sees it: foundation models it can use (with their
access state), inference profiles, imported models, Marketplace model endpoints and model
customization jobs.

A foundation model becomes a node when the account can use it (its availability answer says
authorized, entitled and agreed) or when an estate resource names it (a provisioned
throughput, a custom model's base, an inference profile, a customization job). The rest of the
catalogue (over a hundred models per region, none used) is counted in one build warning, not
turned into attack-path targets nobody uses. A model referenced but missing from the listing
(listing denied, or a model in another region of a cross-region profile) is a placeholder.
"""

from __future__ import annotations

import re
from typing import Any

from aispm_graph.aibom.provenance import foundation_model_id
from aispm_graph.transforms.aws.builder import AwsBuilder, split_s3_uri
from aispm_graph.transforms.refs import ref
from aispm_graph.transforms.registry import service

_HUB_CONTENT = re.compile(
    r"arn:aws[\w-]*:sagemaker:[^:]*:[^:]*:hub-content/[^/]+/Model/([^/]+)/(.+)"
)


def model_ref(model: str, region: str) -> str:
    """A ``modelId`` as a node id: an ARN as given, a bare id as the foundation model of the
    region (prompt variants and flows name models either way)."""
    return (
        model if model.startswith("arn:") else f"arn:aws:bedrock:{region}::foundation-model/{model}"
    )


def _access_state(avail: dict[str, Any]) -> str:
    """One word for an availability answer: available, or the first thing that blocks use."""
    if avail.get("authorizationStatus") not in (None, "AUTHORIZED"):
        return "not-authorized"
    if avail.get("entitlementAvailability") not in (None, "AVAILABLE"):
        return "not-entitled"
    agreement = (avail.get("agreementAvailability") or {}).get("status")
    if agreement not in (None, "AVAILABLE"):
        return f"agreement-{str(agreement).lower().replace('_', '-')}"
    if avail.get("regionAvailability") not in (None, "AVAILABLE"):
        return "not-in-region"
    return "available"


@service(
    "aws",
    "bedrock-models",
    reads=[
        ("bedrock", "list_foundation_models"),
        ("bedrock", "get_foundation_model_availability"),
        ("bedrock", "list_inference_profiles"),
        ("bedrock", "get_imported_model"),
        ("bedrock", "get_marketplace_model_endpoint"),
        ("bedrock", "get_model_customization_job"),
        # read only for the foundation models they name
        ("bedrock", "get_custom_model"),
        ("bedrock", "list_provisioned_model_throughputs"),
        ("bedrock-flows", "get_prompt"),
    ],
    order=125,
)
def bedrock_models(b: AwsBuilder) -> None:
    """After IAM (roles) and Bedrock (custom models); foundation models last, once every
    reference to one is known."""
    referenced: dict[str, str] = {}  # foundation model ARN -> region it was referenced in
    _profiles(b, referenced)
    _imported(b)
    _marketplace(b)
    _jobs(b, referenced)
    for _arn, r, region in b.described("bedrock", "get_custom_model", "modelArn"):
        if foundation_model_id(str(r.get("baseModelArn") or "")):
            referenced.setdefault(str(r["baseModelArn"]), region)
    for body, _i, pt in b.items(
        "bedrock", "list_provisioned_model_throughputs", "provisionedModelSummaries"
    ):
        for key in ("modelArn", "foundationModelArn"):
            ref = pt.get(key) if isinstance(pt, dict) else None
            if isinstance(ref, str) and foundation_model_id(ref):
                referenced.setdefault(ref, body["region"])
    for _arn, r, region in b.described("bedrock-flows", "get_prompt", "arn"):
        for v in r.get("variants") or []:
            model = v.get("modelId") if isinstance(v, dict) else None
            if isinstance(model, str) and model:
                fm = model_ref(model, region)
                if foundation_model_id(fm):
                    referenced.setdefault(fm, region)
    _foundation_models(b, referenced)


def _foundation_models(b: AwsBuilder, referenced: dict[str, str]) -> None:
    avail: dict[tuple[str, str], dict[str, Any]] = {}
    for body in b.responses("bedrock", "get_foundation_model_availability"):
        r = body["response"]
        if r.get("modelId"):
            avail[(body["region"], str(r["modelId"]))] = r
    listed_unused = 0
    seen: set[str] = set()
    for body, i, fm in b.items("bedrock", "list_foundation_models", "modelSummaries"):
        with b.guard("list_foundation_models", fm, index=i):
            arn, mid = ref(fm["modelArn"]), ref(fm["modelId"])
            if not arn or not mid:
                raise ValueError("modelArn / modelId is not text")
            a = avail.get((body["region"], mid))
            state = _access_state(a) if a is not None else "listed"
            if state != "available" and arn not in referenced:
                listed_unused += 1
                continue
            seen.add(arn)
            b.graph.add_node(
                arn,
                "BedrockFoundationModel",
                fm.get("modelName") or mid,
                region=body["region"],
                model_name=mid,
                model_id=mid,
                model_provider=fm.get("providerName"),
                lifecycle_status=(fm.get("modelLifecycle") or {}).get("status"),
                inference_types=fm.get("inferenceTypesSupported"),
                customizations=fm.get("customizationsSupported"),
                access_state=state,
                collected=True,
            )
            by_account = dict(b.graph.node(arn).get("access_by_account") or {})
            by_account[b.account] = state
            b.graph.set_prop(arn, "access_by_account", by_account)
    for arn, region in sorted(referenced.items()):
        if arn not in seen and not b.graph.has_node(arn):
            mid = foundation_model_id(arn)
            b.placeholder(
                "BedrockFoundationModel",
                arn,
                mid,
                region=arn.split(":")[3] or region,
                model_name=mid,
                model_id=mid,
            )
    if listed_unused:
        b.ctx.stats["aws.foundation_models_not_usable"] += listed_unused
        b.warn(
            f"{listed_unused} listed Bedrock foundation models are neither usable by the account "
            "(availability not 'available' or not read) nor used by any resource; not made nodes",
            operation="list_foundation_models",
            record="",
        )


def _profiles(b: AwsBuilder, referenced: dict[str, str]) -> None:
    for body, i, p in b.items("bedrock", "list_inference_profiles", "inferenceProfileSummaries"):
        with b.guard("list_inference_profiles", p, index=i):
            arn = ref(p["inferenceProfileArn"])
            if not arn:
                raise ValueError("inferenceProfileArn is not text")
            models = [ref(m.get("modelArn")) for m in p.get("models") or [] if isinstance(m, dict)]
            models = [m for m in models if m]
            b.node(
                arn,
                "BedrockInferenceProfile",
                p.get("inferenceProfileName") or p.get("inferenceProfileId"),
                body["region"],
                profile_type=p.get("type"),
                status=p.get("status"),
                models=models,
            )
            for model in models:
                if foundation_model_id(model):
                    referenced.setdefault(model, body["region"])
                b.edge(arn, model, "SERVES", field="models[].modelArn")


def _imported(b: AwsBuilder) -> None:
    for arn, r, region in b.described("bedrock", "get_imported_model", "modelArn"):
        with b.guard("get_imported_model", label=arn):
            uri = ((r.get("modelDataSource") or {}).get("s3DataSource") or {}).get("s3Uri", "")
            b.node(
                arn,
                "BedrockImportedModel",
                r.get("modelName"),
                region,
                model_name=r.get("modelName"),
                artifact=uri or None,
                architecture=r.get("modelArchitecture"),
                job_arn=r.get("jobArn"),
                cmk=bool(r.get("modelKmsKeyArn")),
                kms_key=r.get("modelKmsKeyArn"),
            )
            loc = split_s3_uri(uri)
            if loc:
                bucket = b.bucket(loc[0], "model-artifact", loc[1])
                b.edge(bucket, arn, "STORES_ARTIFACT", uri=uri, field="modelDataSource")
            b.edge(
                arn,
                ref(r.get("modelKmsKeyArn")),
                "ENCRYPTED_WITH",
                if_present=True,
                field="modelKmsKeyArn",
            )


def _marketplace(b: AwsBuilder) -> None:
    for body in b.responses("bedrock", "get_marketplace_model_endpoint"):
        e = body["response"].get("marketplaceModelEndpoint") or {}
        with b.guard("get_marketplace_model_endpoint", e):
            arn = ref(e["endpointArn"])
            if not arn:
                raise ValueError("endpointArn is not text")
            sm = (e.get("endpointConfig") or {}).get("sageMaker") or {}
            source = str(e.get("modelSourceIdentifier") or "")
            hub = _HUB_CONTENT.match(source)
            b.node(
                arn,
                "BedrockMarketplaceEndpoint",
                arn.rsplit("/", 1)[-1],
                body["region"],
                status=e.get("endpointStatus") or e.get("status"),
                model_source=source or None,
                jumpstart_model_id=hub.group(1) if hub else None,
                jumpstart_model_version=hub.group(2) if hub else None,
                role=sm.get("executionRole"),
                kms_key=sm.get("kmsEncryptionKey"),
                in_vpc=bool((sm.get("vpc") or {}).get("subnetIds")),
            )
            b.has_role(arn, sm.get("executionRole"), "Marketplace endpoint execution role")
            b.edge(
                arn,
                ref(sm.get("kmsEncryptionKey")),
                "ENCRYPTED_WITH",
                if_present=True,
                field="endpointConfig.sageMaker.kmsEncryptionKey",
            )


def _jobs(b: AwsBuilder, referenced: dict[str, str]) -> None:
    in_vpc: dict[str, bool] = {}  # job ARN, and the output model's ARN -> trained in a VPC
    for arn, r, region in b.described("bedrock", "get_model_customization_job", "jobArn"):
        with b.guard("get_model_customization_job", label=arn):
            training = (r.get("trainingDataConfig") or {}).get("s3Uri", "")
            output = (r.get("outputDataConfig") or {}).get("s3Uri", "")
            base = r.get("baseModelArn")
            b.node(
                arn,
                "BedrockModelCustomizationJob",
                r.get("jobName"),
                region,
                status=r.get("status"),
                customization_type=r.get("customizationType"),
                base_model=base,
                output_model=r.get("outputModelArn"),
                training_data=training or None,
                output_location=output or None,
                role=r.get("roleArn"),
                kms_key=r.get("outputModelKmsKeyArn"),
                in_vpc=bool((r.get("vpcConfig") or {}).get("subnetIds")),
            )
            if isinstance(base, str) and foundation_model_id(base):
                referenced.setdefault(base, region)
            b.has_role(arn, r.get("roleArn"), "model customization job service role")
            loc = split_s3_uri(training)
            if loc:
                b.edge(arn, b.bucket(loc[0], "training", loc[1]), "TRAINED_ON", uri=training)
            out = split_s3_uri(output)
            if out:
                b.bucket(out[0], "model-artifact", out[1])
            in_vpc[arn] = bool((r.get("vpcConfig") or {}).get("subnetIds"))
            out_model = ref(r.get("outputModelArn"))
            if out_model:
                in_vpc[out_model] = in_vpc[arn]
            # A failed or running job has no output model yet; a deleted model is a property.
            b.edge(
                arn,
                ref(r.get("outputModelArn")),
                "PRODUCED",
                if_present=True,
                field="outputModelArn",
            )
            b.edge(
                arn,
                ref(r.get("outputModelKmsKeyArn")),
                "ENCRYPTED_WITH",
                if_present=True,
                field="outputModelKmsKeyArn",
            )
    # How each custom model was made (AWS-BR-025 reads it on the model): trained inside a VPC
    # or not, found through the model's jobArn or the job's outputModelArn; a model whose job
    # is gone stays unknown.
    for model, d in list(b.graph.nodes("BedrockCustomModel")):
        known = in_vpc.get(model, in_vpc.get(str(d.get("job_arn"))))
        if known is not None and d.get("tenant") == b.account:
            b.graph.set_prop(model, "customization_in_vpc", known)
