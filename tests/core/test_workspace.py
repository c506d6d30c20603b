"""Snapshots: carry-over, per-source replacement, atomic files."""

from __future__ import annotations

from pathlib import Path

import pytest

from aispm_graph.build import build_snapshot
from aispm_graph.workspace import Document, Workspace, WorkspaceError


def doc(key: str, n: int) -> Document:
    return Document(
        "graph",
        "s",
        key,
        {
            "format": "aispm-graph",
            "version": 1,
            "nodes": [{"id": f"m{n}", "kind": "CustomAIModel", "name": f"m{n}"}],
        },
    )


def test_sources_replace_only_themselves_and_snapshots_carry_over(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    snap = ws.open_for_write()
    snap.put_source("graph", "a", [doc("a", 1)])
    snap.put_source("graph", "b", [doc("b", 2)])
    snap.put_source("graph", "a", [doc("a", 3)])  # replaces a only
    assert sorted(d.body["nodes"][0]["id"] for d in snap.documents()) == ["m2", "m3"]
    build_snapshot(snap)
    assert snap.sealed
    nxt = ws.open_for_write()
    assert nxt.id != snap.id
    nxt.put_source("graph", "b", [doc("b", 4)])
    assert sorted(d.body["nodes"][0]["id"] for d in nxt.documents()) == ["m3", "m4"]
    # the sealed snapshot is untouched
    assert sorted(d.body["nodes"][0]["id"] for d in snap.documents()) == ["m2", "m3"]
    assert ws.snapshot_ids() == [snap.id, nxt.id]
    assert ws.latest_built().id == snap.id


def test_unknown_snapshot_and_foreign_format(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    with pytest.raises(WorkspaceError, match="no snapshot 'x'"):
        ws.snapshot("x")
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / "workspace.json").write_text('{"format": 99}')
    with pytest.raises(WorkspaceError, match="workspace format 99"):
        ws.meta()


def test_no_temp_files_left_behind(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    snap = ws.open_for_write()
    snap.put_source("graph", "a", [doc("a", 1)])
    build_snapshot(snap)
    assert not list((tmp_path / "ws").rglob("*.tmp"))
