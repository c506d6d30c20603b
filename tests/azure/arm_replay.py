"""A local ARM replay server: serves recorded resource JSON the way Azure Resource Manager does.

Given a flat list of recorded resources it answers the collection URLs the management clients
call (``/subscriptions/s/providers/NS/type``, ``{parent id}/{child type}``, ``.../resources``,
``.../resourcegroups``) and single-resource GETs (``get_by_id``), with every list split into
pages joined by ``nextLink`` so the real SDK pagers are exercised. Faults can be queued per
path (a 429 with ``Retry-After`` before success) and whole resource types denied with 403.
It runs in a thread on 127.0.0.1 (plain http: the SDK allows it for loopback when
``enforce_https`` is off, which our collector turns on only for loopback endpoints). The
server, paging and fault queue are the shared loopback fake's (:mod:`tests.support.loopback`);
this module is the ARM and Microsoft Graph routing.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

from aispm_graph.build import BuildContext, build_graph
from aispm_graph.graph.model import Graph
from aispm_graph.knowledge.azure.arm import MG_PREFIX, norm, resource_type, subscription_of
from aispm_graph.workspace import Workspace
from tests.support.cli import CliResult, run_cli
from tests.support.loopback import FaultQueue, LoopbackServer, QuietHandler, page

Fault = tuple[int, dict[str, str], Any]  # status, headers, body


class ArmReplay(LoopbackServer):
    def __init__(
        self,
        resources: list[dict[str, Any]],
        page_size: int = 2,
        *,
        entities: list[dict[str, Any]] | None = None,
        directory: list[dict[str, Any]] | None = None,
        tenant_id: str | None = None,
        group_members: dict[str, list[dict[str, Any]]] | None = None,
        agents: dict[str, dict[str, list[dict[str, Any]]]] | None = None,
        graph: dict[str, list[dict[str, Any]]] | None = None,
    ) -> None:
        self.resources = resources
        # Foundry Agent Service data plane, GET /api/projects/{project}/{assistants|agents}:
        # project name -> route -> agent objects, paged by limit/after/has_more. Without
        # ``agents``, the agent documents among ``resources`` are served as they were stored.
        self.agents: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(dict)
        if agents is None:
            for r in resources:
                if resource_type(r["id"]) == "microsoft.cognitiveservices/accounts/projects/agents":
                    project = str(r["project"]).rsplit("/", 1)[-1].lower()
                    self.agents[project].setdefault(str(r["route"]), []).append(r["agent"])
        else:
            self.agents.update({k.lower(): v for k, v in agents.items()})
        self.page_size = page_size
        # getEntities rows (management groups and subscriptions with properties.parent.id)
        self.entities = entities or []
        # Microsoft Graph directory objects served by POST /v1.0/directoryObjects/getByIds
        self.directory = {str(o["id"]).lower(): o for o in directory or []}
        self.tenant_id = tenant_id
        # Graph GET /v1.0/groups/{id}/transitiveMembers, paged by @odata.nextLink
        self.group_members = {k.lower(): v for k, v in (group_members or {}).items()}
        # Other Graph collections by path (lower case, no query): role definitions and
        # assignments, owners, applications (``$filter=appId eq '...'``), agent identities.
        # A Graph collection not recorded answers an empty list, as Graph does for an
        # object without owners.
        self.graph = {k.lower(): v for k, v in (graph or {}).items()}
        self.next_link_host = ""  # set to send nextLinks to another host (a hostile answer)
        # Paths (lower case) that answer 403 to every method, e.g. getEntities or getByIds.
        self.denied_paths: set[str] = set()
        self.graph_batches: list[list[str]] = []  # ids of each getByIds call
        self.faults: FaultQueue[str, Fault] = FaultQueue()
        self.denied_types: set[str] = set()
        # Subscriptions where every read answers 403 (listed, but the caller has no role there).
        self.denied_subscriptions: set[str] = set()
        # Subscriptions whose reads wait until release(): a subscription still in flight
        # when a test interrupts the run.
        self.held_subscriptions: dict[str, threading.Event] = {}
        self.requests: list[tuple[float, str, str, str]] = []  # (time, method, path, auth)
        super().__init__(self._handler())

    def hold(self, subscription: str) -> None:
        self.held_subscriptions[subscription.lower()] = threading.Event()

    def release(self) -> None:
        for event in self.held_subscriptions.values():
            event.set()
        self.held_subscriptions.clear()

    def reset(self) -> None:
        self.faults.clear()
        self.denied_types.clear()
        self.denied_subscriptions.clear()
        self.denied_paths.clear()
        self.graph_batches.clear()
        self.requests.clear()
        self.next_link_host = ""

    def fail_once(self, path: str, status: int, headers: dict[str, str] | None = None) -> None:
        self.faults.add(norm(path), (status, headers or {}, {"error": {"code": str(status)}}))

    # -- routing ------------------------------------------------------------------------------
    def subscriptions(self) -> list[dict[str, Any]]:
        """``GET /subscriptions``: every subscription a recorded resource lives in."""
        subs = sorted({subscription_of(r["id"]) for r in self.resources} - {""})
        names = {
            norm(e["id"]): (e.get("properties") or {}).get("displayName") for e in self.entities
        }
        out = []
        for sub in subs:
            record: dict[str, Any] = {
                "id": f"/subscriptions/{sub}",
                "subscriptionId": sub,
                "displayName": names.get(f"/subscriptions/{sub}") or f"sub-{sub[:8]}",
                "state": "Enabled",
            }
            if self.tenant_id:
                record["tenantId"] = self.tenant_id
            out.append(record)
        return out

    def ancestors(self, entity_id: str) -> list[str]:
        """Management groups above a subscription or group, from the recorded entities."""
        parent = {
            norm(e["id"]): norm(((e.get("properties") or {}).get("parent") or {}).get("id") or "")
            for e in self.entities
        }
        out: list[str] = []
        cur = parent.get(norm(entity_id), "")
        while cur and cur not in out:
            out.append(cur)
            cur = parent.get(cur, "")
        return out

    def _applies_to(self, assignment_id: str, sub: str) -> bool:
        """Whether ARM lists an assignment for a subscription: its own, and those inherited
        from the subscription's management groups or the tenant root."""
        rid = norm(assignment_id)
        if subscription_of(rid):
            return subscription_of(rid) == sub
        if not self.entities:
            return True  # no hierarchy recorded: every group assignment reaches it
        scope = rid.split("/providers/microsoft.authorization/")[0]
        return scope == "" or scope in self.ancestors(f"/subscriptions/{sub}")

    def _children(self, path: str) -> list[dict[str, Any]] | None:
        p = norm(path)
        segs = [s for s in p.split("/") if s]
        out: list[dict[str, Any]] = []
        if segs == ["subscriptions"]:
            return self.subscriptions()
        if (
            len(segs) == 3
            and segs[0] == "subscriptions"
            and segs[2] in {"resources", "resourcegroups"}
        ):
            sub = segs[1]
            for r in self.resources:
                rid = r["id"]
                rt = resource_type(rid)
                if subscription_of(rid) != sub:
                    continue
                if (segs[2] == "resourcegroups" and rt == "resourcegroups") or (
                    segs[2] == "resources"
                    and rt.count("/") == 1
                    and not rt.startswith("microsoft.authorization")
                ):
                    out.append(r)
            return out
        if len(segs) == 5 and segs[0] == "subscriptions" and segs[2] == "providers":
            sub, wanted = segs[1], f"{segs[3]}/{segs[4]}"
            for r in self.resources:
                rid = r["id"]
                if resource_type(rid) != wanted:
                    continue
                if wanted == "microsoft.authorization/roleassignments":
                    if self._applies_to(rid, sub):
                        out.append(r)
                elif wanted.startswith("microsoft.authorization") or subscription_of(rid) == sub:
                    out.append(r)
            return out
        if p.startswith(MG_PREFIX) and segs[-2:-1] == ["microsoft.authorization"]:
            # assignments / definitions at a management group (possibly none)
            known = {norm(e["id"]) for e in self.entities}
            if "/".join(p.split("/")[:5]) not in known:
                return None
            return [
                r
                for r in self.resources
                if norm(r["id"]).startswith(p + "/")
                and norm(r["id"]).count("/") == p.count("/") + 1
            ]
        if p.endswith("/providers/microsoft.insights/diagnosticsettings"):
            # an extension collection: empty (not 404) for a recorded resource without settings
            owner = p.removesuffix("/providers/microsoft.insights/diagnosticsettings")
            if not any(norm(r["id"]) == owner for r in self.resources):
                return None
            return [r for r in self.resources if norm(r["id"]).startswith(p + "/")]
        # {parent}/{childType}: direct children of a recorded resource (or of a path such as
        # {storage account}/blobServices/default that prefixes recorded children)
        parent = "/".join(p.split("/")[:-1])
        if any(
            norm(r["id"]) == parent or norm(r["id"]).startswith(parent + "/")
            for r in self.resources
        ):
            for r in self.resources:
                rid = norm(r["id"])
                if rid.startswith(p + "/") and rid.count("/") == p.count("/") + 1:
                    out.append(r)
            return out
        return None

    def _handler(self) -> type[QuietHandler]:
        replay = self

        class Handler(QuietHandler):
            def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
                self.send_json(status, body, headers)

            def do_GET(self) -> None:
                parsed = urlparse(self.path)
                path = norm(parsed.path)
                replay.requests.append(
                    (time.monotonic(), "GET", path, self.headers.get("Authorization", ""))
                )
                if not self.headers.get("Authorization", "").startswith("Bearer "):
                    self._send(401, {"error": {"code": "AuthenticationFailed"}})
                    return
                if path in replay.denied_paths:
                    self._send(403, {"error": {"code": "AuthorizationFailed", "message": path}})
                    return
                fault = replay.faults.take(path)
                if fault is not None:
                    status, headers, body = fault
                    self._send(status, body, headers)
                    return
                if path.startswith("/v1.0/groups/") and path.endswith("/transitivemembers"):
                    self._members(parsed, path.split("/")[3])
                    return
                if path.startswith("/api/projects/"):
                    self._agents(parsed, path)
                    return
                if path.startswith(("/v1.0/", "/beta/")):
                    self._graph_list(parsed, path)
                    return
                held = replay.held_subscriptions.get(subscription_of(path))
                if held is not None:
                    held.wait(timeout=120)
                if subscription_of(path) in replay.denied_subscriptions:
                    self._send(
                        403,
                        {"error": {"code": "AuthorizationFailed", "message": "no role here"}},
                    )
                    return
                rtype = resource_type(path)
                for denied in replay.denied_types:
                    if rtype == denied:
                        self._send(
                            403,
                            {
                                "error": {
                                    "code": "AuthorizationFailed",
                                    "message": f"no read on {denied}",
                                }
                            },
                        )
                        return
                for r in replay.resources:
                    if norm(r["id"]) == path:
                        self._send(200, r)
                        return
                for record in replay.subscriptions():
                    if norm(record["id"]) == path:
                        self._send(200, record)
                        return
                items = replay._children(path)
                if items is None:
                    self._send(404, {"error": {"code": "NotFound", "message": path}})
                    return
                self._page(parsed, items, count=False)

            def do_POST(self) -> None:
                parsed = urlparse(self.path)
                path = norm(parsed.path)
                auth = self.headers.get("Authorization", "")
                replay.requests.append((time.monotonic(), "POST", path, auth))
                raw = self.read_body()
                if not auth.startswith("Bearer "):
                    self._send(401, {"error": {"code": "InvalidAuthenticationToken"}})
                    return
                if path in replay.denied_paths:
                    if path.startswith("/v1.0/"):
                        error = {
                            "code": "Authorization_RequestDenied",
                            "message": "Insufficient privileges to complete the operation.",
                        }
                    else:
                        error = {"code": "AuthorizationFailed", "message": f"no access: {path}"}
                    self._send(403, {"error": error})
                    return
                if path == "/providers/microsoft.management/getentities":
                    self._page(parsed, replay.entities)
                elif path == "/v1.0/directoryobjects/getbyids":
                    self._get_by_ids(raw)
                else:
                    self._send(404, {"error": {"code": "NotFound", "message": path}})

            def _get_by_ids(self, raw: bytes) -> None:
                try:
                    body = json.loads(raw or b"{}")
                    ids = [str(i).lower() for i in body["ids"]]
                except (ValueError, KeyError, TypeError):
                    self._send(400, {"error": {"code": "Request_BadRequest"}})
                    return
                if len(ids) > 1000:
                    self._send(400, {"error": {"code": "Request_BadRequest", "message": ">1000"}})
                    return
                replay.graph_batches.append(ids)
                types = {str(t).lower() for t in body.get("types") or []}
                found = []
                for oid in ids:
                    obj = replay.directory.get(oid)
                    kind = str((obj or {}).get("@odata.type", "")).rsplit(".", 1)[-1].lower()
                    if obj is not None and (not types or kind in types):
                        found.append(obj)
                self._send(
                    200,
                    {
                        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#directoryObjects",
                        "value": found,
                    },
                )

            def _members(self, parsed: Any, gid: str) -> None:
                members = replay.group_members.get(gid)
                if members is None:
                    self._send(404, {"error": {"code": "Request_ResourceNotFound"}})
                    return
                query = parse_qs(parsed.query)
                if "$select" not in query:
                    self._send(400, {"error": {"code": "BadRequest", "message": "no $select"}})
                    return
                skip = int(query.get("$skiptoken", ["0"])[0])
                size = replay.page_size
                body: dict[str, Any] = {
                    "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#directoryObjects",
                    "value": members[skip : skip + size],
                }
                if skip + size < len(members):  # Graph pages by an offset, not a page number
                    q = {k: v[0] for k, v in query.items()}
                    q["$skiptoken"] = str(skip + size)
                    host = replay.next_link_host or replay.url
                    body["@odata.nextLink"] = f"{host}{parsed.path}?{urlencode(q)}"
                self._send(200, body)

            def _agents(self, parsed: Any, path: str) -> None:
                """A Foundry project's agent list, paged as the service does (``limit``,
                ``after`` = the last id of the previous page, ``has_more``)."""
                segs = path.split("/")  # ['', 'api', 'projects', name, route]
                query = parse_qs(parsed.query)
                if len(segs) != 5 or query.get("api-version") != ["v1"]:
                    self._send(400, {"error": {"code": "BadRequest", "message": path}})
                    return
                routes = replay.agents.get(segs[3])
                if routes is None or segs[4] not in ("assistants", "agents"):
                    self._send(404, {"error": {"code": "NotFound", "message": path}})
                    return
                items = routes.get(segs[4], [])
                if not isinstance(items, list):  # a hostile answer, sent as it is
                    self._send(200, {"object": "list", "data": items, "has_more": False})
                    return
                limit = min(int(query.get("limit", ["20"])[0]), replay.page_size)
                after = query.get("after", [""])[0]
                start = 0
                if after:
                    ids = [str(a.get("id")) for a in items]
                    start = ids.index(after) + 1 if after in ids else len(items)
                chunk = items[start : start + limit]
                self._send(
                    200,
                    {
                        "object": "list",
                        "data": chunk,
                        "first_id": chunk[0].get("id") if chunk else None,
                        "last_id": chunk[-1].get("id") if chunk else None,
                        "has_more": start + limit < len(items),
                    },
                )

            def _graph_list(self, parsed: Any, path: str) -> None:
                items = replay.graph.get(path, [])
                query = parse_qs(parsed.query)
                filt = query.get("$filter", [""])[0]
                if filt:
                    m = re.fullmatch(r"appId eq '([0-9a-fA-F-]{36})'", filt)
                    if m is None:
                        self._send(400, {"error": {"code": "BadRequest", "message": filt}})
                        return
                    items = [i for i in items if str(i.get("appId")).lower() == m[1].lower()]
                skip = int(query.get("$skiptoken", ["0"])[0])
                size = replay.page_size
                body: dict[str, Any] = {"value": items[skip : skip + size]}
                if skip + size < len(items):
                    q = {k: v[0] for k, v in query.items()}
                    q["$skiptoken"] = str(skip + size)
                    host = replay.next_link_host or replay.url
                    body["@odata.nextLink"] = f"{host}{parsed.path}?{urlencode(q)}"
                self._send(200, body)

            def _page(self, parsed: Any, items: list[dict[str, Any]], count: bool = True) -> None:
                """One page of a listing, ``nextLink`` naming the next (getEntities also
                sends the total ``count``)."""
                query = parse_qs(parsed.query)
                chunk, following = page(items, int(query.get("page", ["0"])[0]), replay.page_size)
                body: dict[str, Any] = {"count": len(items)} if count else {}
                body["value"] = chunk
                if following is not None:
                    q = {k: v[0] for k, v in query.items()}
                    q["page"] = str(following)
                    body["nextLink"] = f"{replay.url}{parsed.path}?{urlencode(q)}"
                self._send(200, body)

        return Handler


TENANCY = Path(__file__).resolve().parents[2] / "fixtures" / "azure" / "tenancy"
TENANT_ID = "3c1d2b0a-7e6f-4a59-8b4c-0d1e2f3a4b5c"


def tenancy_server(extra: Path | None = None) -> ArmReplay:
    """A replay of the tenancy estate (``fixtures/azure/tenancy``), plus the ARM resources,
    directory objects and group members of the ``extra`` fixture folder; not started."""

    def load(folder: Path, name: str) -> Any:
        path = folder / name
        return json.loads(path.read_text()) if path.exists() else None

    more = [extra] if extra else []
    return ArmReplay(
        [*load(TENANCY, "arm.json"), *(r for f in more for r in load(f, "arm.json") or [])],
        page_size=2,
        entities=load(TENANCY, "entities.json"),
        directory=[
            *load(TENANCY, "directory.json"),
            *(o for f in more for o in load(f, "directory.json") or []),
        ],
        tenant_id=TENANT_ID,
        group_members={k: v for f in more for k, v in (load(f, "members.json") or {}).items()},
        graph={k: v for f in more for k, v in (load(f, "graph.json") or {}).items()},
    )


def azure_cli(ws: Path, *args: str) -> CliResult:
    """The CLI on workspace ``ws`` with a bearer token for the replay server (never a real
    credential)."""
    return run_cli(*args, workspace=ws, env={"AISPM_AZURE_TOKEN": "t"})


def collect_tenancy(ws: Path, srv: ArmReplay, *extra: str) -> dict[str, Any]:
    """``collect azure --all-subscriptions`` from the replay server (ARM and Microsoft Graph
    both), its JSON summary."""
    proc = azure_cli(
        ws,
        *("collect", "azure", "--all-subscriptions", "--arm-endpoint", srv.url),
        *("--graph-endpoint", srv.url, "--format", "json", *extra),
    )
    assert proc.code == 0, proc.err
    out: dict[str, Any] = json.loads(proc.out)
    return out


def built_current(ws: Path) -> Graph:
    """The graph of the workspace's current snapshot, built in process."""
    snap = Workspace(ws).current()
    assert snap is not None
    return build_graph(snap.documents(), BuildContext())
