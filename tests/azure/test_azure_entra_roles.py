"""Directory-role knowledge (who may reset whom, how resource actions match) and the Entra
transform on malformed Graph answers."""

from __future__ import annotations

from typing import Any

import pytest

from aispm_graph.build import BuildContext, build_graph
from aispm_graph.knowledge.azure.entra_roles import (
    AUTH_ADMIN,
    DIRECTORY_READERS,
    GLOBAL_ADMIN,
    GROUPS_ADMIN,
    HELPDESK_ADMIN,
    PASSWORD_ADMIN,
    PRIVILEGED_AUTH_ADMIN,
    PRIVILEGED_ROLE_ADMIN,
    REPORTS_READER,
    USER_ADMIN,
    action_allows,
    can_reset,
)
from aispm_graph.workspace import Document

RESETTERS = (PASSWORD_ADMIN, HELPDESK_ADMIN, AUTH_ADMIN, USER_ADMIN, PRIVILEGED_AUTH_ADMIN)
NAMES = {
    PASSWORD_ADMIN: "password",
    HELPDESK_ADMIN: "helpdesk",
    AUTH_ADMIN: "auth",
    USER_ADMIN: "user",
    PRIVILEGED_AUTH_ADMIN: "pauth",
    GLOBAL_ADMIN: "global",
    PRIVILEGED_ROLE_ADMIN: "prole",
    GROUPS_ADMIN: "groups",
    DIRECTORY_READERS: "readers",
    REPORTS_READER: "reports",
    "custom": "custom",
    "role-assignable-group": "ra-group",
}


def test_who_can_reset_whom_follows_microsofts_table() -> None:
    targets: list[set[str]] = [
        set(),
        {DIRECTORY_READERS},
        {REPORTS_READER},
        {HELPDESK_ADMIN},
        {PASSWORD_ADMIN},
        {AUTH_ADMIN},
        {GROUPS_ADMIN},
        {USER_ADMIN},
        {GLOBAL_ADMIN},
        {PRIVILEGED_ROLE_ADMIN},
        {"custom"},
        {"role-assignable-group"},
        {HELPDESK_ADMIN, GROUPS_ADMIN},
    ]
    allowed = {
        (NAMES[r], "+".join(sorted(NAMES[t] for t in target)) or "none")
        for r in RESETTERS
        for target in targets
        if can_reset((r,), target) is not None
    }
    everyone = {(NAMES[r], "none") for r in RESETTERS} | {(NAMES[r], "readers") for r in RESETTERS}
    assert allowed == everyone | {
        ("helpdesk", "reports"),
        ("auth", "reports"),
        ("user", "reports"),
        ("pauth", "reports"),
        ("helpdesk", "helpdesk"),
        ("user", "helpdesk"),
        ("pauth", "helpdesk"),
        ("password", "password"),
        ("helpdesk", "password"),
        ("auth", "password"),
        ("user", "password"),
        ("pauth", "password"),
        ("auth", "auth"),
        ("pauth", "auth"),
        ("user", "groups"),
        ("pauth", "groups"),
        ("user", "user"),
        ("pauth", "user"),
        ("pauth", "global"),
        ("pauth", "prole"),
        ("pauth", "custom"),
        ("pauth", "ra-group"),
        ("user", "groups+helpdesk"),
        ("pauth", "groups+helpdesk"),
    }
    assert can_reset((GROUPS_ADMIN,), set()) is None  # not a reset role at all


@pytest.mark.parametrize(
    ("granted", "wanted", "ok"),
    [
        (
            "microsoft.directory/applications/credentials/update",
            "microsoft.directory/applications/credentials/update",
            True,
        ),
        (
            "microsoft.directory/applications/allProperties/allTasks",
            "microsoft.directory/applications/credentials/update",
            True,
        ),
        (
            "Microsoft.Directory/Applications/Credentials/Update",
            "microsoft.directory/applications/credentials/update",
            True,
        ),
        (
            "microsoft.directory/applications/allProperties/read",
            "microsoft.directory/applications/credentials/update",
            False,
        ),
        (
            "microsoft.directory/servicePrincipals/credentials/update",
            "microsoft.directory/applications/credentials/update",
            False,
        ),
        (
            "microsoft.directory/applications.myOrganization/credentials/update",
            "microsoft.directory/applications/credentials/update",
            False,
        ),
        ("microsoft.directory/groups/members/update", "microsoft.directory/groups/members", False),
        ("", "microsoft.directory/groups/members/update", False),
    ],
)
def test_resource_action_matching(granted: str, wanted: str, ok: bool) -> None:
    assert action_allows(granted, wanted) is ok


def _doc(key: str, body: Any) -> Document:
    return Document("azure", "tenant-t", key, body)


def test_malformed_graph_answers_are_skipped_with_a_warning() -> None:
    user = {
        "@odata.type": "#microsoft.graph.user",
        "id": "u1",
        "displayName": "alice",
        "owners": "not a list",
    }
    docs = [
        _doc("entra/directoryobjects/u1", user),
        # no principalId: one warning naming the record, the rest is built
        _doc(
            "entra/roleassignments/a1",
            {
                "@odata.type": "#microsoft.graph.unifiedRoleAssignment",
                "id": "a1",
                "roleDefinitionId": HELPDESK_ADMIN,
            },
        ),
        _doc(
            "entra/roledefinitions/bad",
            {
                "@odata.type": "#microsoft.graph.unifiedRoleDefinition",
                "id": "bad",
                "rolePermissions": "nonsense",
            },
        ),
        _doc(
            "entra/roleassignments/a2",
            {
                "@odata.type": "#microsoft.graph.unifiedRoleAssignment",
                "id": "a2",
                "principalId": "u1",
                "roleDefinitionId": "bad",
                "directoryScopeId": "/",
            },
        ),
        _doc(
            "entra/directoryobjects/ag",
            {"@odata.type": "#microsoft.graph.agentIdentity", "id": "ag", "accountEnabled": "x"},
        ),
    ]
    ctx = BuildContext()
    graph = build_graph(docs, ctx)
    warnings = [w for w in ctx.warnings if "a1" in w]
    assert warnings and "principalId" in warnings[0], ctx.warnings
    held = {
        (s, graph.node(a)["role_name"], tuple(graph.node(a)["allowed_actions"] or ()))
        for s, a, _ in graph.edges("ASSIGNED")
    }
    assert held == {("entra/users/u1", "bad", ())}
    agent = graph.node("entra/agentidentities/ag")
    assert agent["kind"] == "EntraAgentIdentity" and agent.get("account_enabled") is None
    assert not any(True for _ in graph.edges("OWNS"))
