"""Model provenance (issue 20): models whose weights come from nowhere an auditor can name, or
from a source that is not pinned to one version. The facts are set on every collected model
by the model-provenance deriver (:mod:`aispm_graph.derive.provenance`)."""

from __future__ import annotations

from aispm_graph.recommendations.model import Check, Fix, Not, all_of, equals, is_false, one_of
from aispm_graph.schema import Label, node_kinds

# Every model or deployment kind: where the provenance deriver decides an answer.
PROVENANCE_KINDS = tuple(
    sorted(
        k.name
        for k in node_kinds().values()
        if Label.AI_MODEL in k.labels or Label.AI_DEPLOYMENT in k.labels
    )
)
_OWASP = "https://genai.owasp.org/llmrisk/llm032025-supply-chain/"

CHECKS: list[Check] = [
    Check(
        id="MODEL-002",
        title="Model of unknown provenance: its record names no base model, hub repository, "
        "registry asset, catalogue id or training job",
        severity="medium",
        provider="any",
        kinds=PROVENANCE_KINDS,
        predicate=equals("provenance_source", "unknown"),
        rationale="Weights nobody can trace may be tampered with or carry a backdoor, and no "
        "advisory or licence can be matched to them.",
        remediation="Deploy models only from a registry (SageMaker Model Registry, Azure ML "
        "registry, Vertex Model Registry) or name their source in the serving container "
        "(HF_MODEL_ID with HF_MODEL_REVISION), so an auditor can tell whose weights run.",
        fix=Fix(
            cli="aws sagemaker create-model --primary-container "
            "ModelPackageName=<registry package ARN> ..."
        ),
        references=(_OWASP,),
        frameworks={"owasp-llm": ("LLM03",)},
    ),
    Check(
        id="MODEL-003",
        title="Model weights are not pinned to an immutable version",
        severity="low",
        provider="any",
        kinds=PROVENANCE_KINDS,
        predicate=all_of(
            is_false("provenance_pinned"),
            Not(one_of("provenance_source", "unknown")),
        ),
        rationale="A branch (main), an unversioned id or an auto-upgrading deployment loads "
        "whatever the source holds at the next deployment, not the weights that were reviewed.",
        remediation="Pin the source: a Hugging Face commit hash in HF_MODEL_REVISION (not a "
        "branch such as main), a versioned foundation model id, a registry asset version, and "
        "no automatic version upgrade on Azure OpenAI deployments.",
        fix=Fix(
            cli="az cognitiveservices account deployment create ... "
            "--model-version <version> --version-upgrade-option NoAutoUpgrade"
        ),
        references=(_OWASP,),
        frameworks={"owasp-llm": ("LLM03",)},
    ),
]
