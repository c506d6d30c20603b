"""``aispm collect gcp`` reads organisation policies itself: the ``ORG_POLICY`` listing and
the effective policy of each watched constraint per project (Org Policy API v2).

The real ``AssetServiceClient`` and ``OrgPolicyClient`` (REST transport) talk to the local
replay server (:mod:`tests.gcp.replay`), which answers with recorded JSON in the REST shapes
of cloudasset.googleapis.com and orgpolicy.googleapis.com. The CLI runs as a subprocess.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from aispm_graph.build import BuildContext, build_graph
from aispm_graph.graph.model import Graph
from aispm_graph.providers.gcp.assets import WATCHED_CONSTRAINTS, normalize
from aispm_graph.workspace import Workspace
from tests.conftest import run_cli
from tests.gcp.conftest import SCOPE, TOKEN_ENV, build, collect_gcp, demo_records, demo_rows
from tests.gcp.replay import Recording, ReplayServer, to_wire
from tests.gcp.test_gcp_paths import EXPECTED_ROUTES, TRAIN, ZONE, routes

pytestmark = [pytest.mark.integration, pytest.mark.slow]

NUMBER = "714523698012"
SANDBOX_NUMBER = "714523698099"
CRM = "//cloudresourcemanager.googleapis.com"
PROJECT = f"{CRM}/projects/acme-vertex-prod"
PROJECT_TYPE = "cloudresourcemanager.googleapis.com/Project"
# What orgpolicy.googleapis.com answers for a project under an organisation that enforces
# public access prevention: the evaluated policy, named with the project number.
PAP_EFFECTIVE = {
    "name": f"projects/{NUMBER}/policies/storage.publicAccessPrevention",
    "spec": {"rules": [{"enforce": True}]},
}
CROSS_PROJECT_EFFECTIVE = {
    "name": f"projects/{NUMBER}/policies/iam.disableCrossProjectServiceAccountUsage",
    "spec": {"rules": [{"enforce": False}]},
}
# What the project itself sets, as the ORG_POLICY listing returns it (v1 form).
PROJECT_SETS = {
    "name": f"{CRM}/projects/{NUMBER}",
    "asset_type": PROJECT_TYPE,
    "org_policy": [
        {
            "constraint": "constraints/compute.vmExternalIpAccess",
            "listPolicy": {"allValues": "DENY"},
        }
    ],
}


def recording(**kw: Any) -> Recording:
    rec = Recording.from_documents(demo_rows(), **kw)
    rec.project_numbers = {"acme-vertex-prod": NUMBER, "acme-vertex-sandbox": SANDBOX_NUMBER}
    return rec


def collect(srv: ReplayServer, ws: Path, *extra: str) -> tuple[int, str, str]:
    res = collect_gcp(srv.url, ws, "--orgpolicy-endpoint", srv.url, *extra)
    return res.code, res.out, res.err


def built(ws: Path) -> tuple[Graph, BuildContext]:
    snap = Workspace(ws).current()
    assert snap is not None
    ctx = BuildContext()
    return build_graph(list(snap.documents()), ctx), ctx


def cli_routes(ws: Path) -> set[tuple[str, ...]]:
    res = run_cli("build", workspace=ws)
    assert res.code == 0, res.err
    res = run_cli("paths", "--format", "json", workspace=ws)
    assert res.code == 0, res.err
    return {tuple(n["id"] for n in p["nodes"]) for p in res.json()["paths"]}


@pytest.fixture(scope="module")
def enforced(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    rec = recording()
    rec.effective[PAP_EFFECTIVE["name"]] = PAP_EFFECTIVE  # type: ignore[index]
    rec.effective[CROSS_PROJECT_EFFECTIVE["name"]] = CROSS_PROJECT_EFFECTIVE  # type: ignore[index]
    rec.assets[(PROJECT_TYPE, "ORG_POLICY")].append(to_wire(PROJECT_SETS))
    rec.flaky_effective[PAP_EFFECTIVE["name"]] = [429, 503]  # type: ignore[index]
    srv = ReplayServer(rec).start()
    ws = tmp_path_factory.mktemp("gcp-orgpol") / "ws"
    try:
        code, out, err = collect(srv, ws, "--format", "json")
        assert code == 0, err
        yield {"ws": ws, "out": json.loads(out), "requests": list(srv.requests)}
    finally:
        srv.stop()


def test_effective_public_access_prevention_closes_the_public_bucket(
    enforced: dict[str, Any],
) -> None:
    out = enforced["out"]
    assert out["gaps"] == []
    # two projects found, each watched constraint read for each
    assert out["effective_org_policies"] == 2 * len(WATCHED_CONSTRAINTS)
    calls = [r for r in enforced["requests"] if r["content_type"] == "EFFECTIVE_ORG_POLICY"]
    asked = {r["path"] for r in calls}
    pap = f"/v2/projects/{NUMBER}/policies/storage.publicAccessPrevention:getEffectivePolicy"
    sandbox = f"/v2/projects/{SANDBOX_NUMBER}/policies/compute.vmExternalIpAccess"
    assert {pap, f"{sandbox}:getEffectivePolicy"} <= asked
    # the 429 and the 503 were retried, then the policy was read
    assert [r["path"] for r in calls].count(pap) == 3
    assert {r["authorization"] for r in calls} == {"Bearer test-token-not-a-secret"}
    # The ORG_POLICY listing was asked for the hierarchy types only.
    listed = {r["asset_type"] for r in enforced["requests"] if r["content_type"] == "ORG_POLICY"}
    assert listed == {
        "cloudresourcemanager.googleapis.com/Organization",
        "cloudresourcemanager.googleapis.com/Folder",
        PROJECT_TYPE,
    }
    # The path the public bucket gave is gone; every other path stays.
    assert cli_routes(enforced["ws"]) == EXPECTED_ROUTES - {("internet", TRAIN)}
    graph, _ = built(enforced["ws"])
    bucket = graph.node(TRAIN)
    assert bucket["public_access_prevention"] == "enforced"
    assert bucket["public_access_prevention_source"] == (
        f"organisation policy storage.publicAccessPrevention at {PROJECT} (effective policy "
        f"read with getEffectivePolicy on projects/{NUMBER})"
    )
    assert "public_read" not in bucket
    summary = graph.node(PROJECT)["org_policies"]
    assert summary["storage.publicAccessPrevention"]["enforced"] is True
    assert summary["storage.publicAccessPrevention"]["effective"] is True
    assert summary["iam.disableCrossProjectServiceAccountUsage"]["enforced"] is False


def test_listed_project_policy_is_read_and_effective_one_wins(enforced: dict[str, Any]) -> None:
    graph, _ = built(enforced["ws"])
    summary = graph.node(PROJECT)["org_policies"]
    # The listing said DENY, but the effective policy (no rule recorded for it here: the
    # constraint's default) is what Google enforces for the project.
    assert "compute.vmExternalIpAccess" not in summary
    snap = Workspace(enforced["ws"]).current()
    assert snap is not None
    listed = [d for d in snap.documents() if d.key == f"org_policy:{PROJECT_TYPE}"]
    assert [a["org_policy"] for d in listed for a in d.body["assets"]] == [
        [{"constraint": "compute.vmExternalIpAccess", "list": {"all_values": "DENY"}}]
    ]


def test_listed_org_policy_alone_flags_the_vm(tmp_path: Path) -> None:
    """Without effective policies (an endpoint that does not answer them), what the
    ORG_POLICY listing says is applied as before: the external-IP VM is flagged."""
    rec = recording()
    rec.assets[(PROJECT_TYPE, "ORG_POLICY")].append(to_wire(PROJECT_SETS))
    rec.deny_effective |= {f"projects/{NUMBER}", f"projects/{SANDBOX_NUMBER}"}
    srv = ReplayServer(rec).start()
    try:
        code, _out, err = collect(srv, tmp_path / "ws")
    finally:
        srv.stop()
    assert code == 0, err
    graph, _ = built(tmp_path / "ws")
    assert graph.node(PROJECT)["org_policies"]["compute.vmExternalIpAccess"]["list"] == {
        "all_values": "DENY"
    }
    assert (
        "compute.vmExternalIpAccess" in graph.node(f"{ZONE}/jupyter-ds-01")["org_policy_violation"]
    )


def test_org_policy_permission_denied_is_a_gap_and_the_bucket_stays_public(
    tmp_path: Path,
) -> None:
    rec = recording()
    rec.effective[PAP_EFFECTIVE["name"]] = PAP_EFFECTIVE  # type: ignore[index]
    rec.deny_effective |= {f"projects/{NUMBER}", f"projects/{SANDBOX_NUMBER}"}
    rec.deny |= {
        (t, "ORG_POLICY")
        for t in (
            "cloudresourcemanager.googleapis.com/Organization",
            "cloudresourcemanager.googleapis.com/Folder",
            PROJECT_TYPE,
        )
    }
    srv = ReplayServer(rec).start()
    try:
        code, out, err = collect(srv, tmp_path / "ws", "--format", "json")
        asked = [r for r in srv.requests if r["content_type"] == "EFFECTIVE_ORG_POLICY"]
        code_t, table, err_t = collect(srv, tmp_path / "ws2")
    finally:
        srv.stop()
    assert code == 0, err
    result = json.loads(out)
    assert sorted(result["gaps"]) == sorted(
        [
            "cloudresourcemanager.googleapis.com/Organization ORG_POLICY",
            "cloudresourcemanager.googleapis.com/Folder ORG_POLICY",
            f"{PROJECT_TYPE} ORG_POLICY",
            f"projects/{NUMBER} EFFECTIVE_ORG_POLICY",
            f"projects/{SANDBOX_NUMBER} EFFECTIVE_ORG_POLICY",
        ]
    )
    cov = {(c["service"], c["scope"]): c for c in result["coverage"]}
    gap = cov[(f"projects/{NUMBER}", "EFFECTIVE_ORG_POLICY")]
    assert gap["status"] == "denied"
    assert "orgpolicy.policy.get" in gap["detail"]
    # one denied call per project, not one per constraint
    assert len(asked) == 2
    # Everything else was collected and the bucket is still public.
    assert result["assets"] > 100
    assert cli_routes(tmp_path / "ws") == EXPECTED_ROUTES
    snap = Workspace(tmp_path / "ws").current()
    assert snap is not None
    [entry] = [s for s in snap.sources() if s["source"] == "gcp"]
    assert entry["meta"]["gaps"] == 5
    # The table names the gap.
    assert code_t == 0, err_t
    assert f"projects/{NUMBER}" in table and "EFFECTIVE_ORG_POLICY" in table
    assert "5 coverage gap(s)" in table


def test_effective_policies_can_be_switched_off(tmp_path: Path) -> None:
    srv = ReplayServer(recording()).start()
    try:
        code, out, err = collect(
            srv,
            tmp_path / "ws",
            "--no-effective-policies",
            "--no-groups",  # group membership rows are tested in test_gcp_groups.py
            "--asset-type",
            PROJECT_TYPE,
            "--format",
            "json",
        )
        calls = [r for r in srv.requests if r["content_type"] == "EFFECTIVE_ORG_POLICY"]
    finally:
        srv.stop()
    assert code == 0, err
    assert calls == []
    result = json.loads(out)
    assert result["effective_org_policies"] == 0
    assert {(c["service"], c["scope"]) for c in result["coverage"]} == {
        (PROJECT_TYPE, "RESOURCE"),
        (PROJECT_TYPE, "IAM_POLICY"),
        (PROJECT_TYPE, "ORG_POLICY"),
    }


def test_unreachable_org_policy_endpoint_is_a_gap_not_a_failure(tmp_path: Path) -> None:
    srv = ReplayServer(recording()).start()
    try:
        res = run_cli(
            "collect",
            "gcp",
            "--scope",
            SCOPE,
            "--api-endpoint",
            srv.url,
            "--orgpolicy-endpoint",
            "http://127.0.0.1:9",
            "--asset-type",
            PROJECT_TYPE,
            "--format",
            "json",
            workspace=tmp_path / "ws",
            env=TOKEN_ENV,
        )
    finally:
        srv.stop()
    assert res.code == 0, res.err
    out = res.json()
    assert f"projects/{NUMBER} EFFECTIVE_ORG_POLICY" in out["gaps"]
    assert "cannot reach the Org Policy API" in res.err
    assert "Traceback" not in res.err


@pytest.mark.parametrize(
    "policy",
    [
        {"constraint": "constraints/storage.publicAccessPrevention", "booleanPolicy": {}},
        {
            "constraint": "constraints/compute.vmExternalIpAccess",
            "list_policy": {"allowed_values": ["projects/p/zones/z/instances/i"]},
        },
        {"constraint": "constraints/x", "restoreDefault": {}},
        {**PAP_EFFECTIVE, "effective": True, "source": "s"},
        {
            "name": "projects/1/policies/compute.vmExternalIpAccess",
            "spec": {
                "rules": [
                    {"values": {"allowedValues": ["projects/p/zones/z/instances/i"]}},
                    {"denyAll": True, "condition": {"expression": "resource.matchTag('a', 'b')"}},
                ]
            },
        },
        {"name": "projects/1/policies/iam.allowedPolicyMemberDomains", "spec": {}},
    ],
)
def test_normalising_twice_changes_nothing(policy: dict[str, Any]) -> None:
    """Collected and imported records are stored normalised and normalised again at build
    time: the second pass must not lose the policy."""
    rec = {"name": f"{CRM}/projects/1", "asset_type": PROJECT_TYPE, "org_policy": [policy]}
    once = normalize(rec)
    assert normalize(once) == once
    assert once["org_policy"][0]["constraint"] == policy.get(
        "constraint", policy.get("name", "")
    ).rsplit("/", 1)[-1].removeprefix("constraints/")


def test_v2_forms() -> None:
    def one(pol: dict[str, Any]) -> dict[str, Any]:
        rec = {"name": f"{CRM}/projects/1", "asset_type": PROJECT_TYPE, "org_policy": [pol]}
        result: dict[str, Any] = normalize(rec)["org_policy"][0]
        return result

    assert one(PAP_EFFECTIVE) == {"constraint": "storage.publicAccessPrevention", "enforced": True}
    # a conditional (tag-based) rule is not taken as enforcement
    assert one(
        {
            "name": "projects/1/policies/storage.publicAccessPrevention",
            "spec": {"rules": [{"enforce": True, "condition": {"expression": "x"}}]},
        }
    ) == {"constraint": "storage.publicAccessPrevention", "conditional": True}
    assert one({"name": "projects/1/policies/c", "spec": {"reset": True}})["restore_default"]
    assert one({"name": "projects/1/policies/c", "spec": {"rules": [{"denyAll": True}]}}) == {
        "constraint": "c",
        "list": {"all_values": "DENY"},
    }


def test_imported_org_policy_export_still_enforces_after_build(tmp_path: Path) -> None:
    """The export route stores normalised records too; a build must still see enforcement."""
    export = tmp_path / "org-policy.json"
    export.write_text(
        json.dumps(
            {
                "name": f"{CRM}/organizations/411122223333",
                "asset_type": "cloudresourcemanager.googleapis.com/Organization",
                "org_policy": [
                    {
                        "constraint": "constraints/storage.publicAccessPrevention",
                        "boolean_policy": {"enforced": True},
                    }
                ],
            }
        )
        + "\n"
    )
    assets = tmp_path / "assets.json"
    assets.write_text("\n".join(json.dumps(r) for r in demo_records()) + "\n")
    ws = tmp_path / "ws"
    res = run_cli("import", "gcp-asset-export", str(assets), str(export), workspace=ws)
    assert res.code == 0, res.err
    assert cli_routes(ws) == EXPECTED_ROUTES - {("internet", TRAIN)}


def test_effective_policy_in_an_export_style_record_wins_over_ancestors() -> None:
    """Transform level: the project's effective policy (restore default here) beats the
    organisation's enforcement, because Google already merged the hierarchy into it."""
    org = {
        "name": f"{CRM}/organizations/411122223333",
        "asset_type": "cloudresourcemanager.googleapis.com/Organization",
        "org_policy": [
            {
                "constraint": "constraints/storage.publicAccessPrevention",
                "booleanPolicy": {"enforced": True},
            }
        ],
    }
    eff = {
        "name": f"{CRM}/projects/{NUMBER}",
        "asset_type": PROJECT_TYPE,
        "org_policy": [
            {
                "name": f"projects/{NUMBER}/policies/storage.publicAccessPrevention",
                "spec": {"rules": [{"enforce": False}]},
                "effective": True,
            }
        ],
    }
    graph, _ = build([*demo_records(), org, eff])
    assert set(routes(graph)) == EXPECTED_ROUTES
