"""What a GCP collection returns, shared by the Cloud Asset collector (``collect.py``) and the
group-membership reader (``groups.py``) so neither imports the other."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from aispm_graph.providers.coverage import Coverage, Status, gaps
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


# Whole-API refusals: every item would answer the same, so one gap stands for all.
_REFUSED = re.compile(r"SERVICE_DISABLED|accessNotConfigured|has not been used|is disabled", re.I)


class ApiRefused(Exception):
    """The API as a whole cannot be used (message says why)."""


def http_status(exc: Exception) -> int:
    resp = getattr(exc, "resp", None)
    return int(getattr(resp, "status", 0) or 0)


def http_reason(exc: Exception) -> str:
    text = str(getattr(exc, "reason", "") or "") or api_message(exc)
    return text.splitlines()[0][:200] if text else type(exc).__name__


def refuses_api(exc: Exception) -> bool:
    """A 403 that refuses the whole API (not enabled), not one item."""
    raw = getattr(exc, "content", b"") or b""
    content = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    return http_status(exc) == 403 and bool(_REFUSED.search(f"{http_reason(exc)} {content}"))


def classify_failure(exc: Exception, api: str, denied: str, not_found: str) -> tuple[Status, str]:
    """(status, detail) of a failure on one item of a per-item API reader.

    Failures that every further call would repeat (credentials, a disabled API, no network)
    raise :class:`ApiRefused`, so the reader records one gap instead of one per item; ``api``
    names the API in those messages, ``denied`` and ``not_found`` explain a 403 and a 404.
    """
    from google.auth import exceptions as auth_exc
    from googleapiclient.errors import HttpError

    if isinstance(exc, HttpError):
        code, why = http_status(exc), http_reason(exc)
        if code == 401:
            raise ApiRefused(f"credentials rejected by {api}: {why}")
        if refuses_api(exc):
            raise ApiRefused(f"{api} not usable: {why}")
        if code == 403:
            return Status.DENIED, f"{why} ({denied})"
        if code == 404:
            return Status.NOT_FOUND, f"{why} ({not_found})"
        return Status.FAILED, f"HTTP {code}: {why}"
    if isinstance(exc, auth_exc.RefreshError):
        raise ApiRefused(f"credentials rejected and cannot be refreshed: {api_message(exc)}")
    if isinstance(exc, auth_exc.TransportError | OSError) or type(exc).__module__.startswith(
        "httplib2"
    ):
        raise ApiRefused(f"cannot reach {api}: {api_message(exc)}")
    raise exc
