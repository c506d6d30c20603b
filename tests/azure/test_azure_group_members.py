"""Roles assigned to groups: whoever is in the group (nested groups included) holds them.

The tenancy estate of ``fixtures/azure/tenancy`` plus ``fixtures/azure/groups``: a security
group holds *Cognitive Services OpenAI User* on the production resource group, and its
transitive members (read from Microsoft Graph, paged) are a B2B guest, a member user, a managed
identity and a device. Everything goes through the real collector (azure-mgmt clients and the
azure-core Graph pipeline) against the local replay server, then the CLI's build and paths.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.azure.arm_replay import ArmReplay, tenancy_server
from tests.azure.arm_replay import azure_cli as cli
from tests.azure.arm_replay import built_current as built
from tests.azure.arm_replay import collect_tenancy as collect

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
GROUPS = ROOT / "fixtures" / "azure" / "groups"
GROUP_ID = "4a5b6c7d-8888-4e9f-8a0b-000000000011"
GROUP = f"entra/groups/{GROUP_ID}"
GUEST = "entra/users/8e9fa0b1-cccc-4c3d-8e4f-000000000015"
CAROL = "entra/users/9fa0b1c2-dddd-4d4e-9f5a-000000000016"
NESTED = "entra/groups/5b6c7d8e-9999-4f0a-9b1c-000000000012"
RG = "/subscriptions/a1a1a1a1-0000-4000-8000-00000000000a/resourcegroups/rg-ai"
MI = f"{RG}/providers/microsoft.managedidentity/userassignedidentities/id-rag-worker"
ACCT = f"{RG}/providers/microsoft.cognitiveservices/accounts/oai-prod"
DEPLOYMENT = f"{ACCT}/deployments/gpt-4o-prod"
MEMBERS_PATH = f"/v1.0/groups/{GROUP_ID}/transitivemembers"


@pytest.fixture(scope="module")
def server() -> Iterator[ArmReplay]:
    srv = tenancy_server(GROUPS).start()
    yield srv
    srv.stop()


@pytest.fixture
def arm(server: ArmReplay) -> Iterator[ArmReplay]:
    server.reset()
    yield server
    server.reset()


def members_coverage(out: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        c
        for s in out["subscriptions"]
        for c in s["coverage"]
        if c["service"] == "Microsoft.Graph/groups/transitiveMembers"
    ]


def test_group_members_hold_the_groups_role(arm: ArmReplay, tmp_path: Path) -> None:
    out = collect(tmp_path, arm)
    cov = members_coverage(out)
    assert [(c["status"], c["count"]) for c in cov] == [("ok", 5)]
    # three pages of two, followed by @odata.nextLink
    assert sum(1 for _t, _m, p, _a in arm.requests if p == MEMBERS_PATH) == 3
    graph = built(tmp_path)
    member_of = {(s, t) for s, t, _ in graph.edges("MEMBER_OF")}
    assert member_of == {(GUEST, GROUP), (MI, GROUP)}
    # a member of our own tenant is no way in by itself, nested groups are flattened, and
    # a device is not a principal
    assert not graph.has_node(CAROL)
    assert not graph.has_node(NESTED)
    assert graph.node(GUEST)["home_domain"] == "northwind.example"
    assert ("entra/tenants/northwind.example", GUEST) in {
        (s, t) for s, t, _ in graph.edges("CAN_ASSUME")
    }
    assert (GROUP, ACCT) in {(s, t) for s, t, _ in graph.edges("CAN_INVOKE")}
    edge = graph.edge(GUEST, GROUP, "MEMBER_OF")
    assert edge is not None
    assert "ai-app-users" in edge["evidence"]["fix"]


def test_guest_through_a_group_is_an_assumed_breach_path(arm: ArmReplay, tmp_path: Path) -> None:
    collect(tmp_path, arm)
    assert cli(tmp_path, "build").code == 0
    proc = cli(tmp_path, "paths", "--entry", "credentials", "--format", "json")
    assert proc.code == 0, proc.err
    paths = json.loads(proc.out)["paths"]
    routes = {tuple(n["id"] for n in p["nodes"]) for p in paths}
    # the account passes the path on to the deployment it serves
    assert ("entra/tenants/northwind.example", GUEST, GROUP, ACCT, DEPLOYMENT) in routes
    path = next(p for p in paths if p["nodes"][1]["id"] == GUEST)
    assert path["title"].startswith("Outside the estate: Entra tenant northwind.example via ")
    assert [e["kind"] for e in path["edges"]][:3] == ["CAN_ASSUME", "MEMBER_OF", "CAN_INVOKE"]


def test_denied_member_listing_is_a_gap_and_the_rest_stands(arm: ArmReplay, tmp_path: Path) -> None:
    arm.denied_paths.add(MEMBERS_PATH)
    out = collect(tmp_path, arm)
    cov = members_coverage(out)
    assert [c["status"] for c in cov] == ["denied"]
    assert "GroupMember.Read.All" in cov[0]["detail"]
    graph = built(tmp_path)
    assert not any(True for _ in graph.edges("MEMBER_OF"))
    assert (GROUP, ACCT) in {(s, t) for s, t, _ in graph.edges("CAN_INVOKE")}


def test_a_next_page_on_another_host_is_not_followed(arm: ArmReplay, tmp_path: Path) -> None:
    """The bearer token goes to the Graph endpoint only, whatever a response links to."""
    arm.next_link_host = "http://127.0.0.1:9"
    out = collect(tmp_path, arm)
    cov = members_coverage(out)
    assert [c["status"] for c in cov] == ["failed"]
    assert "leaves" in cov[0]["detail"]
    assert sum(1 for _t, _m, p, _a in arm.requests if p == MEMBERS_PATH) == 1
