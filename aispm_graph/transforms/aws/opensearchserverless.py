"""OpenSearch Serverless: collections (vector stores of Bedrock knowledge bases)."""

from __future__ import annotations

from aispm_graph.transforms.aws.builder import AwsBuilder
from aispm_graph.transforms.registry import service


@service(
    "aws", "opensearchserverless", reads=[("opensearchserverless", "list_collections")], order=100
)
def aoss(b: AwsBuilder) -> None:
    """Before Bedrock agents: a knowledge base marks its collection as grounding data."""
    for body, i, c in b.items("opensearchserverless", "list_collections", "collectionSummaries"):
        with b.guard("list_collections", c, index=i):
            b.node(
                c["arn"],
                "OpenSearchServerlessCollection",
                c.get("name", ""),
                body["region"],
                status=c.get("status"),
            )
