"""Organisation policies from Cloud Asset Inventory exports, applied down the hierarchy."""

from __future__ import annotations

from typing import Any

import pytest

from aispm_graph.providers.gcp.assets import AssetRecordError, normalize
from tests.gcp.conftest import build, demo_records
from tests.gcp.test_gcp_paths import EXPECTED_ROUTES, TRAIN, ZONE, routes

CRM = "//cloudresourcemanager.googleapis.com"
ORG = f"{CRM}/organizations/411122223333"
PROJECT_NUMBER = f"{CRM}/projects/714523698012"


def policy_record(name: str, asset_type: str, *policies: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "asset_type": asset_type, "org_policy": list(policies)}


PAP = {
    "constraint": "constraints/storage.publicAccessPrevention",
    "booleanPolicy": {"enforced": True},
}
NO_EXTERNAL_IP = {
    "constraint": "constraints/compute.vmExternalIpAccess",
    "listPolicy": {"allValues": "DENY"},
}


def test_public_access_prevention_at_the_org_closes_the_public_bucket() -> None:
    records = [
        *demo_records(),
        policy_record(ORG, "cloudresourcemanager.googleapis.com/Organization", PAP),
    ]
    graph, _ = build(records)
    assert set(routes(graph)) == EXPECTED_ROUTES - {("internet", TRAIN)}
    bucket = graph.node(TRAIN)
    assert bucket["public_access_prevention"] == "enforced"
    assert bucket["public_access_prevention_source"].endswith("organizations/411122223333")
    project = graph.node(f"{CRM}/projects/acme-vertex-prod")
    assert project["org_policies"]["storage.publicAccessPrevention"]["enforced"] is True


def test_project_restoring_the_default_reopens_it() -> None:
    records = [
        *demo_records(),
        policy_record(ORG, "cloudresourcemanager.googleapis.com/Organization", PAP),
        policy_record(
            PROJECT_NUMBER,
            "cloudresourcemanager.googleapis.com/Project",
            {"constraint": "constraints/storage.publicAccessPrevention", "restoreDefault": {}},
        ),
    ]
    graph, _ = build(records)
    assert set(routes(graph)) == EXPECTED_ROUTES


def test_external_ip_constraint_flags_but_does_not_remove_existing_exposure() -> None:
    records = [
        *demo_records(),
        policy_record(ORG, "cloudresourcemanager.googleapis.com/Organization", NO_EXTERNAL_IP),
    ]
    graph, _ = build(records)
    # the constraint only refuses new external IPs: the exposed VM stays exposed
    assert set(routes(graph)) == EXPECTED_ROUTES
    vm = graph.node(f"{ZONE}/jupyter-ds-01")
    assert "compute.vmExternalIpAccess" in vm["org_policy_violation"]


@pytest.mark.parametrize(
    ("policy", "message"),
    [
        ("x", "field 'org_policy': not a list"),
        (["x"], "field 'org_policy[0]': not an object"),
        ([{"boolean_policy": {}}], "field 'org_policy[0].constraint': missing"),
        (
            [{"constraint": "c", "list_policy": {"allowed_values": [1]}}],
            "field 'org_policy[0].list_policy.allowed_values': not strings",
        ),
    ],
)
def test_bad_org_policy_records_name_the_field(policy: Any, message: str) -> None:
    with pytest.raises(AssetRecordError, match=message.replace("[", r"\[").replace("]", r"\]")):
        normalize(
            {
                "name": ORG,
                "asset_type": "cloudresourcemanager.googleapis.com/Organization",
                "org_policy": policy,
            }
        )
