"""The account itself: the ``AWSAccount`` node and who collected it (STS)."""

from __future__ import annotations

from aispm_graph.transforms.aws.builder import AwsBuilder
from aispm_graph.transforms.registry import service


@service("aws", "sts", reads=[("sts", "get_caller_identity")], order=0)
def account(b: AwsBuilder) -> None:
    """The account node every other node of the account hangs from (``CONTAINS``)."""
    b.graph.add_node(b.acct_id, "AWSAccount", b.account, tenant=b.account)
    for body in b.responses("sts", "get_caller_identity")[:1]:
        with b.guard("get_caller_identity", body["response"]):
            b.graph.set_prop(b.acct_id, "collected_by", body["response"].get("Arn"))
