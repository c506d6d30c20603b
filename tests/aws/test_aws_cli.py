"""``aispm collect aws`` as users run it: a subprocess with only environment settings."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import zstandard

from fixtures.aws import build_moto_estate as estate
from fixtures.aws.replay_proxy import ReplayProxy
from tests.aws.aws_moto import MotoEnv
from tests.support.cli import invoke_cli

ROOT = Path(__file__).resolve().parents[2]
DENIED = ROOT / "fixtures" / "aws" / "recorded" / "denied.json"


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """The CLI in process against moto (output and exit codes are the claim)."""
    res = invoke_cli(*args, env=env)
    return subprocess.CompletedProcess(args, res.code, res.out, res.err)


@pytest.fixture(scope="module")
def denied_proxy(moto_env: MotoEnv) -> Any:
    # the recorded Bedrock answers, with the guardrail listing replaced by an AccessDenied
    proxy = ReplayProxy(moto_env.url, [*estate.RECORDINGS, DENIED]).start()
    yield proxy
    proxy.stop()


def test_collect_json_coverage_and_snapshot(moto_env: MotoEnv, tmp_path: Path) -> None:
    moto_env.reset()
    estate.build_estate(moto_env.session())
    ws = tmp_path / "ws"
    res = run(
        [
            "--workspace",
            str(ws),
            "-q",
            "collect",
            "aws",
            "--regions",
            "us-east-1",
            "--format",
            "json",
        ],
        moto_env.env,
    )
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    assert out["account"] == "123456789012"
    status = {(c["service"], c["scope"]): c["status"] for c in out["coverage"]}
    assert status[("iam", "global")] == "ok"
    assert status[("bedrock", "us-east-1")] == "ok"  # moto + replayed guardrails
    assert status[("bedrock-agent", "us-east-1")] == "ok"
    assert set(status.values()) == {"ok"}
    manifest = json.loads(next(ws.glob("snapshots/*/manifest.json")).read_text())
    entry = manifest["sources"]["aws:123456789012"]
    assert entry["meta"]["coverage"] == out["coverage"]
    raw = zstandard.ZstdDecompressor().decompress(
        next(ws.glob("snapshots/*/docs/aws__*.json.zst")).read_bytes()
    )
    assert b"never-collected" not in raw  # no Lambda env values, no secret values
    assert b"OPENAI_API_KEY" in raw  # but the variable names are kept


def test_collect_build_paths_end_to_end(moto_env: MotoEnv, tmp_path: Path) -> None:
    moto_env.reset()
    estate.build_estate(moto_env.session())
    ws = ["--workspace", str(tmp_path), "-q"]
    assert run([*ws, "collect", "aws", "--regions", "us-east-1"], moto_env.env).returncode == 0
    res = run([*ws, "build"], moto_env.env)
    assert res.returncode == 0, res.stderr
    res = run([*ws, "paths", "--format", "json"], moto_env.env)
    assert res.returncode == 0, res.stderr
    paths = json.loads(res.stdout)["paths"]
    titles = {tuple(n["name"] for n in p["nodes"]) for p in paths}
    assert ("Internet", "llm-web-1", "llm-web-role", "support-bot-ft") in titles
    assert ("Internet", "chatbot", "chatbot-role", "ml-admin-role", "123456789012") in titles
    esc = next(p for p in paths if p["target"] == "arn:aws:iam::123456789012:root")
    kinds = [e["kind"] for e in esc["edges"]]
    assert kinds == ["PUBLIC_ACCESS", "HAS_IDENTITY", "CAN_ESCALATE_TO", "CAN_ADMINISTER"]
    assert esc["edges"][2]["evidence"]["permission"].startswith("iam:PassRole")


def test_denied_and_unreachable_services_are_recorded(
    moto_env: MotoEnv, denied_proxy: ReplayProxy, tmp_path: Path
) -> None:
    moto_env.reset()
    env = {
        **moto_env.env,
        "AWS_ENDPOINT_URL_BEDROCK": denied_proxy.url,
        "AWS_ENDPOINT_URL_OPENSEARCHSERVERLESS": "http://127.0.0.1:9",
        "AWS_MAX_ATTEMPTS": "1",
    }
    res = run(
        [
            "--workspace",
            str(tmp_path),
            "collect",
            "aws",
            "--regions",
            "us-east-1",
            "--services",
            "iam,s3,bedrock,opensearchserverless",
        ],
        env,
    )
    assert res.returncode == 0, res.stderr
    lines = {tuple(line.split("│")[1:4]) for line in res.stdout.splitlines() if "│" in line}
    cells = {tuple(c.strip() for c in row) for row in lines}
    # Guardrails refused but the other Bedrock calls answered: partial, not denied.
    assert ("bedrock", "us-east-1", "partial") in cells
    assert ("opensearchserverless", "us-east-1", "failed") in cells
    assert ("iam", "global", "ok") in cells
    assert ("s3", "global", "ok") in cells


def test_iam_denied_needs_best_effort(
    moto_env: MotoEnv, denied_proxy: ReplayProxy, tmp_path: Path
) -> None:
    env = {**moto_env.env, "AWS_ENDPOINT_URL_IAM": denied_proxy.url, "AWS_MAX_ATTEMPTS": "1"}
    args = [
        "--workspace",
        str(tmp_path),
        "collect",
        "aws",
        "--regions",
        "us-east-1",
        "--services",
        "iam,s3",
        "--format",
        "json",
    ]
    res = run(args, env)
    assert res.returncode == 2
    assert "IAM could not be collected" in res.stderr and "AccessDenied" in res.stderr
    assert "Traceback" not in res.stderr
    assert not list(tmp_path.glob("snapshots/*/docs/aws__*"))
    res = run([*args, "--best-effort"], env)
    assert res.returncode == 0, res.stderr
    status = {c["service"]: c["status"] for c in json.loads(res.stdout)["coverage"]}
    assert status["iam"] == "denied" and status["s3"] == "ok"


def test_bad_options_are_usage_errors(moto_env: MotoEnv, tmp_path: Path) -> None:
    res = run(
        ["--workspace", str(tmp_path), "collect", "aws", "--services", "iam,nosuch"], moto_env.env
    )
    assert res.returncode == 2 and "unknown service(s) nosuch" in res.stderr
    res = run(
        ["--workspace", str(tmp_path), "collect", "aws", "--profile", "missing"], moto_env.env
    )
    assert res.returncode == 2 and "missing" in res.stderr and "Traceback" not in res.stderr


def test_all_regions_are_enumerated(moto_env: MotoEnv, tmp_path: Path) -> None:
    res = run(
        [
            "--workspace",
            str(tmp_path),
            "-q",
            "collect",
            "aws",
            "--regions",
            "all",
            "--services",
            "ecr",
            "--format",
            "json",
        ],
        moto_env.env,
    )
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    assert {"us-east-1", "eu-west-1", "ap-southeast-1"} <= set(out["regions"])
    covered = {c["scope"] for c in out["coverage"] if c["status"] == "ok"}
    assert covered == set(out["regions"])
