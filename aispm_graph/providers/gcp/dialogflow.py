"""Dialogflow CX webhooks, read per agent from the Dialogflow CX API (v3).

Cloud Asset Inventory lists Dialogflow CX agents (``dialogflow.googleapis.com/Agent``) but not
their webhooks, and a webhook is what an agent *acts* through: it receives the conversation
(and, with service-agent authentication, a Google-signed token) and does what its code does.
So after the asset listings every listed agent's webhooks are read with
``projects.locations.agents.webhooks.list`` (paged), on the agent's regional endpoint
(``https://LOCATION-dialogflow.googleapis.com``; ``global`` agents on
``dialogflow.googleapis.com``), with the official ``google-api-python-client`` and its bundled
discovery document.

Each webhook is stored as an asset-form record (``asset_type`` ``dialogflow.googleapis.com/
Webhook``, the agent as parent, the agent's ancestors), so the one GCP transform reads it like
any listed asset. Secret values are never stored: passwords, OAuth client secrets and request
header values are replaced by :func:`aispm_graph.providers.gcp.assets.scrub` before anything is
written (header *names* are kept: they say how the webhook authenticates).

A refused agent (403) or a missing one (404) is a coverage gap for that agent; the API refused
outright (not enabled, credentials rejected, endpoint unreachable) is one gap and the step ends.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from aispm_graph.providers.coverage import Coverage, Status
from aispm_graph.providers.gcp.assets import AssetRecordError, normalize
from aispm_graph.providers.gcp.result import DIALOGFLOW_WEBHOOKS, CollectResult, api_message
from aispm_graph.workspace import Document

AGENT_TYPE = "dialogflow.googleapis.com/Agent"
WEBHOOK_TYPE = "dialogflow.googleapis.com/Webhook"
WEBHOOKS_KEY = "dialogflow:webhooks"
DF = "//dialogflow.googleapis.com/"
PAGE_SIZE = 100  # the API's maximum page size for webhooks.list
MAX_WEBHOOKS = 10_000  # per agent; more is reported as a partial listing
_AGENT = re.compile(r"^projects/[^/]+/locations/([a-z0-9-]+)/agents/[^/]+$")
_REFUSED = re.compile(r"SERVICE_DISABLED|accessNotConfigured|has not been used|is disabled", re.I)


class ApiRefused(Exception):
    """The Dialogflow API as a whole cannot be used (message says why)."""


def listed_agents(result: CollectResult) -> list[dict[str, Any]]:
    """The Dialogflow CX agent records the asset listings returned, by name."""
    found: dict[str, dict[str, Any]] = {}
    for doc in result.documents:
        body = doc.body if isinstance(doc.body, dict) else {}
        if body.get("asset_type") != AGENT_TYPE:
            continue
        for rec in body.get("assets", []):
            found.setdefault(str(rec["name"]), rec)
    return [found[k] for k in sorted(found)]


def regional_endpoint(location: str) -> str:
    """Dialogflow CX serves each region on its own host; ``global`` on the plain one."""
    if location == "global":
        return "https://dialogflow.googleapis.com/"
    return f"https://{location}-dialogflow.googleapis.com/"


def make_dialogflow_client(endpoint: str, creds: Any) -> Any:
    """The real Dialogflow v3 client from the discovery document shipped in the wheel."""
    from google.api_core.client_options import ClientOptions
    from googleapiclient.discovery import build

    return build(
        "dialogflow",
        "v3",
        credentials=creds,
        static_discovery=True,
        cache_discovery=False,
        client_options=ClientOptions(api_endpoint=endpoint),
    )


def _status(exc: Exception) -> int:
    resp = getattr(exc, "resp", None)
    return int(getattr(resp, "status", 0) or 0)


def _reason(exc: Exception) -> str:
    text = str(getattr(exc, "reason", "") or "") or api_message(exc)
    return text.splitlines()[0][:200] if text else type(exc).__name__


def _classify(exc: Exception, agent: str) -> tuple[Status, str]:
    """(status, detail) of a per-agent failure; raises ApiRefused for whole-API ones."""
    from google.auth import exceptions as auth_exc
    from googleapiclient.errors import HttpError

    if isinstance(exc, HttpError):
        code, why = _status(exc), _reason(exc)
        raw = getattr(exc, "content", b"") or b""
        content = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
        if code == 401:
            raise ApiRefused(f"credentials rejected by the Dialogflow API: {why}")
        if code == 403 and _REFUSED.search(f"{why} {content}"):
            raise ApiRefused(f"Dialogflow API not usable: {why}")
        if code == 403:
            return Status.DENIED, f"{why} (needs dialogflow.webhooks.list on {agent})"
        if code == 404:
            return Status.NOT_FOUND, f"{why} (the agent was deleted since it was listed)"
        return Status.FAILED, f"HTTP {code}: {why}"
    if isinstance(exc, auth_exc.RefreshError):
        raise ApiRefused(f"credentials rejected and cannot be refreshed: {api_message(exc)}")
    if isinstance(exc, auth_exc.TransportError | OSError) or type(exc).__module__.startswith(
        "httplib2"
    ):
        raise ApiRefused(f"cannot reach the Dialogflow API: {api_message(exc)}")
    raise exc


def _webhook_record(hook: dict[str, Any], agent: dict[str, Any]) -> dict[str, Any]:
    name = str(hook.get("name") or "")
    if not name.startswith("projects/"):
        raise AssetRecordError("field 'name': missing or not 'projects/.../webhooks/ID'")
    rec: dict[str, Any] = {
        "name": DF + name,
        "asset_type": WEBHOOK_TYPE,
        "resource": {"data": hook, "parent": agent["name"], "location": ""},
    }
    if agent.get("ancestors"):
        rec["ancestors"] = list(agent["ancestors"])
    return normalize(rec)


def read_webhooks(
    client: Any, agent: str, cov: Coverage, retries: int, max_webhooks: int
) -> list[dict[str, Any]]:
    """Every webhook of one agent (``agent`` is the API name ``projects/../agents/ID``)."""
    hooks: list[dict[str, Any]] = []
    token: str | None = None
    webhooks = client.projects().locations().agents().webhooks()
    while True:
        page = webhooks.list(parent=agent, pageSize=PAGE_SIZE, pageToken=token).execute(
            num_retries=retries
        )
        cov.pages += 1
        for hook in page.get("webhooks") or []:
            if isinstance(hook, dict):
                hooks.append(hook)
            if len(hooks) >= max_webhooks:
                cov.status = Status.PARTIAL
                cov.detail = f"stopped after {max_webhooks} webhooks"
                return hooks
        token = page.get("nextPageToken") or None
        if not token:
            return hooks


def collect_webhooks(
    result: CollectResult,
    creds: Any,
    api_endpoint: str | None = None,
    *,
    retries: int = 3,
    max_webhooks: int = MAX_WEBHOOKS,
    progress: Callable[[str], None] | None = None,
) -> None:
    """Add one webhook document and one coverage row per listed agent to ``result``.

    ``api_endpoint`` replaces every regional endpoint (a replay server in tests, a private
    endpoint in production); without it each agent is read on its own region's host.
    """
    agents = listed_agents(result)
    if not agents:
        return
    clients: dict[str, Any] = {}
    records: list[dict[str, Any]] = []
    for agent in agents:
        api_name = str(agent["name"]).removeprefix(DF)
        cov = Coverage(api_name, DIALOGFLOW_WEBHOOKS)
        m = _AGENT.match(api_name)
        if m is None:
            cov.status, cov.detail = Status.FAILED, "not a Dialogflow CX agent name"
            result.coverage.append(cov)
            continue
        endpoint = api_endpoint or regional_endpoint(m.group(1))
        if progress:
            progress(f"webhooks of Dialogflow agent {api_name}")
        hooks: list[dict[str, Any]] = []
        try:
            client = clients.get(endpoint)
            if client is None:
                client = clients[endpoint] = make_dialogflow_client(endpoint, creds)
            hooks = read_webhooks(client, api_name, cov, retries, max_webhooks)
        except Exception as exc:
            try:
                cov.status, cov.detail = _classify(exc, api_name)
            except ApiRefused as refused:
                gap = Coverage(
                    "dialogflow.googleapis.com", DIALOGFLOW_WEBHOOKS, status=Status.FAILED
                )
                gap.detail = str(refused)
                if "rejected" in str(refused) or "not usable" in str(refused):
                    gap.status = Status.DENIED
                result.coverage.append(gap)
                result.warnings.append(
                    f"Dialogflow webhooks not read ({len(agents)} agents): {refused}"
                )
                break
        for hook in hooks:
            try:
                records.append(_webhook_record(hook, agent))
            except AssetRecordError as exc:
                result.warnings.append(f"Dialogflow webhook of {api_name}: {exc}")
        cov.count = len(hooks)
        result.coverage.append(cov)
    if records:
        result.documents.append(
            Document(
                "gcp",
                result.scope,
                WEBHOOKS_KEY,
                {"asset_type": WEBHOOK_TYPE, "content_type": "RESOURCE", "assets": records},
            )
        )
