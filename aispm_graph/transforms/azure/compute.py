"""Virtual machines and scale sets, their identities and the network layers in front of them.

A VM is ``PROTECTED_BY`` the NSG of each NIC that carries a public IP (evidence ``layer: nic``)
and of that NIC's subnet (``layer: subnet``). A public load balancer that forwards to the NIC
counts as a public IP and adds a third layer that admits only the ports it forwards."""

from __future__ import annotations

from functools import partial

from aispm_graph.transforms.azure.builder import AzureBuilder, Res, props, ref_id
from aispm_graph.transforms.registry import service


@service(
    "azure",
    "compute",
    reads=[
        "microsoft.compute/virtualmachines",
        "microsoft.compute/virtualmachinescalesets",
        "microsoft.network/networkinterfaces",
        "microsoft.network/loadbalancers",
    ],
    order=30,
)
def compute(b: AzureBuilder) -> None:
    """After network (addresses, NSGs) and managed identities."""
    lb_ports = b.public_lb_ports()
    nics = dict(b.resources("microsoft.network/networkinterfaces"))
    for rid, res in b.resources("microsoft.compute/virtualmachines"):
        b.guarded(rid, "virtualMachine", partial(_vm, b, rid, res, nics, lb_ports))
    for rid, res in b.resources("microsoft.compute/virtualmachinescalesets"):
        b.guarded(
            rid,
            "virtualMachineScaleSet",
            partial(_vmss, b, rid, res, lb_ports),
        )


def _vm(
    b: AzureBuilder,
    rid: str,
    res: Res,
    nics: dict[str, Res],
    lb_ports: dict[str, list[tuple[str, str, str, str]]],
) -> None:
    p = props(res)
    nic_ids = [ref_id(n) for n in (p.get("networkProfile") or {}).get("networkInterfaces") or []]
    public = next((b.public_nics[n] for n in nic_ids if n in b.public_nics), None)
    lb_public = [n for n in nic_ids if n in lb_ports]
    if not public and lb_public:
        public = b.graph.node(lb_ports[lb_public[0]][0][0]).get("public_ip")
    image = (p.get("storageProfile") or {}).get("imageReference") or {}
    b.resource_node(
        rid,
        "AzureVirtualMachine",
        res,
        public_ip=public,
        vm_size=(p.get("hardwareProfile") or {}).get("vmSize"),
        os_type=((p.get("storageProfile") or {}).get("osDisk") or {}).get("osType"),
        image=":".join(str(image.get(k)) for k in ("publisher", "offer", "sku") if image.get(k))
        or None,
    )
    b.identities(rid, res)
    for nic_id in nic_ids:
        b.edge(nic_id, rid, "ATTACHED_TO")
        nic = nics.get(nic_id)
        if nic is None:
            continue
        if nic_id in b.public_nics:
            b.nic_layers(rid, nic, nic_id)
        elif nic_id in lb_ports and not any(n in b.public_nics for n in nic_ids):
            b.nic_layers(rid, nic, nic_id)
            b.lb_layer(rid, lb_ports[nic_id])


def _vmss(
    b: AzureBuilder, rid: str, res: Res, lb_ports: dict[str, list[tuple[str, str, str, str]]]
) -> None:
    p = props(res)
    netprof = (p.get("virtualMachineProfile") or {}).get("networkProfile") or {}
    configs = netprof.get("networkInterfaceConfigurations") or []
    public = None
    pooled: list[str] = []
    for cfg in configs:
        for ipc in props(cfg).get("ipConfigurations") or []:
            ipp = props(ipc)
            if ipp.get("publicIPAddressConfiguration"):
                public = public or "per-instance public IP"
            pooled += [ref_id(x) for x in ipp.get("loadBalancerBackendAddressPools") or []]
    lb_forwards = []
    for lb_id, lb in b.resources("microsoft.network/loadbalancers"):
        lbp = props(lb)
        fe_public = {
            ref_id(fe)
            for fe in lbp.get("frontendIPConfigurations") or []
            if ref_id(props(fe).get("publicIPAddress"))
        }
        for rule in lbp.get("loadBalancingRules") or []:
            rp = props(rule)
            if (
                ref_id(rp.get("frontendIPConfiguration")) in fe_public
                and ref_id(rp.get("backendAddressPool")) in pooled
            ):
                lb_forwards.append(
                    (
                        lb_id,
                        str(rule.get("name")),
                        str(rp.get("protocol", "*")),
                        str(rp.get("backendPort", "*")),
                    )
                )
    if not public and lb_forwards:
        public = (
            b.graph.node(lb_forwards[0][0]).get("public_ip")
            if b.graph.has_node(lb_forwards[0][0])
            else None
        )
    b.resource_node(
        rid,
        "AzureVMScaleSet",
        res,
        public_ip=public,
        capacity=(res.get("sku") or {}).get("capacity"),
    )
    b.identities(rid, res)
    if public:
        for cfg in configs:
            b.nic_layers(
                rid,
                cfg,
                f"{rid}/networkinterfaceconfigurations/{str(cfg.get('name', '')).lower()}",
                ref_id(props(cfg).get("networkSecurityGroup")),
            )
        if lb_forwards and "per-instance" not in str(public):
            b.lb_layer(rid, lb_forwards)
