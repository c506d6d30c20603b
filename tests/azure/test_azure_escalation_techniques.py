"""Every Azure escalation technique record, positive and negative, through the real collector.

The tenancy estate plus ``fixtures/azure/escalation`` is served by the ARM/Graph replay; the
real ``collect azure`` reads it and the graph is built from the snapshot. Each user holds one
role assignment; negatives are a role whose ``notActions`` exclude the operation, an
assignment on a sibling resource group (scope), a Reader, and conditions that are false (a
vault in the other permission model, a system-assigned identity).
``CASES`` is also read by ``tests/core/test_escalation_catalogue.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from aispm_graph.build import BuildContext, build_graph
from aispm_graph.graph.model import Graph
from aispm_graph.workspace import Workspace
from tests.azure.arm_replay import ArmReplay, tenancy_server

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "fixtures" / "azure" / "escalation"
SUB = "/subscriptions/a1a1a1a1-0000-4000-8000-00000000000a"
RG = f"{SUB}/resourcegroups/rg-esc"
RGO = f"{SUB}/resourcegroups/rg-esc-other"
ID_VM = f"{RG}/providers/microsoft.managedidentity/userassignedidentities/id-vm"
ID_FED = f"{RG}/providers/microsoft.managedidentity/userassignedidentities/id-fed"
ID_OTHER = f"{RGO}/providers/microsoft.managedidentity/userassignedidentities/id-other"
VMSS = f"{RG}/providers/microsoft.compute/virtualmachinescalesets/vmss-esc"
KV_POLICY = f"{RG}/providers/microsoft.keyvault/vaults/kv-policy"
KV_RBAC = f"{RG}/providers/microsoft.keyvault/vaults/kv-rbac"


def who(n: int) -> str:
    return f"entra/users/e5c00000-0000-4000-8000-0000000000{n:02d}"


VMC, RUNOP, NOEXEC, SIBLING, KVC, VAULT_UAA, MIC, READER, SUB_UAA = (who(i) for i in range(1, 10))
WEBC, AUTOC, LOGICC, SIBLING_WEB = (who(i) for i in range(10, 14))
APP = f"{RG}/providers/microsoft.web/sites/app-esc"
FUNC = f"{RG}/providers/microsoft.web/sites/func-esc"
AUTOMATION = f"{RG}/providers/microsoft.automation/automationaccounts/aa-esc"
LOGIC = f"{RG}/providers/microsoft.logic/workflows/la-esc"


@dataclass(frozen=True)
class Case:
    src: str
    dst: str
    kind: str
    negatives: tuple[tuple[str, str, str, str], ...]


def _identity_of(graph: Graph, owner: str) -> str:
    return next(t for s, t, _ in graph.edges("HAS_IDENTITY") if s == owner)


RESOLVE = {"vmss-identity": VMSS, "app-identity": APP, "func-identity": FUNC, "la-identity": LOGIC}


CASES: dict[str, Case] = {
    "az-vm-run-command": Case(
        RUNOP,
        ID_VM,
        "CAN_ESCALATE_TO",
        (
            (NOEXEC, ID_VM, "CAN_ESCALATE_TO", "notActions exclude runCommand"),
            (SIBLING, ID_VM, "CAN_ESCALATE_TO", "assignment on a sibling resource group"),
            (READER, ID_VM, "CAN_ESCALATE_TO", "Reader"),
        ),
    ),
    "az-vm-extension": Case(
        VMC,
        ID_VM,
        "CAN_ESCALATE_TO",
        (
            (NOEXEC, ID_VM, "CAN_ESCALATE_TO", "notActions exclude extensions/write"),
            (RUNOP, ID_VM, "CAN_ESCALATE_TO", "run command only (checked by technique)"),
        ),
    ),
    "az-vmss-run-command": Case(
        VMC,
        "vmss-identity",
        "CAN_ESCALATE_TO",
        ((NOEXEC, "vmss-identity", "CAN_ESCALATE_TO", "notActions exclude runCommand"),),
    ),
    "az-vmss-extension": Case(
        VMC,
        "vmss-identity",
        "CAN_ESCALATE_TO",
        ((NOEXEC, "vmss-identity", "CAN_ESCALATE_TO", "notActions exclude extensions/write"),),
    ),
    "az-keyvault-access-policy": Case(
        KVC,
        KV_POLICY,
        "CAN_READ",
        (
            (KVC, KV_RBAC, "CAN_READ", "condition false: the vault uses Azure RBAC"),
            (READER, KV_POLICY, "CAN_READ", "Reader"),
        ),
    ),
    "az-keyvault-rbac-self-grant": Case(
        VAULT_UAA,
        KV_RBAC,
        "CAN_READ",
        ((VAULT_UAA, KV_POLICY, "CAN_READ", "assignment scoped to the other vault"),),
    ),
    "az-managed-identity-federated-credential": Case(
        MIC,
        ID_FED,
        "CAN_ESCALATE_TO",
        (
            (MIC, "vmss-identity", "CAN_ESCALATE_TO", "condition false: system-assigned"),
            (MIC, ID_OTHER, "CAN_ESCALATE_TO", "identity outside the assignment's scope"),
            (READER, ID_FED, "CAN_ESCALATE_TO", "Reader"),
        ),
    ),
    "az-web-app-code": Case(
        WEBC,
        "app-identity",
        "CAN_ESCALATE_TO",
        (
            (SIBLING_WEB, "app-identity", "CAN_ESCALATE_TO", "assignment on a sibling group"),
            (READER, "func-identity", "CAN_ESCALATE_TO", "Reader"),
            (LOGICC, "app-identity", "CAN_ESCALATE_TO", "Logic App Contributor: no site write"),
        ),
    ),
    "az-automation-runbook": Case(
        AUTOC,
        ID_FED,
        "CAN_ESCALATE_TO",
        (
            (READER, ID_FED, "CAN_ESCALATE_TO", "Reader"),
            (WEBC, ID_FED, "CAN_ESCALATE_TO", "Website Contributor: no runbook write"),
        ),
    ),
    "az-logic-app-workflow": Case(
        LOGICC,
        "la-identity",
        "CAN_ESCALATE_TO",
        (
            (READER, "la-identity", "CAN_ESCALATE_TO", "Reader"),
            (AUTOC, "la-identity", "CAN_ESCALATE_TO", "Automation Contributor: no workflow write"),
        ),
    ),
    "az-role-assignment-write": Case(
        SUB_UAA,
        SUB,
        "CAN_ADMINISTER",
        ((VAULT_UAA, SUB, "CAN_ADMINISTER", "roleAssignments/write only on one vault"),),
    ),
}


# -- Entra ID (directory) techniques: fixtures/azure/escalation/graph.json -------------------


def _g(prefix: str, n: int) -> str:
    return f"{prefix}-0000-4000-8000-0000000000{n:02d}"


def attacker(n: int) -> str:
    return f"entra/users/{_g('e5e00000', n)}"


(
    APP_OWNER,
    SP_OWNER,
    APP_ADMIN,
    SCOPED_CLOUD_APP_ADMIN,
    CUSTOM_SECRET,
    CUSTOM_SP_OWNERS,
    GROUP_OWNER,
    GROUPS_ADMIN,
    HELPDESK,
    PASSWORD_ADMIN,
    GLOBAL_ADMIN,
    PRIV_ROLE_ADMIN,
    DIR_READER,
    AU_HELPDESK,
    AGENT_DEVELOPER,
) = (attacker(i) for i in range(1, 16))
SP_RAG = f"entra/serviceprincipals/{_g('e5e10000', 1)}"
SP_BATCH = f"entra/serviceprincipals/{_g('e5e10000', 2)}"
SP_FIRST_PARTY = f"entra/serviceprincipals/{_g('e5e10000', 3)}"
SP_APP_WRITER = f"entra/serviceprincipals/{_g('e5e10000', 4)}"  # Application.ReadWrite.All
SP_ROLE_WRITER = f"entra/serviceprincipals/{_g('e5e10000', 5)}"  # RoleManagement.ReadWrite...
GROUP_STATIC = f"entra/groups/{_g('e5e40000', 1)}"
GROUP_ROLE_ASSIGNABLE = f"entra/groups/{_g('e5e40000', 2)}"
GROUP_DYNAMIC = f"entra/groups/{_g('e5e40000', 3)}"
USER_PLAIN, USER_HELPDESK, USER_GLOBAL_ADMIN, USER_PRIVILEGED_MEMBER = (
    f"entra/users/{_g('e5e50000', n)}" for n in (1, 2, 3, 4)
)
AGENT_IDENTITY = f"entra/agentidentities/{_g('e5e60000', 1)}"
ACCT = f"{SUB}/resourcegroups/rg-ai/providers/microsoft.cognitiveservices/accounts/oai-prod"
ESC = "CAN_ESCALATE_TO"

ENTRA_CASES: dict[str, Case] = {
    "az-entra-owner-add-credential": Case(
        APP_OWNER,
        SP_RAG,
        ESC,
        (
            (APP_OWNER, SP_BATCH, ESC, "owns another application"),
            (DIR_READER, SP_RAG, ESC, "Directory Readers"),
        ),
    ),
    "az-entra-agent-blueprint-owner": Case(
        AGENT_DEVELOPER,
        AGENT_IDENTITY,
        ESC,
        (
            (APP_OWNER, AGENT_IDENTITY, ESC, "owns another application"),
            (DIR_READER, AGENT_IDENTITY, ESC, "Directory Readers"),
            (AGENT_DEVELOPER, SP_RAG, ESC, "owns only the blueprint"),
        ),
    ),
    "az-entra-role-add-credential": Case(
        APP_ADMIN,
        SP_RAG,
        ESC,
        (
            (APP_ADMIN, SP_FIRST_PARTY, ESC, "Microsoft first-party application"),
            (APP_ADMIN, ID_VM, ESC, "a managed identity has no credential to add"),
            (SCOPED_CLOUD_APP_ADMIN, SP_RAG, ESC, "role scoped to another application"),
            (DIR_READER, SP_RAG, ESC, "Directory Readers"),
        ),
    ),
    "az-entra-role-add-owner": Case(
        CUSTOM_SP_OWNERS,
        SP_RAG,
        ESC,
        (
            (CUSTOM_SECRET, SP_RAG, ESC, "custom role with credentials/update only"),
            (CUSTOM_SP_OWNERS, SP_FIRST_PARTY, ESC, "Microsoft first-party application"),
        ),
    ),
    "az-entra-group-owner-add-member": Case(
        GROUP_OWNER,
        GROUP_ROLE_ASSIGNABLE,
        ESC,
        (
            (GROUP_OWNER, GROUP_STATIC, ESC, "owns another group"),
            (DIR_READER, GROUP_ROLE_ASSIGNABLE, ESC, "Directory Readers"),
        ),
    ),
    "az-entra-role-add-member": Case(
        GROUPS_ADMIN,
        GROUP_STATIC,
        ESC,
        (
            (GROUPS_ADMIN, GROUP_ROLE_ASSIGNABLE, ESC, "role-assignable group"),
            (GROUPS_ADMIN, GROUP_DYNAMIC, ESC, "dynamic membership"),
            (HELPDESK, GROUP_STATIC, ESC, "Helpdesk Administrator manages no groups"),
        ),
    ),
    "az-entra-password-reset": Case(
        HELPDESK,
        USER_PLAIN,
        ESC,
        (
            (HELPDESK, USER_GLOBAL_ADMIN, ESC, "Global Administrators: only PAA / GA"),
            (PASSWORD_ADMIN, USER_HELPDESK, ESC, "Password Admin cannot reset Helpdesk Admin"),
            (HELPDESK, USER_PRIVILEGED_MEMBER, ESC, "member of a role-assignable group"),
            (AU_HELPDESK, USER_PLAIN, ESC, "role scoped to an administrative unit"),
            (GROUPS_ADMIN, USER_PLAIN, ESC, "Groups Administrator resets no password"),
        ),
    ),
    "az-entra-graph-add-secret": Case(
        SP_APP_WRITER,
        SP_RAG,
        ESC,
        (
            (SP_APP_WRITER, SP_FIRST_PARTY, ESC, "Microsoft first-party application"),
            (SP_BATCH, SP_RAG, ESC, "holds only User.Read.All"),
            (SP_APP_WRITER, SUB, "CAN_ADMINISTER", "cannot grant itself roles"),
        ),
    ),
    "az-entra-graph-grant-role": Case(
        SP_ROLE_WRITER,
        SUB,
        "CAN_ADMINISTER",
        ((SP_BATCH, SUB, "CAN_ADMINISTER", "holds only User.Read.All"),),
    ),
    "az-entra-global-admin": Case(
        GLOBAL_ADMIN,
        SUB,
        "CAN_ADMINISTER",
        (
            (APP_ADMIN, SUB, "CAN_ADMINISTER", "Application Administrator"),
            (DIR_READER, SUB, "CAN_ADMINISTER", "Directory Readers"),
        ),
    ),
    "az-entra-privileged-role-admin": Case(
        PRIV_ROLE_ADMIN,
        SUB,
        "CAN_ADMINISTER",
        ((GROUPS_ADMIN, SUB, "CAN_ADMINISTER", "Groups Administrator"),),
    ),
}
CASES.update(ENTRA_CASES)


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Graph]:
    srv: ArmReplay = tenancy_server(FIXTURE).start()
    try:
        ws = tmp_path_factory.mktemp("az-esc")
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "aispm_graph",
                "-w",
                str(ws),
                *("collect", "azure", "--all-subscriptions", "--arm-endpoint", srv.url),
                *("--graph-endpoint", srv.url, "--format", "json"),
            ],
            capture_output=True,
            text=True,
            env={**os.environ, "AISPM_AZURE_TOKEN": "t"},
            timeout=300,
        )
        assert proc.returncode == 0, proc.stderr
        json.loads(proc.stdout)
        snap = Workspace(ws).current()
        assert snap is not None
        yield build_graph(snap.documents(), BuildContext())
    finally:
        srv.stop()


def _resolve(graph: Graph, node: str) -> str:
    return _identity_of(graph, RESOLVE[node]) if node in RESOLVE else node


@pytest.mark.parametrize("tid", sorted(CASES))
def test_technique_positive(graph: Graph, tid: str) -> None:
    case = CASES[tid]
    e = graph.edge(case.src, _resolve(graph, case.dst), case.kind)
    assert e is not None, f"{tid}: no {case.kind} {case.src} -> {case.dst}"
    ev = e["evidence"]
    assert tid in {ev.get("technique_id"), *ev.get("also_via", [])}, ev
    assert ev["fix"] and ev.get("technique")


@pytest.mark.parametrize("tid", sorted(CASES))
def test_technique_negative(graph: Graph, tid: str) -> None:
    for src, dst, kind, why in CASES[tid].negatives:
        e = graph.edge(src, _resolve(graph, dst), kind)
        found = e is not None and tid in {
            e["evidence"].get("technique_id"),
            *e["evidence"].get("also_via", []),
        }
        assert not found, f"{tid}: {why}: {e}"


def test_function_app_is_collected_with_its_identity(graph: Graph) -> None:
    assert graph.node(FUNC)["app_kind"] == "functionapp,linux"
    e = graph.edge(WEBC, _resolve(graph, "func-identity"), "CAN_ESCALATE_TO")
    assert e is not None and e["evidence"]["technique_id"] == "az-web-app-code"


def test_vm_run_command_path_names_role_and_fix(graph: Graph) -> None:
    ev = graph.edge(RUNOP, ID_VM, "CAN_ESCALATE_TO")["evidence"]  # type: ignore[index]
    assert ev["role"] == "VM Run Command Operator"
    assert ev["permission"] == "Microsoft.Compute/virtualMachines/runCommand/action"
    assert "vm-esc" in ev["technique"] and "vm-esc" in ev["fix"]
    assert ev["reference"].startswith("BloodHound AZVMContributor")
