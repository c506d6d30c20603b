"""Checks across providers: AI data open to the internet, models found unsafe by a model
scan, and trust granted to accounts outside the collected estate."""

from __future__ import annotations

from aispm_graph.recommendations.model import (
    Check,
    Fix,
    NoEdge,
    Not,
    all_of,
    any_of,
    is_true,
    one_of,
)
from aispm_graph.recommendations.peers import defender

AI_DATA_ROLES = ("training", "grounding", "model-artifact", "fine-tuning", "evaluation")
# Every node kind labelled AIModel that a model scan can be attached to.
MODEL_KINDS = (
    "AzureOpenAIDeployment",
    "BedrockCustomModel",
    "BedrockFoundationModel",
    "BedrockProvisionedThroughput",
    "CustomAIModel",
    "SageMakerModel",
    "VertexAIModel",
)

_AWS = "https://docs.aws.amazon.com"
_MS = "https://learn.microsoft.com/azure"
_GCP = "https://cloud.google.com"

CHECKS: list[Check] = [
    Check(
        id="DATA-001",
        title="Publicly readable storage holds AI data",
        severity="critical",
        provider="any",
        kinds=("S3Bucket", "GCPBucket", "AzureStorageAccount", "CustomDataStore"),
        predicate=all_of(
            any_of(is_true("public_read"), is_true("allow_blob_public_access")),
            one_of("data_role", *AI_DATA_ROLES),
        ),
        rationale="Anyone can read (and often list) training, grounding or model data in a "
        "public store: the data leaks, and where writes are open too, the model or its "
        "answers can be poisoned.",
        remediation="Remove anonymous access (S3 Block Public Access, GCS public access "
        "prevention, allowBlobPublicAccess=false) from storage holding training, grounding or "
        "model data.",
        fix=Fix(
            console="S3 console > bucket > Permissions > Block public access: all on; "
            "Cloud Storage > bucket > Permissions > Prevent public access; Storage account > "
            "Configuration > Allow blob anonymous access: Disabled.",
            cli="aws s3api put-public-access-block --bucket <b> --public-access-block-"
            "configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,"
            "RestrictPublicBuckets=true",
            terraform='resource "aws_s3_bucket_public_access_block" "this" {\n'
            "  bucket                  = aws_s3_bucket.data.id\n"
            "  block_public_acls       = true\n  block_public_policy     = true\n"
            "  ignore_public_acls      = true\n  restrict_public_buckets = true\n}",
            bicep="properties: {\n  allowBlobPublicAccess: false\n}",
        ),
        references=(
            f"{_AWS}/AmazonS3/latest/userguide/access-control-block-public-access.html",
            f"{_GCP}/storage/docs/public-access-prevention",
        ),
        frameworks={
            "owasp-llm": ("LLM04", "LLM02"),
            "atlas": ("AML.T0020", "AML.T0035", "AML.T0070"),
            "nist-ai-rmf": ("MEASURE 2.7", "MEASURE 2.10"),
        },
    ),
    Check(
        id="MODEL-001",
        title="AI model has unresolved findings from a model scan",
        severity="high",
        provider="any",
        kinds=MODEL_KINDS,
        predicate=one_of("vuln_factors", "unsafe-model"),
        rationale="Serialised models (pickle, PyTorch, Keras) can run code when loaded; a "
        "scan that found unsafe operators or embedded malware means whoever loads the model "
        "runs the attacker's code.",
        remediation="Replace the model with a scanned, safe artifact (safetensors or another "
        "format without code execution) from a trusted source, and scan again.",
        fix=Fix(cli="aispm import scan-model <report> --attach <model-id>  # after a re-scan"),
        references=(f"{_MS}/defender-for-cloud/ai-model-security",),
        peers=(
            defender(
                "Security findings should be resolved on AI models within Azure Machine "
                "Learning resources (Preview)",
                "D-MODEL",
                differs="Defender scans models itself; here the verdict comes from model-scan "
                "reports imported with 'aispm import scan-model' and applies to any model "
                "node they are attached to.",
            ),
        ),
        frameworks={
            "owasp-llm": ("LLM03", "LLM04"),
            "owasp-agentic": ("ASI04",),
            "atlas": ("AML.T0010", "AML.T0011", "AML.T0018"),
            "nist-ai-rmf": ("MANAGE 3.2", "MAP 4.1"),
        },
    ),
    Check(
        id="TRUST-001",
        title="An account, tenant or project outside the collected estate is granted access",
        severity="medium",
        provider="any",
        kinds=("ExternalAccount",),
        predicate=Not(NoEdge(None, "out")),
        rationale="Access granted to an account, tenant or project that was not collected "
        "cannot be assessed: its risk is unknown, so it is reported rather than assumed safe.",
        remediation="Remove the grant its edges name (role trust, bucket / key / secret policy, "
        "guest or multi-tenant app role assignment, service account binding) if it is not "
        "needed; otherwise collect that account, tenant or project so its own paths and "
        "posture are known instead of assumed.",
        references=(
            f"{_AWS}/IAM/latest/UserGuide/access_policies-cross-account-resource-access.html",
            f"{_MS}/active-directory/external-identities/cross-tenant-access-overview",
            f"{_GCP}/iam/docs/attach-service-accounts#attaching-different-project",
        ),
        frameworks={
            "atlas": ("AML.T0012",),
            "nist-ai-rmf": ("GOVERN 6.1", "MANAGE 3.1"),
        },
    ),
]
