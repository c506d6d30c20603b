"""Suppressions: reviewed risk muted with a reason; mistakes stop the command with the line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.cli import invoke_cli


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("suppressions:\n  - id: ap-000000000000\n    reason: [unclosed\n", 3, "invalid YAML"),
        (
            "suppressions:\n  - id: ap-000000000000\n    reason: ok\n  - id: bogus\n"
            "    reason: x\n",
            4,
            "unknown id 'bogus'",
        ),
        ("suppressions:\n  - rule: NOT-A-CHECK\n    reason: x\n", 2, "unknown rule"),
        ("suppressions:\n  - id: ap-000000000000\n", 2, "needs a reason"),
        (
            "suppressions:\n  - id: ap-000000000000\n    reason: x\n    expires: soon\n",
            2,
            "not a date",
        ),
        (
            "suppressions:\n\n  - id: ap-000000000000\n    reason: x\n    colour: red\n",
            3,
            "unknown key",
        ),
    ],
)
def test_bad_files_exit_2_naming_the_line(
    demo_ws: Path, tmp_path: Path, text: str, line: int, words: str
) -> None:
    f = tmp_path / "s.yaml"
    f.write_text(text)
    for cmd in ("paths", "recommendations", "chokepoints"):
        res = invoke_cli(cmd, "--suppressions", str(f), workspace=demo_ws)
        assert res.code == 2, (cmd, res.err)
        assert f"line {line}" in res.err and words in res.err, res.err
        assert "Traceback" not in res.err


def test_paths_are_muted_expired_and_unused_reported(
    demo_ws: Path, demo_paths: dict[str, Any], tmp_path: Path
) -> None:
    first, second = demo_paths["paths"][0]["id"], demo_paths["paths"][1]["id"]
    f = tmp_path / "s.yaml"
    f.write_text(
        "suppressions:\n"
        f"  - id: {first}\n    reason: sample data only\n    expires: 2099-01-01\n"
        f"  - id: {second}\n    reason: old review\n    expires: 2020-01-01\n"
        "  - id: ap-0123456789ab\n    reason: fixed long ago\n"
    )
    res = invoke_cli("paths", "--suppressions", str(f), "--format", "json", workspace=demo_ws)
    assert res.code == 0, res.err
    out = res.json()
    ids = [p["id"] for p in out["paths"]]
    assert first not in ids and second in ids
    assert out["suppressed"] == [
        {
            "id": first,
            "title": demo_paths["paths"][0]["title"],
            "level": demo_paths["paths"][0]["risk"]["level"],
            "reason": "sample data only",
            "line": 2,
        }
    ]
    notes = " ".join(out["suppression_notes"])
    assert "line 5" in notes and "expired on 2020-01-01" in notes
    assert "line 8" in notes and "unused" in notes
    assert "expired" in res.err and "unused" in res.err
    # Choke points do not count muted paths.
    chk = invoke_cli(
        "chokepoints", "--suppressions", str(f), "--format", "json", workspace=demo_ws
    ).json()
    assert all(first not in row["closes"] for row in chk["fixes"])


def test_workspace_file_mutes_findings_by_rule_and_by_id(demo_ws: Path, tmp_path: Path) -> None:
    base = invoke_cli("recommendations", "--format", "json", workspace=demo_ws).json()["findings"]
    rule, one = base[0]["check"], base[-1]
    ws_file = demo_ws / "aispm.suppressions.yaml"
    ws_file.write_text(
        "suppressions:\n"
        f"  - rule: {rule}\n    reason: accepted by the data owner\n"
        f"  - id: {one['id']}\n    reason: tracked in JIRA-1\n"
    )
    try:
        res = invoke_cli("recommendations", "--format", "json", workspace=demo_ws)
        assert res.code == 0, res.err
        out = res.json()
        left = {(f["check"], f["resource"]) for f in out["findings"]}
        assert not any(c == rule for c, _r in left)
        assert (one["check"], one["resource"]) not in left
        assert len(out["findings"]) + len(out["suppressed"]) == len(base)
        assert out["suppression_notes"] == []
    finally:
        ws_file.unlink()


def test_missing_explicit_file_is_a_usage_error(demo_ws: Path, tmp_path: Path) -> None:
    res = invoke_cli("paths", "--suppressions", str(tmp_path / "none.yaml"), workspace=demo_ws)
    assert res.code == 2 and "none.yaml" in res.err
