"""CloudTrail and Amazon Bedrock: which trails record Bedrock data events, and the region's
recent Bedrock calls as evidence that Bedrock is in use there.

Trails, their status and event selectors (classic and advanced) are made in moto; moto has no
``LookupEvents``, so the region's event history for ``bedrock.amazonaws.com`` is answered by
the replay server in CloudTrail's JSON (epoch-second timestamps). The real collector reads
both. The Prowler peer (cloudtrail_bedrock_logging_enabled) passes a logging trail whose
advanced selectors name a Bedrock resource type and ignores a trail that is not logging;
those cases are reproduced, plus the region invoked on demand with no Bedrock resource.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from aispm_graph.build import BuildContext, build_graph
from aispm_graph.graph.model import Graph
from aispm_graph.knowledge.aws.cloudtrail import BEDROCK_DATA_TYPES, bedrock_coverage
from aispm_graph.providers.aws.collect import CollectOptions, collect
from aispm_graph.recommendations.evaluate import evaluate
from fixtures.aws.replay_proxy import ReplayProxy
from tests.aws.aws_moto import ROOT, MotoEnv

A, R = "123456789012", "us-east-1"
LOOKUP = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents"
LOGGING = f"arn:aws:bedrock:{R}:{A}:model-invocation-logging"
ACCOUNT = f"arn:aws:iam::{A}:root"


def _data(*types: str) -> dict[str, Any]:
    return {
        "Name": "bedrock data",
        "FieldSelectors": [
            {"Field": "eventCategory", "Equals": ["Data"]},
            {"Field": "resources.type", "Equals": list(types)},
        ],
    }


def _build(
    moto_env: MotoEnv,
    tmp: Path,
    monkeypatch: pytest.MonkeyPatch,
    setup: Callable[[Any], None],
    events: list[str],
    extra: tuple[dict[str, Any], ...] = (),
) -> Graph:
    history = {
        "Events": [
            {
                "EventId": f"e{i}",
                "EventName": name,
                "ReadOnly": "true",
                "EventTime": 1767225600 + i,
                "EventSource": "bedrock.amazonaws.com",
                "Username": "app",
                "Resources": [],
                "CloudTrailEvent": json.dumps({"eventName": name, "sourceIPAddress": "1.2.3.4"}),
            }
            for i, name in enumerate(events)
        ]
    }
    routes = [
        {
            "method": "POST",
            "path": "/",
            "target": LOOKUP,
            "contains": "bedrock.amazonaws.com",
            "content_type": "application/x-amz-json-1.1",
            "body": history,
        },
        {"method": "GET", "path": "/guardrails", "body": {"guardrails": []}},
        {
            "method": "GET",
            "path": "/provisioned-model-throughputs",
            "body": {"provisionedModelSummaries": []},
        },
        *extra,
    ]
    rec = tmp / "routes.json"
    rec.write_text(json.dumps({"routes": routes}), encoding="utf-8")
    empty = ROOT / "fixtures" / "aws" / "recorded" / "aibom_empty.json"
    proxy = ReplayProxy(moto_env.url, [empty, rec]).start()  # ours win
    try:
        for svc in ("CLOUDTRAIL", "BEDROCK"):
            monkeypatch.setenv(f"AWS_ENDPOINT_URL_{svc}", proxy.url)
        moto_env.reset()
        setup(moto_env.session())
        result = collect(
            CollectOptions(regions=[R], services=("s3", "cloudtrail", "bedrock"), max_workers=2)
        )
    finally:
        proxy.stop()
    bad = [c for c in result.coverage_table() if c["status"] != "ok"]
    assert not bad or extra, bad
    stored = [d.body for d in result.documents if d.body.get("operation") == "lookup_events"]
    assert stored and all(
        "CloudTrailEvent" not in e for b in stored for e in b["response"]["Events"]
    )
    ctx = BuildContext()
    graph = build_graph(result.documents, ctx)
    assert not [w for w in ctx.warnings if "skipped" in w], ctx.warnings
    return graph


def _trails(*specs: tuple[str, dict[str, Any] | None, bool]) -> Callable[[Any], None]:
    """Trails (name, selectors to put or None, start logging)."""

    def setup(session: Any) -> None:
        session.client("s3").create_bucket(Bucket="trail-logs")
        ct = session.client("cloudtrail", region_name=R)
        for name, selectors, logging in specs:
            ct.create_trail(Name=name, S3BucketName="trail-logs", IsMultiRegionTrail=True)
            if selectors:
                ct.put_event_selectors(TrailName=name, **selectors)
            if logging:
                ct.start_logging(Name=name)

    return setup


def _fired(graph: Graph, check: str) -> set[str]:
    return {f.resource for f in evaluate(graph) if f.check == check}


def trail(name: str) -> str:
    return f"arn:aws:cloudtrail:{R}:{A}:trail/{name}"


def test_on_demand_use_without_data_events_is_a_finding(
    moto_env: MotoEnv, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No Bedrock resource, no invocation logging: the event history shows InvokeModel and
    Converse. A management-only trail logs, a Bedrock data trail does not: not recorded."""
    management = {
        "EventSelectors": [{"ReadWriteType": "All", "IncludeManagementEvents": True}],
    }
    stopped = {"AdvancedEventSelectors": [_data("AWS::Bedrock::AgentAlias")]}
    g = _build(
        moto_env,
        tmp_path,
        monkeypatch,
        _trails(("mgmt", management, True), ("bedrock-stopped", stopped, False)),
        ["InvokeModel", "Converse", "InvokeModel"],
    )
    assert g.node(LOGGING)["in_use_evidence"] == [
        "CloudTrail event history has recent Bedrock calls (Converse, InvokeModel)"
    ]
    assert _fired(g, "AWS-BR-008") == {LOGGING}  # in use, no guardrail
    assert _fired(g, "AWS-BR-023") == {ACCOUNT}
    facts = {
        (n, d["is_logging"], d["bedrock_management_events"], tuple(d["bedrock_data_events"]))
        for n, d in g.nodes("CloudTrailTrail")
    }
    assert facts == {
        (trail("mgmt"), True, True, ()),
        (trail("bedrock-stopped"), False, False, ("AWS::Bedrock::AgentAlias",)),
    }


def test_a_logging_trail_with_bedrock_data_selectors_passes(
    moto_env: MotoEnv, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    selectors = {
        "AdvancedEventSelectors": [
            {
                "Name": "management",
                "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}],
            },
            _data("AWS::Bedrock::AgentAlias", "AWS::Bedrock::KnowledgeBase"),
        ]
    }
    g = _build(moto_env, tmp_path, monkeypatch, _trails(("org", selectors, True)), ["InvokeAgent"])
    assert g.node(ACCOUNT)["bedrock_in_use"] is True
    assert g.node(ACCOUNT)["cloudtrail_bedrock_data_events"] is True
    assert _fired(g, "AWS-BR-023") == set()


def test_an_account_that_does_not_use_bedrock_is_not_judged(
    moto_env: MotoEnv, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    g = _build(moto_env, tmp_path, monkeypatch, _trails(("mgmt", None, True)), [])
    assert g.node(ACCOUNT)["bedrock_in_use"] is False
    assert g.node(ACCOUNT)["cloudtrail_bedrock_data_events"] is False
    assert g.node(LOGGING)["bedrock_in_use"] is False
    assert _fired(g, "AWS-BR-023") == set() and _fired(g, "AWS-BR-008") == set()


@pytest.mark.parametrize(
    ("selectors", "expected"),
    [
        # classic: management events (read and write) carry model invocations
        ({"EventSelectors": [{"ReadWriteType": "All"}]}, (True, [])),
        # WriteOnly misses InvokeModel / Converse (read-only events)
        ({"EventSelectors": [{"ReadWriteType": "WriteOnly"}]}, (False, [])),
        (
            {"EventSelectors": [{"ReadWriteType": "All", "IncludeManagementEvents": False}]},
            (False, []),
        ),
        # every data event but S3 objects: every Bedrock type
        (
            {
                "AdvancedEventSelectors": [
                    {
                        "FieldSelectors": [
                            {"Field": "eventCategory", "Equals": ["Data"]},
                            {"Field": "resources.type", "NotEquals": ["AWS::S3::Object"]},
                        ]
                    }
                ]
            },
            (False, sorted(BEDROCK_DATA_TYPES)),
        ),
        # prefix match; only InvokeAgent events of the agent aliases (still recorded)
        (
            {
                "AdvancedEventSelectors": [
                    {
                        "FieldSelectors": [
                            {"Field": "eventCategory", "Equals": ["Data"]},
                            {"Field": "resources.type", "StartsWith": ["AWS::Bedrock::Agent"]},
                            {"Field": "eventName", "Equals": ["InvokeAgent"]},
                        ]
                    }
                ]
            },
            (False, ["AWS::Bedrock::AgentAlias"]),
        ),
        # management events of other sources only
        (
            {
                "AdvancedEventSelectors": [
                    {
                        "FieldSelectors": [
                            {"Field": "eventCategory", "Equals": ["Management"]},
                            {"Field": "eventSource", "Equals": ["s3.amazonaws.com"]},
                        ]
                    }
                ]
            },
            (False, []),
        ),
        # a selector for S3 data only
        ({"AdvancedEventSelectors": [_data("AWS::S3::Object")]}, (False, [])),
    ],
)
def test_selector_semantics(selectors: dict[str, Any], expected: tuple[bool, list[str]]) -> None:
    assert bedrock_coverage(selectors) == expected


def test_a_trail_whose_selectors_cannot_be_read_decides_nothing(
    moto_env: MotoEnv, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An organization trail seen from a member account may refuse GetEventSelectors: the
    account's verdict stays unknown (no finding on silence), the refusal is in coverage."""
    denied = {
        "method": "POST",
        "path": "/",
        "target": "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.GetEventSelectors",
        "status": 400,
        "content_type": "application/x-amz-json-1.1",
        "body": {"__type": "AccessDeniedException", "message": "not authorized"},
    }
    g = _build(
        moto_env,
        tmp_path,
        monkeypatch,
        _trails(("org", None, True)),
        ["InvokeModel"],
        (denied,),
    )
    assert g.node(ACCOUNT)["bedrock_in_use"] is True
    assert "cloudtrail_bedrock_data_events" not in g.node(ACCOUNT)
    assert _fired(g, "AWS-BR-023") == set()
