"""The recorded AWS demo snapshot (fixtures/demo/aws) builds offline into the demo shapes."""

from __future__ import annotations

import json
from pathlib import Path

from aispm_graph.analysis.engine import find_paths
from aispm_graph.build import BuildContext, build_graph
from aispm_graph.graph.model import Graph
from aispm_graph.workspace import Document

SNAP = Path(__file__).resolve().parents[2] / "fixtures" / "demo" / "aws" / "aws-123456789012.json"


def _names(graph: Graph, route: list[str]) -> tuple[str, ...]:
    return tuple(graph.node(n)["name"] for n in route)


def test_recorded_snapshot_builds_into_the_demo_paths() -> None:
    rows = json.loads(SNAP.read_text(encoding="utf-8"))
    docs = [Document("aws", "123456789012", r["key"], r["body"]) for r in rows]
    ctx = BuildContext()
    graph = build_graph(docs, ctx)
    assert ctx.warnings == []
    routes = {_names(graph, [n.id for n in p.nodes]) for p in find_paths(graph).paths}
    assert ("Internet", "llm-web-1", "llm-web-role", "support-bot-ft") in routes
    assert ("Internet", "llm-web-1", "llm-web-role", "acme-llm-training-data") in routes
    assert ("Internet", "chatbot", "chatbot-role", "ml-admin-role", "123456789012") in routes
    on_paths = {n for r in routes for n in r}
    assert not on_paths & {"internal-llm", "analytics-1", "faq-bot"}


def test_truncated_and_hostile_documents_are_skipped_with_warnings() -> None:
    rows = json.loads(SNAP.read_text(encoding="utf-8"))
    docs = [Document("aws", "123456789012", r["key"], r["body"]) for r in rows]
    docs.append(
        Document(
            "aws",
            "123456789012",
            "ec2/us-east-1/describe_instances/bad",
            {"service": "ec2", "operation": "describe_instances", "response": "not an object"},
        )
    )
    bad_policy = next(r for r in rows if r["key"].endswith("get_account_authorization_details"))
    body = json.loads(json.dumps(bad_policy["body"]))
    role = body["response"]["RoleDetailList"][0]
    role["RolePolicyList"] = [{"PolicyName": "broken", "PolicyDocument": "{not json"}]
    docs = [d for d in docs if not d.key.endswith("get_account_authorization_details")]
    docs.append(
        Document("aws", "123456789012", "iam/global/get_account_authorization_details", body)
    )
    ctx = BuildContext()
    graph = build_graph(docs, ctx)
    assert any("describe_instances/bad" in w and "'response'" in w for w in ctx.warnings)
    assert any("inline policy broken" in w and "not JSON" in w for w in ctx.warnings)
    assert len(graph) > 50


def _org_docs(management: str, deny_passrole_at: str) -> list[Document]:
    """Organizations answers as a member account sees them: root > OU > account."""
    acct = "123456789012"

    def d(op: str, key: str, params: dict[str, object], resp: dict[str, object]) -> Document:
        return Document(
            "aws",
            acct,
            f"organizations/global/{op}/{key}",
            {
                "service": "organizations",
                "region": "global",
                "operation": op,
                "params": params,
                "response": resp,
            },
        )

    full = {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    deny = {
        "Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "Action": "iam:PassRole", "Resource": "*"},
        ]
    }
    return [
        d("describe_organization", "", {}, {"Organization": {"MasterAccountId": management}}),
        d("list_parents", acct, {"ChildId": acct}, {"Parents": [{"Id": "ou-ml", "Type": "OU"}]}),
        d(
            "list_parents",
            "ou-ml",
            {"ChildId": "ou-ml"},
            {"Parents": [{"Id": "r-root", "Type": "ROOT"}]},
        ),
        d(
            "describe_policy",
            "p-full",
            {"PolicyId": "p-full"},
            {
                "Policy": {
                    "PolicySummary": {"Id": "p-full", "Name": "FullAWSAccess"},
                    "Content": json.dumps(full),
                }
            },
        ),
        d(
            "list_targets_for_policy",
            "p-full",
            {"PolicyId": "p-full"},
            {"Targets": [{"TargetId": "r-root", "Type": "ROOT"}]},
        ),
        d(
            "describe_policy",
            "p-deny",
            {"PolicyId": "p-deny"},
            {
                "Policy": {
                    "PolicySummary": {"Id": "p-deny", "Name": "no-passrole"},
                    "Content": json.dumps(deny),
                }
            },
        ),
        d(
            "list_targets_for_policy",
            "p-deny",
            {"PolicyId": "p-deny"},
            {"Targets": [{"TargetId": deny_passrole_at, "Type": "ORGANIZATIONAL_UNIT"}]},
        ),
    ]


def test_service_control_policy_breaks_the_passrole_escalation() -> None:
    rows = json.loads(SNAP.read_text(encoding="utf-8"))
    base = [Document("aws", "123456789012", r["key"], r["body"]) for r in rows]
    chatbot = "arn:aws:iam::123456789012:role/chatbot-role"
    admin = "arn:aws:iam::123456789012:role/ml-admin-role"

    def escalates(extra: list[Document]) -> bool:
        graph = build_graph(base + extra, BuildContext())
        return graph.edge(chatbot, admin, "CAN_ESCALATE_TO") is not None

    assert escalates([])
    # SCP on the account's OU denies iam:PassRole: the escalation is gone
    assert not escalates(_org_docs("999999999999", "ou-ml"))
    # the same SCP on another OU does not apply to this account
    assert escalates(_org_docs("999999999999", "ou-other"))
    # SCPs never restrict the management account
    assert escalates(_org_docs("123456789012", "ou-ml"))
