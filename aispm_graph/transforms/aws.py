"""The ``aws`` source: raw boto3 responses (see :mod:`aispm_graph.providers.aws.collect`) into
nodes and edges.

Facts only: resources, their configuration switches, the policies that apply to them and the
structure between them. Everything that needs a decision across resources (who may assume,
read or invoke what; what the internet reaches) is left to the AWS derivers, which read the
policy documents this transform stores on the nodes (``policies``, ``permissions_boundary``,
``trust_policy``, ``resource_policy``, ``scps``).

Security groups and network ACLs are written in the neutral firewall vocabulary of
:mod:`aispm_graph.derive.exposure` (ACLs as a second, numbered layer), and ``public_ip`` is
set only on instances whose subnet routes to an internet gateway: an address with no route is
not reachable.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from aispm_graph.build import BuildContext, transform
from aispm_graph.graph.model import Graph
from aispm_graph.providers.aws.collect import BUCKET_OPS
from aispm_graph.workspace import Document

AI_KEY_WORDS = re.compile(
    r"openai|anthropic|claude|gemini|huggingface|hf[-_]|llm|bedrock|cohere|mistral|"
    r"langchain|pinecone|genai|gpt",
    re.IGNORECASE,
)


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


def _doc(value: Any) -> Any:
    """Policy documents arrive as dicts (boto3 decodes IAM's) or JSON text (S3, Lambda)."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _tags(raw: Any) -> dict[str, str]:
    if isinstance(raw, dict):
        return {str(k): str(v) for k, v in raw.items()}
    out = {}
    for t in raw or []:
        if isinstance(t, dict):
            k = t.get("Key", t.get("key"))
            if k is not None:
                out[str(k)] = str(t.get("Value", t.get("value", "")))
    return out


class _Docs:
    """Collected responses indexed by (service, operation)."""

    def __init__(self, docs: list[Document], ctx: BuildContext) -> None:
        self.by_op: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        self.account = ""
        for d in docs:
            body = d.body
            if not isinstance(body, dict) or not isinstance(body.get("response"), dict):
                ctx.warn(f"aws:{d.scope}:{d.key}: field 'response': not an object; skipped")
                continue
            self.by_op[(str(body.get("service")), str(body.get("operation")))].append(body)
            self.account = self.account or d.scope

    def get(self, service: str, op: str) -> list[dict[str, Any]]:
        return self.by_op.get((service, op), [])


class AwsTransform:
    def __init__(self, docs: _Docs, graph: Graph, ctx: BuildContext) -> None:
        self.d = docs
        self.g = graph
        self.ctx = ctx
        self.account = docs.account
        self.acct_id = account_arn(self.account)
        self.instance_ids: dict[str, str] = {}  # i-123 -> ARN
        self.bucket_roles: dict[str, set[str]] = defaultdict(set)
        self.bucket_prefixes: dict[str, set[str]] = defaultdict(set)

    # -- helpers ------------------------------------------------------------------------------
    def described(
        self, service: str, op: str, id_key: str
    ) -> Iterator[tuple[str, dict[str, Any], str]]:
        """(id, response, region) of every answer to a Describe/Get call that names its
        resource; an answer without the id says nothing we can attach."""
        for body in self.d.get(service, op):
            r = body["response"]
            rid = r.get(id_key)
            if rid:
                yield str(rid), r, body["region"]

    def node(self, node_id: str, kind: str, name: str, region: str = "", **props: Any) -> None:
        self.g.add_node(node_id, kind, name, tenant=self.account, region=region or None, **props)
        if node_id != self.acct_id:
            self.g.add_edge(self.acct_id, node_id, "CONTAINS")

    def edge(self, src: str, dst: str, kind: str, **evidence: Any) -> bool:
        if not (self.g.has_node(src) and self.g.has_node(dst)):
            return False
        self.g.add_edge(src, dst, kind, evidence)
        return True

    def warn(self, where: str, msg: str) -> None:
        self.ctx.warn(f"aws:{self.account}: {where}: {msg}")

    def bucket(self, bucket: str, role: str, prefix: str = "") -> str:
        """Mark a bucket as AI data, creating a placeholder node if it was not collected."""
        arn = s3_arn(bucket)
        if not self.g.has_node(arn):
            self.node(arn, "S3Bucket", bucket, collected=False)
        self.bucket_roles[arn].add(role)
        self.bucket_prefixes[arn].add(prefix)
        return arn

    # -- run ----------------------------------------------------------------------------------
    def run(self) -> None:
        ident = self.d.get("sts", "get_caller_identity")
        self.g.add_node(self.acct_id, "AWSAccount", self.account, tenant=self.account)
        if ident:
            self.g.node(self.acct_id)["collected_by"] = ident[0]["response"].get("Arn")
        for step in (
            self.iam,
            self.organizations,
            self.s3,
            self.ec2,
            self.elbv2,
            self.lambdas,
            self.ecr_ecs_eks,
            self.secrets,
            self.kms,
            self.aoss,
            self.sagemaker,
            self.bedrock,
            self.bedrock_agent,
        ):
            step()
        self._bedrock_endpoints()
        for arn, roles in self.bucket_roles.items():
            data = self.g.node(arn)
            data["data_role"] = sorted(set(data.get("data_role") or []) | roles)
            data["ai_prefixes"] = sorted(self.bucket_prefixes[arn])

    def _bedrock_endpoints(self) -> None:
        """In regions where Bedrock holds assets, say whether each VPC has a private route
        (interface endpoint for bedrock-runtime) or sends model traffic over the internet."""
        used = {
            d.get("region")
            for _n, d in self.g.nodes()
            if d["kind"].startswith("Bedrock") and d["kind"] != "BedrockInvocationLogging"
        }
        endpoints: set[str] = set()
        for body in self.d.get("ec2", "describe_vpc_endpoints"):
            for ep in body["response"].get("VpcEndpoints", []):
                if str(ep.get("ServiceName", "")).endswith(".bedrock-runtime") and ep.get(
                    "State", "available"
                ).lower() in {"available", "pending"}:
                    endpoints.add(str(ep.get("VpcId")))
        for _vid, data in self.g.nodes("AWSVpc"):
            if data.get("region") in used:
                data["bedrock_vpc_endpoint"] = data["name"] in endpoints

    # -- IAM ----------------------------------------------------------------------------------
    def iam(self) -> None:
        for body in self.d.get("iam", "get_account_authorization_details"):
            self._iam_details(body["response"])
        for body in self.d.get("iam", "list_access_keys"):
            user = body["params"].get("UserName", "")
            for key in body["response"].get("AccessKeyMetadata", []):
                self._access_key(user, key)

    def _iam_details(self, r: dict[str, Any]) -> None:
        managed: dict[str, dict[str, Any]] = {}
        for pol in r.get("Policies", []):
            arn = pol.get("Arn")
            default = next(
                (v for v in pol.get("PolicyVersionList", []) if v.get("IsDefaultVersion")), None
            )
            if not arn or default is None:
                self.warn(f"policy {arn or pol.get('PolicyName')}", "no default version; skipped")
                continue
            doc = _doc(default.get("Document"))
            managed[arn] = {"name": pol.get("PolicyName", arn), "arn": arn, "document": doc}
            self.node(
                arn,
                "AWSPolicy",
                pol.get("PolicyName", arn),
                document=doc,
                attachment_count=pol.get("AttachmentCount"),
                # Every version: iam:SetDefaultPolicyVersion can switch to any of them.
                versions=[
                    {
                        "id": v.get("VersionId"),
                        "default": bool(v.get("IsDefaultVersion")),
                        "document": _doc(v.get("Document")),
                    }
                    for v in pol.get("PolicyVersionList", [])
                ],
            )

        def policies(item: dict[str, Any], inline_key: str) -> list[dict[str, Any]]:
            out = []
            for p in item.get(inline_key, []):
                out.append(
                    {
                        "name": f"inline policy {p.get('PolicyName')} of "
                        f"{item.get('UserName') or item.get('RoleName') or item.get('GroupName')}",
                        "inline": p.get("PolicyName"),
                        "document": _doc(p.get("PolicyDocument")),
                    }
                )
            for att in item.get("AttachedManagedPolicies", []):
                pol = managed.get(att.get("PolicyArn", ""))
                if pol is None:
                    self.warn(
                        f"{item.get('Arn')}",
                        f"attached policy {att.get('PolicyArn')} "
                        "has no document in the collected details; not evaluated",
                    )
                    continue
                out.append(pol)
            return out

        def boundary(item: dict[str, Any]) -> Any:
            pb = item.get("PermissionsBoundary") or {}
            arn = pb.get("PermissionsBoundaryArn")
            if not arn:
                return None
            pol = managed.get(arn)
            if pol is None:
                self.warn(
                    str(item.get("Arn")),
                    f"permission boundary {arn} not collected; treated as allowing nothing",
                )
                return {"name": arn, "arn": arn, "document": {"Statement": []}}
            return pol

        groups: dict[str, str] = {}
        for grp in r.get("GroupDetailList", []):
            arn = grp["Arn"]
            groups[grp["GroupName"]] = arn
            self.node(arn, "AWSGroup", grp["GroupName"], policies=policies(grp, "GroupPolicyList"))
        for user in r.get("UserDetailList", []):
            arn = user["Arn"]
            self.node(
                arn,
                "AWSUser",
                user["UserName"],
                policies=policies(user, "UserPolicyList"),
                permissions_boundary=boundary(user),
                tags=_tags(user.get("Tags")),
                groups=list(user.get("GroupList", [])),
            )
            for gname in user.get("GroupList", []):
                if gname in groups:
                    self.edge(arn, groups[gname], "MEMBER_OF")
            for att in user.get("AttachedManagedPolicies", []):
                self.edge(arn, att.get("PolicyArn", ""), "POLICY")
        for role in r.get("RoleDetailList", []):
            arn = role["Arn"]
            self.node(
                arn,
                "AWSRole",
                role["RoleName"],
                trust_policy=_doc(role.get("AssumeRolePolicyDocument")),
                policies=policies(role, "RolePolicyList"),
                permissions_boundary=boundary(role),
                tags=_tags(role.get("Tags")),
                path=role.get("Path"),
            )
            for att in role.get("AttachedManagedPolicies", []):
                self.edge(arn, att.get("PolicyArn", ""), "POLICY")
            for prof in role.get("InstanceProfileList", []):
                self.node(
                    prof["Arn"], "AWSInstanceProfile", prof.get("InstanceProfileName", ""), role=arn
                )
                self.edge(prof["Arn"], arn, "ATTACHED_TO")

    def _access_key(self, user: str, key: dict[str, Any]) -> None:
        user_arn = next((nid for nid, d in self.g.nodes("AWSUser") if d["name"] == user), None)
        kid = key.get("AccessKeyId")
        if user_arn is None or not kid:
            self.warn(f"access key of {user}", "user not in IAM details; skipped")
            return
        key_id = f"arn:aws:iam::{self.account}:access-key/{kid}"
        last = key.get("AccessKeyLastUsed") or {}
        self.node(
            key_id,
            "AccountAccessKey",
            kid,
            status=key.get("Status"),
            last_used=str(last.get("LastUsedDate") or "") or None,
            last_used_service=last.get("ServiceName"),
        )
        self.edge(user_arn, key_id, "HAS_CREDENTIAL")
        if key.get("Status") == "Active":
            self.edge(key_id, user_arn, "AUTHENTICATES_AS", mechanism="access key")
            self.g.node(user_arn)["long_lived_credentials"] = True

    # -- Organizations --------------------------------------------------------------------------
    def organizations(self) -> None:
        orgs = self.d.get("organizations", "describe_organization")
        if not orgs:
            return
        org = orgs[0]["response"].get("Organization", {})
        if org.get("MasterAccountId") == self.account:
            return  # SCPs never restrict the management account
        chain = {self.account}
        for body in self.d.get("organizations", "list_parents"):
            for p in body["response"].get("Parents", []):
                chain.add(p.get("Id", ""))
        targets: dict[str, list[dict[str, Any]]] = {}
        for body in self.d.get("organizations", "list_targets_for_policy"):
            targets[body["params"].get("PolicyId", "")] = body["response"].get("Targets", [])
        # Service control policies limit the account's principals; resource control policies
        # (RCPs) limit access to the account's resources, whoever asks. Both come from the same
        # describe_policy answers and are told apart by the policy type.
        levels: dict[str, dict[str, list[dict[str, Any]]]] = {
            "scps": defaultdict(list),
            "rcps": defaultdict(list),
        }
        for body in self.d.get("organizations", "describe_policy"):
            pol = body["response"].get("Policy", {})
            summary = pol.get("PolicySummary", {})
            ptype = str(summary.get("Type") or "")
            if not ptype:
                arn = str(summary.get("Arn") or "")
                ptype = (
                    "RESOURCE_CONTROL_POLICY"
                    if "/resource_control_policy/" in arn
                    else "SERVICE_CONTROL_POLICY"
                )
            if ptype == "SERVICE_CONTROL_POLICY":
                which = levels["scps"]
            elif ptype == "RESOURCE_CONTROL_POLICY":
                which = levels["rcps"]
            else:
                continue  # tag, backup and AI opt-out policies grant or deny nothing
            for tgt in targets.get(summary.get("Id", ""), []):
                tid = tgt.get("TargetId", "")
                if tgt.get("Type") == "ROOT" or tid in chain:
                    which[tid].append(
                        {
                            "name": summary.get("Name", summary.get("Id")),
                            "arn": summary.get("Arn"),
                            "document": _doc(pol.get("Content")),
                        }
                    )
        for attr, by_level in levels.items():
            if by_level:
                self.g.node(self.acct_id)[attr] = [by_level[k] for k in sorted(by_level)]

    # -- S3 -----------------------------------------------------------------------------------
    def s3(self) -> None:
        per_bucket: dict[str, dict[str, Any]] = defaultdict(dict)
        for op in BUCKET_OPS:
            for body in self.d.get("s3", op):
                per_bucket[body["params"].get("Bucket", "")][op] = body["response"]
        account_pab: dict[str, Any] = {}
        for body in self.d.get("s3control", "get_public_access_block"):
            account_pab = body["response"].get("PublicAccessBlockConfiguration", {})
        for body in self.d.get("s3", "list_buckets"):
            for b in body["response"].get("Buckets", []):
                name = b.get("Name")
                if not name:
                    continue
                info = per_bucket.get(name, {})
                region = (info.get("get_bucket_location") or {}).get("LocationConstraint")
                pab = dict(
                    (info.get("get_public_access_block") or {}).get(
                        "PublicAccessBlockConfiguration", {}
                    )
                )
                for k, v in account_pab.items():
                    pab[k] = bool(pab.get(k)) or bool(v)
                policy = _doc((info.get("get_bucket_policy") or {}).get("Policy"))
                grants = (info.get("get_bucket_acl") or {}).get("Grants", [])
                rules = (
                    (info.get("get_bucket_encryption") or {})
                    .get("ServerSideEncryptionConfiguration", {})
                    .get("Rules", [])
                )
                cmk = any(
                    (r.get("ApplyServerSideEncryptionByDefault") or {}).get("SSEAlgorithm")
                    in {"aws:kms", "aws:kms:dsse"}
                    and "alias/aws/s3"
                    not in str(
                        (r.get("ApplyServerSideEncryptionByDefault") or {}).get("KMSMasterKeyID")
                        or "alias/aws/s3"
                    )
                    for r in rules
                )
                public_acl = sorted(
                    {
                        g.get("Permission", "")
                        for g in grants
                        if (g.get("Grantee") or {})
                        .get("URI", "")
                        .endswith(("/global/AllUsers", "/global/AuthenticatedUsers"))
                    }
                )
                kms_key = next(
                    (
                        (r.get("ApplyServerSideEncryptionByDefault") or {}).get("KMSMasterKeyID")
                        for r in rules
                        if (r.get("ApplyServerSideEncryptionByDefault") or {}).get("KMSMasterKeyID")
                    ),
                    None,
                )
                self.node(
                    s3_arn(name),
                    "S3Bucket",
                    name,
                    region=region or "us-east-1",
                    kms_key=kms_key,
                    resource_policy=policy if isinstance(policy, dict) else None,
                    public_access_block=pab,
                    public_acl_grants=public_acl,
                    cmk=cmk,
                    collected=True,
                )

    # -- EC2 ----------------------------------------------------------------------------------
    def ec2(self) -> None:
        for body in self.d.get("ec2", "describe_vpcs"):
            for vpc in body["response"].get("Vpcs", []):
                region = body["region"]
                self.node(
                    self._arn("ec2", region, f"vpc/{vpc['VpcId']}"),
                    "AWSVpc",
                    vpc["VpcId"],
                    region,
                    cidr=vpc.get("CidrBlock"),
                )
        igws: set[str] = set()
        for body in self.d.get("ec2", "describe_internet_gateways"):
            region = body["region"]
            for igw in body["response"].get("InternetGateways", []):
                arn = self._arn("ec2", region, f"internet-gateway/{igw['InternetGatewayId']}")
                self.node(arn, "AWSInternetGateway", igw["InternetGatewayId"], region)
                igws.add(igw["InternetGatewayId"])
        routed = self._routed_subnets(igws)
        for body in self.d.get("ec2", "describe_subnets"):
            region = body["region"]
            for sn in body["response"].get("Subnets", []):
                sid = sn["SubnetId"]
                arn = sn.get("SubnetArn") or self._arn("ec2", region, f"subnet/{sid}")
                igw = routed.get(sid)
                self.node(
                    arn,
                    "EC2Subnet",
                    sid,
                    region,
                    cidr=sn.get("CidrBlock"),
                    internet_route=bool(igw),
                    internet_gateway=igw,
                )
                self.edge(arn, self._arn("ec2", region, f"vpc/{sn.get('VpcId')}"), "ATTACHED_TO")
                if igw:
                    self.edge(
                        arn,
                        self._arn("ec2", region, f"internet-gateway/{igw}"),
                        "ROUTES_TO",
                        route="0.0.0.0/0",
                    )
        for body in self.d.get("ec2", "describe_security_groups"):
            for sg in body["response"].get("SecurityGroups", []):
                self._security_group(body["region"], sg)
        nacl_of = self._nacls()
        for body in self.d.get("ec2", "describe_instances"):
            region = body["region"]
            for res in body["response"].get("Reservations", []):
                for inst in res.get("Instances", []):
                    self._instance(region, inst, routed, nacl_of)

    def _arn(self, service: str, region: str, rest: str) -> str:
        return f"arn:aws:{service}:{region}:{self.account}:{rest}"

    def _routed_subnets(self, igws: set[str]) -> dict[str, str]:
        """Subnet id -> internet gateway its route table sends the default route to."""
        subnets_of_vpc: dict[str, set[str]] = defaultdict(set)
        for body in self.d.get("ec2", "describe_subnets"):
            for sn in body["response"].get("Subnets", []):
                subnets_of_vpc[sn.get("VpcId", "")].add(sn["SubnetId"])
        explicit: dict[str, str] = {}
        main: dict[str, str] = {}
        tables: dict[str, str | None] = {}
        for body in self.d.get("ec2", "describe_route_tables"):
            for rt in body["response"].get("RouteTables", []):
                rid = rt["RouteTableId"]
                gw = None
                for route in rt.get("Routes", []):
                    dest = route.get("DestinationCidrBlock") or route.get(
                        "DestinationIpv6CidrBlock"
                    )
                    if (
                        dest in {"0.0.0.0/0", "::/0"}
                        and str(route.get("GatewayId", "")).startswith("igw-")
                        and route.get("State", "active") == "active"
                    ):
                        gw = route["GatewayId"]
                tables[rid] = gw
                for assoc in rt.get("Associations", []):
                    if assoc.get("Main"):
                        main[rt.get("VpcId", "")] = rid
                    elif assoc.get("SubnetId"):
                        explicit[assoc["SubnetId"]] = rid
        out: dict[str, str] = {}
        for vpc, subnets in subnets_of_vpc.items():
            for sid in subnets:
                rid = explicit.get(sid) or main.get(vpc)
                gw = tables.get(rid) if rid else None
                if gw:
                    out[sid] = gw
        return out

    def _security_group(self, region: str, sg: dict[str, Any]) -> None:
        arn = self._arn("ec2", region, f"security-group/{sg['GroupId']}")
        self.node(
            arn,
            "EC2SecurityGroup",
            sg.get("GroupName") or sg["GroupId"],
            region,
            group_id=sg["GroupId"],
            vpc_id=sg.get("VpcId"),
        )
        for i, perm in enumerate(sg.get("IpPermissions", [])):
            proto = str(perm.get("IpProtocol", "-1"))
            lo, hi = perm.get("FromPort"), perm.get("ToPort")
            if proto in {"-1", "all"} or lo is None or lo == -1:
                ports = ["*"]
            else:
                ports = [f"{lo}" if lo == hi else f"{lo}-{hi}"]
            if proto not in {"-1", "tcp", "udp", "6", "17"}:
                ports = ["*"]  # icmp and friends: FromPort/ToPort are types, not ports
            sources = [r["CidrIp"] for r in perm.get("IpRanges", []) if r.get("CidrIp")]
            sources += [r["CidrIpv6"] for r in perm.get("Ipv6Ranges", []) if r.get("CidrIpv6")]
            refs = [p.get("GroupId", "") for p in perm.get("UserIdGroupPairs", [])]
            refs += [p.get("PrefixListId", "") for p in perm.get("PrefixListIds", [])]
            rule_id = f"{arn}/ingress/{i}"
            label = f"{proto if proto != '-1' else 'all'}/{ports[0]} from " + ", ".join(
                sources + refs
            )
            self.node(
                rule_id,
                "IpPermissionInbound",
                label,
                region,
                access="allow",
                direction="inbound",
                protocol="*" if proto == "-1" else proto,
                port_ranges=ports,
                source_prefixes=sources,
                source_groups=refs,
            )
            self.g.add_edge(arn, rule_id, "HAS_RULE")

    def _nacls(self) -> dict[str, str]:
        """Write network ACLs as numbered firewall rules; returns subnet id -> ACL ARN."""
        of: dict[str, str] = {}
        for body in self.d.get("ec2", "describe_network_acls"):
            region = body["region"]
            for acl in body["response"].get("NetworkAcls", []):
                arn = self._arn("ec2", region, f"network-acl/{acl['NetworkAclId']}")
                self.node(
                    arn, "EC2NetworkAcl", acl["NetworkAclId"], region, default=acl.get("IsDefault")
                )
                for e in acl.get("Entries", []):
                    if e.get("Egress"):
                        continue
                    cidr = e.get("CidrBlock") or e.get("Ipv6CidrBlock")
                    if not cidr:
                        continue
                    num = int(e.get("RuleNumber", 32767))
                    pr = e.get("PortRange") or {}
                    ports = [f"{pr['From']}-{pr['To']}"] if "From" in pr and "To" in pr else ["*"]
                    proto = str(e.get("Protocol", "-1"))
                    rid = f"{arn}/ingress/{num}/{'v6' if ':' in cidr else 'v4'}"
                    self.node(
                        rid,
                        "EC2NetworkAclRule",
                        f"#{num} {e.get('RuleAction')} {cidr}",
                        region,
                        access=str(e.get("RuleAction", "deny")).lower(),
                        direction="inbound",
                        priority=num,
                        protocol=proto,
                        port_ranges=ports,
                        source_prefixes=[cidr],
                    )
                    self.g.add_edge(arn, rid, "HAS_RULE")
                for assoc in acl.get("Associations", []):
                    if assoc.get("SubnetId"):
                        of[assoc["SubnetId"]] = arn
        return of

    def _instance(
        self, region: str, inst: dict[str, Any], routed: dict[str, str], nacl_of: dict[str, str]
    ) -> None:
        iid = inst["InstanceId"]
        arn = self._arn("ec2", region, f"instance/{iid}")
        self.instance_ids[iid] = arn
        meta = inst.get("MetadataOptions") or {}
        imds_v1 = (
            meta.get("HttpEndpoint", "enabled") != "disabled"
            and meta.get("HttpTokens", "optional") != "required"
        )
        subnet = inst.get("SubnetId", "")
        address = inst.get("PublicIpAddress")
        tags = _tags(inst.get("Tags"))
        state = (inst.get("State") or {}).get("Name")
        reachable = bool(address) and subnet in routed and state in {None, "running", "pending"}
        self.node(
            arn,
            "EC2Instance",
            tags.get("Name") or iid,
            region,
            tags=tags,
            public_ip=address if reachable else None,
            public_ip_address=address,
            imds_v1=imds_v1,
            image_id=inst.get("ImageId"),
            state=state,
            imds_hop_limit=meta.get("HttpPutResponseHopLimit"),
            subnet_internet_route=subnet in routed,
        )
        sn_arn = self._arn("ec2", region, f"subnet/{subnet}")
        self.edge(arn, sn_arn, "ATTACHED_TO")
        groups = {g["GroupId"] for g in inst.get("SecurityGroups", [])}
        for eni in inst.get("NetworkInterfaces", []):
            groups |= {g["GroupId"] for g in eni.get("Groups", [])}
        for gid in sorted(groups):
            self.edge(
                arn,
                self._arn("ec2", region, f"security-group/{gid}"),
                "PROTECTED_BY",
                layer="security-group",
            )
        if subnet in nacl_of:
            self.edge(arn, nacl_of[subnet], "PROTECTED_BY", layer="network-acl")
        prof = (inst.get("IamInstanceProfile") or {}).get("Arn")
        if prof:
            self.g.node(arn)["instance_profile"] = prof

    # -- ELBv2 ----------------------------------------------------------------------------------
    def elbv2(self) -> None:
        listeners: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for body in self.d.get("elbv2", "describe_listeners"):
            for ls in body["response"].get("Listeners", []):
                tgs = []
                for act in ls.get("DefaultActions", []):
                    if act.get("TargetGroupArn"):
                        tgs.append(act["TargetGroupArn"])
                    for t in (act.get("ForwardConfig") or {}).get("TargetGroups", []):
                        tgs.append(t.get("TargetGroupArn"))
                listeners[ls.get("LoadBalancerArn", "")].append(
                    {
                        "port": ls.get("Port"),
                        "protocol": ls.get("Protocol"),
                        "target_groups": sorted({t for t in tgs if t}),
                    }
                )
        targets: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for body in self.d.get("elbv2", "describe_target_health"):
            tg = body["params"].get("TargetGroupArn", "")
            for th in body["response"].get("TargetHealthDescriptions", []):
                targets[tg].append(th.get("Target") or {})
        for body in self.d.get("elbv2", "describe_load_balancers"):
            region = body["region"]
            for lb in body["response"].get("LoadBalancers", []):
                arn = lb["LoadBalancerArn"]
                ls = listeners.get(arn, [])
                self.node(
                    arn,
                    "LoadBalancerV2",
                    lb.get("LoadBalancerName", arn),
                    region,
                    scheme=lb.get("Scheme"),
                    lb_type=lb.get("Type"),
                    dns_name=lb.get("DNSName"),
                    listeners=ls,
                )
                for gid in lb.get("SecurityGroups", []):
                    self.edge(
                        arn,
                        self._arn("ec2", region, f"security-group/{gid}"),
                        "PROTECTED_BY",
                        layer="security-group",
                    )
                for listener in ls:
                    for tg in listener["target_groups"]:
                        for tgt in targets.get(tg, []):
                            tid = str(tgt.get("Id", ""))
                            dst = self.instance_ids.get(tid, tid)
                            self.edge(
                                arn,
                                dst,
                                "ROUTES_TO",
                                listener_port=listener["port"],
                                listener_protocol=listener["protocol"],
                                target_group=tg,
                                target_port=tgt.get("Port"),
                            )

    # -- Lambda ---------------------------------------------------------------------------------
    def lambdas(self) -> None:
        urls: dict[str, dict[str, Any]] = {}
        for body in self.d.get("lambda", "get_function_url_config"):
            urls[body["params"].get("FunctionName", "")] = body["response"]
        pols: dict[str, Any] = {}
        for body in self.d.get("lambda", "get_policy"):
            pols[body["params"].get("FunctionName", "")] = _doc(body["response"].get("Policy"))
        images: dict[str, str] = {}
        for body in self.d.get("lambda", "get_function"):
            uri = (body["response"].get("Code") or {}).get("ImageUri")
            if uri:
                images[body["params"].get("FunctionName", "")] = uri
        triggers: dict[str, int] = defaultdict(int)
        for body in self.d.get("lambda", "list_event_source_mappings"):
            triggers[body["params"].get("FunctionName", "")] += len(
                body["response"].get("EventSourceMappings", [])
            )
        for body in self.d.get("lambda", "list_functions"):
            region = body["region"]
            for fn in body["response"].get("Functions", []):
                arn = fn["FunctionArn"]
                env = fn.get("Environment") or {}
                names = env.get("VariableNames")
                if names is None and isinstance(env.get("Variables"), dict):
                    names = sorted(env["Variables"])  # values are dropped, never stored
                url = urls.get(arn) or {}
                self.node(
                    arn,
                    "AWSLambda",
                    fn.get("FunctionName", arn),
                    region,
                    url_auth_type=url.get("AuthType"),
                    function_url=url.get("FunctionUrl"),
                    env_var_names=list(names or []),
                    runtime=fn.get("Runtime"),
                    package_type=fn.get("PackageType"),
                    role=fn.get("Role"),
                    resource_policy=pols.get(arn),
                    event_sources=triggers.get(arn, 0),
                )
                if arn in images:
                    self.g.add_node(images[arn], "ContainerImage", images[arn], uri=images[arn])
                    self.g.add_edge(arn, images[arn], "RUNS_IMAGE")
                role = fn.get("Role")
                if role and self.g.has_node(role):
                    self.g.add_edge(
                        arn,
                        role,
                        "HAS_IDENTITY",
                        {
                            "mechanism": "Lambda execution role",
                            "fix": f"Give {fn.get('FunctionName')} a dedicated execution "
                            f"role with only the permissions it needs",
                        },
                    )

    # -- containers -----------------------------------------------------------------------------
    def ecr_ecs_eks(self) -> None:
        for body in self.d.get("ecr", "describe_repositories"):
            for repo in body["response"].get("repositories", []):
                self.node(
                    repo["repositoryArn"],
                    "ECRRepository",
                    repo.get("repositoryName", ""),
                    body["region"],
                    uri=repo.get("repositoryUri"),
                    scan_on_push=(repo.get("imageScanningConfiguration") or {}).get("scanOnPush"),
                )
        for body in self.d.get("ecs", "describe_task_definition"):
            td = body["response"].get("taskDefinition") or {}
            arn = td.get("taskDefinitionArn")
            if not arn:
                continue
            containers = td.get("containerDefinitions", [])
            self.node(
                arn,
                "ECSTaskDefinition",
                f"{td.get('family')}:{td.get('revision')}",
                body["region"],
                images=[c.get("image") for c in containers],
                env_var_names=sorted(
                    {
                        e.get("name")
                        for c in containers
                        for e in c.get("environment", [])
                        if e.get("name")
                    }
                ),
            )
            for c in containers:
                img = c.get("image")
                if img:
                    self.g.add_node(img, "ContainerImage", img, uri=img)
                    self.g.add_edge(arn, img, "RUNS_IMAGE")
            role = td.get("taskRoleArn")
            if role and self.g.has_node(role):
                self.g.add_edge(arn, role, "HAS_IDENTITY", {"mechanism": "ECS task role"})
        for body in self.d.get("eks", "describe_cluster"):
            c = body["response"].get("cluster") or {}
            if not c.get("arn"):
                continue
            vpc = c.get("resourcesVpcConfig") or {}
            self.node(
                c["arn"],
                "EKSCluster",
                c.get("name", ""),
                body["region"],
                endpoint_public_access=vpc.get("endpointPublicAccess"),
                public_access_cidrs=vpc.get("publicAccessCidrs"),
            )

    # -- secrets --------------------------------------------------------------------------------
    def secrets(self) -> None:
        pols: dict[str, Any] = {}
        for body in self.d.get("secretsmanager", "get_resource_policy"):
            pol = body["response"].get("ResourcePolicy")
            if pol:
                pols[body["response"].get("ARN") or body["params"].get("SecretId", "")] = _doc(pol)
        for body in self.d.get("secretsmanager", "list_secrets"):
            for s in body["response"].get("SecretList", []):
                arn = s["ARN"]
                tags = _tags(s.get("Tags"))
                text = " ".join(
                    [
                        s.get("Name", ""),
                        s.get("Description", "") or "",
                        *tags.keys(),
                        *tags.values(),
                    ]
                )
                self.node(
                    arn,
                    "SecretsManagerSecret",
                    s.get("Name", arn),
                    body["region"],
                    ai_key=bool(AI_KEY_WORDS.search(text)),
                    tags=tags,
                    resource_policy=pols.get(arn),
                    cmk=bool(s.get("KmsKeyId")),
                )

    def kms(self) -> None:
        policies: dict[str, Any] = {}
        for body in self.d.get("kms", "get_key_policy"):
            policies[body["params"].get("KeyId", "")] = _doc(body["response"].get("Policy"))
        aliases: dict[str, list[str]] = defaultdict(list)
        for body in self.d.get("kms", "list_aliases"):
            for a in body["response"].get("Aliases", []):
                if a.get("TargetKeyId"):
                    aliases[a["TargetKeyId"]].append(a.get("AliasName", ""))
        for body in self.d.get("kms", "describe_key"):
            meta = body["response"].get("KeyMetadata") or {}
            if meta.get("KeyManager") != "CUSTOMER" or not meta.get("Arn"):
                continue
            kid = meta.get("KeyId", "")
            self.node(
                meta["Arn"],
                "KMSKey",
                (aliases.get(kid) or [kid])[0],
                body["region"],
                key_id=kid,
                aliases=aliases.get(kid, []),
                key_policy=policies.get(kid),
                state=meta.get("KeyState"),
            )

    def aoss(self) -> None:
        for body in self.d.get("opensearchserverless", "list_collections"):
            for c in body["response"].get("collectionSummaries", []):
                self.node(
                    c["arn"],
                    "OpenSearchServerlessCollection",
                    c.get("name", ""),
                    body["region"],
                    status=c.get("status"),
                )

    # -- SageMaker ------------------------------------------------------------------------------
    def sagemaker(self) -> None:
        for arn, r, region in self.described(
            "sagemaker", "describe_notebook_instance", "NotebookInstanceArn"
        ):
            self.node(
                arn,
                "SageMakerNotebookInstance",
                r.get("NotebookInstanceName", ""),
                region,
                root_access=r.get("RootAccess", "Enabled") == "Enabled",
                direct_internet_access=r.get("DirectInternetAccess", "Enabled") == "Enabled",
                cmk=bool(r.get("KmsKeyId")),
                subnet_id=r.get("SubnetId"),
                lifecycle_config=r.get("NotebookInstanceLifecycleConfigName"),
                role=r.get("RoleArn"),
            )
            self._has_role(arn, r.get("RoleArn"), "SageMaker notebook execution role")
        for arn, r, region in self.described("sagemaker", "describe_model", "ModelArn"):
            containers = [r.get("PrimaryContainer") or {}, *r.get("Containers", [])]
            artifact = next(
                (c.get("ModelDataUrl") for c in containers if c.get("ModelDataUrl")), None
            )
            self.node(
                arn,
                "SageMakerModel",
                r.get("ModelName", ""),
                region,
                network_isolation=bool(r.get("EnableNetworkIsolation")),
                artifact=artifact,
                execution_role=r.get("ExecutionRoleArn"),
                images=[c.get("Image") for c in containers if c.get("Image")],
            )
            loc = split_s3_uri(artifact or "")
            if loc:
                b = self.bucket(loc[0], "model-artifact", loc[1])
                self.edge(b, arn, "STORES_ARTIFACT", uri=artifact)
        cfg_models: dict[str, list[str]] = {}
        for body in self.d.get("sagemaker", "describe_endpoint_config"):
            r = body["response"]
            cfg_models[r.get("EndpointConfigName", "")] = [
                v.get("ModelName", "") for v in r.get("ProductionVariants", [])
            ]
        for arn, r, region in self.described("sagemaker", "describe_endpoint", "EndpointArn"):
            self.node(
                arn,
                "SageMakerEndpoint",
                r.get("EndpointName", ""),
                region,
                status=r.get("EndpointStatus"),
            )
            for model in cfg_models.get(r.get("EndpointConfigName", ""), []):
                marn = self._arn("sagemaker", region, f"model/{model.lower()}")
                self.edge(arn, marn, "SERVES")
        for arn, r, region in self.described(
            "sagemaker", "describe_training_job", "TrainingJobArn"
        ):
            self.node(
                arn,
                "SageMakerTrainingJob",
                r.get("TrainingJobName", ""),
                region,
                network_isolation=bool(r.get("EnableNetworkIsolation")),
                role=r.get("RoleArn"),
            )
            for ch in r.get("InputDataConfig", []):
                uri = ((ch.get("DataSource") or {}).get("S3DataSource") or {}).get("S3Uri", "")
                loc = split_s3_uri(uri)
                if loc:
                    self.edge(arn, self.bucket(loc[0], "training", loc[1]), "TRAINED_ON", uri=uri)
            out = split_s3_uri((r.get("OutputDataConfig") or {}).get("S3OutputPath", ""))
            if out:
                self.bucket(out[0], "model-artifact", out[1])
        for arn, r, region in self.described("sagemaker", "describe_domain", "DomainArn"):
            self.node(
                arn,
                "SageMakerDomain",
                r.get("DomainName", ""),
                region,
                app_network_access=r.get("AppNetworkAccessType"),
                public_internet=r.get("AppNetworkAccessType") == "PublicInternetOnly",
                execution_role=(r.get("DefaultUserSettings") or {}).get("ExecutionRole"),
            )

    def _has_role(self, src: str, role: str | None, mechanism: str) -> None:
        if role and self.g.has_node(role):
            self.g.add_edge(src, role, "HAS_IDENTITY", {"mechanism": mechanism})

    # -- Bedrock --------------------------------------------------------------------------------
    def bedrock(self) -> None:
        logging_on: dict[str, bool] = {}
        for body in self.d.get("bedrock", "get_model_invocation_logging_configuration"):
            region = body["region"]
            cfg = body["response"].get("loggingConfig") or {}
            enabled = bool(cfg.get("s3Config") or cfg.get("cloudWatchConfig"))
            logging_on[region] = enabled
            self.node(
                self._arn("bedrock", region, "model-invocation-logging"),
                "BedrockInvocationLogging",
                f"invocation logging {region}",
                region,
                enabled=enabled,
            )
        for arn, r, region in self.described("bedrock", "get_custom_model", "modelArn"):
            uri = (r.get("trainingDataConfig") or {}).get("s3Uri", "")
            self.node(
                arn,
                "BedrockCustomModel",
                r.get("modelName", ""),
                region,
                model_name=r.get("modelName"),
                base_model=r.get("baseModelArn"),
                training_data=uri or None,
                cmk=bool(r.get("modelKmsKeyArn")),
                invocation_logging=logging_on.get(region),
            )
            loc = split_s3_uri(uri)
            if loc:
                self.edge(arn, self.bucket(loc[0], "training", loc[1]), "TRAINED_ON", uri=uri)
            out = split_s3_uri((r.get("outputDataConfig") or {}).get("s3Uri", ""))
            if out:
                self.bucket(out[0], "model-artifact", out[1])
        for body in self.d.get("bedrock", "list_provisioned_model_throughputs"):
            for pt in body["response"].get("provisionedModelSummaries", []):
                arn = pt.get("provisionedModelArn")
                if not arn:
                    continue
                self.node(
                    arn,
                    "BedrockProvisionedThroughput",
                    pt.get("provisionedModelName", ""),
                    body["region"],
                    model_name=pt.get("modelArn"),
                    invocation_logging=logging_on.get(body["region"]),
                )
                self.edge(arn, str(pt.get("modelArn")), "SERVES")
        for arn, r, region in self.described("bedrock", "get_guardrail", "guardrailArn"):
            filters = (r.get("contentPolicy") or {}).get("filters", [])
            prompt = any(
                f.get("type") == "PROMPT_ATTACK" and f.get("inputStrength", "NONE") != "NONE"
                for f in filters
            )
            self.node(
                arn,
                "BedrockGuardrail",
                r.get("name", ""),
                region,
                prompt_attack_filter=prompt,
                guardrail_id=r.get("guardrailId"),
            )

    def bedrock_agent(self) -> None:
        guardrails = {d.get("guardrail_id"): n for n, d in self.g.nodes("BedrockGuardrail")}
        agents: dict[str, str] = {}
        for body in self.d.get("bedrock-agent", "get_agent"):
            a = body["response"].get("agent") or {}
            arn = a.get("agentArn")
            if not arn:
                continue
            agents[a.get("agentId", "")] = arn
            g = a.get("guardrailConfiguration") or {}
            gid = g.get("guardrailIdentifier")
            self.node(
                arn,
                "BedrockAgent",
                a.get("agentName", ""),
                body["region"],
                model_name=a.get("foundationModel"),
                guardrail=gid,
                role=a.get("agentResourceRoleArn"),
                agent_id=a.get("agentId"),
            )
            if gid:
                self.edge(arn, guardrails.get(gid) or gid, "USES_GUARDRAIL")
        for body in self.d.get("bedrock-agent", "get_agent_action_group"):
            ag = body["response"].get("agentActionGroup") or {}
            agent = agents.get(ag.get("agentId", body["params"].get("agentId", "")))
            fn = (ag.get("actionGroupExecutor") or {}).get("lambda")
            if agent and fn:
                if not self.edge(
                    agent,
                    fn,
                    "INVOKES",
                    mechanism="agent action group",
                    action_group=ag.get("actionGroupName"),
                ):
                    self.warn(
                        f"action group {ag.get('actionGroupName')}",
                        f"Lambda {fn} was not collected",
                    )
                elif self.g.has_node(fn):
                    self.g.node(fn)["agent_action_group"] = True
        kbs: dict[str, str] = {}
        for body in self.d.get("bedrock-agent", "get_knowledge_base"):
            kb = body["response"].get("knowledgeBase") or {}
            arn = kb.get("knowledgeBaseArn")
            if not arn:
                continue
            kbs[kb.get("knowledgeBaseId", "")] = arn
            storage = kb.get("storageConfiguration") or {}
            coll = (storage.get("opensearchServerlessConfiguration") or {}).get("collectionArn")
            self.node(
                arn,
                "BedrockKnowledgeBase",
                kb.get("name", ""),
                body["region"],
                role=kb.get("roleArn"),
                vector_store=storage.get("type"),
                vector_collection=coll,
            )
            if coll and self.g.has_node(coll):
                self.g.node(coll)["data_role"] = ["grounding"]
                self.edge(arn, coll, "GROUNDED_ON", mechanism="vector store")
        for body in self.d.get("bedrock-agent", "list_agent_knowledge_bases"):
            agent = agents.get(body["params"].get("agentId", ""))
            for s in body["response"].get("agentKnowledgeBaseSummaries", []):
                kb_arn = kbs.get(s.get("knowledgeBaseId", ""))
                if agent and kb_arn:
                    self.edge(agent, kb_arn, "GROUNDED_ON", mechanism="agent knowledge base")
        for body in self.d.get("bedrock-agent", "get_data_source"):
            ds = body["response"].get("dataSource") or {}
            kb_arn = kbs.get(ds.get("knowledgeBaseId", body["params"].get("knowledgeBaseId", "")))
            cfg = (ds.get("dataSourceConfiguration") or {}).get("s3Configuration") or {}
            bucket_arn = cfg.get("bucketArn", "")
            if not kb_arn or not bucket_arn.startswith("arn:aws:s3:::"):
                continue
            prefixes = cfg.get("inclusionPrefixes") or [""]
            name = bucket_arn.removeprefix("arn:aws:s3:::")
            for prefix in prefixes:
                b = self.bucket(name, "grounding", prefix)
            self.edge(
                kb_arn,
                b,
                "GROUNDED_ON",
                mechanism="knowledge base S3 data source",
                data_source=ds.get("name"),
                prefixes=prefixes,
            )


@transform("aws")
def transform_aws(docs: list[Document], graph: Graph, ctx: BuildContext) -> None:
    by_account: dict[str, list[Document]] = defaultdict(list)
    for d in docs:
        by_account[d.scope].append(d)
    for account in sorted(by_account):
        AwsTransform(_Docs(by_account[account], ctx), graph, ctx).run()
