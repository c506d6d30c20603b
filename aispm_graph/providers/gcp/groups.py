"""Google Groups membership through the Cloud Identity Groups API.

Enterprises bind IAM roles to groups, and service accounts can be group members, so the
members of a ``group:`` principal are what actually hold its roles. After the asset listings,
every ``group:`` member of a collected IAM policy is resolved with ``groups.lookup`` and its
*transitive* members are listed with ``groups.memberships.searchTransitiveMemberships`` (nested
groups flattened by Google, ``relationType`` saying whether a member is direct or comes
through a nested group). That search needs a Google Workspace Enterprise or Cloud Identity
Premium account; where it is refused, direct memberships (``groups.memberships.list``, Groups
Reader is enough) are walked through the nested groups instead. The official
``google-api-python-client`` is used with its bundled discovery document (no discovery round
trip).

What is stored is only each member's email, whether it is a group, a service account or a
user, and the relation type: no names, roles or expiry times. A group that cannot be read
(403: no Groups Reader on it, or the transitive search needs a Premium / Enterprise edition;
404: a group of another organisation) is a coverage gap for that group; the API refused
outright (not enabled, credentials rejected, endpoint unreachable) is one gap and the step
ends. Neither is fatal: the bindings stay, the group simply keeps no members.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from aispm_graph.providers.coverage import Coverage, Status
from aispm_graph.providers.gcp.result import (
    GROUP_MEMBERS,
    ApiRefused,
    CollectResult,
    classify_failure,
    http_reason,
    http_status,
    refuses_api,
)
from aispm_graph.workspace import Document

GROUPS_KEY = "cloudidentity:groups"
IDENTITY_API = "cloudidentity.googleapis.com"
GROUPS_SCOPE = "https://www.googleapis.com/auth/cloud-identity.groups.readonly"
MAX_MEMBERS = 50_000
PAGE_SIZE = 1000
RELATIONS = frozenset({"DIRECT", "INDIRECT", "DIRECT_AND_INDIRECT"})


def bound_groups(documents: Iterable[Document]) -> list[str]:
    """Emails of every ``group:`` member in the collected IAM policies, sorted."""
    found: set[str] = set()
    for doc in documents:
        for rec in doc.body.get("assets", []) if isinstance(doc.body, dict) else []:
            policy = rec.get("iam_policy") or {}
            for binding in policy.get("bindings") or []:
                for member in binding.get("members") or []:
                    prefix, _, email = str(member).partition(":")
                    if prefix == "group" and email:
                        found.add(email.lower())
    return sorted(found)


def make_groups_client(api_endpoint: str | None, creds: Any) -> Any:
    """The real Cloud Identity v1 client from the discovery document shipped in the wheel."""
    from google.api_core.client_options import ClientOptions
    from googleapiclient.discovery import build

    options = ClientOptions(api_endpoint=api_endpoint) if api_endpoint else None
    return build(
        "cloudidentity",
        "v1",
        credentials=creds,
        static_discovery=True,
        cache_discovery=False,
        client_options=options,
    )


def member_kind(relation: dict[str, Any], email: str) -> str:
    """``group``, ``serviceAccount`` or ``user`` for one MemberRelation."""
    if str(relation.get("member", "")).startswith("groups/"):
        return "group"
    if email.endswith(".gserviceaccount.com"):
        return "serviceAccount"
    return "user"


def _classify(exc: Exception, email: str) -> tuple[Status, str]:
    """(status, detail) of a per-group failure; raises ApiRefused for whole-API ones."""
    return classify_failure(
        exc,
        "the Cloud Identity API",
        f"needs Groups Reader on {email}",
        "a group of another organisation, or deleted",
    )


def _lookup(client: Any, email: str, retries: int) -> str:
    found = client.groups().lookup(groupKey_id=email).execute(num_retries=retries)
    return str(found.get("name") or "")


def _address(keys: Any) -> str:
    """The email of a member key (a list in MemberRelation, one key in Membership)."""
    for key in keys if isinstance(keys, list) else [keys]:
        if isinstance(key, dict) and key.get("id") and "@" in str(key["id"]):
            return str(key["id"]).lower()
    return ""  # external-identity keys without an email are not IAM principals


def transitive_members(
    client: Any,
    name: str,
    cov: Coverage,
    max_members: int,
    retries: int,
    members: list[dict[str, str]],
) -> list[dict[str, str]]:
    """``searchTransitiveMemberships``, paged: nested groups already flattened by Google.

    Members are appended to ``members`` as they arrive, so a failure on a later page leaves
    the caller what was read.
    """
    token: str | None = None
    while True:
        page = (
            client.groups()
            .memberships()
            .searchTransitiveMemberships(parent=name, pageSize=PAGE_SIZE, pageToken=token)
            .execute(num_retries=retries)
        )
        cov.pages += 1
        for rel in page.get("memberships") or []:
            address = _address(rel.get("preferredMemberKey"))
            if not address:
                continue
            relation = str(rel.get("relationType") or "")
            members.append(
                {
                    "email": address,
                    "kind": member_kind(rel, address),
                    "relation": relation if relation in RELATIONS else "UNSPECIFIED",
                }
            )
            if len(members) >= max_members:
                cov.status = Status.PARTIAL
                cov.detail = f"stopped after {max_members} members; the group is larger"
                return members
        token = page.get("nextPageToken") or None
        if not token:
            return members


def direct_walk(
    client: Any, name: str, cov: Coverage, max_members: int, retries: int
) -> list[dict[str, str]]:
    """The same answer from ``memberships.list``, walking nested groups ourselves.

    The transitive search needs a Google Workspace Enterprise or Cloud Identity Premium
    account; listing direct memberships needs only Groups Reader. Members of the group itself
    are ``DIRECT``, those of nested groups ``INDIRECT`` (both when both); a nested group that
    cannot be read leaves the list partial, and cycles are walked once.
    """
    from googleapiclient.errors import HttpError

    seen: dict[str, dict[str, Any]] = {}
    queue: list[tuple[str, bool]] = [(name, True)]
    visited = {name}
    unread: list[str] = []
    while queue:
        group, top = queue.pop(0)
        token: str | None = None
        while True:
            try:
                page = (
                    client.groups()
                    .memberships()
                    .list(parent=group, pageSize=PAGE_SIZE, pageToken=token, view="BASIC")
                    .execute(num_retries=retries)
                )
            except HttpError as exc:
                if top or refuses_api(exc) or http_status(exc) == 401:
                    raise
                unread.append(f"{group} ({http_status(exc)})")  # a nested group: the rest stands
                break
            cov.pages += 1
            for ms in page.get("memberships") or []:
                address = _address(ms.get("preferredMemberKey"))
                if not address:
                    continue
                mtype = str(ms.get("type") or "")
                kind = {"GROUP": "group", "SERVICE_ACCOUNT": "serviceAccount"}.get(mtype)
                kind = kind or member_kind({}, address)
                entry = seen.setdefault(address, {"kind": kind, "how": set()})
                entry["how"].add("DIRECT" if top else "INDIRECT")
                if kind == "group":
                    try:
                        nested = _lookup(client, address, retries)
                    except HttpError as exc:
                        unread.append(f"{address} ({http_status(exc)})")
                        continue
                    if nested.startswith("groups/") and nested not in visited:
                        visited.add(nested)
                        queue.append((nested, False))
                if len(seen) >= max_members:
                    queue.clear()
                    cov.status = Status.PARTIAL
                    cov.detail = f"stopped after {max_members} members; the group is larger"
                    break
            token = page.get("nextPageToken") or None
            if not token or cov.status == "partial":
                break
    if unread and cov.status == "ok":
        cov.status = Status.PARTIAL
        cov.detail = f"nested groups not readable: {', '.join(unread[:5])}"
    members = []
    for address, entry in seen.items():
        how = entry["how"]
        relation = "DIRECT_AND_INDIRECT" if len(how) == 2 else next(iter(how))
        members.append({"email": address, "kind": entry["kind"], "relation": relation})
    return members


def read_group(
    client: Any, email: str, cov: Coverage, max_members: int, retries: int
) -> list[dict[str, str]]:
    """Transitive members of one group; a failure leaves ``cov`` saying why.

    The transitive search is tried first; when it is refused (403: an edition without it,
    or no permission), direct memberships are walked instead. Members read before a failure
    (or the cap) are kept and the gap says the list is partial.
    """
    from googleapiclient.errors import HttpError

    members: list[dict[str, str]] = []
    try:
        name = _lookup(client, email, retries)
        if not name.startswith("groups/"):
            cov.status, cov.detail = Status.FAILED, f"lookup gave no group name ({name!r})"
            return []
        try:
            return transitive_members(client, name, cov, max_members, retries, members)
        except HttpError as exc:
            if http_status(exc) != 403 or members or refuses_api(exc):
                raise
            why = http_reason(exc)
        cov.pages = 0
        members = direct_walk(client, name, cov, max_members, retries)
        note = f"read with memberships.list (transitive search refused: {why})"
        cov.detail = f"{cov.detail}; {note}" if cov.detail else note
        return members
    except ApiRefused:
        raise
    except Exception as exc:
        cov.status, cov.detail = _classify(exc, email)
        if members:
            cov.status = Status.PARTIAL  # what arrived before the error is kept
            cov.detail = f"{len(members)} members before the error: {cov.detail}"
        return members


def collect_groups(
    result: CollectResult,
    creds: Any,
    api_endpoint: str | None = None,
    *,
    max_members: int = MAX_MEMBERS,
    retries: int = 3,
    progress: Callable[[str], None] | None = None,
) -> None:
    """Add the membership document and one coverage row per group to ``result``."""
    emails = bound_groups(result.documents)
    if not emails:
        return
    client = make_groups_client(api_endpoint, creds)
    groups: dict[str, dict[str, Any]] = {}
    for email in emails:
        cov = Coverage(f"group:{email}", GROUP_MEMBERS)
        if progress:
            progress(f"members of group {email}")
        try:
            members = read_group(client, email, cov, max_members, retries)
        except ApiRefused as exc:
            gap = Coverage(IDENTITY_API, GROUP_MEMBERS, status=Status.FAILED, errors=[str(exc)])
            if "rejected" in str(exc) or "not usable" in str(exc):
                gap.status = Status.DENIED
            result.coverage.append(gap)
            result.warnings.append(f"group membership not read ({len(emails)} groups): {exc}")
            break
        cov.count = len(members)
        result.coverage.append(cov)
        groups[email] = {"status": cov.status, "members": members}
    if groups:
        result.documents.append(
            Document("gcp", result.scope, GROUPS_KEY, {"groups": dict(sorted(groups.items()))})
        )
