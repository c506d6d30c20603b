"""Sub-resources read from service APIs: Dialogflow CX webhooks and Vertex AI RAG files.

Cloud Asset Inventory lists Dialogflow CX agents (``dialogflow.googleapis.com/Agent``) but not
their webhooks, and a webhook is what an agent *acts* through: it receives the conversation
(and, with service-agent authentication, a Google-signed token) and does what its code does.
It lists RAG corpora, but what a corpus retrieves is decided by its files' sources (a bucket,
a Drive folder), which only the files carry. So after the asset listings:

* every listed agent's webhooks are read with ``projects.locations.agents.webhooks.list`` of
  the Dialogflow CX API (v3) on the agent's regional endpoint
  (``https://LOCATION-dialogflow.googleapis.com``; ``global`` on ``dialogflow.googleapis.com``);
* every listed corpus's files with ``projects.locations.ragCorpora.ragFiles.list`` of the
  Vertex AI API (v1) on ``https://LOCATION-aiplatform.googleapis.com``.

Both go through :mod:`aispm_graph.providers.gcp.children`. Webhook credentials are never
stored: passwords, OAuth client secrets, request header values and the user information and
query values of the URI are replaced by :func:`aispm_graph.providers.gcp.assets.scrub` (header
*names* are kept: they say how the webhook authenticates).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from aispm_graph.providers.gcp.children import ChildListing, collect_children
from aispm_graph.providers.gcp.result import DIALOGFLOW_WEBHOOKS, RAG_FILES, CollectResult

AGENT_TYPE = "dialogflow.googleapis.com/Agent"
WEBHOOK_TYPE = "dialogflow.googleapis.com/Webhook"
RAG_CORPUS_TYPE = "aiplatform.googleapis.com/RagCorpus"
RAG_FILE_TYPE = "aiplatform.googleapis.com/RagFile"

WEBHOOKS = ChildListing(
    parent_type=AGENT_TYPE,
    child_type=WEBHOOK_TYPE,
    coverage_scope=DIALOGFLOW_WEBHOOKS,
    key="dialogflow:webhooks",
    api="dialogflow",
    version="v3",
    host="https://{location}-dialogflow.googleapis.com/",
    global_host="https://dialogflow.googleapis.com/",
    items="webhooks",
    permission="dialogflow.webhooks.list",
    page_size=100,
    name_pattern=re.compile(r"^projects/[^/]+/locations/([a-z0-9-]+)/agents/[^/]+$"),
    lister=lambda client: client.projects().locations().agents().webhooks(),
)

RAG_FILES_LISTING = ChildListing(
    parent_type=RAG_CORPUS_TYPE,
    child_type=RAG_FILE_TYPE,
    coverage_scope=RAG_FILES,
    key="aiplatform:ragFiles",
    api="aiplatform",
    version="v1",
    host="https://{location}-aiplatform.googleapis.com/",
    global_host="https://aiplatform.googleapis.com/",
    items="ragFiles",
    permission="aiplatform.ragFiles.list",
    page_size=100,
    name_pattern=re.compile(r"^projects/[^/]+/locations/([a-z0-9-]+)/ragCorpora/[^/]+$"),
    lister=lambda client: client.projects().locations().ragCorpora().ragFiles(),
)


def collect_subresources(
    result: CollectResult,
    creds: Any,
    api_endpoint: str | None = None,
    *,
    progress: Callable[[str], None] | None = None,
) -> None:
    """Webhooks of the listed Dialogflow agents and files of the listed RAG corpora."""
    for spec in (WEBHOOKS, RAG_FILES_LISTING):
        collect_children(spec, result, creds, api_endpoint, progress=progress)
