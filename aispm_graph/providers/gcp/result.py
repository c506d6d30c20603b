"""What a GCP collection returns, shared by the Cloud Asset collector (``collect.py``) and the
group-membership reader (``groups.py``) so neither imports the other."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from aispm_graph.providers.coverage import Coverage, gaps
from aispm_graph.workspace import Document

EFFECTIVE = "EFFECTIVE_ORG_POLICY"
GROUP_MEMBERS = "GROUP_MEMBERS"
DIALOGFLOW_WEBHOOKS = "DIALOGFLOW_WEBHOOKS"
RAG_FILES = "RAG_FILES"
# Coverage rows of sub-resources read from service APIs, not asset listings.
SUBRESOURCES = (DIALOGFLOW_WEBHOOKS, RAG_FILES)


@dataclass
class CollectResult:
    scope: str
    documents: list[Document] = field(default_factory=list)
    coverage: list[Coverage] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def asset_count(self) -> int:
        """Asset records listed from Cloud Asset Inventory."""
        return sum(
            c.count
            for c in self.coverage
            if c.scope not in (EFFECTIVE, GROUP_MEMBERS, *SUBRESOURCES)
        )

    @property
    def effective_policy_count(self) -> int:
        """Effective organisation policies read from the Org Policy API."""
        return sum(c.count for c in self.coverage if c.scope == EFFECTIVE)

    @property
    def group_member_count(self) -> int:
        """Group memberships read from the Cloud Identity Groups API."""
        return sum(c.count for c in self.coverage if c.scope == GROUP_MEMBERS)

    @property
    def webhook_count(self) -> int:
        """Dialogflow CX webhooks read from the Dialogflow API."""
        return sum(c.count for c in self.coverage if c.scope == DIALOGFLOW_WEBHOOKS)

    @property
    def rag_file_count(self) -> int:
        """Vertex AI RAG files read from the Vertex AI API."""
        return sum(c.count for c in self.coverage if c.scope == RAG_FILES)

    @property
    def gaps(self) -> list[Coverage]:
        return gaps(self.coverage)

    def coverage_json(self) -> list[dict[str, Any]]:
        return [c.as_dict() for c in self.coverage]


def api_message(exc: Exception) -> str:
    """The server's message without the request URL the REST transport prefixes."""
    text = str(getattr(exc, "message", "") or exc)
    text = re.sub(r"^(GET|POST) \S+: ", "", text)
    return text.splitlines()[0][:200] if text else type(exc).__name__
