"""OSV range evaluation at its boundaries, hand-computed, on synthetic and real records."""

from __future__ import annotations

import itertools
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from aispm_graph.vulns.matching import PackageRef, compile_affected, package_ref_from_purl
from aispm_graph.vulns.osvdb import VulnDB, deduplicate, import_into, normalize_record
from aispm_graph.vulns.versions import (
    apk_key,
    dpkg_compare,
    normalize_pypi_name,
    rpm_compare,
    semver_key,
)
from tests.support.cli import invoke_cli

BUNDLED = Path(__file__).resolve().parents[2] / "aispm_graph/vulns/data/osv-ai-pypi.json"


def pypi_entry(*events: dict[str, str], versions: list[str] | None = None) -> dict[str, Any]:
    return {"ranges": [{"type": "ECOSYSTEM", "events": list(events)}], "versions": versions or []}


def affected(entry: dict[str, Any], version: str, eco: str = "PyPI") -> bool:
    return compile_affected("X-1", eco, entry).affects(version)[0]


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("0.9", False),  # below introduced
        ("1.0.0", True),  # introduced is inclusive
        ("1.0", True),  # PEP 440: 1.0 == 1.0.0
        ("1.5.0", True),
        ("2.0.0rc1", True),  # pre-release of the fix is still affected
        ("2.0.0.dev3", True),
        ("2.0.0", False),  # fixed is exclusive
        ("2.0.0.post1", False),
        ("2.0.0+cpu", False),  # local build of the fixed release
        ("1.9.9+cu118", True),  # local build of an affected release
        ("1!0.5", False),  # epoch 1 sorts above every epoch-0 version
    ],
)
def test_pypi_introduced_fixed_boundaries(version: str, expected: bool) -> None:
    entry = pypi_entry({"introduced": "1.0.0"}, {"fixed": "2.0.0"})
    assert affected(entry, version) is expected


def test_fixed_prerelease_bound_is_exclusive_and_ordered() -> None:
    # SpecifierSet("<2.0.0rc2") would drop pre-releases unless asked; Version ordering must not.
    entry = pypi_entry({"introduced": "0"}, {"fixed": "2.0.0rc2"})
    assert affected(entry, "2.0.0rc1")
    assert affected(entry, "2.0.0b9")
    assert not affected(entry, "2.0.0rc2")
    assert not affected(entry, "2.0.0")


@pytest.mark.parametrize(
    ("version", "expected"),
    [("1.4", True), ("1.4.post2", False), ("1.4+local", True), ("1.4.1", False), ("1.3", True)],
)
def test_last_affected_is_inclusive(version: str, expected: bool) -> None:
    entry = pypi_entry({"introduced": "0"}, {"last_affected": "1.4"})
    assert affected(entry, version) is expected


def test_multiple_introduced_fixed_pairs_backports() -> None:
    entry = pypi_entry(
        {"introduced": "0"},
        {"fixed": "1.2.5"},
        {"introduced": "1.3.0"},
        {"fixed": "1.3.2"},
        {"introduced": "2.0"},
        {"fixed": "2.1"},
    )
    expect = {
        "1.2.4": True,
        "1.2.5": False,
        "1.2.9": False,
        "1.3.0": True,
        "1.3.1": True,
        "1.3.2": False,
        "1.9": False,
        "2.0": True,
        "2.1": False,
        "3.0": False,
    }
    for v, want in expect.items():
        assert affected(entry, v) is want, v
    assert compile_affected("X", "PyPI", entry).affects("1.3.1") == (True, "1.3.2")


def test_limit_caps_the_range() -> None:
    entry = {"ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "1.0"}, {"limit": "1.5"}]}]}
    assert affected(entry, "1.4.9")
    assert not affected(entry, "1.5")
    assert not affected(entry, "0.9")


def test_explicit_versions_list_and_git_ranges_skipped() -> None:
    entry = {
        "ranges": [
            {
                "type": "GIT",
                "repo": "https://x",
                "events": [{"introduced": "0"}, {"fixed": "abc123"}],
            }
        ],
        "versions": ["0.3.1", "0.4"],
    }
    c = compile_affected("X", "PyPI", entry)
    assert c.git_ranges_skipped == 1
    assert c.affects("0.3.1")[0] and c.affects("0.4.0")[0]  # 0.4 == 0.4.0 under PEP 440
    assert not c.affects("0.3.2")[0]


def test_unparseable_versions_never_match_and_never_raise() -> None:
    entry = pypi_entry({"introduced": "0"}, {"fixed": "2.0"})
    assert not affected(entry, "not a version")
    bad = compile_affected("X", "PyPI", pypi_entry({"introduced": "0"}, {"fixed": "x.y!z"}))
    assert bad.bad_ranges and not bad.affects("1.0")[0]


def test_pep503_names() -> None:
    assert normalize_pypi_name("Llama_Index.Core") == "llama-index-core"
    ref = package_ref_from_purl("pkg:pypi/LangChain_Core@0.1.0")
    assert ref == PackageRef("PyPI", "langchain-core", "0.1.0")


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("1.0", "1.0-1", -1),
        ("1:1.0", "2.0", 1),  # epoch wins
        ("1.0~rc1", "1.0", -1),  # tilde sorts before release
        ("1.0+b1", "1.0", 1),
        ("2.30-1ubuntu1", "2.30-1", 1),
        ("1.2.10", "1.2.9", 1),
        ("1.0a", "1.0", 1),
    ],
)
def test_dpkg_order(a: str, b: str, expected: int) -> None:
    assert dpkg_compare(a, b) == expected
    assert dpkg_compare(b, a) == -expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("4.2.46-33.el7", "4.2.46-34.el7", -1),
        ("1.0~rc1-1", "1.0-1", -1),
        ("1.0^git1-1", "1.0-1", 1),
        ("2:1.0-1", "1:9.0-1", 1),
        ("1.10-1", "1.9-1", 1),
        ("1.0a-1", "1.0-1", 1),
        ("1.0-1", "1.0", 0),  # no release on one side compares versions only
    ],
)
def test_rpm_order(a: str, b: str, expected: int) -> None:
    assert rpm_compare(a, b) == expected


def test_apk_and_semver_order() -> None:
    assert (
        apk_key("1.2.3_rc1-r0")
        < apk_key("1.2.3-r0")
        < apk_key("1.2.3-r1")
        < apk_key("1.2.3_p1-r0")
        < apk_key("1.2.4-r0")
    )
    assert (
        semver_key("1.0.0-alpha")
        < semver_key("1.0.0-alpha.1")
        < semver_key("1.0.0-beta")
        < semver_key("1.0.0")
    )
    assert semver_key("1.0.0+build5") == semver_key("1.0.0")


def test_os_packages_match_with_distro_release() -> None:
    rec = {
        "id": "DEBIAN-CVE-2099-1",
        "modified": "2024-01-01",
        "affected": [
            {
                "package": {"ecosystem": "Debian:12", "name": "openssl"},
                "ranges": [
                    {
                        "type": "ECOSYSTEM",
                        "events": [{"introduced": "0"}, {"fixed": "3.0.11-1~deb12u1"}],
                    }
                ],
            }
        ],
    }
    db = memory_db([rec])
    hit = package_ref_from_purl("pkg:deb/debian/openssl@3.0.9-1?distro=debian-12")
    fixed = package_ref_from_purl("pkg:deb/debian/openssl@3.0.11-1~deb12u1?distro=debian-12")
    other = package_ref_from_purl("pkg:deb/debian/openssl@3.0.9-1?distro=debian-11")
    assert hit and fixed and other
    assert [m.advisory_id for m in db.match(hit)] == ["DEBIAN-CVE-2099-1"]
    assert db.match(hit)[0].fixed == "3.0.11-1~deb12u1"
    assert db.match(fixed) == [] and db.match(other) == []


def memory_db(records: list[dict[str, Any]], tmp: Path | None = None) -> VulnDB:
    import tempfile

    d = Path(tempfile.mkdtemp()) if tmp is None else tmp
    (d / "recs.json").write_text(json.dumps(records))
    import_into(d / "db.sqlite", [d / "recs.json"])
    return VulnDB.open(d / "db.sqlite")


# --- real records from the bundled PyPA database -------------------------------------------


@pytest.fixture(scope="module")
def bundled() -> VulnDB:
    return VulnDB.bundled()


def test_real_langchain_record_boundaries(bundled: VulnDB) -> None:
    # PYSEC-2023-146 (CVE-2023-38896): langchain introduced 0, fixed 0.0.195.
    def ids(v: str) -> set[str]:
        return {m.advisory_id for m in bundled.match(PackageRef("PyPI", "langchain", v))}

    assert "PYSEC-2023-146" in ids("0.0.194")
    assert "PYSEC-2023-146" in ids("0.0.195rc1")
    assert "PYSEC-2023-146" not in ids("0.0.195")
    adv = bundled.advisory("PYSEC-2023-146")
    assert adv is not None and "CVE-2023-38896" in adv.aliases
    assert adv.severity == "critical" and adv.cvss_score == 9.8 and adv.rce


def test_real_torch_record_and_local_versions(bundled: VulnDB) -> None:
    # PYSEC-2022-43015: torch fixed 1.13.1 (eval in parse_type_line: code execution).
    def ids(v: str) -> set[str]:
        return {m.advisory_id for m in bundled.match(PackageRef("PyPI", "torch", v))}

    assert ids("1.13.0+cu117") == {"PYSEC-2022-43015"}
    assert ids("1.13.1+cpu") == set()
    assert ids("2.1.0") == set()


def test_bundled_dedupes_tensorflow_variants_by_alias(bundled: VulnDB) -> None:
    raw = json.loads(BUNDLED.read_text())
    cves = {a for r in raw for a in r.get("aliases", []) if a.startswith("CVE-")}
    # One advisory per CVE-linked group, each covering tensorflow, -cpu and -gpu.
    assert bundled.count() < len(raw)
    assert bundled.count() <= len(cves) + sum(
        1 for r in raw if not any(a.startswith("CVE-") for a in r.get("aliases", []))
    )
    tf = {m.advisory_id for m in bundled.match(PackageRef("PyPI", "tensorflow", "2.4.0"))}
    gpu = {m.advisory_id for m in bundled.match(PackageRef("PyPI", "tensorflow-gpu", "2.4.0"))}
    # tensorflow has fewer records than -gpu in this snapshot; every tensorflow advisory also
    # covers -gpu, under the same id.
    assert tf and tf <= gpu
    # The withdrawn aiohttp record is not in the database.
    assert bundled.advisory("PYSEC-2022-43059") is None
    assert bundled.resolve("PYSEC-2022-43059") is None


def test_every_listed_version_matches_its_record(bundled: VulnDB) -> None:
    """The README says each record's versions fall inside its ECOSYSTEM range: check both ways."""
    raw = json.loads(BUNDLED.read_text())
    checked = 0
    for rec in raw[::25]:
        if rec.get("withdrawn"):
            continue
        aff = rec["affected"][0]
        c = compile_affected(rec["id"], "PyPI", {"ranges": aff["ranges"]})
        for v in aff.get("versions", [])[:40]:
            assert c.affects(v)[0], (rec["id"], v)
            checked += 1
    assert checked > 300


def test_dedupe_keeps_newest_and_merges_aliases() -> None:
    a = normalize_record(
        {"id": "PYSEC-1", "aliases": ["CVE-1"], "modified": "2024-01-01", "affected": []}, "a"
    )
    a2 = normalize_record(
        {
            "id": "PYSEC-1",
            "aliases": ["CVE-1"],
            "modified": "2024-02-01",
            "summary": "newer",
            "affected": [],
        },
        "a2",
    )
    g = normalize_record(
        {"id": "GHSA-x", "aliases": ["CVE-1"], "modified": "2023-01-01", "affected": []}, "g"
    )
    out, merged = deduplicate([a, a2, g])
    assert len(out) == 1 and merged == 1
    assert out[0]["id"] == "GHSA-x" and set(out[0]["aliases"]) == {"CVE-1", "PYSEC-1"}


# --- aispm vulndb import ------------------------------------------------------------------------


def test_vulndb_import_directory_yaml_zip_and_env(tmp_path: Path) -> None:
    src = tmp_path / "osv"
    src.mkdir()
    (src / "PYSEC-9.yaml").write_text(
        "id: PYSEC-9\nmodified: '2024-01-01T00:00:00Z'\naliases: [CVE-2099-9]\n"
        "affected:\n- package: {ecosystem: PyPI, name: Demo_Pkg}\n  ranges:\n"
        "  - type: ECOSYSTEM\n    events:\n    - introduced: '0'\n    - fixed: 1.10\n"
    )
    (src / "GHSA-w.json").write_text(
        json.dumps(
            {"id": "GHSA-w", "modified": "2024-01-01", "withdrawn": "2024-02-01", "affected": []}
        )
    )
    ws = tmp_path / "ws"
    res = invoke_cli("vulndb", "import", str(src), workspace=ws)
    assert res.code == 0, res.err
    assert "1 advisories" in res.err and "1 withdrawn" in res.err
    db = VulnDB.open(ws / "vulndb.sqlite")
    # YAML kept 1.10 as a string: 1.9 is affected, 1.10 is not (a float would say 1.1).
    assert [m.advisory_id for m in db.match(PackageRef("PyPI", "demo-pkg", "1.9"))] == ["PYSEC-9"]
    assert db.match(PackageRef("PyPI", "demo-pkg", "1.10")) == []
    # A zip export into a shared database named by AISPM_VULNDB.
    z = tmp_path / "all.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr(
            "PYSEC-10.json", json.dumps({"id": "PYSEC-10", "modified": "2024", "affected": []})
        )
        zf.writestr(
            "b/PYSEC-11.json", json.dumps({"id": "PYSEC-11", "modified": "2024", "affected": []})
        )
    shared = tmp_path / "shared.sqlite"
    res = invoke_cli("vulndb", "import", str(z), workspace=ws, env={"AISPM_VULNDB": str(shared)})
    assert res.code == 0, res.err
    assert VulnDB.open(shared).count() == 2
    info = invoke_cli(
        "vulndb", "info", "--format", "json", workspace=ws, env={"AISPM_VULNDB": str(shared)}
    ).json()
    assert info["advisories"] == 2 and info["database"] == str(shared)


def test_vulndb_import_rejects_garbage(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"id": ')
    res = invoke_cli("vulndb", "import", str(bad), workspace=tmp_path / "ws")
    assert res.code == 2 and "bad.json" in res.err and "Traceback" not in res.err
    empty = tmp_path / "norecs.json"
    empty.write_text(json.dumps([{"id": 5}]))
    res = invoke_cli("vulndb", "import", str(empty), workspace=tmp_path / "ws")
    assert res.code == 2 and "'id'" in res.err
    assert not (tmp_path / "ws" / "vulndb.sqlite").exists()


def test_pypi_key_orders_exactly_like_packaging() -> None:
    """The tuple key must agree with packaging.version on every version in the bundled DB."""
    from functools import cmp_to_key

    from packaging.version import Version

    from aispm_graph.vulns.versions import pypi_key

    raw = json.loads(BUNDLED.read_text())
    versions = sorted({v for r in raw for a in r["affected"] for v in a.get("versions", [])})
    versions += [
        "1.0.dev1",
        "1.0a1.dev1",
        "1.0a1",
        "1.0a1.post1.dev1",
        "1.0a1.post1",
        "1.0b1",
        "1.0rc1",
        "1.0",
        "1.0.0",
        "1.0.post1.dev1",
        "1.0.post1",
        "1.0.1",
        "1!0.1",
        "0",
        "0.0",
        "2.0.0.0",
    ]
    by_packaging = sorted(versions, key=Version)
    by_key = sorted(versions, key=pypi_key)
    assert [Version(v) for v in by_key] == [Version(v) for v in by_packaging]

    def cmp(a: str, b: str) -> int:
        return (pypi_key(a) > pypi_key(b)) - (pypi_key(a) < pypi_key(b))

    for a, b in itertools.pairwise(by_packaging):
        va, vb = Version(a), Version(b)
        assert cmp(a, b) == (va > vb) - (va < vb), (a, b)
    assert cmp_to_key(cmp)("1.0") == cmp_to_key(cmp)("1.0.0")


def test_rpm_and_apk_records_and_severity_sources(tmp_path: Path) -> None:
    recs = [
        {
            "id": "RHSA-2099:1",
            "modified": "2024",
            "affected": [
                {
                    "package": {"ecosystem": "Red Hat", "name": "bash"},
                    "ranges": [
                        {
                            "type": "ECOSYSTEM",
                            "events": [{"introduced": "0"}, {"fixed": "0:4.2.46-34.el7"}],
                        }
                    ],
                }
            ],
            "severity": [
                {
                    "type": "CVSS_V4",
                    "score": "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
                },
                {"type": "CVSS_V3", "score": "CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N"},
            ],
        },
        {
            "id": "ALPINE-CVE-2099-2",
            "modified": "2024",
            "affected": [
                {
                    "package": {"ecosystem": "Alpine:v3.18", "name": "musl"},
                    "ranges": [
                        {
                            "type": "ECOSYSTEM",
                            "events": [{"introduced": "0"}, {"fixed": "1.2.4-r1"}],
                        }
                    ],
                }
            ],
            "database_specific": {"severity": "MODERATE"},
        },
    ]
    db = memory_db(recs, tmp_path)
    bash = package_ref_from_purl("pkg:rpm/redhat/bash@4.2.46-33.el7?arch=x86_64&distro=redhat-7.7")
    assert bash is not None and [m.advisory_id for m in db.match(bash)] == ["RHSA-2099:1"]
    fixed = package_ref_from_purl("pkg:rpm/redhat/bash@4.2.46-34.el7?distro=redhat-7.7")
    assert fixed is not None and db.match(fixed) == []
    musl = package_ref_from_purl("pkg:apk/alpine/musl@1.2.4-r0?distro=alpine-3.18.4")
    assert musl is not None and db.match(musl)[0].fixed == "1.2.4-r1"
    musl_new = package_ref_from_purl("pkg:apk/alpine/musl@1.2.4-r1?distro=alpine-3.18.4")
    assert musl_new is not None and db.match(musl_new) == []
    rh = db.advisory("RHSA-2099:1")
    assert rh is not None and rh.severity_basis == "cvss-v4" and rh.cvss_score == 9.3
    alp = db.advisory("ALPINE-CVE-2099-2")
    assert alp is not None and (alp.severity, alp.severity_basis) == ("medium", "label:database")
