"""The Azure AI Foundry Agent Service data plane: the agents of each Foundry project.

Agents are not ARM resources: each Foundry project serves them at its own endpoint,
``https://<account>.services.ai.azure.com/api/projects/<project>``, to an Entra token for
``https://ai.azure.com/.default`` (the service accepts no keys for agents). Two generations
answer there with the same paging (``limit``, ``after`` = the previous page's ``last_id``,
``has_more``):

* ``GET {project}/assistants?api-version=v1``: the classic agents (the Assistants protocol of
  ``azure-ai-agents``): ``model``, ``instructions``, ``tools`` and ``tool_resources``;
* ``GET {project}/agents?api-version=v1``: the versioned agents of ``azure-ai-projects`` 2.x,
  whose latest version holds the same facts under ``versions.latest.definition``.

A project that answers 404 on one route simply has no agents of that generation. 401/403 is a
coverage gap (the caller lacks Azure AI User on the project), recorded and reported; the run
goes on. Each agent is stored as one document whose id sits under its project
(``<project id>/agents/<agent id>``), so the transform and the RBAC pass place it in the ARM
hierarchy. The agent's instructions never reach the snapshot: they are replaced by their
SHA-256 and length before the body is stored, and MCP header values (bearer tokens) are
reduced to header names.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from aispm_graph.knowledge.azure.arm import norm
from aispm_graph.providers.azure.redact import first_line, scrub
from aispm_graph.providers.coverage import Coverage, Status
from aispm_graph.providers.endpoints import EndpointError, check_endpoint
from aispm_graph.workspace import Document

FOUNDRY_API = "v1"
FOUNDRY_AUDIENCE = "https://ai.azure.com"
AGENTS_TYPE = "Microsoft.CognitiveServices/accounts/projects/agents"
# The two agent routes of a project endpoint, oldest first (see the module docstring).
ROUTES = ("assistants", "agents")
PAGE_LIMIT = 100
MAX_PAGES = 500  # 50,000 agents per project and route; more is reported as partial
FOUNDRY_HOST_SUFFIX = ".services.ai.azure.com"


def instructions_digest(text: str) -> dict[str, Any]:
    """What is kept of an agent's instructions: their hash and length, never the text."""
    return {
        "instructions_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "instructions_length": len(text),
    }


def redact_agent(obj: Any) -> Any:
    """A copy of an agent answer without instruction text, header values or secret fields.

    ``instructions`` (at any depth: a versioned agent keeps them in its definition) become
    ``instructions_sha256`` / ``instructions_length``; an empty or absent text stays absent, so
    "no instructions" remains visible. ``headers`` (MCP tool resources) keep their names only.
    """
    if isinstance(obj, dict):
        out: dict[str, Any] = {}
        for k, v in obj.items():
            if k == "instructions":
                if isinstance(v, str) and v.strip():
                    out.update(instructions_digest(v))
                continue
            if k == "headers":
                out["header_names"] = sorted(str(h) for h in v) if isinstance(v, dict) else []
                continue
            out[k] = redact_agent(v)
        return scrub(out)
    if isinstance(obj, list):
        return [redact_agent(v) for v in obj]
    return obj


def project_endpoint(project: dict[str, Any], account: dict[str, Any] | None) -> str:
    """The project's data-plane endpoint from its ARM record, or '' when none can be told.

    ARM publishes it in ``properties.endpoints["AI Foundry API"]``; older records lack it, and
    the account's custom subdomain gives the documented form instead.
    """
    name = str(project.get("name") or "").split("/")[-1]
    endpoints = (project.get("properties") or {}).get("endpoints")
    if isinstance(endpoints, dict):
        for key, url in endpoints.items():
            if str(key).lower() == "ai foundry api" and isinstance(url, str) and url:
                return url.rstrip("/")
    sub = ((account or {}).get("properties") or {}).get("customSubDomainName")
    if isinstance(sub, str) and sub and name:
        return f"https://{sub.lower()}{FOUNDRY_HOST_SUFFIX}/api/projects/{quote(name)}"
    return ""


class FoundryAgentsCollector:
    """Reads the agents of every Foundry project one ARM collection found.

    ``endpoint`` replaces the scheme and host of every project endpoint (a private endpoint
    or the local replay server of the tests); its path stays ``/api/projects/<project>``. The
    same loopback-only rule for plain http applies as for ARM (``EndpointError`` otherwise).
    """

    def __init__(
        self,
        credential: Any,
        endpoint: str | None = None,
        retry_total: int = 5,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        self.credential = credential
        self.retry_total = retry_total
        self.progress = progress or (lambda _m: None)
        self.override = endpoint.rstrip("/") if endpoint else ""
        self.insecure = (
            check_endpoint("--foundry-endpoint", self.override) if self.override else False
        )

    def _client(self) -> Any:
        from azure.core import PipelineClient
        from azure.core.pipeline.policies import (
            BearerTokenCredentialPolicy,
            HeadersPolicy,
            RetryPolicy,
            UserAgentPolicy,
        )

        return PipelineClient(
            base_url=self.override or FOUNDRY_AUDIENCE,
            policies=[
                HeadersPolicy(),
                UserAgentPolicy(user_agent="aispm-graph"),
                RetryPolicy(
                    retry_total=self.retry_total,
                    retry_backoff_factor=0.5,
                    retry_backoff_max=30,
                ),
                BearerTokenCredentialPolicy(self.credential, f"{FOUNDRY_AUDIENCE}/.default"),
            ],
        )

    def endpoint_for(self, project: dict[str, Any], account: dict[str, Any] | None) -> str:
        """Where this project's agents are read, or '' when no safe endpoint is known."""
        url = project_endpoint(project, account)
        if not url:
            return ""
        if self.override:
            path = "/api/projects/" + url.split("/api/projects/", 1)[-1]
            return self.override + path
        try:
            if check_endpoint("project endpoint", url):
                return ""  # a recorded plain-http endpoint: never send a token there
        except EndpointError:
            return ""
        # The token is for the AI Foundry audience: it goes only to a Foundry host, whatever
        # a (possibly imported or tampered) record names.
        host = url.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0].lower()
        return url if host.endswith(FOUNDRY_HOST_SUFFIX) else ""

    def collect(
        self,
        scope: str,
        projects: list[dict[str, Any]],
        accounts: list[dict[str, Any]],
    ) -> tuple[list[Document], Coverage]:
        """Documents of the agents of ``projects`` (stored under ``scope``, the subscription),
        and one coverage row for the lot."""
        docs: list[Document] = []
        by_account = {norm(str(a.get("id", ""))): a for a in accounts}
        row = Coverage(AGENTS_TYPE)
        client = self._client()
        for project in projects:
            pid = norm(str(project.get("id", "")))
            if not pid:
                continue
            base = self.endpoint_for(project, by_account.get(pid.rsplit("/projects/", 1)[0]))
            if not base:
                row.record(
                    Status.FAILED,
                    f"{pid}: no https data-plane endpoint in the project or account record",
                )
                continue
            self.progress(f"Foundry project {pid.rsplit('/', 1)[-1]}: agents")
            for route in ROUTES:
                self._route(client, docs, scope, row, pid, base, route)
        return docs, row

    def _route(
        self,
        client: Any,
        docs: list[Document],
        scope: str,
        row: Coverage,
        pid: str,
        base: str,
        route: str,
    ) -> None:
        from azure.core.exceptions import ClientAuthenticationError, ServiceRequestError
        from azure.core.rest import HttpRequest

        after = ""
        op = {"enforce_https": False} if self.insecure else {}
        for _page in range(MAX_PAGES):
            url = f"{base}/{route}?api-version={FOUNDRY_API}&limit={PAGE_LIMIT}&order=asc"
            if after:
                url += f"&after={quote(after, safe='')}"
            try:
                response = client.send_request(HttpRequest("GET", url), **op)
            except ClientAuthenticationError as exc:
                row.record(Status.DENIED, f"{pid} {route}: {first_line(exc)}")
                return
            except ServiceRequestError as exc:
                row.record(Status.FAILED, f"{pid} {route}: unreachable: {first_line(exc)}")
                return
            status = response.status_code
            if status == 404:
                row.succeeded()  # no agents of this generation in the project: an answer
                return
            if status in (401, 403):
                row.record(
                    Status.DENIED,
                    f"{pid} {route}: HTTP {status} (needs Azure AI User on the project)",
                )
                return
            if status != 200:
                row.record(Status.FAILED, f"{pid} {route}: HTTP {status}")
                return
            try:
                body = response.json()
            except ValueError:
                row.record(Status.FAILED, f"{pid} {route}: answer is not JSON")
                return
            data = body.get("data") if isinstance(body, dict) else None
            if not isinstance(data, list):
                row.record(Status.FAILED, f"{pid} {route}: answer has no 'data' list")
                return
            row.succeeded()
            for agent in data:
                self._store(docs, scope, row, pid, route, agent)
            if not body.get("has_more"):
                return
            last = body.get("last_id")
            if not isinstance(last, str) or not last or last == after:
                row.record(Status.PARTIAL, f"{pid} {route}: more pages, but no new last_id")
                return
            after = last
        row.record(Status.PARTIAL, f"{pid} {route}: stopped after {MAX_PAGES} pages")

    def _store(
        self,
        docs: list[Document],
        scope: str,
        row: Coverage,
        pid: str,
        route: str,
        agent: Any,
    ) -> None:
        if not isinstance(agent, dict) or not isinstance(agent.get("id"), str) or not agent["id"]:
            row.errors.append(f"{pid} {route}: an agent without an id was skipped")
            return
        key = f"{pid}/agents/{agent['id'].lower()}"
        body = {
            "id": key,
            "type": AGENTS_TYPE,
            "project": pid,
            "route": route,
            "agent": redact_agent(agent),
        }
        row.count += 1
        docs.append(Document("azure", scope, key, body))
