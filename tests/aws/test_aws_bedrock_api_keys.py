"""Long-term Bedrock API keys (IAM service-specific credentials for bedrock.amazonaws.com).

Users, groups, policies and a secret are made in moto; moto has no service-specific
credentials, so IAM's ListServiceSpecificCredentials is answered by the replay server in the
XML the query protocol returns (botocore parses it), one answer per user. The real collector
reads both over HTTP. Assertions: the keys as credential nodes, the Prowler peers' pass and
fail cases (an expired key passes, an active one fails; a user with admin, escalation or
bedrock:* fails), and what a leaked key reaches under ``--entry credentials``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from aispm_graph.analysis.engine import PathOptions, find_paths
from aispm_graph.build import BuildContext, build_graph
from aispm_graph.graph.model import Graph
from aispm_graph.providers.aws.collect import CollectOptions, collect
from aispm_graph.recommendations.evaluate import evaluate
from fixtures.aws.replay_proxy import ReplayProxy
from tests.aws.aws_moto import ROOT, MotoEnv, doc

A, R = "123456789012", "us-east-1"
HAIKU_ID = "anthropic.claude-3-haiku-20240307-v1:0"
HAIKU = f"arn:aws:bedrock:{R}::foundation-model/{HAIKU_ID}"
FUTURE, PAST = "2099-01-01T00:00:00Z", "2020-01-01T00:00:00Z"
# user -> [(credential id, status, expiration or None)]
KEYS: dict[str, list[tuple[str, str, str | None]]] = {
    "app-limited": [("ACCAKEYLIMITED000001", "Active", FUTURE)],
    "app-forever": [("ACCAKEYFOREVER000001", "Active", None)],
    "app-expired": [("ACCAKEYEXPIRED000001", "Active", PAST)],
    "app-inactive": [("ACCAKEYINACTIVE00001", "Inactive", FUTURE)],
    "app-admin": [("ACCAKEYADMIN00000001", "Active", FUTURE)],
    "app-bedrock-all": [("ACCAKEYBEDROCKALL001", "Active", FUTURE)],
    "app-group-all": [("ACCAKEYGROUPALL00001", "Active", FUTURE)],
    "app-escalates": [("ACCAKEYESCALATES0001", "Active", FUTURE)],
}


def _xml(user: str, keys: list[tuple[str, str, str | None]]) -> str:
    members = "".join(
        "<member>"
        f"<UserName>{user}</UserName><Status>{status}</Status>"
        f"<ServiceUserName>{user}-at-{A}</ServiceUserName>"
        "<CreateDate>2026-01-01T00:00:00Z</CreateDate>"
        + (f"<ExpirationDate>{exp}</ExpirationDate>" if exp else "")
        + f"<ServiceSpecificCredentialId>{cid}</ServiceSpecificCredentialId>"
        "<ServiceName>bedrock.amazonaws.com</ServiceName>"
        "</member>"
        for cid, status, exp in keys
    )
    return (
        '<ListServiceSpecificCredentialsResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">'
        "<ListServiceSpecificCredentialsResult><ServiceSpecificCredentials>"
        f"{members}</ServiceSpecificCredentials></ListServiceSpecificCredentialsResult>"
        "<ResponseMetadata><RequestId>1</RequestId></ResponseMetadata>"
        "</ListServiceSpecificCredentialsResponse>"
    )


def _routes() -> list[dict[str, Any]]:
    routes: list[dict[str, Any]] = [
        {
            "method": "POST",
            "path": "/",
            "action": "ListServiceSpecificCredentials",
            "form": {"UserName": user, "ServiceName": "bedrock.amazonaws.com"},
            "content_type": "text/xml",
            "raw": _xml(user, keys),
        }
        for user, keys in KEYS.items()
    ]
    routes += [
        {
            "method": "GET",
            "path": "/foundation-models",
            "body": {
                "modelSummaries": [
                    {
                        "modelArn": HAIKU,
                        "modelId": HAIKU_ID,
                        "modelName": "Claude 3 Haiku",
                        "providerName": "Anthropic",
                        "inferenceTypesSupported": ["ON_DEMAND"],
                        "modelLifecycle": {"status": "ACTIVE"},
                    }
                ]
            },
        },
        {
            "method": "GET",
            "path": "/foundation-model-availability/anthropic.claude-3-haiku-20240307-v1%3A0",
            "body": {
                "modelId": HAIKU_ID,
                "agreementAvailability": {"status": "AVAILABLE"},
                "authorizationStatus": "AUTHORIZED",
                "entitlementAvailability": "AVAILABLE",
                "regionAvailability": "AVAILABLE",
            },
        },
        {"method": "GET", "path": "/guardrails", "body": {"guardrails": []}},
        {
            "method": "GET",
            "path": "/provisioned-model-throughputs",
            "body": {"provisionedModelSummaries": []},
        },
    ]
    return routes


def _setup(session: Any) -> None:
    iam = session.client("iam")
    invoke = doc({"Effect": "Allow", "Action": "bedrock:InvokeModel", "Resource": HAIKU})
    policies = {
        "app-limited": doc(
            {"Effect": "Allow", "Action": "bedrock:InvokeModel", "Resource": HAIKU},
            {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "*"},
        ),
        "app-forever": invoke,
        "app-expired": invoke,
        "app-inactive": invoke,
        "app-admin": doc({"Effect": "Allow", "Action": "*", "Resource": "*"}),
        "app-bedrock-all": doc({"Effect": "Allow", "Action": "bedrock:*", "Resource": "*"}),
        "app-escalates": doc(
            {"Effect": "Allow", "Action": "bedrock:InvokeModel", "Resource": HAIKU},
            {"Effect": "Allow", "Action": "iam:PutUserPolicy", "Resource": "*"},
        ),
        # bedrock:* without a key: not a finding of the key checks
        "no-key-all": doc({"Effect": "Allow", "Action": "bedrock:*", "Resource": "*"}),
    }
    for user in [*KEYS, "no-key-all"]:
        iam.create_user(UserName=user)
        if user in policies:
            iam.put_user_policy(UserName=user, PolicyName="p", PolicyDocument=policies[user])
    iam.create_group(GroupName="bedrock-admins")
    iam.put_group_policy(
        GroupName="bedrock-admins",
        PolicyName="all",
        PolicyDocument=doc({"Effect": "Allow", "Action": "bedrock:*", "Resource": "*"}),
    )
    iam.add_user_to_group(GroupName="bedrock-admins", UserName="app-group-all")
    session.client("secretsmanager", region_name=R).create_secret(
        Name="openai-key", SecretString="x"
    )


@pytest.fixture(scope="module")
def graph(moto_env: MotoEnv, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Graph]:
    rec = tmp_path_factory.mktemp("keys") / "routes.json"
    rec.write_text(json.dumps({"routes": _routes()}), encoding="utf-8")
    empty = ROOT / "fixtures" / "aws" / "recorded" / "aibom_empty.json"
    proxy = ReplayProxy(moto_env.url, [empty, rec]).start()  # ours win
    mp = pytest.MonkeyPatch()
    try:
        for svc in ("IAM", "BEDROCK"):
            mp.setenv(f"AWS_ENDPOINT_URL_{svc}", proxy.url)
        moto_env.reset()
        _setup(moto_env.session())
        result = collect(
            CollectOptions(
                regions=[R], services=("iam", "bedrock", "secretsmanager"), max_workers=2
            )
        )
        bad = [c for c in result.coverage_table() if c["status"] != "ok"]
        assert not bad, bad
        ctx = BuildContext()
        g = build_graph(result.documents, ctx)
        assert not [w for w in ctx.warnings if "skipped" in w or "not linked" in w], ctx.warnings
        yield g
    finally:
        mp.undo()
        proxy.stop()


def key(cid: str) -> str:
    return f"arn:aws:iam::{A}:service-specific-credential/{cid}"


def user(name: str) -> str:
    return f"arn:aws:iam::{A}:user/{name}"


def _fired(graph: Graph, check: str) -> set[str]:
    return {graph.node(f.resource)["user_name"] for f in evaluate(graph) if f.check == check}


def test_every_key_is_a_credential_of_its_user(graph: Graph) -> None:
    held = {(s, t) for s, t, _ in graph.edges("HAS_CREDENTIAL") if ":service-specific" in t}
    assert held == {(user(u), key(k[0][0])) for u, k in KEYS.items()}
    limited = graph.node(key("ACCAKEYLIMITED000001"))
    assert (limited["status"], limited["expires"], limited["usable"]) == (
        "Active",
        "2099-01-01T00:00:00+00:00",
        True,
    )
    assert graph.node(key("ACCAKEYFOREVER000001"))["never_expires"] is True
    assert graph.node(key("ACCAKEYEXPIRED000001"))["expired"] is True
    assert graph.node(key("ACCAKEYINACTIVE00001"))["usable"] is False
    # no secret in the graph: only the metadata fields botocore lists
    assert not any("secret" in k.lower() or "password" in k.lower() for k in limited)
    assert graph.node(user("app-limited"))["bedrock_api_keys"] == ["ACCAKEYLIMITED000001"]
    assert "bedrock_api_keys" not in graph.node(user("app-expired"))


def test_long_term_keys_that_still_work_are_findings(graph: Graph) -> None:
    # Prowler bedrock_api_key_no_long_term_credentials: an expired key passes, an unexpired
    # one fails. Here also a key without expiry fails, and an inactive one passes.
    assert _fired(graph, "AWS-BR-017") == {
        "app-limited",
        "app-forever",
        "app-admin",
        "app-bedrock-all",
        "app-group-all",
        "app-escalates",
    }


def test_keys_of_privileged_users(graph: Graph) -> None:
    # Prowler bedrock_api_key_no_administrative_privileges: admin, privilege escalation and
    # full Bedrock access fail; an InvokeModel-only user passes.
    assert _fired(graph, "AWS-BR-016") == {
        "app-admin",
        "app-bedrock-all",
        "app-group-all",
        "app-escalates",
    }


def test_a_leaked_key_reaches_its_users_bedrock_rights_only(graph: Graph) -> None:
    res = find_paths(graph, PathOptions(entry="credentials"))
    from_keys = {(p.entry, p.target) for p in res.paths if ":service-specific" in p.entry}
    assert (key("ACCAKEYLIMITED000001"), HAIKU) in from_keys
    assert (key("ACCAKEYADMIN00000001"), HAIKU) in from_keys
    # expired and inactive keys reach nothing
    assert not {e for e, _t in from_keys} & {
        key("ACCAKEYEXPIRED000001"),
        key("ACCAKEYINACTIVE00001"),
    }
    # the user reads the secret; its Bedrock key does not (it signs Bedrock calls only)
    secret = next(n for n, d in graph.nodes("SecretsManagerSecret"))
    assert graph.edge(user("app-limited"), secret, "CAN_READ") is not None
    assert (key("ACCAKEYLIMITED000001"), secret) not in from_keys
    admin = graph.edge(key("ACCAKEYADMIN00000001"), HAIKU, "CAN_INVOKE")
    assert admin is not None and "administrator" in admin["evidence"]["grant"]
    for s, _t, data in graph.edges():
        if ":service-specific" in s:
            assert data["evidence"]["permission"].startswith("bedrock:"), data
    edge = graph.edge(key("ACCAKEYLIMITED000001"), HAIKU, "CAN_INVOKE")
    assert edge is not None and edge["evidence"]["via"] == "app-limited"


def _doc(op: str, key: str, params: dict[str, Any], response: Any) -> Any:
    from aispm_graph.workspace import Document

    svc = "sts" if op == "get_caller_identity" else "iam"
    body = {"service": svc, "region": "global", "operation": op, "params": params}
    return Document("aws", A, f"{svc}/global/{op}/{key}", {**body, "response": response})


def test_malformed_key_answers_are_reported_not_guessed() -> None:
    """A record without its id is skipped with a warning naming the field; an expiry that is
    not a date leaves the key's usability unknown (no finding), never 'never expires'."""
    dev = {
        "UserName": "dev",
        "Arn": user("dev"),
        "UserPolicyList": [],
        "AttachedManagedPolicies": [],
        "GroupList": [],
    }
    docs = [
        _doc("get_caller_identity", "", {}, {"Account": A, "Arn": dev["Arn"], "UserId": "x"}),
        _doc(
            "get_account_authorization_details",
            "",
            {},
            {"UserDetailList": [dev], "GroupDetailList": [], "RoleDetailList": [], "Policies": []},
        ),
        _doc(
            "list_service_specific_credentials",
            "dev",
            {"UserName": "dev"},
            {
                "ServiceSpecificCredentials": [
                    {"UserName": "dev", "Status": "Active", "ServiceName": "bedrock.amazonaws.com"},
                    {
                        "UserName": "dev",
                        "Status": "Active",
                        "ServiceName": "bedrock.amazonaws.com",
                        "ServiceSpecificCredentialId": "ACCABADDATE000000001",
                        "ExpirationDate": "next tuesday",
                    },
                    "not a record",
                ]
            },
        ),
        _doc(
            "list_service_specific_credentials",
            "x",
            {"UserName": "x"},
            {"ServiceSpecificCredentials": "oops"},
        ),
    ]
    ctx = BuildContext()
    graph = build_graph(docs, ctx)
    bad = graph.node(key("ACCABADDATE000000001"))
    assert (bad.get("usable"), bad.get("never_expires"), bad.get("expired")) == (None, None, None)
    assert _fired(graph, "AWS-BR-017") == set()
    text = "\n".join(ctx.warnings)
    assert "field 'ServiceSpecificCredentialId': missing; skipped" in text
    assert "field 'ExpirationDate': not a date" in text
    assert "field 'ServiceSpecificCredentials': not a list" in text
