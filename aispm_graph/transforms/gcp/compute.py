"""Compute Engine: networks, subnetworks, instances, firewalls and forwarding rules.

Firewalls are written in the neutral vocabulary of :mod:`aispm_graph.derive.exposure`; the
``PROTECTED_BY`` edges GCP's targeting implies (network, target tags, target service accounts,
or every instance of the network) are added when the build finishes, once every VM-like node
(instances, Workbench, Colab runtimes) is known. ``public_ip`` comes from an access config or
an external passthrough forwarding rule."""

from __future__ import annotations

from typing import Any

from aispm_graph.transforms.gcp.builder import (
    COMPUTE,
    GOOGLE_SOURCE_RANGES,
    Compute,
    GcpBuilder,
    compute_path,
    location_of,
    proto_ports,
)
from aispm_graph.transforms.registry import service

FIREWALL = "compute.googleapis.com/Firewall"
FORWARDING_RULE = "compute.googleapis.com/ForwardingRule"
GLOBAL_FORWARDING_RULE = "compute.googleapis.com/GlobalForwardingRule"
INSTANCE = "compute.googleapis.com/Instance"
NETWORK = "compute.googleapis.com/Network"
SUBNETWORK = "compute.googleapis.com/Subnetwork"


@service(
    "gcp",
    "compute",
    reads=[FIREWALL, FORWARDING_RULE, GLOBAL_FORWARDING_RULE, INSTANCE, NETWORK, SUBNETWORK],
    order=20,
)
def compute(b: GcpBuilder) -> None:
    """Networks before instances (subnet links); forwarding rules after instances (targets)."""
    b.each((NETWORK,), _network)
    b.each((SUBNETWORK,), _subnetwork)
    b.each((INSTANCE,), _instance)
    b.each((FIREWALL,), _firewall)
    b.each((FORWARDING_RULE, GLOBAL_FORWARDING_RULE), _forwarding_rule)


def _instance(b: GcpBuilder, asset: dict[str, Any]) -> None:
    data = asset["resource"]["data"]
    nics = [n for n in data.get("networkInterfaces") or [] if isinstance(n, dict)]
    public_ips: list[str] = []
    public_networks: set[str] = set()
    networks: set[str] = set()
    for nic in nics:
        net = compute_path(str(nic.get("network") or ""))
        networks.add(net)
        for ac in (nic.get("accessConfigs") or []) + (nic.get("ipv6AccessConfigs") or []):
            ip = ac.get("natIP") or ac.get("externalIpv6")
            if ip:
                public_ips.append(str(ip))
                public_networks.add(net)
    tags_obj = data.get("tags") or {}
    tags = [str(t) for t in (tags_obj.get("items") or tags_obj.get("tag") or [])]
    sas = [sa for sa in data.get("serviceAccounts") or [] if isinstance(sa, dict)]
    licenses = " ".join(
        str(lic) for d in data.get("disks") or [] for lic in d.get("licenses") or []
    )
    dlvm = "deeplearning-platform-release" in licenses
    node = b.add(
        asset,
        "GCPInstance",
        str(data.get("name") or asset["name"].rsplit("/", 1)[-1]),
        public_ip=public_ips[0] if public_ips else None,
        public_ips=public_ips or None,
        network_tags=tags,
        status=data.get("status"),
        service_accounts=[str(sa.get("email")) for sa in sas if sa.get("email")],
        deep_learning_image=dlvm or None,
        # Deep Learning VM images ship JupyterLab and ML frameworks: shadow AI by image.
        ai_libraries=["jupyter"] if dlvm else None,
        region=location_of(asset["name"]),
    )
    b.computes.append(
        Compute(
            node,
            public_networks or networks,
            set(tags),
            {str(sa.get("email")) for sa in sas if sa.get("email")},
        )
    )
    for nic in nics:
        sub = nic.get("subnetwork")
        if sub:
            sub_id = COMPUTE + compute_path(str(sub))
            if b.graph.has_node(sub_id) or b.ensure(sub_id, "GCPSubnetwork"):
                b.edge(node, sub_id, "ATTACHED_TO")
    for sa in sas:
        b.identity(
            node,
            sa.get("email"),
            "attached service account (metadata server token)",
            scopes=[str(s) for s in sa.get("scopes") or []],
        )


def _firewall(b: GcpBuilder, asset: dict[str, Any]) -> None:
    data = asset["resource"]["data"]
    entries = [("allow", e) for e in data.get("allowed") or []] + [
        ("deny", e) for e in data.get("denied") or []
    ]
    direction = (
        "inbound" if str(data.get("direction", "INGRESS")).upper() == "INGRESS" else "outbound"
    )
    sources = [str(s) for s in data.get("sourceRanges") or []]
    source_tags = [str(s) for s in data.get("sourceTags") or []]
    source_sas = [str(s) for s in data.get("sourceServiceAccounts") or []]
    if direction == "inbound" and not (sources or source_tags or source_sas):
        sources = ["0.0.0.0/0"]  # GCP's default source for an ingress rule
    sources = [GOOGLE_SOURCE_RANGES.get(src, src) for src in sources]
    common = {
        "direction": direction,
        "priority": int(data.get("priority", 1000)),
        "source_prefixes": sources,
        "source_tags": source_tags or None,
        "source_service_accounts": source_sas or None,
        "network": compute_path(str(data.get("network") or "")),
        "target_tags": [str(t) for t in data.get("targetTags") or []] or None,
        "target_service_accounts": [str(t) for t in data.get("targetServiceAccounts") or []]
        or None,
        "disabled": bool(data.get("disabled", False)),
        "log_enabled": bool((data.get("logConfig") or {}).get("enable", False)),
    }
    name = str(data.get("name") or asset["name"].rsplit("/", 1)[-1])
    if not entries:
        b.ctx.warn(f"gcp: {asset['name']}: firewall with no allowed/denied entry; kept inert")
        entries = [("deny", {"IPProtocol": "none"})]
    first, *rest = [(access, *proto_ports(e)) for access, e in entries]
    node = b.add(
        asset,
        "GCPFirewall",
        name,
        access=first[0],
        protocol=first[1],
        port_ranges=first[2],
        **common,
    )
    for i, (access, proto, ports) in enumerate(rest, 1):
        rule_id = f"{node}#{access}-{i}"
        b.graph.add_node(
            rule_id,
            "GCPFirewallRule",
            f"{name} #{i}",
            access=access,
            protocol=proto,
            port_ranges=ports,
            tenant=b.graph.node(node).get("tenant"),
            **common,
        )
        b.edge(node, rule_id, "HAS_RULE")
    b.firewalls.append((node, common))


def _network(b: GcpBuilder, asset: dict[str, Any]) -> None:
    data = asset["resource"]["data"]
    b.add(asset, "GCPNetwork", str(data.get("name") or asset["name"].rsplit("/", 1)[-1]))


def _subnetwork(b: GcpBuilder, asset: dict[str, Any]) -> None:
    data = asset["resource"]["data"]
    node = b.add(
        asset,
        "GCPSubnetwork",
        str(data.get("name") or asset["name"].rsplit("/", 1)[-1]),
        ip_cidr_range=data.get("ipCidrRange"),
        private_google_access=data.get("privateIpGoogleAccess"),
    )
    net = data.get("network")
    if net:
        net_id = COMPUTE + compute_path(str(net))
        b.ensure(net_id, "GCPNetwork")
        b.edge(node, net_id, "ATTACHED_TO")


def _forwarding_rule(b: GcpBuilder, asset: dict[str, Any]) -> None:
    data = asset["resource"]["data"]
    scheme = str(data.get("loadBalancingScheme") or "EXTERNAL")
    node = b.add(
        asset,
        "GCPForwardingRule",
        str(data.get("name") or asset["name"].rsplit("/", 1)[-1]),
        ip_address=data.get("IPAddress"),
        load_balancing_scheme=scheme,
        ip_protocol=data.get("IPProtocol"),
        port_range=data.get("portRange"),
        ports=data.get("ports"),
    )
    if scheme != "EXTERNAL" or not data.get("target"):
        return  # proxy load balancers terminate traffic; their backends are not modelled
    for inst_path in b.target_instances.get(compute_path(b.canon(str(data["target"]))), []):
        inst_id = COMPUTE + inst_path
        if not b.graph.has_node(inst_id):
            continue
        b.edge(node, inst_id, "ROUTES_TO", scheme=scheme)
        inst = b.graph.node(inst_id)
        if not inst.get("public_ip") and data.get("IPAddress"):
            b.graph.update_props(
                inst_id,
                public_ip=str(data["IPAddress"]),
                public_ip_via=b.graph.node(node)["name"],
            )
