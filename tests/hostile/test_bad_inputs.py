"""Bad input is exit 2 with a message naming the file (and record, field or line), never 3."""

from __future__ import annotations

import io
import json
import struct
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from tests.hostile.support import cli, workspace_state

OSV = {
    "id": "GHSA-aaaa-bbbb-cccc",
    "summary": "x",
    "affected": [
        {
            "package": {"ecosystem": "PyPI", "name": "torch"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.0"}]}],
        }
    ],
}


def _zip(entries: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _patch_headers(data: bytes, *, flags: int | None = None, method: int | None = None) -> bytes:
    """Set the flag bits / method of every local and central header (what a tool would write)."""
    out = bytearray(data)
    for sig, flag_at, method_at in ((b"PK\x03\x04", 6, 8), (b"PK\x01\x02", 8, 10)):
        start = 0
        while (i := out.find(sig, start)) != -1:
            if flags is not None:
                out[i + flag_at : i + flag_at + 2] = struct.pack("<H", flags)
            if method is not None:
                out[i + method_at : i + method_at + 2] = struct.pack("<H", method)
            start = i + 4
    return bytes(out)


def _vulndb(tmp_path: Path, name: str, data: bytes) -> tuple[int, str, bool]:
    path = tmp_path / name
    path.write_bytes(data)
    ws = tmp_path / "ws"
    before = workspace_state(ws)
    res = cli("vulndb", "import", str(path), workspace=ws)
    return res.code, res.err, workspace_state(ws) == before


GOOD = json.dumps(OSV).encode()


@pytest.mark.parametrize(
    "name,data,message",
    [
        ("enc.zip", _patch_headers(_zip({"a.json": GOOD}), flags=0x1), "encrypted"),
        (
            "ppmd.zip",
            _patch_headers(_zip({"a.json": GOOD}, zipfile.ZIP_STORED), method=98),
            "compression method 98",
        ),
        ("corrupt.zip", _zip({"a.json": GOOD * 50})[:-60] + b"\0" * 60, "unreadable zip"),
        (
            "flipped.zip",
            _zip({"a.json": GOOD * 50}).replace(b"PK\x03\x04", b"PK\x03\x04", 1)[:40]
            + b"\xff" * 40
            + _zip({"a.json": GOOD * 50})[80:],
            "a.json",
        ),
        ("bomb.zip", _zip({"a.json": b"[" + b" " * (8 * 2**20) + b"]"}), "200:1"),
        (
            "many.zip",
            _zip({f"{i}.json": b"[" + b" " * 900_000 + b"]" for i in range(40)}),
            "overall",
        ),
        ("big-int.zip", _zip({"a.json": b'{"id": "X", "n": ' + b"9" * 5000 + b"}"}), "4300 digits"),
        ("nan.json", b'{"id": "X", "n": NaN}', "not a finite number"),
        ("deep.json", b"[" * 200_000 + b"]" * 200_000, "nested too deeply"),
    ],
    ids=lambda v: v if isinstance(v, str) and len(v) < 20 else "",
)
def test_vulndb_import_refuses_hostile_archives(
    tmp_path: Path, name: str, data: bytes, message: str
) -> None:
    code, err, unchanged = _vulndb(tmp_path, name, data)
    assert code == 2, err
    assert message in err and name in err, err
    assert unchanged


def test_a_yaml_alias_bomb_fails_fast_in_bounded_memory(tmp_path: Path) -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 9):
        prev, cur = chr(96 + i), chr(97 + i)
        refs = ",".join([f"*{prev}"] * 9)
        lines.append(f"{cur}: &{cur} [{refs}]")
    bomb = ("\n".join(lines) + "\nid: GHSA-x\n").encode()
    assert len(bomb) < 600
    tracemalloc.start()
    try:
        code, err, unchanged = _vulndb(tmp_path, "bomb.yaml", bomb)
        _cur, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert code == 2 and "aliases" in err and "bomb.yaml" in err, err
    assert unchanged
    assert peak < 64 * 2**20, f"{peak / 2**20:.0f} MiB"


def test_ordinary_osv_yaml_and_zip_still_import(tmp_path: Path) -> None:
    yaml_rec = "id: GHSA-aaaa-bbbb-cccc\naffected:\n  - package: {ecosystem: PyPI, name: torch}\n"
    code, err, _ = _vulndb(tmp_path, "ok.yaml", yaml_rec.encode())
    assert code == 0, err
    code, err, _ = _vulndb(tmp_path, "ok.zip", _zip({"GHSA-aaaa-bbbb-cccc.json": GOOD}))
    assert code == 0, err


@pytest.mark.parametrize(
    "kind,name,body,message",
    [
        (
            "graph",
            "g.json",
            b'{"format": "aispm-graph", "version": 1, "n": ' + b"1" * 4400 + b"}",
            "line 1 column 46",
        ),
        (
            "graph",
            "g2.json",
            b'{"format": "aispm-graph", "version": 1, '
            b'"nodes": [{"id": "\\ud800", "kind": "CustomCompute"}]}',
            "",
        ),
        (
            "trivy",
            "t.json",
            b'{"SchemaVersion": 2, "Results": [' + b"7" * 4400 + b"]}",
            "4300 digits",
        ),
        ("grype", "g.json", b'{"matches": [], "x": Infinity}', "not a finite number"),
        (
            "cyclonedx",
            "c.json",
            b'{"bomFormat": "CycloneDX", "n": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
            "nested too deeply",
        ),
        (
            "requirements",
            "poetry.lock",
            b"[[package]]\nname = 'x'\nversion = " + b"9" * 5000 + b"\n",
            "4300 digits",
        ),
        (
            "requirements",
            "uv.lock",
            b"x = " + b"[" * 100_000 + b"]" * 100_000 + b"\n",
            "nested too deeply",
        ),
    ],
    ids=lambda v: v if isinstance(v, str) and len(v) < 20 else "",
)
def test_importers_name_the_file_and_place(
    tmp_path: Path, kind: str, name: str, body: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(body)
    ws = tmp_path / "ws"
    res = cli("import", kind, str(path), workspace=ws)
    if not message:  # a lone surrogate is replaced at the boundary, then everything works
        assert res.code == 0, res.err
        assert cli("build", workspace=ws).code == 0
        exported = cli("export", "json", "-", workspace=ws)
        assert exported.code == 0, exported.err
        assert "\ufffd" in {n["id"] for n in json.loads(exported.out)["nodes"]}
        return
    assert res.code == 2, res.err
    assert name in res.err and message in res.err, res.err
    assert workspace_state(ws) == {}


@pytest.mark.parametrize(
    "body,message",
    [
        ("suppressions: false\n", "'suppressions' must be a list"),
        (
            "suppressions:\n  - id: ap-0123456789ab\n    reason: r\n    expires: 2024-13-45\n",
            "line 2: expires '2024-13-45' is not a date",
        ),
        ("x: &x {id: ap-0123456789ab, reason: r}\nsuppressions:\n  - {<<: *x}\n", "aliases"),
        ("suppressions:\n  - {<<: {id: ap-0123456789ab}, reason: r}\n", "merge keys"),
        ("suppressions:\n  - [[id, ap-0123456789ab]]\n", "line 2: an entry must be a mapping"),
    ],
)
def test_suppression_files(demo_ws: Path, tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(body)
    res = cli("paths", "--suppressions", str(path), workspace=demo_ws)
    assert res.code == 2, res.err
    assert str(path) in res.err and message in res.err, res.err


@pytest.mark.parametrize(
    "body,message",
    [
        (
            "assets:\n  - rule: r\n    criticality: high\n    match: {kind: [[CustomCompute]]}\n",
            "assets[0] (rule 'r'): field 'match.kind'",
        ),
        (
            "assets:\n  - rule: r\n    criticality: [high]\n    match: {id: x}\n",
            "field 'criticality'",
        ),
        ("trusted_cidrs: [[10.0.0.0/8]]\n", "trusted_cidrs[0]"),
        ("assets: false\n", "field 'assets' must be a list"),
        ("base: &b {criticality: high}\nassets:\n  - {<<: *b, rule: r}\n", "aliases"),
        ("assets:\n  - {<<: {criticality: high}, rule: r}\n", "merge keys"),
        ("1: x\na: y\n", "unknown top-level field(s) ['1', 'a']"),
    ],
)
def test_context_files(demo_ws: Path, tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(body)
    before = workspace_state(demo_ws)
    res = cli("build", "--context", str(path), workspace=demo_ws)
    assert res.code == 2, res.err
    assert str(path) in res.err and message in res.err, res.err
    assert workspace_state(demo_ws) == before
