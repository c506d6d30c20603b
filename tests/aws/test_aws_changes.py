"""The decisions behind an incremental collect that need no server: the lookup window, where
global services and buckets leave their events, and what an unreadable history forces."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aispm_graph.providers.aws.changes import (
    GLOBAL,
    ChangeReport,
    bucket_regions,
    global_event_region,
    lookup_start,
)
from aispm_graph.workspace import Document

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def test_lookup_starts_before_the_earlier_collect_and_only_within_the_history() -> None:
    started = NOW - timedelta(days=3)
    assert lookup_start(started, NOW) == started - timedelta(minutes=20)
    assert lookup_start(NOW - timedelta(days=88), NOW) is not None
    assert lookup_start(NOW - timedelta(days=90), NOW) is None


def test_bucket_regions_follow_get_bucket_location_conventions() -> None:
    def loc(value: object) -> Document:
        body = {"operation": "get_bucket_location", "response": {"LocationConstraint": value}}
        return Document("aws", "1", "k", body)

    docs = [loc(None), loc(""), loc("EU"), loc("ap-southeast-2")]
    assert bucket_regions(docs) == {"us-east-1", "eu-west-1", "ap-southeast-2"}


def test_global_services_record_events_in_their_partitions_region() -> None:
    assert global_event_region("eu-central-1") == "us-east-1"
    assert global_event_region("us-gov-east-1") == "us-gov-west-1"
    assert global_event_region("cn-northwest-1") == "cn-north-1"


def test_unreadable_history_forces_what_it_would_have_shown() -> None:
    report = ChangeReport(since=NOW, unreadable={"us-east-1": "denied", "eu-west-1": "denied"})
    # a regional task in an unreadable region, and a global one whose events land there
    assert report.needs("ec2", "eu-west-1")
    assert report.needs("iam", GLOBAL)
    assert not report.needs("ec2", "ap-south-1")
    # S3 also depends on the regions its buckets live in
    only_bucket_region = ChangeReport(since=NOW, unreadable={"ap-southeast-2": "denied"})
    assert not only_bucket_region.needs("iam", GLOBAL)
    assert only_bucket_region.needs("s3", GLOBAL, bucket_regions={"ap-southeast-2"})
    assert not only_bucket_region.needs("s3", GLOBAL, bucket_regions={"us-east-1"})


def test_cloudtrail_is_collected_again_even_when_nothing_was_written() -> None:
    # Its answer carries a sample of recent Bedrock calls: reusing it would keep stale evidence
    # of Bedrock use although the event history shows no write.
    report = ChangeReport(since=NOW)
    assert "recent events" in report.needs("cloudtrail", "us-east-1")
    assert report.needs("kms", "us-east-1") == ""
