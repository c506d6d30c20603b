"""Tenant-wide reads: the management-group hierarchy, role assignments made at management-group
scope, and the Entra principals behind every role assignment.

A role assignment at a management group reaches every subscription below it, but a
subscription's own listing only shows the assignments that reach *that* subscription; to apply
them exactly the collector needs the tree. ``getEntities`` returns management groups and
subscriptions in one paged list, each with ``properties.parent.id``; the assignments (and the
custom roles assignable there) are read at each group with ``atScope()``.

Principals come from Microsoft Graph: one ``directoryObjects/getByIds`` POST per 1000 object
ids, through an azure-core pipeline with the same credential (scope
``https://graph.microsoft.com/.default``). Only identifying, non-secret fields are kept: the ones
that tell a guest or another tenant's application from our own principals.

Everything here is best effort: a 403 (no Management Group Reader, no Directory.Read.All) is a
coverage gap recorded in the snapshot, and the build falls back to what the subscriptions said.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from aispm_graph.knowledge.azure.arm import MG_PREFIX, norm, resource_type
from aispm_graph.knowledge.azure.directory import MEMBERS_FIELD
from aispm_graph.knowledge.azure.entra_roles import (
    AGENT_IDENTITY_TYPE,
    APP_ROLES_FIELD,
    APPLICATION_FIELD,
    CREDENTIALS_FIELD,
    OWNERS_FIELD,
    ROLE_ASSIGNMENT_TYPE,
)
from aispm_graph.providers.azure.collect import (
    AzureCollectError,
    AzureCollector,
    CollectResult,
    bind_call,
    first_line,
    merge_coverage,
    scrub,
)
from aispm_graph.providers.coverage import Coverage, Status
from aispm_graph.workspace import Document

MG_API = "2021-04-01"
GRAPH_BATCH = 1000  # getByIds accepts at most 1000 ids per call
GRAPH_TYPES = ("user", "group", "servicePrincipal")
# Members read per group at most; a bigger group is stored partial and the gap says so.
MAX_GROUP_MEMBERS = 50_000
# Items read from one Graph collection at most (role assignments, agent identities, owners).
MAX_GRAPH_ITEMS = 100_000
GUID_TEXT = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)
MEMBER_SELECT = (
    "id,displayName,userPrincipalName,userType,mail,externalUserState,appId,appDisplayName,"
    "appOwnerOrganizationId,servicePrincipalType,securityEnabled"
)

# The Graph fields stored per principal: who it is and which tenant vouches for it. Nothing
# else (no credentials metadata, no contact details beyond the sign-in name and mail).
GRAPH_FIELDS = {
    "#microsoft.graph.user": (
        "id",
        "displayName",
        "userPrincipalName",
        "userType",
        "mail",
        "externalUserState",
        "creationType",
        "accountEnabled",
    ),
    "#microsoft.graph.serviceprincipal": (
        "id",
        "displayName",
        "appId",
        "appDisplayName",
        "appOwnerOrganizationId",
        "servicePrincipalType",
        "signInAudience",
        "accountEnabled",
    ),
    "#microsoft.graph.group": (
        "id",
        "displayName",
        "securityEnabled",
        "mailEnabled",
        "isAssignableToRole",
        "groupTypes",
    ),
    "#microsoft.graph.agentidentity": (
        "id",
        "displayName",
        "appId",
        "servicePrincipalType",
        "agentIdentityBlueprintId",
        "accountEnabled",
        "createdByAppId",
    ),
}
# Credentials are reduced to how many there are and when they end: never a value, hint or
# thumbprint (a hint is the first characters of a secret).
CREDENTIAL_LISTS = ("passwordCredentials", "keyCredentials")


def directory_document(scope: str, obj: dict[str, Any]) -> Document | None:
    """A Graph directory object reduced to its non-secret identifying fields, or None."""
    body = reduce_object(obj)
    if body is None:
        return None
    for key in (MEMBERS_FIELD, OWNERS_FIELD):
        items = obj.get(key)
        if isinstance(items, list):
            body[key] = [m for m in (reduce_object(x) for x in items) if m is not None]
    app = obj.get(APPLICATION_FIELD)
    if isinstance(app, dict):
        body[APPLICATION_FIELD] = reduce_application(app)
    grants = obj.get(APP_ROLES_FIELD)
    if isinstance(grants, list):
        body[APP_ROLES_FIELD] = [
            {k: g.get(k) for k in ("appRoleId", "resourceId", "resourceDisplayName")}
            for g in grants
            if isinstance(g, dict)
        ]
    return Document("azure", scope, f"entra/directoryobjects/{body['id'].lower()}", body)


def credential_summary(obj: dict[str, Any]) -> dict[str, Any] | None:
    """How many password and key credentials an application or service principal has and
    when the last one ends: enough to say "holds a long-lived credential", no value."""
    out: dict[str, Any] = {}
    for key in CREDENTIAL_LISTS:
        creds = obj.get(key)
        if not isinstance(creds, list):
            continue
        ends = sorted(
            str(c["endDateTime"])
            for c in creds
            if isinstance(c, dict) and isinstance(c.get("endDateTime"), str)
        )
        out[key] = {"count": len(creds), "latestEndDateTime": ends[-1] if ends else None}
    return out or None


def reduce_application(app: dict[str, Any]) -> dict[str, Any]:
    """An application registration: ids, name, credential counts and end dates, owners."""
    body: dict[str, Any] = {
        k: app[k] for k in ("id", "appId", "displayName", "signInAudience") if k in app
    }
    summary = credential_summary(app)
    if summary:
        body[CREDENTIALS_FIELD] = summary
    owners = app.get(OWNERS_FIELD)
    if isinstance(owners, list):
        body[OWNERS_FIELD] = [m for m in (reduce_object(x) for x in owners) if m is not None]
    return body


def role_definition_document(scope: str, obj: dict[str, Any]) -> Document | None:
    """A directory role definition: its template id and the resource actions it allows."""
    rid = obj.get("id")
    if not isinstance(rid, str) or not rid:
        return None
    perms = []
    for rp in obj.get("rolePermissions") or []:
        if isinstance(rp, dict):
            perms.append(
                {
                    "allowedResourceActions": [
                        a for a in rp.get("allowedResourceActions") or [] if isinstance(a, str)
                    ],
                    "condition": rp.get("condition"),
                }
            )
    body = {
        "@odata.type": "#microsoft.graph.unifiedRoleDefinition",
        **{k: obj.get(k) for k in ("id", "displayName", "templateId", "isBuiltIn", "isEnabled")},
        "rolePermissions": perms,
    }
    return Document("azure", scope, f"entra/roledefinitions/{rid.lower()}", body)


def role_assignment_document(scope: str, obj: dict[str, Any]) -> Document | None:
    """A directory role assignment: who holds which role at which directory scope."""
    rid = obj.get("id")
    if not isinstance(rid, str) or not rid:
        return None
    body = {
        "@odata.type": "#microsoft.graph.unifiedRoleAssignment",
        **{
            k: obj.get(k)
            for k in ("id", "principalId", "roleDefinitionId", "directoryScopeId", "appScopeId")
        },
    }
    return Document("azure", scope, f"entra/roleassignments/{rid}", body)


def reduce_object(obj: Any) -> dict[str, Any] | None:
    """The identifying, non-secret fields of a user, service principal or group."""
    if not isinstance(obj, dict):
        return None
    otype = str(obj.get("@odata.type") or "")
    fields = GRAPH_FIELDS.get(otype.lower())
    oid = obj.get("id")
    if fields is None or not isinstance(oid, str) or not oid:
        return None
    body: dict[str, Any] = {"@odata.type": otype}
    body.update({k: obj[k] for k in fields if k in obj})
    if otype.lower() in {"#microsoft.graph.serviceprincipal", AGENT_IDENTITY_TYPE}:
        summary = credential_summary(obj)
        if summary:
            body[CREDENTIALS_FIELD] = summary
    identities = obj.get("identities")
    if isinstance(identities, list):
        # Which identity provider signs the user in (issuer), not the sign-in values.
        body["identities"] = [
            {k: i.get(k) for k in ("signInType", "issuer")}
            for i in identities
            if isinstance(i, dict)
        ]
    return body


def principal_ids(docs: Iterable[Document]) -> set[str]:
    """Object ids of the principals in role-assignment documents (Azure RBAC and directory)."""
    out: set[str] = set()
    for doc in docs:
        body = doc.body
        if not isinstance(body, dict) or not isinstance(body.get("id"), str):
            continue
        if str(body.get("@odata.type") or "").lower() == ROLE_ASSIGNMENT_TYPE:
            pid = body.get("principalId")
            if isinstance(pid, str) and pid.strip():
                out.add(pid.strip().lower())
            continue
        if resource_type(body["id"]) != "microsoft.authorization/roleassignments":
            continue
        props = body.get("properties")
        pid = props.get("principalId") if isinstance(props, dict) else None
        if isinstance(pid, str) and pid.strip():
            out.add(pid.strip().lower())
    return out


def tenant_of(results: Iterable[CollectResult]) -> str:
    """The tenant of the collected subscriptions (from their subscription records), or ''."""
    for result in results:
        for doc in result.documents:
            body = doc.body
            if (
                isinstance(body, dict)
                and resource_type(str(body.get("id", ""))) == "subscriptions"
                and isinstance(body.get("tenantId"), str)
            ):
                return str(body["tenantId"]).lower()
    return ""


class TenantCollector:
    """Reads the tenant-level data for one ``AzureCollector`` run."""

    def __init__(self, collector: AzureCollector, graph_batch: int = GRAPH_BATCH) -> None:
        self.c = collector
        self.graph_batch = max(1, min(graph_batch, GRAPH_BATCH))
        # Graph list answers by path: an object several subscriptions name is read once.
        self._cache: dict[str, tuple[list[dict[str, Any]], Coverage]] = {}

    def collect(self, results: list[CollectResult]) -> CollectResult:
        """Management groups and their assignments into a ``tenant-<id>`` result; directory
        objects into every result whose role assignments name them."""
        return self.collect_tenant(tenant_of(results), also=results)

    def add_principals(self, results: list[CollectResult]) -> None:
        """Directory objects (guests, foreign apps) for the principals the results' role
        assignments name, added to those results: a subscription can be stored complete as
        soon as it is read, before the rest of the estate."""
        self._principals(results)

    def collect_tenant(self, tenant: str, also: list[CollectResult] | None = None) -> CollectResult:
        """Management groups, their assignments and those assignments' principals (looked up
        in the same Graph calls as the principals of ``also``)."""
        out = CollectResult(f"tenant-{tenant}" if tenant else "tenant")
        try:
            self._management_groups(out)
        except AzureCollectError as exc:
            # The subscriptions are already read; losing them to a tenant-level failure
            # (a token refused for this one call) would be worse than the gap.
            out.coverage.append(
                Coverage(
                    "Microsoft.Management/managementGroups",
                    status=Status.FAILED,
                    count=0,
                    errors=[str(exc)],
                )
            )
        self._directory_roles(out)
        self._agent_identities(out)
        self._principals([*(also or []), out])
        out.coverage = merge_coverage(out.coverage)
        return out

    def _management_groups(self, out: CollectResult) -> None:
        """getEntities, then the assignments and custom roles at each management group."""
        from azure.mgmt.authorization import AuthorizationManagementClient
        from azure.mgmt.resource.resources import ResourceManagementClient

        c = self.c
        # The clients need a subscription id; these tenant-level calls do not use it.
        res = ResourceManagementClient(c.credential, "0" * 8, **c._kwargs)
        auth = AuthorizationManagementClient(c.credential, "0" * 8, **c._kwargs)
        c.progress("tenant: management groups")
        url = f"{c.endpoint}/providers/Microsoft.Management/getEntities?api-version={MG_API}"
        entities = c._step(
            out,
            "Microsoft.Management/managementGroups",
            lambda pages: c._raw_list(res, url, pages, method="POST"),
        )
        c._add(out, entities)
        groups = sorted(
            {
                norm(e["id"])
                for e in entities
                if isinstance(e.get("id"), str) and norm(e["id"]).startswith(MG_PREFIX)
            }
        )
        found: dict[str, list[dict[str, Any]]] = {}
        for rtype, op, filt in (
            ("managementGroups/roleAssignments", auth.role_assignments.list_for_scope, "atScope()"),
            (
                "managementGroups/roleDefinitions",
                auth.role_definitions.list,
                "type eq 'CustomRole'",
            ),
        ):
            before = len(out.coverage)
            items: list[dict[str, Any]] = []
            for mg in groups:
                c.progress(f"tenant: {rtype} at {mg}")
                items.extend(c._step(out, rtype, bind_call(op, mg, filter=filt), record=False))
            if len(out.coverage) == before:
                out.coverage.append(Coverage(rtype, status=Status.OK, count=len(items)))
            found[rtype] = items
        assignments = found["managementGroups/roleAssignments"]
        definitions = found["managementGroups/roleDefinitions"]
        c._add(out, assignments)
        c._add(out, definitions)

    # -- Microsoft Graph ----------------------------------------------------------------------
    def _principals(self, results: list[CollectResult]) -> None:
        wanted = {r.subscription_id: principal_ids(r.documents) for r in results}
        ids = sorted(set().union(*wanted.values()))
        if not ids:
            return
        self.c.progress(f"tenant: {len(ids)} principals from Microsoft Graph")
        found, coverage = self._get_by_ids(ids)
        groups = sorted(
            oid
            for oid, obj in found.items()
            if str(obj.get("@odata.type") or "").lower() == "#microsoft.graph.group"
        )
        members = self._group_members(groups, found) if groups else None
        extra = self._owners_and_apps(found)
        for result in results:
            mine = wanted[result.subscription_id]
            if not mine:
                continue
            result.coverage.append(
                Coverage(
                    coverage.service,
                    status=coverage.status,
                    count=sum(1 for i in mine if i in found),
                    errors=list(coverage.errors),
                )
            )
            if members is not None and any(g in mine for g in groups):
                result.coverage.append(
                    Coverage(
                        members.service,
                        status=members.status,
                        count=sum(
                            len(found[g].get(MEMBERS_FIELD) or []) for g in groups if g in mine
                        ),
                        errors=list(members.errors),
                    )
                )
            for row in extra:
                result.coverage.append(
                    Coverage(
                        row.service, status=row.status, count=row.count, errors=list(row.errors)
                    )
                )
            for oid in sorted(mine):
                doc = (
                    directory_document(result.subscription_id, found[oid]) if oid in found else None
                )
                if doc is not None:
                    result.documents.append(doc)

    def _graph_list(
        self, path: str, rtype: str, hint: str, *, limit: int = MAX_GRAPH_ITEMS
    ) -> tuple[list[dict[str, Any]], Coverage]:
        """Every item of a Graph collection (``@odata.nextLink`` followed on the same host);
        a refusal is a ``denied`` row naming the Graph permission ``hint`` that would read it."""
        from azure.core.exceptions import (
            ClientAuthenticationError,
            HttpResponseError,
            ServiceRequestError,
        )
        from azure.core.rest import HttpRequest

        c = self.c
        client, op = self._graph_client()
        items: list[dict[str, Any]] = []
        cov = Coverage(rtype)
        url: str | None = f"{c.graph_endpoint}{path}"
        try:
            while url:
                if len(items) >= limit:
                    cov.record(Status.PARTIAL, f"more than {limit} items; the rest were not read")
                    break
                response = client.send_request(HttpRequest("GET", url), **op)
                cov.calls += 1
                if response.status_code != 200:
                    raise HttpResponseError(response=response)
                body = response.json()
                page = body.get("value", []) if isinstance(body, dict) else []
                items.extend(scrub(m) for m in page if isinstance(m, dict))
                nxt = body.get("@odata.nextLink") if isinstance(body, dict) else None
                url = nxt if isinstance(nxt, str) and nxt else None
                if url and not url.startswith(c.graph_endpoint + "/"):
                    # the bearer token goes only to the Graph endpoint we were given
                    raise ValueError(f"next page link leaves {c.graph_endpoint}: {url[:80]}")
        except ClientAuthenticationError as exc:
            cov.record(Status.DENIED, f"{first_line(exc)} (needs {hint})")
        except ServiceRequestError as exc:
            cov.record(Status.FAILED, f"cannot reach Graph: {first_line(exc)}")
        except HttpResponseError as exc:
            status = exc.status_code or 0
            kind = {401: Status.DENIED, 403: Status.DENIED, 404: Status.NOT_FOUND}.get(
                status, Status.FAILED
            )
            why = f" (needs {hint})" if kind == Status.DENIED else ""
            cov.record(kind, f"HTTP {status}{why}: {_graph_error(exc)}")
        except ValueError as exc:  # a body that is not JSON, or a link off the endpoint
            cov.record(Status.FAILED, f"{type(exc).__name__}: {exc}")
        else:
            cov.succeeded()
        cov.count = len(items)
        return items, cov

    def _directory_roles(self, out: CollectResult) -> None:
        """Directory role definitions (built-in and custom, with their resource actions) and
        every directory role assignment, into the tenant result: who can add credentials to
        applications, reset passwords or manage groups is decided from them."""
        c = self.c
        hint = "RoleManagement.Read.Directory"
        c.progress("tenant: directory role definitions")
        defs, cov = self._graph_list(
            "/v1.0/roleManagement/directory/roleDefinitions"
            "?$select=id,displayName,templateId,isBuiltIn,isEnabled,rolePermissions",
            "Microsoft.Graph/roleManagement/directory/roleDefinitions",
            hint,
        )
        out.coverage.append(cov)
        out.documents.extend(
            d for d in (role_definition_document(out.subscription_id, o) for o in defs) if d
        )
        c.progress("tenant: directory role assignments")
        assigned, cov = self._graph_list(
            "/v1.0/roleManagement/directory/roleAssignments"
            "?$select=id,principalId,roleDefinitionId,directoryScopeId,appScopeId",
            "Microsoft.Graph/roleManagement/directory/roleAssignments",
            hint,
        )
        out.coverage.append(cov)
        out.documents.extend(
            d for d in (role_assignment_document(out.subscription_id, o) for o in assigned) if d
        )

    def _agent_identities(self, out: CollectResult) -> None:
        """Entra Agent ID identities (service principals agents act as; Graph beta)."""
        self.c.progress("tenant: agent identities")
        found, cov = self._graph_list(
            "/beta/servicePrincipals/microsoft.graph.agentIdentity"
            "?$select=id,displayName,appId,servicePrincipalType,agentIdentityBlueprintId,"
            "accountEnabled,createdByAppId",
            "Microsoft.Graph/servicePrincipals/agentIdentity",
            "AgentIdentity.Read.All or Application.Read.All",
        )
        out.coverage.append(cov)
        rows = {
            key: Coverage(f"Microsoft.Graph/{key}")
            for key in ("agentIdentityBlueprints", "agentIdentityBlueprints/owners")
        }
        hint = "AgentIdentityBlueprint.Read.All or Application.Read.All"
        hints = dict.fromkeys(rows, hint)
        for obj in found:
            obj.setdefault("@odata.type", "#microsoft.graph.agentIdentity")
            # The blueprint holds the credentials its agent identities get tokens with, and
            # its owners can add one: read it (once per blueprint) with its owners.
            blueprint = obj.get("agentIdentityBlueprintId")
            if isinstance(blueprint, str) and GUID_TEXT.match(blueprint):
                apps = self._cached(
                    "/beta/applications/microsoft.graph.agentIdentityBlueprint"
                    f"?$filter=appId%20eq%20%27{blueprint}%27&$select="
                    "id,appId,displayName,passwordCredentials,keyCredentials",
                    rows,
                    "agentIdentityBlueprints",
                    hints,
                )
                if apps and isinstance(apps[0].get("id"), str) and GUID_TEXT.match(apps[0]["id"]):
                    app = dict(apps[0])
                    app[OWNERS_FIELD] = self._cached(
                        f"/beta/applications/{app['id']}/owners?$select={MEMBER_SELECT}",
                        rows,
                        "agentIdentityBlueprints/owners",
                        hints,
                    )
                    obj[APPLICATION_FIELD] = app
            doc = directory_document(out.subscription_id, obj)
            if doc is not None:
                out.documents.append(doc)
        out.coverage.extend(row for row in rows.values() if row.calls or row.errors)

    def _owners_and_apps(self, found: dict[str, dict[str, Any]]) -> list[Coverage]:
        """Owners of each service principal and group found, and each service principal's
        application registration (credential counts and end dates) with its owners: an
        owner can add a credential and sign in as the application; and the Microsoft Graph
        application permissions each service principal holds. Read once per object for the
        whole run."""
        rows = {
            key: Coverage(f"Microsoft.Graph/{key}")
            for key in (
                "servicePrincipals/owners",
                "servicePrincipals/appRoleAssignments",
                "applications",
                "applications/owners",
                "groups/owners",
            )
        }
        hints = {
            "servicePrincipals/owners": "Application.Read.All",
            "servicePrincipals/appRoleAssignments": "Application.Read.All",
            "applications": "Application.Read.All",
            "applications/owners": "Application.Read.All",
            "groups/owners": "GroupMember.Read.All or Directory.Read.All",
        }
        select = f"?$select={MEMBER_SELECT}&$top=999"
        for oid, obj in sorted(found.items()):
            otype = str(obj.get("@odata.type") or "").lower()
            if otype == "#microsoft.graph.group":
                obj[OWNERS_FIELD] = self._cached(
                    f"/v1.0/groups/{oid}/owners{select}", rows, "groups/owners", hints
                )
            elif otype == "#microsoft.graph.serviceprincipal":
                # Graph application permissions: a managed identity can hold them too
                obj[APP_ROLES_FIELD] = self._cached(
                    f"/v1.0/servicePrincipals/{oid}/appRoleAssignments"
                    "?$select=id,appRoleId,resourceId,resourceDisplayName",
                    rows,
                    "servicePrincipals/appRoleAssignments",
                    hints,
                )
                if str(obj.get("servicePrincipalType") or "").lower() == "managedidentity":
                    continue  # no owners, no application, no credentials to add
                obj[OWNERS_FIELD] = self._cached(
                    f"/v1.0/servicePrincipals/{oid}/owners{select}",
                    rows,
                    "servicePrincipals/owners",
                    hints,
                )
                app_id = obj.get("appId")
                if not isinstance(app_id, str) or not GUID_TEXT.match(app_id):
                    continue
                apps = self._cached(
                    f"/v1.0/applications?$filter=appId%20eq%20%27{app_id}%27&$select="
                    "id,appId,displayName,signInAudience,passwordCredentials,keyCredentials",
                    rows,
                    "applications",
                    hints,
                )
                # none: the application is registered in another tenant
                if apps and isinstance(apps[0].get("id"), str):
                    app = dict(apps[0])
                    app[OWNERS_FIELD] = self._cached(
                        f"/v1.0/applications/{app['id']}/owners{select}",
                        rows,
                        "applications/owners",
                        hints,
                    )
                    obj[APPLICATION_FIELD] = app
        return [row for row in rows.values() if row.calls or row.errors]

    def _cached(
        self, path: str, rows: dict[str, Coverage], key: str, hints: dict[str, str]
    ) -> list[dict[str, Any]]:
        """One Graph list, read once per run; its outcome folded into ``rows[key]``."""
        if path not in self._cache:
            self.c.progress(f"tenant: Microsoft.Graph/{key}")
            self._cache[path] = self._graph_list(path, f"Microsoft.Graph/{key}", hints[key])
        items, cov = self._cache[path]
        rows[key].merge(cov)
        return items

    def _graph_client(self) -> tuple[Any, dict[str, Any]]:
        """An azure-core pipeline to Microsoft Graph, and the per-request options."""
        from azure.core import PipelineClient
        from azure.core.pipeline.policies import (
            BearerTokenCredentialPolicy,
            HeadersPolicy,
            RetryPolicy,
            UserAgentPolicy,
        )

        c = self.c
        audience = "https://graph.microsoft.com" if c.graph_insecure else c.graph_endpoint
        client: Any = PipelineClient(
            base_url=c.graph_endpoint,
            policies=[
                HeadersPolicy(),
                UserAgentPolicy(user_agent="aispm-graph"),
                RetryPolicy(retry_total=c.retry_total, retry_backoff_factor=0.5),
                BearerTokenCredentialPolicy(c.graph_credential, f"{audience}/.default"),
            ],
        )
        return client, ({"enforce_https": False} if c.graph_insecure else {})

    def _group_members(self, groups: list[str], found: dict[str, dict[str, Any]]) -> Coverage:
        """Each group's transitive members onto its directory object: a role assigned to a
        group is held by everyone in it, nested groups included, so the paths need them.
        The first group whose members cannot be read ends the reading: the refusal is the
        same for the rest, and the groups read so far stand."""
        c = self.c
        rtype = "Microsoft.Graph/groups/transitiveMembers"
        total, partial, calls = 0, [], 0
        for gid in groups:
            c.progress(f"tenant: members of group {gid}")
            members, cov = self._graph_list(
                f"/v1.0/groups/{gid}/transitiveMembers?$select={MEMBER_SELECT}&$top=999",
                rtype,
                "GroupMember.Read.All or Directory.Read.All",
                limit=MAX_GROUP_MEMBERS,
            )
            calls += cov.calls
            if cov.status == Status.NOT_FOUND:
                continue  # deleted since it was listed: nothing of it to hold a role
            if cov.status in (Status.DENIED, Status.FAILED):
                return Coverage(
                    rtype, status=cov.status, count=total, calls=calls, errors=cov.errors
                )
            if cov.status == Status.PARTIAL:
                partial.append(gid)
            found[gid][MEMBERS_FIELD] = members
            total += len(members)
        if partial:
            return Coverage(
                rtype,
                status=Status.PARTIAL,
                count=total,
                calls=calls,
                errors=[
                    f"group(s) {', '.join(partial)} have more than {MAX_GROUP_MEMBERS} "
                    "members; the rest were not read"
                ],
            )
        return Coverage(rtype, status=Status.OK, count=total, calls=calls)

    def _get_by_ids(self, ids: list[str]) -> tuple[dict[str, dict[str, Any]], Coverage]:
        """Directory objects by id; a refusal or failure becomes the coverage row."""
        from azure.core.exceptions import (
            ClientAuthenticationError,
            HttpResponseError,
            ServiceRequestError,
        )
        from azure.core.rest import HttpRequest

        c = self.c
        client, op = self._graph_client()
        rtype = "Microsoft.Graph/directoryObjects"
        found: dict[str, dict[str, Any]] = {}
        url = f"{c.graph_endpoint}/v1.0/directoryObjects/getByIds"
        try:
            for start in range(0, len(ids), self.graph_batch):
                chunk = ids[start : start + self.graph_batch]
                request = HttpRequest("POST", url, json={"ids": chunk, "types": list(GRAPH_TYPES)})
                response = client.send_request(request, **op)
                if response.status_code != 200:
                    raise HttpResponseError(response=response)
                body = response.json()
                for obj in body.get("value", []) if isinstance(body, dict) else []:
                    if isinstance(obj, dict) and isinstance(obj.get("id"), str):
                        found[obj["id"].lower()] = scrub(obj)
        except ClientAuthenticationError as exc:
            return found, Coverage(
                rtype, status=Status.DENIED, count=len(found), errors=[first_line(exc)]
            )
        except ServiceRequestError as exc:
            return found, Coverage(
                rtype,
                status=Status.FAILED,
                count=len(found),
                errors=[f"cannot reach {c.graph_endpoint}: {first_line(exc)}"],
            )
        except HttpResponseError as exc:
            status = exc.status_code or 0
            kind = {401: Status.DENIED, 403: Status.DENIED, 404: Status.NOT_FOUND}.get(
                status, Status.FAILED
            )
            hint = " (needs Directory.Read.All)" if status in {401, 403} else ""
            return found, Coverage(
                rtype,
                status=kind,
                count=len(found),
                errors=[f"HTTP {status}{hint}: {_graph_error(exc)}"],
            )
        except ValueError as exc:  # a body that is not JSON
            return found, Coverage(
                rtype,
                status=Status.FAILED,
                count=len(found),
                errors=[f"{type(exc).__name__}: {exc}"],
            )
        return found, Coverage(rtype, status=Status.OK, count=len(found))


def _graph_error(exc: Any) -> str:
    """Graph's ``{"error": {"code", "message"}}`` as one line."""
    try:
        err = exc.response.json().get("error", {})
        return f"{err.get('code')}: {err.get('message')}"[:300]
    except Exception:  # any unreadable body falls back to the exception text
        return first_line(exc)
