"""ECR: container image repositories (scan-on-push is a posture fact)."""

from __future__ import annotations

from aispm_graph.transforms.aws.builder import AwsBuilder
from aispm_graph.transforms.registry import service


@service("aws", "ecr", reads=[("ecr", "describe_repositories")], order=70)
def ecr(b: AwsBuilder) -> None:
    """Repositories; nothing else reads them during the transform."""
    for body, i, repo in b.items("ecr", "describe_repositories", "repositories"):
        with b.guard("describe_repositories", repo, index=i):
            b.node(
                repo["repositoryArn"],
                "ECRRepository",
                repo.get("repositoryName", ""),
                body["region"],
                uri=repo.get("repositoryUri"),
                scan_on_push=(repo.get("imageScanningConfiguration") or {}).get("scanOnPush"),
            )
