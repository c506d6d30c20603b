"""Collect an Azure subscription's AI, network, identity and RBAC resources from ARM.

The real management clients do the HTTP work (auth, ``nextLink`` paging, 429/503 retries that
honour ``Retry-After``); a per-call ``raw_response_hook`` keeps the JSON exactly as ARM sent
it, so the workspace holds raw responses and the transform reads the same shape that an Azure
Resource Graph export has. Where no current management package covers an API (Azure Machine
Learning, AI Search, Key Vault) the generic resource client reads it with an explicit
api-version. A 403 or 404 on one resource type is a coverage gap: recorded, reported, and the
run goes on. Nothing that returns a secret (``listKeys``, ``listSecrets``) is ever called, and
secret-looking fields are scrubbed from every body before it is stored.
"""

from __future__ import annotations

import base64
import contextlib
import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from aispm_graph.knowledge.azure.arm import norm, resource_type
from aispm_graph.providers.azure.foundry import AGENTS_TYPE, FoundryAgentsCollector
from aispm_graph.providers.azure.redact import (  # re-exported: callers import them from here
    KEPT_FROM_SECRETS,
    SECRET_FIELDS,
    first_line,
    scrub,
)

__all__ = ["KEPT_FROM_SECRETS", "SECRET_FIELDS", "first_line", "scrub"]
from aispm_graph.providers.coverage import Coverage, Status, merge_rows
from aispm_graph.providers.endpoints import EndpointError, check_endpoint
from aispm_graph.workspace import Document

DEFAULT_ARM = "https://management.azure.com"
DEFAULT_GRAPH = "https://graph.microsoft.com"
ENV_TOKEN = "AISPM_AZURE_TOKEN"  # noqa: S105 - the variable name, not a token
ENV_GRAPH_TOKEN = "AISPM_AZURE_GRAPH_TOKEN"  # noqa: S105 - the variable name, not a token

# Current stable api-versions for the resource providers read through the generic client.
ML_API = "2024-10-01"
SEARCH_API = "2023-11-01"
KEYVAULT_API = "2023-07-01"
MI_API = "2023-01-31"
WEB_API = "2023-12-01"
AUTOMATION_API = "2023-11-01"
LOGIC_API = "2019-05-01"
SUBSCRIPTIONS_API = "2022-12-01"
DATABRICKS_API = "2024-05-01"
DIAGNOSTICS_API = "2021-05-01-preview"
# Defender for Cloud plans of a subscription (the "AI" plan is threat protection for AI).
SECURITY_PRICINGS_API = "2024-01-01"
# AI resources whose diagnostic settings are read (the AI posture checks ask whether their
# logs go anywhere); lower-cased ARM types.
DIAGNOSED_TYPES = (
    "microsoft.cognitiveservices/accounts",
    "microsoft.machinelearningservices/workspaces",
    "microsoft.databricks/workspaces",
)

GENERIC_TYPES = {
    "microsoft.machinelearningservices/workspaces": ML_API,
    "microsoft.search/searchservices": SEARCH_API,
    "microsoft.keyvault/vaults": KEYVAULT_API,
    "microsoft.managedidentity/userassignedidentities": MI_API,
    "microsoft.machinelearningservices/registries": ML_API,
    # Code that runs with a managed identity (escalation through its code or settings).
    "microsoft.web/sites": WEB_API,
    "microsoft.automation/automationaccounts": AUTOMATION_API,
    "microsoft.logic/workflows": LOGIC_API,
    "microsoft.databricks/workspaces": DATABRICKS_API,
}
# Workspace children: endpoints, connections, and (AI-BOM) compute and datastores.
ML_CHILDREN = ("onlineEndpoints", "serverlessEndpoints", "connections", "computes", "datastores")
COGNITIVE_API = "2024-10-01"
# Foundry project connections (the identities and targets of agent tools) are newer than that.
FOUNDRY_CONNECTIONS_API = "2025-06-01"


class AzureCollectError(RuntimeError):
    """The collection cannot run at all (no credential, endpoint unreachable)."""


@dataclass
class CollectResult:
    subscription_id: str
    documents: list[Document] = field(default_factory=list)
    coverage: list[Coverage] = field(default_factory=list)

    def coverage_json(self) -> list[dict[str, Any]]:
        return [c.as_dict() for c in self.coverage]


class StaticTokenCredential:
    """A TokenCredential over a bearer token from the environment (``az account
    get-access-token``), for CI and sovereign clouds; expiry read from the JWT when it parses."""

    def __init__(self, token: str) -> None:
        self._token = token.strip()
        self._expires = _jwt_expiry(self._token) or int(time.time()) + 3600

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        from azure.core.credentials import AccessToken

        return AccessToken(self._token, self._expires)


def _jwt_expiry(token: str) -> int | None:
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
        return int(payload["exp"])
    except (ValueError, KeyError, TypeError):
        return None


def credential_from_env(env: dict[str, str]) -> Any:
    """``AISPM_AZURE_TOKEN`` if set, else azure-identity's DefaultAzureCredential chain."""
    token = env.get(ENV_TOKEN, "").strip()
    if token:
        return StaticTokenCredential(token)
    try:
        from azure.identity import DefaultAzureCredential
    except ImportError as exc:  # pragma: no cover - the azure extra is missing
        raise AzureCollectError(
            "azure-identity is not installed: pip install 'aispm-graph[azure]'"
        ) from exc
    return DefaultAzureCredential()


def graph_credential_from_env(env: dict[str, str]) -> Any:
    """``AISPM_AZURE_GRAPH_TOKEN`` (a Microsoft Graph bearer token) if set, else None: the
    collector then asks its ARM credential for a Graph token."""
    token = env.get(ENV_GRAPH_TOKEN, "").strip()
    return StaticTokenCredential(token) if token else None


class _Pages:
    """A raw_response_hook that keeps every successful page body of one list call."""

    def __init__(self, options: dict[str, Any] | None = None) -> None:
        self.bodies: list[Any] = []
        # Keyword arguments for the SDK operation: this hook, plus per-request pipeline options.
        self.kw: dict[str, Any] = {"raw_response_hook": self, **(options or {})}

    def __call__(self, pipeline_response: Any) -> None:
        http = pipeline_response.http_response
        if http.status_code == 200:
            # A page that is not JSON: the SDK raises its own deserialisation error for it.
            with contextlib.suppress(ValueError):
                self.bodies.append(json.loads(http.text()))

    def items(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for body in self.bodies:
            if isinstance(body, dict) and isinstance(body.get("value"), list):
                out.extend(v for v in body["value"] if isinstance(v, dict))
            elif isinstance(body, dict) and "id" in body:
                out.append(body)
        return out


class AzureCollector:
    """Collects one or more subscriptions through the Azure SDK management clients."""

    def __init__(
        self,
        credential: Any,
        arm_endpoint: str = DEFAULT_ARM,
        retry_total: int = 5,
        progress: Callable[[str], None] | None = None,
        graph_endpoint: str = DEFAULT_GRAPH,
        graph_credential: Any = None,
        foundry_endpoint: str | None = None,
    ) -> None:
        insecure = _check_endpoint("--arm-endpoint", arm_endpoint)
        self.graph_insecure = _check_endpoint("--graph-endpoint", graph_endpoint)
        self.graph_endpoint = graph_endpoint.rstrip("/")
        # A static ARM token is not valid for Graph; AISPM_AZURE_GRAPH_TOKEN may supply one.
        self.graph_credential = graph_credential or credential
        self.retry_total = retry_total
        self.endpoint = arm_endpoint.rstrip("/")
        self.credential = credential
        self.progress = progress or (lambda _m: None)
        # The Foundry Agent Service data plane (providers/azure/foundry.py): each project's
        # own host unless overridden; with an overridden ARM endpoint (a sovereign cloud, a
        # sovereign cloud) the public hosts are not assumed, so the override is then required.
        # A loopback ARM replay serves the data plane too, so a replayed estate is complete.
        self.foundry_endpoint = foundry_endpoint or (self.endpoint if insecure else None)
        if self.foundry_endpoint:
            _check_endpoint("--foundry-endpoint", self.foundry_endpoint)
        audience = DEFAULT_ARM if insecure else self.endpoint
        self._kwargs: dict[str, Any] = {
            "base_url": self.endpoint,
            "credential_scopes": [f"{audience}/.default"],
            "retry_total": retry_total,
            "retry_backoff_factor": 0.5,
            "retry_backoff_max": 30,
        }
        # Per-request pipeline option: bearer tokens over http only to the loopback replay.
        self._op: dict[str, Any] = {"enforce_https": False} if insecure else {}

    # -- clients ------------------------------------------------------------------------------
    def _clients(self, sub: str) -> dict[str, Any]:
        from azure.mgmt.authorization import AuthorizationManagementClient
        from azure.mgmt.cognitiveservices import CognitiveServicesManagementClient
        from azure.mgmt.compute import ComputeManagementClient
        from azure.mgmt.network import NetworkManagementClient
        from azure.mgmt.resource.resources import ResourceManagementClient
        from azure.mgmt.storage import StorageManagementClient

        kw = self._kwargs
        return {
            "resource": ResourceManagementClient(self.credential, sub, **kw),
            "network": NetworkManagementClient(self.credential, sub, **kw),
            "compute": ComputeManagementClient(self.credential, sub, **kw),
            "cognitive": CognitiveServicesManagementClient(self.credential, sub, **kw),
            "storage": StorageManagementClient(self.credential, sub, **kw),
            "authorization": AuthorizationManagementClient(self.credential, sub, **kw),
        }

    # -- one step -----------------------------------------------------------------------------
    def _step(
        self,
        result: CollectResult,
        rtype: str,
        call: Callable[[_Pages], Iterable[Any] | Any],
        *,
        record: bool = True,
    ) -> list[dict[str, Any]]:
        """Run one SDK call with a page-capturing hook; failures become coverage gaps."""
        from azure.core.exceptions import (
            ClientAuthenticationError,
            HttpResponseError,
            ServiceRequestError,
        )

        pages = _Pages(self._op)
        try:
            out = call(pages)
            if out is not None and not isinstance(out, dict | str | bytes):
                for _ in out:  # drive the SDK pager through every nextLink
                    pass
        except ClientAuthenticationError as exc:
            raise AzureCollectError(f"Azure authentication failed: {first_line(exc)}") from None
        except ServiceRequestError as exc:
            raise AzureCollectError(
                f"cannot reach ARM at {self.endpoint}: {first_line(exc)}"
            ) from None
        except HttpResponseError as exc:
            status = exc.status_code or 0
            if status == 401:
                raise AzureCollectError(
                    f"Azure rejected the credential (401) on {rtype}: {first_line(exc)}"
                ) from None
            kind = {403: Status.DENIED, 404: Status.NOT_FOUND}.get(status, Status.FAILED)
            result.coverage.append(
                Coverage(rtype, status=kind, count=0, errors=[f"HTTP {status}: {first_line(exc)}"])
            )
            return []
        except Exception as exc:  # deserialisation of a malformed page, etc.
            result.coverage.append(
                Coverage(
                    rtype, status=Status.FAILED, count=0, errors=[f"{type(exc).__name__}: {exc}"]
                )
            )
            return []
        items = pages.items()
        if record:
            result.coverage.append(Coverage(rtype, status=Status.OK, count=len(items)))
        return items

    def _add(self, result: CollectResult, items: Iterable[dict[str, Any]]) -> None:
        for item in items:
            rid = item.get("id")
            if not isinstance(rid, str) or not rid:
                continue
            result.documents.append(
                Document("azure", result.subscription_id, norm(rid), scrub(item))
            )

    def _raw(self, client: Any, url: str) -> Callable[[_Pages], None]:
        return lambda pages: self._raw_list(client, url, pages)

    def _raw_list(self, client: Any, url: str, pages: _Pages, method: str = "GET") -> None:
        """GET (or POST, for ``getEntities``) a collection through the client's pipeline,
        following ``nextLink`` (or the management-groups API's ``@nextLink``) by hand."""
        from azure.core.exceptions import HttpResponseError
        from azure.core.rest import HttpRequest

        next_url: str | None = url
        seen: set[str] = set()
        while next_url and next_url not in seen:
            seen.add(next_url)
            response = client.send_request(HttpRequest(method, next_url), **self._op)
            if response.status_code != 200:
                raise HttpResponseError(response=response)
            body = response.json()
            pages.bodies.append(body)
            link = None
            if isinstance(body, dict):
                link = body.get("nextLink") or body.get("@nextLink")
            next_url = link if isinstance(link, str) and link.startswith("http") else None

    # -- the estate -----------------------------------------------------------------------------
    def list_subscriptions(self) -> list[dict[str, Any]]:
        """Every subscription the credential can see (``GET /subscriptions``, all pages)."""
        from azure.core.exceptions import (
            ClientAuthenticationError,
            HttpResponseError,
            ServiceRequestError,
        )
        from azure.mgmt.resource.resources import ResourceManagementClient

        # The client needs a subscription id to exist; the tenant-level list does not use it.
        client = ResourceManagementClient(self.credential, "0" * 8, **self._kwargs)
        pages = _Pages(self._op)
        url = f"{self.endpoint}/subscriptions?api-version={SUBSCRIPTIONS_API}"
        try:
            self._raw_list(client, url, pages)
        except ClientAuthenticationError as exc:
            raise AzureCollectError(f"Azure authentication failed: {first_line(exc)}") from None
        except ServiceRequestError as exc:
            raise AzureCollectError(
                f"cannot reach ARM at {self.endpoint}: {first_line(exc)}"
            ) from None
        except HttpResponseError as exc:
            raise AzureCollectError(
                f"cannot list subscriptions (HTTP {exc.status_code}): {first_line(exc)}"
            ) from None
        return [
            s
            for s in pages.items()
            if isinstance(s.get("subscriptionId"), str)
            and str(s.get("state", "Enabled")).lower() in {"enabled", "pastdue", "warned"}
        ]

    def collect_many(
        self, subscriptions: list[str], max_workers: int = 4
    ) -> list[tuple[str, CollectResult | None, str]]:
        """Every subscription's outcome, in the order asked (see :meth:`iter_many`)."""
        order = {s: i for i, s in enumerate(subscriptions)}
        return sorted(self.iter_many(subscriptions, max_workers), key=lambda o: order[o[0]])

    def iter_many(
        self, subscriptions: list[str], max_workers: int = 4
    ) -> Iterator[tuple[str, CollectResult | None, str]]:
        """Collect subscriptions in a bounded pool, yielding (id, result or None, why it
        failed) as each finishes, so the caller can store it at once.

        A subscription that yielded nothing because reads were refused (403) is reported as
        denied rather than stored as an empty subscription, which would erase what an earlier
        run saw there.
        """
        from aispm_graph.providers.pool import run_pool

        def one(sub: str) -> tuple[str, CollectResult | None, str]:
            try:
                result = self.collect(sub)
            except AzureCollectError as exc:
                return sub, None, str(exc)
            denied = [c for c in result.coverage if c.status == "denied"]
            if denied and not result.documents:
                return sub, None, f"denied: {denied[0].detail}"
            return sub, result, ""

        return run_pool(subscriptions, one, max_workers)

    # -- the run ------------------------------------------------------------------------------
    def collect(self, subscription_id: str) -> CollectResult:
        sub = subscription_id.strip().lower()
        result = CollectResult(sub)
        c = self._clients(sub)
        net, comp, cog, sto = c["network"], c["compute"], c["cognitive"], c["storage"]
        auth, res = c["authorization"], c["resource"]
        step, add = self._step, self._add
        # The subscription record says which tenant owns it: the tenant whose principals are
        # "ours" when guests and other tenants' applications are told apart.
        add(
            result,
            step(
                result,
                "subscriptions",
                self._raw(
                    res, f"{self.endpoint}/subscriptions/{sub}?api-version={SUBSCRIPTIONS_API}"
                ),
            ),
        )
        # Defender for Cloud plans: whether AI threat protection is on (a 403 is a gap).
        add(
            result,
            step(
                result,
                "Microsoft.Security/pricings",
                self._raw(
                    res,
                    f"{self.endpoint}/subscriptions/{sub}/providers/Microsoft.Security/pricings"
                    f"?api-version={SECURITY_PRICINGS_API}",
                ),
            ),
        )
        self.progress(f"subscription {sub}: resource groups")
        add(result, step(result, "resourceGroups", lambda h: res.resource_groups.list(**h.kw)))
        simple: list[tuple[str, Callable[[_Pages], Any]]] = [
            (
                "Microsoft.Network/networkSecurityGroups",
                lambda h: net.network_security_groups.list_all(**h.kw),
            ),
            (
                "Microsoft.Network/networkInterfaces",
                lambda h: net.network_interfaces.list_all(**h.kw),
            ),
            (
                "Microsoft.Network/publicIPAddresses",
                lambda h: net.public_ip_addresses.list_all(**h.kw),
            ),
            ("Microsoft.Network/virtualNetworks", lambda h: net.virtual_networks.list_all(**h.kw)),
            ("Microsoft.Network/loadBalancers", lambda h: net.load_balancers.list_all(**h.kw)),
            (
                "Microsoft.Network/privateEndpoints",
                lambda h: net.private_endpoints.list_by_subscription(**h.kw),
            ),
            ("Microsoft.Compute/virtualMachines", lambda h: comp.virtual_machines.list_all(**h.kw)),
            (
                "Microsoft.Compute/virtualMachineScaleSets",
                lambda h: comp.virtual_machine_scale_sets.list_all(**h.kw),
            ),
            ("Microsoft.Storage/storageAccounts", lambda h: sto.storage_accounts.list(**h.kw)),
            ("Microsoft.CognitiveServices/accounts", lambda h: cog.accounts.list(**h.kw)),
            (
                "Microsoft.Authorization/roleAssignments",
                lambda h: auth.role_assignments.list_for_subscription(**h.kw),
            ),
            (
                "Microsoft.Authorization/roleDefinitions",
                lambda h: auth.role_definitions.list(f"/subscriptions/{sub}", **h.kw),
            ),
        ]
        lists: dict[str, list[dict[str, Any]]] = {}
        for rtype, call in simple:
            self.progress(f"subscription {sub}: {rtype}")
            lists[rtype] = step(result, rtype, call)
            add(result, lists[rtype])

        # Children of Cognitive Services accounts: deployments and Foundry projects.
        projects: list[dict[str, Any]] = []
        for rtype, attr in (
            ("Microsoft.CognitiveServices/accounts/deployments", "deployments"),
            ("Microsoft.CognitiveServices/accounts/projects", "projects"),
        ):
            items: list[dict[str, Any]] = []
            gap = False
            for acct in lists["Microsoft.CognitiveServices/accounts"]:
                rg, name = _rg_name(acct)
                if not rg:
                    continue
                if attr == "projects" and str(acct.get("kind", "")).lower() != "aiservices":
                    continue
                ops = getattr(cog, attr)
                before = len(result.coverage)
                got = step(
                    result,
                    rtype,
                    bind_call(ops.list, rg, name),
                    record=False,
                )
                gap = gap or len(result.coverage) > before
                items.extend(got)
            if not gap:
                result.coverage.append(Coverage(rtype, status=Status.OK, count=len(items)))
            add(result, items)
            if attr == "projects":
                projects = items
        self._foundry(result, res, projects, lists["Microsoft.CognitiveServices/accounts"])

        # Content filters (RAI policies) of OpenAI / AI Services accounts: the SDK has no
        # operation group for them, so the collection URL is read through its pipeline.
        rai = "Microsoft.CognitiveServices/accounts/raiPolicies"
        rai_items: list[dict[str, Any]] = []
        before = len(result.coverage)
        for acct in lists["Microsoft.CognitiveServices/accounts"]:
            if str(acct.get("kind", "")).lower() not in ("openai", "aiservices"):
                continue
            url = f"{acct['id']}/raiPolicies?api-version={COGNITIVE_API}"
            rai_items.extend(self._step(result, rai, self._raw(res, url), record=False))
        if len(result.coverage) == before:
            result.coverage.append(Coverage(rai, status=Status.OK, count=len(rai_items)))
        add(result, rai_items)

        # Blob containers (for anonymous access level).
        containers: list[dict[str, Any]] = []
        gap = False
        for acct in lists["Microsoft.Storage/storageAccounts"]:
            rg, name = _rg_name(acct)
            if not rg:
                continue
            before = len(result.coverage)
            containers.extend(
                step(
                    result,
                    "Microsoft.Storage/storageAccounts/blobServices/containers",
                    bind_call(sto.blob_containers.list, rg, name),
                    record=False,
                )
            )
            gap = gap or len(result.coverage) > before
        if not gap:
            result.coverage.append(
                Coverage(
                    "Microsoft.Storage/storageAccounts/blobServices/containers",
                    status=Status.OK,
                    count=len(containers),
                )
            )
        add(result, containers)

        # Resource types without a current management package: generic client + api-version.
        self.progress(f"subscription {sub}: generic resources")
        generic = step(
            result,
            "Microsoft.Resources/resources",
            lambda h: res.resources.list(**h.kw),
            record=False,
        )
        by_type: dict[str, list[str]] = {t: [] for t in GENERIC_TYPES}
        for item in generic:
            rid = item.get("id")
            if isinstance(rid, str) and resource_type(rid) in by_type:
                by_type[resource_type(rid)].append(rid)
        for rtype, api in GENERIC_TYPES.items():
            fetched: list[dict[str, Any]] = []
            before = len(result.coverage)
            for rid in by_type[rtype]:
                fetched.extend(
                    step(
                        result,
                        _pretty(rtype),
                        bind_call(res.resources.get_by_id, rid, api_version=api),
                        record=False,
                    )
                )
            if len(result.coverage) == before:
                result.coverage.append(
                    Coverage(_pretty(rtype), status=Status.OK, count=len(fetched))
                )
            add(result, fetched)
            if rtype == "microsoft.machinelearningservices/workspaces":
                self._ml_children(result, res, fetched)
        self._diagnostics(result, res)
        result.coverage = merge_coverage(result.coverage)
        return result

    def _foundry(
        self,
        result: CollectResult,
        res: Any,
        projects: list[dict[str, Any]],
        accounts: list[dict[str, Any]],
    ) -> None:
        """Foundry projects' connections (ARM) and agents (each project's data plane)."""
        if not projects:
            return
        rtype = "Microsoft.CognitiveServices/accounts/projects/connections"
        found: list[dict[str, Any]] = []
        before = len(result.coverage)
        for project in projects:
            url = f"{project['id']}/connections?api-version={FOUNDRY_CONNECTIONS_API}"
            found.extend(self._step(result, rtype, self._raw(res, url), record=False))
        if len(result.coverage) == before:
            result.coverage.append(Coverage(rtype, status=Status.OK, count=len(found)))
        self._add(result, found)
        if self.endpoint != DEFAULT_ARM and not self.foundry_endpoint:
            result.coverage.append(
                Coverage(
                    AGENTS_TYPE,
                    status=Status.FAILED,
                    errors=[
                        "not read: the ARM endpoint is overridden, so the projects' public "
                        "data-plane hosts are not assumed; pass --foundry-endpoint"
                    ],
                )
            )
            return
        reader = FoundryAgentsCollector(
            self.credential, self.foundry_endpoint, self.retry_total, self.progress
        )
        docs, row = reader.collect(result.subscription_id, projects, accounts)
        result.documents.extend(docs)
        result.coverage.append(row)

    def _diagnostics(self, result: CollectResult, res: Any) -> None:
        """Diagnostic settings of the AI resources collected so far (one call each)."""
        owners = [d.key for d in result.documents if resource_type(d.key) in DIAGNOSED_TYPES]
        rtype = "Microsoft.Insights/diagnosticSettings"
        before = len(result.coverage)
        count = 0
        for rid in owners:
            path = f"{rid}/providers/microsoft.insights/diagnosticsettings"
            failures = len(result.coverage)
            url = f"{path}?api-version={DIAGNOSTICS_API}"
            items = self._step(result, rtype, self._raw(res, url), record=False)
            if len(result.coverage) != failures:
                continue  # denied or failed: unknown, so no listing is stored
            count += len(items)
            # The listing itself is stored, empty or not: "no setting" is a fact the checks
            # need, distinct from "not read".
            self._add(result, [{"id": path, "owner": rid, "value": items}])
        if owners and len(result.coverage) == before:
            result.coverage.append(Coverage(rtype, status=Status.OK, count=count))

    def _ml_children(
        self, result: CollectResult, res: Any, workspaces: list[dict[str, Any]]
    ) -> None:
        for child in ML_CHILDREN:
            rtype = f"Microsoft.MachineLearningServices/workspaces/{child}"
            items: list[dict[str, Any]] = []
            before = len(result.coverage)
            for ws in workspaces:
                url = f"{ws['id']}/{child}?api-version={ML_API}"
                items.extend(self._step(result, rtype, self._raw(res, url), record=False))
            if child == "onlineEndpoints":
                deps: list[dict[str, Any]] = []
                for ep in items:
                    url = f"{ep['id']}/deployments?api-version={ML_API}"
                    deps.extend(
                        self._step(
                            result,
                            f"{rtype}/deployments",
                            self._raw(res, url),
                            record=False,
                        )
                    )
                self._add(result, deps)
            if len(result.coverage) == before:
                result.coverage.append(Coverage(rtype, status=Status.OK, count=len(items)))
            self._add(result, items)


def bind_call(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Callable[[_Pages], Any]:
    """An SDK call with its arguments fixed, waiting for the page-capturing hook."""
    return lambda pages: fn(*args, **kwargs, **pages.kw)


def merge_coverage(entries: list[Coverage]) -> list[Coverage]:
    """One row per resource type: per-parent calls (deployments of each account) fold into one;
    some answered and some refused is ``partial`` (see :mod:`aispm_graph.providers.coverage`)."""
    return merge_rows(entries)


def _rg_name(item: dict[str, Any]) -> tuple[str, str]:
    segs = str(item.get("id", "")).split("/")
    try:
        i = [s.lower() for s in segs].index("resourcegroups")
    except ValueError:
        return "", ""
    return segs[i + 1], segs[-1]


def _pretty(rtype: str) -> str:
    """Display casing of a lower-cased ARM type (as the portal and the CLI spell it)."""
    names = {
        "microsoft.machinelearningservices/workspaces": (
            "Microsoft.MachineLearningServices/workspaces"
        ),
        "microsoft.search/searchservices": "Microsoft.Search/searchServices",
        "microsoft.keyvault/vaults": "Microsoft.KeyVault/vaults",
        "microsoft.managedidentity/userassignedidentities": (
            "Microsoft.ManagedIdentity/userAssignedIdentities"
        ),
        "microsoft.machinelearningservices/registries": (
            "Microsoft.MachineLearningServices/registries"
        ),
        "microsoft.web/sites": "Microsoft.Web/sites",
        "microsoft.automation/automationaccounts": "Microsoft.Automation/automationAccounts",
        "microsoft.logic/workflows": "Microsoft.Logic/workflows",
        "microsoft.databricks/workspaces": "Microsoft.Databricks/workspaces",
    }
    return names.get(rtype, rtype)


def _check_endpoint(option: str, url: str) -> bool:
    """Whether ``url`` is plain http (allowed to loopback only); raises for anything else."""
    try:
        return check_endpoint(option, url)
    except EndpointError as exc:
        raise AzureCollectError(str(exc)) from None


# Former private names, for code written before they became public (branches in flight).
_bind = bind_call
_first_line = first_line
