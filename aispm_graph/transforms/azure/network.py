"""Networking in the neutral firewall vocabulary of :mod:`aispm_graph.derive.exposure`.

Each NSG's rules (its own and Azure's default rules) become ``AzureNSGRule`` nodes; virtual
networks, subnets, public IPs, NICs, private endpoints and load balancers are nodes whose
addresses and references the compute service reads to decide what is exposed."""

from __future__ import annotations

from functools import partial

from aispm_graph.knowledge.azure.arm import parent_of, subscription_of
from aispm_graph.transforms.azure.builder import (
    DEFAULT_INBOUND,
    AzureBuilder,
    Res,
    obj,
    props,
    ref_id,
)
from aispm_graph.transforms.registry import service


@service(
    "azure",
    "network",
    reads=[
        "microsoft.network/networksecuritygroups",
        "microsoft.network/virtualnetworks",
        "microsoft.network/virtualnetworks/subnets",
        "microsoft.network/publicipaddresses",
        "microsoft.network/networkinterfaces",
        "microsoft.network/privateendpoints",
        "microsoft.network/loadbalancers",
    ],
    order=20,
)
def network(b: AzureBuilder) -> None:
    """Before compute: public addresses, NIC and subnet NSGs are read by the VM layers."""
    for rid, res in b.resources("microsoft.network/networksecuritygroups"):
        b.guarded(rid, "networkSecurityGroup", partial(_nsg, b, rid, res))
    for rid, res in b.resources("microsoft.network/virtualnetworks"):

        def _one(rid: str = rid, res: Res = res) -> None:
            b.resource_node(
                rid,
                "AzureVirtualNetwork",
                res,
                address_prefixes=(props(res).get("addressSpace") or {}).get("addressPrefixes"),
            )

        b.guarded(rid, "microsoft.network/virtualnetworks", _one)
    for rid, res in b.resources("microsoft.network/virtualnetworks/subnets"):

        def _one(rid: str = rid, res: Res = res) -> None:
            p = props(res)
            b.resource_node(rid, "AzureSubnet", res, address_prefix=p.get("addressPrefix"))
            b.edge(rid, parent_of(rid), "ATTACHED_TO")
            nsg = ref_id(p.get("networkSecurityGroup"))
            if nsg:
                b.subnet_nsg[rid] = nsg

        b.guarded(rid, "microsoft.network/virtualnetworks/subnets", _one)
    for rid, res in b.resources("microsoft.network/publicipaddresses"):

        def _one(rid: str = rid, res: Res = res) -> None:
            p = props(res)
            addr = p.get("ipAddress")
            b.resource_node(
                rid,
                "AzurePublicIPAddress",
                res,
                ip_address=addr,
                sku=(res.get("sku") or {}).get("name"),
                allocation=p.get("publicIPAllocationMethod"),
            )
            if addr:
                b.pip_address[rid] = str(addr)
            # Before the Standard SKU, public IPs were Basic; an absent SKU means Basic.
            b.pip_sku[rid] = str(obj(res.get("sku")).get("name") or "Basic")

        b.guarded(rid, "microsoft.network/publicipaddresses", _one)
    for rid, res in b.resources("microsoft.network/networkinterfaces"):
        b.guarded(rid, "networkInterface", partial(_nic, b, rid, res))
    for rid, res in b.resources("microsoft.network/privateendpoints"):

        def _one(rid: str = rid, res: Res = res) -> None:
            p = props(res)
            targets = [
                ref_id(c.get("properties", {}).get("privateLinkServiceId"))
                for c in (p.get("privateLinkServiceConnections") or [])
                + (p.get("manualPrivateLinkServiceConnections") or [])
                if isinstance(c, dict)
            ]
            b.resource_node(
                rid, "AzurePrivateEndpoint", res, targets=[t for t in targets if t] or None
            )
            b.edge(rid, ref_id(p.get("subnet")), "ATTACHED_TO")

        b.guarded(rid, "microsoft.network/privateendpoints", _one)
    for rid, res in b.resources("microsoft.network/loadbalancers"):

        def _one(rid: str = rid, res: Res = res) -> None:
            b.resource_node(rid, "AzureLoadBalancer", res, sku=(res.get("sku") or {}).get("name"))

        b.guarded(rid, "microsoft.network/loadbalancers", _one)


def _nsg(b: AzureBuilder, rid: str, res: Res) -> None:
    b.resource_node(rid, "AzureNetworkSecurityGroup", res)
    p = props(res)
    rules = [r for r in (p.get("securityRules") or []) if isinstance(r, dict)]
    defaults = [r for r in (p.get("defaultSecurityRules") or []) if isinstance(r, dict)]
    for rule in rules + defaults:
        _nsg_rule(b, rid, rule, default=rule in defaults)
    have = {str(r.get("name", "")).lower() for r in defaults}
    for name, prio, access, src in DEFAULT_INBOUND:
        if name.lower() in have:
            continue
        rule_id = f"{rid}/defaultsecurityrules/{name.lower()}"
        b.graph.add_node(
            rule_id,
            "AzureNSGRule",
            name,
            access=access,
            direction="inbound",
            priority=prio,
            protocol="*",
            port_ranges=["*"],
            source_prefixes=src,
            default_rule=True,
            tenant=subscription_of(rid) or None,
        )
        b.edge(rid, rule_id, "HAS_RULE")


def _nsg_rule(b: AzureBuilder, nsg: str, rule: Res, default: bool) -> None:
    rp = props(rule)
    name = str(rule.get("name") or "rule")
    rule_id = ref_id(rule) or f"{nsg}/securityrules/{name.lower()}"
    ports = [rp.get("destinationPortRange"), *list(rp.get("destinationPortRanges") or [])]
    sources = [rp.get("sourceAddressPrefix"), *list(rp.get("sourceAddressPrefixes") or [])]
    asgs = [ref_id(a) for a in rp.get("sourceApplicationSecurityGroups") or []]
    prio = rp.get("priority")
    b.graph.add_node(
        rule_id,
        "AzureNSGRule",
        name,
        access=str(rp.get("access", "")).lower() or None,
        direction=str(rp.get("direction", "")).lower() or None,
        priority=int(prio) if isinstance(prio, int | float | str) and str(prio).isdigit() else None,
        protocol=str(rp.get("protocol") or "*").lower(),
        port_ranges=[str(x) for x in ports if x not in (None, "")] or ["*"],
        source_prefixes=[str(x) for x in sources if x not in (None, "")]
        or (["ApplicationSecurityGroup"] if asgs else []),
        source_application_security_groups=[a for a in asgs if a] or None,
        default_rule=default,
        tenant=subscription_of(nsg) or None,
    )
    b.edge(nsg, rule_id, "HAS_RULE")


def _nic(b: AzureBuilder, rid: str, res: Res) -> None:
    p = props(res)
    public = None
    for ipc in p.get("ipConfigurations") or []:
        pip = ref_id(props(ipc).get("publicIPAddress"))
        if pip:
            public = b.pip_address.get(pip) or public
    b.resource_node(rid, "AzureNetworkInterface", res, public_ip=public)
    for ipc in p.get("ipConfigurations") or []:
        ipp = props(ipc)
        b.edge(rid, ref_id(ipp.get("subnet")), "ATTACHED_TO")
        pip = ref_id(ipp.get("publicIPAddress"))
        b.edge(rid, pip, "ATTACHED_TO")
    if public:
        b.public_nics[rid] = public
