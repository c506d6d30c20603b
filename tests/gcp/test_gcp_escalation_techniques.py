"""Every GCP escalation technique record, positive and negative, through the real collector.

The recorded demo listings plus, for each technique, a custom role holding exactly its
permissions (``iam.googleapis.com/Role`` assets) bound to ``user:p-<id>`` where it works and to
``user:n-<id>`` where it does not (the other project, a scope too low for the permission);
false conditions are tested too (actAs without a way to run code, a bucket without AI data).
``aispm collect gcp`` reads it all from the Cloud Asset Inventory replay.
``CASES`` is also read by ``tests/core/test_escalation_catalogue.py``.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from aispm_graph.build import BuildContext, build_graph
from aispm_graph.escalation.gcp import TECHNIQUES
from aispm_graph.graph.model import Graph
from aispm_graph.workspace import Workspace
from tests.gcp.conftest import collect_gcp, demo_rows
from tests.gcp.replay import Recording, ReplayServer

pytestmark = [pytest.mark.integration, pytest.mark.slow]

PROD_NUM, SANDBOX_NUM = "714523698012", "714523698099"
PROJECT_ASSET = f"//cloudresourcemanager.googleapis.com/projects/{PROD_NUM}"
SANDBOX_ASSET = f"//cloudresourcemanager.googleapis.com/projects/{SANDBOX_NUM}"
PROJECT = "//cloudresourcemanager.googleapis.com/projects/acme-vertex-prod"
FOLDER = "//cloudresourcemanager.googleapis.com/folders/902233445566"
ORG = "//cloudresourcemanager.googleapis.com/organizations/411122223333"
ANC = [f"projects/{PROD_NUM}", "folders/902233445566", "organizations/411122223333"]
ML_ADMIN = (
    "//iam.googleapis.com/projects/acme-vertex-prod/serviceAccounts/"
    "ml-admin@acme-vertex-prod.iam.gserviceaccount.com"
)
SANDBOX_SA = (
    "//iam.googleapis.com/projects/acme-vertex-sandbox/serviceAccounts/"
    "sandbox-runner@acme-vertex-sandbox.iam.gserviceaccount.com"
)
# The sandbox enforces the ban on service account keys (the effective policy the Org Policy
# API answers for it); production does not.
KEY_BAN = {
    "name": f"projects/{SANDBOX_NUM}/policies/iam.disableServiceAccountKeyCreation",
    "spec": {"rules": [{"enforce": True}]},
}
RUN = "//run.googleapis.com/projects/acme-vertex-prod/locations/us-central1/services/chat-frontend"
VM = (
    "//compute.googleapis.com/projects/acme-vertex-prod/zones/us-central1-a/instances/jupyter-ds-01"
)
FN = (
    "//cloudfunctions.googleapis.com/projects/acme-vertex-prod/locations/us-central1/functions/"
    "esc-fn"
)
TRAINING = "//storage.googleapis.com/projects/_/buckets/acme-vertex-prod-fraud-training"
LOGS = "//storage.googleapis.com/projects/_/buckets/acme-vertex-prod-logs-00"
BY_ID = {t.id: t for t in TECHNIQUES}


def member(kind: str, tid: str) -> str:
    return f"user:{kind}-{tid}@acme.example"


@dataclass(frozen=True)
class Case:
    src: str
    dst: str
    kind: str
    negatives: tuple[tuple[str, str, str, str], ...]


def _dst(tid: str) -> str:
    t = BY_ID[tid]
    if tid == "gcp-orgpolicy-key-creation":
        return SANDBOX_SA
    if t.resource_kinds == ("GCPServiceAccount",):
        return ML_ADMIN
    return {
        "gcp-cloud-function-update": FN,
        "gcp-cloud-run-update": RUN,
        "gcp-compute-set-metadata": VM,
        "gcp-bucket-set-iam-policy": TRAINING,
    }.get(tid, PROJECT)


# Where the negative member's custom role is bound (a scope that does not reach the target).
NEG_SCOPE = {
    "gcp-folder-set-iam-policy": "project",  # a folder permission bound on a project
    "gcp-org-set-iam-policy": "folder",  # an organization permission bound on a folder
    "gcp-orgpolicy-key-creation": "project",  # production: does not reach the sandbox SA
}
POS_SCOPE = {
    "gcp-folder-set-iam-policy": "folder",
    "gcp-org-set-iam-policy": "org",
    "gcp-orgpolicy-key-creation": "sandbox",
}
EXTRA_NEGATIVES = {
    "gcp-sa-key-create": (
        member("b", "gcp-sa-key-create"),
        SANDBOX_SA,
        "CAN_ASSUME",
        "condition false: the sandbox enforces iam.disableServiceAccountKeyCreation",
    ),
    "gcp-orgpolicy-key-creation": (
        member("r", "gcp-orgpolicy-key-creation"),
        ML_ADMIN,
        "CAN_ASSUME",
        "condition false: production does not ban keys, there is nothing to lift",
    ),
    "gcp-actas-compute-instance": (
        member("q", "gcp-actas-compute-instance"),
        ML_ADMIN,
        "CAN_ASSUME",
        "condition false: actAs without any way to run code",
    ),
    "gcp-bucket-set-iam-policy": (
        member("p", "gcp-bucket-set-iam-policy"),
        LOGS,
        "CAN_READ",
        "condition false: the bucket holds no AI data",
    ),
}


# Records whose edge is conditional by design, with what the evidence must say.
CONFIDENCE = {"gcp-storage-hmac-key": "conditional"}


def _cases() -> dict[str, Case]:
    out = {}
    for t in TECHNIQUES:
        negs = [(member("n", t.id), _dst(t.id), t.edge, "bound on a scope that does not reach")]
        if t.id in EXTRA_NEGATIVES:
            negs.append(EXTRA_NEGATIVES[t.id])
        out[t.id] = Case(member("p", t.id), _dst(t.id), t.edge, tuple(negs))
    return out


CASES = _cases()


def _role_asset(tid: str, perms: list[str]) -> dict[str, Any]:
    name = f"projects/acme-vertex-prod/roles/esc_{tid.replace('-', '_')}"
    return {
        "name": f"//iam.googleapis.com/{name}",
        "asset_type": "iam.googleapis.com/Role",
        "ancestors": ANC,
        "resource": {
            "version": "v1",
            "discovery_name": "Role",
            "parent": PROJECT_ASSET,
            "data": {"name": name, "title": tid, "includedPermissions": perms, "stage": "GA"},
        },
    }


def _row(asset_type: str, content: str, assets: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "key": f"escalation/{asset_type}/{content}",
        "body": {"asset_type": asset_type, "content_type": content, "assets": assets},
    }


def rows() -> list[dict[str, Any]]:
    data = copy.deepcopy(demo_rows())
    iam = {
        (r["body"]["asset_type"], a["name"]): a
        for r in data
        if r["body"]["content_type"] == "IAM_POLICY"
        for a in r["body"]["assets"]
    }
    binds = {
        "project": iam[("cloudresourcemanager.googleapis.com/Project", PROJECT_ASSET)],
        "sandbox": iam[("cloudresourcemanager.googleapis.com/Project", SANDBOX_ASSET)],
        "folder": iam[("cloudresourcemanager.googleapis.com/Folder", FOLDER)],
        "org": iam[("cloudresourcemanager.googleapis.com/Organization", ORG)],
    }
    roles = []

    def bind(scope: str, role: str, who: str) -> None:
        binds[scope]["iam_policy"]["bindings"].append({"role": role, "members": [who]})

    for t in TECHNIQUES:
        role_name = f"projects/acme-vertex-prod/roles/esc_{t.id.replace('-', '_')}"
        roles.append(_role_asset(t.id, list(t.all_of)))
        bind(POS_SCOPE.get(t.id, "project"), role_name, member("p", t.id))
        bind(NEG_SCOPE.get(t.id, "sandbox"), role_name, member("n", t.id))
    # Key creation where keys are banned, without the right to lift the ban.
    bind(
        "sandbox",
        "projects/acme-vertex-prod/roles/esc_gcp_sa_key_create",
        member("b", "gcp-sa-key-create"),
    )
    # Key creation and the right to lift a ban, where there is none: the plain technique.
    bind(
        "project",
        "projects/acme-vertex-prod/roles/esc_gcp_orgpolicy_key_creation",
        member("r", "gcp-orgpolicy-key-creation"),
    )
    # actAs alone (no way to run code): a false condition.
    bind("project", "roles/iam.serviceAccountUser", member("q", "gcp-actas-compute-instance"))
    # The custom role being updated is held by the attacker; the negative may update roles only
    # in the sandbox, not where the role is defined.
    held = "projects/acme-vertex-prod/roles/esc_held"
    roles.append(_role_asset("held", ["storage.objects.list"]))
    bind("project", held, member("p", "gcp-custom-role-update"))
    bind("project", held, member("n", "gcp-custom-role-update"))
    fn = {
        "name": FN,
        "asset_type": "cloudfunctions.googleapis.com/Function",
        "ancestors": ANC,
        "resource": {
            "version": "v2",
            "discovery_name": "Function",
            "parent": "//cloudfunctions.googleapis.com/projects/acme-vertex-prod/locations/"
            "us-central1",
            "data": {
                "name": "projects/acme-vertex-prod/locations/us-central1/functions/esc-fn",
                "serviceConfig": {
                    "serviceAccountEmail": "ml-admin@acme-vertex-prod.iam.gserviceaccount.com",
                    "ingressSettings": "ALLOW_INTERNAL_ONLY",
                    "uri": "https://esc-fn-abc-uc.a.run.app",
                },
            },
        },
    }
    data.append(_row("iam.googleapis.com/Role", "RESOURCE", roles))
    data.append(_row("cloudfunctions.googleapis.com/Function", "RESOURCE", [fn]))
    return data


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Graph]:
    rec = Recording.from_documents(rows(), page_size=50)
    rec.project_numbers = {"acme-vertex-prod": PROD_NUM, "acme-vertex-sandbox": SANDBOX_NUM}
    rec.effective[KEY_BAN["name"]] = KEY_BAN  # type: ignore[index]
    srv = ReplayServer(rec).start()
    try:
        ws: Path = tmp_path_factory.mktemp("gcp-esc") / "ws"
        res = collect_gcp(srv.url, ws, "--format", "json")
        assert res.code == 0, res.err
        snap = Workspace(ws).current()
        assert snap is not None
        yield build_graph(snap.documents(), BuildContext())
    finally:
        srv.stop()


def _ids(edge: dict[str, Any]) -> set[str]:
    ev = edge["evidence"]
    return {str(ev.get("technique_id")), *ev.get("also_via", [])}


@pytest.mark.parametrize("tid", sorted(CASES))
def test_technique_positive(graph: Graph, tid: str) -> None:
    case = CASES[tid]
    e = graph.edge(case.src, case.dst, case.kind)
    assert e is not None, f"{tid}: no {case.kind} {case.src} -> {case.dst}"
    assert tid in _ids(e), e["evidence"]
    assert e["confidence"] == CONFIDENCE.get(tid, "confirmed"), e
    assert e["evidence"]["fix"]


@pytest.mark.parametrize("tid", sorted(CASES))
def test_technique_negative(graph: Graph, tid: str) -> None:
    for src, dst, kind, why in CASES[tid].negatives:
        e = graph.edge(src, dst, kind)
        assert e is None or tid not in _ids(e) or e["confidence"] == "inferred", (
            f"{tid}: {why}: {e}"
        )


def test_hmac_key_edge_says_it_reaches_cloud_storage_only(graph: Graph) -> None:
    e = graph.edge(member("p", "gcp-storage-hmac-key"), ML_ADMIN, "CAN_ASSUME")
    assert e is not None and e["confidence"] == "conditional"
    assert "Cloud Storage only" in e["evidence"]["condition"]


def test_lifting_the_key_ban_is_named_in_the_evidence(graph: Graph) -> None:
    """Key creation is no escalation where the ban is enforced; with orgpolicy.policy.set the
    member lifts it first, and the edge says which constraint and where."""
    sandbox = graph.node("//cloudresourcemanager.googleapis.com/projects/acme-vertex-sandbox")
    assert sandbox["org_policies"]["iam.disableServiceAccountKeyCreation"]["enforced"]
    e = graph.edge(member("p", "gcp-orgpolicy-key-creation"), SANDBOX_SA, "CAN_ASSUME")
    assert e is not None
    ev = e["evidence"]
    assert ev["technique_id"] == "gcp-orgpolicy-key-creation"
    assert ev["guardrail"] == (
        "iam.disableServiceAccountKeyCreation enforced at acme-vertex-sandbox, lifted with "
        "orgpolicy.policy.set"
    )
    assert any(g.startswith("orgpolicy.policy.set: ") for g in ev["also_granted"])
    assert graph.edge(member("b", "gcp-sa-key-create"), SANDBOX_SA, "CAN_ASSUME") is None
    plain = graph.edge(member("r", "gcp-orgpolicy-key-creation"), ML_ADMIN, "CAN_ASSUME")
    assert plain is not None and plain["evidence"]["technique_id"] == "gcp-sa-key-create"


def test_project_iam_writer_is_an_administrator_like_an_owner(graph: Graph) -> None:
    src = member("p", "gcp-project-set-iam-policy")
    assert graph.node(src)["admin"] and graph.node(src)["admin_via"] == "gcp-project-set-iam-policy"
    into_project = [
        (t, k)
        for _s, t, k in graph.g.out_edges(src, keys=True)
        if k != "CAN_ADMINISTER" and PROJECT in (graph.node(t).get("ancestors") or [])
    ]
    assert not into_project
