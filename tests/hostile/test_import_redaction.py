"""Credentials in imported dependency files and SBOMs never reach the workspace or an output.

A requirements file names its private index with the password in the URL; lock files and
SBOMs repeat such URLs. Each secret below is a distinct word, searched for in every byte the
workspace holds (compressed documents opened) and in everything the commands print.
"""

from __future__ import annotations

import json
from pathlib import Path

import zstandard

from aispm_graph.vulns.importers.redact import redact_text
from tests.support.cli import invoke_cli

SECRETS = ("S3CRETPW", "GHPTOKEN99", "QUERYTOK77", "EXTRAPW55", "LOCKPW44", "SBOMPW33", "SIG8812")

REQUIREMENTS = """\
--index-url https://alice:S3CRETPW@pypi.corp.example/simple
--extra-index-url=https://bob:EXTRAPW55@extra.example/simple
-i https://S3CRETPW@mirror.example/simple
torch==2.1.0
mylib @ git+https://GHPTOKEN99@github.com/org/mylib@v1.0#egg=mylib
wheelpkg @ https://files.example/wheelpkg-1.0-py3-none-any.whl?token=QUERYTOK77&x=1
numpy==1.26.0
"""

POETRY_LOCK = """\
[[package]]
name = "torch"
version = "2.1.0"

[package.source]
type = "legacy"
url = "https://carol:LOCKPW44@pypi.corp.example/simple"
reference = "corp"
"""


def _cyclonedx() -> dict[str, object]:
    return {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "version": 1,
        "metadata": {"component": {"type": "application", "name": "app"}},
        "components": [
            {
                "type": "library",
                "name": "torch",
                "version": "2.1.0",
                "purl": "pkg:pypi/torch@2.1.0?repository_url=https://dan:SBOMPW33@pypi.corp.example",
                "externalReferences": [
                    {
                        "type": "distribution",
                        "url": "https://files.example/t.whl?X-Amz-Signature=SIG8812&a=1",
                    }
                ],
            }
        ],
    }


def _workspace_text(ws: Path) -> str:
    parts = []
    for path in ws.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if path.suffix == ".zst":
            data = zstandard.ZstdDecompressor().stream_reader(data).read()
        parts.append(data.decode("utf-8", "replace"))
    return "\n".join(parts)


def test_no_credential_reaches_the_workspace_or_any_output(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text(REQUIREMENTS)
    (tmp_path / "poetry.lock").write_text(POETRY_LOCK)
    (tmp_path / "bom.json").write_text(json.dumps(_cyclonedx()))
    ws = tmp_path / "ws"
    runs = [
        invoke_cli(
            "import",
            "requirements",
            str(tmp_path / "requirements.txt"),
            str(tmp_path / "poetry.lock"),
            workspace=ws,
        ),
        invoke_cli("import", "cyclonedx", str(tmp_path / "bom.json"), workspace=ws),
        invoke_cli("build", workspace=ws),
        invoke_cli("vulns", "--format", "json", workspace=ws),
        invoke_cli("inventory", "--format", "json", workspace=ws),
        invoke_cli("export", "json", str(tmp_path / "graph.json"), workspace=ws),
    ]
    for res in runs:
        assert res.code == 0, res.err
    printed = "\n".join(r.out + r.err for r in runs)
    stored = _workspace_text(ws)
    exported = (tmp_path / "graph.json").read_text()
    for secret in SECRETS:
        assert secret not in stored, secret
        assert secret not in printed, secret
        assert secret not in exported, secret
    # The packages are all still there: redaction kept the files importable.
    assert "REDACTED" in stored
    assert "mylib" in stored and "wheelpkg" in stored


def test_a_bad_line_is_reported_without_its_credential(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text(
        "torch==2.1.0\nbroken ( https://eve:S3CRETPW@x.example/p\n"
    )
    res = invoke_cli(
        "import", "requirements", str(tmp_path / "requirements.txt"), workspace=tmp_path / "ws"
    )
    assert res.code == 2
    assert "line 2" in res.err and "S3CRETPW" not in res.err + res.out


def test_what_is_redacted_and_what_is_kept() -> None:
    cases = {
        "https://u:p@h.example/s": "https://REDACTED@h.example/s",
        "git+ssh://tok@github.com/o/r": "git+ssh://REDACTED@github.com/o/r",
        "https://a:b@c@h.example/p": "https://REDACTED@h.example/p",
        "https://h/x?access_token=abc&page=2": "https://h/x?access_token=REDACTED&page=2",
        "https://h/x?api-key=abc": "https://h/x?api-key=REDACTED",
        # kept: no credential in them
        "docker://image@sha256:0123": "docker://image@sha256:0123",
        "pkg:npm/%40scope/name@1.0": "pkg:npm/%40scope/name@1.0",
        'torch==2.1 ; python_version < "3.12"': 'torch==2.1 ; python_version < "3.12"',
        "x @ https://h/x.whl#sha256=ab12": "x @ https://h/x.whl#sha256=ab12",
        "user@example.com": "user@example.com",
    }
    assert {k: redact_text(k) for k in cases} == cases
