"""Service accounts used across projects: paths that cross, and uncollected owners.

A service account of one project can be attached to, bound in, or impersonated from another.
When both projects are collected the account is one node and the path crosses projects; when
the owning project is not collected it becomes an ``ExternalAccount`` (risk unknown) that
``aispm paths --entry credentials`` starts from. Service agents never do.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from aispm_graph.analysis.engine import PathOptions, find_paths
from aispm_graph.graph.model import Graph
from aispm_graph.knowledge.gcp.names import is_service_agent, sa_id, sa_owner, sa_project
from tests.conftest import run_cli
from tests.gcp.conftest import build, edges, find
from tests.gcp.test_gcp_paths import EP, MODEL, NB, SANDBOX_SA, SB, TRAIN, ZONE, P

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SB_NUMBER = "714523698099"
SB_ANC = [f"projects/{SB_NUMBER}", "folders/902233445566", "organizations/411122223333"]
SB_ZONE = f"//compute.googleapis.com/projects/{SB}/zones/us-central1-a/instances"
SB_BUCKET = f"//storage.googleapis.com/projects/_/buckets/{SB}-labels"
SB_EMAIL = f"sandbox-runner@{SB}.iam.gserviceaccount.com"
NB_EMAIL = f"nb-runner@{P}.iam.gserviceaccount.com"
CRM = "//cloudresourcemanager.googleapis.com/projects"
PARTNER = "partner-data-4711"
PARTNER_EMAIL = f"etl@{PARTNER}.iam.gserviceaccount.com"
PARTNER_SA = sa_id(PARTNER_EMAIL)
PARTNER_EXT = f"{CRM}/{PARTNER}"


def sandbox_training_data(records: list[dict[str, Any]], reader: str) -> None:
    """A sandbox dataset whose bucket ``reader`` may read (a training-data target in B)."""
    loc = f"projects/{SB_NUMBER}/locations/us-central1"
    records.append(
        {
            "name": f"//aiplatform.googleapis.com/{loc}/datasets/99",
            "asset_type": "aiplatform.googleapis.com/Dataset",
            "ancestors": SB_ANC,
            "resource": {
                "data": {
                    "name": f"{loc}/datasets/99",
                    "displayName": "labels",
                    "metadata": {"inputConfig": {"gcsSource": {"uri": [f"gs://{SB}-labels/*"]}}},
                }
            },
        }
    )
    for content in ("resource", "iam_policy"):
        rec: dict[str, Any] = {
            "name": f"//storage.googleapis.com/{SB}-labels",
            "asset_type": "storage.googleapis.com/Bucket",
            "ancestors": SB_ANC,
        }
        if content == "resource":
            rec["resource"] = {
                "data": {
                    "name": f"{SB}-labels",
                    "iamConfiguration": {"uniformBucketLevelAccess": {"enabled": True}},
                }
            }
        else:
            rec["iam_policy"] = {
                "bindings": [{"role": "roles/storage.objectViewer", "members": [reader]}]
            }
        records.append(rec)


def paths_of(graph: Graph, entry: str = "internet") -> set[tuple[str, ...]]:
    result = find_paths(graph, PathOptions(entry=entry))  # type: ignore[arg-type]
    return {tuple(n.id for n in p.nodes) for p in result.paths}


def tenants(graph: Graph, path: tuple[str, ...]) -> list[str | None]:
    return [graph.node(n).get("tenant") for n in path[1:]]


def test_compute_in_prod_running_as_a_sandbox_account_reaches_sandbox_data(
    records: list[dict[str, Any]],
) -> None:
    vm = find(records, "instances/jupyter-ds-01")
    vm["resource"]["data"]["serviceAccounts"][0]["email"] = SB_EMAIL
    sandbox_training_data(records, f"serviceAccount:{SB_EMAIL}")
    graph, _ = build(records)
    path = (
        "internet",
        f"{ZONE}/jupyter-ds-01",
        SANDBOX_SA,
        SB_BUCKET,
    )
    assert path in paths_of(graph)
    assert tenants(graph, path) == [P, SB, SB]
    identity = graph.edge(f"{ZONE}/jupyter-ds-01", SANDBOX_SA, "HAS_IDENTITY")
    assert identity is not None
    assert identity["evidence"]["cross_project"] == (
        f"service account of project {SB} used in project {P}"
    )
    # Both projects were collected: no external account is invented.
    assert not list(graph.nodes("ExternalAccount"))


def test_prod_account_impersonates_a_sandbox_account(records: list[dict[str, Any]]) -> None:
    records.append(
        {
            "name": "//iam.googleapis.com/projects/acme-vertex-sandbox/serviceAccounts/"
            "109876543210123400007",
            "asset_type": "iam.googleapis.com/ServiceAccount",
            "ancestors": SB_ANC,
            "iam_policy": {
                "bindings": [
                    {
                        "role": "roles/iam.serviceAccountTokenCreator",
                        "members": [f"serviceAccount:{NB_EMAIL}"],
                    }
                ]
            },
        }
    )
    sandbox_training_data(records, f"serviceAccount:{SB_EMAIL}")
    graph, _ = build(records)
    path = ("internet", f"{ZONE}/jupyter-ds-01", NB, SANDBOX_SA, SB_BUCKET)
    assert path in paths_of(graph)
    assume = graph.edge(NB, SANDBOX_SA, "CAN_ASSUME")
    assert assume is not None
    assert assume["evidence"]["permission"] == "iam.serviceAccounts.getAccessToken"
    assert assume["evidence"]["scope"] == f"service account {SB_EMAIL}"


def test_sandbox_compute_reaches_the_prod_model_the_other_way(
    records: list[dict[str, Any]],
) -> None:
    project = find(records, f"projects/{'714523698012'}", "iam")
    project["iam_policy"]["bindings"].append(
        {"role": "roles/aiplatform.user", "members": [f"serviceAccount:{SB_EMAIL}"]}
    )
    graph, _ = build(records)
    path = ("internet", f"{SB_ZONE}/sandbox-nb-01", SANDBOX_SA, EP, MODEL)
    assert path in paths_of(graph)
    assert tenants(graph, path)[:3] == [SB, SB, P]


def _partner_records(records: list[dict[str, Any]]) -> None:
    """The training bucket readable by an account of a project nobody collected, and the
    service agents and default accounts that must not count as outsiders."""
    bucket = find(records, f"{P}-fraud-training", "iam")
    bucket["iam_policy"]["bindings"] = [
        b for b in bucket["iam_policy"]["bindings"] if "allUsers" not in b["members"]
    ]
    bucket["iam_policy"]["bindings"].append(
        {
            "role": "roles/storage.objectViewer",
            "members": [
                f"serviceAccount:{PARTNER_EMAIL}",
                "serviceAccount:service-714523698012@gcp-sa-aiplatform.iam.gserviceaccount.com",
                "serviceAccount:714523698012@cloudservices.gserviceaccount.com",
                "serviceAccount:714523698012-compute@developer.gserviceaccount.com",
                "serviceAccount:service-org-411122223333@gcp-sa-ktd-hpsa.iam.gserviceaccount.com",
            ],
        }
    )


def test_uncollected_project_account_is_an_external_entry(records: list[dict[str, Any]]) -> None:
    _partner_records(records)
    graph, _ = build(records)
    externals = dict(graph.nodes("ExternalAccount"))
    assert set(externals) == {PARTNER_EXT}
    ext = externals[PARTNER_EXT]
    assert (ext["provider"], ext["collected"], ext["risk"], ext["tenant"]) == (
        "gcp",
        False,
        "unknown",
        PARTNER,
    )
    edge = graph.edge(PARTNER_EXT, PARTNER_SA, "CAN_ASSUME")
    assert edge is not None
    assert edge["confidence"] == "inferred"
    assert (
        f"who controls project {PARTNER} controls that service account's keys"
        in (edge["evidence"]["reason"])
    )
    assert edge["evidence"]["fix"].startswith(f"Replace {PARTNER_EMAIL} with a service account")
    assert f"{P}-fraud-training" in edge["evidence"]["used"]
    # The account reads the training data; under assumed breach the partner project is an entry.
    assert (PARTNER_SA, TRAIN) in edges(graph, "CAN_READ")
    assert (PARTNER_EXT, PARTNER_SA, TRAIN) in paths_of(graph, "credentials")
    # Not an internet path: nothing public reaches it.
    assert not {p for p in paths_of(graph) if PARTNER_SA in p}


def test_service_agents_and_own_default_accounts_are_not_outsiders(
    records: list[dict[str, Any]],
) -> None:
    bucket = find(records, f"{P}-fraud-training", "iam")
    bucket["iam_policy"]["bindings"].append(
        {
            "role": "roles/storage.objectViewer",
            "members": [
                "serviceAccount:service-714523698012@gcp-sa-aiplatform.iam.gserviceaccount.com",
                "serviceAccount:714523698012@cloudservices.gserviceaccount.com",
                "serviceAccount:714523698012-compute@developer.gserviceaccount.com",
                "serviceAccount:service-714523698012@compute-system.iam.gserviceaccount.com",
            ],
        }
    )
    graph, _ = build(records)
    assert not list(graph.nodes("ExternalAccount"))
    # They are still principals with their grants; only no outside owner is invented.
    agent = sa_id("service-714523698012@gcp-sa-aiplatform.iam.gserviceaccount.com")
    assert agent == (
        "//iam.googleapis.com/projects/-/serviceAccounts/"
        "service-714523698012@gcp-sa-aiplatform.iam.gserviceaccount.com"
    )
    assert (agent, TRAIN) in edges(graph, "CAN_READ")


def test_default_compute_account_of_an_unknown_project_number(
    records: list[dict[str, Any]],
) -> None:
    vm = find(records, "instances/jupyter-ds-01")
    vm["resource"]["data"]["serviceAccounts"][0]["email"] = (
        "999000111222-compute@developer.gserviceaccount.com"
    )
    graph, _ = build(records)
    ext = f"{CRM}/999000111222"
    assert {n for n, _d in graph.nodes("ExternalAccount")} == {ext}
    sa = sa_id("999000111222-compute@developer.gserviceaccount.com")
    edge = graph.edge(ext, sa, "CAN_ASSUME")
    assert edge is not None
    assert "attached to jupyter-ds-01" in edge["evidence"]["used"]


def test_cross_project_constraint_is_noted_not_applied(records: list[dict[str, Any]]) -> None:
    vm = find(records, "instances/jupyter-ds-01")
    vm["resource"]["data"]["serviceAccounts"][0]["email"] = SB_EMAIL
    sandbox_training_data(records, f"serviceAccount:{SB_EMAIL}")
    records.append(
        {
            "name": f"//cloudresourcemanager.googleapis.com/projects/{SB_NUMBER}",
            "asset_type": "cloudresourcemanager.googleapis.com/Project",
            "org_policy": [
                {
                    "constraint": "constraints/iam.disableCrossProjectServiceAccountUsage",
                    "booleanPolicy": {"enforced": True},
                }
            ],
        }
    )
    graph, _ = build(records)
    sandbox = graph.node(f"{CRM}/{SB}")
    assert sandbox["org_policies"]["iam.disableCrossProjectServiceAccountUsage"]["enforced"]
    identity = graph.edge(f"{ZONE}/jupyter-ds-01", SANDBOX_SA, "HAS_IDENTITY")
    assert identity is not None
    assert "existing one keeps working" in identity["evidence"]["note"]
    # The attachment stays an attack step.
    assert ("internet", f"{ZONE}/jupyter-ds-01", SANDBOX_SA, SB_BUCKET) in paths_of(graph)


def test_email_owners() -> None:
    assert sa_owner(PARTNER_EMAIL) is not None
    assert sa_project(PARTNER_EMAIL) == PARTNER
    assert sa_owner(f"{P}@appspot.gserviceaccount.com").project == P  # type: ignore[union-attr]
    owner = sa_owner("42-compute@developer.gserviceaccount.com")
    assert owner is not None and (owner.project, owner.by_number) == ("42", True)
    for agent in (
        "service-42@gcp-sa-aiplatform.iam.gserviceaccount.com",
        "service-42@compute-system.iam.gserviceaccount.com",
        "42@cloudservices.gserviceaccount.com",
        "42@cloudbuild.gserviceaccount.com",
        "service-org-42@gcp-sa-ktd-hpsa.iam.gserviceaccount.com",
    ):
        assert is_service_agent(agent), agent
        assert sa_owner(agent) is None and sa_project(agent) is None, agent
    assert not is_service_agent(PARTNER_EMAIL)
    assert sa_owner("someone@example.com") is None


def test_uncollected_project_path_through_the_cli(
    records: list[dict[str, Any]], tmp_path: Path
) -> None:
    _partner_records(records)
    export = tmp_path / "assets.json"
    export.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    ws = tmp_path / "ws"
    res = run_cli("import", "gcp-asset-export", str(export), workspace=ws)
    assert res.code == 0, res.err
    res = run_cli("build", workspace=ws)
    assert res.code == 0, res.err
    res = run_cli("paths", "--entry", "credentials", "--format", "json", workspace=ws)
    assert res.code == 0, res.err
    found = {tuple(n["id"] for n in p["nodes"]): p for p in res.json()["paths"]}
    assert (PARTNER_EXT, PARTNER_SA, TRAIN) in found
    # no service agent or own default account became an entry
    entries = {ids[0] for ids in found}
    assert not {e for e in entries if "gcp-sa-" in e or "cloudservices" in e}
    assert not {e for e in entries if e.startswith(CRM) and e != PARTNER_EXT}
    # The internet view does not start from it.
    res = run_cli("paths", "--format", "json", workspace=ws)
    assert res.code == 0, res.err
    assert not [p for p in res.json()["paths"] if p["nodes"][0]["id"] == PARTNER_EXT]
    # The table names the uncollected project.
    res = run_cli("paths", "--entry", "credentials", workspace=ws)
    assert res.code == 0, res.err
    assert PARTNER in res.out
