"""Markdown reports: every Mermaid block parses with Mermaid's real parser (Node.js).

The parser (npm ``mermaid`` + ``jsdom``, pinned) is installed by the test session into
``.cache/node-mermaid`` in the repository on first use; later runs reuse it without network.
"""

from __future__ import annotations

import fcntl
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from aispm_graph.report import ReportData, render
from aispm_graph.report.markdown import path_mermaid
from tests.conftest import REPO, missing_tool
from tests.report.reportkit import full_report, hostile_path

NODE_DEPS = {"mermaid": "11.17.2", "jsdom": "24.1.3"}
SCRIPT = Path(__file__).with_name("mermaid_parse.mjs")


@pytest.fixture(scope="session")
def mermaid_parser() -> Path:
    if shutil.which("node") is None or shutil.which("npm") is None:
        missing_tool("Node.js and npm are not installed: cannot run Mermaid's parser")
    root = REPO / ".cache" / "node-mermaid"
    root.mkdir(parents=True, exist_ok=True)
    stamp = root / "installed.json"
    # pytest-xdist workers share the cache: one installs while the others wait on the lock.
    with (root / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not stamp.exists() or json.loads(stamp.read_text()) != NODE_DEPS:
            (root / "package.json").write_text(
                json.dumps({"private": True, "type": "module", "dependencies": NODE_DEPS})
            )
            subprocess.run(
                ["npm", "install", "--no-audit", "--no-fund", "--silent", "--no-save"],
                cwd=root,
                check=True,
                timeout=600,
            )
            stamp.write_text(json.dumps(NODE_DEPS))
        shutil.copy(SCRIPT, root / SCRIPT.name)
    return root


def parse(root: Path, diagrams: list[str]) -> list[dict]:
    proc = subprocess.run(
        ["node", str(root / SCRIPT.name)],
        input=json.dumps(diagrams),
        capture_output=True,
        text=True,
        timeout=300,
        cwd=root,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    result: list[dict] = json.loads(proc.stdout)
    return result


def mermaid_blocks(md: str) -> list[str]:
    return re.findall(r"```mermaid\n(.*?)\n```", md, flags=re.S)


def test_every_mermaid_block_parses(mermaid_parser: Path, demo_report: ReportData) -> None:
    full = full_report(demo_report)
    hostile = full.model_copy(update={"paths": [hostile_path(p) for p in full.paths]})
    blocks = mermaid_blocks(render(full, "md")) + mermaid_blocks(render(hostile, "md"))
    assert len(blocks) == 2 * len(full.paths)
    results = parse(mermaid_parser, blocks)
    assert all(r["ok"] for r in results), [r for r in results if not r["ok"]][:3]
    assert {r["type"] for r in results} == {"flowchart-v2"}
    # The parser is not vacuous: a broken diagram is rejected.
    bad = parse(mermaid_parser, ['flowchart LR\n  n0["a"] -->|"X" n1'])
    assert bad == [bad[0]] and not bad[0]["ok"]


def test_any_name_is_safe_in_mermaid(mermaid_parser: Path, demo_report: ReportData) -> None:
    """Names with every ASCII punctuation mark, keywords, unicode and line breaks still parse."""
    import string

    names = [
        string.punctuation,
        "end",
        "subgraph x",
        "graph TD; A-->B",
        "click n0 call alert()",
        "%%{init: {}}%%",
        "line\nbreak\ttab",
        "名前 ünïcödé 🤖",
        "a" * 300,
        "",
    ]
    p0 = max(demo_report.paths, key=lambda p: p.hops)
    diagrams = []
    for name in names:
        nodes = [n.model_copy(update={"name": name}) for n in p0.nodes]
        diagrams.append(path_mermaid(p0.model_copy(update={"nodes": nodes}), 0))
    results = parse(mermaid_parser, diagrams)
    bad = [(n, r) for n, r in zip(names, results, strict=True) if not r["ok"]]
    assert bad == []


def test_markdown_content(demo_report: ReportData) -> None:
    full = full_report(demo_report)
    md = render(full, "md")
    p0 = full.paths[0]
    assert f"### 1. {p0.title}" in md and f"`{p0.id}`" in md
    diagram = path_mermaid(p0, 0)
    assert diagram.splitlines()[0] == "flowchart LR"
    assert diagram.count("-->") + diagram.count("-.->") == p0.hops
    assert "linkStyle 0 stroke:#c62828" in diagram
    for n in p0.nodes:
        assert n.name.replace('"', "#quot;") in diagram
    # Table cells cannot be broken by names with pipes; tags are text.
    hostile = render(full.model_copy(update={"paths": [hostile_path(p0)]}), "md")
    row = next(line for line in hostile.splitlines() if line.startswith("| 1 |"))
    assert row.count(" | ") - row.count("\\|") == 4
    block = hostile.split("```mermaid")[1].split("```")[0]
    assert "<img" not in block and "#lt;img src=x onerror=alert(1)#gt;" in block
