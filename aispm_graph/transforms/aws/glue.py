"""Glue: development endpoints and jobs, and the role each runs as.

A development endpoint accepts SSH keys (``glue:UpdateDevEndpoint`` adds one) and runs as its
role (pathfinding.cloud glue-002); a job runs its script as its role.
"""

from __future__ import annotations

from aispm_graph.transforms.aws.builder import AwsBuilder
from aispm_graph.transforms.registry import service


@service(
    "aws",
    "glue",
    reads=[("glue", "get_dev_endpoints"), ("glue", "get_jobs")],
    order=75,
)
def glue(b: AwsBuilder) -> None:
    """After IAM: roles are linked when they are in the estate."""
    for body, i, ep in b.items("glue", "get_dev_endpoints", "DevEndpoints"):
        with b.guard("get_dev_endpoints", ep, index=i):
            name = ep["EndpointName"]
            arn = b.arn("glue", body["region"], f"devEndpoint/{name}")
            b.node(
                arn,
                "GlueDevEndpoint",
                name,
                body["region"],
                role=ep.get("RoleArn"),
                public_ip=ep.get("PublicAddress") or None,
            )
            b.has_role(arn, ep.get("RoleArn"), "Glue development endpoint role")
    for body, i, job in b.items("glue", "get_jobs", "Jobs"):
        with b.guard("get_jobs", job, index=i):
            name = job["Name"]
            arn = b.arn("glue", body["region"], f"job/{name}")
            b.node(arn, "GlueJob", name, body["region"], role=job.get("Role"))
            b.has_role(arn, job.get("Role"), "Glue job role")
