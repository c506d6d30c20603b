"""What changed in an AWS account since its last collect, from CloudTrail's event history.

A full collect of a large account costs thousands of describe calls, most of them answering
exactly what they answered last time. CloudTrail's ``LookupEvents`` keeps 90 days of
management events per region for free, without a trail, and can be asked for write events
only (``ReadOnly=false``). Every configuration change a collector reads (a policy put, a
security group opened, an endpoint created) is such an event, so a (service, region) with no
write event since the last collect started still answers what the workspace holds, and its
documents are reused instead of fetched again.

The answer errs towards collecting: a region whose history cannot be read (denied, not
enabled, throttled past the retries) or that changed too much to page through is collected
in full, and events are looked up from a margin *before* the last collect started, because
CloudTrail delivers events to the history a few minutes late. Reading events needs
``cloudtrail:LookupEvents``; nothing else about the trail configuration matters.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

GLOBAL = "global"
# Events reach the lookup history up to ~15 minutes after the call; look back further.
DELIVERY_MARGIN = timedelta(minutes=20)
# LookupEvents keeps 90 days; a collect older than this (with the margin) has no usable history.
HISTORY = timedelta(days=89)
# Write events beyond this many pages in one region mean "everything changed there".
MAX_PAGES = 40
# Global services (IAM, Organizations) record their events in one region per partition.
GLOBAL_EVENT_REGION = "us-east-1"
PARTITION_EVENT_REGIONS = {"us-gov-": "us-gov-west-1", "cn-": "cn-north-1"}


def global_event_region(home: str) -> str:
    """Where the global services of ``home``'s partition record their events."""
    for prefix, region in PARTITION_EVENT_REGIONS.items():
        if home.startswith(prefix):
            return region
    return GLOBAL_EVENT_REGION


# CloudTrail event source -> the collector services whose answers such an event can change.
EVENT_SOURCES: dict[str, tuple[str, ...]] = {
    "iam.amazonaws.com": ("iam",),
    "organizations.amazonaws.com": ("organizations",),
    "ec2.amazonaws.com": ("ec2",),
    "elasticloadbalancing.amazonaws.com": ("elbv2",),
    "lambda.amazonaws.com": ("lambda",),
    "ecr.amazonaws.com": ("ecr",),
    "ecs.amazonaws.com": ("ecs",),
    "eks.amazonaws.com": ("eks",),
    "s3.amazonaws.com": ("s3", "s3control"),
    "secretsmanager.amazonaws.com": ("secretsmanager",),
    "kms.amazonaws.com": ("kms",),
    "sagemaker.amazonaws.com": ("sagemaker",),
    "bedrock.amazonaws.com": ("bedrock", "bedrock-agent", "bedrock-flows"),
    "bedrock-agentcore.amazonaws.com": ("bedrock-agentcore",),
    "aoss.amazonaws.com": ("opensearchserverless",),
    "cloudformation.amazonaws.com": ("cloudformation",),
    "codebuild.amazonaws.com": ("codebuild",),
    "glue.amazonaws.com": ("glue",),
    "autoscaling.amazonaws.com": ("autoscaling",),
    "ssm.amazonaws.com": ("ssm",),
    "logs.amazonaws.com": ("logs",),
    "cloudtrail.amazonaws.com": ("cloudtrail",),
}
GLOBAL_TASKS = frozenset({"iam", "organizations", "s3", "s3control"})


def task_of(service: str, region: str) -> tuple[str, str]:
    """The collector task an event of ``service`` in ``region`` belongs to."""
    return (service, GLOBAL) if service in GLOBAL_TASKS else (service, region)


# Services whose answer changes without any write event, so no event history can vouch for an
# earlier answer: CloudTrail's own task keeps a sample of the region's recent Bedrock calls
# (the evidence that Bedrock is in use where no resource shows it).
ALWAYS_COLLECTED = {
    "cloudtrail": "its answer holds a sample of recent events, which no write event announces",
}


@dataclass
class ChangeReport:
    """The tasks to collect again, and why; everything else may be reused."""

    since: datetime
    changed: set[tuple[str, str]] = field(default_factory=set)
    # region -> why its history could not be used (everything there is collected again)
    unreadable: dict[str, str] = field(default_factory=dict)
    events: Counter[str] = field(default_factory=Counter)

    def needs(
        self,
        service: str,
        region: str,
        bucket_regions: Iterable[str] = (),
        event_region: str = GLOBAL_EVENT_REGION,
    ) -> str:
        """Why (service, region) must be collected again, or "" when it may be reused."""
        if service in ALWAYS_COLLECTED:
            return ALWAYS_COLLECTED[service]
        if (service, region) in self.changed:
            names = [s for s, svcs in EVENT_SOURCES.items() if service in svcs]
            count = sum(self.events[n] for n in names)
            return f"{count} write event(s) since {self.since:%Y-%m-%dT%H:%MZ}"
        if region != GLOBAL:
            why = self.unreadable.get(region)
            return f"event history of {region} unusable: {why}" if why else ""
        watch = {event_region}
        if service in {"s3", "s3control"}:
            watch |= set(bucket_regions)
        for r in sorted(watch):
            if r in self.unreadable:
                return f"event history of {r} unusable: {self.unreadable[r]}"
        return ""


def _code(exc: Exception) -> str:
    from botocore.exceptions import ClientError

    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code") or "error")
    return type(exc).__name__


def lookup_changes(
    session: Any,
    config: Any,
    regions: Iterable[str],
    since: datetime,
    wanted: set[tuple[str, str]],
) -> ChangeReport:
    """Ask each region's event history which of the ``wanted`` tasks changed since ``since``.

    A region is paged only until every wanted task it can touch is known to have changed, so
    a busy account costs a few calls, not its whole history.
    """
    report = ChangeReport(since=since)
    for region in sorted(set(regions)):
        try:
            client = session.client("cloudtrail", region_name=region, config=config)
        except Exception as exc:  # unknown region name, missing endpoint data
            report.unreadable[region] = _code(exc)
            continue
        reachable = {task_of(s, region) for svcs in EVENT_SOURCES.values() for s in svcs} & wanted
        token: str | None = None
        pages = 0
        try:
            while reachable - report.changed:
                params: dict[str, Any] = {
                    "LookupAttributes": [{"AttributeKey": "ReadOnly", "AttributeValue": "false"}],
                    "StartTime": since,
                    "EndTime": datetime.now(UTC) + timedelta(minutes=5),
                    "MaxResults": 50,
                }
                if token:
                    params["NextToken"] = token
                page = client.lookup_events(**params)
                pages += 1
                for event in page.get("Events", []):
                    if str(event.get("ReadOnly", "false")).lower() == "true":
                        continue
                    source = str(event.get("EventSource") or "")
                    hit = {task_of(s, region) for s in EVENT_SOURCES.get(source, ())} & wanted
                    if hit:
                        report.changed |= hit
                        report.events[source] += 1
                token = page.get("NextToken")
                if not token:
                    break
                if pages >= MAX_PAGES:
                    report.unreadable[region] = (
                        f"more than {MAX_PAGES * 50} write events since the last collect"
                    )
                    break
        except Exception as exc:
            report.unreadable[region] = f"cloudtrail:LookupEvents failed ({_code(exc)})"
    return report


def lookup_start(previous_start: datetime, now: datetime | None = None) -> datetime | None:
    """Where the event lookup starts, or None when CloudTrail no longer has that history."""
    start = previous_start - DELIVERY_MARGIN
    if (now or datetime.now(UTC)) - start > HISTORY:
        return None
    return start


def bucket_regions(documents: Iterable[Any]) -> set[str]:
    """Regions of the buckets in earlier ``get_bucket_location`` answers (S3 events land there)."""
    out: set[str] = set()
    for doc in documents:
        body = doc.body if hasattr(doc, "body") else doc
        if not isinstance(body, dict) or body.get("operation") != "get_bucket_location":
            continue
        loc = (body.get("response") or {}).get("LocationConstraint")
        out.add({None: "us-east-1", "": "us-east-1", "EU": "eu-west-1"}.get(loc, str(loc)))
    return out
