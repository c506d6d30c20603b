"""Shared pieces of the AWS tests (``from tests.aws.aws_moto import ...``).

One moto server and one replay proxy per test session.

The collector is exercised exactly as users run it: boto3 with ``AWS_ENDPOINT_URL`` (and
per-service endpoint URLs for the Bedrock operations moto lacks), never a patched client.
"""

from __future__ import annotations

import json
import os
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from aispm_graph.build import BuildContext, build_graph
from aispm_graph.graph.model import Graph
from fixtures.aws import build_moto_estate as estate

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class MotoEnv:
    url: str
    env: dict[str, str]
    proxy: Any

    def reset(self) -> None:
        req = urllib.request.Request(f"{self.url}/moto-api/reset", data=b"", method="POST")
        with urllib.request.urlopen(req, timeout=30) as resp:
            resp.read()

    def session(self) -> Any:
        import boto3

        return boto3.Session(
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            region_name=estate.REGION,
        )


@pytest.fixture(scope="session")
def moto_env() -> Iterator[MotoEnv]:
    saved = dict(os.environ)
    moto, proxy, env = estate.start_servers()
    os.environ.update(env)
    try:
        yield MotoEnv(env["AWS_ENDPOINT_URL"], env, proxy)
    finally:
        os.environ.clear()
        os.environ.update(saved)
        proxy.stop()
        moto.stop()


@dataclass
class Estate:
    ids: dict[str, str]
    result: Any
    graph: Graph
    ctx: BuildContext

    def edges(self, kind: str) -> set[tuple[str, str]]:
        return {(s, t) for s, t, _ in self.graph.edges(kind)}


@pytest.fixture(scope="session")
def demo(moto_env: MotoEnv) -> Estate:
    """The demo estate, collected by the real collector and built into a graph."""
    moto_env.reset()
    ids = estate.build_estate(moto_env.session())
    result = estate.run_collect(moto_env.env)
    ctx = BuildContext()
    graph = build_graph(result.documents, ctx)
    return Estate(ids, result, graph, ctx)


def collect_and_build(
    moto_env: MotoEnv, services: tuple[str, ...], setup: Callable[[Any], None]
) -> Graph:
    """Reset moto, create one case, collect the listed services and build the graph."""
    from aispm_graph.providers.aws.collect import CollectOptions, collect

    moto_env.reset()
    setup(moto_env.session())
    result = collect(CollectOptions(regions=[estate.REGION], services=services, max_workers=4))
    bad = [c for c in result.coverage_table() if c["status"] != "ok"]
    assert not bad, bad
    return build_graph(result.documents, BuildContext())


def doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})
