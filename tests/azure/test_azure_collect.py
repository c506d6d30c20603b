"""The collector drives the real azure-mgmt-* clients against a local ARM replay server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aispm_graph.build import BuildContext, build_graph
from aispm_graph.demo import DEMO_SUBSCRIPTION, demo_documents
from aispm_graph.providers.azure.collect import (
    AzureCollectError,
    AzureCollector,
    StaticTokenCredential,
)
from aispm_graph.schema import attack_edge_kinds
from aispm_graph.workspace import Workspace
from tests.azure.arm_replay import ArmReplay
from tests.support.cli import run_cli

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SUB = DEMO_SUBSCRIPTION
VM_LIST = f"/subscriptions/{SUB}/providers/Microsoft.Compute/virtualMachines"
# The collector reads AI, network, identity, RBAC and app (web, automation, logic) types: every
# recorded type of the demo is collected.
NOT_COLLECTED: set[str] = set()


def attack_edges(docs: list) -> set[tuple[str, str, str]]:
    graph = build_graph(docs, BuildContext())
    steps = attack_edge_kinds()
    return {(s, d["kind"], t) for s, t, d in graph.edges() if d["kind"] in steps}


def test_collects_every_recorded_resource_through_paging_429_and_403(demo_arm: ArmReplay) -> None:
    demo_arm.fail_once(VM_LIST, 429, {"Retry-After": "1"})
    demo_arm.denied_types.add("microsoft.keyvault/vaults")
    collector = AzureCollector(StaticTokenCredential("test-token"), demo_arm.url, retry_total=3)
    result = collector.collect(SUB)

    expected = {d.key for d in demo_documents("azure")}
    got = {d.key for d in result.documents}
    # the subscription record (tenant id) is read too; the demo recording has none
    assert f"/subscriptions/{SUB}" in got
    got.discard(f"/subscriptions/{SUB}")
    # and the diagnostic-settings listing of each AI resource (stored even when empty)
    diagnostics = {k for k in got if k.endswith("/providers/microsoft.insights/diagnosticsettings")}
    assert {k.split("/providers/")[1].split("/")[0] for k in diagnostics} == {
        "microsoft.cognitiveservices",
        "microsoft.machinelearningservices",
    }
    got -= diagnostics
    missing = expected - got
    assert {k.split("/providers/")[-1].rsplit("/", 1)[0] for k in missing} == {
        "microsoft.keyvault/vaults",
    }
    assert got <= expected
    coverage = {c.service: c for c in result.coverage}
    assert coverage["Microsoft.KeyVault/vaults"].status == "denied"
    assert "403" in coverage["Microsoft.KeyVault/vaults"].detail
    assert coverage["Microsoft.Compute/virtualMachines"].status == "ok"
    assert coverage["Microsoft.Compute/virtualMachines"].count == 6
    assert coverage["Microsoft.Authorization/roleAssignments"].count == 14
    assert coverage["Microsoft.MachineLearningServices/workspaces/connections"].count == 2
    # the 429 was retried after Retry-After, and the SDK pagers followed nextLink
    vm_calls = [r for r in demo_arm.requests if r[2] == VM_LIST.lower()]
    assert len(vm_calls) >= 2 and vm_calls[1][0] - vm_calls[0][0] >= 0.9
    paged = [r for r in demo_arm.requests if r[2] == VM_LIST.lower()]
    assert len(paged) == 1 + 3  # one 429, then three pages of two VMs
    assert all(r[3] == "Bearer test-token" for r in demo_arm.requests)


def test_collected_snapshot_builds_the_same_attack_graph_as_the_recording(
    demo_arm: ArmReplay,
) -> None:
    collector = AzureCollector(StaticTokenCredential("t"), demo_arm.url, retry_total=1)
    collected = collector.collect(SUB).documents
    recorded = [d for d in demo_documents("azure") if not any(t in d.key for t in NOT_COLLECTED)]
    assert attack_edges(collected) == attack_edges(recorded)


def test_collected_documents_are_raw_arm_json(demo_arm: ArmReplay) -> None:
    result = AzureCollector(StaticTokenCredential("t"), demo_arm.url).collect(SUB)
    account = next(d for d in result.documents if d.key.endswith("/accounts/oai-contoso-prod"))
    # camelCase ARM shape (what ARM sent), not the SDK's snake_case model attributes
    assert account.body["properties"]["disableLocalAuth"] is True
    assert account.body["properties"]["publicNetworkAccess"] == "Enabled"


def test_connection_secrets_are_never_stored() -> None:
    ws = (
        "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg/providers/"
        "Microsoft.MachineLearningServices/workspaces/w1"
    )
    resources = [
        {
            "id": ws,
            "name": "w1",
            "type": "Microsoft.MachineLearningServices/workspaces",
            "kind": "Hub",
            "properties": {"publicNetworkAccess": "Enabled"},
        },
        {
            "id": f"{ws}/connections/c1",
            "name": "c1",
            "type": "Microsoft.MachineLearningServices/workspaces/connections",
            "properties": {
                "category": "AzureOpenAI",
                "authType": "ApiKey",
                "target": "https://x.openai.azure.com/",
                "credentials": {"key": "sk-SECRET-VALUE"},
                "metadata": {"ApiKey": "sk-SECRET-2"},
            },
        },
    ]
    server = ArmReplay(resources).start()
    try:
        result = AzureCollector(StaticTokenCredential("t"), server.url).collect(
            "11111111-2222-3333-4444-555555555555"
        )
    finally:
        server.stop()
    text = json.dumps([d.body for d in result.documents])
    assert "c1" in text and "AzureOpenAI" in text
    assert "SECRET" not in text
    # and no secret-returning operation was ever called
    assert not any("listkeys" in r[2] or "listsecrets" in r[2] for r in server.requests)


def test_plain_http_is_refused_for_non_loopback_endpoints() -> None:
    with pytest.raises(AzureCollectError, match="loopback"):
        AzureCollector(StaticTokenCredential("t"), "http://management.example.com")


def test_cli_collect_writes_snapshot_and_coverage(demo_arm: ArmReplay, tmp_path: Path) -> None:
    demo_arm.denied_types.add("microsoft.search/searchservices")
    ws = tmp_path / "ws"
    proc = run_cli(
        "-w",
        str(ws),
        "collect",
        "azure",
        "--subscription",
        SUB,
        "--arm-endpoint",
        demo_arm.url,
        "--format",
        "json",
        env={"AISPM_AZURE_TOKEN": "cli-token"},
    )
    assert proc.code == 0, proc.err
    out = json.loads(proc.out)
    cov = {c["service"]: c for c in out["subscriptions"][0]["coverage"]}
    assert cov["Microsoft.Search/searchServices"]["status"] == "denied"
    assert cov["Microsoft.CognitiveServices/accounts"] == {
        "service": "Microsoft.CognitiveServices/accounts",
        "scope": "",
        "status": "ok",
        "count": 4,
        "calls": 0,
        "pages": 0,
        "seconds": 0.0,
        "errors": [],
        "detail": "",
        "reused": False,
    }
    snap = Workspace(ws).current()
    assert snap is not None
    [source] = snap.sources()
    assert source["source"] == "azure" and source["scope"] == SUB
    assert {c["service"] for c in source["meta"]["coverage"]} == set(cov)
    keys = {d.key for d in snap.documents()}
    assert any(k.endswith("/virtualmachines/vm-ai-gateway") for k in keys)
    assert all(r[3] == "Bearer cli-token" for r in demo_arm.requests)


def test_cli_collect_table_lists_gaps(demo_arm: ArmReplay, tmp_path: Path) -> None:
    demo_arm.denied_types.add("microsoft.authorization/roleassignments")
    proc = run_cli(
        "-w",
        str(tmp_path / "ws"),
        "collect",
        "azure",
        "--subscription",
        SUB,
        "--arm-endpoint",
        demo_arm.url,
        env={"AISPM_AZURE_TOKEN": "t", "COLUMNS": "200"},
    )
    assert proc.code == 0, proc.err
    assert "Microsoft.Authorization/roleAssignments" in proc.out
    assert "denied" in proc.out
    assert "1 resource type(s) not covered" in proc.out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--subscription", "not-a-guid"], "not a subscription id"),
        (["--subscription", SUB, "--arm-endpoint", "http://10.1.2.3"], "loopback"),
        (["--subscription", SUB, "--arm-endpoint", "http://127.0.0.1:9"], "cannot reach ARM"),
    ],
)
def test_cli_collect_usage_errors(args: list[str], message: str, tmp_path: Path) -> None:
    proc = run_cli(
        "-w", str(tmp_path / "ws"), "collect", "azure", *args, env={"AISPM_AZURE_TOKEN": "t"}
    )
    assert proc.code == 2
    assert message in proc.err
    assert "Traceback" not in proc.err


def test_rejected_credential_is_a_clear_error(demo_arm: ArmReplay, tmp_path: Path) -> None:
    demo_arm.fail_once(f"/subscriptions/{SUB}/resourcegroups", 401)
    proc = run_cli(
        "-w",
        str(tmp_path / "ws"),
        "collect",
        "azure",
        "--subscription",
        SUB,
        "--arm-endpoint",
        demo_arm.url,
        env={"AISPM_AZURE_TOKEN": "expired"},
    )
    assert proc.code == 2
    assert "401" in proc.err and "Traceback" not in proc.err


def test_cli_collect_build_paths_end_to_end(demo_arm: ArmReplay, tmp_path: Path) -> None:
    ws = str(tmp_path / "ws")
    env = {"AISPM_AZURE_TOKEN": "t"}
    collect = run_cli(
        "-w",
        ws,
        "-q",
        "collect",
        "azure",
        "--subscription",
        SUB,
        "--arm-endpoint",
        demo_arm.url,
        env=env,
    )
    assert collect.code == 0, collect.err
    build = run_cli("-w", ws, "-q", "build")
    assert build.code == 0, build.err
    paths = run_cli("-w", ws, "paths", "--format", "json")
    assert paths.code == 0, paths.err
    out = json.loads(paths.out)
    targets = {p["target"].rsplit("/", 1)[-1] for p in out["paths"]}
    assert targets == {
        "gpt-4o-prod",
        "text-embedding-3-large",
        "stcontosogrounding",
        "srch-contoso-rag",
        # the Foundry agents the replay's data plane serves, and what one's tool reaches
        "asst_orders01",
        "asst_notify02",
        "faq-agent",
        "stcontosocrm",
    }
    assert {p["entry"] for p in out["paths"]} == {"internet"}
    assert all(p["nodes"][1]["name"] == "vm-ai-gateway" for p in out["paths"])
