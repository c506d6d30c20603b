"""EC2 networking and instances, in the neutral firewall vocabulary of ``derive/exposure``.

Security groups become ``IpPermissionInbound`` rules, network ACLs a second, numbered layer
(``EC2NetworkAclRule``). ``public_ip`` is set only on a running instance whose subnet routes
to an internet gateway: an address with no route is not reachable.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from aispm_graph.transforms.aws.builder import AwsBuilder, tags_of
from aispm_graph.transforms.registry import service


@service(
    "aws",
    "ec2",
    reads=[
        ("ec2", "describe_vpcs"),
        ("ec2", "describe_internet_gateways"),
        ("ec2", "describe_subnets"),
        ("ec2", "describe_route_tables"),
        ("ec2", "describe_security_groups"),
        ("ec2", "describe_network_acls"),
        ("ec2", "describe_instances"),
    ],
    order=40,
)
def ec2(b: AwsBuilder) -> None:
    """Network, then instances (which need routes, groups and ACLs); fills ``instance_ids``."""
    for body, i, vpc in b.items("ec2", "describe_vpcs", "Vpcs"):
        with b.guard("describe_vpcs", vpc, index=i):
            region = body["region"]
            b.node(
                b.arn("ec2", region, f"vpc/{vpc['VpcId']}"),
                "AWSVpc",
                vpc["VpcId"],
                region,
                cidr=vpc.get("CidrBlock"),
            )
    igws: set[str] = set()
    for body, i, igw in b.items("ec2", "describe_internet_gateways", "InternetGateways"):
        with b.guard("describe_internet_gateways", igw, index=i):
            region = body["region"]
            arn = b.arn("ec2", region, f"internet-gateway/{igw['InternetGatewayId']}")
            b.node(arn, "AWSInternetGateway", igw["InternetGatewayId"], region)
            igws.add(igw["InternetGatewayId"])
    routed = _routed_subnets(b)
    for body, i, sn in b.items("ec2", "describe_subnets", "Subnets"):
        with b.guard("describe_subnets", sn, index=i):
            region = body["region"]
            sid = sn["SubnetId"]
            arn = sn.get("SubnetArn") or b.arn("ec2", region, f"subnet/{sid}")
            igw = routed.get(sid)
            b.node(
                arn,
                "EC2Subnet",
                sid,
                region,
                cidr=sn.get("CidrBlock"),
                internet_route=bool(igw),
                internet_gateway=igw,
            )
            b.edge(arn, b.arn("ec2", region, f"vpc/{sn.get('VpcId')}"), "ATTACHED_TO")
            if igw:
                b.edge(
                    arn,
                    b.arn("ec2", region, f"internet-gateway/{igw}"),
                    "ROUTES_TO",
                    route="0.0.0.0/0",
                )
    for body, i, sg in b.items("ec2", "describe_security_groups", "SecurityGroups"):
        with b.guard("describe_security_groups", sg, index=i):
            _security_group(b, body["region"], sg)
    nacl_of = _nacls(b)
    for body, r, res in b.items("ec2", "describe_instances", "Reservations"):
        instances: Any = []
        with b.guard("describe_instances", res, index=r):
            instances = res.get("Instances", [])
        for i, inst in enumerate(instances if isinstance(instances, list) else []):
            with b.guard("describe_instances", inst, index=i):
                _instance(b, body["region"], inst, routed, nacl_of)


def _routed_subnets(b: AwsBuilder) -> dict[str, str]:
    """Subnet id -> internet gateway its route table sends the default route to."""
    subnets_of_vpc: dict[str, set[str]] = defaultdict(set)
    for _body, i, sn in b.items("ec2", "describe_subnets", "Subnets"):
        with b.guard("describe_subnets", sn, index=i):
            subnets_of_vpc[sn.get("VpcId", "")].add(sn["SubnetId"])
    explicit: dict[str, str] = {}
    main: dict[str, str] = {}
    tables: dict[str, str | None] = {}
    for _body, i, rt in b.items("ec2", "describe_route_tables", "RouteTables"):
        with b.guard("describe_route_tables", rt, index=i):
            rid = rt["RouteTableId"]
            gw = None
            for route in rt.get("Routes", []):
                dest = route.get("DestinationCidrBlock") or route.get("DestinationIpv6CidrBlock")
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


def _security_group(b: AwsBuilder, region: str, sg: dict[str, Any]) -> None:
    arn = b.arn("ec2", region, f"security-group/{sg['GroupId']}")
    b.node(
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
        label = f"{proto if proto != '-1' else 'all'}/{ports[0]} from " + ", ".join(sources + refs)
        b.node(
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
        b.graph.add_edge(arn, rule_id, "HAS_RULE")


def _nacls(b: AwsBuilder) -> dict[str, str]:
    """Write network ACLs as numbered firewall rules; returns subnet id -> ACL ARN."""
    of: dict[str, str] = {}
    for body, i, acl in b.items("ec2", "describe_network_acls", "NetworkAcls"):
        with b.guard("describe_network_acls", acl, index=i):
            region = body["region"]
            arn = b.arn("ec2", region, f"network-acl/{acl['NetworkAclId']}")
            b.node(arn, "EC2NetworkAcl", acl["NetworkAclId"], region, default=acl.get("IsDefault"))
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
                b.node(
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
                b.graph.add_edge(arn, rid, "HAS_RULE")
            for assoc in acl.get("Associations", []):
                if assoc.get("SubnetId"):
                    of[assoc["SubnetId"]] = arn
    return of


def _instance(
    b: AwsBuilder,
    region: str,
    inst: dict[str, Any],
    routed: dict[str, str],
    nacl_of: dict[str, str],
) -> None:
    iid = inst["InstanceId"]
    arn = b.arn("ec2", region, f"instance/{iid}")
    b.instance_ids[iid] = arn
    meta = inst.get("MetadataOptions") or {}
    imds_v1 = (
        meta.get("HttpEndpoint", "enabled") != "disabled"
        and meta.get("HttpTokens", "optional") != "required"
    )
    subnet = inst.get("SubnetId", "")
    address = inst.get("PublicIpAddress")
    tags = tags_of(inst.get("Tags"))
    state = (inst.get("State") or {}).get("Name")
    reachable = bool(address) and subnet in routed and state in {None, "running", "pending"}
    b.node(
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
    b.edge(arn, b.arn("ec2", region, f"subnet/{subnet}"), "ATTACHED_TO")
    groups = {g["GroupId"] for g in inst.get("SecurityGroups", [])}
    for eni in inst.get("NetworkInterfaces", []):
        groups |= {g["GroupId"] for g in eni.get("Groups", [])}
    for gid in sorted(groups):
        b.edge(
            arn,
            b.arn("ec2", region, f"security-group/{gid}"),
            "PROTECTED_BY",
            layer="security-group",
        )
    if subnet in nacl_of:
        b.edge(arn, nacl_of[subnet], "PROTECTED_BY", layer="network-acl")
    prof = (inst.get("IamInstanceProfile") or {}).get("Arn")
    if prof:
        b.graph.set_prop(arn, "instance_profile", prof)
