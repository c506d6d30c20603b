"""The AWS builder: one account's collected answers, indexed by (service, operation).

Service modules read answers only through :meth:`AwsBuilder.responses` (and its helpers), which
checks the read against the service's declaration, and write through the shared
:class:`~aispm_graph.transforms.builder.Builder` (``node``, ``edge``, ``placeholder``,
``guard``). State several services share (instance ids for load balancers, the AI roles of
buckets) lives here, so it is visible in one place.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from aispm_graph.aibom.public_sources import public_source
from aispm_graph.build import BuildContext
from aispm_graph.graph.model import Graph
from aispm_graph.transforms.builder import Builder
from aispm_graph.workspace import Document

AI_KEY_WORDS = re.compile(
    r"openai|anthropic|claude|gemini|huggingface|hf[-_]|llm|bedrock|cohere|mistral|"
    r"langchain|pinecone|genai|gpt",
    re.IGNORECASE,
)

Body = dict[str, Any]


def account_arn(account: str) -> str:
    return f"arn:aws:iam::{account}:root"


def s3_arn(bucket: str) -> str:
    return f"arn:aws:s3:::{bucket}"


def split_s3_uri(uri: str) -> tuple[str, str] | None:
    """``s3://bucket/prefix`` into (bucket, prefix); None when it is not an S3 URI."""
    if not isinstance(uri, str) or not uri.startswith("s3://"):
        return None
    rest = uri[5:]
    bucket, _, prefix = rest.partition("/")
    return (bucket, prefix) if bucket else None


def policy_doc(value: Any) -> Any:
    """Policy documents arrive as dicts (boto3 decodes IAM's) or JSON text (S3, Lambda)."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def tags_of(raw: Any) -> dict[str, str]:
    """AWS tags as a dict, from either ``{"k": "v"}`` or ``[{"Key": k, "Value": v}]``."""
    if isinstance(raw, dict):
        return {str(k): str(v) for k, v in raw.items()}
    out = {}
    for t in raw or []:
        if isinstance(t, dict):
            k = t.get("Key", t.get("key"))
            if k is not None:
                out[str(k)] = str(t.get("Value", t.get("value", "")))
    return out


class Answers:
    """Collected responses of one account indexed by (service, operation).

    Every body handed on has a ``response`` object, a ``params`` object, a ``region`` string
    and ``doc`` (the document key, to name the answer in warnings), so service modules never
    guard the envelope, only the answer's contents.
    """

    def __init__(self, docs: list[Document], ctx: BuildContext) -> None:
        self.by_op: dict[tuple[str, str], list[Body]] = defaultdict(list)
        self.account = ""
        for d in docs:
            body = d.body
            if not isinstance(body, dict) or not isinstance(body.get("response"), dict):
                ctx.warn(f"aws:{d.scope}:{d.key}: field 'response': not an object; skipped")
                continue
            params = body.get("params")
            clean = {
                **body,
                "params": params if isinstance(params, dict) else {},
                "region": str(body.get("region") or ""),
                "doc": d.key,  # names the answer in warnings
            }
            self.by_op[(str(body.get("service")), str(body.get("operation")))].append(clean)
            self.account = self.account or d.scope

    def get(self, service: str, op: str) -> list[Body]:
        return self.by_op.get((service, op), [])


class AwsBuilder(Builder):
    """Builds one AWS account (the scope of its documents)."""

    def __init__(self, answers: Answers, graph: Graph, ctx: BuildContext) -> None:
        super().__init__(graph, ctx, "aws", answers.account)
        self.answers = answers
        self.account = answers.account
        self.acct_id = account_arn(self.account)
        self.instance_ids: dict[str, str] = {}  # i-123 -> ARN (EC2, read by ELBv2)
        self.bucket_roles: dict[str, set[str]] = defaultdict(set)
        self.bucket_prefixes: dict[str, set[str]] = defaultdict(set)

    # -- reading ------------------------------------------------------------------------------
    def responses(self, service: str, op: str) -> list[Body]:
        """Every stored answer to ``service:op`` (checked against the service's reads)."""
        self.check_read((service, op))
        return self.answers.get(service, op)

    def items(self, service: str, op: str, key: str) -> Iterator[tuple[Body, int, Any]]:
        """(body, index, item) of each element of the list ``key`` in every answer to ``op``.

        The list answers of AWS (``Functions``, ``SecretList``, ...); an answer whose ``key``
        is not a list contributes nothing and is reported.
        """
        for body in self.responses(service, op):
            listed = body["response"].get(key, [])
            if not isinstance(listed, list):
                self.warn(f"field {key!r}: not a list; answer skipped", operation=op, record="")
                continue
            for i, item in enumerate(listed):
                yield body, i, item

    def listed(self, record: dict[str, Any], key: str, op: str) -> list[Any]:
        """The list ``key`` of one answer, or [] with a warning when it is not a list.

        For answers that hold several lists (IAM's account details): one of them being
        malformed costs that list, not the whole service.
        """
        value = record.get(key)
        if value is None and key not in record:
            return []
        if not isinstance(value, list):
            self.warn(f"field {key!r}: not a list; skipped", operation=op, record="")
            return []
        return value

    def described(
        self, service: str, op: str, id_key: str
    ) -> Iterator[tuple[str, dict[str, Any], str]]:
        """(id, response, region) of every answer to a Describe/Get call that names its
        resource; an answer without the id says nothing we can attach."""
        for body in self.responses(service, op):
            r = body["response"]
            rid = r.get(id_key)
            if rid:
                yield str(rid), r, body["region"]

    # -- writing ------------------------------------------------------------------------------
    def node(
        self, node_id: str, kind: str, name: str | None = None, region: str = "", **props: Any
    ) -> str:
        """A node of this account: tenant and region set, and ``CONTAINS`` from the account."""
        self.graph.add_node(
            node_id, kind, name, tenant=self.account, region=region or None, **props
        )
        if node_id != self.acct_id:
            self.graph.add_edge(self.acct_id, node_id, "CONTAINS")
        return node_id

    def arn(self, service: str, region: str, rest: str) -> str:
        return f"arn:aws:{service}:{region}:{self.account}:{rest}"

    def bucket(self, bucket: str, role: str, prefix: str = "") -> str:
        """Mark a bucket as AI data (a placeholder if it was not collected); returns its ARN.

        AWS's own public buckets (JumpStart model caches, SageMaker samples) are not the
        estate's data and never become targets: '' is returned, so an edge to it is not made,
        and the build stats count the reference (the referring record keeps the URI).
        """
        if public_source(bucket, "s3://") is not None:
            self.ctx.stats["aws.public_source_references"] += 1
            return ""
        arn = self.placeholder("S3Bucket", s3_arn(bucket), bucket)
        self.bucket_roles[arn].add(role)
        self.bucket_prefixes[arn].add(prefix)
        return arn

    def has_role(self, src: str, role: Any, mechanism: str, **evidence: Any) -> None:
        """``HAS_IDENTITY`` to an IAM role of this estate; a role outside it is a property."""
        if isinstance(role, str) and role and self.graph.has_node(role):
            self.graph.add_edge(src, role, "HAS_IDENTITY", {"mechanism": mechanism, **evidence})

    # -- end ----------------------------------------------------------------------------------
    def finish(self) -> None:
        for arn, roles in self.bucket_roles.items():
            held = self.graph.node(arn).get("data_role") or []
            self.graph.update_props(
                arn,
                data_role=sorted(set(held) | roles),
                ai_prefixes=sorted(self.bucket_prefixes[arn]),
            )
        super().finish()
