"""``aispm collect gcp``: the real AssetServiceClient (REST) against a local replay server.

The server replays the recorded demo listings with small pages (so every type pages), denies
one asset type (a coverage gap, the run goes on), and answers one page with 429 then 503
before it succeeds (retried). The CLI runs as a real subprocess.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from aispm_graph.workspace import Workspace
from tests.conftest import run_cli
from tests.gcp.conftest import SCOPE, TOKEN_ENV, collect_gcp, demo_rows
from tests.gcp.replay import Recording, ReplayServer
from tests.gcp.test_gcp_paths import EP, EXPECTED_ROUTES, MODEL, NB, ZONE

pytestmark = [pytest.mark.integration, pytest.mark.slow]

DENIED = ("secretmanager.googleapis.com/Secret", "RESOURCE")
FLAKY = ("compute.googleapis.com/Instance", "RESOURCE", 1)


@pytest.fixture(scope="module")
def server() -> Iterator[ReplayServer]:
    rec = Recording.from_documents(demo_rows(), page_size=3)
    rec.deny.add(DENIED)
    rec.flaky[FLAKY] = [429, 503]
    srv = ReplayServer(rec).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def collected(server: ReplayServer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    ws = tmp_path_factory.mktemp("gcp-collect") / "ws"
    res = collect_gcp(server.url, ws, "--format", "json")
    assert res.code == 0, res.err
    return {"ws": ws, "out": res.json(), "err": res.err}


def test_collect_pages_retries_and_records_the_gap(
    collected: dict[str, Any], server: ReplayServer
) -> None:
    out = collected["out"]
    cov = {(c["service"], c["scope"]): c for c in out["coverage"]}
    # The denied type is a gap; everything else was listed.
    assert out["gaps"] == ["secretmanager.googleapis.com/Secret RESOURCE"]
    assert cov[DENIED]["status"] == "denied"
    assert "permission" in cov[DENIED]["detail"]
    # Paging: 35 instances at 3 a page.
    inst = cov[("compute.googleapis.com/Instance", "RESOURCE")]
    assert (inst["status"], inst["count"], inst["pages"]) == ("ok", 35, 12)
    # Every recorded record came back (minus the denied listing).
    recorded = sum(
        len(r["body"]["assets"])
        for r in demo_rows()
        if (r["body"]["asset_type"], r["body"]["content_type"]) != DENIED
    )
    assert out["assets"] == recorded
    # The 429 and the 503 on page 2 were retried, then the page was served.
    page2 = [r for r in server.requests if (r["asset_type"], r["content_type"], r["page"]) == FLAKY]
    assert len(page2) >= 3
    # The token from the environment was used as a bearer token.
    assert {r["authorization"] for r in server.requests} == {"Bearer test-token-not-a-secret"}
    # Vertex AI asked for with one regular expression.
    assert any(r["asset_type"] == "aiplatform.googleapis.com.*" for r in server.requests)


def test_collected_snapshot_has_coverage_and_no_secret_values(collected: dict[str, Any]) -> None:
    snap = Workspace(collected["ws"]).current()
    assert snap is not None
    [entry] = [s for s in snap.sources() if s["source"] == "gcp"]
    assert entry["scope"] == SCOPE
    assert entry["meta"]["gaps"] == 1
    assert any(c["status"] == "denied" for c in entry["meta"]["coverage"])
    raw = json.dumps([d.body for d in snap.documents()])
    assert "jupyter lab --ip" not in raw  # instance startup-script value scrubbed
    assert "gemini-1.5-pro" not in raw  # Cloud Run env value scrubbed
    assert "startup-script" in raw and '"MODEL"' in raw  # the names are kept


def test_collect_then_build_finds_the_paths(collected: dict[str, Any]) -> None:
    ws: Path = collected["ws"]
    res = run_cli("build", workspace=ws)
    assert res.code == 0, res.err
    res = run_cli("paths", "--format", "json", workspace=ws)
    assert res.code == 0, res.err
    found = {tuple(n["id"] for n in p["nodes"]) for p in res.json()["paths"]}
    assert found == EXPECTED_ROUTES
    assert ("internet", f"{ZONE}/jupyter-ds-01", NB, EP, MODEL) in found


def test_collect_table_output(server: ReplayServer, tmp_path: Path) -> None:
    res = run_cli(
        "collect",
        "gcp",
        "--scope",
        SCOPE,
        "--api-endpoint",
        server.url,
        "--asset-type",
        "secretmanager.googleapis.com/Secret",
        "--asset-type",
        "storage.googleapis.com/Bucket",
        workspace=tmp_path / "ws",
        env=TOKEN_ENV,
    )
    assert res.code == 0, res.err
    assert "coverage" in res.out
    assert "denied" in res.out
    assert "storage.googleapis.com/Bucket" in res.out
    assert "1 coverage gap(s)" in res.out


def test_everything_denied_is_an_error(tmp_path: Path) -> None:
    rec = Recording.from_documents(demo_rows())
    rec.deny |= {("storage.googleapis.com/Bucket", c) for c in ("RESOURCE", "IAM_POLICY")}
    srv = ReplayServer(rec).start()
    try:
        res = run_cli(
            "collect",
            "gcp",
            "--scope",
            SCOPE,
            "--api-endpoint",
            srv.url,
            "--asset-type",
            "storage.googleapis.com/Bucket",
            workspace=tmp_path / "ws",
            env=TOKEN_ENV,
        )
    finally:
        srv.stop()
    assert res.code == 2
    assert "nothing could be listed" in res.err and "cloudasset.viewer" in res.err
    assert "Traceback" not in res.err
    assert not (tmp_path / "ws" / "snapshots").exists()


def test_rejected_credentials(tmp_path: Path) -> None:
    rec = Recording.from_documents(demo_rows(), unauthenticated=True)
    srv = ReplayServer(rec).start()
    try:
        res = run_cli(
            "collect",
            "gcp",
            "--scope",
            SCOPE,
            "--api-endpoint",
            srv.url,
            workspace=tmp_path / "ws",
            env=TOKEN_ENV,
        )
    finally:
        srv.stop()
    assert res.code == 2
    assert "GCP rejected the credentials" in res.err
    assert "Traceback" not in res.err


def test_unreachable_endpoint_and_bad_scope(tmp_path: Path) -> None:
    res = run_cli(
        "collect",
        "gcp",
        "--scope",
        SCOPE,
        "--api-endpoint",
        "http://127.0.0.1:9",
        "--asset-type",
        "storage.googleapis.com/Bucket",
        workspace=tmp_path / "ws",
        env=TOKEN_ENV,
    )
    assert res.code == 2, res.err
    assert "cannot reach Cloud Asset API" in res.err
    res = run_cli(
        "collect", "gcp", "--scope", "acme-vertex-prod", workspace=tmp_path / "ws", env=TOKEN_ENV
    )
    assert res.code == 2
    assert "projects/PROJECT_ID" in res.err


def test_no_credentials(tmp_path: Path) -> None:
    env = {
        "GOOGLE_OAUTH_ACCESS_TOKEN": "",
        "GOOGLE_APPLICATION_CREDENTIALS": "",
        "CLOUDSDK_CONFIG": str(tmp_path / "gcloud"),
        "NO_GCE_CHECK": "True",
        "HOME": str(tmp_path),
    }
    res = run_cli(
        "collect",
        "gcp",
        "--scope",
        SCOPE,
        "--api-endpoint",
        "http://127.0.0.1:9",
        workspace=tmp_path / "ws",
        env=env,
    )
    assert res.code == 2
    assert "no GCP credentials" in res.err
    assert "GOOGLE_OAUTH_ACCESS_TOKEN" in res.err


@pytest.mark.parametrize(
    "option", ["--api-endpoint", "--orgpolicy-endpoint", "--cloudidentity-endpoint"]
)
def test_plain_http_to_another_host_is_refused(option: str, tmp_path: Path) -> None:
    """The access token would cross the network readable: refused before any call."""
    res = run_cli(
        *("collect", "gcp", "--scope", SCOPE, option, "http://10.20.30.40:8080"),
        workspace=tmp_path / "ws",
        env=TOKEN_ENV,
    )
    assert res.code == 2, res.err
    assert f"{option} 'http://10.20.30.40:8080': plain http is only allowed" in res.err
    assert "Traceback" not in res.err
    assert not (tmp_path / "ws").exists()
