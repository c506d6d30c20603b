"""CloudTrail: the trails of each region and what they record about Amazon Bedrock.

A trail is a node with its home region, whether it is logging and reaches every region, and
which Bedrock events its selectors record (:mod:`aispm_graph.knowledge.aws.cloudtrail`). The
account says whether any logging trail records Bedrock data events
(``cloudtrail_bedrock_data_events``), once the trails were read. A trail whose status or
selectors could not be read (an organization trail seen from a member account, say) leaves it
unknown unless another trail decides it: never a finding on silence.

The region's recent Bedrock calls from the event history (``lookup_events``) are read by
:mod:`.bedrock_endpoints`, as evidence that Bedrock is in use there.
"""

from __future__ import annotations

from typing import Any

from aispm_graph.knowledge.aws.cloudtrail import bedrock_coverage
from aispm_graph.transforms.aws.builder import AwsBuilder
from aispm_graph.transforms.registry import service


@service(
    "aws",
    "cloudtrail",
    reads=[
        ("cloudtrail", "describe_trails"),
        ("cloudtrail", "get_trail_status"),
        ("cloudtrail", "get_event_selectors"),
    ],
    order=95,
)
def cloudtrail(b: AwsBuilder) -> None:
    """Needs only the account node; Bedrock's in-use decision reads the event history itself."""
    status: dict[str, dict[str, Any]] = {}
    for body in b.responses("cloudtrail", "get_trail_status"):
        status[str(body["params"].get("Name", ""))] = body["response"]
    selectors: dict[str, dict[str, Any]] = {}
    for body in b.responses("cloudtrail", "get_event_selectors"):
        r = body["response"]
        selectors[str(r.get("TrailARN") or body["params"].get("TrailName", ""))] = r
    read_any = False
    data_logged = False
    undecided = False
    for body, i, trail in b.items("cloudtrail", "describe_trails", "trailList"):
        read_any = True
        with b.guard("describe_trails", trail, index=i):
            arn = str(trail["TrailARN"])
            logging = status.get(arn, {}).get("IsLogging")
            sel = selectors.get(arn)
            management, data = bedrock_coverage(sel) if sel is not None else (None, None)
            b.node(
                arn,
                "CloudTrailTrail",
                trail.get("Name") or arn.rsplit("/", 1)[-1],
                str(trail.get("HomeRegion") or body["region"]),
                multi_region=trail.get("IsMultiRegionTrail"),
                organization_trail=trail.get("IsOrganizationTrail"),
                is_logging=logging,
                s3_bucket=trail.get("S3BucketName"),
                kms_key=trail.get("KmsKeyId"),
                bedrock_management_events=management,
                bedrock_data_events=data,
            )
            b.edge(arn, trail.get("KmsKeyId"), "ENCRYPTED_WITH", if_present=True, field="KmsKeyId")
            if logging is True and data:
                data_logged = True
            elif logging is None or sel is None:
                undecided = True
    answered = read_any or bool(b.responses("cloudtrail", "describe_trails"))
    if answered and (data_logged or not undecided) and b.graph.has_node(b.acct_id):
        b.graph.set_prop(b.acct_id, "cloudtrail_bedrock_data_events", data_logged)
