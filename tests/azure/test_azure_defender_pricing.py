"""Defender for AI services (AZ-AI-010) on Mondoo's pass and fail cases: the subscription's
Defender for Cloud plans read by the real azure-mgmt pipeline from the ARM replay server, built
into the graph the check runs on; a refused listing is a coverage gap, not a verdict."""

from __future__ import annotations

from typing import Any

import pytest

from aispm_graph.build import BuildContext, build_graph
from aispm_graph.providers.azure.collect import AzureCollector, StaticTokenCredential
from aispm_graph.recommendations.evaluate import evaluate
from tests.azure.arm_replay import ArmReplay

pytestmark = pytest.mark.integration

ON = "11111111-0000-4000-8000-000000000001"
OFF = "11111111-0000-4000-8000-000000000002"


def _plan(sub: str, name: str, tier: str) -> dict[str, Any]:
    return {
        "id": f"/subscriptions/{sub}/providers/Microsoft.Security/pricings/{name}",
        "name": name,
        "type": "Microsoft.Security/pricings",
        "properties": {"pricingTier": tier, "freeTrialRemainingTime": "PT0S"},
    }


def _sub(sub: str) -> dict[str, Any]:
    return {"id": f"/subscriptions/{sub}", "subscriptionId": sub, "displayName": f"sub-{sub[-1]}"}


RESOURCES = [
    _sub(ON),
    _sub(OFF),
    # the AI plan on; another plan off does not matter
    _plan(ON, "AI", "Standard"),
    _plan(ON, "VirtualMachines", "Free"),
    # every other plan on, the AI plan off
    _plan(OFF, "AI", "Free"),
    _plan(OFF, "VirtualMachines", "Standard"),
]


def _findings(server: ArmReplay, sub: str) -> tuple[set[tuple[str, str]], list[Any], Any]:
    result = AzureCollector(StaticTokenCredential("t"), server.url).collect(sub)
    graph = build_graph(result.documents, BuildContext())
    fired = {(f.check, f.resource) for f in evaluate(graph) if f.check == "AZ-AI-010"}
    return fired, result.coverage, graph.node(f"/subscriptions/{sub}")


def test_ai_plan_free_fires_and_standard_passes() -> None:
    server = ArmReplay(RESOURCES).start()
    try:
        on, cov_on, node_on = _findings(server, ON)
        off, _, node_off = _findings(server, OFF)
    finally:
        server.stop()
    assert node_on["defender_for_ai"] is True
    assert on == set()
    assert node_off["defender_for_ai"] is False
    assert off == {("AZ-AI-010", f"/subscriptions/{OFF}")}
    assert ("Microsoft.Security/pricings", "ok", 2) in {
        (c.service, c.status, c.count) for c in cov_on
    }


def test_refused_listing_is_a_gap_not_a_finding() -> None:
    server = ArmReplay(RESOURCES).start()
    server.denied_types.add("microsoft.security/pricings")
    try:
        fired, coverage, node = _findings(server, OFF)
    finally:
        server.stop()
    assert fired == set()
    assert "defender_for_ai" not in node
    assert ("Microsoft.Security/pricings", "denied") in {(c.service, c.status) for c in coverage}
