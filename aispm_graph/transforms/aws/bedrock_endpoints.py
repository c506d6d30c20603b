"""Where Bedrock is in use, and whether each VPC there has the private routes it needs.

"In use" is decided per region from every trace the snapshot holds, not from Bedrock
resources alone: a region where applications only invoke foundation models on demand has no
Bedrock resource, and its invocation logging configuration, the Bedrock calls in its
CloudTrail event history (model invocations are management events, kept 90 days without a
trail) or a Bedrock interface endpoint someone created are often the only signs. Each
region's ``BedrockInvocationLogging`` node carries the decision (``bedrock_in_use``,
``in_use_evidence``) and whether the region has any guardrail (``no_guardrails``); the
account says whether any region is (``bedrock_in_use``).

A VPC in such a region needs interface endpoints for the control plane (``bedrock``) and the
runtime (``bedrock-runtime``), and for ``bedrock-agent`` and ``bedrock-agent-runtime`` where
agents or knowledge bases exist; ``bedrock_endpoints_missing`` lists what it lacks. As in the
Prowler peer, only VPCs in use (with a network interface) are judged when interfaces were
collected.
"""

from __future__ import annotations

from collections import defaultdict

from aispm_graph.transforms.aws.builder import AwsBuilder
from aispm_graph.transforms.registry import service

BEDROCK_ENDPOINTS = ("bedrock", "bedrock-runtime", "bedrock-agent", "bedrock-agent-runtime")
_AGENT_KINDS = {"BedrockAgent", "BedrockKnowledgeBase"}


@service(
    "aws",
    "bedrock-vpc-endpoints",
    reads=[
        ("ec2", "describe_vpc_endpoints"),
        ("ec2", "describe_network_interfaces"),
        ("cloudtrail", "lookup_events"),
    ],
    order=900,
)
def bedrock_endpoints(b: AwsBuilder) -> None:
    """Last: reads the Bedrock nodes of every region."""
    evidence: dict[str, set[str]] = defaultdict(set)
    agents: set[str] = set()
    guardrails: set[str] = set()
    for _n, d in b.graph.nodes():
        kind, region = d["kind"], d.get("region")
        if d.get("tenant") != b.account or not region or not kind.startswith("Bedrock"):
            continue
        if kind == "BedrockInvocationLogging":
            if d.get("enabled"):
                evidence[region].add("model invocation logging is configured")
            continue
        evidence[region].add(f"{kind} resources")
        if kind in _AGENT_KINDS:
            agents.add(region)
        if kind == "BedrockGuardrail":
            guardrails.add(region)
    for body in b.responses("cloudtrail", "lookup_events"):
        with b.guard("lookup_events", label=body["region"]):
            events = [e for e in body["response"].get("Events") or [] if isinstance(e, dict)]
            names = sorted({str(e.get("EventName")) for e in events if e.get("EventName")})
            if names:
                shown = ", ".join(names[:5]) + (", ..." if len(names) > 5 else "")
                evidence[body["region"]].add(
                    f"CloudTrail event history has recent Bedrock calls ({shown})"
                )
    have: dict[str, set[str]] = defaultdict(set)  # vpc id -> Bedrock endpoint services
    for body, i, ep in b.items("ec2", "describe_vpc_endpoints", "VpcEndpoints"):
        with b.guard("describe_vpc_endpoints", ep, index=i):
            name = str(ep.get("ServiceName", ""))
            svc = name.rsplit(".", 1)[-1]
            state = str(ep.get("State", "available")).lower()
            if svc in BEDROCK_ENDPOINTS and state in {"available", "pending"}:
                have[str(ep.get("VpcId"))].add(svc)
                evidence[body["region"]].add(f"a {svc} interface endpoint exists")
    in_use_vpcs: set[str] | None = None
    for _body, i, eni in b.items("ec2", "describe_network_interfaces", "NetworkInterfaces"):
        with b.guard("describe_network_interfaces", eni, index=i):
            in_use_vpcs = in_use_vpcs or set()
            in_use_vpcs.add(str(eni.get("VpcId")))
    for nid, d in list(b.graph.nodes("BedrockInvocationLogging")):
        region = d.get("region")
        if d.get("tenant") != b.account or not region:
            continue
        b.graph.add_node(
            nid,
            "BedrockInvocationLogging",
            bedrock_in_use=bool(evidence.get(region)),
            in_use_evidence=sorted(evidence.get(region, ())),
            no_guardrails=region not in guardrails,
        )
    if b.graph.has_node(b.acct_id):
        b.graph.set_prop(b.acct_id, "bedrock_in_use", any(evidence.values()))
    for vid, d in list(b.graph.nodes("AWSVpc")):
        region = str(d.get("region") or "")
        if d.get("tenant") != b.account or not evidence.get(region):
            continue
        vpc = str(d["name"])
        if in_use_vpcs is not None and vpc not in in_use_vpcs:
            continue
        needed = {"bedrock", "bedrock-runtime"}
        if region in agents:
            needed |= {"bedrock-agent", "bedrock-agent-runtime"}
        b.graph.add_node(
            vid,
            "AWSVpc",
            bedrock_vpc_endpoint="bedrock-runtime" in have[vpc],
            bedrock_endpoints_missing=sorted(needed - have[vpc]),
        )
