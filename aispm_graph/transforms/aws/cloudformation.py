"""CloudFormation: stacks and the service role they deploy with.

A stack with a service role (``RoleARN``) is deployed by CloudFormation as that role: whoever
may update it, or execute a change set on it, acts as the role
(:mod:`aispm_graph.escalation.aws`, pathfinding.cloud cloudformation-002 / -005).
"""

from __future__ import annotations

from aispm_graph.transforms.aws.builder import AwsBuilder
from aispm_graph.transforms.registry import service


@service("aws", "cloudformation", reads=[("cloudformation", "describe_stacks")], order=75)
def cloudformation(b: AwsBuilder) -> None:
    """After IAM: the service role is linked when it is in the estate."""
    for body, i, stack in b.items("cloudformation", "describe_stacks", "Stacks"):
        with b.guard("describe_stacks", stack, index=i):
            arn = stack["StackId"]
            if str(stack.get("StackStatus", "")).startswith("DELETE_COMPLETE"):
                continue
            b.node(
                arn,
                "CloudFormationStack",
                stack.get("StackName", ""),
                body["region"],
                role=stack.get("RoleARN"),
                status=stack.get("StackStatus"),
            )
            b.has_role(arn, stack.get("RoleARN"), "CloudFormation stack service role")
