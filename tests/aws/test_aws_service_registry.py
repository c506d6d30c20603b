"""The AWS service declarations and the collector agree: what a transform reads is fetched.

A service module declares its ``(service, operation)`` reads; the builder refuses undeclared
ones, so the declarations are the truth about the transform. These tests hold the collector to
them: a declared read the collector never makes would be a service silently missing from every
live collection.
"""

from __future__ import annotations

import inspect

import pytest

from aispm_graph.build import BuildContext
from aispm_graph.graph.model import Graph
from aispm_graph.knowledge.aws.s3 import BUCKET_OPS
from aispm_graph.providers.aws.collect import COLLECTORS
from aispm_graph.transforms import load_all
from aispm_graph.transforms.aws.builder import Answers, AwsBuilder
from aispm_graph.transforms.registry import UndeclaredRead, declared_reads, service, services
from aispm_graph.workspace import Document

load_all()  # registers every provider service


def _pairs() -> set[tuple[str, str]]:
    return {r for r in declared_reads("aws") if isinstance(r, tuple)}


def test_every_declared_read_is_an_operation_the_collector_calls() -> None:
    missing = []
    for svc, op in sorted(_pairs()):
        if svc == "sts":
            continue  # the collector's own identity call, made before any service
        if svc not in COLLECTORS:
            missing.append((svc, op, "no collector for the service"))
            continue
        source = inspect.getsource(COLLECTORS[svc][1])
        if f'"{op}"' not in source and not (svc == "s3" and op in BUCKET_OPS):
            missing.append((svc, op, "collector never calls it"))
    assert missing == []


def test_every_collected_service_is_read_by_a_transform() -> None:
    read_services = {svc for svc, _op in _pairs()}
    assert set(COLLECTORS) - read_services == set()


def test_services_run_in_the_documented_order() -> None:
    names = [s.name for s in services("aws")]
    assert names == [
        "sts",
        "iam",
        "iam-bedrock-api-keys",
        "iam-login-profiles",
        "organizations",
        "organizations-ai",
        "s3",
        "ec2",
        "launch-templates",
        "ssm",
        "elbv2",
        "lambda",
        "ecr",
        "ecs",
        "eks",
        "cloudformation",
        "codebuild",
        "glue",
        "secretsmanager",
        "kms",
        "cloudtrail",
        "opensearchserverless",
        "sagemaker",
        "sagemaker-mlops",
        "sagemaker-posture",
        "sagemaker-governance",
        "bedrock",
        "bedrock-models",
        "bedrock-agent",
        "bedrock-agentcore",
        "bedrock-flows",
        "bedrock-posture",
        "bedrock-vpc-endpoints",
    ]


def test_an_undeclared_read_is_a_bug_not_a_warning() -> None:
    @service("test-provider", "sneaky", reads=[("ec2", "describe_vpcs")])
    def sneaky(b: AwsBuilder) -> None:
        b.responses("iam", "get_account_authorization_details")

    doc = Document(
        "aws",
        "111122223333",
        "k",
        {"service": "ec2", "operation": "describe_vpcs", "region": "r", "response": {}},
    )
    builder = AwsBuilder(Answers([doc], BuildContext()), Graph(), BuildContext())
    with pytest.raises(UndeclaredRead, match="sneaky"):
        builder.run_services("test-provider")
