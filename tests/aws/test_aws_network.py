"""Network exposure and public access rules against moto, positive and negative."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest

from tests.aws.aws_moto import MotoEnv, collect_and_build

ACCT = "123456789012"
R = "us-east-1"


def _vpc(ec2: Any, *, igw_route: bool) -> tuple[str, str]:
    vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.1.1.0/24")["Subnet"]["SubnetId"]
    if igw_route:
        igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
        rt = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
        ec2.create_route(RouteTableId=rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
        ec2.associate_route_table(RouteTableId=rt, SubnetId=subnet)
    ec2.modify_subnet_attribute(SubnetId=subnet, MapPublicIpOnLaunch={"Value": True})
    return vpc, subnet


def _sg(ec2: Any, vpc: str, name: str, port: int, cidr: str) -> str:
    gid: str = ec2.create_security_group(GroupName=name, Description=name, VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=gid,
        IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": port, "ToPort": port, "IpRanges": [{"CidrIp": cidr}]}
        ],
    )
    return gid


def _run(ec2: Any, subnet: str, sg: str, name: str) -> str:
    iid: str = ec2.run_instances(
        ImageId="ami-12c6146b",
        MinCount=1,
        MaxCount=1,
        SubnetId=subnet,
        SecurityGroupIds=[sg],
        TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": name}]}],
    )["Instances"][0]["InstanceId"]
    return iid


def _exposed(graph: Any) -> dict[str, dict[str, Any]]:
    return {graph.node(t)["name"]: d["evidence"] for s, t, d in graph.edges("INTERNET_EXPOSED")}


def test_public_ip_needs_internet_gateway_route(moto_env: MotoEnv) -> None:
    def setup(s: Any) -> None:
        ec2 = s.client("ec2")
        vpc, routed = _vpc(ec2, igw_route=True)
        vpc2, isolated = _vpc(ec2, igw_route=False)
        _run(ec2, routed, _sg(ec2, vpc, "open", 22, "0.0.0.0/0"), "routed")
        _run(ec2, isolated, _sg(ec2, vpc2, "open2", 22, "0.0.0.0/0"), "isolated")

    g = collect_and_build(moto_env, ("ec2",), setup)
    exposed = _exposed(g)
    assert set(exposed) == {"routed"}
    assert exposed["routed"]["ports"] == "tcp/22"
    assert exposed["routed"]["port_classes"] == ["remote-admin"]
    isolated = next(d for _n, d in g.nodes("EC2Instance") if d["name"] == "isolated")
    assert isolated["public_ip_address"] and not isolated.get("public_ip")


def test_network_acl_deny_blocks_and_trusted_cidr(moto_env: MotoEnv) -> None:
    def setup(s: Any) -> None:
        ec2 = s.client("ec2")
        vpc, subnet = _vpc(ec2, igw_route=True)
        _, subnet_b = (
            vpc,
            ec2.create_subnet(VpcId=vpc, CidrBlock="10.1.2.0/24")["Subnet"]["SubnetId"],
        )
        rt = ec2.describe_route_tables(
            Filters=[{"Name": "association.subnet-id", "Values": [subnet]}]
        )["RouteTables"][0]
        ec2.associate_route_table(RouteTableId=rt["RouteTableId"], SubnetId=subnet_b)
        ec2.modify_subnet_attribute(SubnetId=subnet_b, MapPublicIpOnLaunch={"Value": True})
        acl = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
        ec2.create_network_acl_entry(
            NetworkAclId=acl,
            RuleNumber=100,
            Protocol="6",
            RuleAction="deny",
            Egress=False,
            CidrBlock="0.0.0.0/0",
            PortRange={"From": 80, "To": 80},
        )
        ec2.create_network_acl_entry(
            NetworkAclId=acl,
            RuleNumber=200,
            Protocol="-1",
            RuleAction="allow",
            Egress=False,
            CidrBlock="0.0.0.0/0",
        )
        assoc = ec2.describe_network_acls(
            Filters=[{"Name": "association.subnet-id", "Values": [subnet_b]}]
        )["NetworkAcls"][0]
        aid = next(
            a["NetworkAclAssociationId"] for a in assoc["Associations"] if a["SubnetId"] == subnet_b
        )
        ec2.replace_network_acl_association(AssociationId=aid, NetworkAclId=acl)
        sg = ec2.create_security_group(GroupName="web", Description="w", VpcId=vpc)["GroupId"]
        ec2.authorize_security_group_ingress(
            GroupId=sg,
            IpPermissions=[
                {
                    "IpProtocol": "tcp",
                    "FromPort": 80,
                    "ToPort": 80,
                    "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                },
                {
                    "IpProtocol": "tcp",
                    "FromPort": 8888,
                    "ToPort": 8888,
                    "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                },
            ],
        )
        _run(ec2, subnet, sg, "default-acl")
        _run(ec2, subnet_b, sg, "acl-denies-80")

    g = collect_and_build(moto_env, ("ec2",), setup)
    exposed = _exposed(g)
    assert exposed["default-acl"]["ports"] == "tcp/80, tcp/8888"
    # the ACL denies 80 from everywhere, so only the notebook port stays open
    assert exposed["acl-denies-80"]["ports"] == "tcp/8888"
    assert exposed["acl-denies-80"]["port_classes"] == ["ai-service"]


def test_internet_facing_load_balancer_exposes_targets(moto_env: MotoEnv) -> None:
    def setup(s: Any) -> None:
        ec2 = s.client("ec2")
        elb = s.client("elbv2")
        vpc, subnet = _vpc(ec2, igw_route=False)  # targets have no public address of their own
        subnet2 = ec2.create_subnet(
            VpcId=vpc, CidrBlock="10.1.9.0/24", AvailabilityZone="us-east-1b"
        )["Subnet"]["SubnetId"]
        lb_sg = _sg(ec2, vpc, "lb", 443, "0.0.0.0/0")
        app_sg = _sg(ec2, vpc, "app", 8000, "10.1.0.0/16")
        a = _run(ec2, subnet, app_sg, "behind-public-lb")
        b = _run(ec2, subnet, app_sg, "behind-internal-lb")
        for name, scheme, target in (("pub", "internet-facing", a), ("int", "internal", b)):
            lb = elb.create_load_balancer(
                Name=name,
                Subnets=[subnet, subnet2],
                SecurityGroups=[lb_sg],
                Scheme=scheme,
                Type="application",
            )["LoadBalancers"][0]
            tg = elb.create_target_group(
                Name=f"{name}-tg", Protocol="HTTP", Port=8000, VpcId=vpc, TargetType="instance"
            )["TargetGroups"][0]
            elb.register_targets(
                TargetGroupArn=tg["TargetGroupArn"], Targets=[{"Id": target, "Port": 8000}]
            )
            for port in (443, 8443):
                elb.create_listener(
                    LoadBalancerArn=lb["LoadBalancerArn"],
                    Protocol="HTTP",
                    Port=port,
                    DefaultActions=[{"Type": "forward", "TargetGroupArn": tg["TargetGroupArn"]}],
                )

    g = collect_and_build(moto_env, ("ec2", "elbv2"), setup)
    exposed = _exposed(g)
    assert set(exposed) == {"behind-public-lb"}
    # 8443 has a listener but the load balancer's security group admits only 443
    assert exposed["behind-public-lb"]["ports"] == "tcp/443"
    assert exposed["behind-public-lb"]["via"] == "internet-facing load balancer pub"


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("app.py", "def handler(e, c):\n    return 1\n")
    return buf.getvalue()


def test_lambda_url_public_only_with_auth_none_and_public_policy(moto_env: MotoEnv) -> None:
    def setup(s: Any) -> None:
        iam = s.client("iam")
        lam = s.client("lambda")
        arn = iam.create_role(
            RoleName="fn",
            AssumeRolePolicyDocument=json.dumps(
                {
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "lambda.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ]
                }
            ),
        )["Role"]["Arn"]
        cases = {
            "none-public": ("NONE", True),
            "none-private": ("NONE", False),
            "iam-public": ("AWS_IAM", True),
        }
        for name, (auth, public) in cases.items():
            lam.create_function(
                FunctionName=name,
                Runtime="python3.12",
                Role=arn,
                Handler="app.handler",
                Code={"ZipFile": _zip()},
            )
            lam.create_function_url_config(FunctionName=name, AuthType=auth)
            if public:
                lam.add_permission(
                    FunctionName=name,
                    StatementId="url",
                    Action="lambda:InvokeFunctionUrl",
                    Principal="*",
                    FunctionUrlAuthType=auth,
                )
        # a public statement restricted to one source account is not public
        lam.create_function(
            FunctionName="none-account",
            Runtime="python3.12",
            Role=arn,
            Handler="app.handler",
            Code={"ZipFile": _zip()},
        )
        lam.create_function_url_config(FunctionName="none-account", AuthType="NONE")
        lam.add_permission(
            FunctionName="none-account",
            StatementId="url",
            Action="lambda:InvokeFunctionUrl",
            Principal="*",
            FunctionUrlAuthType="NONE",
            SourceAccount="111122223333",
        )

    g = collect_and_build(moto_env, ("iam", "lambda"), setup)
    public = {g.node(t)["name"]: d for s, t, d in g.edges("PUBLIC_ACCESS")}
    assert public["none-public"]["confidence"] == "confirmed"
    assert "AWS_IAM" in public["none-public"]["evidence"]["fix"]
    assert "none-private" not in public and "iam-public" not in public
    # the source-account condition cannot be checked offline: kept, but only conditional
    assert public["none-account"]["confidence"] == "conditional"


def test_public_buckets_policy_acl_and_public_access_block(moto_env: MotoEnv) -> None:
    def setup(s: Any) -> None:
        s3 = s.client("s3")
        public_policy = {
            "Statement": [
                {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": None}
            ]
        }
        for name in ("policy-public", "policy-blocked", "acl-public", "acl-ignored", "private"):
            s3.create_bucket(Bucket=name)
        for name in ("policy-public", "policy-blocked"):
            public_policy["Statement"][0]["Resource"] = f"arn:aws:s3:::{name}/*"
            s3.put_bucket_policy(Bucket=name, Policy=json.dumps(public_policy))
        s3.put_public_access_block(
            Bucket="policy-blocked",
            PublicAccessBlockConfiguration={
                "BlockPublicAcls": False,
                "IgnorePublicAcls": False,
                "BlockPublicPolicy": False,
                "RestrictPublicBuckets": True,
            },
        )
        for name in ("acl-public", "acl-ignored"):
            everyone = 'uri="http://acs.amazonaws.com/groups/global/AllUsers"'
            s3.put_bucket_acl(Bucket=name, GrantRead=everyone, GrantWrite=everyone)
        s3.put_public_access_block(
            Bucket="acl-ignored",
            PublicAccessBlockConfiguration={
                "BlockPublicAcls": False,
                "IgnorePublicAcls": True,
                "BlockPublicPolicy": False,
                "RestrictPublicBuckets": False,
            },
        )

    g = collect_and_build(moto_env, ("s3",), setup)
    public = {g.node(t)["name"] for s, t, d in g.edges("PUBLIC_ACCESS")}
    assert public == {"policy-public", "acl-public"}
    flags = {
        d["name"]: (bool(d.get("public_read")), bool(d.get("public_write")))
        for _n, d in g.nodes("S3Bucket")
    }
    assert flags == {
        "policy-public": (True, False),
        "policy-blocked": (False, False),
        "acl-public": (True, True),
        "acl-ignored": (False, False),
        "private": (False, False),
    }
    ev = g.edge("internet", "arn:aws:s3:::policy-public", "PUBLIC_ACCESS")["evidence"]
    assert "Principal *" in ev["grant"]


def test_image_lambda_records_its_image_only(moto_env: MotoEnv) -> None:
    uri = "123456789012.dkr.ecr.us-east-1.amazonaws.com/llm-server:1.0"

    def setup(s: Any) -> None:
        arn = s.client("iam").create_role(RoleName="img", AssumeRolePolicyDocument="{}")["Role"][
            "Arn"
        ]
        s.client("lambda").create_function(
            FunctionName="img", Role=arn, PackageType="Image", Code={"ImageUri": uri}
        )

    g = collect_and_build(moto_env, ("iam", "lambda"), setup)
    assert {(s, t) for s, t, _ in g.edges("RUNS_IMAGE")} == {
        (f"arn:aws:lambda:{R}:{ACCT}:function:img", uri)
    }


def test_bedrock_vpc_endpoint_flag_only_where_bedrock_is_used(
    moto_env: MotoEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    def setup(s: Any) -> None:
        ec2 = s.client("ec2")
        private = ec2.create_vpc(CidrBlock="10.7.0.0/16")["Vpc"]["VpcId"]
        ec2.create_tags(Resources=[private], Tags=[{"Key": "Name", "Value": "private"}])
        ec2.create_vpc_endpoint(
            VpcId=private,
            VpcEndpointType="Interface",
            ServiceName=f"com.amazonaws.{R}.bedrock-runtime",
        )
        s.client("bedrock").create_model_customization_job(
            jobName="j",
            customModelName="m",
            roleArn=f"arn:aws:iam::{ACCT}:role/x",
            baseModelIdentifier="amazon.titan-text-express-v1",
            trainingDataConfig={"s3Uri": "s3://train/data.jsonl"},
            outputDataConfig={"s3Uri": "s3://out/"},
            hyperParameters={},
        )
        s.client("ec2", region_name="eu-west-1").create_vpc(CidrBlock="10.8.0.0/16")

    from aispm_graph.build import BuildContext, build_graph
    from aispm_graph.providers.aws.collect import CollectOptions, collect

    # Bedrock straight from moto: the replayed guardrails would otherwise appear in every region.
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK", moto_env.url)
    moto_env.reset()
    setup(moto_env.session())
    result = collect(CollectOptions(regions=[R, "eu-west-1"], services=("ec2", "bedrock")))
    g = build_graph(result.documents, BuildContext())
    flags = {(d["region"], d["name"]): d.get("bedrock_vpc_endpoint") for _n, d in g.nodes("AWSVpc")}
    us = {name: flag for (region, name), flag in flags.items() if region == R}
    assert any(flag is True for flag in us.values())  # the VPC with the interface endpoint
    assert any(flag is False for flag in us.values())  # moto's default VPC has none
    # no Bedrock assets in eu-west-1: no claim either way
    assert all(flag is None for (region, _n), flag in flags.items() if region == "eu-west-1")
