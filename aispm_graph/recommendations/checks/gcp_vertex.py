"""Google Vertex AI: endpoints, Workbench instances, datasets, models, Agent Engine; and the
Gemini API."""

from __future__ import annotations

from dataclasses import replace

from aispm_graph.recommendations.model import (
    Check,
    Fix,
    all_of,
    any_of,
    equals,
    is_false,
    is_true,
    missing,
    present,
)
from aispm_graph.recommendations.peers import cloudsploit, defender, mondoo, prowler

_GCP = "https://cloud.google.com"
_WB = ("VertexAINotebookRuntime",)
_CMK: dict[str, tuple[str, ...]] = {
    "owasp-llm": ("LLM02",),
    "atlas": ("AML.T0035",),
    "nist-ai-rmf": ("MEASURE 2.10",),
}
_WORKBENCH = equals("notebook_type", "workbench")

CHECKS: list[Check] = [
    Check(
        id="GCP-VX-001",
        title="Vertex AI endpoint is not served through Private Service Connect",
        severity="medium",
        provider="gcp",
        kinds=("VertexAIEndpoint",),
        predicate=is_false("private_service_connect"),
        rationale="A public Vertex AI endpoint is reachable from the internet by anyone with "
        "aiplatform.endpoints.predict; a PSC endpoint is reachable only from your networks.",
        remediation="Deploy the model to a private endpoint with Private Service Connect "
        "(privateServiceConnectConfig) so it is not reachable from the internet.",
        fix=Fix(
            console="Vertex AI > Online prediction > Create endpoint > Access: Private "
            "(Private Service Connect), list the allowed projects.",
            cli="gcloud ai endpoints create --region=<region> --display-name=<name> "
            "--private-service-connect-config=enable-private-service-connect=true,"
            "project-allowlist=<project>",
            terraform='resource "google_vertex_ai_endpoint" "this" {\n  # ...\n'
            "  private_service_connect_config {\n"
            "    enable_private_service_connect = true\n"
            "    project_allowlist              = [var.project]\n  }\n}",
        ),
        references=(f"{_GCP}/vertex-ai/docs/predictions/private-service-connect",),
        peers=(
            defender("A Private Service endpoint should be used for Vertex AI Online endpoints"),
        ),
        frameworks={
            "owasp-llm": ("LLM10",),
            "atlas": ("AML.T0040", "AML.T0049"),
            "nist-ai-rmf": ("MEASURE 2.7",),
        },
    ),
    Check(
        id="GCP-VX-002",
        title="Vertex AI Workbench instance has a public IP",
        severity="high",
        provider="gcp",
        kinds=_WB,
        # The Workbench instance's own setting, or the address of a runtime without one; an
        # instance whose backing VM was collected carries its exposure on the VM.
        predicate=any_of(present("public_ip"), is_true("public_ip_enabled")),
        rationale="A public IP puts the notebook VM (and anything listening on it) on the "
        "internet; Workbench is reachable through its proxy without one.",
        remediation="Re-create the instance with disablePublicIp=true and reach it through IAP "
        "or a private network.",
        fix=Fix(
            console="Vertex AI > Workbench > Create new > Networking: uncheck 'Assign external "
            "IP address'.",
            cli="gcloud workbench instances create <name> --location=<zone> --disable-public-ip",
            terraform='resource "google_workbench_instance" "this" {\n  # ...\n'
            "  gce_setup {\n    disable_public_ip = true\n  }\n}",
        ),
        references=(f"{_GCP}/vertex-ai/docs/workbench/instances/create",),
        peers=(
            defender("Public IP addresses should be disabled on Workbench instances"),
            mondoo("vertexai notebook runtime template private network"),
        ),
        frameworks={
            "owasp-llm": ("LLM02",),
            "atlas": ("AML.T0049", "AML.T0025"),
            "nist-ai-rmf": ("MEASURE 2.7",),
        },
    ),
    Check(
        id="GCP-VX-003",
        title="Vertex AI Workbench instance gives users root access",
        severity="medium",
        provider="gcp",
        kinds=_WB,
        predicate=is_true("root_access"),
        rationale="Root lets notebook users change the VM, read the metadata server's tokens "
        "for its service account and disable controls.",
        remediation="Set the metadata notebook-disable-root=true on the instance.",
        fix=Fix(
            cli="gcloud workbench instances update <name> --location=<zone> "
            "--metadata=notebook-disable-root=true",
            terraform='resource "google_workbench_instance" "this" {\n  # ...\n'
            '  gce_setup {\n    metadata = { notebook-disable-root = "true" }\n  }\n}',
        ),
        references=(f"{_GCP}/vertex-ai/docs/workbench/instances/manage-metadata",),
        peers=(defender("Root access should be disabled on Workbench instances"),),
        frameworks={
            "owasp-llm": ("LLM03",),
            "atlas": ("AML.T0050", "AML.T0037"),
            "nist-ai-rmf": ("MEASURE 2.7",),
        },
    ),
    Check(
        id="GCP-VX-004",
        title="Vertex AI Workbench instance does not report to Cloud Monitoring",
        severity="low",
        provider="gcp",
        kinds=_WB,
        predicate=all_of(_WORKBENCH, is_false("monitoring")),
        rationale="Without the monitoring agent there is no record of the instance's health "
        "and usage.",
        remediation="Set the metadata install-monitoring-agent=true.",
        references=(f"{_GCP}/vertex-ai/docs/workbench/instances/manage-metadata",),
        peers=(defender("Cloud Monitoring should be used on GCP Workbench instance"),),
        frameworks={"nist-ai-rmf": ("MEASURE 2.4",)},
    ),
    Check(
        id="GCP-VX-005",
        title="Vertex AI Workbench instance has no idle shutdown",
        severity="low",
        provider="gcp",
        kinds=_WB,
        predicate=all_of(_WORKBENCH, is_false("idle_shutdown")),
        rationale="An instance left running keeps its credentials and exposure alive while "
        "nobody watches it.",
        remediation="Set the metadata idle-timeout-seconds (for example 10800).",
        references=(f"{_GCP}/vertex-ai/docs/workbench/instances/idle-shutdown",),
        peers=(defender("Idle shutdown should be enabled on Workbench instances"),),
        frameworks={"owasp-llm": ("LLM10",), "nist-ai-rmf": ("MANAGE 2.2",)},
    ),
    Check(
        id="GCP-VX-006",
        title="Vertex AI dataset is not encrypted with a customer-managed key",
        severity="low",
        provider="gcp",
        kinds=("VertexAIDataset",),
        predicate=is_false("cmk"),
        rationale="Training datasets are among the most sensitive AI assets; CMEK lets the "
        "owner audit and revoke decryption.",
        remediation="Create datasets with encryptionSpec.kmsKeyName (CMEK).",
        fix=Fix(
            cli="gcloud ai datasets create ... --kms-key-name=<key>  # or the REST/SDK "
            "encryption_spec_key_name",
            terraform='resource "google_vertex_ai_dataset" "this" {\n  # ...\n'
            "  encryption_spec {\n    kms_key_name = google_kms_crypto_key.ai.id\n  }\n}",
        ),
        references=(f"{_GCP}/vertex-ai/docs/general/cmek",),
        peers=(
            defender(
                "[Enable if required] Customer-managed keys should be used to encrypt data at "
                "rest in Vertex AI DataSets"
            ),
            cloudsploit("google/vertexai/vertexAIDatasetEncryption"),
        ),
        frameworks={**_CMK, "owasp-llm": ("LLM02", "LLM04")},
    ),
    Check(
        id="GCP-VX-007",
        title="Vertex AI model is not encrypted with a customer-managed key",
        severity="low",
        provider="gcp",
        kinds=("VertexAIModel",),
        predicate=is_false("cmk"),
        rationale="Model weights can reproduce their training data; CMEK puts decryption "
        "under the owner's key.",
        remediation="Upload or train models with encryptionSpec.kmsKeyName.",
        references=(f"{_GCP}/vertex-ai/docs/general/cmek",),
        peers=(cloudsploit("google/vertexai/modelEncryption"),),
        frameworks=_CMK,
    ),
    Check(
        id="GCP-VX-008",
        title="Vertex AI Agent Engine is not encrypted with a customer-managed key",
        severity="low",
        provider="gcp",
        kinds=("VertexAIReasoningEngine",),
        predicate=is_false("cmk"),
        rationale="Agent Engine stores the agent's package, sessions and memory.",
        remediation="Create the reasoning engine with encryptionSpec.kmsKeyName.",
        references=(f"{_GCP}/vertex-ai/generative-ai/docs/agent-engine/overview",),
        peers=(
            defender("Customer-managed encryption keys should be enabled for Vertex AI Engine"),
        ),
        frameworks={**_CMK, "owasp-agentic": ("ASI06",)},
    ),
    Check(
        id="GCP-VX-009",
        title="Agent Builder data store is not encrypted with a customer-managed key",
        severity="low",
        provider="gcp",
        kinds=("DiscoveryEngineDataStore",),
        predicate=is_false("cmk"),
        rationale="Data stores hold the documents agents and search apps ground on.",
        remediation="Create data stores in a location with a CMEK configuration.",
        references=(f"{_GCP}/generative-ai-app-builder/docs/cmek",),
        peers=(
            defender("Customer-managed encryption keys should be enabled for Vertex AI Datastore"),
        ),
        frameworks={**_CMK, "owasp-llm": ("LLM08", "LLM02")},
    ),
    Check(
        id="GCP-VX-010",
        title="Vertex AI dataset or model has no labels",
        severity="low",
        provider="gcp",
        kinds=("VertexAIDataset", "VertexAIModel"),
        predicate=missing("tags"),
        rationale="Labels are how owners and data classifications are attributed in an audit.",
        remediation="Add owner and data-classification labels.",
        peers=(
            cloudsploit("google/vertexai/vertexAIDatasetLabels"),
            cloudsploit("google/vertexai/modelLabelsAdded"),
        ),
        frameworks={"nist-ai-rmf": ("GOVERN 1.6",)},
    ),
    Check(
        id="GCP-VX-011",
        title="Vertex AI Workbench instance runs as the Compute Engine default service account",
        severity="medium",
        provider="gcp",
        kinds=_WB,
        predicate=is_true("default_service_account"),
        rationale="The default service account usually holds Editor on the project; every "
        "notebook user gets it through the metadata server.",
        remediation="Create the instance with a dedicated, least-privilege service account.",
        references=(f"{_GCP}/vertex-ai/docs/workbench/instances/create",),
        peers=(mondoo("workbench-instance-no-default-service-account"),),
        frameworks={
            "owasp-agentic": ("ASI03",),
            "atlas": ("AML.T0012",),
            "nist-ai-rmf": ("MEASURE 2.7",),
        },
    ),
    Check(
        id="GCP-VX-012",
        title="Colab Enterprise runtime template lacks CMEK or Shielded VM",
        severity="low",
        provider="gcp",
        kinds=("VertexAINotebookRuntime",),
        predicate=is_false("template_hardened"),
        rationale="Runtime templates decide the encryption and boot integrity of every runtime.",
        remediation="Set encryptionSpec and shieldedVmConfig.enableSecureBoot on templates.",
        fix=Fix(
            console="Vertex AI > Colab Enterprise > Runtime templates > Create: Advanced > "
            "Encryption: Customer-managed key; Shielded VM: Secure Boot on.",
            terraform='resource "google_colab_runtime_template" "this" {\n  # ...\n'
            "  encryption_spec {\n    kms_key_name = var.kms_key\n  }\n"
            "  shielded_vm_config {\n    enable_secure_boot = true\n  }\n}",
        ),
        references=(f"{_GCP}/colab/docs/create-runtime-template",),
        peers=(
            mondoo(
                "vertexai notebook runtime template CMEK / shielded VM",
                differs="Reported on each Colab runtime created from the template (the "
                "runtime carries the template's settings); a template with no runtime is "
                "not reported.",
            ),
        ),
        frameworks=_CMK,
    ),
    Check(
        id="GCP-VX-013",
        title="Vertex AI RAG corpus, tuning job or training pipeline is not encrypted with CMEK",
        severity="low",
        provider="gcp",
        kinds=("VertexAIRagCorpus", "VertexAITuningJob", "VertexAITrainingPipeline"),
        predicate=is_false("cmk"),
        rationale="RAG corpora hold the documents agents ground on; tuning jobs and training "
        "pipelines read training data and write the tuned model. With Google-managed keys "
        "nobody outside Google can revoke access to them; CMEK puts decryption under your "
        "Cloud KMS IAM and audit logs.",
        remediation="Create them with encryptionSpec.kmsKeyName (the key must be in the "
        "resource's region and the Vertex AI service agent needs "
        "roles/cloudkms.cryptoKeyEncrypterDecrypter on it).",
        fix=Fix(
            console="Vertex AI > RAG Engine > Create corpus > Advanced > Encryption: "
            "Customer-managed key; Vertex AI > Tuning > Create > Advanced > Encryption.",
            cli="curl -X POST https://<region>-aiplatform.googleapis.com/v1/projects/<p>/"
            'locations/<region>/ragCorpora -d \'{"displayName": "<name>", '
            '"encryptionSpec": {"kmsKeyName": "<key>"}}\'',
        ),
        references=(f"{_GCP}/vertex-ai/docs/general/cmek",),
        peers=(mondoo("vertexai-rag-corpus-cmek"), mondoo("vertexai-job-cmek")),
        frameworks={**_CMK, "owasp-llm": ("LLM08", "LLM02")},
    ),
    Check(
        id="GCP-GM-001",
        title="Gemini API (generativelanguage.googleapis.com) is enabled",
        severity="medium",
        provider="gcp",
        kinds=("GCPProject",),
        predicate=is_true("gemini_api_enabled"),
        rationale="The Gemini Developer API is reached with API keys outside Vertex AI's IAM "
        "and VPC-SC controls.",
        remediation="Disable the API where it is not needed; use Vertex AI instead.",
        fix=Fix(
            console="APIs & Services > Enabled APIs > Generative Language API > Disable API.",
            cli="gcloud services disable generativelanguage.googleapis.com --project=<project>",
        ),
        references=(f"{_GCP}/service-usage/docs/enable-disable",),
        peers=(prowler("gemini_api_disabled"),),
        frameworks={"owasp-llm": ("LLM10",), "atlas": ("AML.T0040",)},
    ),
    Check(
        id="GCP-GM-002",
        title="API key can call the Gemini API without API restrictions",
        severity="high",
        provider="gcp",
        kinds=("GCPProject",),
        predicate=is_true("unrestricted_gemini_key"),
        rationale="An unrestricted key that reaches the Gemini API is a bearer secret for "
        "paid model calls and uploaded files.",
        remediation="Restrict each API key that calls the Gemini API to that API alone "
        "(a dedicated key), and give every other key an API restriction without it.",
        fix=Fix(
            console="APIs & Services > Credentials > key > API restrictions: Restrict key, "
            "select only Generative Language API.",
            cli="gcloud services api-keys update <key-id> "
            "--api-target=service=generativelanguage.googleapis.com",
        ),
        references=(f"{_GCP}/docs/authentication/api-keys#api_key_restrictions",),
        peers=(
            prowler(
                "apikeys_api_restricted_with_gemini_api",
                differs="Decided per project (the finding lists the keys); where the "
                "project's enabled services were not collected, a key that can reach the "
                "Gemini API fires without knowing whether the API is enabled.",
            ),
        ),
        frameworks={"owasp-llm": ("LLM10",), "atlas": ("AML.T0055",)},
    ),
]

_PENDING: dict[str, str] = {}
CHECKS = [
    replace(c, facts="not-collected", facts_note=f"Needs {_PENDING[c.id]}, not in the graph yet.")
    if c.id in _PENDING
    else c
    for c in CHECKS
]
