"""The generators of committed docs answer --help and refuse odd arguments instead of writing a
file named after them."""

from __future__ import annotations

from pathlib import Path

import pytest

from aispm_graph.generated import generate


def test_help_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert generate(lambda: "doc\n", ["--help"]) == 0
    assert "usage:" in capsys.readouterr().out
    assert list(tmp_path.iterdir()) == []
    assert generate(lambda: "doc\n", ["-x"]) == 2
    assert generate(lambda: "doc\n", ["a.md", "b.md"]) == 2
    assert list(tmp_path.iterdir()) == []


def test_file_or_stdout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "out.md"
    assert generate(lambda: "doc\n", [str(target)]) == 0
    assert target.read_text(encoding="utf-8") == "doc\n"
    assert generate(lambda: "doc\n", []) == 0
    assert capsys.readouterr().out == "doc\n"
