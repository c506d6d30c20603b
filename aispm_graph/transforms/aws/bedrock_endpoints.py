"""Whether each VPC in a region where Bedrock holds assets has a private route to it."""

from __future__ import annotations

from aispm_graph.transforms.aws.builder import AwsBuilder
from aispm_graph.transforms.registry import service


@service("aws", "bedrock-vpc-endpoints", reads=[("ec2", "describe_vpc_endpoints")], order=900)
def bedrock_endpoints(b: AwsBuilder) -> None:
    """Last: reads the Bedrock nodes of every region (an interface endpoint for
    ``bedrock-runtime`` keeps model traffic off the internet)."""
    used = {
        d.get("region")
        for _n, d in b.g.nodes()
        if d["kind"].startswith("Bedrock") and d["kind"] != "BedrockInvocationLogging"
    }
    endpoints: set[str] = set()
    for _body, i, ep in b.items("ec2", "describe_vpc_endpoints", "VpcEndpoints"):
        with b.guard("describe_vpc_endpoints", ep, index=i):
            if str(ep.get("ServiceName", "")).endswith(".bedrock-runtime") and ep.get(
                "State", "available"
            ).lower() in {"available", "pending"}:
                endpoints.add(str(ep.get("VpcId")))
    for _vid, data in b.g.nodes("AWSVpc"):
        if data.get("region") in used:
            data["bedrock_vpc_endpoint"] = data["name"] in endpoints
