"""`aispm chokepoints` on a generated estate (aispm synth), claims re-checked by `aispm whatif`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.cli import invoke_cli


@pytest.fixture(scope="module")
def synth_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    ws = tmp_path_factory.mktemp("synth") / "ws"
    assert invoke_cli("synth", "--resources", "8000", "--seed", "3", workspace=ws).code == 0
    res = invoke_cli("build", workspace=ws)
    assert res.code == 0, res.err
    return ws


def test_top_fix_and_minimum_set_on_generated_estate(synth_ws: Path) -> None:
    res = invoke_cli("chokepoints", "--format", "json", workspace=synth_ws)
    assert res.code == 0, res.err
    rep = res.json()
    assert rep["fixes"], "the generated estate has attack paths"
    assert rep["method"] in ("exact", "bound") and rep["method_detail"]
    risks = [f["risk_removed"] for f in rep["fixes"]]
    assert risks == sorted(risks, reverse=True)
    top = rep["fixes"][0]
    wi = invoke_cli("whatif", "--fix", top["id"], "--format", "json", workspace=synth_ws).json()
    assert {p["id"] for p in wi["closed"]} == set(top["closes"])
    args = [a for fid in rep["minimum_set"] for a in ("--fix", fid)]
    wi = invoke_cli("whatif", *args, "--format", "json", workspace=synth_ws).json()
    left = {p["id"] for p in wi["remaining"] + wi["opened"] if p["level"] in ("critical", "high")}
    assert left <= set(rep["unbreakable"])
    assert not wi["opened"]


def test_table_and_top(synth_ws: Path) -> None:
    res = invoke_cli("chokepoints", "--top", "3", workspace=synth_ws)
    assert res.code == 0, res.err
    assert "method: exact" in res.out or "method: bound" in res.out
    assert "Choke points" in res.out
    js = invoke_cli("chokepoints", "--top", "3", "--format", "json", workspace=synth_ws).json()
    assert len(js["fixes"]) == 3
    for fix in js["fixes"]:
        assert fix["id"] in res.out
