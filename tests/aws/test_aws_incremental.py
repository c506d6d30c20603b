"""``aispm collect aws --incremental``: only what CloudTrail says changed is collected again.

moto serves the account; :mod:`cloudtrail_history` serves ``LookupEvents`` (moto has none), so
the collector's real boto3 CloudTrail client asks a real HTTP server for each region's write
events. Each test makes a change in moto and records the event that change leaves in
CloudTrail, or, for the safety nets, deliberately leaves none.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from aispm_graph.build import BuildContext, build_graph
from aispm_graph.workspace import Workspace
from fixtures.aws import build_moto_estate as estate
from fixtures.aws.cloudtrail_history import CloudTrailHistory
from tests.aws.aws_moto import MotoEnv

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = "123456789012"
REGIONS = "us-east-1,eu-west-1"
SERVICES = "iam,s3,ec2,lambda,sagemaker,kms"
BUCKET = "acme-llm-training-data"


@pytest.fixture(scope="module")
def trail(moto_env: MotoEnv) -> Iterator[CloudTrailHistory]:
    history = CloudTrailHistory(moto_env.url).start()
    yield history
    history.stop()


@pytest.fixture
def account(moto_env: MotoEnv, trail: CloudTrailHistory) -> dict[str, str]:
    moto_env.reset()
    trail.clear()
    estate.build_estate(moto_env.session())
    return {**moto_env.env, "AWS_ENDPOINT_URL_CLOUDTRAIL": trail.url}


def collect(ws: Path, env: dict[str, str], *extra: str) -> dict[str, Any]:
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "aispm_graph",
            "--workspace",
            str(ws),
            "-q",
            "collect",
            "aws",
            "--regions",
            REGIONS,
            "--services",
            SERVICES,
            "--format",
            "json",
            *extra,
        ],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=300,
        cwd=ROOT,
    )
    assert res.returncode == 0, res.stderr
    out: dict[str, Any] = json.loads(res.stdout)
    return out


def stored(ws: Path) -> dict[str, Any]:
    snap = Workspace(ws).current()
    assert snap is not None
    return {d.key: d.body for d in snap.source_documents("aws", ACCOUNT)}


def reused(out: dict[str, Any]) -> set[str]:
    return {f"{c['service']}/{c['scope']}" for c in out["coverage"] if c["reused"]}


ALL_TASKS = {
    "iam/global",
    "s3/global",
    "s3control/global",
    *(f"{s}/{r}" for s in ("ec2", "lambda", "sagemaker", "kms") for r in REGIONS.split(",")),
}


def test_nothing_changed_reuses_every_task(
    account: dict[str, str], trail: CloudTrailHistory, tmp_path: Path
) -> None:
    first = collect(tmp_path, account)
    assert first["incremental"] is None
    before = stored(tmp_path)
    # read-only calls (the collector's own describes) are events too, and must not count
    trail.record("us-east-1", "iam.amazonaws.com", "GetRole", read_only=True)
    second = collect(tmp_path, account, "--incremental")
    inc = second["incremental"]
    assert inc["mode"] == "incremental"
    assert inc["collected"] == {}
    assert reused(second) == ALL_TASKS
    assert all(c["calls"] == 0 for c in second["coverage"])
    after = stored(tmp_path)
    assert after == before  # the same answers, caller identity included
    assert sorted(set(trail.lookups)) == ["eu-west-1", "us-east-1"]


def test_a_write_event_recollects_that_service_only(
    moto_env: MotoEnv, account: dict[str, str], trail: CloudTrailHistory, tmp_path: Path
) -> None:
    collect(tmp_path, account)
    s3 = moto_env.session().client("s3")
    s3.put_bucket_policy(
        Bucket=BUCKET,
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": "*",
                        "Action": "s3:GetObject",
                        "Resource": f"arn:aws:s3:::{BUCKET}/*",
                    }
                ],
            }
        ),
    )
    trail.record("us-east-1", "s3.amazonaws.com", "PutBucketPolicy", (("AWS::S3::Bucket", BUCKET),))
    out = collect(tmp_path, account, "--incremental")
    assert set(out["incremental"]["collected"]) == {"s3/global", "s3control/global"}
    assert "write event" in out["incremental"]["collected"]["s3/global"]
    assert out["incremental"]["events"] == {"s3.amazonaws.com": 1}
    assert reused(out) == ALL_TASKS - {"s3/global", "s3control/global"}
    docs = stored(tmp_path)
    policy = json.loads(docs[f"s3/global/get_bucket_policy/{BUCKET}"]["response"]["Policy"])
    assert policy["Statement"][0]["Principal"] == "*"
    graph = build_graph(
        list(Workspace(tmp_path).current().documents()),  # type: ignore[union-attr]
        BuildContext(),
    )
    bucket = f"arn:aws:s3:::{BUCKET}"
    assert ("internet", bucket) in {(s, t) for s, t, _ in graph.edges("PUBLIC_ACCESS")}


def test_regional_event_recollects_that_region_only(
    moto_env: MotoEnv, account: dict[str, str], trail: CloudTrailHistory, tmp_path: Path
) -> None:
    collect(tmp_path, account)
    ec2 = moto_env.session().client("ec2", region_name="eu-west-1")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    ec2.create_security_group(GroupName="new-sg", Description="x", VpcId=vpc)
    trail.record("eu-west-1", "ec2.amazonaws.com", "CreateVpc")
    trail.record("eu-west-1", "ec2.amazonaws.com", "CreateSecurityGroup")
    # an event from a service we do not collect changes nothing we hold
    trail.record("eu-west-1", "dynamodb.amazonaws.com", "CreateTable")
    out = collect(tmp_path, account, "--incremental")
    assert set(out["incremental"]["collected"]) == {"ec2/eu-west-1"}
    docs = stored(tmp_path)
    groups = docs["ec2/eu-west-1/describe_security_groups"]["response"]["SecurityGroups"]
    assert "new-sg" in {g["GroupName"] for g in groups}


def test_unreadable_history_collects_that_region_in_full(
    account: dict[str, str], trail: CloudTrailHistory, tmp_path: Path
) -> None:
    collect(tmp_path, account)
    trail.denied.add("eu-west-1")
    out = collect(tmp_path, account, "--incremental")
    collected = out["incremental"]["collected"]
    assert set(collected) == {f"{s}/eu-west-1" for s in ("ec2", "lambda", "sagemaker", "kms")}
    assert all("AccessDeniedException" in why for why in collected.values())
    assert out["incremental"]["unreadable_history"] == {
        "eu-west-1": "cloudtrail:LookupEvents failed (AccessDeniedException)"
    }


def test_bucket_made_without_a_watched_event_is_still_seen(
    moto_env: MotoEnv, account: dict[str, str], tmp_path: Path
) -> None:
    """A bucket created in a region the lookup does not watch leaves its event there."""
    collect(tmp_path, account)
    moto_env.session().client("s3", region_name="ap-southeast-2").create_bucket(
        Bucket="acme-new-sydney-bucket",
        CreateBucketConfiguration={"LocationConstraint": "ap-southeast-2"},
    )
    out = collect(tmp_path, account, "--incremental")
    assert out["incremental"]["collected"] == {
        "s3/global": "bucket list changed (1 bucket(s) added or removed)"
    }
    assert "s3/global/get_bucket_location/acme-new-sydney-bucket" in stored(tmp_path)


def test_without_a_usable_base_the_collect_is_full(account: dict[str, str], tmp_path: Path) -> None:
    out = collect(tmp_path, account, "--incremental")
    assert out["incremental"] == {
        "mode": "full",
        "reason": "no earlier collect of this account in the workspace",
    }
    assert not reused(out)
    # a base older than CloudTrail's event history cannot be trusted
    snap = Workspace(tmp_path).current()
    assert snap is not None
    manifest = json.loads(snap.manifest_path.read_text())
    old = datetime.now(UTC) - timedelta(days=120)
    manifest["sources"][f"aws:{ACCOUNT}"]["meta"]["collect_started"] = old.isoformat()
    snap.manifest_path.write_text(json.dumps(manifest))
    out = collect(tmp_path, account, "--incremental")
    assert out["incremental"]["reason"] == (
        "the earlier collect is older than CloudTrail's 90-day event history"
    )
    assert not reused(out)


def test_denied_task_last_time_is_collected_again(account: dict[str, str], tmp_path: Path) -> None:
    collect(tmp_path, account)
    snap = Workspace(tmp_path).current()
    assert snap is not None
    manifest = json.loads(snap.manifest_path.read_text())
    for c in manifest["sources"][f"aws:{ACCOUNT}"]["meta"]["coverage"]:
        if c["service"] == "kms" and c["scope"] == "us-east-1":
            c["status"] = "denied"
    snap.manifest_path.write_text(json.dumps(manifest))
    out = collect(tmp_path, account, "--incremental")
    assert out["incremental"]["collected"] == {"kms/us-east-1": "not collected by the earlier run"}


def test_table_output_says_what_was_reused(account: dict[str, str], tmp_path: Path) -> None:
    collect(tmp_path, account)
    res = subprocess.run(
        [
            *(sys.executable, "-m", "aispm_graph", "--workspace", str(tmp_path), "collect"),
            *("aws", "--regions", REGIONS, "--services", SERVICES, "--incremental"),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, **account, "COLUMNS": "200"},
        timeout=300,
        cwd=ROOT,
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.count("reused") >= len(ALL_TASKS)
    assert f"{len(ALL_TASKS)} task(s) reused, 0 collected again" in res.stdout
