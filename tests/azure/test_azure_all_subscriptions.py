"""``aispm collect azure --all-subscriptions``: list, collect in parallel, survive a 403."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from arm_replay import ArmReplay

from aispm_graph.providers.azure.collect import AzureCollector, StaticTokenCredential
from aispm_graph.providers.azure.demo import DEMO_SUBSCRIPTION, load_demo_documents
from aispm_graph.workspace import Workspace

OTHER = "0a0b0c0d-1111-4222-8333-444455556666"  # listed, but the caller has no role in it
OTHER_RG = {
    "id": f"/subscriptions/{OTHER}/resourceGroups/finance-ml",
    "name": "finance-ml",
    "type": "Microsoft.Resources/resourceGroups",
    "location": "westeurope",
}


@pytest.fixture(scope="module")
def two_subs() -> Iterator[ArmReplay]:
    server = ArmReplay([*(d.body for d in load_demo_documents()), OTHER_RG], page_size=2)
    server.page_size = 1  # the subscription list itself is paged too
    server.start()
    server.denied_subscriptions.add(OTHER)
    yield server
    server.stop()


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "aispm_graph", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=300,
    )


def test_lists_every_subscription_through_paging(two_subs: ArmReplay) -> None:
    collector = AzureCollector(StaticTokenCredential("t"), two_subs.url)
    subs = {s["subscriptionId"] for s in collector.list_subscriptions()}
    assert subs == {DEMO_SUBSCRIPTION, OTHER}


def test_all_subscriptions_collects_the_readable_one_and_reports_the_403(
    two_subs: ArmReplay, tmp_path: Path
) -> None:
    proc = run_cli(
        "-w",
        str(tmp_path),
        "collect",
        "azure",
        "--all-subscriptions",
        "--arm-endpoint",
        two_subs.url,
        "--max-workers",
        "2",
        "--format",
        "json",
        env={"AISPM_AZURE_TOKEN": "t"},
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert [s["subscription"] for s in out["subscriptions"]] == [DEMO_SUBSCRIPTION]
    assert [f["subscription"] for f in out["failed"]] == [OTHER]
    assert out["failed"][0]["reason"].startswith("denied: HTTP 403")
    snap = Workspace(tmp_path).current()
    assert snap is not None
    # the denied subscription is not stored as an empty one
    assert {s["scope"] for s in snap.sources()} == {DEMO_SUBSCRIPTION}
    keys = {d.key for d in snap.documents()} - {f"/subscriptions/{DEMO_SUBSCRIPTION}"}
    expected = {d.key for d in load_demo_documents()}
    assert keys <= expected and len(keys) > len(expected) // 2


def test_subscription_options_are_exclusive(two_subs: ArmReplay, tmp_path: Path) -> None:
    env = {"AISPM_AZURE_TOKEN": "t"}
    both = run_cli(
        "-w",
        str(tmp_path),
        "collect",
        "azure",
        "--all-subscriptions",
        "--subscription",
        DEMO_SUBSCRIPTION,
        "--arm-endpoint",
        two_subs.url,
        env=env,
    )
    assert both.returncode == 2 and "alternatives" in both.stderr
    neither = run_cli("-w", str(tmp_path), "collect", "azure", env=env)
    assert neither.returncode == 2 and "--all-subscriptions" in neither.stderr
