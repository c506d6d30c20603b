"""Shared GCP test inputs: the recorded demo listings and a built graph of them."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from aispm_graph.build import BuildContext, build_graph
from aispm_graph.graph.model import Graph
from aispm_graph.workspace import Document
from tests.conftest import CliResult, run_cli
from tests.support.graph import pairs

edges = pairs  # {(source, target)} of one kind, as the GCP tests import it from here

REPO = Path(__file__).resolve().parents[2]
DEMO_ASSETS = REPO / "fixtures" / "demo" / "gcp" / "assets.json"
EXAMPLES = Path("/work/shared/data/gcp-examples")
LOCAL_EXAMPLES = REPO / "fixtures" / "gcp" / "policy-library"


def demo_rows() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads(DEMO_ASSETS.read_text(encoding="utf-8"))
    return rows


def demo_records() -> list[dict[str, Any]]:
    return [a for row in demo_rows() for a in row["body"]["assets"]]


def build(records: list[dict[str, Any]]) -> tuple[Graph, BuildContext]:
    ctx = BuildContext()
    graph = build_graph([Document("gcp", "test", "assets", {"assets": records})], ctx)
    return graph, ctx


@pytest.fixture(scope="session")
def demo_graph() -> tuple[Graph, BuildContext]:
    return build(demo_records())


@pytest.fixture
def records() -> list[dict[str, Any]]:
    return copy.deepcopy(demo_records())


def find(records: list[dict[str, Any]], suffix: str, content: str = "resource") -> dict[str, Any]:
    """The record whose name ends with ``suffix`` and that carries ``content``."""
    key = "iam_policy" if content == "iam" else "resource"
    for rec in records:
        if rec["name"].endswith(suffix) and key in rec:
            return rec
    raise KeyError(suffix)


Mutator = Callable[[list[dict[str, Any]]], None]


SCOPE = "projects/acme-vertex-prod"
TOKEN_ENV = {"GOOGLE_OAUTH_ACCESS_TOKEN": "test-token-not-a-secret"}


def collect_gcp(url: str, ws: Path, *extra: str) -> CliResult:
    """``aispm collect gcp`` of the demo project against the replay server at ``url``."""
    return run_cli(
        *("collect", "gcp", "--scope", SCOPE, "--api-endpoint", url, *extra),
        workspace=ws,
        env=TOKEN_ENV,
    )
