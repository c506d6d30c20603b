"""GCP agent and Vertex lineage facts (issues 14 and 20): Dialogflow CX agents and webhooks,
Agent Builder apps linked to agents, Vertex base models, CMEK and RAG data sources.

Kept in their own module so parallel work on the core schema merges cleanly; the properties
below are merged into their kinds by ``schema/__init__`` like the AI-BOM ones.
"""

from __future__ import annotations

from aispm_graph.schema.model import Label as L
from aispm_graph.schema.model import NodeKind, Prop, Provider
from aispm_graph.schema.nodes import SL, B, S, _k

P = Prop
GCP = Provider.GCP

GCP_AGENT_NODE_KINDS: tuple[NodeKind, ...] = (
    _k(
        "VertexAIPublisherModel",
        GCP,
        (L.AI_MODEL,),
        "A Model Garden publisher model (a Google foundation model such as Gemini, or an open "
        "model such as Llama) that a tuning job starts from. Not an estate resource and not an "
        "attack-path target: it is the provenance of the tuned models made from it (BASED_ON).",
        P("publisher", S, "Model Garden publisher (google, meta, ...)."),
        P("model_id", S, "Publisher model id (gemini-2.0-flash-001)."),
        P("model_version", S, "Version after '@', when the reference pins one."),
        category="ai",
        service="aiplatform",
    ),
)

KMS_KEY = P("kms_key", S, "Cloud KMS key (encryptionSpec.kmsKeyName) that encrypts it, if any.")

GCP_AGENT_EXTRA_PROPS: dict[str, tuple[Prop, ...]] = {
    "DialogflowCXAgent": (
        P("default_language", S, "Default language code."),
        P("security_settings", S, "Security settings resource (redaction, retention)."),
        P(
            "gen_app_builder_engine",
            S,
            "Agent Builder app (Discovery Engine engine) the agent answers from "
            "(genAppBuilderSettings.engine), linked by GROUNDED_ON.",
        ),
        P("interaction_logging", B, "Conversation interaction logging is on."),
        P("stackdriver_logging", B, "Cloud Logging of conversations is on."),
        P(
            "exposure_note",
            S,
            "How the agent is reached: the Dialogflow API reports no public integration, so "
            "only principals with dialogflow.sessions.detectIntent (CAN_INVOKE) or allUsers "
            "(PUBLIC_ACCESS) reach it.",
        ),
    ),
    "DialogflowCXWebhook": (
        P("host", S, "Host of the webhook URI (no path, query or credentials)."),
        P(
            "auth_header_names",
            SL,
            "Names of the request headers it sends (values are never stored); an Authorization "
            "or API-key header is how an 'api-key' webhook authenticates.",
        ),
        P("oauth_token_endpoint", S, "Token endpoint of its OAuth client-credentials config."),
        P("service_directory", S, "Service Directory service it calls (private network)."),
        P("disabled", B, "The webhook is disabled: the agent does not call it."),
        P(
            "target_service",
            S,
            "Cloud Run service or Cloud Function of the estate the URI points to.",
        ),
        P(
            "unreachable_reason",
            S,
            "Why the webhook's call to its estate target is refused (no invoker grant for the "
            "Dialogflow service agent, no token): no INVOKES edge.",
        ),
        P("service_agent", S, "Dialogflow service agent whose token the webhook receives."),
        P("webhook_type", S, "STANDARD or FLEXIBLE."),
    ),
    "VertexAITuningJob": (KMS_KEY,),
    "VertexAIRagCorpus": (
        KMS_KEY,
        P(
            "data_sources",
            SL,
            "What its RAG files were imported from: gs:// URIs are linked (GROUNDED_ON the "
            "bucket); Google Drive, Slack, Jira and SharePoint sources are listed here.",
        ),
    ),
    "DiscoveryEngineApp": (
        P("dialogflow_agent", S, "Dialogflow CX agent of a chat app (chatEngineMetadata)."),
    ),
}
