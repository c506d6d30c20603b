"""The ``aws`` source: raw boto3 responses (see :mod:`aispm_graph.providers.aws.collect`) into
nodes and edges, one module per AWS service.

Facts only: resources, their configuration switches, the policies that apply to them and the
structure between them. Everything that needs a decision across resources (who may assume,
read or invoke what; what the internet reaches) is left to the AWS derivers, which read the
policy documents this transform stores on the nodes (``policies``, ``permissions_boundary``,
``trust_policy``, ``resource_policy``, ``scps``).

Each module registers its service with :func:`aispm_graph.transforms.registry.service`,
naming the ``(service, operation)`` answers it reads. Services run per account in this order
(``order`` in brackets), because some read nodes that earlier ones made:

* ``sts`` (0): the account node everything else hangs from;
* ``iam`` (10): principals and policies, which later services attach by ARN;
* ``iam-bedrock-api-keys`` (15): long-term Bedrock API keys of the users;
* ``iam-login-profiles`` (15): marks users that have a console password;
* ``organizations`` (20), ``organizations-ai`` (25, the AI services opt-out policy),
  ``s3`` (30), ``ec2`` (40), ``launch-templates`` (45: needs instance profiles);
* ``elbv2`` (50): needs EC2's instance ids;
* ``lambda`` (60), ``ecr`` / ``ecs`` / ``eks`` (70), ``cloudformation`` / ``codebuild`` /
  ``glue`` (75), ``secretsmanager`` (80), ``kms`` (90), ``cloudtrail`` (95),
  ``opensearchserverless`` (100), ``sagemaker`` (110);
* ``sagemaker-mlops`` (115): registry, inference components, Studio, processing, pipelines,
  feature groups; needs SageMaker's domains; ``sagemaker-posture`` (115);
* ``sagemaker-governance`` (116): registry versions (needs the package groups), JumpStart
  tags, Studio default lifecycle configurations;
* ``bedrock`` (120);
* ``bedrock-models`` (125): foundation models (those usable or referenced), inference profiles,
  imported models, Marketplace endpoints, customization jobs;
* ``bedrock-agent`` (130): needs guardrails, Lambda functions and vector collections;
* ``bedrock-agentcore`` (135): needs IAM roles and Lambda functions (gateway targets);
* ``bedrock-flows`` (135): prompts and flows (their knowledge bases, agents and Lambdas);
* ``bedrock-posture`` (135): posture settings merged into the Bedrock nodes;
* ``bedrock-vpc-endpoints`` (900): needs every Bedrock node (decides where Bedrock is in use).

Edges need no order: the builder keeps an edge until both ends exist, and reports it if one
never does. Every record is handled under a per-record guard: a malformed one is skipped with a
warning naming account, operation, record and field.
"""

from __future__ import annotations

import sys
from collections import defaultdict

from aispm_graph.build import BuildContext, transform
from aispm_graph.graph.model import Graph
from aispm_graph.plugins import import_submodules
from aispm_graph.transforms.aws.builder import Answers, AwsBuilder
from aispm_graph.workspace import Document

import_submodules(sys.modules[__name__])


@transform("aws")
def transform_aws(docs: list[Document], graph: Graph, ctx: BuildContext) -> None:
    by_account: dict[str, list[Document]] = defaultdict(list)
    for d in docs:
        by_account[d.scope].append(d)
    builders = [AwsBuilder(Answers(by_account[a], ctx), graph, ctx) for a in sorted(by_account)]
    for builder in builders:
        builder.run_services()
    # Edges wait until every account is built: a role of one account trusted by another, or a
    # load balancer routing to a peer account's instance, is linked whatever the load order.
    for builder in builders:
        builder.finish()
