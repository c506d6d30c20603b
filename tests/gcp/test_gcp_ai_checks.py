"""The Vertex AI posture checks on Defender's and Mondoo's pass and fail cases: recorded Cloud
Asset Inventory listings, changed case by case, collected by the real AssetServiceClient from
the replay server, built and evaluated through the CLI."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_cli
from tests.gcp.conftest import collect_gcp, demo_rows
from tests.gcp.replay import Recording, ReplayServer

pytestmark = [pytest.mark.integration, pytest.mark.slow]

AIP = "//aiplatform.googleapis.com/projects/714523698012/locations/us-central1/reasoningEngines"
DS = "//discoveryengine.googleapis.com/projects/714523698012/locations/global/collections"
KEY = "projects/acme-vertex-prod/locations/us/keyRings/ai/cryptoKeys/k1"


def _rows() -> list[dict[str, Any]]:
    rows = copy.deepcopy(demo_rows())
    extra: list[dict[str, Any]] = []
    for row in rows:
        for asset in row["body"]["assets"]:
            data = asset.get("resource", {}).get("data", {})
            if asset["name"].endswith("/instances/wb-sandbox-01") and "gceSetup" in data:
                # monitored, shuts down when idle, but runs as the default service account
                data["gceSetup"]["metadata"]["install-monitoring-agent"] = "true"
                data["gceSetup"]["metadata"]["idle-timeout-seconds"] = "10800"
                data["gceSetup"]["serviceAccounts"] = [
                    {"email": "714523698012-compute@developer.gserviceaccount.com"}
                ]
            if asset["name"] == f"{AIP}/778899001122" and "resource" in asset:
                keyed = copy.deepcopy(asset)
                keyed["name"] = f"{AIP}/778899001199"
                keyed["resource"]["data"]["name"] = keyed["name"].split(
                    "aiplatform.googleapis.com/"
                )[1]
                keyed["resource"]["data"]["displayName"] = "keyed-agent"
                keyed["resource"]["data"]["encryptionSpec"] = {"kmsKeyName": KEY}
                extra.append(keyed)
            if asset["name"].endswith("/dataStores/support-kb") and "resource" in asset:
                keyed = copy.deepcopy(asset)
                keyed["name"] = f"{DS}/default_collection/dataStores/keyed-kb"
                keyed["resource"]["data"]["displayName"] = "keyed-kb"
                keyed["resource"]["data"]["cmekConfig"] = {"name": "c", "kmsKey": KEY}
                extra.append(keyed)
        if extra:
            row["body"]["assets"].extend(extra)
            extra = []
    return rows


@pytest.fixture(scope="module")
def findings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[set[tuple[str, str]]]:
    srv = ReplayServer(Recording.from_documents(_rows())).start()
    try:
        ws: Path = tmp_path_factory.mktemp("gcp-ai") / "ws"
        res = collect_gcp(srv.url, ws)
        assert res.code == 0, res.err
    finally:
        srv.stop()
    assert run_cli("build", workspace=ws).code == 0
    rec = run_cli("recommendations", "--format", "json", workspace=ws)
    assert rec.code == 0, rec.err
    yield {(f["check"], f["name"]) for f in rec.json()["findings"]}


def _of(findings: set[tuple[str, str]], check: str) -> set[str]:
    return {name for c, name in findings if c == check}


def test_workbench_monitoring_idle_shutdown_and_service_account(
    findings: set[tuple[str, str]],
) -> None:
    # Defender: Cloud Monitoring and idle shutdown on Workbench; Mondoo: no default SA.
    assert _of(findings, "GCP-VX-004") == {"wb-research-01"}
    assert _of(findings, "GCP-VX-005") == {"wb-research-01"}
    assert _of(findings, "GCP-VX-011") == {"wb-sandbox-01"}
    # Defender: public IP on Workbench, whether or not the backing VM was collected too.
    assert _of(findings, "GCP-VX-002") == {"wb-research-01"}


def test_agent_engine_and_data_store_cmek(findings: set[tuple[str, str]]) -> None:
    # Defender: CMEK for Vertex AI Engine and for the Agent Builder data store.
    assert _of(findings, "GCP-VX-008") == {"support-agent"}
    assert _of(findings, "GCP-VX-009") == {"support-kb"}
