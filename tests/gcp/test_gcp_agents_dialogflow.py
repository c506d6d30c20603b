"""Dialogflow CX agents, their webhooks and the Agent Builder apps they answer from.

Collected with the real Cloud Asset and Dialogflow (``googleapiclient``) clients against the
replay server; answers shaped as the Dialogflow CX v3 reference defines ``Agent`` and
``Webhook``. Built on top of the demo project, so the paths run through its real IAM.

Shapes: an agent whose webhook calls a Cloud Run service (the Dialogflow service agent holds
``run.invoker`` on it) that runs as a service account reading training data; a webhook to an
external host with an API key (data leaves the estate); a webhook with ``ACCESS_TOKEN`` auth
(it receives the service agent's token); a chat app whose data store a broad group can write
(prompt injection into the agent). Negative controls: a webhook to a service whose account
has no access; a webhook to a service the service agent may not invoke; a disabled webhook;
the data store without the broad writer.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from aispm_graph.analysis.engine import find_paths
from aispm_graph.graph.model import Graph
from aispm_graph.knowledge.gcp.names import sa_id
from aispm_graph.providers.gcp.assets import REDACTED
from aispm_graph.providers.gcp.children import child_record
from aispm_graph.providers.gcp.subresources import WEBHOOKS as WEBHOOKS_LISTING
from tests.conftest import run_cli
from tests.gcp.conftest import TOKEN_ENV, build, collect_gcp, demo_rows, edges
from tests.gcp.replay import Recording, ReplayServer

pytestmark = [pytest.mark.integration, pytest.mark.slow]

P, NUM = "acme-vertex-prod", "714523698012"
LOC = "us-central1"
AGENT_API = f"projects/{NUM}/locations/{LOC}/agents/5b1c0e4d-aaaa-4c1e-9d3f-0a1b2c3d4e5f"
AGENT = f"//dialogflow.googleapis.com/projects/{P}/locations/{LOC}/agents/"
AGENT += "5b1c0e4d-aaaa-4c1e-9d3f-0a1b2c3d4e5f"
HOOK = f"{AGENT}/webhooks"
RUN = f"//run.googleapis.com/projects/{P}/locations/{LOC}/services"
SA = f"//iam.googleapis.com/projects/{P}/serviceAccounts"
PIPELINE_SA = f"{SA}/pipeline-runner@{P}.iam.gserviceaccount.com"
INVENTORY_SA = f"{SA}/inventory-sa@{P}.iam.gserviceaccount.com"
SERVICE_AGENT = f"service-{NUM}@gcp-sa-dialogflow.iam.gserviceaccount.com"
TRAIN = f"//storage.googleapis.com/projects/_/buckets/{P}-fraud-training"
COLL = f"//discoveryengine.googleapis.com/projects/{P}/locations/global/collections/"
COLL += "default_collection"
CHAT = f"{COLL}/engines/support-chat"
KB = f"{COLL}/dataStores/support-kb"
NB = f"{SA}/nb-runner@{P}.iam.gserviceaccount.com"
ANCESTORS = [f"projects/{NUM}", "folders/418273645091", "organizations/583920174656"]


def _agent() -> dict[str, Any]:
    return {
        "name": f"//dialogflow.googleapis.com/{AGENT_API}",
        "asset_type": "dialogflow.googleapis.com/Agent",
        "ancestors": ANCESTORS,
        "resource": {
            "version": "v3",
            "discovery_name": "Agent",
            "parent": f"//cloudresourcemanager.googleapis.com/projects/{NUM}",
            "location": LOC,
            "data": {
                "name": AGENT_API,
                "displayName": "support-bot",
                "defaultLanguageCode": "en",
                "timeZone": "Europe/Berlin",
                "startFlow": f"{AGENT_API}/flows/00000000-0000-0000-0000-000000000000",
                "genAppBuilderSettings": {
                    "engine": f"projects/{NUM}/locations/global/collections/default_collection/"
                    "engines/support-chat"
                },
                "advancedSettings": {
                    "loggingSettings": {
                        "enableStackdriverLogging": True,
                        "enableInteractionLogging": False,
                    }
                },
            },
        },
    }


def _run(name: str, sa: str, invoker: list[str] | None) -> list[dict[str, Any]]:
    full = f"//run.googleapis.com/projects/{P}/locations/{LOC}/services/{name}"
    recs = [
        {
            "name": full,
            "asset_type": "run.googleapis.com/Service",
            "ancestors": ANCESTORS,
            "resource": {
                "parent": f"//cloudresourcemanager.googleapis.com/projects/{NUM}",
                "location": LOC,
                "data": {
                    "apiVersion": "serving.knative.dev/v1",
                    "kind": "Service",
                    "metadata": {
                        "name": name,
                        "namespace": NUM,
                        "annotations": {"run.googleapis.com/ingress": "all"},
                    },
                    "spec": {
                        "template": {
                            "spec": {
                                "serviceAccountName": f"{sa}@{P}.iam.gserviceaccount.com",
                                "containers": [{"image": f"us-docker.pkg.dev/{P}/apps/{name}:1.0"}],
                            }
                        }
                    },
                    "status": {"url": f"https://{name}-q2w3e4r5ta-uc.a.run.app"},
                },
            },
        }
    ]
    if invoker is not None:
        recs.append(
            {
                "name": full,
                "asset_type": "run.googleapis.com/Service",
                "ancestors": ANCESTORS,
                "iam_policy": {"bindings": [{"role": "roles/run.invoker", "members": invoker}]},
            }
        )
    return recs


def _hook(wid: str, name: str, web: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "name": f"{AGENT_API}/webhooks/{wid}",
        "displayName": name,
        "timeout": "5s",
        "genericWebService": web,
        **extra,
    }


WEBHOOKS = [
    # Cloud Run service the Dialogflow service agent may invoke; runs as pipeline-runner.
    _hook("w-orders", "orders", {"uri": "https://orders-api-q2w3e4r5ta-uc.a.run.app/hook"}),
    # Same shape, but the service's account has no grants (negative control for the reach).
    _hook(
        "w-inventory",
        "inventory",
        {
            "uri": f"https://inventory-api-{NUM}.{LOC}.run.app/",
            "serviceAgentAuth": "ID_TOKEN",
        },
    ),
    # The service agent holds no invoker on ledger-api: the call is refused.
    _hook("w-ledger", "ledger", {"uri": "https://ledger-api-q2w3e4r5ta-uc.a.run.app/"}),
    # External host with an API key: conversation data leaves the estate.
    _hook(
        "w-crm",
        "crm-export",
        {
            "uri": "https://user:pw@hooks.example-crm.com/dialogflow?token=qs-secret-7f3e",
            "requestHeaders": {"X-Api-Key": "sk-live-0123456789abcdef"},
            "serviceAgentAuth": "NONE",
            "webhookType": "STANDARD",
        },
    ),
    # An access token of the service agent sent with every call.
    _hook(
        "w-tickets",
        "tickets",
        {"uri": "https://tickets.example.net/df", "serviceAgentAuth": "ACCESS_TOKEN"},
    ),
    # Disabled: the agent does not call it.
    _hook(
        "w-old",
        "old-orders",
        {"uri": "https://orders-api-q2w3e4r5ta-uc.a.run.app/old"},
        disabled=True,
    ),
]


def _chat_engine() -> dict[str, Any]:
    return {
        "name": f"//discoveryengine.googleapis.com/projects/{NUM}/locations/global/collections/"
        "default_collection/engines/support-chat",
        "asset_type": "discoveryengine.googleapis.com/Engine",
        "ancestors": ANCESTORS,
        "resource": {
            "location": "global",
            "data": {
                "name": f"projects/{NUM}/locations/global/collections/default_collection/"
                "engines/support-chat",
                "displayName": "support-chat",
                "dataStoreIds": ["support-kb"],
                "solutionType": "SOLUTION_TYPE_CHAT",
                "industryVertical": "GENERIC",
                "chatEngineMetadata": {"dialogflowAgent": AGENT_API},
            },
        },
    }


def _webhook_records() -> list[dict[str, Any]]:
    """The webhooks as the collector stores them (asset form, scrubbed)."""
    agent = _agent()
    return [child_record(WEBHOOKS_LISTING, copy.deepcopy(h), agent) for h in WEBHOOKS]


def _project_binding(records: list[dict[str, Any]], role: str, member: str) -> None:
    for rec in records:
        if rec["name"].endswith(f"/projects/{NUM}") and "iam_policy" in rec:
            rec["iam_policy"]["bindings"].append({"role": role, "members": [member]})
            return
    raise AssertionError("project policy not in the demo")


def estate(*, broad_writer: bool = True) -> list[dict[str, Any]]:
    records = [copy.deepcopy(a) for row in demo_rows() for a in row["body"]["assets"]]
    records += [_agent(), _chat_engine(), *_webhook_records()]
    records += _run("orders-api", "pipeline-runner", [f"serviceAccount:{SERVICE_AGENT}"])
    records += _run("inventory-api", "inventory-sa", [f"serviceAccount:{SERVICE_AGENT}"])
    records += _run("ledger-api", "pipeline-runner", ["user:ops@acme.example"])
    _project_binding(
        records, "roles/dialogflow.client", f"serviceAccount:nb-runner@{P}.iam.gserviceaccount.com"
    )
    if broad_writer:
        _project_binding(records, "roles/discoveryengine.editor", "domain:acme.example")
    _project_binding(records, "roles/dialogflow.admin", "user:bot-dev@acme.example")
    _project_binding(records, "roles/storage.objectViewer", f"serviceAccount:{SERVICE_AGENT}")
    return records


@pytest.fixture(scope="module")
def graph() -> Graph:
    return build(estate())[0]


def test_agent_and_webhooks_become_nodes_with_their_facts(graph: Graph) -> None:
    agent = graph.node(AGENT)
    assert (agent["kind"], agent["name"], agent["region"], agent["tenant"]) == (
        "DialogflowCXAgent",
        "support-bot",
        LOC,
        P,
    )
    assert agent["stackdriver_logging"] is True and agent["interaction_logging"] is False
    assert agent["webhooks"] == sorted(h["name"].rsplit("/", 1)[-1] for h in WEBHOOKS)
    got = {
        (
            graph.node(n)["name"],
            graph.node(n)["auth"],
            graph.node(n).get("host"),
            graph.node(n)["sends_out"],
            graph.node(n).get("target_service"),
        )
        for n, _d in graph.nodes("DialogflowCXWebhook")
    }
    assert got == {
        (
            "orders",
            "service-agent-id-token",
            "orders-api-q2w3e4r5ta-uc.a.run.app",
            False,
            f"{RUN}/orders-api",
        ),
        (
            "inventory",
            "service-agent-id-token",
            f"inventory-api-{NUM}.{LOC}.run.app",
            False,
            f"{RUN}/inventory-api",
        ),
        (
            "ledger",
            "service-agent-id-token",
            "ledger-api-q2w3e4r5ta-uc.a.run.app",
            False,
            f"{RUN}/ledger-api",
        ),
        ("crm-export", "api-key", "hooks.example-crm.com", True, None),
        ("tickets", "service-agent-access-token", "tickets.example.net", True, None),
        (
            "old-orders",
            "service-agent-id-token",
            "orders-api-q2w3e4r5ta-uc.a.run.app",
            False,
            f"{RUN}/orders-api",
        ),
    }


def test_no_credential_is_stored_only_names() -> None:
    crm = next(r for r in _webhook_records() if r["name"].endswith("w-crm"))
    web = crm["resource"]["data"]["genericWebService"]
    assert web["requestHeaders"] == {"X-Api-Key": REDACTED}
    assert web["uri"] == f"https://hooks.example-crm.com/dialogflow?token={REDACTED}"
    g = build(estate())[0]
    node = g.node(f"{HOOK}/w-crm")
    assert node["uri"] == "https://hooks.example-crm.com/dialogflow"  # no user:pw, no token
    assert node["auth_header_names"] == ["X-Api-Key"]
    assert "sk-live" not in json.dumps(dict(g.g.nodes(data=True)), default=str)
    assert "qs-secret-7f3e" not in json.dumps(dict(g.g.nodes(data=True)), default=str)


def test_webhooks_are_acting_tools_and_calls_follow_iam(graph: Graph) -> None:
    assert edges(graph, "USES_TOOL") >= {
        (AGENT, f"{HOOK}/{w}")
        for w in ("w-orders", "w-inventory", "w-ledger", "w-crm", "w-tickets")
    }
    assert (AGENT, f"{HOOK}/w-old") not in edges(graph, "USES_TOOL")
    assert (AGENT, f"{HOOK}/w-old") in edges(graph, "HAS_TOOL")
    invokes = {(s, t, d["confidence"]) for s, t, d in graph.edges("INVOKES") if s.startswith(HOOK)}
    assert invokes == {
        (f"{HOOK}/w-orders", f"{RUN}/orders-api", "confirmed"),
        (f"{HOOK}/w-inventory", f"{RUN}/inventory-api", "confirmed"),
    }
    ev = next(d["evidence"] for s, t, d in graph.edges("INVOKES") if s == f"{HOOK}/w-orders")
    assert ev["grant"] == f"roles/run.invoker for serviceAccount:{SERVICE_AGENT} on orders-api"
    assert ev["permission"] == "run.routes.invoke"
    ledger = graph.node(f"{HOOK}/w-ledger")
    assert "holds no invoker role on ledger-api" in ledger["unreachable_reason"]
    # ACCESS_TOKEN: the webhook holds the service agent's token.
    runs_as = {(s, t) for s, t, _d in graph.edges("RUNS_AS") if s.startswith(HOOK)}
    assert runs_as == {(f"{HOOK}/w-tickets", sa_id(SERVICE_AGENT))}
    assert graph.node(sa_id(SERVICE_AGENT))["email"] == SERVICE_AGENT


def test_detect_intent_holders_reach_the_agent_and_on_through_the_webhook(graph: Graph) -> None:
    assert (NB, AGENT) in edges(graph, "CAN_INVOKE")
    ev = next(d["evidence"] for s, t, d in graph.edges("CAN_INVOKE") if (s, t) == (NB, AGENT))
    assert ev["permission"] == "dialogflow.sessions.detectIntent"
    routes = {tuple(n.id for n in p.nodes) for p in find_paths(graph).paths}
    through = {r for r in routes if AGENT in r}
    orders = (NB, AGENT, f"{HOOK}/w-orders", f"{RUN}/orders-api", PIPELINE_SA, TRAIN)
    assert any(r[-len(orders) :] == orders for r in through), sorted(through)
    # Negative controls: no route on through the refused, disabled or powerless webhooks.
    for dead in ("w-ledger", "w-old"):
        assert not any(f"{HOOK}/{dead}" in r for r in routes)
    assert not any(INVENTORY_SA in r and r[-1] != INVENTORY_SA for r in routes)


def test_chat_app_links_agent_and_broad_writers_inject(graph: Graph) -> None:
    assert {(AGENT, CHAT), (CHAT, KB)} <= edges(graph, "GROUNDED_ON")
    assert graph.node(CHAT)["dialogflow_agent"] == AGENT_API
    inj = {
        (s, d["confidence"], d["evidence"]["content"])
        for s, t, d in graph.edges("PROMPT_INJECTION")
        if t == AGENT
    }
    assert ("domain:acme.example", "inferred", KB) in inj
    indicators = graph.node(AGENT)["agent_indicators"]
    assert {"prompt-injection", "data-exfiltration", "high-autonomy"} <= set(indicators)


def test_data_store_without_broad_writer_injects_nothing() -> None:
    g = build(estate(broad_writer=False))[0]
    assert not any(s == "domain:acme.example" for s, _t, _d in g.edges("PROMPT_INJECTION"))
    assert "prompt-injection" not in (g.node(AGENT).get("agent_indicators") or [])


# -- collection: real clients against the replay server ------------------------------------------


def _rows_with_agent() -> list[dict[str, Any]]:
    rows = copy.deepcopy(demo_rows())
    rows.append(
        {
            "key": "resource:dialogflow.googleapis.com/Agent",
            "body": {
                "asset_type": "dialogflow.googleapis.com/Agent",
                "content_type": "RESOURCE",
                "assets": [_agent()],
            },
        }
    )
    return rows


@pytest.fixture
def replay() -> Any:
    rec = Recording.from_documents(_rows_with_agent())
    rec.webhooks = {AGENT_API: copy.deepcopy(WEBHOOKS)}
    server = ReplayServer(rec).start()
    yield server
    server.stop()


def _snapshot_raw(ws: Path) -> bytes:
    """Every stored document of the snapshot, decompressed, as one blob."""
    import zstandard

    files = sorted(ws.rglob("docs/*.json.zst"))
    assert files, "no documents in the snapshot"
    return b"".join(zstandard.ZstdDecompressor().decompress(f.read_bytes()) for f in files)


def test_collect_reads_webhooks_of_listed_agents(replay: ReplayServer, tmp_path: Path) -> None:
    res = collect_gcp(replay.url, tmp_path, "--no-effective-policies", "--format", "json")
    assert res.code == 0, res.err
    out = res.json()
    assert out["dialogflow_webhooks"] == len(WEBHOOKS)
    hooks = [r for r in replay.requests if r["content_type"] == "DIALOGFLOW_WEBHOOKS"]
    assert {r["path"] for r in hooks} == {f"/v3/{AGENT_API}/webhooks"}
    assert len(hooks) == 3  # six webhooks, two per page
    assert all(
        r["authorization"] == f"Bearer {TOKEN_ENV['GOOGLE_OAUTH_ACCESS_TOKEN']}" for r in hooks
    )
    raw = _snapshot_raw(tmp_path)
    assert b"dialogflow.googleapis.com/Webhook" in raw
    assert b"sk-live" not in raw and b"qs-secret-7f3e" not in raw and b"user:pw" not in raw
    built = run_cli("build", workspace=tmp_path)
    assert built.code == 0, built.err
    shown = run_cli("inventory", "--format", "json", workspace=tmp_path)
    assert shown.code == 0, shown.err
    assert "support-bot" in shown.out and "crm-export" in shown.out


def test_denied_agent_is_a_coverage_gap_not_a_failure(replay: ReplayServer, tmp_path: Path) -> None:
    replay.recording.deny_webhooks = {AGENT_API}
    res = collect_gcp(replay.url, tmp_path, "--no-effective-policies", "--format", "json")
    assert res.code == 0, res.err
    out = res.json()
    row = next(c for c in out["coverage"] if c["scope"] == "DIALOGFLOW_WEBHOOKS")
    assert (row["service"], row["status"]) == (AGENT_API, "denied")
    assert "dialogflow.webhooks.list" in row["detail"]
    assert out["dialogflow_webhooks"] == 0


def test_disabled_api_is_one_gap(replay: ReplayServer, tmp_path: Path) -> None:
    replay.recording.dialogflow_disabled = True
    res = collect_gcp(replay.url, tmp_path, "--no-effective-policies", "--format", "json")
    assert res.code == 0, res.err
    out = res.json()
    rows = [c for c in out["coverage"] if c["scope"] == "DIALOGFLOW_WEBHOOKS"]
    assert [(r["service"], r["status"]) for r in rows] == [("dialogflow.googleapis.com", "denied")]


def test_webhook_checks_fire_on_their_cases_only(graph: Graph) -> None:
    from aispm_graph.recommendations.evaluate import evaluate

    found = {
        (f.check, f.name) for f in evaluate(graph) if f.check.startswith(("GCP-DF-", "AGENT-"))
    }
    assert {(c, n) for c, n in found if c.startswith("GCP-DF-")} == {
        ("GCP-DF-001", "crm-export"),
        ("GCP-DF-001", "tickets"),
        ("GCP-DF-003", "tickets"),
    }
    assert ("AGENT-001", "support-bot") in found  # prompt injection into an acting agent


def test_malformed_webhooks_are_skipped_with_a_warning_naming_them() -> None:
    records = estate()
    bad = copy.deepcopy(next(r for r in records if r["name"].endswith("/webhooks/w-orders")))
    bad["name"] = bad["name"].replace("w-orders", "w-broken")
    bad["resource"]["data"]["genericWebService"] = "https://not-an-object.example"
    odd = copy.deepcopy(bad)
    odd["name"] = odd["name"].replace("w-broken", "w-odd-port")
    odd["resource"]["data"]["genericWebService"] = {"uri": "https://host.example:99999/x"}
    graph, ctx = build([*records, bad, odd])
    assert not graph.has_node(f"{HOOK}/w-broken")
    assert any("w-broken" in w for w in ctx.warnings), ctx.warnings
    # A URI the parser rejects is stored redacted, never raw, and the webhook is still a tool.
    assert graph.node(f"{HOOK}/w-odd-port")["sends_out"] is True
    assert (AGENT, f"{HOOK}/w-orders") in edges(graph, "USES_TOOL")


def test_collector_keeps_good_webhooks_when_one_has_no_name(
    replay: ReplayServer, tmp_path: Path
) -> None:
    replay.recording.webhooks[AGENT_API].insert(1, {"displayName": "nameless"})
    res = collect_gcp(replay.url, tmp_path, "--no-effective-policies", "--format", "json")
    assert res.code == 0, res.err
    assert "field 'name'" in res.err
    raw = _snapshot_raw(tmp_path)
    # the six good records, plus the document's own asset_type
    assert raw.count(b'"asset_type":"dialogflow.googleapis.com/Webhook"') == len(WEBHOOKS) + 1


def test_webhook_editors_can_take_the_service_agents_token(graph: Graph) -> None:
    """Google's caution on the Dialogflow roles: whoever edits webhooks can make one send the
    service agent's token to an endpoint of theirs."""
    agent_sa = sa_id(SERVICE_AGENT)
    takeover = {
        (s, d["evidence"]["permission"]) for s, t, d in graph.edges("CAN_ASSUME") if t == agent_sa
    }
    assert takeover == {("user:bot-dev@acme.example", "dialogflow.webhooks.update")}
    ev = next(d["evidence"] for s, t, d in graph.edges("CAN_ASSUME") if t == agent_sa)
    assert "ACCESS_TOKEN" in ev["technique"] and "dialogflow.admin" in ev["grant"]
    # The service agent's own grants are what the token reaches.
    assert (agent_sa, TRAIN) in edges(graph, "CAN_READ")
    # Session access (detectIntent) is not webhook editing.
    assert not any(s == NB and t == agent_sa for s, t, _d in graph.edges("CAN_ASSUME"))


def _variant(change: str) -> Graph:
    """The estate with the orders-api service or its webhook changed one way."""
    records = estate()
    svc = [r for r in records if r["name"] == f"{RUN}/orders-api"]
    hook = next(r for r in records if r["name"].endswith("/webhooks/w-orders"))
    web = hook["resource"]["data"]["genericWebService"]
    policy = next(r for r in svc if "iam_policy" in r)["iam_policy"]
    data = next(r for r in svc if "resource" in r)["resource"]["data"]
    if change == "conditional-grant":
        policy["bindings"][0]["condition"] = {
            "title": "business hours",
            "expression": "request.time.getHours('Europe/Berlin') < 18",
        }
    elif change == "internal-ingress":
        data["metadata"]["annotations"]["run.googleapis.com/ingress"] = "internal"
    elif change == "public-with-api-key":
        policy["bindings"] = [{"role": "roles/run.invoker", "members": ["allUsers"]}]
        web["serviceAgentAuth"] = "NONE"
        web["requestHeaders"] = {"Authorization": REDACTED}
    elif change == "oauth-to-private":
        web["oauthConfig"] = {
            "clientId": "df-client",
            "clientSecret": REDACTED,
            "tokenEndpoint": "https://auth.example.com/token",
        }
    return build(records)[0]


def _orders_call(graph: Graph) -> tuple[str, dict[str, Any]] | None:
    for s, t, d in graph.edges("INVOKES"):
        if (s, t) == (f"{HOOK}/w-orders", f"{RUN}/orders-api"):
            return str(d["confidence"]), d["evidence"]
    return None


def test_a_conditional_invoker_grant_makes_the_call_conditional() -> None:
    got = _orders_call(_variant("conditional-grant"))
    assert got is not None and got[0] == "conditional"
    assert got[1]["condition"] == "business hours"


def test_internal_ingress_refuses_a_generic_web_service_call() -> None:
    graph = _variant("internal-ingress")
    assert _orders_call(graph) is None
    assert "internal traffic only" in graph.node(f"{HOOK}/w-orders")["unreachable_reason"]


def test_a_public_service_takes_any_credential() -> None:
    graph = _variant("public-with-api-key")
    got = _orders_call(graph)
    assert got is not None and got[0] == "confirmed"
    assert "admits unauthenticated calls" in got[1]["grant"]
    assert graph.node(f"{HOOK}/w-orders")["auth"] == "api-key"


def test_oauth_to_an_iam_protected_service_is_refused() -> None:
    graph = _variant("oauth-to-private")
    assert _orders_call(graph) is None
    node = graph.node(f"{HOOK}/w-orders")
    assert node["auth"] == "oauth" and node["oauth_token_endpoint"] == (
        "https://auth.example.com/token"
    )
    assert "requires a Google-signed ID token" in node["unreachable_reason"]
