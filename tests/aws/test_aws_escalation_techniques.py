"""Every AWS escalation technique record, positive and negative, through the real collector.

One estate is created in moto with ordinary boto3 calls: for each technique an attacker
``p-<id>`` that holds exactly its permissions, and an attacker ``n-<id>`` that is stopped by
something a reviewer would check (an explicit Deny, a permission boundary, a missing trust, a
condition that is false). It is collected by the real collector, built, and the assertions are
on the derived edges: (attacker, target, kind), which technique made them, and confidence.
``CASES`` is also read by ``test_escalation_catalogue.py``: a record without a case fails there.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from aispm_graph.escalation.aws import TECHNIQUES
from aispm_graph.escalation.model import On, Technique
from aispm_graph.graph.model import Graph
from fixtures.aws.replay_proxy import ReplayProxy
from tests.aws.aws_moto import MotoEnv, collect_and_build, doc

ACCT = "123456789012"
REGION = "us-east-1"
ROOT = f"arn:aws:iam::{ACCT}:root"
BY_ID = {t.id: t for t in TECHNIQUES}


def user(name: str) -> str:
    return f"arn:aws:iam::{ACCT}:user/{name}"


def role(name: str) -> str:
    return f"arn:aws:iam::{ACCT}:role/{name}"


def group(name: str) -> str:
    return f"arn:aws:iam::{ACCT}:group/{name}"


def policy(name: str) -> str:
    return f"arn:aws:iam::{ACCT}:policy/{name}"


def allow(action: Any, resource: Any = "*", **kw: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **kw}


def deny(action: Any, resource: Any = "*") -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource}


def service_trust(service: str) -> str:
    return doc({"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"})


def user_trust(*arns: str) -> str:
    return doc({"Effect": "Allow", "Principal": {"AWS": list(arns)}, "Action": "sts:AssumeRole"})


# Target roles for the techniques that pass a role to a new resource, one per service.
SERVICE_ROLE = {
    t.service: f"svc-{t.service.split('.')[0]}" for t in TECHNIQUES if t.on is On.SERVICE_ROLE
}
EC2_BARE = "svc-ec2-bare"  # trusts EC2 but is in no instance profile
LAMBDA_URL_ROLE, LAMBDA_IDLE_ROLE = "fnrole-url", "fnrole-idle"
INSTANCE_ROLE, NOTEBOOK_ROLE, TASK_ROLE = "inst-role", "nb-role", "task-role"
STACK_ROLE, BUILD_ROLE, GLUE_EP_ROLE = "stack-role", "build-role", "glue-ep-role"
LT_ROLE, LT_IDLE_ROLE = "lt-role", "lt-idle-role"
LC_ROLE = "lc-role"
# Instances whose SSM agent is registered but offline, and one Systems Manager does not list.
SSM_OFF_ROLE, SSM_UNKNOWN_ROLE = "ssm-off-role", "ssm-unknown-role"
# role name -> instance id, filled when the estate is created (moto picks the ids)
INSTANCES: dict[str, str] = {}
RUNS_AS_ROLE = {
    "EC2LaunchTemplate": LT_ROLE,
    "AutoScalingLaunchConfiguration": LC_ROLE,
    "CloudFormationStack": STACK_ROLE,
    "CodeBuildProject": BUILD_ROLE,
    "GlueDevEndpoint": GLUE_EP_ROLE,
    "AWSLambda": LAMBDA_IDLE_ROLE,
    "EC2Instance": INSTANCE_ROLE,
    "SageMakerNotebookInstance": NOTEBOOK_ROLE,
    "ECSTaskDefinition": TASK_ROLE,
}


@dataclass(frozen=True)
class Case:
    """The edge a technique must yield, and edges that must not exist (with why)."""

    src: str
    dst: str
    kind: str
    confidence: str = "confirmed"
    negatives: tuple[tuple[str, str, str, str], ...] = ()  # (src, dst, kind, why)


def _target(t: Technique, attacker: str) -> tuple[str, str]:
    """(edge target, edge kind) of the positive attacker of ``t``."""
    if t.edge == "CAN_ADMINISTER":
        return ROOT, t.edge
    if t.on is On.SERVICE_ROLE:
        return role(SERVICE_ROLE[t.service]), t.edge
    if t.id == "aws-lambda-update-code":
        return role(LAMBDA_URL_ROLE), t.edge
    if t.on is On.RUNS_AS:
        return role(RUNS_AS_ROLE[t.resource_kinds[0]]), t.edge
    return {
        "aws-sts-assume-role": (role("assumable"), "CAN_ASSUME"),
        "aws-iam-update-assume-role-policy": (role("victim"), t.edge),
        "aws-iam-create-access-key": (user("t-keys0"), t.edge),
        "aws-iam-rotate-access-key": (user("t-keys2"), t.edge),
        "aws-iam-create-login-profile": (user("t-nologin"), t.edge),
        "aws-iam-update-login-profile": (user("t-login"), t.edge),
        "aws-iam-add-user-to-group": (group("admins"), t.edge),
    }[t.id]


CONDITIONAL = {"aws-ec2-instance-connect"}


def _cases() -> dict[str, Case]:
    out: dict[str, Case] = {}
    for t in TECHNIQUES:
        p, n = f"p-{t.id}", f"n-{t.id}"
        is_role = t.principal_kinds == ("AWSRole",)
        src, nsrc = (role(p), role(n)) if is_role else (user(p), user(n))
        dst, kind = _target(t, src)
        why = "explicit Deny"
        if t.on is On.REACHED_PRINCIPAL and t.resource_kinds == ("AWSRole",):
            why = "the role it reaches has a permission boundary: no admin through it"
        negatives = [(nsrc, dst, kind, why)]
        extra = EXTRA_NEGATIVES.get(t.id)
        if extra:
            negatives.append(extra)
        conf = "conditional" if t.id in CONDITIONAL else "confirmed"
        out[t.id] = Case(src, dst, kind, conf, tuple(negatives))
    return out


EXTRA_NEGATIVES: dict[str, tuple[str, str, str, str]] = {
    **{
        tid: (
            user(f"p-{tid}"),
            role(SSM_OFF_ROLE),
            "CAN_ESCALATE_TO",
            "condition false: the instance's SSM agent is registered but offline",
        )
        for tid in ("aws-ssm-send-command", "aws-ssm-start-session")
    },
    "aws-ec2-launch-template-version": (
        user("p-aws-ec2-launch-template-version"),
        role(LT_IDLE_ROLE),
        "CAN_ESCALATE_TO",
        "condition false: no Auto Scaling group launches from that template",
    ),
    "aws-iam-create-login-profile": (
        user("p-aws-iam-create-login-profile"),
        user("t-login"),
        "CAN_ESCALATE_TO",
        "condition false: the user already has a console password",
    ),
    "aws-iam-update-login-profile": (
        user("p-aws-iam-update-login-profile"),
        user("t-nologin"),
        "CAN_ESCALATE_TO",
        "condition false: the user has no console password to change",
    ),
    "aws-iam-create-access-key": (
        user("p-aws-iam-create-access-key"),
        user("t-keys2"),
        "CAN_ESCALATE_TO",
        "condition false: the user already has two keys",
    ),
    "aws-ec2-run-instances": (
        user("p-aws-ec2-run-instances"),
        role(EC2_BARE),
        "CAN_ESCALATE_TO",
        "condition false: the role is in no instance profile",
    ),
    "aws-datapipeline-resource-role": (
        user("p-aws-datapipeline-resource-role"),
        role(EC2_BARE),
        "CAN_ESCALATE_TO",
        "condition false: the EC2 resource role is in no instance profile",
    ),
    "aws-lambda-update-code": (
        user("p-aws-lambda-update-code"),
        role(LAMBDA_IDLE_ROLE),
        "CAN_ESCALATE_TO",
        "condition false: nothing invokes the function",
    ),
    "aws-sagemaker-notebook": (
        user("p-aws-sagemaker-notebook"),
        role(SERVICE_ROLE["lambda.amazonaws.com"]),
        "CAN_ESCALATE_TO",
        "missing trust: the role does not trust SageMaker",
    ),
    "aws-iam-set-default-policy-version": (
        user("q-aws-iam-set-default-policy-version"),
        ROOT,
        "CAN_ADMINISTER",
        "condition false: no other version of its policy grants more",
    ),
    "aws-iam-put-role-policy": (
        role("b-aws-iam-put-role-policy"),
        ROOT,
        "CAN_ADMINISTER",
        "permission boundary: what it writes stays inside the boundary",
    ),
}
CASES = _cases()


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("app.py", "def handler(e, c):\n    return 1\n")
    return buf.getvalue()


def _grants(t: Technique) -> list[dict[str, Any]]:
    """What the positive attacker of ``t`` is allowed (exactly its permissions)."""
    actions = [*t.all_of, *t.any_of[:1]]
    if t.id == "aws-iam-policy-write-reached-user":
        target = user("t-reach-user")
        return [allow(["iam:CreateAccessKey", *actions], target)]
    if t.id == "aws-iam-policy-version-reached":
        return [allow(actions, policy("pol-reached"))]
    if t.id == "aws-iam-add-user-to-group":
        return [allow(actions, group("admins"))]
    if t.id == "aws-sts-assume-role":
        return [allow(actions, role("assumable"))]
    if t.on is On.SELF or t.on is On.OWN_GROUP:
        return [allow(actions)]
    return [allow(actions)] if actions else []


def _deny(t: Technique) -> dict[str, Any]:
    first = next((a for a in t.all_of if a != "iam:PassRole"), None)
    return deny(first or list(t.any_of))


def build_estate(s: Any) -> None:
    iam = s.client("iam")
    admin_doc = doc(allow("*"))
    s3_only = iam.create_policy(PolicyName="s3-only", PolicyDocument=doc(allow("s3:*")))["Policy"][
        "Arn"
    ]
    # Service roles, with an instance profile for the EC2 one.
    for service, name in SERVICE_ROLE.items():
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=service_trust(service))
        iam.put_role_policy(RoleName=name, PolicyName="all", PolicyDocument=admin_doc)
    iam.create_role(RoleName=EC2_BARE, AssumeRolePolicyDocument=service_trust("ec2.amazonaws.com"))
    iam.create_instance_profile(InstanceProfileName="svc-ec2-profile")
    iam.add_role_to_instance_profile(
        InstanceProfileName="svc-ec2-profile", RoleName=SERVICE_ROLE["ec2.amazonaws.com"]
    )
    # Principals the IAM techniques act on.
    iam.create_role(RoleName="victim", AssumeRolePolicyDocument=service_trust("ec2.amazonaws.com"))
    iam.create_group(GroupName="admins")
    iam.put_group_policy(GroupName="admins", PolicyName="all", PolicyDocument=admin_doc)
    for name, keys in (
        ("t-keys0", 0),
        ("t-keys2", 2),
        ("t-login", 0),
        ("t-nologin", 0),
        ("t-reach-user", 0),
    ):
        iam.create_user(UserName=name)
        for _ in range(keys):
            iam.create_access_key(UserName=name)
    iam.create_login_profile(UserName="t-login", Password="Not-a-real-1")
    # Resources that run as a role.
    lam = s.client("lambda")
    for name, fn in ((LAMBDA_URL_ROLE, "fn-url"), (LAMBDA_IDLE_ROLE, "fn-idle")):
        iam.create_role(
            RoleName=name, AssumeRolePolicyDocument=service_trust("lambda.amazonaws.com")
        )
        lam.create_function(
            FunctionName=fn,
            Runtime="python3.12",
            Role=role(name),
            Handler="app.handler",
            Code={"ZipFile": _zip()},
        )
    lam.create_function_url_config(FunctionName="fn-url", AuthType="AWS_IAM")
    for name in (INSTANCE_ROLE, SSM_OFF_ROLE, SSM_UNKNOWN_ROLE):
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=service_trust("ec2.amazonaws.com"))
        iam.create_instance_profile(InstanceProfileName=f"{name}-profile")
        iam.add_role_to_instance_profile(InstanceProfileName=f"{name}-profile", RoleName=name)
        INSTANCES[name] = s.client("ec2").run_instances(
            ImageId="ami-12c6146b",
            MinCount=1,
            MaxCount=1,
            IamInstanceProfile={"Name": f"{name}-profile"},
        )["Instances"][0]["InstanceId"]
    iam.create_role(
        RoleName=NOTEBOOK_ROLE, AssumeRolePolicyDocument=service_trust("sagemaker.amazonaws.com")
    )
    s.client("sagemaker").create_notebook_instance(
        NotebookInstanceName="research", InstanceType="ml.t3.medium", RoleArn=role(NOTEBOOK_ROLE)
    )
    iam.create_role(
        RoleName=TASK_ROLE, AssumeRolePolicyDocument=service_trust("ecs-tasks.amazonaws.com")
    )
    s.client("ecs").register_task_definition(
        family="worker",
        taskRoleArn=role(TASK_ROLE),
        containerDefinitions=[{"name": "app", "image": "busybox", "memory": 128}],
    )
    _deployers(s, iam)
    # Attackers.
    for t in TECHNIQUES:
        p, n = f"p-{t.id}", f"n-{t.id}"
        grants = _grants(t)
        for who, stmts in ((p, grants), (n, [*grants, _deny(t)])):
            if t.principal_kinds == ("AWSRole",):
                iam.create_role(
                    RoleName=who, AssumeRolePolicyDocument=service_trust("ec2.amazonaws.com")
                )
                iam.put_role_policy(RoleName=who, PolicyName="p", PolicyDocument=doc(*stmts))
            else:
                iam.create_user(UserName=who)
                if stmts:
                    iam.put_user_policy(UserName=who, PolicyName="p", PolicyDocument=doc(*stmts))
        if t.on is On.OWN_GROUP:
            for who in (p, n):
                iam.create_group(GroupName=f"g-{who}")
                iam.add_user_to_group(GroupName=f"g-{who}", UserName=who)
        if t.on is On.OWN_POLICY:
            _own_policy(iam, t, p, n)
        if t.on is On.REACHED_PRINCIPAL and t.resource_kinds == ("AWSRole",):
            iam.create_role(RoleName=f"r-{p}", AssumeRolePolicyDocument=user_trust(user(p)))
            iam.create_role(
                RoleName=f"r-{n}",
                AssumeRolePolicyDocument=user_trust(user(n)),
                PermissionsBoundary=s3_only,
            )
        if t.id == "aws-iam-policy-version-reached":
            arn = iam.create_policy(PolicyName="pol-reached", PolicyDocument=doc(allow("s3:*")))[
                "Policy"
            ]["Arn"]
            iam.create_role(
                RoleName="r-reached", AssumeRolePolicyDocument=user_trust(user(p), user(n))
            )
            iam.attach_role_policy(RoleName="r-reached", PolicyArn=arn)
    iam.create_role(
        RoleName="assumable",
        AssumeRolePolicyDocument=user_trust(
            user("p-aws-sts-assume-role"), user("n-aws-sts-assume-role")
        ),
    )
    # PassRole only to EC2: Data Pipeline cannot be given the resource role.
    iam.create_user(UserName="c-aws-datapipeline-resource-role")
    iam.put_user_policy(
        UserName="c-aws-datapipeline-resource-role",
        PolicyName="p",
        PolicyDocument=doc(
            allow(list(BY_ID["aws-datapipeline-resource-role"].on_any)),
            allow(
                "iam:PassRole",
                Condition={"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}},
            ),
        ),
    )
    # A role that may write its own policies, but inside a boundary: no administrator.
    iam.create_role(
        RoleName="b-aws-iam-put-role-policy",
        AssumeRolePolicyDocument=service_trust("ec2.amazonaws.com"),
        PermissionsBoundary=s3_only,
    )
    iam.put_role_policy(
        RoleName="b-aws-iam-put-role-policy",
        PolicyName="p",
        PolicyDocument=doc(allow("iam:PutRolePolicy")),
    )


def _deployers(s: Any, iam: Any) -> None:
    """A stack, a build project and a Glue development endpoint, each with its own role."""
    for name, service in (
        (STACK_ROLE, "cloudformation.amazonaws.com"),
        (BUILD_ROLE, "codebuild.amazonaws.com"),
        (GLUE_EP_ROLE, "glue.amazonaws.com"),
    ):
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=service_trust(service))
    template = {"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}}
    s.client("cloudformation").create_stack(
        StackName="platform", TemplateBody=json.dumps(template), RoleARN=role(STACK_ROLE)
    )
    s.client("codebuild").create_project(
        name="release",
        source={"type": "S3", "location": "build-inputs/release.zip"},
        artifacts={"type": "S3", "location": "build-outputs"},
        environment={
            "type": "LINUX_CONTAINER",
            "image": "aws/codebuild/standard:7.0",
            "computeType": "BUILD_GENERAL1_SMALL",
        },
        serviceRole=role(BUILD_ROLE),
    )
    s.client("glue").create_dev_endpoint(EndpointName="notebook-ep", RoleArn=role(GLUE_EP_ROLE))
    ec2 = s.client("ec2")
    ids = {}
    for name in (LT_ROLE, LT_IDLE_ROLE):
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=service_trust("ec2.amazonaws.com"))
        iam.create_instance_profile(InstanceProfileName=f"{name}-profile")
        iam.add_role_to_instance_profile(InstanceProfileName=f"{name}-profile", RoleName=name)
        ids[name] = ec2.create_launch_template(
            LaunchTemplateName=f"{name}-template",
            LaunchTemplateData={
                "ImageId": "ami-12c6146b",
                "InstanceType": "t3.micro",
                "IamInstanceProfile": {"Name": f"{name}-profile"},
            },
        )["LaunchTemplate"]["LaunchTemplateId"]
    iam.create_role(RoleName=LC_ROLE, AssumeRolePolicyDocument=service_trust("ec2.amazonaws.com"))
    iam.create_instance_profile(InstanceProfileName=f"{LC_ROLE}-profile")
    iam.add_role_to_instance_profile(InstanceProfileName=f"{LC_ROLE}-profile", RoleName=LC_ROLE)
    s.client("autoscaling").create_launch_configuration(
        LaunchConfigurationName="legacy-workers",
        ImageId="ami-12c6146b",
        InstanceType="t3.micro",
        IamInstanceProfile=f"{LC_ROLE}-profile",
        UserData="#!/bin/sh\nexport DB_PASSWORD=do-not-store\n",
    )
    s.client("autoscaling").create_auto_scaling_group(
        AutoScalingGroupName="workers",
        LaunchTemplate={"LaunchTemplateId": ids[LT_ROLE], "Version": "$Default"},
        MinSize=0,
        MaxSize=1,
        AvailabilityZones=["us-east-1a"],
    )


def _own_policy(iam: Any, t: Technique, p: str, n: str) -> None:
    """A customer-managed policy attached to the attacker that lets it change that policy."""
    actions = [*t.all_of]
    for who, extra in ((p, []), (n, [_deny(t)])):
        arn = iam.create_policy(
            PolicyName=f"pol-{who}", PolicyDocument=doc(allow(actions), *extra)
        )["Policy"]["Arn"]
        if t.id == "aws-iam-set-default-policy-version":
            iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc(allow("*")))
        iam.attach_user_policy(UserName=who, PolicyArn=arn)
    if t.id == "aws-iam-set-default-policy-version":
        q = f"q-{t.id}"
        iam.create_user(UserName=q)
        arn = iam.create_policy(PolicyName=f"pol-{q}", PolicyDocument=doc(allow(actions)))[
            "Policy"
        ]["Arn"]
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc(allow("s3:GetObject")))
        iam.attach_user_policy(UserName=q, PolicyArn=arn)


def ssm_recording(path: Path) -> Path:
    """Systems Manager's answer for the estate (moto lacks DescribeInstanceInformation): the
    instance profile's instance online, the second one's agent lost, the third not listed; in
    two pages, as the API pages it."""

    def info(role_name: str, status: str) -> dict[str, Any]:
        return {
            "InstanceId": INSTANCES[role_name],
            "PingStatus": status,
            "ResourceType": "EC2Instance",
            "AgentVersion": "3.3.1142.0",
            "PlatformType": "Linux",
        }

    pages = [
        {"InstanceInformationList": [info(INSTANCE_ROLE, "Online")], "NextToken": "1"},
        {"InstanceInformationList": [info(SSM_OFF_ROLE, "ConnectionLost")]},
    ]
    route = {
        "method": "POST",
        "path": "/",
        "target": "AmazonSSM.DescribeInstanceInformation",
        "pages": pages,
    }
    path.write_text(json.dumps({"routes": [route]}), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def estate(moto_env: MotoEnv, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Graph]:
    proxies: list[ReplayProxy] = []
    with pytest.MonkeyPatch.context() as mp:

        def setup(s: Any) -> None:
            build_estate(s)
            rec = ssm_recording(tmp_path_factory.mktemp("ssm") / "ssm.json")
            proxies.append(ReplayProxy(moto_env.url, [rec]).start())
            mp.setenv("AWS_ENDPOINT_URL_SSM", proxies[-1].url)

        try:
            yield collect_and_build(
                moto_env,
                (
                    "iam",
                    "ec2",
                    "lambda",
                    "sagemaker",
                    "ecs",
                    "cloudformation",
                    "codebuild",
                    "glue",
                    "autoscaling",
                    "ssm",
                ),
                setup,
            )
        finally:
            for proxy in proxies:
                proxy.stop()


def _techniques_of(edge: dict[str, Any]) -> set[str]:
    ev = edge["evidence"]
    return {str(ev.get("technique_id")), *ev.get("also_via", [])}


@pytest.mark.parametrize("tid", sorted(CASES))
def test_technique_positive(estate: Graph, tid: str) -> None:
    case = CASES[tid]
    e = estate.edge(case.src, case.dst, case.kind)
    assert e is not None, f"{tid}: no {case.kind} {case.src} -> {case.dst}"
    assert tid in _techniques_of(e), e["evidence"]
    assert e["confidence"] == case.confidence, e["evidence"]
    ev = e["evidence"]
    assert ev["fix"] and ev["technique"]
    if e["confidence"] == "conditional":
        assert ev["condition"] and "null" not in ev["condition"]


@pytest.mark.parametrize("tid", sorted(CASES))
def test_technique_negative(estate: Graph, tid: str) -> None:
    for src, dst, kind, why in CASES[tid].negatives:
        e = estate.edge(src, dst, kind)
        assert e is None or tid not in _techniques_of(e), f"{tid}: {why}: {e}"


def test_self_granting_principals_are_administrators(estate: Graph) -> None:
    """Granting itself anything ends its paths at the account, as *:* does: no other edges."""
    admins = {s for s, t, _ in estate.edges("CAN_ADMINISTER") if t == ROOT}
    for tid in ("aws-iam-put-user-policy", "aws-iam-create-policy-version"):
        src = CASES[tid].src
        assert src in admins
        assert estate.node(src)["admin"] and estate.node(src)["admin_via"] == tid
        others = {k for _s, _t, k in estate.g.out_edges(src, keys=True)} - {
            "CAN_ADMINISTER",
            "MEMBER_OF",
            "POLICY",
            "HAS_CREDENTIAL",
        }
        assert not others, others
    # A group someone can join is a principal of its own: its members' access is the group's.
    assert estate.edge(group("admins"), ROOT, "CAN_ADMINISTER") is not None


def test_ssm_reaches_only_instances_with_an_online_agent(estate: Graph) -> None:
    """Online agent: confirmed; registered but offline: no edge; not listed by Systems
    Manager: the edge stays, conditional, and says the agent's presence is unknown."""
    found = {
        (s, t, e["confidence"])
        for s, t, e in estate.edges("CAN_ESCALATE_TO")
        if s == user("p-aws-ssm-send-command") and t.startswith(f"arn:aws:iam::{ACCT}:role/")
    }
    assert found == {
        (user("p-aws-ssm-send-command"), role(INSTANCE_ROLE), "confirmed"),
        (user("p-aws-ssm-send-command"), role(SSM_UNKNOWN_ROLE), "conditional"),
    }
    ev = estate.edge(user("p-aws-ssm-start-session"), role(SSM_UNKNOWN_ROLE), "CAN_ESCALATE_TO")[
        "evidence"
    ]
    assert "agent presence unknown" in ev["condition"]
    assert INSTANCES[SSM_UNKNOWN_ROLE] in ev["condition"]
    status = {
        n_id.rsplit("/", 1)[1]: n.get("ssm_ping_status") for n_id, n in estate.nodes("EC2Instance")
    }
    assert status == {
        INSTANCES[INSTANCE_ROLE]: "Online",
        INSTANCES[SSM_OFF_ROLE]: "ConnectionLost",
        INSTANCES[SSM_UNKNOWN_ROLE]: "not-registered",
    }


def test_data_pipeline_resource_role_is_passed_to_data_pipeline(estate: Graph) -> None:
    """The EC2 resource role is passed to Data Pipeline, not to EC2: a PassRole grant limited
    to ``iam:PassedToService: ec2.amazonaws.com`` does not let Data Pipeline run as it."""
    svc_ec2 = role(SERVICE_ROLE["ec2.amazonaws.com"])
    assert estate.edge(user("c-aws-datapipeline-resource-role"), svc_ec2, "CAN_ESCALATE_TO") is None
    e = estate.edge(user("p-aws-datapipeline-resource-role"), svc_ec2, "CAN_ESCALATE_TO")
    assert e is not None
    assert e["evidence"]["technique_id"] == "aws-datapipeline-resource-role"
    assert "excludes datapipeline.amazonaws.com" in e["evidence"]["fix"]


def test_launch_configuration_is_collected_without_its_user_data(estate: Graph) -> None:
    lcs = [(n, d) for n, d in estate.nodes("AutoScalingLaunchConfiguration")]
    assert [(d["name"], d["role"]) for _n, d in lcs] == [("legacy-workers", role(LC_ROLE))]
    assert "do-not-store" not in json.dumps(lcs)
    assert estate.edge(lcs[0][0], role(LC_ROLE), "HAS_IDENTITY") is not None


def test_conditions_name_what_was_not_decided(estate: Graph) -> None:
    ev = estate.edge(user("p-aws-iam-update-login-profile"), user("t-login"), "CAN_ESCALATE_TO")[
        "evidence"
    ]
    assert "pathfinding.cloud iam-006" in ev["reference"]
    # login profiles are collected: the user with a password is known to have one
    assert estate.node(user("t-login"))["login_profile"] is True
    assert estate.node(user("t-nologin"))["login_profile"] is False


def test_evidence_names_undecided_identity_condition(moto_env: MotoEnv) -> None:
    def setup(s: Any) -> None:
        iam = s.client("iam")
        iam.create_role(
            RoleName="victim", AssumeRolePolicyDocument=service_trust("ec2.amazonaws.com")
        )
        iam.create_user(UserName="mfa")
        iam.put_user_policy(
            UserName="mfa",
            PolicyName="p",
            PolicyDocument=doc(
                allow(
                    "iam:UpdateAssumeRolePolicy",
                    Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}},
                )
            ),
        )

    g = collect_and_build(moto_env, ("iam",), setup)
    e = g.edge(user("mfa"), role("victim"), "CAN_ESCALATE_TO")
    assert e is not None and e["confidence"] == "conditional"
    assert "aws:MultiFactorAuthPresent" in e["evidence"]["condition"]
    assert json.loads(e["evidence"]["statement"])["Action"] == ["iam:UpdateAssumeRolePolicy"]
