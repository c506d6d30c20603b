"""Collect a GCP scope through Cloud Asset Inventory (``AssetServiceClient.list_assets``).

One listing per (asset type, content type): a permission error on one asset type (CAI checks
per-type ``cloudasset.assets.list*`` permissions) becomes a coverage gap and the run goes on,
and the gaps are reported, never silently dropped. Organisation policies come two ways: the
``ORG_POLICY`` listing of the organization, folders and projects in scope (what each sets), and
the *effective* policy of each watched constraint on each collected project through the Org
Policy API (``OrgPolicyClient.get_effective_policy``), because a project- or folder-scoped
collection cannot list what its ancestors set, and an ancestor's
``storage.publicAccessPrevention`` closes a public bucket. Rate limiting (429) and unavailability
(503) are retried with backoff; authentication failures and an unreachable endpoint stop the
run with one clear message. Assets are stored as received (secret values scrubbed, see
:func:`aispm_graph.providers.gcp.assets.scrub`), one document per listing.

Credentials: ``GOOGLE_OAUTH_ACCESS_TOKEN`` (what ``gcloud auth print-access-token`` prints),
else Application Default Credentials. Never from a command-line option.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import Any

from aispm_graph.progress import NULL, Reporter
from aispm_graph.providers.coverage import Coverage, Status
from aispm_graph.providers.endpoints import EndpointError, check_endpoint
from aispm_graph.providers.gcp.assets import (
    ASSET_TYPES,
    CONTENT_TYPES,
    HIERARCHY_TYPES,
    WATCHED_CONSTRAINTS,
    AssetRecordError,
    normalize,
)
from aispm_graph.providers.gcp.groups import collect_groups
from aispm_graph.providers.gcp.result import (
    EFFECTIVE,
    CollectResult,
    api_message,
)
from aispm_graph.providers.gcp.subresources import collect_subresources
from aispm_graph.workspace import Document

SCOPE_RE = re.compile(r"^(projects|folders|organizations)/[A-Za-z0-9][A-Za-z0-9._:-]{0,62}$")
TOKEN_ENV = "GOOGLE_OAUTH_ACCESS_TOKEN"  # noqa: S105 - the variable name, not a token
CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform"
PAGE_SIZE = 1000
CRM = "//cloudresourcemanager.googleapis.com/"
PROJECT_TYPE = "cloudresourcemanager.googleapis.com/Project"


class CollectError(RuntimeError):
    """The collection cannot go on (bad scope, no credentials, endpoint unreachable)."""


def check_scope(scope: str) -> str:
    if not SCOPE_RE.match(scope):
        raise CollectError(
            f"--scope {scope!r}: expected projects/PROJECT_ID, folders/FOLDER_NUMBER or "
            "organizations/ORG_NUMBER"
        )
    return scope


def credentials() -> Any:
    """An access token from the environment, else Application Default Credentials."""
    token = os.environ.get(TOKEN_ENV, "").strip()
    if token:
        from google.oauth2.credentials import Credentials

        return Credentials(token)  # type: ignore[no-untyped-call]
    import google.auth
    from google.auth.exceptions import DefaultCredentialsError

    try:
        creds, _project = google.auth.default(scopes=[CLOUD_PLATFORM])
    except DefaultCredentialsError:
        raise CollectError(
            f"no GCP credentials: set {TOKEN_ENV} (gcloud auth print-access-token) or "
            "configure Application Default Credentials (gcloud auth application-default login)"
        ) from None
    return creds


def make_orgpolicy_client(api_endpoint: str | None, creds: Any) -> Any:
    """The real OrgPolicyClient (v2) over REST; an ``http://`` endpoint is kept as http."""
    from google.api_core.client_options import ClientOptions
    from google.cloud import orgpolicy_v2

    options = ClientOptions(api_endpoint=api_endpoint) if api_endpoint else None
    return orgpolicy_v2.OrgPolicyClient(credentials=creds, transport="rest", client_options=options)


def make_client(api_endpoint: str | None, creds: Any) -> Any:
    """The real AssetServiceClient over REST; an ``http://`` endpoint is kept as http."""
    from google.api_core.client_options import ClientOptions
    from google.cloud import asset_v1

    options = ClientOptions(api_endpoint=api_endpoint) if api_endpoint else None
    return asset_v1.AssetServiceClient(credentials=creds, transport="rest", client_options=options)


def _retry(initial: float, timeout: float) -> Any:
    from google.api_core import exceptions as gexc
    from google.api_core import retry as retries

    return retries.Retry(
        predicate=retries.if_exception_type(
            gexc.TooManyRequests,
            gexc.ResourceExhausted,
            gexc.ServiceUnavailable,
            gexc.DeadlineExceeded,
        ),
        initial=initial,
        maximum=30.0,
        multiplier=2.0,
        timeout=timeout,
    )


def collect(
    scope: str,
    *,
    api_endpoint: str | None = None,
    asset_types: tuple[str, ...] = ASSET_TYPES,
    content_types: tuple[str, ...] = CONTENT_TYPES,
    creds: Any = None,
    retry_initial: float = 1.0,
    retry_timeout: float = 120.0,
    progress: Callable[[str], None] | None = None,
    org_policies: bool = True,
    effective: bool = True,
    orgpolicy_endpoint: str | None = None,
    groups: bool = True,
    cloudidentity_endpoint: str | None = None,
    reporter: Reporter | None = None,
    dialogflow: bool = True,
    dialogflow_endpoint: str | None = None,
) -> CollectResult:
    """List every (asset type, content type) of the scope; gaps are recorded, not fatal.

    With ``org_policies``, the organization / folder / project types among ``asset_types``
    are also listed with the ``ORG_POLICY`` content type; with ``effective`` too, the
    effective policies of the watched constraints are read for every project found
    (``orgpolicy_endpoint``). With ``groups``, the transitive members of every group bound in
    a collected IAM policy are read from the Cloud Identity Groups API
    (``cloudidentity_endpoint``). With ``dialogflow``, the webhooks of every Dialogflow CX
    agent listed are read from the Dialogflow API, and the files of every RAG corpus listed
    from the Vertex AI API (``dialogflow_endpoint`` replaces their regional hosts).
    ``reporter`` gets a bar for the listings and one for the projects.
    """
    from google.api_core import exceptions as gexc
    from google.auth import exceptions as auth_exc
    from google.cloud import asset_v1

    check_scope(scope)
    for option, url in (
        ("--api-endpoint", api_endpoint),
        ("--orgpolicy-endpoint", orgpolicy_endpoint),
        ("--cloudidentity-endpoint", cloudidentity_endpoint),
        ("--dialogflow-endpoint", dialogflow_endpoint),
    ):
        if url:
            try:
                check_endpoint(option, url, scheme_required=False)
            except EndpointError as exc:
                raise CollectError(str(exc)) from None
    creds = creds if creds is not None else credentials()
    client = make_client(api_endpoint, creds)
    retry = _retry(retry_initial, retry_timeout)
    result = CollectResult(scope=scope)
    listings = [(content, atype) for content in content_types for atype in asset_types]
    if org_policies:
        listings += [("ORG_POLICY", atype) for atype in asset_types if atype in HIERARCHY_TYPES]
    bar = (reporter or NULL).task("GCP asset listings", len(listings))
    for content, atype in listings:
        cov = Coverage(atype, content)
        result.coverage.append(cov)
        if progress:
            progress(f"{content.lower()} {atype}")
        records: list[dict[str, Any]] = []
        try:
            pager = client.list_assets(
                request={
                    "parent": scope,
                    "asset_types": [atype],
                    "content_type": getattr(asset_v1.ContentType, content),
                    "page_size": PAGE_SIZE,
                },
                retry=retry,
                timeout=60.0,
            )
            for page in pager.pages:
                cov.pages += 1
                for asset in page.assets:
                    raw = asset_v1.Asset.to_dict(
                        asset, preserving_proto_field_name=True, use_integers_for_enums=False
                    )
                    try:
                        records.append(normalize(raw))
                    except AssetRecordError as exc:
                        result.warnings.append(f"{content} {atype}: {raw.get('name')}: {exc}")
        except (gexc.PermissionDenied, gexc.Forbidden) as exc:
            cov.status, cov.detail = Status.DENIED, api_message(exc)
        except (gexc.Unauthenticated, gexc.Unauthorized) as exc:
            raise CollectError(
                f"GCP rejected the credentials ({api_message(exc)}); refresh {TOKEN_ENV} or ADC"
            ) from None
        except auth_exc.RefreshError as exc:
            raise CollectError(
                f"GCP rejected the credentials and they cannot be refreshed ({api_message(exc)}); "
                f"set a fresh {TOKEN_ENV} or re-run gcloud auth application-default login"
            ) from None
        except gexc.RetryError as exc:
            cov.status, cov.detail = Status.FAILED, f"gave up after retries: {api_message(exc)}"
        except gexc.GoogleAPICallError as exc:
            cov.status, cov.detail = Status.FAILED, api_message(exc)
        except (auth_exc.TransportError, OSError) as exc:
            raise CollectError(_unreachable(api_endpoint, exc)) from None
        except Exception as exc:
            if type(exc).__module__.startswith(("requests", "urllib3")):
                raise CollectError(_unreachable(api_endpoint, exc)) from None
            raise
        if cov.status != "ok" and records:
            # What arrived before the failure is kept: the listing is partial, not failed.
            cov.status = Status.PARTIAL
            cov.detail = f"{len(records)} assets before the error: {cov.detail}"
        cov.count = len(records)
        if records:
            result.documents.append(
                Document(
                    "gcp",
                    scope,
                    f"{content.lower()}:{atype}",
                    {"asset_type": atype, "content_type": content, "assets": records},
                )
            )
        bar.advance(failed=int(cov.status in (Status.DENIED, Status.FAILED)))
    bar.close()
    if result.coverage and all(c.status in ("denied", "failed") for c in result.coverage):
        reasons = sorted({c.status for c in result.coverage})
        raise CollectError(
            f"nothing could be listed in {scope} ({', '.join(reasons)} on every asset type); "
            "the caller needs roles/cloudasset.viewer on the scope"
        )
    if org_policies and effective:
        client_op = make_orgpolicy_client(orgpolicy_endpoint, creds)
        effective_policies(client_op, result, retry, progress, reporter=reporter)
    if groups:
        collect_groups(result, creds, cloudidentity_endpoint, progress=progress)
    if dialogflow:
        collect_subresources(result, creds, dialogflow_endpoint, progress=progress)
    return result


def projects_in(result: CollectResult) -> dict[str, str]:
    """Projects the collection found: API name ('projects/NUMBER' when known) -> full name.

    From the project records and from every record's ``ancestors``, so a denied project
    listing still leaves the projects whose resources were listed; a project scope counts
    even when nothing in it could be listed.
    """
    found: dict[str, str] = {}
    ids: dict[str, str] = {}  # project id -> number, to keep one entry per project
    for doc in result.documents:
        for rec in doc.body.get("assets", []):
            if rec.get("asset_type") == PROJECT_TYPE:
                data = rec.get("resource", {}).get("data", {})
                number = str(data.get("projectNumber") or rec["name"].rsplit("/", 1)[-1])
                if data.get("projectId"):
                    ids[str(data["projectId"])] = number
                found[f"projects/{number}"] = f"{CRM}projects/{number}"
            for anc in rec.get("ancestors") or []:
                if anc.startswith("projects/"):
                    found[anc] = f"{CRM}{anc}"
    if result.scope.startswith("projects/"):
        pid = result.scope.removeprefix("projects/")
        ref = f"projects/{ids.get(pid, pid)}"
        found.setdefault(ref, f"{CRM}{ref}")
    return dict(sorted(found.items()))


def effective_policies(
    client: Any,
    result: CollectResult,
    retry: Any,
    progress: Callable[[str], None] | None = None,
    max_workers: int = 8,
    reporter: Reporter | None = None,
) -> None:
    """The effective policy of each watched constraint on each project, as one document.

    Each becomes an internal-form policy on the project's record (``effective``, ``source``
    naming the call), so the transform treats it as the nearest scope's policy. A permission
    error is a gap for that project (the rest of its constraints are not asked: the same
    ``orgpolicy.policy.get`` permission covers them all); other errors are gaps too, and an
    unreachable endpoint stops only this step. Projects are read a few at a time: an
    organisation scope has hundreds, each a handful of round trips.
    """
    from concurrent.futures import ThreadPoolExecutor

    records: list[dict[str, Any]] = []
    projects = list(projects_in(result).items())

    bar = (reporter or NULL).task("GCP projects: effective org policies", len(projects))

    def one(item: tuple[str, str]) -> tuple[Coverage, dict[str, Any] | None, str]:
        ref, full_name = item
        if progress:
            progress(f"effective organisation policies of {ref}")
        outcome = _project_policies(client, ref, full_name, retry)
        bar.advance(failed=int(outcome[0].status in (Status.DENIED, Status.FAILED)))
        return outcome

    with ThreadPoolExecutor(max_workers=max(1, max_workers)) as pool:
        outcomes = list(pool.map(one, projects))
    bar.close()
    for cov, rec, unreachable in outcomes:
        result.coverage.append(cov)
        if unreachable:
            # Every project answers the same; one warning, and what did arrive is kept.
            result.warnings.append(f"effective organisation policies not read: {unreachable}")
            break
        if rec is not None:
            try:
                records.append(normalize(rec))
            except AssetRecordError as exc:
                result.warnings.append(f"{EFFECTIVE} {cov.service}: {exc}")
    _finish(records, result)


def _project_policies(
    client: Any, ref: str, full_name: str, retry: Any
) -> tuple[Coverage, dict[str, Any] | None, str]:
    """One project's effective policies: (coverage, record or None, why unreachable)."""
    from google.api_core import exceptions as gexc
    from google.auth import exceptions as auth_exc
    from google.cloud import orgpolicy_v2

    cov = Coverage(ref, EFFECTIVE)
    policies: list[dict[str, Any]] = []
    errors: list[str] = []
    for constraint in WATCHED_CONSTRAINTS:
        name = f"{ref}/policies/{constraint}"
        try:
            got = client.get_effective_policy(request={"name": name}, retry=retry, timeout=60.0)
        except (gexc.PermissionDenied, gexc.Forbidden) as exc:
            cov.status, cov.detail = Status.DENIED, api_message(exc)
            break
        except gexc.NotFound as exc:
            # a constraint this organisation does not know: nothing is enforced by it
            errors.append(f"{constraint}: {api_message(exc)}")
            continue
        except (gexc.GoogleAPICallError, gexc.RetryError, auth_exc.RefreshError) as exc:
            cov.status = Status.FAILED
            errors.append(f"{constraint}: {api_message(exc)}")
            continue
        except Exception as exc:
            if isinstance(exc, auth_exc.TransportError | OSError) or type(
                exc
            ).__module__.startswith(("requests", "urllib3")):
                cov.status = Status.FAILED
                cov.detail = f"cannot reach the Org Policy API: {api_message(exc)}"
                return cov, None, cov.detail
            raise
        raw = orgpolicy_v2.Policy.to_dict(
            got, preserving_proto_field_name=True, use_integers_for_enums=False
        )
        raw["name"] = raw.get("name") or name
        raw["effective"] = True
        raw["source"] = f"effective policy read with getEffectivePolicy on {ref}"
        policies.append(raw)
    if errors and not cov.detail:
        cov.detail = "; ".join(errors)[:400]
    cov.count = len(policies)
    if not policies:
        return cov, None, ""
    return cov, {"name": full_name, "asset_type": PROJECT_TYPE, "org_policy": policies}, ""


def _finish(records: list[dict[str, Any]], result: CollectResult) -> None:
    if records:
        result.documents.append(
            Document(
                "gcp",
                result.scope,
                "effective_org_policy:projects",
                {"asset_type": PROJECT_TYPE, "content_type": EFFECTIVE, "assets": records},
            )
        )


def _unreachable(api_endpoint: str | None, exc: Exception) -> str:
    where = api_endpoint or "https://cloudasset.googleapis.com"
    text = str(exc)
    m = re.search(r"\[Errno -?\d+\] [^'\")]+", text)
    return f"cannot reach Cloud Asset API at {where}: {m.group(0) if m else text[:200]}"
