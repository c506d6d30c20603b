"""Colab Enterprise runtime templates without CMEK or Secure Boot (GCP-VX-012): templates and
runtimes listed by the real AssetServiceClient from the CAI replay server, built and evaluated
through the CLI."""

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

NUMBER = "714523698012"
LOC = f"projects/{NUMBER}/locations/us-central1"
AIP = "//aiplatform.googleapis.com/"
KEY = "projects/acme-vertex-prod/locations/us-central1/keyRings/ai/cryptoKeys/nb"
TEMPLATES = {
    "hardened": {
        "encryptionSpec": {"kmsKeyName": KEY},
        "shieldedVmConfig": {"enableSecureBoot": True},
    },
    "no-cmek": {"shieldedVmConfig": {"enableSecureBoot": True}},
    "bare": {},
}


def _asset(atype: str, rel: str, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": f"{AIP}{rel}",
        "asset_type": atype,
        "ancestors": [f"projects/{NUMBER}", "folders/902233445566", "organizations/411122223333"],
        "resource": {
            "version": "v1",
            "parent": f"//cloudresourcemanager.googleapis.com/projects/{NUMBER}",
            "data": {"name": rel, **data},
        },
    }


def _rows() -> list[dict[str, Any]]:
    rows = copy.deepcopy(demo_rows())
    templates = [
        _asset(
            "aiplatform.googleapis.com/NotebookRuntimeTemplate",
            f"{LOC}/notebookRuntimeTemplates/{name}",
            {"displayName": name, **data},
        )
        for name, data in TEMPLATES.items()
    ]
    # one runtime per template, and one whose template was not collected (unknown: quiet)
    runtimes = [
        _asset(
            "aiplatform.googleapis.com/NotebookRuntime",
            f"{LOC}/notebookRuntimes/rt-{name}",
            {
                "displayName": f"rt-{name}",
                "runtimeUser": "ds@acme.example",
                "notebookRuntimeTemplateRef": {
                    "notebookRuntimeTemplate": f"{LOC}/notebookRuntimeTemplates/{name}"
                },
            },
        )
        for name in [*TEMPLATES, "not-listed"]
    ]
    for atype, assets in (
        ("aiplatform.googleapis.com/NotebookRuntimeTemplate", templates),
        ("aiplatform.googleapis.com/NotebookRuntime", runtimes),
    ):
        rows.append({"body": {"asset_type": atype, "content_type": "RESOURCE", "assets": assets}})
    return rows


@pytest.fixture(scope="module")
def findings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, set[str]]]:
    srv = ReplayServer(Recording.from_documents(_rows())).start()
    try:
        ws: Path = tmp_path_factory.mktemp("gcp-rt") / "ws"
        res = collect_gcp(srv.url, ws)
        assert res.code == 0, res.err
    finally:
        srv.stop()
    assert run_cli("build", workspace=ws).code == 0
    rec = run_cli("recommendations", "--format", "json", workspace=ws)
    assert rec.code == 0, rec.err
    out: dict[str, set[str]] = {}
    for f in rec.json()["findings"]:
        out.setdefault(f["check"], set()).add(f["name"])
    yield out


def test_runtimes_from_templates_without_cmek_or_secure_boot_fire(
    findings: dict[str, set[str]],
) -> None:
    # the hardened template's runtime passes; an uncollected template is not guessed
    assert findings["GCP-VX-012"] == {"rt-no-cmek", "rt-bare"}
