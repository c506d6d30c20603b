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
