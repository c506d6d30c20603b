"""IAM edge rules against moto, each with a positive and a negative case.

Every case is created with ordinary boto3 calls, collected by the real collector and built
into a graph; the assertions are on the derived edges (source, kind, target) and confidence.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest

from fixtures.aws import build_moto_org as org_fixture
from tests.aws.aws_moto import MotoEnv, collect_and_build, doc

ACCT = "123456789012"
R = "us-east-1"
IAM_SECRETS = ("iam", "secretsmanager")


def user(name: str) -> str:
    return f"arn:aws:iam::{ACCT}:user/{name}"


def role(name: str) -> str:
    return f"arn:aws:iam::{ACCT}:role/{name}"


def allow(action: Any, resource: Any = "*", **kw: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **kw}


def readers(graph: Any, secret_name: str) -> dict[str, str]:
    sid = next(n for n, d in graph.nodes("SecretsManagerSecret") if d["name"] == secret_name)
    return {s: d["confidence"] for s, t, d in graph.edges("CAN_READ") if t == sid}


def mk_user(iam: Any, name: str, *policies: str, boundary: str | None = None) -> None:
    kw = {"PermissionsBoundary": boundary} if boundary else {}
    iam.create_user(UserName=name, **kw)
    for i, p in enumerate(policies):
        iam.put_user_policy(UserName=name, PolicyName=f"p{i}", PolicyDocument=p)


def test_deny_in_second_policy(moto_env: MotoEnv) -> None:
    def setup(s: Any) -> None:
        s.client("secretsmanager").create_secret(Name="openai-key", SecretString="x")
        iam = s.client("iam")
        mk_user(iam, "alice", doc(allow("secretsmanager:GetSecretValue")))
        mk_user(
            iam,
            "bob",
            doc(allow("secretsmanager:*")),
            doc({"Effect": "Deny", "Action": "secretsmanager:Get*", "Resource": "*"}),
        )

    g = collect_and_build(moto_env, IAM_SECRETS, setup)
    assert readers(g, "openai-key") == {user("alice"): "confirmed"}


def test_not_action(moto_env: MotoEnv) -> None:
    def setup(s: Any) -> None:
        s.client("secretsmanager").create_secret(Name="openai-key", SecretString="x")
        iam = s.client("iam")
        mk_user(
            iam,
            "everything-but-iam",
            doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}),
        )
        mk_user(
            iam,
            "everything-but-secrets",
            doc({"Effect": "Allow", "NotAction": ["secretsmanager:*", "iam:*"], "Resource": "*"}),
        )

    g = collect_and_build(moto_env, IAM_SECRETS, setup)
    assert set(readers(g, "openai-key")) == {user("everything-but-iam")}


def test_not_resource(moto_env: MotoEnv) -> None:
    def setup(s: Any) -> None:
        sm = s.client("secretsmanager")
        sm.create_secret(Name="openai-key", SecretString="x")
        sm.create_secret(Name="hf-token", SecretString="x")
        iam = s.client("iam")
        mk_user(
            iam,
            "carol",
            doc(
                {
                    "Effect": "Allow",
                    "Action": "secretsmanager:GetSecretValue",
                    "NotResource": f"arn:aws:secretsmanager:{R}:{ACCT}:secret:openai-key-*",
                }
            ),
        )

    g = collect_and_build(moto_env, IAM_SECRETS, setup)
    assert readers(g, "openai-key") == {}
    assert set(readers(g, "hf-token")) == {user("carol")}


def test_permission_boundary(moto_env: MotoEnv) -> None:
    # Roles, because moto leaves user boundaries out of GetAccountAuthorizationDetails.
    def setup(s: Any) -> None:
        s.client("secretsmanager").create_secret(Name="openai-key", SecretString="x")
        iam = s.client("iam")
        s3_only = iam.create_policy(PolicyName="s3-only", PolicyDocument=doc(allow("s3:*")))[
            "Policy"
        ]["Arn"]
        secrets_ok = iam.create_policy(
            PolicyName="secrets-ok", PolicyDocument=doc(allow("secretsmanager:GetSecretValue"))
        )["Policy"]["Arn"]
        for name, boundary, grant in (
            ("bounded-out", s3_only, "*"),
            ("bounded-in", secrets_ok, "secretsmanager:*"),
        ):
            iam.create_role(
                RoleName=name,
                PermissionsBoundary=boundary,
                AssumeRolePolicyDocument=doc(
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "ec2.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ),
            )
            iam.put_role_policy(RoleName=name, PolicyName="p", PolicyDocument=doc(allow(grant)))

    g = collect_and_build(moto_env, IAM_SECRETS, setup)
    assert set(readers(g, "openai-key")) == {role("bounded-in")}
    # the boundary also stops "allow *" from counting as administrator of the account
    assert not list(g.edges("CAN_ADMINISTER"))


def test_undecidable_condition_is_conditional(moto_env: MotoEnv) -> None:
    def setup(s: Any) -> None:
        s.client("secretsmanager").create_secret(Name="openai-key", SecretString="x")
        iam = s.client("iam")
        mk_user(
            iam,
            "office",
            doc(
                allow(
                    "secretsmanager:GetSecretValue",
                    Condition={"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
                )
            ),
        )
        mk_user(iam, "plain", doc(allow("secretsmanager:GetSecretValue")))

    g = collect_and_build(moto_env, IAM_SECRETS, setup)
    got = readers(g, "openai-key")
    assert got == {user("office"): "conditional", user("plain"): "confirmed"}
    sid = next(n for n, d in g.nodes("SecretsManagerSecret"))
    ev = g.edge(user("office"), sid, "CAN_READ")["evidence"]
    assert "aws:SourceIp" in ev["condition"]


def test_secret_resource_policy_grants_same_account_role(moto_env: MotoEnv) -> None:
    def setup(s: Any) -> None:
        sm = s.client("secretsmanager")
        arn = sm.create_secret(Name="openai-key", SecretString="x")["ARN"]
        iam = s.client("iam")
        iam.create_role(
            RoleName="reader",
            AssumeRolePolicyDocument=doc(
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "ec2.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ),
        )
        iam.create_role(
            RoleName="other",
            AssumeRolePolicyDocument=doc(
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "ec2.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ),
        )
        sm.put_resource_policy(
            SecretId=arn,
            ResourcePolicy=doc(
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": role("reader")},
                    "Action": "secretsmanager:GetSecretValue",
                    "Resource": "*",
                }
            ),
        )

    g = collect_and_build(moto_env, IAM_SECRETS, setup)
    assert set(readers(g, "openai-key")) == {role("reader")}


def _trust(principal: Any) -> str:
    return doc({"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"})


def test_trust_same_account_arn_vs_account_root(moto_env: MotoEnv) -> None:
    def setup(s: Any) -> None:
        iam = s.client("iam")
        mk_user(iam, "dave", doc(allow("s3:ListBucket")))  # no sts:AssumeRole
        mk_user(iam, "erin", doc(allow("sts:AssumeRole", role("root-trusted"))))
        mk_user(
            iam,
            "frank",
            doc(allow("sts:AssumeRole", role("named-dave"))),
            doc({"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "*"}),
        )
        iam.create_role(
            RoleName="named-dave", AssumeRolePolicyDocument=_trust([user("dave"), user("frank")])
        )
        iam.create_role(
            RoleName="root-trusted", AssumeRolePolicyDocument=_trust(f"arn:aws:iam::{ACCT}:root")
        )

    g = collect_and_build(moto_env, ("iam",), setup)
    got = {(s, t) for s, t, _ in g.edges("CAN_ASSUME")}
    assert got == {
        (user("dave"), role("named-dave")),  # ARN in trust suffices in the same account
        (user("erin"), role("root-trusted")),  # root trust + caller's allow
        # dave has no allow for root-trusted; frank's explicit deny beats the trust naming him
    }
    ev = g.edge(user("erin"), role("root-trusted"), "CAN_ASSUME")["evidence"]
    assert ev["trust"] == "account" and "sts:AssumeRole" in ev["fix"]
    ev = g.edge(user("dave"), role("named-dave"), "CAN_ASSUME")["evidence"]
    assert ev["trust"] == "arn" and "trust policy of role named-dave" in ev["fix"]


def _passrole_case(condition: dict[str, Any] | None) -> Any:
    def setup(s: Any) -> None:
        iam = s.client("iam")
        iam.create_role(
            RoleName="target-admin",
            AssumeRolePolicyDocument=doc(
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "sagemaker.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ),
        )
        iam.put_role_policy(
            RoleName="target-admin", PolicyName="all", PolicyDocument=doc(allow("*"))
        )
        extra = {"Condition": condition} if condition else {}
        mk_user(
            iam,
            "mallory",
            doc(
                allow(
                    [
                        "sagemaker:CreateNotebookInstance",
                        "sagemaker:CreatePresignedNotebookInstanceUrl",
                    ]
                ),
                allow("iam:PassRole", role("target-admin"), **extra),
            ),
        )

    return setup


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (None, "confirmed"),
        ({"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}}, "confirmed"),
        ({"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}, None),
        ({"Bool": {"aws:MultiFactorAuthPresent": "true"}}, "conditional"),
    ],
)
def test_passrole_escalation_and_passed_to_service(
    moto_env: MotoEnv, condition: dict[str, Any] | None, expected: str | None
) -> None:
    g = collect_and_build(moto_env, ("iam",), _passrole_case(condition))
    e = g.edge(user("mallory"), role("target-admin"), "CAN_ESCALATE_TO")
    assert (e["confidence"] if e else None) == expected
    assert (role("target-admin"), f"arn:aws:iam::{ACCT}:root") in {
        (s, t) for s, t, _ in g.edges("CAN_ADMINISTER")
    }


def test_passrole_needs_a_service_that_trusts_the_role(moto_env: MotoEnv) -> None:
    def setup(s: Any) -> None:
        iam = s.client("iam")
        iam.create_role(
            RoleName="lambda-only",
            AssumeRolePolicyDocument=doc(
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "lambda.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ),
        )
        mk_user(
            iam,
            "mallory",
            doc(
                allow(
                    [
                        "sagemaker:CreateNotebookInstance",
                        "sagemaker:CreatePresignedNotebookInstanceUrl",
                        "iam:PassRole",
                    ]
                )
            ),
        )
        mk_user(
            iam,
            "lambda-dev",
            doc(allow(["lambda:CreateFunction", "lambda:InvokeFunction", "iam:PassRole"])),
        )

    g = collect_and_build(moto_env, ("iam",), setup)
    got = {(s, t) for s, t, _ in g.edges("CAN_ESCALATE_TO")}
    assert got == {(user("lambda-dev"), role("lambda-only"))}


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("app.py", "def handler(e, c):\n    return 1\n")
    return buf.getvalue()


def test_update_function_code_on_invoked_function(moto_env: MotoEnv) -> None:
    def setup(s: Any) -> None:
        iam = s.client("iam")
        lam = s.client("lambda")
        for name in ("url-fn-role", "idle-fn-role"):
            iam.create_role(
                RoleName=name,
                AssumeRolePolicyDocument=doc(
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "lambda.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ),
            )
        for name in ("url-fn", "idle-fn"):
            lam.create_function(
                FunctionName=name,
                Runtime="python3.12",
                Role=role(f"{name}-role"),
                Handler="app.handler",
                Code={"ZipFile": _zip()},
            )
        lam.create_function_url_config(FunctionName="url-fn", AuthType="AWS_IAM")
        mk_user(iam, "dev", doc(allow("lambda:UpdateFunctionCode")))

    g = collect_and_build(moto_env, ("iam", "lambda"), setup)
    got = {(s, t) for s, t, _ in g.edges("CAN_ESCALATE_TO")}
    # the idle function runs only if someone invokes it, which dev may not do
    assert got == {(user("dev"), role("url-fn-role"))}
    ev = g.edge(user("dev"), role("url-fn-role"), "CAN_ESCALATE_TO")["evidence"]
    assert ev["permission"] == "lambda:UpdateFunctionCode"
    assert "url-fn" in ev["technique"]


def test_trust_rewrite_and_self_policy_write(moto_env: MotoEnv) -> None:
    def setup(s: Any) -> None:
        iam = s.client("iam")
        iam.create_role(
            RoleName="victim",
            AssumeRolePolicyDocument=doc(
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "ec2.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ),
        )
        mk_user(iam, "rewriter", doc(allow("iam:UpdateAssumeRolePolicy", role("victim"))))
        mk_user(iam, "self-granter", doc(allow("iam:PutUserPolicy", user("self-granter"))))
        mk_user(iam, "other-granter", doc(allow("iam:PutUserPolicy", user("rewriter"))))

    g = collect_and_build(moto_env, ("iam",), setup)
    assert {(s, t) for s, t, _ in g.edges("CAN_ESCALATE_TO")} == {
        (user("rewriter"), role("victim"))
    }
    assert {s for s, _t, _ in g.edges("CAN_ADMINISTER")} == {user("self-granter")}


def test_kms_key_policy_gates_reads_of_cmk_encrypted_training_data(moto_env: MotoEnv) -> None:
    def setup(s: Any) -> None:
        iam, kms, s3 = s.client("iam"), s.client("kms"), s.client("s3")
        root = f"arn:aws:iam::{ACCT}:root"
        delegating = kms.create_key(
            Policy=doc(
                {
                    "Sid": "iam",
                    "Effect": "Allow",
                    "Principal": {"AWS": root},
                    "Action": "kms:*",
                    "Resource": "*",
                }
            )
        )["KeyMetadata"]["Arn"]
        closed = kms.create_key(
            Policy=doc(
                {
                    "Sid": "only-admin",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{ACCT}:role/key-admin"},
                    "Action": "kms:*",
                    "Resource": "*",
                }
            )
        )["KeyMetadata"]["Arn"]
        buckets = {"train-open-key": delegating, "train-closed-key": closed}
        for bucket, key in buckets.items():
            s3.create_bucket(Bucket=bucket)
            org_fixture.kms_encrypt(s3, bucket, key)
        trust = doc(
            {
                "Effect": "Allow",
                "Principal": {"Service": "bedrock.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        )
        for name, actions in (
            ("with-decrypt", ["s3:GetObject", "kms:Decrypt"]),
            ("without-decrypt", ["s3:GetObject"]),
        ):
            iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust)
            iam.put_role_policy(RoleName=name, PolicyName="p", PolicyDocument=doc(allow(actions)))
        br = s.client("bedrock")
        for bucket in buckets:
            br.create_model_customization_job(
                jobName=f"{bucket}-job",
                customModelName=f"{bucket}-model",
                roleArn=role("with-decrypt"),
                baseModelIdentifier="amazon.titan-text-express-v1",
                trainingDataConfig={"s3Uri": f"s3://{bucket}/data.jsonl"},
                outputDataConfig={"s3Uri": f"s3://{bucket}-out/"},
                hyperParameters={},
            )

    g = collect_and_build(moto_env, ("iam", "s3", "kms", "bedrock"), setup)
    data = {"arn:aws:s3:::train-open-key", "arn:aws:s3:::train-closed-key"}
    reads = {(s, t) for s, t, _ in g.edges("CAN_READ") if t in data}
    # only the key that delegates to IAM lets an identity policy's kms:Decrypt count
    assert reads == {(role("with-decrypt"), "arn:aws:s3:::train-open-key")}
    ev = g.edge(role("with-decrypt"), "arn:aws:s3:::train-open-key", "CAN_READ")["evidence"]
    assert "delegates to the account" in ev["kms"]


def test_trust_condition_makes_assumption_conditional(moto_env: MotoEnv) -> None:
    def setup(s: Any) -> None:
        iam = s.client("iam")
        mk_user(iam, "gina", doc(allow("s3:ListBucket")))
        iam.create_role(
            RoleName="external-id",
            AssumeRolePolicyDocument=doc(
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": user("gina")},
                    "Action": "sts:AssumeRole",
                    "Condition": {"StringEquals": {"sts:ExternalId": "c0ffee"}},
                }
            ),
        )

    g = collect_and_build(moto_env, ("iam",), setup)
    e = g.edge(user("gina"), role("external-id"), "CAN_ASSUME")
    assert e is not None and e["confidence"] == "conditional"
    assert "sts:ExternalId" in e["evidence"]["condition"]
