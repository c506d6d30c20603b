"""Google Groups membership: ``aispm collect gcp`` reads it with the real Cloud Identity client.

The replay server (tests/gcp/replay.py) answers ``groups.lookup`` and
``searchTransitiveMemberships`` with recorded JSON in the API's own shapes, two members a page.
The demo project gains a binding of ``roles/aiplatform.user`` to ``ml-invokers@acme.example``,
which holds the nested group ``research-team@acme.example`` and, through it, the service
account of the internet-exposed Workbench VM; and one to a group of another organisation that
Cloud Identity does not know (404). The CLI runs as a subprocess; graphs are built from the
snapshot it wrote.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from aispm_graph.build import BuildContext, build_graph
from aispm_graph.graph.model import Graph
from aispm_graph.providers.gcp.groups import collect_groups
from aispm_graph.providers.gcp.result import CollectResult
from aispm_graph.workspace import Document, Workspace
from tests.conftest import run_cli
from tests.gcp.conftest import SCOPE, build, collect_gcp, demo_records, demo_rows, edges
from tests.gcp.replay import Recording, ReplayServer
from tests.gcp.test_gcp_paths import EP, MODEL, PROJECT, WB_SA, ZONE

pytestmark = [pytest.mark.integration, pytest.mark.slow]

PROJECT_IAM = "//cloudresourcemanager.googleapis.com/projects/714523698012"
INVOKERS = "group:ml-invokers@acme.example"
FOREIGN = "group:partners@other.example"
CONTRACTOR = "user:contractor@partner.example"
GROUP_PATH = ("internet", f"{ZONE}/wb-research-01", WB_SA, INVOKERS, EP, MODEL)


def group_rows() -> list[dict[str, Any]]:
    """The demo listings plus the project bindings of the two groups."""
    rows = copy.deepcopy(demo_rows())
    for row in rows:
        for asset in row["body"]["assets"]:
            if asset["name"] == PROJECT_IAM and "iam_policy" in asset:
                asset["iam_policy"]["bindings"].append(
                    {"role": "roles/aiplatform.user", "members": [INVOKERS, FOREIGN]}
                )
                return rows
    raise AssertionError("no project IAM policy in the demo listings")


def collect(ws: Path, server: ReplayServer, *extra: str, fmt: str = "json") -> dict[str, Any]:
    res = collect_gcp(server.url, ws, "--no-effective-policies", *extra, "--format", fmt)
    assert res.code == 0, res.err
    return {"out": res.json() if fmt == "json" else res.out, "err": res.err}


def snapshot_graph(ws: Path) -> Graph:
    snap = Workspace(ws).current()
    assert snap is not None
    return build_graph(list(snap.documents()), BuildContext())


def paths(ws: Path) -> dict[tuple[str, ...], dict[str, Any]]:
    res = run_cli("build", workspace=ws)
    assert res.code == 0, res.err
    res = run_cli("paths", "--format", "json", workspace=ws)
    assert res.code == 0, res.err
    return {tuple(n["id"] for n in p["nodes"]): p for p in res.json()["paths"]}


@pytest.fixture(scope="module")
def server() -> Iterator[ReplayServer]:
    srv = ReplayServer(Recording.from_documents(group_rows(), page_size=50)).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def collected(server: ReplayServer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    ws = tmp_path_factory.mktemp("gcp-groups") / "ws"
    return {"ws": ws, **collect(ws, server)}


def test_service_account_in_a_nested_group_reaches_vertex(collected: dict[str, Any]) -> None:
    found = paths(collected["ws"])
    assert GROUP_PATH in found
    path = found[GROUP_PATH]
    kinds = [e["kind"] for e in path["edges"]]
    assert kinds == ["INTERNET_EXPOSED", "HAS_IDENTITY", "MEMBER_OF", "CAN_INVOKE", "SERVES"]
    member_of = path["edges"][2]["evidence"]
    assert member_of["group"] == "ml-invokers@acme.example"
    assert member_of["relation"] == "member through a nested group"
    assert member_of["fix"].startswith(
        "Remove wb-research@acme-vertex-prod.iam.gserviceaccount.com from group "
        "ml-invokers@acme.example (or from the nested group that brings it in)"
    )
    invoke = path["edges"][3]["evidence"]
    assert invoke["grant"] == f"roles/aiplatform.user for {INVOKERS} on project acme-vertex-prod"


def test_paging_is_followed_and_the_unknown_group_is_its_own_gap(
    collected: dict[str, Any], server: ReplayServer
) -> None:
    out = collected["out"]
    rows = {c["service"]: c for c in out["coverage"] if c["scope"] == "GROUP_MEMBERS"}
    # Only the bound groups are asked for (the nested one is flattened by the API).
    assert set(rows) == {
        "group:cloud-admins@acme.example",
        "group:ml-auditors@acme.example",
        "group:support@acme.example",
        INVOKERS,
        FOREIGN,
    }
    assert (rows[INVOKERS]["status"], rows[INVOKERS]["count"], rows[INVOKERS]["pages"]) == (
        "ok",
        6,
        3,
    )
    assert rows[FOREIGN]["status"] == "not-found"
    assert out["gaps"] == [f"{FOREIGN} GROUP_MEMBERS"]
    assert out["group_members"] == 1 + 2 + 1 + 6
    tokens = {r["page"] for r in server.requests if r["content_type"] == "GROUP_MEMBERS"}
    assert {"m-1", "m-2"} <= tokens
    assert any(
        r["query"].get("groupKey.id") == ["ml-invokers@acme.example"]
        for r in server.requests
        if r["content_type"] == "GROUP_MEMBERS"
    )


def test_member_edges_and_what_is_stored(collected: dict[str, Any]) -> None:
    graph = snapshot_graph(collected["ws"])
    # The SA always; the outside user; the known user (bound as owner); not alice/bob/carol.
    assert edges(graph, "MEMBER_OF") == {
        (WB_SA, INVOKERS),
        (CONTRACTOR, INVOKERS),
        ("user:platform-lead@acme.example", "group:cloud-admins@acme.example"),
    }
    assert graph.node(CONTRACTOR)["external_domain"] == "partner.example"
    assert not graph.has_node("user:alice@acme.example")
    assert graph.node(INVOKERS)["member_count"] == 6
    snap = Workspace(collected["ws"]).current()
    assert snap is not None
    [doc] = [d for d in snap.documents() if d.key == "cloudidentity:groups"]
    members = doc.body["groups"]["ml-invokers@acme.example"]["members"]
    assert {frozenset(m) for m in members} == {frozenset({"email", "kind", "relation"})}
    assert {m["email"]: m["kind"] for m in members}["research-team@acme.example"] == "group"
    assert "users/1002003" not in json.dumps(doc.body)  # directory ids are not kept


def test_api_refused_is_one_gap_and_the_group_binding_stays(tmp_path: Path) -> None:
    srv = ReplayServer(
        Recording.from_documents(group_rows(), page_size=50, identity_disabled=True)
    ).start()
    try:
        out = collect(tmp_path / "ws", srv)["out"]
    finally:
        srv.stop()
    assert out["gaps"] == ["cloudidentity.googleapis.com GROUP_MEMBERS"]
    [gap] = [c for c in out["coverage"] if c["scope"] == "GROUP_MEMBERS"]
    assert gap["status"] == "denied" and "not usable" in gap["detail"]
    graph = snapshot_graph(tmp_path / "ws")
    assert edges(graph, "MEMBER_OF") == set()
    assert (INVOKERS, PROJECT) in edges(graph, "ASSIGNED")
    assert (INVOKERS, EP) in edges(graph, "CAN_INVOKE")
    assert GROUP_PATH not in paths(tmp_path / "ws")


def test_a_denied_group_is_a_gap_for_that_group_only(tmp_path: Path) -> None:
    rec = Recording.from_documents(group_rows(), page_size=50)
    rec.deny_groups.add("ml-invokers@acme.example")
    srv = ReplayServer(rec).start()
    try:
        out = collect(tmp_path / "ws", srv)["out"]
    finally:
        srv.stop()
    assert sorted(out["gaps"]) == sorted([f"{FOREIGN} GROUP_MEMBERS", f"{INVOKERS} GROUP_MEMBERS"])
    row = next(c for c in out["coverage"] if c["service"] == INVOKERS)
    assert row["status"] == "denied" and "Groups Reader" in row["detail"]
    graph = snapshot_graph(tmp_path / "ws")
    assert edges(graph, "MEMBER_OF") == {
        ("user:platform-lead@acme.example", "group:cloud-admins@acme.example")
    }


def test_no_groups_asks_nothing_and_table_lists_groups(
    server: ReplayServer, tmp_path: Path
) -> None:
    before = len(server.requests)
    collect(tmp_path / "off", server, "--no-groups")
    assert not [r for r in server.requests[before:] if r["content_type"] == "GROUP_MEMBERS"]
    text = collect(tmp_path / "on", server, fmt="table")["out"]
    assert "Group membership (Cloud Identity)" in text
    assert "group:partners@other.example" in text and "not-found" in text
    assert "10 group memberships" in text


def test_a_group_over_the_cap_is_partial(server: ReplayServer) -> None:
    from google.oauth2.credentials import Credentials

    policy = {"bindings": [{"role": "roles/viewer", "members": [INVOKERS]}]}
    result = CollectResult(SCOPE)
    result.documents.append(
        Document("gcp", SCOPE, "iam", {"assets": [{"name": "x", "iam_policy": policy}]})
    )
    collect_groups(result, Credentials("test-token-not-a-secret"), server.url, max_members=3)
    [cov] = result.coverage
    assert (cov.status, cov.count) == ("partial", 3)
    [doc] = [d for d in result.documents if d.key == "cloudidentity:groups"]
    assert len(doc.body["groups"]["ml-invokers@acme.example"]["members"]) == 3


def test_users_are_added_when_the_organisation_domain_is_unknown() -> None:
    records = [r for r in demo_records() if not r["asset_type"].endswith("/Organization")]
    members = [
        {"email": "alice@acme.example", "kind": "user", "relation": "DIRECT"},
        {"email": "research-team@acme.example", "kind": "group", "relation": "DIRECT"},
    ]
    docs = [
        Document("gcp", "t", "assets", {"assets": records}),
        Document(
            "gcp",
            "t",
            "cloudidentity:groups",
            {"groups": {"support@acme.example": {"members": members}}},
        ),
    ]
    graph = build_graph(docs, BuildContext())
    assert edges(graph, "MEMBER_OF") == {("user:alice@acme.example", "group:support@acme.example")}


def test_bad_membership_records_are_named_and_skipped() -> None:
    graph, _ = build(demo_records())  # the unmodified graph, for contrast
    assert edges(graph, "MEMBER_OF") == set()
    ctx = BuildContext()
    docs = [
        Document("gcp", "t", "assets", {"assets": demo_records()}),
        Document(
            "gcp",
            "t",
            "cloudidentity:groups",
            {
                "groups": {
                    "support@acme.example": {"members": [{"kind": "user"}, "x"]},
                    "ml-auditors@acme.example": {"members": "nope"},
                }
            },
        ),
    ]
    graph = build_graph(docs, ctx)
    assert edges(graph, "MEMBER_OF") == set()
    text = "\n".join(ctx.warnings)
    assert "group support@acme.example: member 0: field 'email' missing; skipped" in text
    assert "group ml-auditors@acme.example: field 'members': not a list; skipped" in text


def test_without_the_transitive_search_nested_groups_are_walked(tmp_path: Path) -> None:
    """Editions without searchTransitiveMemberships (403): memberships.list, group by group."""
    rec = Recording.from_documents(group_rows(), page_size=50, premium=False)
    srv = ReplayServer(rec).start()
    try:
        out = collect(tmp_path / "ws", srv)["out"]
        lists = [r["path"] for r in srv.requests if r["path"].endswith("/memberships")]
    finally:
        srv.stop()
    assert out["gaps"] == [f"{FOREIGN} GROUP_MEMBERS"]
    row = next(c for c in out["coverage"] if c["service"] == INVOKERS)
    assert (row["status"], row["count"]) == ("ok", 6)
    assert "memberships.list" in row["detail"]
    # The nested group was listed through its own name.
    assert "/v1/groups/01baon6m1xdh0f/memberships" in lists
    snap = Workspace(tmp_path / "ws").current()
    assert snap is not None
    [doc] = [d for d in snap.documents() if d.key == "cloudidentity:groups"]
    relations = {
        m["email"]: m["relation"] for m in doc.body["groups"]["ml-invokers@acme.example"]["members"]
    }
    assert relations == {
        "research-team@acme.example": "DIRECT",
        "alice@acme.example": "DIRECT",
        "carol@acme.example": "DIRECT_AND_INDIRECT",
        "contractor@partner.example": "DIRECT",
        "wb-research@acme-vertex-prod.iam.gserviceaccount.com": "INDIRECT",
        "bob@acme.example": "INDIRECT",
    }
    assert GROUP_PATH in paths(tmp_path / "ws")


def test_outside_service_account_in_a_group_is_a_way_in() -> None:
    """An uncollected project's account in the group: its project can act as it."""
    records = [a for row in group_rows() for a in row["body"]["assets"]]
    outside = "etl@partner-etl.iam.gserviceaccount.com"
    members = [{"email": outside, "kind": "serviceAccount", "relation": "DIRECT"}]
    docs = [
        Document("gcp", "t", "assets", {"assets": records}),
        Document(
            "gcp",
            "t",
            "cloudidentity:groups",
            {"groups": {"ml-invokers@acme.example": {"members": members}}},
        ),
    ]
    graph = build_graph(docs, BuildContext())
    sa = f"//iam.googleapis.com/projects/partner-etl/serviceAccounts/{outside}"
    ext = "//cloudresourcemanager.googleapis.com/projects/partner-etl"
    assert (sa, INVOKERS) in edges(graph, "MEMBER_OF")
    assert (ext, sa) in edges(graph, "CAN_ASSUME")
    assert (
        "member of group ml-invokers@acme.example"
        in graph.edge(ext, sa, "CAN_ASSUME")["evidence"]["used"]
    )
    assert (INVOKERS, EP) in edges(graph, "CAN_INVOKE")


def test_unreachable_cloud_identity_is_a_gap_not_a_failure(
    server: ReplayServer, tmp_path: Path
) -> None:
    out = collect(tmp_path / "ws", server, "--cloudidentity-endpoint", "http://127.0.0.1:9")["out"]
    assert out["gaps"] == ["cloudidentity.googleapis.com GROUP_MEMBERS"]
    [gap] = [c for c in out["coverage"] if c["scope"] == "GROUP_MEMBERS"]
    assert gap["status"] == "failed" and "cannot reach the Cloud Identity API" in gap["detail"]
    assert out["assets"] > 0  # the listings are written all the same


def test_an_unreadable_nested_group_leaves_the_walk_partial(tmp_path: Path) -> None:
    rec = Recording.from_documents(group_rows(), page_size=50, premium=False)
    rec.deny_groups.add("research-team@acme.example")
    srv = ReplayServer(rec).start()
    try:
        out = collect(tmp_path / "ws", srv)["out"]
    finally:
        srv.stop()
    row = next(c for c in out["coverage"] if c["service"] == INVOKERS)
    assert (row["status"], row["count"]) == ("partial", 4)
    assert "groups/01baon6m1xdh0f (403)" in row["detail"]
    assert f"{INVOKERS} GROUP_MEMBERS" in out["gaps"]
    graph = snapshot_graph(tmp_path / "ws")
    assert (CONTRACTOR, INVOKERS) in edges(graph, "MEMBER_OF")
    assert (WB_SA, INVOKERS) not in edges(graph, "MEMBER_OF")
