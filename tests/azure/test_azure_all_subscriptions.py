"""``aispm collect azure --all-subscriptions``: list, collect in parallel, survive a 403."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from aispm_graph.demo import DEMO_SUBSCRIPTION, demo_documents
from aispm_graph.providers.azure.collect import AzureCollector, StaticTokenCredential
from aispm_graph.workspace import Workspace
from tests.azure.arm_replay import ArmReplay
from tests.support.cli import run_cli, run_in_terminal

pytestmark = [pytest.mark.integration, pytest.mark.slow]

OTHER = "0a0b0c0d-1111-4222-8333-444455556666"  # listed, but the caller has no role in it
OTHER_RG = {
    "id": f"/subscriptions/{OTHER}/resourceGroups/finance-ml",
    "name": "finance-ml",
    "type": "Microsoft.Resources/resourceGroups",
    "location": "westeurope",
}


@pytest.fixture(scope="module")
def two_subs() -> Iterator[ArmReplay]:
    server = ArmReplay([*(d.body for d in demo_documents("azure")), OTHER_RG], page_size=2)
    server.page_size = 1  # the subscription list itself is paged too
    server.start()
    server.denied_subscriptions.add(OTHER)
    yield server
    server.stop()


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
    assert proc.code == 0, proc.err
    out = json.loads(proc.out)
    assert [s["subscription"] for s in out["subscriptions"]] == [DEMO_SUBSCRIPTION]
    assert [f["subscription"] for f in out["failed"]] == [OTHER]
    assert out["failed"][0]["reason"].startswith("denied: HTTP 403")
    snap = Workspace(tmp_path).current()
    assert snap is not None
    # the denied subscription is not stored as an empty one
    assert {s["scope"] for s in snap.sources()} == {DEMO_SUBSCRIPTION}
    keys = {d.key for d in snap.documents()} - {f"/subscriptions/{DEMO_SUBSCRIPTION}"}
    # the diagnostic-settings listings of AI resources are read answers, not recorded resources
    keys = {k for k in keys if not k.endswith("/providers/microsoft.insights/diagnosticsettings")}
    expected = {d.key for d in demo_documents("azure")}
    assert keys <= expected and len(keys) > len(expected) // 2


def test_all_subscriptions_at_a_terminal_counts_subscriptions_and_failures(
    two_subs: ArmReplay, tmp_path: Path
) -> None:
    """A person sees subscriptions done of total with the failures so far; then the table."""
    args = ["-w", str(tmp_path / "ws"), "collect", "azure", "--all-subscriptions"]
    args += ["--arm-endpoint", two_subs.url, "--max-workers", "1"]
    res = run_in_terminal(args, env={"AISPM_AZURE_TOKEN": "t"})
    assert res.code == 0, res.out
    counts = re.findall(r"Azure subscriptions\S*\s+\S*\s+(\d+)/(\d+)", res.out)
    assert counts and {total for _done, total in counts} == {"2"}
    assert re.search(r"Azure subscriptions.*1 failed", res.out)  # the 403, while it runs
    assert "left" in res.out
    # Per-read lines are for logs: where the bar shows the run, they do not scroll past it
    # (one line per finished subscription does).
    assert ": resource groups" not in res.out and ": generic resources" not in res.out
    assert f"subscription {DEMO_SUBSCRIPTION}: " in res.out
    # Bars gone at the end, the result stays; none at all under JSON or NO_COLOR.
    assert "Azure subscriptions" not in res.out[res.out.rindex(DEMO_SUBSCRIPTION) :]
    for extra, env in ((["--format", "json"], {}), ([], {"NO_COLOR": "1"})):
        ws = ["-w", str(tmp_path / f"ws-{len(extra)}")]
        plain = run_in_terminal([*ws, *args[2:], *extra], env={"AISPM_AZURE_TOKEN": "t", **env})
        assert plain.code == 0, plain.out
        assert "Azure subscriptions" not in plain.out and DEMO_SUBSCRIPTION in plain.out


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
    assert both.code == 2 and "alternatives" in both.err
    neither = run_cli("-w", str(tmp_path), "collect", "azure", env=env)
    assert neither.code == 2 and "--all-subscriptions" in neither.err


def collect_all(ws: Path, server: ArmReplay, *extra: str) -> dict[str, Any]:
    proc = run_cli(
        *("-w", str(ws), "-q", "collect", "azure", "--all-subscriptions"),
        *("--arm-endpoint", server.url, "--graph-endpoint", server.url, "--format", "json"),
        *extra,
        env={"AISPM_AZURE_TOKEN": "t"},
    )
    assert proc.code == 0, proc.err
    out: dict[str, Any] = json.loads(proc.out)
    return out


def taken(ws: Path) -> dict[str, str]:
    snap = Workspace(ws).current()
    assert snap is not None
    return {s["scope"]: s["taken_at"] for s in snap.sources()}


def test_resume_collects_only_the_subscription_that_failed(
    two_subs: ArmReplay, tmp_path: Path
) -> None:
    first = collect_all(tmp_path, two_subs)
    assert [f["subscription"] for f in first["failed"]] == [OTHER]
    before = taken(tmp_path)
    two_subs.denied_subscriptions.discard(OTHER)  # the caller was given a role there
    try:
        out = collect_all(tmp_path, two_subs, "--resume")
    finally:
        two_subs.denied_subscriptions.add(OTHER)
    assert out["run"] == first["run"]
    assert out["skipped"] == [DEMO_SUBSCRIPTION]
    assert [s["subscription"] for s in out["subscriptions"]] == [OTHER]
    after = taken(tmp_path)
    assert after[DEMO_SUBSCRIPTION] == before[DEMO_SUBSCRIPTION]
    assert OTHER in after
    state = json.loads((tmp_path / "azure-estate-run.json").read_text())
    assert state["finished"] is True
    assert sorted(state["done"]) == sorted([DEMO_SUBSCRIPTION, OTHER])


def test_interrupted_run_keeps_what_it_stored_and_resumes(
    two_subs: ArmReplay, tmp_path: Path
) -> None:
    """Ctrl-C while OTHER is still being read: the demo subscription, already stored, stays;
    the process stops at once although a read is in flight; --resume reads OTHER only."""
    two_subs.denied_subscriptions.discard(OTHER)
    two_subs.hold(OTHER)
    try:
        proc = subprocess.Popen(
            [
                *(sys.executable, "-m", "aispm_graph", "-w", str(tmp_path), "-q"),
                *("collect", "azure", "--all-subscriptions", "--arm-endpoint", two_subs.url),
                *("--graph-endpoint", two_subs.url, "--format", "json"),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "AISPM_AZURE_TOKEN": "t"},
        )
        run_file = tmp_path / "azure-estate-run.json"
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the demo subscription never finished"
            try:
                done = json.loads(run_file.read_text())["done"]
            except (OSError, ValueError, KeyError):
                done = []
            if DEMO_SUBSCRIPTION in done:
                break
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=60)
        two_subs.release()
        assert proc.returncode == 130, err
        assert "interrupted: 1 subscription(s) stored" in err
        assert "--resume" in err
        assert set(taken(tmp_path)) == {DEMO_SUBSCRIPTION}
        out = collect_all(tmp_path, two_subs, "--resume")
    finally:
        two_subs.release()
        two_subs.denied_subscriptions.add(OTHER)
    assert out["skipped"] == [DEMO_SUBSCRIPTION]
    assert [s["subscription"] for s in out["subscriptions"]] == [OTHER]
    assert set(taken(tmp_path)) >= {DEMO_SUBSCRIPTION, OTHER}


def test_the_python_api_runs_the_same_estate_collection(
    two_subs: ArmReplay, tmp_path: Path
) -> None:
    """What a notebook calls: the orchestration the CLI renders, without the CLI."""
    from aispm_graph.estate.azure import collect_azure_estate
    from aispm_graph.estate.run import EstateError

    ws = Workspace(tmp_path)
    collector = AzureCollector(StaticTokenCredential("t"), two_subs.url)
    lines: list[str] = []
    estate = collect_azure_estate(
        ws,
        collector,
        [DEMO_SUBSCRIPTION, OTHER],
        mode="subscriptions",
        tenant_wide=False,
        max_workers=2,
        log=lines.append,
    )
    assert [s["subscription"] for s in estate.collected] == [DEMO_SUBSCRIPTION]
    assert [sub for sub, _why in estate.failed] == [OTHER]
    assert f"subscription {OTHER}: not collected: {estate.failed[0][1]}" in lines
    snap = ws.current()
    assert snap is not None and snap.id == estate.snapshot
    assert {s["scope"] for s in snap.sources()} == {DEMO_SUBSCRIPTION}
    # resumed: the stored subscription is skipped, the denied one tried again
    again = collect_azure_estate(
        ws,
        collector,
        [DEMO_SUBSCRIPTION, OTHER],
        mode="subscriptions",
        resume=True,
        tenant_wide=False,
    )
    assert (again.run, again.skipped, again.collected) == (estate.run, [DEMO_SUBSCRIPTION], [])
    # nothing readable at all is the caller's error, not an empty snapshot
    with pytest.raises(EstateError, match="no subscription could be collected"):
        collect_azure_estate(ws, collector, [OTHER], mode="other", tenant_wide=False)
