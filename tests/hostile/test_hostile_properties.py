"""The habit: hostile strings and numbers through every importer, output format and table.

Hypothesis draws the hostile values (markup, control and bidi characters, lone surrogates,
huge and non-finite numbers, path tricks) and plants them in otherwise valid inputs. Whatever
they are, a command ends with exit 0 or 2 (never 3, never a traceback), a failed command leaves
the workspace byte-for-byte as it was, and every output parses with a strict parser of its
format. Example counts are modest so the suite stays quick; the strategies, not the counts,
carry the coverage.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import random
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from tests.conftest import REPO
from tests.hostile.support import (
    CONTROL,
    MARKUP,
    assert_no_terminal_controls,
    cli,
    hostile_graph,
    workspace_state,
)

SETTINGS = settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)
PATH_TRICKS = ["../../etc/passwd", "/etc/shadow", "..\\..\\x", "C:\\Windows", "~root", "a/../../b"]
SURROGATES = ["\ud800", "x\udfffy", "\udc80\ud800"]

hostile_text = st.one_of(
    st.sampled_from(MARKUP + CONTROL + PATH_TRICKS + SURROGATES),
    st.text(
        alphabet=st.characters(
            categories=["Cc", "Cf", "Cs", "Zl", "Zp", "Po", "Ps", "Pe", "Sm", "Lu"],
            include_characters="[]/=\\@:`<>&|#*_~+-",
        ),
        min_size=1,
        max_size=24,
    ),
    st.lists(st.sampled_from(MARKUP + CONTROL + SURROGATES), min_size=2, max_size=3).map("".join),
)
# Numbers as JSON source text: beyond Python's 4,300-digit limit, beyond int64, non-finite.
hostile_number = st.sampled_from(
    [
        "9" * 5000,
        "-" + "9" * 4400,
        "100000000000000000000000000",
        "1e999",
        "NaN",
        "-Infinity",
        "1e-400",
    ]
)


def _json_text(value: Any) -> str:
    """JSON for ``value`` keeping lone surrogates as \\u escapes (as a hostile file would)."""
    return json.dumps(value, ensure_ascii=True)


def _plant(doc: Any, text: str, rng: random.Random, count: int = 4) -> Any:
    """``doc`` with ``text`` put into a few of its string values (keys stay)."""
    doc = copy.deepcopy(doc)
    slots: list[tuple[Any, Any]] = []
    stack = [doc]
    while stack:
        node = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for k, v in items:
            if isinstance(v, str):
                slots.append((node, k))
            elif isinstance(v, dict | list):
                stack.append(v)
    for node, k in rng.sample(slots, min(count, len(slots))):
        node[k] = text + node[k]
    return doc


def _strict_json(text: str) -> Any:
    def refuse(name: str) -> Any:
        raise ValueError(f"{name} is not JSON")

    return json.loads(text, parse_constant=refuse)


def _check_markdown(text: str) -> None:
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    allowed = {
        "Top choke points",
        "Attack paths",
        "Recommendations",
        "Vulnerabilities",
        "Framework coverage",
        "Agent risk indicators",
    }
    stack = list(tokens)
    while stack:
        tok = stack.pop()
        stack.extend(tok.children or [])
        assert tok.type not in {"html_block", "html_inline"}, tok.content
        if tok.type == "fence":
            assert tok.info == "mermaid", tok.info
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open" and tok.tag in {"h2"}:
            assert tokens[i + 1].content in allowed, tokens[i + 1].content


def _check_csv(text: str) -> None:
    for row in csv.reader(io.StringIO(text)):
        for cell in row:
            for part in cell.split(";"):
                assert not part.lstrip(" ").startswith(("=", "+", "-", "@", "\t", "\r")) or (
                    part.lstrip(" ").startswith("-") and part.strip().lstrip("-").isdigit()
                ), cell


def _outputs_are_valid(ws: Path, tmp: Path) -> None:
    for fmt in ("json", "ocsf", "sarif"):
        res = cli("report", "--format", fmt, workspace=ws)
        assert res.code == 0, res.err
        _strict_json(res.out)
    res = cli("report", "--format", "md", workspace=ws)
    assert res.code == 0, res.err
    _check_markdown(res.out)
    for section in ("paths", "inventory", "recommendations", "chokepoints", "vulnerabilities"):
        res = cli("report", "--format", "csv", "--section", section, workspace=ws)
        assert res.code == 0, res.err
        _check_csv(res.out)
    res = cli("inventory", "--format", "csv", workspace=ws)
    assert res.code == 0, res.err
    _check_csv(res.out)
    for args in (("inventory", "--format", "cyclonedx"), ("inventory", "--format", "json")):
        res = cli(*args, workspace=ws)
        assert res.code == 0, (args, res.err)
        _strict_json(res.out)
    res = cli("report", "--format", "html", workspace=ws)
    assert res.code == 0 and "<script>alert" not in res.out
    res = cli("export", "json", "-", workspace=ws)
    assert res.code == 0, res.err
    _strict_json(res.out)
    out = tmp / "g.graphml"
    res = cli("export", "graphml", str(out), workspace=ws)
    assert res.code == 0, res.err
    ET.fromstring(out.read_bytes())
    for args in (("paths",), ("inventory",), ("chokepoints",), ("recommendations",), ("vulns",)):
        res = cli(*args, workspace=ws)
        assert res.code == 0, (args, res.err)
        assert_no_terminal_controls(res.out + res.err)
    res = cli("paths", "--format", "json", workspace=ws)
    for p in _strict_json(res.out)["paths"]:
        shown = cli("show", p["id"], workspace=ws)
        assert shown.code == 0, shown.err
        assert_no_terminal_controls(shown.out)


def _expect_0_or_2(res: Any, before: dict[str, bytes], ws: Path) -> None:
    assert res.code in (0, 2), (res.code, res.err)
    assert "Traceback" not in res.err
    if res.code == 2:
        assert workspace_state(ws) == before, "a failed command changed the workspace"
        assert_no_terminal_controls(res.err)


@SETTINGS
@given(name=hostile_text, evidence=hostile_text, number=hostile_number)
def test_hostile_graph_files(
    tmp_path_factory: pytest.TempPathFactory, name: str, evidence: str, number: str
) -> None:
    tmp = tmp_path_factory.mktemp("g")
    ws = tmp / "ws"
    doc = hostile_graph(name, evidence)
    text = _json_text(doc)
    (tmp / "ok.json").write_text(text, encoding="utf-8")
    # the same document with a hostile number in a property
    (tmp / "num.json").write_text(text.replace('"region": ', f'"size": {number}, "region": ', 1))
    before = workspace_state(ws)
    res = cli("import", "graph", str(tmp / "num.json"), workspace=ws)
    _expect_0_or_2(res, before, ws)
    before = workspace_state(ws)
    res = cli("import", "graph", str(tmp / "ok.json"), workspace=ws)
    _expect_0_or_2(res, before, ws)
    if not (ws / "snapshots").exists():
        return
    res = cli("build", workspace=ws)
    assert res.code == 0, res.err
    _outputs_are_valid(ws, tmp)


REPORTS = {
    "trivy": "trivy-fs-pip-requirements.json",
    "grype": "grype-image-matches.json",
    "cyclonedx": "cyclonedx-1.7-mlbom-model-card-with-dataset.json",
    "spdx": "trivy-spdx-2.3-conda.spdx.json",
}


@SETTINGS
@given(
    kind=st.sampled_from(sorted(REPORTS)),
    text=hostile_text,
    number=hostile_number,
    seed=st.integers(0, 2**16),
)
def test_hostile_scanner_reports(
    tmp_path_factory: pytest.TempPathFactory, kind: str, text: str, number: str, seed: int
) -> None:
    tmp = tmp_path_factory.mktemp("r")
    ws = tmp / "ws"
    base = json.loads((REPO / "fixtures/vulns/examples" / REPORTS[kind]).read_text())
    doc = _plant(base, text, random.Random(seed))
    raw = _json_text(doc)
    (tmp / "a.json").write_text(raw)
    (tmp / "b.json").write_text(raw.replace("[", f"[{number}, ", 1))
    before = workspace_state(ws)
    res = cli("import", kind, str(tmp / "a.json"), str(tmp / "b.json"), workspace=ws)
    _expect_0_or_2(res, before, ws)
    before = workspace_state(ws)
    res = cli("import", kind, str(tmp / "a.json"), workspace=ws)
    _expect_0_or_2(res, before, ws)
    if res.code == 0:
        assert cli("build", workspace=ws).code == 0
        for args in (("vulns",), ("inventory",), ("vulns", "--format", "json")):
            shown = cli(*args, workspace=ws)
            assert shown.code == 0, shown.err
            assert_no_terminal_controls(shown.out)


@SETTINGS
@given(text=hostile_text, number=hostile_number, deep=st.booleans())
def test_hostile_requirement_locks(
    tmp_path_factory: pytest.TempPathFactory, text: str, number: str, deep: bool
) -> None:
    tmp = tmp_path_factory.mktemp("q")
    ws = tmp / "ws"
    name = json.dumps(text)  # a TOML basic string is JSON-compatible for these characters
    body = f'[[package]]\nname = {name}\nversion = "1.0"\nsize = {number.lower()}\n'
    if deep:
        body += "x = " + "[" * 50_000 + "]" * 50_000 + "\n"
    lock = tmp / "poetry.lock"
    lock.write_text(body, encoding="utf-8", errors="surrogatepass")
    req = tmp / "requirements.txt"
    req.write_bytes(f"torch==1.13.0\n{text}==1.0\n".encode("utf-8", "surrogatepass"))
    for path in (lock, req):
        before = workspace_state(ws)
        _expect_0_or_2(cli("import", "requirements", str(path), workspace=ws), before, ws)


@SETTINGS
@given(text=hostile_text, number=hostile_number, yaml_doc=st.booleans())
def test_hostile_advisory_records(
    tmp_path_factory: pytest.TempPathFactory, text: str, number: str, yaml_doc: bool
) -> None:
    tmp = tmp_path_factory.mktemp("o")
    ws = tmp / "ws"
    record = {
        "id": "GHSA-hhhh-hhhh-hhhh",
        "summary": text,
        "details": text,
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": "torch"},
                "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": text}]}],
            }
        ],
    }
    if yaml_doc:
        path = tmp / "rec.yaml"
        path.write_text(
            "id: GHSA-hhhh-hhhh-hhhh\nsummary: " + json.dumps(text) + f"\nscore: {number}\n"
            "affected: &a [{package: {ecosystem: PyPI, name: torch}}]\nalso: *a\n",
            encoding="utf-8",
            errors="surrogatepass",
        )
    else:
        path = tmp / "rec.json"
        path.write_text(_json_text(record).replace('"summary"', f'"score": {number}, "summary"'))
    before = workspace_state(ws)
    res = cli("vulndb", "import", str(path), workspace=ws)
    _expect_0_or_2(res, before, ws)


@SETTINGS
@given(
    text=hostile_text, which=st.sampled_from(["context", "suppressions"]), shape=st.integers(0, 5)
)
def test_hostile_owner_files(
    tmp_path_factory: pytest.TempPathFactory, text: str, which: str, shape: int
) -> None:
    tmp = tmp_path_factory.mktemp("c")
    ws = tmp / "ws"
    assert cli("import", "graph", str(_graph_file(tmp)), workspace=ws).code == 0
    assert cli("build", workspace=ws).code == 0
    quoted = json.dumps(text)
    bodies = {
        "context": [
            f"assets:\n  - rule: {quoted}\n    criticality: high\n    match: {{name: {quoted}}}\n",
            "assets:\n  - rule: r\n    criticality: high\n    match: {kind: [[CustomCompute]]}\n",
            "base: &b {criticality: high}\nassets:\n  - {<<: *b, rule: r, match: {id: x}}\n",
            f"trusted_cidrs: [{quoted}, [[10.0.0.0/8]]]\n",
            "assets: false\n",
            "version: " + "9" * 5000 + "\n",
        ],
        "suppressions": [
            f"suppressions:\n  - id: ap-0123456789ab\n    reason: {quoted}\n"
            "    expires: 2024-13-45\n",
            "suppressions: false\n",
            "suppressions:\n  - [[id, ap-0123456789ab]]\n",
            "x: &x {id: ap-0123456789ab, reason: r}\nsuppressions:\n  - {<<: *x}\n",
            f"suppressions:\n  - rule: {quoted}\n    reason: r\n",
            "suppressions:\n  - id: ap-0123456789ab\n    reason: r\n"
            "    expires: !!timestamp 2024-99-99\n",
        ],
    }
    path = tmp / "owner.yaml"
    path.write_text(bodies[which][shape], encoding="utf-8", errors="surrogatepass")
    before = workspace_state(ws)
    if which == "context":
        res = cli("build", "--context", str(path), workspace=ws)
    else:
        res = cli("paths", "--suppressions", str(path), workspace=ws)
    assert res.code in (0, 2), (res.code, res.err)
    if res.code == 2:
        assert workspace_state(ws) == before
        assert str(path) in res.err  # the message names the file


def _graph_file(tmp: Path) -> Path:
    path = tmp / "estate.json"
    path.write_text(_json_text(hostile_graph("host", "e")), encoding="utf-8")
    return path


@SETTINGS
@given(text=hostile_text, number=hostile_number, seed=st.integers(0, 2**16))
def test_hostile_cloud_exports(
    tmp_path_factory: pytest.TempPathFactory, text: str, number: str, seed: int
) -> None:
    tmp = tmp_path_factory.mktemp("x")
    ws = tmp / "ws"
    assets = json.loads(
        (REPO / "fixtures/gcp/policy-library/cai_compute_instances.json").read_text()
    )
    gcp = tmp / "assets.json"
    gcp.write_text(
        _json_text(_plant(assets, text, random.Random(seed))).replace("[", f"[{number},", 1)
    )
    before = workspace_state(ws)
    _expect_0_or_2(cli("import", "gcp-asset-export", str(gcp), workspace=ws), before, ws)
    arg = tmp / "arg.json"
    arg.write_text(
        _json_text({"data": [{"id": "/subscriptions/s/x/" + text, "type": text, "name": text}]})
    )
    before = workspace_state(ws)
    _expect_0_or_2(cli("import", "azure-resource-graph", str(arg), workspace=ws), before, ws)
    if (ws / "snapshots").exists():
        res = cli("build", workspace=ws)
        assert res.code == 0, res.err
        assert_no_terminal_controls(res.err)


@SETTINGS
@given(trick=st.sampled_from([*PATH_TRICKS, "..", ".", "0001-x/../..", " "]))
def test_path_tricks_as_snapshot_ids(tmp_path_factory: pytest.TempPathFactory, trick: str) -> None:
    tmp = tmp_path_factory.mktemp("s")
    ws = tmp / "ws"
    assert cli("import", "graph", str(_graph_file(tmp)), workspace=ws).code == 0
    assert cli("build", workspace=ws).code == 0
    before = workspace_state(ws)
    for args in (
        ("paths", "--snapshot", trick),
        ("diff", trick, trick),
        ("vulns", "--snapshot", trick),
    ):
        res = cli(*args, workspace=ws)
        assert res.code == 2, (args, res.code, res.err)
    assert workspace_state(ws) == before


@SETTINGS
@given(text=hostile_text, number=hostile_number, seed=st.integers(0, 2**16))
def test_hostile_mcp_configs(
    tmp_path_factory: pytest.TempPathFactory, text: str, number: str, seed: int
) -> None:
    """MCP client configurations are files anyone with a pull request can edit: the JSONC
    reader used to accept NaN and lone surrogates and crash (exit 3) on huge integers."""
    tmp = tmp_path_factory.mktemp("m")
    ws = tmp / "ws"
    base = json.loads((REPO / "fixtures/mcp/.cursor/mcp.json").read_text())
    doc = _plant(base, text, random.Random(seed))
    raw = _json_text(doc)
    cfg = tmp / ".cursor" / "mcp.json"
    cfg.parent.mkdir()
    cfg.write_text("// a comment\n" + raw.replace('"args"', f'"n": {number}, "args"', 1))
    before = workspace_state(ws)
    res = cli("import", "mcp", str(cfg), workspace=ws)
    _expect_0_or_2(res, before, ws)
    if res.code == 2:
        assert str(cfg) in res.err
    cfg.write_text(raw)
    before = workspace_state(ws)
    res = cli("import", "mcp", str(cfg), workspace=ws)
    _expect_0_or_2(res, before, ws)
    if res.code == 0:
        assert cli("build", workspace=ws).code == 0
        for args in (("inventory",), ("paths",), ("inventory", "--format", "json")):
            shown = cli(*args, workspace=ws)
            assert shown.code == 0, shown.err
            assert_no_terminal_controls(shown.out)
        _strict_json(cli("export", "json", "-", workspace=ws).out)


def test_mcp_config_numbers_past_the_digit_limit_are_an_input_error(tmp_path: Path) -> None:
    cfg = tmp_path / "mcp.json"
    cfg.write_text('{"mcpServers": {"x": {"command": "npx", "n": ' + "9" * 5000 + "}}}")
    res = cli("import", "mcp", str(cfg), workspace=tmp_path / "ws")
    assert res.code == 2 and "4300 digits" in res.err and str(cfg) in res.err, res.err
    cfg.write_text('{"mcpServers": {"x": {"command": "npx", "n": NaN}}}')
    res = cli("import", "mcp", str(cfg), workspace=tmp_path / "ws")
    assert res.code == 2 and "finite" in res.err, res.err
