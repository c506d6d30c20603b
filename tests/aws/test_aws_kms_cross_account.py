"""Cross-account reads of KMS-encrypted AI data: the key policy is a third gate.

For ``ci-bot`` in ``apps`` to read an object of a bucket in ``ml`` encrypted with a customer
managed key, three policies must agree: the bucket policy (grants ``apps``), ci-bot's own
identity policy (allows ``s3:GetObject`` and ``kms:Decrypt``), and the key policy, which must
grant ``apps`` itself: a key policy that trusts only its own account stops the read whatever
IAM says. The same holds for an account outside the organisation named by the bucket policy.
Everything is created in moto and collected organisation-wide by the real collector.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from aispm_graph.build import BuildContext, build_graph
from aispm_graph.graph.model import Graph
from aispm_graph.providers.aws.collect import CollectOptions
from aispm_graph.providers.aws.org import OrgOptions, collect_org, read_organization
from fixtures.aws import build_moto_org as org_fixture
from tests.aws.aws_moto import MotoEnv

EXTERNAL = org_fixture.EXTERNAL
BUCKETS = ("shared", "closed", "partner")


def _stmt(principal: str, action: str, resource: str = "*") -> dict[str, Any]:
    return {
        "Effect": "Allow",
        "Principal": {"AWS": principal},
        "Action": action,
        "Resource": resource,
    }


@pytest.fixture(scope="module")
def estate(moto_env: MotoEnv) -> Iterator[tuple[Graph, dict[str, str]]]:
    moto_env.reset()
    # moto itself for Bedrock: the demo's recorded answers belong to another account
    saved = os.environ.get("AWS_ENDPOINT_URL_BEDROCK")
    os.environ["AWS_ENDPOINT_URL_BEDROCK"] = moto_env.url
    try:
        session = boto3.Session(region_name=org_fixture.REGION)
        ids = org_fixture.build_org(session, moto_env.url)
        ml, apps = ids["ml"], ids["apps"]
        ml_session = org_fixture.member_session(moto_env.url, ml)
        kms = ml_session.client("kms", region_name=org_fixture.REGION)
        s3 = ml_session.client("s3", region_name=org_fixture.REGION)
        own = _stmt(f"arn:aws:iam::{ml}:root", "kms:*")
        key_grants = {
            # the key trusts apps: ci-bot's decrypt is up to apps' IAM
            "shared": [own, _stmt(f"arn:aws:iam::{apps}:root", "kms:Decrypt")],
            # the key trusts only ml: nobody outside can decrypt
            "closed": [own],
            # the key trusts the partner account, which was not collected
            "partner": [own, _stmt(f"arn:aws:iam::{EXTERNAL}:root", "kms:Decrypt")],
        }
        keys: list[str] = []
        for name in BUCKETS:
            bucket = f"cmk-{name}-{ml}"
            org_fixture.custom_model(ml_session, ml, f"cmk-{name}", bucket)
            key = kms.create_key(
                Policy=org_fixture.policy(*key_grants[name]), Description=f"cmk for {name}"
            )["KeyMetadata"]["Arn"]
            keys.append(key)
            org_fixture.kms_encrypt(s3, bucket, key)
            s3.put_bucket_policy(
                Bucket=bucket,
                Policy=org_fixture.policy(
                    _stmt(ids["ci_bot"], "s3:GetObject", f"arn:aws:s3:::{bucket}/*"),
                    _stmt(
                        f"arn:aws:iam::{EXTERNAL}:root", "s3:GetObject", f"arn:aws:s3:::{bucket}/*"
                    ),
                ),
            )
            ids[name] = f"arn:aws:s3:::{bucket}"
        apps_iam = org_fixture.member_session(moto_env.url, apps).client("iam")
        apps_iam.put_user_policy(
            UserName="ci-bot",
            PolicyName="read-ml-data",
            PolicyDocument=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
                        {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": keys},
                    ],
                }
            ),
        )
        organization = read_organization(session)
        options = OrgOptions(
            base=CollectOptions(regions=["us-east-1"], services=("iam", "s3", "kms", "bedrock")),
            accounts={ids["apps"], ml},
            max_workers=2,
        )
        outcomes = list(collect_org(options, organization, session))
        assert {o.status for o in outcomes} == {"collected"}
        docs = [d for o in outcomes if o.result for d in o.result.documents]
        yield build_graph(docs, BuildContext()), ids
    finally:
        if saved is None:
            os.environ.pop("AWS_ENDPOINT_URL_BEDROCK", None)
        else:
            os.environ["AWS_ENDPOINT_URL_BEDROCK"] = saved
        moto_env.reset()


def reads(graph: Graph, src: str) -> dict[str, dict[str, Any]]:
    return {t: d for s, t, d in graph.edges("CAN_READ") if s == src}


def test_key_policy_granting_the_callers_account_lets_the_read_through(
    estate: tuple[Graph, dict[str, str]],
) -> None:
    graph, ids = estate
    got = reads(graph, ids["ci_bot"])
    assert ids["shared"] in got
    assert "granted by the key policy" in got[ids["shared"]]["evidence"]["kms"]


def test_key_policy_of_the_resource_account_only_stops_other_accounts(
    estate: tuple[Graph, dict[str, str]],
) -> None:
    graph, ids = estate
    got = reads(graph, ids["ci_bot"])
    assert ids["closed"] not in got
    # the partner key grants only the partner account, not apps
    assert ids["partner"] not in got


def test_uncollected_account_needs_the_key_policy_too(
    estate: tuple[Graph, dict[str, str]],
) -> None:
    graph, ids = estate
    ext = f"arn:aws:iam::{EXTERNAL}:root"
    got = reads(graph, ext)
    assert ids["partner"] in got
    assert got[ids["partner"]]["confidence"] == "inferred"
    assert "key policy" in got[ids["partner"]]["evidence"]["kms"]
    assert ids["shared"] not in got
    assert ids["closed"] not in got
