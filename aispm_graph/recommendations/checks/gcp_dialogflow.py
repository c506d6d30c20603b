"""Dialogflow CX (Conversational Agents): webhooks, the tools an agent acts through.

Facts come from the webhooks the collector reads from the Dialogflow API
(:mod:`aispm_graph.transforms.gcp.dialogflow`): how each authenticates (names only) and where
its URI points. OWASP ids are from the Top 10 for LLM applications 2025 (LLM02 sensitive
information disclosure, LLM06 excessive agency) and the Top 10 for agentic applications.
"""

from __future__ import annotations

from aispm_graph.recommendations.model import Check, Fix, all_of, equals, is_false, is_true

_DF = "https://cloud.google.com/dialogflow/cx/docs/concept/webhook"
_HOOK = ("DialogflowCXWebhook",)
_ON = is_false("disabled")

CHECKS: list[Check] = [
    Check(
        id="GCP-DF-001",
        title="Dialogflow CX webhook sends conversation data to a host outside the estate",
        severity="medium",
        provider="gcp",
        kinds=_HOOK,
        predicate=all_of(_ON, is_true("sends_out")),
        rationale="Every fulfillment call carries the session's parameters and what the user "
        "typed; a webhook to a host that is neither a collected Cloud Run service or Cloud "
        "Function nor a private Service Directory service hands that data to whoever runs the "
        "host, and an injected prompt can choose what goes into the parameters.",
        remediation="Point the webhook at a service you run (Cloud Run, Cloud Functions, or a "
        "private endpoint through Service Directory), or confirm the third party is approved "
        "for the data the agent handles and limit the parameters it receives.",
        fix=Fix(
            console="Dialogflow CX console > Manage > Webhooks > the webhook > Webhook URL / "
            "Service Directory.",
            terraform='resource "google_dialogflow_cx_webhook" "this" {\n'
            "  # ...\n  service_directory {\n    service = var.service_directory_service\n"
            "    generic_web_service {\n      uri = var.private_uri\n    }\n  }\n}",
        ),
        references=(_DF,),
        frameworks={"owasp-llm": ("LLM02", "LLM06"), "owasp-agentic": ("ASI02",)},
    ),
    Check(
        id="GCP-DF-002",
        title="Dialogflow CX webhook sends no credential (serviceAgentAuth NONE and no key, "
        "OAuth or basic authentication)",
        severity="medium",
        provider="gcp",
        kinds=_HOOK,
        predicate=all_of(_ON, equals("auth", "none")),
        rationale="A webhook endpoint that accepts calls without a credential accepts them "
        "from anyone who finds it, not only from the agent: its actions are open to the "
        "internet.",
        remediation="Authenticate the webhook: a service agent ID token for Cloud Run and "
        "Cloud Functions (grant the Dialogflow service agent roles/run.invoker), OAuth client "
        "credentials or an API key from Secret Manager for other hosts.",
        fix=Fix(
            console="Dialogflow CX console > Manage > Webhooks > the webhook > Authentication.",
        ),
        references=(_DF,),
        frameworks={"owasp-agentic": ("ASI03",), "nist-ai-rmf": ("MEASURE 2.7",)},
    ),
    Check(
        id="GCP-DF-003",
        title="Dialogflow CX webhook receives an access token of the Dialogflow service agent",
        severity="high",
        provider="gcp",
        kinds=_HOOK,
        predicate=all_of(_ON, equals("auth", "service-agent-access-token")),
        rationale="With serviceAgentAuth ACCESS_TOKEN every call carries an OAuth access token "
        "of service-PROJECT_NUMBER@gcp-sa-dialogflow.iam.gserviceaccount.com; the webhook "
        "(or whoever can change its URI) can call Google APIs with every role that service "
        "agent holds.",
        remediation="Use ID_TOKEN authentication for Cloud Run and Cloud Functions, and grant "
        "the Dialogflow service agent no roles beyond what the agent itself needs; restrict "
        "who may edit webhooks (dialogflow.webhooks.update).",
        fix=Fix(
            console="Dialogflow CX console > Manage > Webhooks > the webhook > Authentication: "
            "Service agent auth: ID token.",
        ),
        references=(
            _DF,
            "https://cloud.google.com/iam/docs/roles-permissions/dialogflow",
        ),
        frameworks={
            "owasp-llm": ("LLM06",),
            "owasp-agentic": ("ASI03",),
            "atlas": ("AML.T0012",),
        },
    ),
]
