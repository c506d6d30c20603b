"""Sub-resources Cloud Asset Inventory does not list, read per parent from the service's API.

Some facts an attack path needs live one level below what Cloud Asset Inventory lists: the
webhooks of a Dialogflow CX agent, the files (and so the sources) of a Vertex AI RAG corpus.
After the asset listings, each listed parent's children are read with the service's ``list``
method (paged) through the official ``google-api-python-client`` and its bundled discovery
document, on the parent's regional endpoint, and stored as asset-form records (the child's
``asset_type``, the parent as ``resource.parent``, the parent's ancestors), so the one GCP
transform reads them like any listed asset; :func:`aispm_graph.providers.gcp.assets.normalize`
scrubs secret values before anything is written.

A refused parent (403) or a missing one (404) is a coverage gap for that parent; the API
refused outright (not enabled, credentials rejected, endpoint unreachable) is one gap and the
step ends for that kind of child.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aispm_graph.providers.coverage import Coverage, Status
from aispm_graph.providers.gcp.assets import AssetRecordError, normalize
from aispm_graph.providers.gcp.result import (
    ApiRefused,
    CollectResult,
    classify_failure,
)
from aispm_graph.workspace import Document

MAX_CHILDREN = 10_000  # per parent; more is reported as a partial listing


@dataclass(frozen=True)
class ChildListing:
    """One kind of sub-resource: where its parents come from and how it is listed."""

    parent_type: str  # Cloud Asset type of the parents
    child_type: str  # asset_type given to the stored records
    coverage_scope: str  # content column of its coverage rows
    key: str  # document key in the snapshot
    api: str  # discovery name and version of the API
    version: str
    host: str  # regional host, ``{location}`` filled in; ``global`` uses ``global_host``
    global_host: str
    items: str  # field of the list answer holding the children
    permission: str  # named in a 403 gap
    page_size: int
    name_pattern: re.Pattern[str]  # a parent's API name; group 1 is its location
    lister: Callable[[Any], Any]  # client -> the resource collection with .list(parent=...)

    def endpoint(self, location: str) -> str:
        if location == "global":
            return self.global_host
        return self.host.format(location=location)


def listed_parents(result: CollectResult, parent_type: str) -> list[dict[str, Any]]:
    """The parent records the asset listings returned, by name.

    By each record's own type: a listing asked for a family (``aiplatform.googleapis.com.*``)
    holds many types in one document.
    """
    found: dict[str, dict[str, Any]] = {}
    for doc in result.documents:
        body = doc.body if isinstance(doc.body, dict) else {}
        for rec in body.get("assets", []):
            if rec.get("asset_type") == parent_type and "resource" in rec:
                found.setdefault(str(rec["name"]), rec)
    return [found[k] for k in sorted(found)]


def make_client(spec: ChildListing, endpoint: str, creds: Any) -> Any:
    from google.api_core.client_options import ClientOptions
    from googleapiclient.discovery import build

    return build(
        spec.api,
        spec.version,
        credentials=creds,
        static_discovery=True,
        cache_discovery=False,
        client_options=ClientOptions(api_endpoint=endpoint),
    )


def classify(exc: Exception, spec: ChildListing, parent: str) -> tuple[Status, str]:
    """(status, detail) of a per-parent failure; raises ApiRefused for whole-API ones."""
    return classify_failure(
        exc,
        f"{spec.api}.googleapis.com",
        f"needs {spec.permission} on {parent}",
        "deleted since it was listed",
    )


def read_children(
    spec: ChildListing, client: Any, parent: str, cov: Coverage, retries: int, cap: int
) -> list[dict[str, Any]]:
    """Every child of one parent (``parent`` is its API name), paged."""
    out: list[dict[str, Any]] = []
    token: str | None = None
    collection = spec.lister(client)
    while True:
        page = collection.list(parent=parent, pageSize=spec.page_size, pageToken=token).execute(
            num_retries=retries
        )
        cov.pages += 1
        for item in page.get(spec.items) or []:
            if isinstance(item, dict):
                out.append(item)
            if len(out) >= cap:
                cov.status = Status.PARTIAL
                cov.detail = f"stopped after {cap} items"
                return out
        token = page.get("nextPageToken") or None
        if not token:
            return out


def child_record(
    spec: ChildListing, item: dict[str, Any], parent: dict[str, Any]
) -> dict[str, Any]:
    name = str(item.get("name") or "")
    if not name.startswith("projects/"):
        raise AssetRecordError("field 'name': missing or not 'projects/...'")
    service = spec.child_type.split("/", 1)[0]
    rec: dict[str, Any] = {
        "name": f"//{service}/{name}",
        "asset_type": spec.child_type,
        "resource": {"data": item, "parent": parent["name"], "location": ""},
    }
    if parent.get("ancestors"):
        rec["ancestors"] = list(parent["ancestors"])
    return normalize(rec)


def collect_children(
    spec: ChildListing,
    result: CollectResult,
    creds: Any,
    api_endpoint: str | None = None,
    *,
    retries: int = 3,
    cap: int = MAX_CHILDREN,
    progress: Callable[[str], None] | None = None,
) -> None:
    """Add one document and one coverage row per parent to ``result``.

    ``api_endpoint`` replaces every regional endpoint (a replay server in tests, a private
    endpoint in production).
    """
    parents = listed_parents(result, spec.parent_type)
    if not parents:
        return
    service = spec.parent_type.split("/", 1)[0]
    clients: dict[str, Any] = {}
    records: list[dict[str, Any]] = []
    for parent in parents:
        api_name = str(parent["name"]).removeprefix(f"//{service}/")
        cov = Coverage(api_name, spec.coverage_scope)
        m = spec.name_pattern.match(api_name)
        if m is None:
            cov.status, cov.detail = Status.FAILED, f"not a {spec.parent_type} name"
            result.coverage.append(cov)
            continue
        endpoint = api_endpoint or spec.endpoint(m.group(1))
        if progress:
            progress(f"{spec.items} of {api_name}")
        items: list[dict[str, Any]] = []
        try:
            client = clients.get(endpoint)
            if client is None:
                client = clients[endpoint] = make_client(spec, endpoint, creds)
            items = read_children(spec, client, api_name, cov, retries, cap)
        except Exception as exc:
            try:
                cov.status, cov.detail = classify(exc, spec, api_name)
            except ApiRefused as refused:
                gap = Coverage(f"{spec.api}.googleapis.com", spec.coverage_scope)
                gap.status, gap.detail = Status.FAILED, str(refused)
                if "rejected" in str(refused) or "not usable" in str(refused):
                    gap.status = Status.DENIED
                result.coverage.append(gap)
                result.warnings.append(
                    f"{spec.items} not read ({len(parents)} {spec.parent_type}): {refused}"
                )
                break
        for item in items:
            try:
                records.append(child_record(spec, item, parent))
            except AssetRecordError as exc:
                result.warnings.append(f"{spec.child_type} of {api_name}: {exc}")
        cov.count = len(items)
        result.coverage.append(cov)
    if records:
        result.documents.append(
            Document(
                "gcp",
                result.scope,
                spec.key,
                {"asset_type": spec.child_type, "content_type": "RESOURCE", "assets": records},
            )
        )
