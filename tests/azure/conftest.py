"""Session fixtures for the Azure tests: local ARM replay servers the real SDK clients talk to."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from aispm_graph.demo import demo_documents
from tests.azure.arm_replay import ArmReplay

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "fixtures" / "azure" / "arm-examples"


def example_bodies() -> dict[str, Any]:
    """Response bodies of the recorded azure-rest-api-specs examples, by file name."""
    return {
        p.name: json.loads(p.read_text())["responses"]["200"]["body"]
        for p in sorted(EXAMPLES.glob("*.json"))
    }


@pytest.fixture(scope="session")
def demo_server() -> Iterator[ArmReplay]:
    server = ArmReplay([d.body for d in demo_documents("azure")], page_size=2).start()
    yield server
    server.stop()


@pytest.fixture
def demo_arm(demo_server: ArmReplay) -> Iterator[ArmReplay]:
    demo_server.reset()
    yield demo_server
    demo_server.reset()


@pytest.fixture(scope="session")
def examples_server() -> Iterator[ArmReplay]:
    resources: list[dict[str, Any]] = []
    for body in example_bodies().values():
        for item in body.get("value", [body]):
            if isinstance(item, dict) and str(item.get("id", "")).startswith(
                "/subscriptions/subid/"
            ):
                resources.append(item)
    server = ArmReplay(resources, page_size=1).start()
    yield server
    server.stop()
