"""Gemini API exposure (GCP-GM-001, GCP-GM-002) on Prowler's pass and fail cases: API keys and
enabled services listed by the real AssetServiceClient from the CAI replay server, built and
evaluated through the CLI."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from aispm_graph.build import BuildContext, build_graph
from aispm_graph.workspace import Workspace
from tests.conftest import run_cli
from tests.gcp.conftest import collect_gcp, demo_rows
from tests.gcp.replay import Recording, ReplayServer

pytestmark = [pytest.mark.integration, pytest.mark.slow]

NUMBER = "714523698012"
PROJECT = "//cloudresourcemanager.googleapis.com/projects/acme-vertex-prod"
KEY_TYPE = "apikeys.googleapis.com/Key"
SERVICE_TYPE = "serviceusage.googleapis.com/Service"
SECRET = "AIzaSyD-not-a-real-key-0000000000000000"


def _asset(atype: str, rel: str, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": f"//{atype.split('/')[0]}/{rel}",
        "asset_type": atype,
        "ancestors": [f"projects/{NUMBER}", "folders/902233445566", "organizations/411122223333"],
        "resource": {
            "version": "v1",
            "parent": f"//cloudresourcemanager.googleapis.com/projects/{NUMBER}",
            "data": {"name": rel, **data},
        },
    }


def _key(kid: str, targets: list[str] | None) -> dict[str, Any]:
    data: dict[str, Any] = {"displayName": kid, "uid": f"uid-{kid}"}
    if targets is not None:
        data["restrictions"] = {"apiTargets": [{"service": t} for t in targets]}
    if kid == "web-key":
        data["keyString"] = SECRET
    return _asset(KEY_TYPE, f"projects/{NUMBER}/locations/global/keys/{kid}", data)


def _service(name: str) -> dict[str, Any]:
    rel = f"projects/{NUMBER}/services/{name}"
    return _asset(SERVICE_TYPE, rel, {"config": {"name": name}, "state": "ENABLED"})


KEYS = [
    _key("web-key", None),  # no API restriction: every enabled API
    _key("all-clouds", ["cloudapis.googleapis.com"]),  # restricted to all Cloud APIs
    _key("gemini-and-maps", ["generativelanguage.googleapis.com", "maps-backend.googleapis.com"]),
    _key("gemini-only", ["generativelanguage.googleapis.com"]),  # dedicated key: passes
    _key("maps-only", ["maps-backend.googleapis.com"]),  # cannot call Gemini: passes
]


def _run(tmp: Path, services: list[str]) -> tuple[set[tuple[str, str]], dict[str, Any], Path]:
    rows = copy.deepcopy(demo_rows())
    rows.append({"body": {"asset_type": KEY_TYPE, "content_type": "RESOURCE", "assets": KEYS}})
    rows.append(
        {
            "body": {
                "asset_type": SERVICE_TYPE,
                "content_type": "RESOURCE",
                "assets": [_service(s) for s in services],
            }
        }
    )
    srv = ReplayServer(Recording.from_documents(rows)).start()
    ws = tmp / "ws"
    try:
        res = collect_gcp(srv.url, ws)
        assert res.code == 0, res.err
    finally:
        srv.stop()
    assert run_cli("build", workspace=ws).code == 0
    rec = run_cli("recommendations", "--format", "json", workspace=ws)
    assert rec.code == 0, rec.err
    findings = {
        (f["check"], f["resource"])
        for f in rec.json()["findings"]
        if f["check"].startswith("GCP-GM-")
    }
    snap = Workspace(ws).current()
    assert snap is not None
    graph = build_graph(list(snap.documents()), BuildContext())
    return findings, dict(graph.node(PROJECT)), ws


def test_gemini_enabled_and_keys_that_reach_it_fire(tmp_path: Path) -> None:
    findings, project, ws = _run(
        tmp_path, ["generativelanguage.googleapis.com", "aiplatform.googleapis.com"]
    )
    assert findings == {("GCP-GM-001", PROJECT), ("GCP-GM-002", PROJECT)}
    assert project["gemini_api_enabled"] is True
    # no restriction, all Cloud APIs, Gemini among others fail; a dedicated key passes
    assert project["unrestricted_gemini_keys"] == ["all-clouds", "gemini-and-maps", "web-key"]
    # the key string is a bearer secret: never stored, whatever the answer carried
    snap = Workspace(ws).current()
    assert snap is not None
    stored = json.dumps([d.body for d in snap.documents()])
    assert "web-key" in stored
    assert SECRET not in stored


def test_gemini_disabled_is_quiet_whatever_the_keys(tmp_path: Path) -> None:
    findings, project, _ = _run(tmp_path, ["aiplatform.googleapis.com"])
    assert findings == set()
    assert project["gemini_api_enabled"] is False
    assert project["unrestricted_gemini_key"] is False
