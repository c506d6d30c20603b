"""EKS: clusters and whether their API endpoint is public."""

from __future__ import annotations

from aispm_graph.transforms.aws.builder import AwsBuilder
from aispm_graph.transforms.registry import service


@service("aws", "eks", reads=[("eks", "describe_cluster")], order=70)
def eks(b: AwsBuilder) -> None:
    """Clusters; the endpoint's public access and CIDRs are posture facts."""
    for body in b.responses("eks", "describe_cluster"):
        c = body["response"].get("cluster") or {}
        with b.guard("describe_cluster", c):
            if not c.get("arn"):
                continue
            vpc = c.get("resourcesVpcConfig") or {}
            b.node(
                c["arn"],
                "EKSCluster",
                c.get("name", ""),
                body["region"],
                endpoint_public_access=vpc.get("endpointPublicAccess"),
                public_access_cidrs=vpc.get("publicAccessCidrs"),
            )
