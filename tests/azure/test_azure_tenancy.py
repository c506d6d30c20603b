"""Whole tenants: management-group assignments down the hierarchy, guests and other tenants' apps.

The real azure-mgmt clients (ARM) and an azure-core pipeline (Microsoft Graph) talk to the local
replay server, which serves the recorded responses in ``fixtures/azure/tenancy`` with paging
(``getEntities`` pages joined by ``nextLink``; Graph ids batched per ``getByIds`` call).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aispm_graph.build import BuildContext, build_graph
from aispm_graph.graph.model import Graph
from aispm_graph.providers.azure.collect import AzureCollector, StaticTokenCredential
from aispm_graph.providers.azure.tenant import TenantCollector
from aispm_graph.workspace import Document, Workspace
from tests.azure.arm_replay import ArmReplay, collect_tenancy, tenancy_server
from tests.azure.arm_replay import built_current as built
from tests.support.cli import CliResult, run_cli

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
FIX = ROOT / "fixtures" / "azure" / "tenancy"
T = "3c1d2b0a-7e6f-4a59-8b4c-0d1e2f3a4b5c"
NORTHWIND = "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d"
MICROSOFT = "f8cdef31-a31e-4b4a-93e4-5f571e91255a"
A = "a1a1a1a1-0000-4000-8000-00000000000a"
B = "b2b2b2b2-0000-4000-8000-00000000000b"
LEGACY = "c3c3c3c3-0000-4000-8000-00000000000c"
MG = "/providers/microsoft.management/managementgroups/"
ACCT_A = (
    f"/subscriptions/{A}/resourcegroups/rg-ai/providers/microsoft.cognitiveservices/"
    "accounts/oai-prod"
)
ACCT_B = (
    f"/subscriptions/{B}/resourcegroups/rg-sandbox/providers/microsoft.cognitiveservices/"
    "accounts/oai-sandbox"
)
DEP_A = f"{ACCT_A}/deployments/gpt-4o-prod"
GUEST = "entra/users/6e0f1a2b-1111-4c3d-8e4f-00000000000a"
OPS = "entra/users/0c4d5e6f-5555-4a7b-8c8d-00000000000e"
DEV = "entra/users/1d5e6f7a-6666-4b8c-9d9e-00000000000f"
FOREIGN_SP = "entra/serviceprincipals/7f1a2b3c-2222-4d4e-9f5a-00000000000b"
MS_SP = "entra/serviceprincipals/8a2b3c4d-3333-4e5f-8a6b-00000000000c"
OWN_SP = "entra/serviceprincipals/9b3c4d5e-4444-4f6a-9b7c-00000000000d"
GET_ENTITIES = "/providers/microsoft.management/getentities"
GET_BY_IDS = "/v1.0/directoryobjects/getbyids"


def load(name: str) -> Any:
    return json.loads((FIX / name).read_text())


@pytest.fixture(scope="module")
def tenant_server() -> Iterator[ArmReplay]:
    server = tenancy_server().start()
    yield server
    server.stop()


@pytest.fixture
def tenant_arm(tenant_server: ArmReplay) -> Iterator[ArmReplay]:
    tenant_server.reset()
    yield tenant_server
    tenant_server.reset()


def run_azure(*args: str) -> CliResult:
    """The CLI with a bearer token for the replay server (never a real credential)."""
    return run_cli(*args, env={"AISPM_AZURE_TOKEN": "t"})


def collect(ws: Path, server: ArmReplay, *extra: str) -> dict[str, Any]:
    return collect_tenancy(ws, server, "--max-workers", "2", *extra)


def edges(graph: Graph, *kinds: str) -> set[tuple[str, str, str]]:
    return {(s, d["kind"], t) for s, t, d in graph.edges() if d["kind"] in kinds}


def edge_data(graph: Graph, src: str, dst: str, kind: str) -> dict[str, Any]:
    found = [d for s, t, d in graph.edges(kind) if s == src and t == dst]
    assert found, f"no {kind} {src} -> {dst}"
    return found[0]


def coverage(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {c["service"]: c for c in rows}


def test_group_assignment_reaches_the_subscription_two_levels_down_and_not_the_sibling(
    tenant_arm: ArmReplay, tmp_path: Path
) -> None:
    out = collect(tmp_path, tenant_arm)
    tenant = coverage(out["tenant"]["coverage"])
    assert out["tenant"]["scope"] == f"tenant-{T}"
    row = tenant["Microsoft.Management/managementGroups"]
    assert (row["status"], row["count"], row["detail"]) == ("ok", 7, "")
    assert tenant["managementGroups/roleAssignments"]["count"] == 3
    assert tenant["managementGroups/roleDefinitions"]["count"] == 1
    # getEntities is a POST, paged by nextLink: seven entities, two per page
    posts = [r for r in tenant_arm.requests if r[1] == "POST" and r[2] == GET_ENTITIES]
    assert len(posts) == 4

    graph = built(tmp_path)
    assert {(s, t) for s, k, t in edges(graph, "CONTAINS") if s.startswith(MG)} == {
        (f"{MG}{T}", f"{MG}mg-corp"),
        (f"{MG}mg-corp", f"{MG}mg-ai"),
        (f"{MG}mg-ai", f"/subscriptions/{A}"),
        (f"{MG}{T}", f"{MG}mg-sandbox"),
        (f"{MG}mg-sandbox", f"/subscriptions/{B}"),
        (f"{MG}mg-sandbox", f"/subscriptions/{LEGACY}"),
    }
    assert graph.node(f"{MG}{T}")["root"] is True
    # in the tree but not collected: kept, and marked as not collected
    assert graph.node(f"/subscriptions/{LEGACY}")["collected"] is False
    assert "collected" not in graph.node(f"/subscriptions/{A}")
    assert graph.node(f"{MG}mg-ai")["name"] == "AI"
    invoke = edges(graph, "CAN_INVOKE")
    # the guest's role at mg-corp reaches ai-prod (mg-corp > mg-ai > ai-prod), not sandbox
    assert (GUEST, "CAN_INVOKE", ACCT_A) in invoke
    assert (GUEST, "CAN_INVOKE", ACCT_B) not in invoke
    data = edge_data(graph, GUEST, ACCT_A, "CAN_INVOKE")
    assert data["confidence"] == "confirmed"
    assert data["evidence"]["scope"].lower() == f"{MG}mg-corp"
    assert data["evidence"]["management_group_path"] == "Corp > AI > ai-prod"
    # the tenant root group reaches both; the custom role defined at mg-ai reaches ai-prod only
    assert {(OPS, "CAN_INVOKE", ACCT_A), (OPS, "CAN_INVOKE", ACCT_B)} <= invoke
    assert (DEV, "CAN_INVOKE", ACCT_A) in invoke and (DEV, "CAN_INVOKE", ACCT_B) not in invoke
    assert edge_data(graph, DEV, ACCT_A, "CAN_INVOKE")["evidence"]["role"] == (
        "AI Chat Invoker (corp)"
    )


def test_no_tenant_skips_the_tenant_reads(tenant_arm: ArmReplay, tmp_path: Path) -> None:
    out = collect(tmp_path, tenant_arm, "--no-tenant")
    assert "tenant" not in out
    assert not [r for r in tenant_arm.requests if r[1] == "POST"]
    graph = built(tmp_path)
    assert not list(graph.nodes("AzureManagementGroup"))
    assert not list(graph.nodes("ExternalAccount"))


def test_resource_graph_ancestors_chain_gives_the_same_reach(tmp_path: Path) -> None:
    export = FIX / "resource-graph.json"
    proc = run_azure("-w", str(tmp_path / "ws"), "import", "azure-resource-graph", str(export))
    assert proc.code == 0, proc.err
    graph = built(tmp_path / "ws")
    assert (f"{MG}mg-ai", "CONTAINS", f"/subscriptions/{A}") in edges(graph, "CONTAINS")
    assert graph.node(f"{MG}{T}")["root"] is True
    invoke = edges(graph, "CAN_INVOKE")
    assert (GUEST, "CAN_INVOKE", ACCT_A) in invoke
    assert (GUEST, "CAN_INVOKE", ACCT_B) not in invoke
    assert edge_data(graph, GUEST, ACCT_A, "CAN_INVOKE")["confidence"] == "confirmed"
    assert {(OPS, "CAN_INVOKE", ACCT_A), (OPS, "CAN_INVOKE", ACCT_B)} <= invoke

    # Without the resourcecontainers rows nothing says where mg-corp sits: every subscription
    # is assumed, and the edge says it is only inferred.
    rows = [
        r
        for r in load("resource-graph.json")["data"]
        if r["type"] != "microsoft.resources/subscriptions"
    ]
    flat = tmp_path / "no-containers.json"
    flat.write_text(json.dumps({"data": rows}))
    proc = run_azure("-w", str(tmp_path / "ws2"), "import", "azure-resource-graph", str(flat))
    assert proc.code == 0, proc.err
    graph = built(tmp_path / "ws2")
    assert edge_data(graph, GUEST, ACCT_B, "CAN_INVOKE")["confidence"] == "inferred"


def test_getentities_denied_is_a_gap_and_group_grants_keep_every_listing_subscription(
    tenant_arm: ArmReplay, tmp_path: Path
) -> None:
    tenant_arm.denied_paths.add(GET_ENTITIES)
    out = collect(tmp_path, tenant_arm)
    gap = coverage(out["tenant"]["coverage"])["Microsoft.Management/managementGroups"]
    assert gap["status"] == "denied" and "403" in gap["detail"]
    assert sorted(s["subscription"] for s in out["subscriptions"]) == [A, B]
    graph = built(tmp_path)
    assert not list(graph.nodes("AzureManagementGroup"))
    # The root-group assignment is listed by both subscriptions (one assignment id, two
    # documents): both listings count, so both accounts keep the grant.
    root_assignment = (
        f"{MG}{T}/providers/microsoft.authorization/roleassignments/"
        "e1000000-0000-4000-8000-000000000002"
    )
    assert sorted(graph.node(root_assignment)["collected_for_subscriptions"]) == [A, B]
    invoke = edges(graph, "CAN_INVOKE")
    assert {(OPS, "CAN_INVOKE", ACCT_A), (OPS, "CAN_INVOKE", ACCT_B)} <= invoke
    assert edge_data(graph, OPS, ACCT_B, "CAN_INVOKE")["confidence"] == "confirmed"
    # mg-corp's assignment was listed by ai-prod only, so the fallback still stops there
    assert (GUEST, "CAN_INVOKE", ACCT_A) in invoke and (GUEST, "CAN_INVOKE", ACCT_B) not in invoke


def test_one_assignment_listed_by_two_subscriptions_grants_in_both() -> None:
    """The transform once kept only the last listing's subscription (last document wins)."""
    arm = {d["id"].lower(): d for d in load("arm.json")}
    assignment = next(
        d for k, d in arm.items() if k.endswith("e1000000-0000-4000-8000-000000000002")
    )
    docs = [
        *(
            Document("azure", s, k, d)
            for s in (A, B)
            for k, d in arm.items()
            if k.startswith(f"/subscriptions/{s}")
        ),
        Document("azure", A, assignment["id"].lower(), assignment),
        Document("azure", B, assignment["id"].lower(), assignment),
    ]
    graph = build_graph(docs, BuildContext())
    invoke = edges(graph, "CAN_INVOKE")
    assert {(OPS, "CAN_INVOKE", ACCT_A), (OPS, "CAN_INVOKE", ACCT_B)} <= invoke
    for src, dst in ((OPS, ACCT_A), (OPS, ACCT_B)):
        assert edge_data(graph, src, dst, "CAN_INVOKE")["confidence"] == "confirmed"


def test_graph_denied_is_a_gap_and_the_run_goes_on(tenant_arm: ArmReplay, tmp_path: Path) -> None:
    tenant_arm.denied_paths.add(GET_BY_IDS)
    out = collect(tmp_path, tenant_arm)
    for result in out["subscriptions"]:
        gap = coverage(result["coverage"])["Microsoft.Graph/directoryObjects"]
        assert gap["status"] == "denied"
        assert "403" in gap["detail"] and "Directory.Read.All" in gap["detail"]
    graph = built(tmp_path)
    assert not list(graph.nodes("ExternalAccount"))
    # RBAC is derived as before; the guest is just not known to be one
    assert (GUEST, "CAN_INVOKE", ACCT_A) in edges(graph, "CAN_INVOKE")


def paths_json(ws: Path) -> list[dict[str, Any]]:
    proc = run_azure("-w", str(ws), "build")
    assert proc.code == 0, proc.err
    proc = run_azure("-w", str(ws), "paths", "--entry", "credentials", "--format", "json")
    assert proc.code == 0, proc.err
    paths: list[dict[str, Any]] = json.loads(proc.out)["paths"]
    return paths


def test_guest_and_foreign_app_paths_cross_the_tenant_boundary(
    tenant_arm: ArmReplay, tmp_path: Path
) -> None:
    collect(tmp_path, tenant_arm)
    routes = {tuple(n["id"] for n in p["nodes"]) for p in paths_json(tmp_path)}
    fabrikam, northwind = "entra/tenants/fabrikam.com", f"entra/tenants/{NORTHWIND}"
    assert (fabrikam, GUEST, ACCT_A, DEP_A) in routes
    assert (northwind, FOREIGN_SP, ACCT_A, DEP_A) in routes
    # nothing starts at Microsoft's tenant or our own, and the guest does not reach sandbox
    starts = {r[0] for r in routes if r[0].startswith("entra/tenants/")}
    assert starts == {fabrikam, northwind}
    assert not any(GUEST in r and ACCT_B in r for r in routes)

    graph = built(tmp_path)
    ext = edge_data(graph, fabrikam, GUEST, "CAN_ASSUME")
    assert ext["confidence"] == "inferred"
    assert "az role assignment delete --assignee" in ext["evidence"]["fix"]
    assert "cross-tenant access" in ext["evidence"]["fix"]
    guest = graph.node(GUEST)
    assert guest["external"] is True and guest["home_domain"] == "fabrikam.com"
    assert guest["name"] == "Alice Fabrikam"
    foreign = graph.node(FOREIGN_SP)
    assert foreign["app_owner_tenant"] == NORTHWIND and foreign["external"] is True
    ms = graph.node(MS_SP)
    assert ms["first_party"] is True and ms["external"] is False
    assert graph.node(OWN_SP)["external"] is False
    assert graph.node(fabrikam)["provider"] == "azure"
    assert graph.node(fabrikam)["collected"] is False
    # first-party and own principals have no way in from outside
    assert {s for s, _k, t in edges(graph, "CAN_ASSUME") if t in {MS_SP, OWN_SP, OPS}} == set()
    # only identifying fields of principals are stored: no credential metadata
    snap = Workspace(tmp_path).current()
    assert snap is not None
    stored = [d.body for d in snap.documents() if d.key.startswith("entra/directoryobjects/")]
    assert len({b["id"] for b in stored}) == 6
    assert not any("passwordCredentials" in b or "keyCredentials" in b for b in stored)


def test_principal_ids_are_batched_per_getbyids_call(tenant_arm: ArmReplay) -> None:
    collector = AzureCollector(
        StaticTokenCredential("t"), tenant_arm.url, graph_endpoint=tenant_arm.url
    )
    results = [collector.collect(A), collector.collect(B)]
    tenant = TenantCollector(collector, graph_batch=2).collect(results)
    batches = tenant_arm.graph_batches
    assert all(len(b) <= 2 for b in batches) and len(batches) == 3
    assert len({i for b in batches for i in b}) == 6  # each id asked once, across all scopes
    graph_auth = [r[3] for r in tenant_arm.requests if r[2] == GET_BY_IDS]
    assert graph_auth and all(a == "Bearer t" for a in graph_auth)
    # each scope stores the principals its own assignments name
    in_a = {d.key for d in results[0].documents if d.key.startswith("entra/")}
    in_b = {d.key for d in results[1].documents if d.key.startswith("entra/")}
    in_tenant = {d.key for d in tenant.documents if d.key.startswith("entra/")}
    assert len(in_a) == 6 and len(in_tenant) == 3
    # sandbox lists only the tenant-root assignment (the others sit in other branches)
    assert in_b == {"entra/directoryobjects/0c4d5e6f-5555-4a7b-8c8d-00000000000e"}


@pytest.mark.parametrize(
    "body",
    [
        {"@odata.type": "#microsoft.graph.user"},
        {"@odata.type": "#microsoft.graph.servicePrincipal", "id": 7},
        {"@odata.type": "#microsoft.graph.device", "id": "x"},
        {"@odata.type": "#microsoft.graph.user", "id": "u1", "userPrincipalName": ["#EXT#"]},
        {
            "@odata.type": "#microsoft.graph.servicePrincipal",
            "id": "s1",
            "appOwnerOrganizationId": {"nested": True},
        },
    ],
)
def test_malformed_directory_objects_do_not_break_the_build(body: dict[str, Any]) -> None:
    docs = [
        Document("azure", "tenant", "entra/directoryobjects/x", body),
        *(Document("azure", A, d["id"].lower(), d) for d in load("arm.json")),
    ]
    graph = build_graph(docs, BuildContext())
    assert (GUEST, "CAN_INVOKE", ACCT_A) in edges(graph, "CAN_INVOKE")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)


def tenancy_documents() -> list[Document]:
    """Every tenancy input as documents: ARM, getEntities rows, Graph objects, ARG rows."""
    docs = [Document("azure", A, d["id"].lower(), d) for d in load("arm.json")]
    docs += [Document("azure", f"tenant-{T}", e["id"].lower(), e) for e in load("entities.json")]
    docs += [
        Document("azure", A, f"entra/directoryobjects/{o['id']}", o) for o in load("directory.json")
    ]
    docs += [
        Document("azure", "rg", r["id"].lower(), r)
        for r in load("resource-graph.json")["data"]
        if r["type"] == "microsoft.resources/subscriptions"
    ]
    return docs


@settings(max_examples=60, deadline=None)
@given(
    index=st.integers(min_value=0, max_value=10_000),
    field=st.sampled_from(
        [
            "properties",
            "parent",
            "managementGroupAncestorsChain",
            "tenantId",
            "userPrincipalName",
            "appOwnerOrganizationId",
            "@odata.type",
            "type",
        ]
    ),
    value=json_values,
)
def test_hostile_tenancy_records_never_break_the_build(index: int, field: str, value: Any) -> None:
    docs = tenancy_documents()
    victim = docs[index % len(docs)]
    body = json.loads(json.dumps(victim.body))
    inner = body.get("properties")
    if field in {"parent", "managementGroupAncestorsChain"} and isinstance(inner, dict):
        inner[field] = value
    else:
        body[field] = value
    docs[index % len(docs)] = Document("azure", victim.scope, victim.key, body)
    build_graph(docs, BuildContext())  # bad records become warnings, never exceptions
