"""Entra ID escalation end to end: Microsoft Graph read by the real collector, paths by the CLI.

The escalation estate (``fixtures/azure/escalation``, on top of the tenancy estate) is served by
the ARM/Graph replay: directory role definitions and assignments, applications with their
owners and credential metadata, group owners, agent identities (Graph beta). The technique
records' own positive and negative cases are in ``test_azure_escalation_techniques.py``; this
module checks what a user sees: paths from a compromised principal through the Entra step to
the Azure OpenAI account the target identity can use, the evidence naming the role or the
ownership, the coverage gaps with the Graph permission they need, and that no credential value
reaches the snapshot.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from aispm_graph.graph.model import Graph
from tests.azure.arm_replay import ArmReplay, tenancy_server
from tests.azure.arm_replay import azure_cli as cli
from tests.azure.arm_replay import built_current as built
from tests.azure.arm_replay import collect_tenancy as collect
from tests.azure.test_azure_escalation_techniques import (
    ACCT,
    AGENT_DEVELOPER,
    AGENT_IDENTITY,
    APP_ADMIN,
    APP_OWNER,
    GLOBAL_ADMIN,
    GROUP_OWNER,
    GROUP_ROLE_ASSIGNABLE,
    GROUP_STATIC,
    GROUPS_ADMIN,
    HELPDESK,
    SP_BATCH,
    SP_OWNER,
    SP_RAG,
    SUB,
    USER_PLAIN,
)

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "fixtures" / "azure" / "escalation"
DEPLOYMENT = f"{ACCT}/deployments/gpt-4o-prod"
APP_CREDENTIALS = "microsoft.directory/applications/credentials/update"
ROLE_ASSIGNMENTS_PATH = "/v1.0/rolemanagement/directory/roleassignments"
AGENTS_PATH = "/beta/serviceprincipals/microsoft.graph.agentidentity"
APP_OWNERS_PATH = "/v1.0/applications/e5e20000-0000-4000-8000-000000000001/owners"
GROUP_MEMBER_USER = "entra/users/e5e50000-0000-4000-8000-000000000005"
ADMIN_GROUP = "entra/groups/e5e40000-0000-4000-8000-000000000004"
ADMIN_GROUP_MEMBER = "entra/users/e5e50000-0000-4000-8000-000000000006"


@pytest.fixture(scope="module")
def server() -> Iterator[ArmReplay]:
    srv = tenancy_server(FIXTURE).start()
    yield srv
    srv.stop()


@pytest.fixture
def arm(server: ArmReplay) -> Iterator[ArmReplay]:
    server.reset()
    yield server
    server.reset()


def tenant_rows(out: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["service"]: c for c in out["tenant"]["coverage"]}


def sub_rows(out: dict[str, Any], service: str) -> list[dict[str, Any]]:
    return [c for s in out["subscriptions"] for c in s["coverage"] if c["service"] == service]


@pytest.fixture(scope="module")
def estate(server: ArmReplay, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Graph]:
    server.reset()
    ws = tmp_path_factory.mktemp("entra")
    collect(ws, server)
    return ws, built(ws)


def test_paths_run_through_entra_steps_to_the_ai_account(estate: tuple[Path, Graph]) -> None:
    ws, _graph = estate
    assert cli(ws, "build").code == 0
    # every route: a helpdesk role reaches the account through several users, and the
    # default lists only the best few of each (entry, target) pair
    proc = cli(ws, "paths", "--entry", "credentials", "--all-routes", "--format", "json")
    assert proc.code == 0, proc.err
    paths = json.loads(proc.out)["paths"]
    routes = {tuple(n["id"] for n in p["nodes"]) for p in paths}
    # a compromised principal, the Entra step, the identity's Azure role, the AI account and
    # the deployment it serves
    for entry, via in (
        (APP_ADMIN, SP_RAG),  # Application Administrator adds a secret
        (APP_OWNER, SP_RAG),  # owner of the application adds a secret
        (SP_OWNER, SP_BATCH),  # owner of the service principal adds a secret
        (GROUPS_ADMIN, GROUP_STATIC),  # Groups Administrator joins the group
        (GROUP_OWNER, GROUP_ROLE_ASSIGNABLE),  # owner joins even a role-assignable group
        (HELPDESK, USER_PLAIN),  # Helpdesk Administrator resets the user's password
        (AGENT_DEVELOPER, AGENT_IDENTITY),  # blueprint owner acts as the agent identity
    ):
        assert (entry, via, ACCT, DEPLOYMENT) in routes, (entry, via)
    # a member of a (role-assignable) group that holds Cloud Application Administrator
    assert (ADMIN_GROUP_MEMBER, ADMIN_GROUP, SP_RAG, ACCT, DEPLOYMENT) in routes
    # a member of a group holding the role, reached by resetting the member's password
    assert (HELPDESK, GROUP_MEMBER_USER, GROUP_STATIC, ACCT, DEPLOYMENT) in routes
    path = next(p for p in paths if [n["id"] for n in p["nodes"]][:2] == [APP_ADMIN, SP_RAG])
    first = path["edges"][0]
    assert first["kind"] == "CAN_ESCALATE_TO"
    assert first["evidence"]["role"] == "Application Administrator"
    assert first["evidence"]["technique_id"] == "az-entra-role-add-credential"
    assert path["edges"][1]["kind"] == "CAN_INVOKE"  # the service principal's Azure role
    reset = next(p for p in paths if [n["id"] for n in p["nodes"]][:2] == [HELPDESK, USER_PLAIN])
    assert reset["edges"][0]["confidence"] == "conditional"
    assert "MFA" in reset["edges"][0]["evidence"]["condition"]


def test_evidence_names_the_role_or_ownership(estate: tuple[Path, Graph]) -> None:
    _ws, graph = estate
    ev = graph.edge(APP_ADMIN, SP_RAG, "CAN_ESCALATE_TO")["evidence"]  # type: ignore[index]
    assert ev["permission"] == APP_CREDENTIALS
    assert "tenant-wide" in ev["grant"] and "Application Administrator" in ev["grant"]
    assert "rag-app" in ev["technique"] and "rag-app" in ev["fix"]
    assert ev["reference"].startswith("BloodHound AZAddSecret")
    ev = graph.edge(APP_OWNER, SP_RAG, "CAN_ESCALATE_TO")["evidence"]  # type: ignore[index]
    assert ev["ownership"] == "owner of the application rag-app"
    assert {(s, t) for s, t, _ in graph.edges("OWNS")} == {
        (AGENT_DEVELOPER, AGENT_IDENTITY),
        (APP_OWNER, SP_RAG),
        (SP_OWNER, SP_BATCH),
        (GROUP_OWNER, GROUP_ROLE_ASSIGNABLE),
    }
    # a tenant administrator administers the subscription, and that is all it is listed for
    admin = graph.edge(GLOBAL_ADMIN, SUB, "CAN_ADMINISTER")
    assert admin is not None and "elevate access" in admin["evidence"]["technique"]
    assert graph.node(GLOBAL_ADMIN)["admin"] is True
    assert graph.node(GLOBAL_ADMIN)["admin_via"] == "az-entra-global-admin"
    assert not any(s == GLOBAL_ADMIN for s, _t, _ in graph.edges("CAN_ESCALATE_TO"))
    # Microsoft Graph application permissions, read per service principal
    writer = "entra/serviceprincipals/e5e10000-0000-4000-8000-000000000004"
    assert graph.node(writer)["graph_app_roles"] == ["Application.ReadWrite.All"]
    ev = graph.edge(writer, SP_RAG, "CAN_ESCALATE_TO")["evidence"]  # type: ignore[index]
    assert ev["graph_app_role"] == "Application.ReadWrite.All"
    assert ev["reference"].startswith("BloodHound AZMGAddSecret")
    assignments = {
        (s, d["role_name"], d["directory_scope"])
        for s, a, _ in graph.edges("ASSIGNED")
        if (d := graph.node(a))["kind"] == "EntraRoleAssignment" and s == APP_ADMIN
    }
    assert assignments == {(APP_ADMIN, "Application Administrator", "/")}


def test_credentials_are_counted_never_stored(estate: tuple[Path, Graph]) -> None:
    ws, graph = estate
    sp = graph.node(SP_RAG)
    assert (sp["password_credentials"], sp["key_credentials"]) == (1, 0)
    assert sp["long_lived_credentials"] is True
    assert sp["app_object_id"] == "e5e20000-0000-4000-8000-000000000001"
    assert graph.node(SP_BATCH)["password_credentials"] == 0
    assert not graph.node(SP_BATCH).get("long_lived_credentials")
    stored = "".join(p.read_text(errors="replace") for p in ws.rglob("*") if p.is_file())
    assert "e5eb0000-0000-4000-8000-000000000001" not in stored  # the secret's keyId
    assert '"hint"' not in stored and "secretText" not in stored


def test_agent_identity_holds_its_azure_roles(estate: tuple[Path, Graph]) -> None:
    _ws, graph = estate
    node = graph.node(AGENT_IDENTITY)
    assert node["kind"] == "EntraAgentIdentity"
    assert node["blueprint"] == "e5e60000-0000-4000-8000-000000000099"
    assert node["principal_id"] == "e5e60000-0000-4000-8000-000000000001"
    assert (AGENT_IDENTITY, ACCT) in {(s, t) for s, t, _ in graph.edges("CAN_INVOKE")}
    # its blueprint: name, credential count (never the secret), owner
    assert node["app_display_name"] == "support-agent-blueprint"
    assert node["password_credentials"] == 1 and node["long_lived_credentials"] is True
    ev = graph.edge(AGENT_DEVELOPER, AGENT_IDENTITY, "CAN_ESCALATE_TO")["evidence"]  # type: ignore[index]
    assert ev["ownership"] == "owner of the agent identity blueprint support-agent-blueprint"


def test_refused_directory_reads_are_gaps_naming_the_permission(
    arm: ArmReplay, tmp_path: Path
) -> None:
    arm.denied_paths.update({ROLE_ASSIGNMENTS_PATH, AGENTS_PATH, APP_OWNERS_PATH})
    out = collect(tmp_path, arm)
    rows = tenant_rows(out)
    row = rows["Microsoft.Graph/roleManagement/directory/roleAssignments"]
    assert row["status"] == "denied" and "RoleManagement.Read.Directory" in row["detail"]
    row = rows["Microsoft.Graph/servicePrincipals/agentIdentity"]
    assert row["status"] == "denied" and "AgentIdentity.Read.All" in row["detail"]
    owners = sub_rows(out, "Microsoft.Graph/applications/owners")
    # one application's owners refused, the other's read: partial, and the gap says why
    assert owners and owners[0]["status"] == "partial"
    assert "Application.Read.All" in owners[0]["detail"]
    graph = built(tmp_path)
    assert not any(True for _ in graph.nodes("EntraRoleAssignment"))
    assert not any(True for _ in graph.nodes("EntraAgentIdentity"))
    # what was read still stands: the service principal's owner and the group's owner
    assert graph.edge(SP_OWNER, SP_BATCH, "CAN_ESCALATE_TO") is not None
    assert graph.edge(GROUP_OWNER, GROUP_ROLE_ASSIGNABLE, "CAN_ESCALATE_TO") is not None
    assert graph.edge(APP_OWNER, SP_RAG, "CAN_ESCALATE_TO") is None
    assert graph.edge(APP_ADMIN, SP_RAG, "CAN_ESCALATE_TO") is None


def test_role_definitions_paged_and_a_foreign_next_link_is_not_followed(
    arm: ArmReplay, tmp_path: Path
) -> None:
    arm.next_link_host = "http://127.0.0.1:9"
    out = collect(tmp_path, arm)
    row = tenant_rows(out)["Microsoft.Graph/roleManagement/directory/roleDefinitions"]
    assert row["status"] == "failed" and "leaves" in row["detail"]
    defs = "/v1.0/rolemanagement/directory/roledefinitions"
    assert sum(1 for _t, _m, p, _a in arm.requests if p == defs) == 1
