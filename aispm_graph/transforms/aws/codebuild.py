"""CodeBuild: projects and the service role their builds run as.

A build may override the project's buildspec, so whoever may start a build of a project runs
commands as its service role (pathfinding.cloud codebuild-002 / -003).
"""

from __future__ import annotations

from aispm_graph.transforms.aws.builder import AwsBuilder
from aispm_graph.transforms.registry import service


@service("aws", "codebuild", reads=[("codebuild", "batch_get_projects")], order=75)
def codebuild(b: AwsBuilder) -> None:
    """After IAM: the service role is linked when it is in the estate."""
    for body, i, project in b.items("codebuild", "batch_get_projects", "projects"):
        with b.guard("batch_get_projects", project, index=i):
            arn = project["arn"]
            b.node(
                arn,
                "CodeBuildProject",
                project.get("name", ""),
                body["region"],
                role=project.get("serviceRole"),
            )
            b.has_role(arn, project.get("serviceRole"), "CodeBuild project service role")
