"""The technique records are the coverage claim: each one is documented, referenced and tested.

Every record must have a public reference, appear in ``docs/escalation.md`` (generated from the
records, so the page cannot drift), and have a case in its cloud's technique test -- a
positive edge and at least one negative -- which those tests run through the real collectors.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

import pytest

from aispm_graph.escalation import ALL_TECHNIQUES
from aispm_graph.escalation.docs import render
from aispm_graph.escalation.model import Cloud, On
from aispm_graph.schema import EDGE_KINDS

REPO = Path(__file__).resolve().parents[2]
CASE_MODULES = {
    Cloud.AWS: "tests.aws.test_aws_escalation_techniques",
    Cloud.AZURE: "tests.azure.test_azure_escalation_techniques",
    Cloud.GCP: "tests.gcp.test_gcp_escalation_techniques",
}


def _cases(cloud: Cloud) -> dict[str, object]:
    module: ModuleType = importlib.import_module(CASE_MODULES[cloud])
    cases: dict[str, object] = module.CASES
    return cases


def test_docs_escalation_md_is_fresh() -> None:
    current = (REPO / "docs" / "escalation.md").read_text(encoding="utf-8")
    assert current == render(), (
        "docs/escalation.md is stale: python -m aispm_graph.escalation.docs docs/escalation.md"
    )


def test_ids_are_unique_and_name_their_cloud() -> None:
    ids = [t.id for t in ALL_TECHNIQUES]
    assert len(ids) == len(set(ids))
    prefix = {Cloud.AWS: "aws-", Cloud.AZURE: "az-", Cloud.GCP: "gcp-"}
    assert all(t.id.startswith(prefix[t.cloud]) for t in ALL_TECHNIQUES)


@pytest.mark.parametrize("tech", ALL_TECHNIQUES, ids=lambda t: t.id)
def test_record_is_complete(tech: object) -> None:
    from aispm_graph.escalation.model import Technique

    assert isinstance(tech, Technique)
    assert tech.refs.any(), f"{tech.id}: no public reference"
    assert tech.all_of or tech.any_of, f"{tech.id}: no permission"
    assert tech.edge in {k.name for k in EDGE_KINDS}
    assert tech.sentence and tech.fix and tech.title
    if tech.on is On.SERVICE_ROLE:
        assert tech.service, f"{tech.id}: which service must the role trust?"
    # the fix template fills from the same words as the sentence
    words = dict.fromkeys(
        ("attacker", "target", "resource", "service", "permissions", "grant"), "x"
    )
    tech.fix.format(**words)
    tech.sentence.format(**words)


@pytest.mark.parametrize("cloud", list(Cloud))
def test_every_record_has_a_positive_and_a_negative_case(cloud: Cloud) -> None:
    cases = _cases(cloud)
    records = {t.id for t in ALL_TECHNIQUES if t.cloud is cloud}
    assert records, cloud
    assert set(cases) == records, {
        "untested": sorted(records - set(cases)),
        "unknown": sorted(set(cases) - records),
    }
    for tid, case in cases.items():
        negatives = getattr(case, "negatives", ())
        assert negatives, f"{tid}: no negative case"
        assert getattr(case, "src", None) and getattr(case, "dst", None)


def test_public_catalogues_map_to_records_or_say_why() -> None:
    """The comparison with pathfinding.cloud and PMapper names real records, and every
    catalogue id a record cites is listed with that record (coverage is measured, both ways)."""
    from aispm_graph.escalation.catalogues import CATALOGUES, PATHFINDING

    records = {t.id: t for t in ALL_TECHNIQUES}
    for entry in CATALOGUES:
        assert entry.records or entry.note, f"{entry.catalogue} {entry.id}: neither record nor why"
        unknown = [r for r in entry.records if r not in records]
        assert not unknown, f"{entry.catalogue} {entry.id}: unknown records {unknown}"
    listed = {(e.id, r) for e in PATHFINDING for r in e.records}
    cited = {
        (pid.strip(), t.id)
        for t in ALL_TECHNIQUES
        for pid in t.refs.pathfinding.split(",")
        if pid.strip()
    }
    assert cited - listed == set(), "records cite pathfinding ids the comparison does not list"
    assert listed - cited == set(), "the comparison maps ids the records do not cite"
    ids = [e.id for e in PATHFINDING]
    assert len(ids) == len(set(ids)) == 65  # the catalogue snapshot named in catalogues.py
    pmapper = {(e.id, r) for e in CATALOGUES if e.catalogue == "PMapper" for r in e.records}
    uncited = sorted({rid for _entry, rid in pmapper if not records[rid].refs.pmapper})
    assert uncited == [], "records covering a PMapper checker should cite it"
    # Every GCP record that cites Rhino is listed against the method it cites.
    rhino = {(e.id, r) for e in CATALOGUES if e.catalogue == "Rhino GCP" for r in e.records}
    cites = {
        (t.refs.rhino.rsplit(": ", 1)[-1], t.id)
        for t in ALL_TECHNIQUES
        if t.cloud is Cloud.GCP and t.refs.rhino
    }
    assert cites - rhino == set(), "GCP records cite Rhino methods the comparison lacks"
