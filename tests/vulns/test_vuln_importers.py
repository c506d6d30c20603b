"""Every importer on the real samples, and on malformed, truncated and hostile files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aispm_graph.vulns.importers import PARSERS, ReportError
from tests.support.cli import REPO, invoke_cli

# Real Trivy/Grype/CycloneDX/SPDX samples, copied byte-for-byte (see the README there).
EXAMPLES = REPO / "fixtures" / "vulns" / "examples"

SAMPLES = [
    ("trivy", "trivy-image-ubi7-os-and-python.json"),
    ("trivy", "trivy-fs-pip-requirements.json"),
    ("grype", "grype-image-matches.json"),
    ("cyclonedx", "cyclonedx-1.6-mlbom-considerations-env.json"),
    ("cyclonedx", "cyclonedx-1.7-mlbom-model-card-with-dataset.json"),
    ("spdx", "trivy-spdx-2.3-conda.spdx.json"),
]


def parse(fmt: str, name: str) -> Any:
    return PARSERS[fmt](json.loads((EXAMPLES / name).read_text()), name)


def test_trivy_image_sample() -> None:
    r = parse("trivy", "trivy-image-ubi7-os-and-python.json")
    assert r.subject.kind == "image"
    assert r.subject.digest == (
        "sha256:6fecccc91c83e11ae4fede6793e9410841221d4779520c2b9e9fb7f7b3830264"
    )
    assert {p.purl for p in r.packages} == {
        "pkg:rpm/redhat/bash@4.2.46-33.el7?distro=redhat-7.7",
        "pkg:pypi/setuptools@0.9.8",
    }
    assert {(v.id, tuple(v.fixed)) for v in r.vulns} == {
        ("CVE-2019-18276", ()),
        ("CVE-2022-40897", ("65.5.1",)),
    }


def test_trivy_fs_sample_packages_normalised() -> None:
    r = parse("trivy", "trivy-fs-pip-requirements.json")
    assert r.subject.kind == "software"
    names = {p.purl for p in r.packages}
    assert "pkg:pypi/werkzeug@0.11" in names and "pkg:pypi/flask@2.0.0" in names
    assert len(r.packages) == 7 and len(r.vulns) == 2


def test_grype_sample() -> None:
    r = parse("grype", "grype-image-matches.json")
    assert r.subject.kind == "image"
    assert r.subject.digest.startswith("sha256:ca738abb")
    # No purl on the rpm artifact: built from type + distro, with the rpm epoch.
    assert {p.purl for p in r.packages} == {
        "pkg:rpm/centos/package-1@2:1.1.1?distro=centos-8.0",
        "pkg:deb/package-2@2.2.2",
    }
    assert {v.id: v.fixed for v in r.vulns}["CVE-1999-0001"] == ["1.2.1", "2.1.3", "3.4.0"]


def test_cyclonedx_mlbom_samples() -> None:
    r = parse("cyclonedx", "cyclonedx-1.7-mlbom-model-card-with-dataset.json")
    assert [m.name for m in r.models] == ["support-ticket-classifier"]
    m = r.models[0]
    assert m.model_card["modelParameters"]["task"] == "text-classification"
    assert m.datasets == [
        "component-support-ticket-training-data",
        "component-support-ticket-evaluation-data",
    ]
    assert {d.name: d.classification for d in r.datasets} == {
        "support-ticket-training-data": "internal",
        "support-ticket-evaluation-data": "internal",
    }
    assert ("@subject", "@model:component-support-ticket-classifier") in r.depends
    r6 = parse("cyclonedx", "cyclonedx-1.6-mlbom-considerations-env.json")
    assert r6.models[0].name == "Llama-2-7b"
    assert "environmentalConsiderations" in r6.models[0].model_card["considerations"]


def test_spdx_sample() -> None:
    r = parse("spdx", "trivy-spdx-2.3-conda.spdx.json")
    assert r.subject.name == "testdata/fixtures/repo/conda"
    assert {p.purl for p in r.packages} == {"pkg:conda/openssl@1.1.1q", "pkg:conda/pip@22.2.2"}


def test_requirements_poetry_uv() -> None:
    req = PARSERS["requirements"](
        {
            "format": "requirements",
            "filename": "r.txt",
            "text": (
                "# comment\n-r base.txt\nTorch==2.1.0+cu118 \\\n    --hash=sha256:abc\n"
                "langchain_core==0.1.0 ; python_version >= '3.8'\nopenai>=1\n"
                "pkg @ https://example.com/pkg.whl\n"
            ),
        },
        "r.txt",
    )
    assert {(p.purl, p.version) for p in req.packages} == {
        ("pkg:pypi/torch@2.1.0%2Bcu118", "2.1.0+cu118"),
        ("pkg:pypi/langchain-core@0.1.0", "0.1.0"),
        ("pkg:pypi/openai", ""),
        ("pkg:pypi/pkg", ""),
    }
    assert any("openai is not pinned" in n for n in req.notes)
    poetry = PARSERS["requirements"](
        {
            "format": "poetry.lock",
            "filename": "poetry.lock",
            "text": (
                '[[package]]\nname = "transformers"\nversion = "4.30.0"\n\n'
                '[[package]]\nname = "Pillow"\nversion = "9.0.0"\n'
            ),
        },
        "poetry.lock",
    )
    assert [p.purl for p in poetry.packages] == [
        "pkg:pypi/transformers@4.30.0",
        "pkg:pypi/pillow@9.0.0",
    ]
    uv = PARSERS["requirements"](
        {
            "format": "uv.lock",
            "filename": "uv.lock",
            "text": (
                'version = 1\n[[package]]\nname = "app"\nversion = "0.1.0"\n'
                'source = { editable = "." }\n[[package]]\nname = "gradio"\nversion = "3.0.0"\n'
                'source = { registry = "https://pypi.org/simple" }\n'
            ),
        },
        "uv.lock",
    )
    assert [p.purl for p in uv.packages] == ["pkg:pypi/gradio@3.0.0"]


@pytest.mark.parametrize(("fmt", "name"), SAMPLES)
def test_cli_imports_every_sample(tmp_path: Path, fmt: str, name: str) -> None:
    ws = tmp_path / "ws"
    res = invoke_cli("import", fmt, str(EXAMPLES / name), workspace=ws)
    assert res.code == 0, res.err
    res = invoke_cli("build", workspace=ws)
    assert res.code == 0, res.err


# --- malformed, truncated, hostile ------------------------------------------------------------

BAD: list[tuple[str, str, str, str]] = [
    # (format, file content, expected text naming the field, file name)
    (
        "trivy",
        '{"SchemaVersion": 2, "Results": [{"Type": "pip", "Packages": [{"Version": "1"}]}]}',
        "Results[0].Packages[0].Name: is required",
        "t.json",
    ),
    ("trivy", '{"SchemaVersion": 1, "Results": []}', "SchemaVersion", "t.json"),
    ("trivy", '{"SchemaVersion": 2, "Results": {"a": 1}}', "Results: must be a list", "t.json"),
    (
        "grype",
        '{"matches": [{"vulnerability": {"id": "CVE-1"}, "artifact": {"name": "x", '
        '"version": "1", "purl": "http://evil"}}]}',
        "matches[0].artifact.purl",
        "g.json",
    ),
    ("grype", '{"descriptor": {}}', "matches", "g.json"),
    ("cyclonedx", '{"bomFormat": "CycloneDX", "specVersion": "1.2"}', "specVersion", "c.json"),
    (
        "cyclonedx",
        '{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": '
        '[{"type": "library", "name": "a\\u0000b"}]}',
        "components[0].name: contains control characters",
        "c.json",
    ),
    (
        "spdx",
        '{"spdxVersion": "SPDX-2.3", "packages": [{"name": "x"}]}',
        "packages[0].SPDXID: is required",
        "s.spdx.json",
    ),
    ("requirements", "torch==2.1.0\nthis is not ( a requirement\n", "line 2", "requirements.txt"),
    (
        "requirements",
        '[[package]]\nname = "x"\nversion = 1.0\n[broken',
        "not valid TOML",
        "poetry.lock",
    ),
    ("trivy", '{"SchemaVersion": 2, "Results": [', "invalid JSON at line 1", "trunc.json"),
    ("cyclonedx", "[" * 100_000 + "]" * 100_000, "t.json", "t.json"),
]


@pytest.mark.parametrize(("fmt", "content", "needle", "fname"), BAD)
def test_bad_files_exit_2_and_write_nothing(
    tmp_path: Path, fmt: str, content: str, needle: str, fname: str
) -> None:
    ws = tmp_path / "ws"
    good = EXAMPLES / "trivy-fs-pip-requirements.json"
    assert invoke_cli("import", "trivy", str(good), workspace=ws).code == 0
    before = sorted(p.name for p in ws.rglob("*"))
    manifest = next(ws.rglob("manifest.json")).read_text()
    bad = tmp_path / fname
    bad.write_text(content)
    # The bad file comes second: the good first file must not be written either.
    first = EXAMPLES / "trivy-fs-pip-requirements.json" if fmt == "trivy" else bad
    args = [str(first), str(bad)] if fmt == "trivy" else [str(bad)]
    res = invoke_cli("import", fmt, *args, workspace=ws)
    assert res.code == 2, res.err
    assert str(bad) in res.err and needle in res.err, res.err
    assert "Traceback" not in res.err
    assert sorted(p.name for p in ws.rglob("*")) == before
    assert next(ws.rglob("manifest.json")).read_text() == manifest


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "SchemaVersion",
                    "Results",
                    "Packages",
                    "Vulnerabilities",
                    "Type",
                    "Name",
                    "Version",
                    "PkgName",
                    "VulnerabilityID",
                    "bomFormat",
                    "specVersion",
                    "components",
                    "type",
                    "name",
                    "purl",
                    "matches",
                    "artifact",
                    "vulnerability",
                    "id",
                    "spdxVersion",
                    "packages",
                    "SPDXID",
                    "externalRefs",
                    "dependencies",
                    "ref",
                    "dependsOn",
                    "modelCard",
                    "data",
                    "Metadata",
                    "source",
                    "target",
                    "affected",
                    "package",
                    "ecosystem",
                    "ranges",
                    "events",
                    "introduced",
                    "fixed",
                    "versions",
                    "aliases",
                    "severity",
                    "score",
                    "last_affected",
                    "limit",
                ]
            ),
            inner,
            max_size=5,
        )
    ),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fmt=st.sampled_from(["trivy", "grype", "cyclonedx", "spdx"]), doc=json_values)
def test_parsers_never_crash_on_arbitrary_json(fmt: str, doc: Any) -> None:
    if fmt == "trivy" and isinstance(doc, dict):
        doc["SchemaVersion"] = 2
    if fmt == "cyclonedx" and isinstance(doc, dict):
        doc.update(bomFormat="CycloneDX", specVersion="1.6")
    if fmt == "spdx" and isinstance(doc, dict):
        doc["spdxVersion"] = "SPDX-2.3"
    try:
        PARSERS[fmt](doc, "fuzz.json")
    except ReportError as exc:
        assert str(exc).startswith("fuzz.json: ")


@settings(max_examples=300, deadline=None)
@given(
    fmt=st.sampled_from(["requirements", "poetry.lock", "uv.lock"]),
    text=st.text(
        alphabet=st.sampled_from(list("abcXYZ019=<>!~.-_ @;[]\"'#\\\n\t{}()*,+/:")), max_size=200
    ),
)
def test_requirement_parsers_never_crash(fmt: str, text: str) -> None:
    body = {"format": fmt, "filename": "f", "text": text}
    try:
        PARSERS["requirements"](body, "fuzz.txt")
    except ReportError as exc:
        assert str(exc).startswith("fuzz.txt: ")


@settings(max_examples=300, deadline=None)
@given(doc=json_values)
def test_osv_record_validation_never_crashes(doc: Any) -> None:
    from aispm_graph.vulns.matching import compile_affected
    from aispm_graph.vulns.osvdb import VulnDBError, normalize_record

    if isinstance(doc, dict):
        doc.setdefault("id", "PYSEC-1")
    try:
        rec = normalize_record(doc, "fuzz.json")
    except VulnDBError as exc:
        assert str(exc).startswith("fuzz.json")
        return
    for a in rec["affected"]:
        compile_affected(rec["id"], a["ecosystem"], a).affects("1.0")


versions_st = st.text(alphabet=st.sampled_from(list("0123456789.-+~^:_abcrpv!")), max_size=12)


@settings(max_examples=400, deadline=None)
@given(
    eco=st.sampled_from(["PyPI", "Debian:12", "Red Hat", "Alpine:v3.18", "npm", "Maven", "Hex"]),
    events=st.lists(
        st.tuples(st.sampled_from(["introduced", "fixed", "last_affected", "limit"]), versions_st),
        max_size=6,
    ),
    listed=st.lists(versions_st, max_size=4),
    version=versions_st,
)
def test_range_evaluation_never_raises(
    eco: str, events: list[tuple[str, str]], listed: list[str], version: str
) -> None:
    from aispm_graph.vulns.matching import compile_affected

    entry = {
        "ranges": [{"type": "ECOSYSTEM", "events": [{k: v} for k, v in events]}],
        "versions": listed,
    }
    hit, fixed = compile_affected("X-1", eco, entry).affects(version)
    assert isinstance(hit, bool) and (fixed is None or isinstance(fixed, str))
    if version in listed:
        assert hit
