"""Dialogflow CX (Conversational Agents): agents and the webhooks they act through.

An agent is listed by Cloud Asset Inventory; its webhooks are read from the Dialogflow API by the
collector (:mod:`aispm_graph.providers.gcp.dialogflow`) and arrive as asset-form records. A
webhook is an *acting* tool: fulfillment calls it with the session's parameters and whatever
the user typed, and it does what its code does. So:

* agent ``USES_TOOL`` webhook (``HAS_TOOL`` when the webhook is disabled), with no approval:
  Dialogflow has no per-call human approval;
* a webhook whose URI is a Cloud Run service or Cloud Function of the estate names it
  (``target_service``); whether the call gets through (and so ``INVOKES``) depends on IAM and
  is decided by the ``gcp-dialogflow-webhooks`` deriver after the IAM pass;
* a webhook to any other host sends conversation data out of the estate (``sends_out``);
* ``serviceAgentAuth: ACCESS_TOKEN`` hands the webhook an access token of the Dialogflow
  service agent with every call: the webhook ``RUNS_AS`` that identity;
* ``genAppBuilderSettings.engine`` (a data store agent, playbooks with data store tools):
  the agent is ``GROUNDED_ON`` the Agent Builder app and reads its data stores.

The v3 API has no field saying an agent is open to the internet (Dialogflow Messenger's
unauthenticated mode is configured outside it), so an agent is reached by principals with
``dialogflow.sessions.detectIntent`` (the IAM pass) or an ``allUsers`` grant of it.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from aispm_graph.transforms.gcp.builder import GcpBuilder
from aispm_graph.transforms.registry import service

AGENT = "dialogflow.googleapis.com/Agent"
WEBHOOK = "dialogflow.googleapis.com/Webhook"
DE = "//discoveryengine.googleapis.com/"
DF = "//dialogflow.googleapis.com/"
SERVICE_AGENT = "service-{number}@gcp-sa-dialogflow.iam.gserviceaccount.com"
_NUMBER = re.compile(r"/projects/(\d+)/")
# Header names that carry a credential (an API key or a bearer token).
_KEY_HEADERS = re.compile(r"(?i)^(authorization|x-api-key|api-key|x-goog-api-key|.*token.*)$")


@service("gcp", "dialogflow", reads=[AGENT, WEBHOOK], order=62)
def dialogflow(b: GcpBuilder) -> None:
    """After Cloud Run (40), Cloud Functions (41) and Agent Builder (60): webhook URIs are
    matched to the services, and agents link to the apps they answer from."""
    b.each((AGENT,), _agent)
    targets = estate_urls(b)
    b.each((WEBHOOK,), lambda bb, asset: _webhook(bb, asset, targets))


def _agent(b: GcpBuilder, asset: dict[str, Any]) -> None:
    data = asset["resource"]["data"]
    logging = (data.get("advancedSettings") or {}).get("loggingSettings") or {}
    engine = str((data.get("genAppBuilderSettings") or {}).get("engine") or "")
    node = b.add(
        asset,
        "DialogflowCXAgent",
        str(data.get("displayName") or asset["name"].rsplit("/", 1)[-1]),
        default_language=data.get("defaultLanguageCode"),
        security_settings=data.get("securitySettings") or None,
        gen_app_builder_engine=engine or None,
        interaction_logging=bool(logging.get("enableInteractionLogging")),
        stackdriver_logging=bool(
            logging.get("enableStackdriverLogging") or data.get("enableStackdriverLogging")
        ),
        exposure_note="reached by principals with dialogflow.sessions.detectIntent; the API "
        "reports no public integration",
    )
    if engine:
        app = DE + b.canon(engine).removeprefix(DE)
        b.edge(
            node,
            app,
            "GROUNDED_ON",
            mechanism="Dialogflow agent answers from the Agent Builder app's data stores",
            field="genAppBuilderSettings.engine",
        )


def estate_urls(b: GcpBuilder) -> dict[str, str]:
    """URL key (host, or host/function for cloudfunctions.net) -> Cloud Run / Function node.

    From each node's recorded URL, and the deterministic addresses Google gives every
    service (``SERVICE-PROJECT_NUMBER.REGION.run.app``) and function
    (``REGION-PROJECT.cloudfunctions.net/NAME``), so a webhook written with either matches.
    """
    numbers = {pid: num for num, pid in b.assets.project_of_number.items()}
    out: dict[str, str] = {}
    for kind in ("GCPCloudRunService", "GCPCloudFunction"):
        for node_id, data in b.graph.nodes(kind):
            url = data.get("url")
            if isinstance(url, str) and url:
                out[url_key(url)] = node_id
            region, tenant, name = data.get("region"), data.get("tenant"), data.get("name")
            if not (region and tenant and name):
                continue
            if kind == "GCPCloudRunService" and numbers.get(str(tenant)):
                out[f"{name}-{numbers[str(tenant)]}.{region}.run.app".lower()] = node_id
            if kind == "GCPCloudFunction":
                out[f"{region}-{tenant}.cloudfunctions.net/{name}".lower()] = node_id
    return out


def url_key(uri: str) -> str:
    parts = urlsplit(uri.strip())
    host = (parts.hostname or "").lower()
    if host.endswith(".cloudfunctions.net"):
        first = parts.path.strip("/").split("/", 1)[0]
        return f"{host}/{first.lower()}"
    return host


def clean_uri(uri: str) -> tuple[str, str]:
    """(URI without credentials, query or fragment, host): what may be stored and shown."""
    parts = urlsplit(uri.strip())
    host = (parts.hostname or "").lower()
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}", host


def auth_of(web: dict[str, Any]) -> tuple[str, list[str]]:
    """(how the webhook authenticates, header names) from a GenericWebService.

    ``serviceAgentAuth`` unset means ID_TOKEN (the API reference's default); an explicit
    NONE with no other credential is ``none``.
    """
    headers = sorted(str(h) for h in (web.get("requestHeaders") or {}))
    headers += sorted(
        str(h) for h in (web.get("secretVersionsForRequestHeaders") or {}) if h not in headers
    )
    if web.get("oauthConfig"):
        return "oauth", headers
    agent_auth = str(web.get("serviceAgentAuth") or "SERVICE_AGENT_AUTH_UNSPECIFIED")
    if agent_auth == "ACCESS_TOKEN":
        return "service-agent-access-token", headers
    if any(_KEY_HEADERS.match(h) for h in headers):
        return "api-key", headers
    if web.get("username") or web.get("secretVersionForUsernamePassword"):
        return "basic", headers
    if agent_auth == "NONE":
        return "none", headers
    return "service-agent-id-token", headers


def service_agent(b: GcpBuilder, asset: dict[str, Any], node: str) -> str:
    """The Dialogflow service agent's email of the webhook's project, '' when unknown."""
    m = _NUMBER.search(str(asset["resource"].get("parent") or "") + "/") or _NUMBER.search(
        asset["name"]
    )
    if m:
        return SERVICE_AGENT.format(number=m.group(1))
    tenant = b.graph.node(node).get("tenant")
    number = next((n for n, p in b.assets.project_of_number.items() if p == tenant), None)
    return SERVICE_AGENT.format(number=number) if number else ""


def _webhook(b: GcpBuilder, asset: dict[str, Any], targets: dict[str, str]) -> None:
    data = asset["resource"]["data"]
    sd = data.get("serviceDirectory") or {}
    web = data.get("genericWebService") or sd.get("genericWebService") or {}
    uri, host = clean_uri(str(web.get("uri") or "")) if web.get("uri") else ("", "")
    auth, headers = auth_of(web)
    target = targets.get(url_key(str(web.get("uri")))) if web.get("uri") else None
    node = b.add(
        asset,
        "DialogflowCXWebhook",
        str(data.get("displayName") or asset["name"].rsplit("/", 1)[-1]),
        tool_type="webhook",
        uri=uri or None,
        host=host or None,
        auth=auth,
        auth_header_names=headers or None,
        oauth_token_endpoint=(web.get("oauthConfig") or {}).get("tokenEndpoint"),
        service_directory=sd.get("service") or None,
        disabled=bool(data.get("disabled")),
        webhook_type=web.get("webhookType"),
        target_service=target,
        acting=True,
        # Outside the estate: neither a collected service nor a private Service Directory one.
        sends_out=not target and not sd.get("service"),
    )
    agent = DF + b.canon(str(asset["resource"].get("parent") or "")).removeprefix(DF)
    if agent == DF:
        agent = node.rsplit("/webhooks/", 1)[0]
    if agent == node:
        b.warn("field 'parent': names no agent; the webhook is kept unlinked")
        return
    if b.graph.has_node(agent):
        held = b.graph.node(agent).get("webhooks") or []
        b.graph.set_prop(agent, "webhooks", sorted({*held, node.rsplit("/", 1)[-1]}))
    if data.get("disabled"):
        b.edge(agent, node, "HAS_TOOL", mechanism="disabled Dialogflow CX webhook")
    else:
        b.edge(
            agent,
            node,
            "USES_TOOL",
            tool_type="webhook",
            approval="none",
            mechanism="Dialogflow CX webhook: fulfillment calls it with the session's "
            "parameters and the user's input",
            fix=f"Validate what webhook {b.graph.node(node)['name']} receives and limit what it "
            "may do, or remove it from the agent's fulfillments",
        )
    email = service_agent(b, asset, node)
    if email:
        b.graph.set_prop(node, "service_agent", email)
    if auth == "service-agent-access-token" and email:
        b.edge(
            node,
            b.sa_node(email),
            "RUNS_AS",
            mechanism="serviceAgentAuth ACCESS_TOKEN: every call carries an access token "
            "of the Dialogflow service agent",
            service_account=email,
            fix=f"Switch webhook {b.graph.node(node)['name']} to ID_TOKEN authentication, or "
            f"remove the roles granted to {email}",
        )
