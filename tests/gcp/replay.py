"""A local Cloud Asset API that replays recorded assets over real HTTP (127.0.0.1).

It answers ``GET /v1/{scope}/assets`` the way cloudasset.googleapis.com does: proto-JSON
``ListAssetsResponse`` bodies (camelCase, produced by the real ``asset_v1`` message classes
from the recorded export-form records), ``nextPageToken`` paging, and Google error bodies for
the statuses a test asks for (403 on one asset type, a 429 or 503 before a page succeeds, 401).
The real ``AssetServiceClient`` (REST transport) talks to it through ``--api-endpoint``.

It also answers the Org Policy API's ``GET /v2/{projects|folders|organizations/X}/policies/
{constraint}:getEffectivePolicy`` with recorded v2 ``Policy`` JSON (the name carrying the
project number, as orgpolicy.googleapis.com answers), a policy without rules for a
constraint nobody set, or a 403 for the projects a test denies. The real ``OrgPolicyClient``
(REST transport) reaches it through ``--orgpolicy-endpoint``.

And the Cloud Identity Groups API: ``GET /v1/groups:lookup?groupKey.id=EMAIL`` (the group's
name, 404 for a group it does not hold) and ``GET /v1/groups/ID/memberships:
searchTransitiveMemberships`` (recorded ``MemberRelation`` items, ``nextPageToken`` paging),
``GET /v1/groups/ID/memberships`` (the direct ``Membership`` items the same recording
implies), with a 403 for a denied group, for the transitive search alone (an edition
without it) or for the whole API, as cloudidentity.googleapis.com answers.
The real ``googleapiclient`` Cloud Identity client reaches it through
``--cloudidentity-endpoint`` (or ``--api-endpoint``). Recordings load the demo directory's
groups (``fixtures/gcp/groups/cloudidentity.json``) unless given others.

And the Dialogflow CX API's ``GET /v3/projects/P/locations/L/agents/A/webhooks`` (recorded v3
``Webhook`` JSON, ``pageSize`` / ``nextPageToken`` paging, 403 for a denied agent or the whole
API disabled, 404 for an agent it does not hold), which the real ``googleapiclient`` Dialogflow
client reaches through ``--dialogflow-endpoint`` (or ``--api-endpoint``). The Vertex AI API's
``GET /v1/projects/P/locations/L/ragCorpora/C/ragFiles`` is answered the same way from
recorded v1 ``RagFile`` JSON.

The server, paging and fault queues are the shared loopback fake's
(:mod:`tests.support.loopback`); this module is the Google routing.
"""

from __future__ import annotations

import json
import re
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

from google.cloud import asset_v1

from tests.support.loopback import FaultQueue, LoopbackServer, QuietHandler, page

CONTENT = {
    "1": "RESOURCE",
    "2": "IAM_POLICY",
    "4": "ORG_POLICY",
    "RESOURCE": "RESOURCE",
    "IAM_POLICY": "IAM_POLICY",
    "ORG_POLICY": "ORG_POLICY",
}
GROUPS_FIXTURE = Path(__file__).resolve().parents[2] / "fixtures/gcp/groups/cloudidentity.json"
WEBHOOKS_PATH = re.compile(r"/v3/(projects/[^/]+/locations/[^/]+/agents/[^/]+)/webhooks")
RAG_FILES_PATH = re.compile(r"/v1/(projects/[^/]+/locations/[^/]+/ragCorpora/[^/]+)/ragFiles")
MEMBERS_PATH = re.compile(r"/v1/(groups/[^/]+)/memberships(:searchTransitiveMemberships)?")


def recorded_groups() -> dict[str, dict[str, Any]]:
    """Group email -> {name, memberships} as recorded from the Cloud Identity API."""
    groups: dict[str, dict[str, Any]] = json.loads(GROUPS_FIXTURE.read_text("utf-8"))["groups"]
    return groups


def direct(group: str, rel: dict[str, Any]) -> dict[str, Any] | None:
    """The ``Membership`` that ``memberships.list`` gives for a recorded direct relation."""
    if rel["relationType"] not in ("DIRECT", "DIRECT_AND_INDIRECT"):
        return None
    email = rel["preferredMemberKey"][0]["id"]
    kind = "USER"
    if rel["member"].startswith("groups/"):
        kind = "GROUP"
    elif email.endswith(".gserviceaccount.com"):
        kind = "SERVICE_ACCOUNT"
    return {
        "name": f"{group}/memberships/{rel['member'].rsplit('/', 1)[-1]}",
        "preferredMemberKey": {"id": email},
        "roles": [{"name": "MEMBER"}],
        "type": kind,
    }


EFFECTIVE_PATH = re.compile(
    r"/v2/((?:projects|folders|organizations)/[^/]+)/policies/([A-Za-z0-9._]+):getEffectivePolicy"
)


def to_wire(record: dict[str, Any]) -> dict[str, Any]:
    """An export-form record as the REST API sends it (camelCase proto JSON)."""
    msg = asset_v1.Asset.from_json(json.dumps(record), ignore_unknown_fields=True)
    # enums by name, as the API writes them (listPolicy.allValues "DENY")
    wire: dict[str, Any] = json.loads(asset_v1.Asset.to_json(msg, use_integers_for_enums=False))
    return wire


@dataclass
class Recording:
    """Assets by (asset type, content type), and the failures to stage."""

    assets: dict[tuple[str, str], list[dict[str, Any]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    page_size: int = 3
    deny: set[tuple[str, str]] = field(default_factory=set)
    # (asset type, content type, page index) -> statuses to return before succeeding
    flaky: FaultQueue[tuple[str, str, int], int] = field(default_factory=FaultQueue)
    unauthenticated: bool = False
    # v2 Policy JSON by policy name ("projects/NUMBER/policies/CONSTRAINT")
    effective: dict[str, dict[str, Any]] = field(default_factory=dict)
    # resources ("projects/NUMBER" or "projects/ID") whose effective policies are denied
    deny_effective: set[str] = field(default_factory=set)
    # policy name -> statuses to return before the policy (429 / 503 are retried)
    flaky_effective: FaultQueue[str, int] = field(default_factory=FaultQueue)
    # project id -> number, so that a request by id is answered with the number
    project_numbers: dict[str, str] = field(default_factory=dict)
    # Cloud Identity: group email -> {"name": "groups/ID", "memberships": [MemberRelation]}
    groups: dict[str, dict[str, Any]] = field(default_factory=recorded_groups)
    member_page_size: int = 2
    # group emails whose transitive search is denied (403), or the whole API refused
    deny_groups: set[str] = field(default_factory=set)
    identity_disabled: bool = False
    # False: the transitive search answers 403 (an edition without it); memberships.list works
    premium: bool = True
    # Dialogflow CX: agent API name -> recorded v3 Webhook JSON; denied agents; API disabled
    webhooks: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    webhook_page_size: int = 2
    deny_webhooks: set[str] = field(default_factory=set)
    dialogflow_disabled: bool = False
    # Vertex AI RAG Engine: corpus API name -> recorded v1 RagFile JSON
    rag_files: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # a test may hand in plain dicts of fault lists
        self.flaky = FaultQueue(self.flaky)
        self.flaky_effective = FaultQueue(self.flaky_effective)

    @classmethod
    def from_documents(cls, rows: list[dict[str, Any]], **kw: Any) -> Recording:
        rec = cls(**kw)
        for row in rows:
            body = row["body"]
            for asset in body["assets"]:
                rec.assets[(body["asset_type"], body["content_type"])].append(to_wire(asset))
        return rec

    def matching(self, requested: str, content: str) -> list[dict[str, Any]]:
        if requested.endswith(".*"):
            prefix = re.compile(requested)
            return [
                a
                for (t, c), items in sorted(self.assets.items())
                if c == content and prefix.fullmatch(t)
                for a in items
            ]
        return list(self.assets.get((requested, content), []))


class ReplayServer(LoopbackServer):
    def __init__(self, recording: Recording) -> None:
        self.recording = recording
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        server = self

        class Handler(QuietHandler):
            def do_GET(self) -> None:
                server._handle(self)

        super().__init__(Handler)

    def _send(self, h: QuietHandler, status: int, body: dict[str, Any]) -> None:
        h.send_json(status, body, content_type="application/json; charset=UTF-8")

    def _note(
        self, h: QuietHandler, path: str, content_type: str, query: dict[str, list[str]]
    ) -> None:
        """Record a per-item API request (called under the lock) as the tests read it."""
        self.requests.append(
            {
                "path": path,
                "asset_type": "",
                "content_type": content_type,
                "page": (query.get("pageToken") or [""])[0],
                "authorization": h.headers.get("authorization"),
                "query": query,
            }
        )

    def _error(self, h: QuietHandler, status: int, reason: str, msg: str) -> None:
        self._send(h, status, {"error": {"code": status, "message": msg, "status": reason}})

    def _effective(self, h: QuietHandler, m: re.Match[str]) -> None:
        rec = self.recording
        parent, constraint = m.group(1), m.group(2)
        kind, _, ident = parent.partition("/")
        if kind == "projects":
            ident = rec.project_numbers.get(ident, ident)
        name = f"{kind}/{ident}/policies/{constraint}"
        if parent in rec.deny_effective or f"{kind}/{ident}" in rec.deny_effective:
            self._error(
                h,
                403,
                "PERMISSION_DENIED",
                f"Permission 'orgpolicy.policy.get' denied on resource '{name}'.",
            )
            return
        status = rec.flaky_effective.take(name)
        if status is not None:
            reason = {429: "RESOURCE_EXHAUSTED", 503: "UNAVAILABLE"}.get(status, "INTERNAL")
            self._error(h, status, reason, "try again later")
            return
        self._send(h, 200, rec.effective.get(name) or {"name": name, "spec": {}})

    def _identity(self, h: QuietHandler, path: str, query: dict[str, list[str]]) -> None:
        rec = self.recording
        if rec.identity_disabled:
            self._send(
                h,
                403,
                {
                    "error": {
                        "code": 403,
                        "message": "Cloud Identity API has not been used in project 714523698012 "
                        "before or it is disabled.",
                        "status": "PERMISSION_DENIED",
                        "details": [
                            {
                                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                                "reason": "SERVICE_DISABLED",
                                "domain": "googleapis.com",
                            }
                        ],
                    }
                },
            )
            return
        if path == "/v1/groups:lookup":
            email = (query.get("groupKey.id") or [""])[0].lower()
            group = rec.groups.get(email)
            if group is None:
                self._error(h, 404, "NOT_FOUND", "Requested entity was not found.")
                return
            self._send(h, 200, {"name": group["name"]})
            return
        m = MEMBERS_PATH.fullmatch(path)
        by_name = {g["name"]: (email, g) for email, g in rec.groups.items()}
        if m is None or m.group(1) not in by_name:
            self._error(h, 404, "NOT_FOUND", "Requested entity was not found.")
            return
        email, group = by_name[m.group(1)]
        transitive = m.group(2) is not None
        if email in rec.deny_groups or (transitive and not rec.premium):
            self._error(h, 403, "PERMISSION_DENIED", "Error(2028): Permission denied for resource.")
            return
        listing: list[dict[str, Any]] = group["memberships"]
        if not transitive:
            implied = (direct(m.group(1), rel) for rel in group["memberships"])
            listing = [ms for ms in implied if ms is not None]
        token = (query.get("pageToken") or [""])[0]
        index = int(token.removeprefix("m-")) if token.startswith("m-") else 0
        size = min(int((query.get("pageSize") or ["200"])[0]), rec.member_page_size)
        items, following = page(listing, index, size)
        body: dict[str, Any] = {"memberships": items}
        if following is not None:
            body["nextPageToken"] = f"m-{following}"
        self._send(h, 200, body)

    def _rag_files(self, h: QuietHandler, corpus: str, query: dict[str, list[str]]) -> None:
        listing = self.recording.rag_files.get(corpus)
        if listing is None:
            self._error(h, 404, "NOT_FOUND", f"RagCorpus {corpus} is not found.")
            return
        token = (query.get("pageToken") or [""])[0]
        index = int(token.removeprefix("r-")) if token.startswith("r-") else 0
        size = min(int((query.get("pageSize") or ["100"])[0]), self.recording.webhook_page_size)
        items, following = page(listing, index, size)
        body: dict[str, Any] = {"ragFiles": items}
        if following is not None:
            body["nextPageToken"] = f"r-{following}"
        self._send(h, 200, body)

    def _webhooks(self, h: QuietHandler, agent: str, query: dict[str, list[str]]) -> None:
        rec = self.recording
        if rec.dialogflow_disabled:
            self._send(
                h,
                403,
                {
                    "error": {
                        "code": 403,
                        "message": "Dialogflow API has not been used in project 714523698012 "
                        "before or it is disabled.",
                        "status": "PERMISSION_DENIED",
                        "details": [
                            {
                                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                                "reason": "SERVICE_DISABLED",
                                "domain": "googleapis.com",
                            }
                        ],
                    }
                },
            )
            return
        if agent in rec.deny_webhooks:
            self._error(
                h,
                403,
                "PERMISSION_DENIED",
                f"IAM permission 'dialogflow.webhooks.list' on '{agent}' denied.",
            )
            return
        if agent not in rec.webhooks:
            self._error(h, 404, "NOT_FOUND", f"com.google.apps.framework.request.NotFound: {agent}")
            return
        listing = rec.webhooks[agent]
        token = (query.get("pageToken") or [""])[0]
        index = int(token.removeprefix("w-")) if token.startswith("w-") else 0
        size = min(int((query.get("pageSize") or ["100"])[0]), rec.webhook_page_size)
        items, following = page(listing, index, size)
        body: dict[str, Any] = {"webhooks": items}
        if following is not None:
            body["nextPageToken"] = f"w-{following}"
        self._send(h, 200, body)

    def _handle(self, h: QuietHandler) -> None:
        url = urlparse(h.path)
        rag = RAG_FILES_PATH.fullmatch(url.path)
        if rag is not None:
            query = parse_qs(url.query)
            with self._lock:
                self._note(h, url.path, "RAG_FILES", query)
                self._rag_files(h, rag.group(1), query)
            return
        hooks = WEBHOOKS_PATH.fullmatch(url.path)
        if hooks is not None:
            query = parse_qs(url.query)
            with self._lock:
                self._note(h, url.path, "DIALOGFLOW_WEBHOOKS", query)
                if self.recording.unauthenticated:
                    self._error(h, 401, "UNAUTHENTICATED", "Request had invalid credentials.")
                    return
                self._webhooks(h, hooks.group(1), query)
            return
        if url.path.startswith("/v1/groups"):
            query = parse_qs(url.query)
            with self._lock:
                self._note(h, url.path, "GROUP_MEMBERS", query)
                if self.recording.unauthenticated:
                    self._error(h, 401, "UNAUTHENTICATED", "Request had invalid credentials.")
                    return
                self._identity(h, url.path, query)
            return
        effective = EFFECTIVE_PATH.fullmatch(url.path)
        if effective is not None:
            with self._lock:
                self.requests.append(
                    {
                        "path": url.path,
                        "asset_type": "",
                        "content_type": "EFFECTIVE_ORG_POLICY",
                        "page": 0,
                        "authorization": h.headers.get("authorization"),
                    }
                )
                if self.recording.unauthenticated:
                    self._error(h, 401, "UNAUTHENTICATED", "Request had invalid credentials.")
                    return
                self._effective(h, effective)
            return
        query = parse_qs(url.query)
        m = re.fullmatch(r"/v1/((?:projects|folders|organizations)/[^/]+)/assets", url.path)
        atype = (query.get("assetTypes") or [""])[0]
        content = CONTENT.get((query.get("contentType") or [""])[0], "?")
        token = (query.get("pageToken") or [""])[0]
        index = int(token.removeprefix("page-")) if token.startswith("page-") else 0
        with self._lock:
            self.requests.append(
                {
                    "path": url.path,
                    "asset_type": atype,
                    "content_type": content,
                    "page": index,
                    "authorization": h.headers.get("authorization"),
                }
            )
            rec = self.recording
            if rec.unauthenticated:
                self._error(h, 401, "UNAUTHENTICATED", "Request had invalid credentials.")
                return
            if m is None:
                self._error(h, 404, "NOT_FOUND", f"no such path {url.path}")
                return
            if (atype, content) in rec.deny:
                self._error(
                    h,
                    403,
                    "PERMISSION_DENIED",
                    f"The caller does not have permission to list {atype} ({content})",
                )
                return
            status = rec.flaky.take((atype, content, index))
            if status is not None:
                reason = {429: "RESOURCE_EXHAUSTED", 503: "UNAVAILABLE"}.get(status, "INTERNAL")
                self._error(h, status, reason, "try again later")
                return
        chunk, following = page(rec.matching(atype, content), index, rec.page_size)
        body: dict[str, Any] = {"assets": chunk, "readTime": "2026-11-30T12:00:00Z"}
        if following is not None:
            body["nextPageToken"] = f"page-{following}"
        self._send(h, 200, body)
