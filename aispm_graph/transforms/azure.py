"""The ``azure`` source: raw ARM resources (collected or Resource Graph rows) into the graph.

Every document is one ARM resource as Azure returned it. Its type is read from its id (see
:mod:`aispm_graph.providers.azure.arm`), so REST responses and lower-cased Resource Graph rows
land on the same code. Nodes are made first for every resource, then the edges between them,
so the order documents arrive in never matters.

Network exposure is described in the neutral firewall vocabulary of
:mod:`aispm_graph.derive.exposure`: each NSG's rules (its own and Azure's default rules) become
``AzureNSGRule`` nodes, and a VM is ``PROTECTED_BY`` the NSG of each NIC that carries a public IP
(evidence ``layer: nic``) and of that NIC's subnet (``layer: subnet``). A public load balancer
that forwards to the NIC counts as a public IP and adds a third layer that admits only the
ports it forwards.

System-assigned managed identities have no resource id of their own; their node id is the
owner's id plus ``/identities/system`` (lower case), which keeps one identity per owner and
makes the owner visible in the id.
"""

from __future__ import annotations

import ipaddress
from collections import defaultdict
from collections.abc import Callable
from functools import partial
from typing import Any
from urllib.parse import urlparse

from aispm_graph.build import BuildContext, transform
from aispm_graph.external import add_external_account
from aispm_graph.graph.model import Graph, SchemaError
from aispm_graph.providers.azure.arm import (
    MG_PREFIX,
    name_of,
    norm,
    parent_of,
    resource_group_of,
    resource_type,
    subscription_id_of,
    subscription_of,
)
from aispm_graph.providers.azure.directory import (
    MEMBERS_FIELD,
    PrincipalInfo,
    classify_principal,
)
from aispm_graph.providers.azure.roles import builtin_roles, from_arm, role_guid
from aispm_graph.workspace import Document

SYSTEM_IDENTITY = "/identities/system"

# Azure's default inbound rules, added when a response does not list them (Resource Graph rows
# and older REST examples omit ``defaultSecurityRules``), so evaluation matches Azure.
DEFAULT_INBOUND = (
    ("AllowVnetInBound", 65000, "allow", ["VirtualNetwork"]),
    ("AllowAzureLoadBalancerInBound", 65001, "allow", ["AzureLoadBalancer"]),
    ("DenyAllInBound", 65500, "deny", ["*"]),
)

TAG_DATA_ROLE = "aispm:data-role"
AI_ACCOUNT_KINDS = {"openai", "aiservices"}

Res = dict[str, Any]


def props(res: Res) -> dict[str, Any]:
    p = res.get("properties")
    return p if isinstance(p, dict) else {}


def _obj(value: Any) -> dict[str, Any]:
    """The value if it is a JSON object, else an empty one (hostile or missing fields)."""
    return value if isinstance(value, dict) else {}


def ref_id(obj: Any) -> str:
    """The lower-cased id of an ARM ``{"id": ...}`` reference, or ''."""
    if isinstance(obj, dict) and isinstance(obj.get("id"), str):
        return norm(obj["id"])
    if isinstance(obj, str):
        return norm(obj)
    return ""


def _enabled(value: Any, default: bool = True) -> bool:
    """ARM switches come as 'Enabled'/'Disabled' strings (any case), booleans or null."""
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() not in {"disabled", "false", "deny", "securedbyperimeter"}


def _common(res: Res) -> dict[str, Any]:
    rid = norm(res["id"])
    tags = res.get("tags") if isinstance(res.get("tags"), dict) else None
    return {
        "region": res.get("location"),
        "tenant": subscription_of(rid) or None,
        "tags": tags or None,
        "arm_type": resource_type(rid),
    }


def _tag_roles(res: Res) -> list[str]:
    tags = _obj(res.get("tags"))
    raw = next((v for k, v in tags.items() if str(k).lower() == TAG_DATA_ROLE), None)
    return [r.strip().lower() for r in str(raw).split(",") if r.strip()] if raw else []


class AzureBuilder:
    """Turns one build's Azure documents into nodes and edges (two passes: nodes, then edges)."""

    def __init__(self, graph: Graph, ctx: BuildContext) -> None:
        self.g = graph
        self.ctx = ctx
        self.by_type: dict[str, dict[str, Res]] = defaultdict(dict)
        # Every scope a resource was listed under: an assignment made at a management group is
        # listed by each subscription it reaches, and each listing is evidence of that reach.
        self.doc_scopes: dict[str, set[str]] = defaultdict(set)
        self.directory: dict[str, Res] = {}  # Entra object id -> Graph directory object
        self.sub_entities: dict[str, Res] = {}  # subscription id -> getEntities row
        self.pip_address: dict[str, str] = {}
        self.public_nics: dict[str, str] = {}  # nic id -> public address
        self.subnet_nsg: dict[str, str] = {}
        self.pip_sku: dict[str, str] = {}

    # -- intake -------------------------------------------------------------------------------
    def add_documents(self, docs: list[Document]) -> None:
        for doc in docs:
            body = doc.body
            where = f"azure:{doc.scope}:{doc.key}"
            if not isinstance(body, dict):
                self.ctx.warn(f"{where}: document is not a JSON object; skipped")
                continue
            if str(body.get("@odata.type") or "").lower().startswith("#microsoft.graph."):
                oid = body.get("id")
                if isinstance(oid, str) and oid.strip():
                    self.directory[oid.strip().lower()] = body
                else:
                    self.ctx.warn(f"{where}: directory object: field 'id' missing; skipped")
                continue
            rid = body.get("id")
            if not isinstance(rid, str) or not rid.startswith("/"):
                self.ctx.warn(f"{where}: field 'id': missing or not an ARM resource id; skipped")
                continue
            rtype = resource_type(rid)
            if not rtype:
                self.ctx.warn(f"{where}: field 'id': cannot tell the resource type of {rid!r}")
                continue
            if rtype == "subscriptions" and str(body.get("type") or "") == "/subscriptions":
                # A getEntities row: the subscription's place in the management-group tree,
                # not its record (which keeps its own shape in by_type).
                self.sub_entities[norm(rid)] = body
                self.doc_scopes[norm(rid)].add(doc.scope)
                continue
            self.by_type[rtype][norm(rid)] = body
            self.doc_scopes[norm(rid)].add(doc.scope)
            # Subnets arrive inside their virtual network; index them as resources too.
            if rtype == "microsoft.network/virtualnetworks":
                for sn in props(body).get("subnets") or []:
                    if isinstance(sn, dict) and isinstance(sn.get("id"), str):
                        self.by_type["microsoft.network/virtualnetworks/subnets"][
                            norm(sn["id"])
                        ] = sn

    def items(self, rtype: str) -> list[tuple[str, Res]]:
        return sorted(self.by_type.get(rtype, {}).items())

    def node(self, rid: str, kind: str, res: Res | None, **extra: Any) -> None:
        name = extra.pop("name", None) or (res or {}).get("name") or name_of(rid)
        base = _common(res) if res else {"tenant": subscription_of(rid) or None}
        base.update(extra)
        self.g.add_node(rid, kind, str(name), **base)

    def edge(self, src: str, dst: str, kind: str, **evidence: Any) -> None:
        if self.g.has_node(src) and self.g.has_node(dst):
            self.g.add_edge(src, dst, kind, evidence)

    def _guard(self, rid: str, what: str, fn: Callable[[], None]) -> None:
        """Run one resource's handler; a malformed record is skipped with a warning."""
        try:
            fn()
        except (AttributeError, TypeError, ValueError, KeyError, SchemaError) as exc:
            self.ctx.warn(f"azure: {rid}: {what}: {type(exc).__name__}: {exc}; skipped")

    # -- pass 1: nodes ------------------------------------------------------------------------
    def build(self) -> None:
        self._tenancy()
        self._hierarchy()
        for rid, res in self.items("microsoft.managedidentity/userassignedidentities"):
            self._guard(rid, "identity", partial(self._identity, rid, res))
        self._network_nodes()
        self._compute()
        self._ai_accounts()
        self._data_stores()
        self._ml()
        self._rbac_nodes()
        self._containment()
        self._connection_targets()
        self._directory()
        unknown = sum(len(v) for t, v in self.by_type.items() if t not in HANDLED_TYPES)
        self.ctx.stats["azure.unmodelled_resources"] += unknown

    def _identity(self, rid: str, res: Res) -> None:
        p = props(res)
        self.node(
            rid,
            "AzureManagedIdentity",
            res,
            principal_id=p.get("principalId"),
            client_id=p.get("clientId"),
            identity_type="UserAssigned",
        )

    def _tenancy(self) -> None:
        subs: set[str] = set()
        rgs: set[str] = set()
        for items in self.by_type.values():
            for rid in items:
                if subscription_id_of(rid):
                    subs.add(subscription_id_of(rid))
                if resource_group_of(rid):
                    rgs.add(resource_group_of(rid))
        listed_only = set(self.sub_entities) - subs
        subs.update(self.sub_entities)
        for sub in sorted(subs):
            res = self.by_type.get("subscriptions", {}).get(sub)
            entity = props(self.sub_entities.get(sub) or {})
            self.node(
                sub,
                "AzureSubscription",
                res,
                name=(res or {}).get("displayName") or entity.get("displayName"),
                azure_tenant_id=(res or {}).get("tenantId") or entity.get("tenantId"),
                # seen only in the management-group tree: its resources are unknown
                collected=False if sub in listed_only else None,
            )
            self.g.node(sub).setdefault("subscription_id", subscription_of(sub))
        for rg in sorted(rgs):
            self.node(rg, "AzureResourceGroup", self.by_type.get("resourcegroups", {}).get(rg))
            self.edge(subscription_id_of(rg), rg, "CONTAINS")

    def _system_identity(self, owner: str, res: Res) -> str | None:
        ident = _obj(res.get("identity"))
        if "systemassigned" not in str(ident.get("type", "")).lower().replace(" ", ""):
            return None
        mid = owner + SYSTEM_IDENTITY
        self.g.add_node(
            mid,
            "AzureManagedIdentity",
            f"{res.get('name') or name_of(owner)} (system-assigned)",
            principal_id=ident.get("principalId"),
            identity_type="SystemAssigned",
            assigned_to=owner,
            tenant=subscription_of(owner) or None,
        )
        return mid

    def _user_identities(self, res: Res) -> list[str]:
        ident = _obj(res.get("identity"))
        uai = ident.get("userAssignedIdentities") or {}
        out = []
        if isinstance(uai, dict):
            for key, val in uai.items():
                mid = norm(str(key))
                if not resource_type(mid).endswith("userassignedidentities"):
                    continue
                val = val if isinstance(val, dict) else {}
                if self.g.has_node(mid):
                    # The identity's own resource is authoritative; a referencing resource
                    # only fills in what is missing (its copy may be stale or empty).
                    data = self.g.node(mid)
                    for prop, key in (("principal_id", "principalId"), ("client_id", "clientId")):
                        if not data.get(prop) and val.get(key):
                            data[prop] = val.get(key)
                else:
                    self.g.add_node(
                        mid,
                        "AzureManagedIdentity",
                        name_of(mid),
                        principal_id=val.get("principalId"),
                        client_id=val.get("clientId"),
                        identity_type="UserAssigned",
                        tenant=subscription_of(mid) or None,
                    )
                out.append(mid)
        return out

    # -- network ------------------------------------------------------------------------------
    def _network_nodes(self) -> None:
        for rid, res in self.items("microsoft.network/networksecuritygroups"):
            self._guard(rid, "networkSecurityGroup", partial(self._nsg, rid, res))
        for rid, res in self.items("microsoft.network/virtualnetworks"):

            def _one(rid: str = rid, res: Res = res) -> None:
                self.node(
                    rid,
                    "AzureVirtualNetwork",
                    res,
                    address_prefixes=(props(res).get("addressSpace") or {}).get("addressPrefixes"),
                )

            self._guard(rid, "microsoft.network/virtualnetworks", _one)
        for rid, res in self.items("microsoft.network/virtualnetworks/subnets"):

            def _one(rid: str = rid, res: Res = res) -> None:
                p = props(res)
                self.node(rid, "AzureSubnet", res, address_prefix=p.get("addressPrefix"))
                self.edge(rid, parent_of(rid), "ATTACHED_TO")
                nsg = ref_id(p.get("networkSecurityGroup"))
                if nsg:
                    self.subnet_nsg[rid] = nsg

            self._guard(rid, "microsoft.network/virtualnetworks/subnets", _one)
        for rid, res in self.items("microsoft.network/publicipaddresses"):

            def _one(rid: str = rid, res: Res = res) -> None:
                p = props(res)
                addr = p.get("ipAddress")
                self.node(
                    rid,
                    "AzurePublicIPAddress",
                    res,
                    ip_address=addr,
                    sku=(res.get("sku") or {}).get("name"),
                    allocation=p.get("publicIPAllocationMethod"),
                )
                if addr:
                    self.pip_address[rid] = str(addr)
                # Before the Standard SKU, public IPs were Basic; an absent SKU means Basic.
                self.pip_sku[rid] = str(_obj(res.get("sku")).get("name") or "Basic")

            self._guard(rid, "microsoft.network/publicipaddresses", _one)
        for rid, res in self.items("microsoft.network/networkinterfaces"):
            self._guard(rid, "networkInterface", partial(self._nic, rid, res))
        for rid, res in self.items("microsoft.network/privateendpoints"):

            def _one(rid: str = rid, res: Res = res) -> None:
                p = props(res)
                targets = [
                    ref_id(c.get("properties", {}).get("privateLinkServiceId"))
                    for c in (p.get("privateLinkServiceConnections") or [])
                    + (p.get("manualPrivateLinkServiceConnections") or [])
                    if isinstance(c, dict)
                ]
                self.node(
                    rid, "AzurePrivateEndpoint", res, targets=[t for t in targets if t] or None
                )
                self.edge(rid, ref_id(p.get("subnet")), "ATTACHED_TO")

            self._guard(rid, "microsoft.network/privateendpoints", _one)
        for rid, res in self.items("microsoft.network/loadbalancers"):

            def _one(rid: str = rid, res: Res = res) -> None:
                self.node(rid, "AzureLoadBalancer", res, sku=(res.get("sku") or {}).get("name"))

            self._guard(rid, "microsoft.network/loadbalancers", _one)

    def _nsg(self, rid: str, res: Res) -> None:
        self.node(rid, "AzureNetworkSecurityGroup", res)
        p = props(res)
        rules = [r for r in (p.get("securityRules") or []) if isinstance(r, dict)]
        defaults = [r for r in (p.get("defaultSecurityRules") or []) if isinstance(r, dict)]
        for rule in rules + defaults:
            self._nsg_rule(rid, rule, default=rule in defaults)
        have = {str(r.get("name", "")).lower() for r in defaults}
        for name, prio, access, src in DEFAULT_INBOUND:
            if name.lower() in have:
                continue
            rule_id = f"{rid}/defaultsecurityrules/{name.lower()}"
            self.g.add_node(
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
            self.edge(rid, rule_id, "HAS_RULE")

    def _nsg_rule(self, nsg: str, rule: Res, default: bool) -> None:
        rp = props(rule)
        name = str(rule.get("name") or "rule")
        rule_id = ref_id(rule) or f"{nsg}/securityrules/{name.lower()}"
        ports = [rp.get("destinationPortRange"), *list(rp.get("destinationPortRanges") or [])]
        sources = [rp.get("sourceAddressPrefix"), *list(rp.get("sourceAddressPrefixes") or [])]
        asgs = [ref_id(a) for a in rp.get("sourceApplicationSecurityGroups") or []]
        prio = rp.get("priority")
        self.g.add_node(
            rule_id,
            "AzureNSGRule",
            name,
            access=str(rp.get("access", "")).lower() or None,
            direction=str(rp.get("direction", "")).lower() or None,
            priority=int(prio)
            if isinstance(prio, int | float | str) and str(prio).isdigit()
            else None,
            protocol=str(rp.get("protocol") or "*").lower(),
            port_ranges=[str(x) for x in ports if x not in (None, "")] or ["*"],
            source_prefixes=[str(x) for x in sources if x not in (None, "")]
            or (["ApplicationSecurityGroup"] if asgs else []),
            source_application_security_groups=[a for a in asgs if a] or None,
            default_rule=default,
            tenant=subscription_of(nsg) or None,
        )
        self.edge(nsg, rule_id, "HAS_RULE")

    def _nic(self, rid: str, res: Res) -> None:
        p = props(res)
        public = None
        for ipc in p.get("ipConfigurations") or []:
            pip = ref_id(props(ipc).get("publicIPAddress"))
            if pip:
                public = self.pip_address.get(pip) or public
        self.node(rid, "AzureNetworkInterface", res, public_ip=public)
        for ipc in p.get("ipConfigurations") or []:
            ipp = props(ipc)
            self.edge(rid, ref_id(ipp.get("subnet")), "ATTACHED_TO")
            pip = ref_id(ipp.get("publicIPAddress"))
            self.edge(rid, pip, "ATTACHED_TO")
        if public:
            self.public_nics[rid] = public

    def _nic_layers(self, compute: str, nic: Res, nic_id: str, nsg_override: str = "") -> None:
        """PROTECTED_BY edges for a NIC (or a scale set's NIC configuration) with public reach."""
        p = props(nic)
        nsg = nsg_override or ref_id(p.get("networkSecurityGroup"))
        referenced = bool(nsg)
        if nsg:
            self.edge(compute, nsg, "PROTECTED_BY", layer="nic", nic=nic_id)
        pips: list[str] = []
        for ipc in p.get("ipConfigurations") or []:
            subnet = ref_id(props(ipc).get("subnet"))
            pips.append(ref_id(props(ipc).get("publicIPAddress")))
            snsg = self.subnet_nsg.get(subnet)
            if snsg:
                referenced = True
                self.edge(compute, snsg, "PROTECTED_BY", layer="subnet", subnet=subnet)
        basic = [x for x in pips if x and self.pip_sku.get(x, "").lower() == "basic"]
        if not referenced and basic:
            self._implicit_open(compute, nic_id, basic[0])

    def _implicit_open(self, compute: str, nic_id: str, pip: str) -> None:
        """No NSG on the NIC or its subnet and a Basic public IP: Azure admits everything.

        (A Standard public IP is closed until an NSG opens it, so it needs nothing here.) The
        open door is made explicit as a firewall with one allow-all rule, so the exposure
        evidence names it and the fix says what to add.
        """
        fw = f"{nic_id}/implicit-no-nsg"
        rule = f"{fw}/allowall"
        tenant = subscription_of(nic_id) or None
        self.g.add_node(
            fw,
            "AzureNetworkSecurityGroup",
            f"no NSG on {name_of(nic_id)}",
            synthetic=True,
            tenant=tenant,
        )
        self.g.add_node(
            rule,
            "AzureNSGRule",
            f"Basic public IP {name_of(pip)} admits all inbound",
            access="allow",
            direction="inbound",
            priority=1,
            protocol="*",
            port_ranges=["*"],
            source_prefixes=["*"],
            synthetic=True,
            tenant=tenant,
        )
        self.edge(fw, rule, "HAS_RULE")
        self.edge(compute, fw, "PROTECTED_BY", layer="nic", nic=nic_id)

    def _public_lb_ports(self) -> dict[str, list[tuple[str, str, str, str]]]:
        """NIC id -> [(lb id, rule name, protocol, backend port)] for public load balancers."""
        out: dict[str, list[tuple[str, str, str, str]]] = defaultdict(list)
        for lb_id, lb in self.items("microsoft.network/loadbalancers"):
            p = props(lb)
            public_fe = {}
            for fe in p.get("frontendIPConfigurations") or []:
                pip = ref_id(props(fe).get("publicIPAddress"))
                if pip:
                    public_fe[ref_id(fe)] = self.pip_address.get(pip, pip)
            if not public_fe:
                continue
            self.g.node(lb_id)["public_ip"] = sorted(public_fe.values())[0]
            pools: dict[str, list[str]] = {}
            for pool in p.get("backendAddressPools") or []:
                pools[ref_id(pool)] = [
                    ref_id(c).split("/ipconfigurations/")[0]
                    for c in props(pool).get("backendIPConfigurations") or []
                ]
            for rule in p.get("loadBalancingRules") or []:
                rp = props(rule)
                if ref_id(rp.get("frontendIPConfiguration")) not in public_fe:
                    continue
                pool_ids = [ref_id(rp.get("backendAddressPool"))] + [
                    ref_id(x) for x in rp.get("backendAddressPools") or []
                ]
                for pool_id in pool_ids:
                    for nic in pools.get(pool_id, []):
                        out[nic].append(
                            (
                                lb_id,
                                str(rule.get("name")),
                                str(rp.get("protocol", "*")),
                                str(rp.get("backendPort", "*")),
                            )
                        )
            for nat in p.get("inboundNatRules") or []:
                rp = props(nat)
                if ref_id(rp.get("frontendIPConfiguration")) not in public_fe:
                    continue
                nic = ref_id(rp.get("backendIPConfiguration")).split("/ipconfigurations/")[0]
                if nic:
                    out[nic].append(
                        (
                            lb_id,
                            str(nat.get("name")),
                            str(rp.get("protocol", "*")),
                            str(rp.get("backendPort", "*")),
                        )
                    )
        return out

    def _lb_layer(self, compute: str, forwards: list[tuple[str, str, str, str]]) -> None:
        """A public LB only forwards its rule ports: model it as an allow-list layer."""
        for lb_id, rule_name, proto, port in forwards:
            rule_id = f"{lb_id}/loadbalancingrules/{rule_name.lower()}"
            self.g.add_node(
                rule_id,
                "AzureNSGRule",
                f"{rule_name} (load balancer rule)",
                access="allow",
                direction="inbound",
                priority=100,
                protocol=proto.lower(),
                port_ranges=[port],
                source_prefixes=["*"],
                load_balancer_rule=True,
                tenant=subscription_of(lb_id) or None,
            )
            self.edge(lb_id, rule_id, "HAS_RULE")
            self.edge(compute, lb_id, "PROTECTED_BY", layer="loadbalancer")
            self.edge(lb_id, compute, "ROUTES_TO", rule=rule_name, port=port)

    # -- compute ------------------------------------------------------------------------------
    def _compute(self) -> None:
        lb_ports = self._public_lb_ports()
        nics = self.by_type.get("microsoft.network/networkinterfaces", {})
        for rid, res in self.items("microsoft.compute/virtualmachines"):
            self._guard(rid, "virtualMachine", partial(self._vm, rid, res, nics, lb_ports))
        for rid, res in self.items("microsoft.compute/virtualmachinescalesets"):
            self._guard(
                rid,
                "virtualMachineScaleSet",
                partial(self._vmss, rid, res, lb_ports),
            )

    def _identities(self, rid: str, res: Res) -> None:
        """HAS_IDENTITY to each managed identity, with the exact az command that detaches it."""
        group = name_of(resource_group_of(rid)) if resource_group_of(rid) else "?"
        cmd = "vmss" if "virtualmachinescalesets" in resource_type(rid) else "vm"
        name = str(res.get("name") or name_of(rid))
        for mid in self._user_identities(res):
            self.edge(
                rid,
                mid,
                "HAS_IDENTITY",
                mechanism="user-assigned managed identity (IMDS token endpoint 169.254.169.254)",
                fix=f"Detach {name_of(mid)} from {name} if the workload does not need it "
                f"(az {cmd} identity remove -g {group} -n {name} --identities {mid}), or cut "
                f"the roles of {name_of(mid)} to what the workload calls",
            )
        sys_id = self._system_identity(rid, res)
        if sys_id:
            self.edge(
                rid,
                sys_id,
                "HAS_IDENTITY",
                mechanism="system-assigned managed identity (IMDS token endpoint 169.254.169.254)",
                fix=f"Disable the system-assigned identity of {name} if unused (az {cmd} identity "
                f"remove -g {group} -n {name} --identities [system]), or cut its roles",
            )

    def _vm(
        self,
        rid: str,
        res: Res,
        nics: dict[str, Res],
        lb_ports: dict[str, list[tuple[str, str, str, str]]],
    ) -> None:
        p = props(res)
        nic_ids = [
            ref_id(n) for n in (p.get("networkProfile") or {}).get("networkInterfaces") or []
        ]
        public = next((self.public_nics[n] for n in nic_ids if n in self.public_nics), None)
        lb_public = [n for n in nic_ids if n in lb_ports]
        if not public and lb_public:
            public = self.g.node(lb_ports[lb_public[0]][0][0]).get("public_ip")
        image = (p.get("storageProfile") or {}).get("imageReference") or {}
        self.node(
            rid,
            "AzureVirtualMachine",
            res,
            public_ip=public,
            vm_size=(p.get("hardwareProfile") or {}).get("vmSize"),
            os_type=((p.get("storageProfile") or {}).get("osDisk") or {}).get("osType"),
            image=":".join(str(image.get(k)) for k in ("publisher", "offer", "sku") if image.get(k))
            or None,
        )
        self._identities(rid, res)
        for nic_id in nic_ids:
            self.edge(nic_id, rid, "ATTACHED_TO")
            nic = nics.get(nic_id)
            if nic is None:
                continue
            if nic_id in self.public_nics:
                self._nic_layers(rid, nic, nic_id)
            elif nic_id in lb_ports and not any(n in self.public_nics for n in nic_ids):
                self._nic_layers(rid, nic, nic_id)
                self._lb_layer(rid, lb_ports[nic_id])

    def _vmss(
        self, rid: str, res: Res, lb_ports: dict[str, list[tuple[str, str, str, str]]]
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
        for lb_id, lb in self.items("microsoft.network/loadbalancers"):
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
                self.g.node(lb_forwards[0][0]).get("public_ip")
                if self.g.has_node(lb_forwards[0][0])
                else None
            )
        self.node(
            rid,
            "AzureVMScaleSet",
            res,
            public_ip=public,
            capacity=(res.get("sku") or {}).get("capacity"),
        )
        self._identities(rid, res)
        if public:
            for cfg in configs:
                self._nic_layers(
                    rid,
                    cfg,
                    f"{rid}/networkinterfaceconfigurations/{str(cfg.get('name', '')).lower()}",
                    ref_id(props(cfg).get("networkSecurityGroup")),
                )
            if lb_forwards and "per-instance" not in str(public):
                self._lb_layer(rid, lb_forwards)

    # -- AI accounts --------------------------------------------------------------------------
    def _ai_accounts(self) -> None:
        for rid, res in self.items("microsoft.cognitiveservices/accounts"):
            self._guard(rid, "cognitiveServicesAccount", partial(self._account, rid, res))
        for rid, res in self.items("microsoft.cognitiveservices/accounts/deployments"):
            self._guard(rid, "deployment", partial(self._deployment, rid, res))
        for rid, res in self.items("microsoft.cognitiveservices/accounts/projects"):

            def _one(rid: str = rid, res: Res = res) -> None:
                p = props(res)
                self.node(rid, "AzureAIFoundryProject", res, display_name=p.get("displayName"))
                self.edge(parent_of(rid), rid, "CONTAINS")
                self._system_identity(rid, res)
                self._user_identities(res)

            self._guard(rid, "microsoft.cognitiveservices/accounts/projects", _one)

    def _account(self, rid: str, res: Res) -> None:
        p = props(res)
        acls = _obj(p.get("networkAcls"))
        pna = _enabled(p.get("publicNetworkAccess"))
        default = str(acls.get("defaultAction") or "Allow")
        ip_rules = [str(r.get("value")) for r in acls.get("ipRules") or [] if isinstance(r, dict)]
        if default.lower() == "deny" and any(_is_whole_internet(r) for r in ip_rules):
            default = "Allow"
        pecs = _approved_private_endpoints(p)
        self.node(
            rid,
            "AzureCognitiveServicesAccount",
            res,
            account_kind=res.get("kind"),
            custom_subdomain=p.get("customSubDomainName"),
            endpoint=p.get("endpoint"),
            public_network_access=pna,
            network_default_action=default,
            network_ip_rules=ip_rules or None,
            local_auth_enabled=not bool(p.get("disableLocalAuth")),
            private_endpoint_only=(not pna) and bool(pecs),
            private_endpoints=pecs or None,
            sku=(res.get("sku") or {}).get("name"),
            identity_principal_id=(res.get("identity") or {}).get("principalId")
            if isinstance(res.get("identity"), dict)
            else None,
        )
        self._system_identity(rid, res)
        self._user_identities(res)

    def _deployment(self, rid: str, res: Res) -> None:
        p = props(res)
        model = _obj(p.get("model"))
        sku = _obj(res.get("sku"))
        self.node(
            rid,
            "AzureOpenAIDeployment",
            res,
            model_name=model.get("name"),
            model_version=model.get("version"),
            model_format=model.get("format"),
            sku=sku.get("name"),
            capacity=sku.get("capacity"),
            rai_policy=p.get("raiPolicyName"),
            content_filter=bool(p.get("raiPolicyName")),
        )
        account = parent_of(rid)
        if self.g.has_node(account):
            self.g.node(rid).setdefault("region", self.g.node(account).get("region"))
        self.edge(account, rid, "SERVES", mechanism="model deployment of the account")

    # -- data ---------------------------------------------------------------------------------
    def _data_stores(self) -> None:
        public_containers: dict[str, list[str]] = defaultdict(list)
        for rid, res in self.items("microsoft.storage/storageaccounts/blobservices/containers"):

            def _one(rid: str = rid, res: Res = res) -> None:
                level = str(props(res).get("publicAccess") or "None")
                if level.lower() in {"blob", "container"}:
                    public_containers[rid.split("/blobservices/")[0]].append(
                        f"{name_of(rid)} ({level})"
                    )

            self._guard(rid, "microsoft.storage/storageaccounts/blobservices/containers", _one)
        for rid, res in self.items("microsoft.storage/storageaccounts"):
            self._guard(
                rid,
                "storageAccount",
                partial(self._storage, rid, res, public_containers[rid]),
            )
        for rid, res in self.items("microsoft.storage/storageaccounts/blobservices/containers"):

            def _one(rid: str = rid, res: Res = res) -> None:
                acct = rid.split("/blobservices/")[0]
                self.node(
                    rid,
                    "AzureStorageContainer",
                    res,
                    public_access=str(props(res).get("publicAccess") or "None"),
                )
                self.edge(acct, rid, "CONTAINS")

            self._guard(rid, "microsoft.storage/storageaccounts/blobservices/containers", _one)
        for rid, res in self.items("microsoft.search/searchservices"):

            def _one(rid: str = rid, res: Res = res) -> None:
                p = props(res)
                rules = (p.get("networkRuleSet") or {}).get("ipRules") or []
                pna = _enabled(p.get("publicNetworkAccess"))
                pecs = _approved_private_endpoints(p)
                auth = _obj(p.get("authOptions"))
                self.node(
                    rid,
                    "AzureSearchService",
                    res,
                    public_network_access=pna,
                    network_default_action="Deny" if rules else "Allow",
                    local_auth_enabled=not bool(p.get("disableLocalAuth")),
                    auth_options=sorted(auth) or None,
                    private_endpoint_only=(not pna) and bool(pecs),
                    data_role=_tag_roles(res) or None,
                )
                self._system_identity(rid, res)

            self._guard(rid, "microsoft.search/searchservices", _one)
        for rid, res in self.items("microsoft.keyvault/vaults"):

            def _one(rid: str = rid, res: Res = res) -> None:
                p = props(res)
                acls = _obj(p.get("networkAcls"))
                self.node(
                    rid,
                    "AzureKeyVault",
                    res,
                    public_network_access=_enabled(p.get("publicNetworkAccess")),
                    network_default_action=acls.get("defaultAction") or "Allow",
                    rbac_authorization=bool(p.get("enableRbacAuthorization")),
                )

            self._guard(rid, "microsoft.keyvault/vaults", _one)

    def _storage(self, rid: str, res: Res, public_containers: list[str]) -> None:
        p = props(res)
        acls = _obj(p.get("networkAcls"))
        pna = _enabled(p.get("publicNetworkAccess"))
        default = str(acls.get("defaultAction") or "Allow")
        blob_public = bool(p.get("allowBlobPublicAccess"))
        reachable = pna and default.lower() != "deny"
        enc = _obj(p.get("encryption"))
        self.node(
            rid,
            "AzureStorageAccount",
            res,
            public_network_access=pna,
            network_default_action=default,
            allow_blob_public_access=blob_public,
            allow_shared_key_access=p.get("allowSharedKeyAccess") is not False,
            local_auth_enabled=p.get("allowSharedKeyAccess") is not False,
            cmk=str(enc.get("keySource", "")).lower() == "microsoft.keyvault",
            public_read=bool(blob_public and public_containers and reachable) or None,
            public_read_grant=(
                "anonymous blob access on container(s) " + ", ".join(public_containers)
            )
            if blob_public and public_containers and reachable
            else None,
            private_endpoint_only=(not pna) and bool(_approved_private_endpoints(p)),
            data_role=_tag_roles(res) or None,
        )

    # -- Azure ML / Foundry hubs --------------------------------------------------------------
    def _ml(self) -> None:
        for rid, res in self.items("microsoft.machinelearningservices/workspaces"):
            self._guard(rid, "workspace", partial(self._workspace, rid, res))
        for rid, res in self.items("microsoft.machinelearningservices/workspaces"):

            def _one(rid: str = rid, res: Res = res) -> None:
                p = props(res)
                hub = ref_id(p.get("hubResourceId"))
                if hub:
                    self.edge(hub, rid, "CONTAINS", relation="hub -> project")

            self._guard(rid, "microsoft.machinelearningservices/workspaces", _one)
        for rtype, endpoint_type in (
            ("microsoft.machinelearningservices/workspaces/onlineendpoints", "online"),
            ("microsoft.machinelearningservices/workspaces/serverlessendpoints", "serverless"),
        ):
            for rid, res in self.items(rtype):
                self._guard(
                    rid,
                    "endpoint",
                    partial(self._endpoint, rid, res, endpoint_type),
                )
        for rid, res in self.items(
            "microsoft.machinelearningservices/workspaces/onlineendpoints/deployments"
        ):

            def _one(rid: str = rid, res: Res = res) -> None:
                p = props(res)
                ep = parent_of(rid)
                if self.g.has_node(ep):
                    self.g.node(ep).setdefault("deployments", []).append(
                        {
                            "name": res.get("name"),
                            "model": p.get("model"),
                            "instance_type": p.get("instanceType"),
                        }
                    )

            self._guard(
                rid,
                "microsoft.machinelearningservices/workspaces/onlineendpoints/deployments",
                _one,
            )
        for rid, res in self.items("microsoft.machinelearningservices/workspaces/connections"):
            self._guard(rid, "connection", partial(self._connection, rid, res))

    def _workspace(self, rid: str, res: Res) -> None:
        p = props(res)
        kind = str(res.get("kind") or "Default")
        self.node(
            rid,
            "AzureMLWorkspace",
            res,
            workspace_kind={"hub": "Hub", "project": "Project"}.get(kind.lower(), "Default"),
            public_network_access=_enabled(p.get("publicNetworkAccess")),
            private_endpoint_only=(not _enabled(p.get("publicNetworkAccess")))
            and bool(_approved_private_endpoints(p)),
            hub=ref_id(p.get("hubResourceId")) or None,
            isolation_mode=(p.get("managedNetwork") or {}).get("isolationMode"),
        )
        self._system_identity(rid, res)
        self._user_identities(res)
        storage = ref_id(p.get("storageAccount"))
        if storage and self.g.has_node(storage):
            data = self.g.node(storage)
            data["data_role"] = sorted(
                set(data.get("data_role") or []) | {"model-artifact", "training"}
            )
            self.edge(
                rid,
                storage,
                "USES_DATASTORE",
                mechanism="default workspace storage (datastores, models, uploaded data)",
            )
        kv = ref_id(p.get("keyVault"))
        if kv and self.g.has_node(kv):
            self.edge(rid, kv, "CONTAINS", relation="workspace key vault")

    def _endpoint(self, rid: str, res: Res, endpoint_type: str) -> None:
        p = props(res)
        self.node(
            rid,
            "AzureMLOnlineEndpoint",
            res,
            endpoint_type=endpoint_type,
            auth_mode=p.get("authMode") or ("Key" if endpoint_type == "serverless" else None),
            public_network_access=_enabled(p.get("publicNetworkAccess")),
            scoring_uri=p.get("scoringUri") or (p.get("inferenceEndpoint") or {}).get("uri"),
            model=(p.get("modelSettings") or {}).get("modelId"),
        )
        self._system_identity(rid, res)
        self.edge(
            parent_of(rid), rid, "SERVES", mechanism=f"{endpoint_type} endpoint of the workspace"
        )

    def _connection(self, rid: str, res: Res) -> None:
        p = props(res)
        auth = str(p.get("authType") or "")
        category = str(p.get("category") or "")
        self.node(
            rid,
            "AzureMLConnection",
            res,
            category=category,
            auth_type=auth,
            target_url=p.get("target"),
            shared_to_all=p.get("isSharedToAll"),
            ai_key=auth.lower() in {"apikey", "accesskey", "accountkey", "sas", "customkeys"}
            and category.lower()
            in {
                "azureopenai",
                "aiservices",
                "cognitiveservice",
                "cognitivesearch",
                "serverless",
                "openai",
            },
        )
        self.edge(parent_of(rid), rid, "CONTAINS")

    # -- RBAC inputs --------------------------------------------------------------------------
    def _rbac_nodes(self) -> None:
        collected = {}
        for rid, res in self.items("microsoft.authorization/roledefinitions"):

            def _one(rid: str = rid, res: Res = res) -> None:
                role = from_arm(res)
                if role is None:
                    self.ctx.warn(
                        f"azure: {rid}: roleDefinition: field 'properties.roleName' or "
                        "'permissions' missing; skipped"
                    )
                    return
                collected[role.id] = role

            self._guard(rid, "microsoft.authorization/roledefinitions", _one)
        catalogue = builtin_roles()
        for rid, res in self.items("microsoft.authorization/roleassignments"):

            def _one(rid: str = rid, res: Res = res) -> None:
                p = props(res)
                role_id = str(p.get("roleDefinitionId") or "")
                principal = str(p.get("principalId") or "")
                scope = str(
                    p.get("scope") or rid.split("/providers/microsoft.authorization/")[0] or "/"
                )
                if not role_id or not principal:
                    self.ctx.warn(
                        f"azure: {rid}: roleAssignment: field 'roleDefinitionId' or "
                        "'principalId' missing; skipped"
                    )
                    return
                role = collected.get(role_guid(role_id)) or catalogue.get(role_guid(role_id))
                if role is None:
                    self.ctx.warn(
                        f"azure: {rid}: roleAssignment: role definition {role_guid(role_id)} "
                        "not collected and not a known built-in role; its permissions are "
                        "unknown, so no access is derived from it"
                    )
                listed_for = sorted(s for s in self.doc_scopes.get(rid, ()) if _looks_like_guid(s))
                self.g.add_node(
                    rid,
                    "AzureRoleAssignment",
                    f"{role.name if role else role_guid(role_id)} @ {scope}",
                    role_name=role.name if role else None,
                    role_definition_id=role_guid(role_id),
                    role_source=role.source if role else None,
                    actions=list(role.actions) if role else None,
                    not_actions=list(role.not_actions) if role else None,
                    data_actions=list(role.data_actions) if role else None,
                    not_data_actions=list(role.not_data_actions) if role else None,
                    principal_id=principal.lower(),
                    principal_type=p.get("principalType"),
                    scope=norm(scope) or "/",
                    condition=p.get("condition"),
                    collected_for_subscriptions=listed_for or None,
                    tenant=subscription_of(rid) or None,
                )

            self._guard(rid, "microsoft.authorization/roleassignments", _one)

    # -- management groups --------------------------------------------------------------------
    def _hierarchy(self) -> None:
        """Management groups and ``CONTAINS`` edges group -> child group -> subscription.

        Three inputs describe the tree: ``getEntities`` rows (groups and subscriptions with
        ``properties.parent.id``), management-group resources (``properties.details.parent``)
        and Resource Graph subscription rows (``properties.managementGroupAncestorsChain``,
        ordered from the direct parent up to the tenant root).
        """
        parents: dict[str, str] = {}
        names: dict[str, str] = {}
        tenants: dict[str, str] = {}

        def chain(child: str, ancestors: Any) -> None:
            prev = child
            for link in ancestors if isinstance(ancestors, list) else []:
                name = str(_obj(link).get("name") or "").strip()
                if not name:
                    break
                mg = MG_PREFIX + name.lower()
                names.setdefault(mg, str(_obj(link).get("displayName") or name))
                parents.setdefault(prev, mg)
                prev = mg

        for rid, res in self.items("microsoft.management/managementgroups"):
            p = props(res)
            names[rid] = str(p.get("displayName") or res.get("name") or name_of(rid))
            if p.get("tenantId"):
                tenants[rid] = str(p["tenantId"]).lower()
            parent = ref_id(p.get("parent")) or ref_id(_obj(p.get("details")).get("parent"))
            if parent.startswith(MG_PREFIX):
                parents[rid] = parent
            chain(rid, p.get("managementGroupAncestorsChain"))
        for sid, res in sorted(self.sub_entities.items()):
            parent = ref_id(props(res).get("parent"))
            if parent.startswith(MG_PREFIX):
                parents[sid] = parent
        for sid, res in self.items("subscriptions"):
            chain(sid, props(res).get("managementGroupAncestorsChain"))
        ours = self._own_tenants()
        for mg in sorted(set(names) | set(parents.values())):
            name = name_of(mg)
            tenant = tenants.get(mg)
            # The tenant root group is named after the tenant id and has no parent.
            root = mg not in parents and (name == tenant or name in ours)
            self.g.add_node(
                mg,
                "AzureManagementGroup",
                names.get(mg) or name,
                mg_name=name,
                tenant=tenant or (name if root else None),
                root=root,
            )
        for child, parent in sorted(parents.items()):
            if child == parent:
                self.ctx.warn(f"azure: {child}: management group is its own parent; ignored")
                continue
            self.edge(parent, child, "CONTAINS", relation="management-group hierarchy")

    def _own_tenants(self) -> set[str]:
        """Tenant ids of the collected estate: from subscription records and hierarchy rows."""
        out: set[str] = set()
        for _sid, res in self.items("subscriptions"):
            if res.get("tenantId"):
                out.add(str(res["tenantId"]).lower())
        for res in self.sub_entities.values():
            if props(res).get("tenantId"):
                out.add(str(props(res)["tenantId"]).lower())
        for _mid, res in self.items("microsoft.management/managementgroups"):
            if props(res).get("tenantId"):
                out.add(str(props(res)["tenantId"]).lower())
        return out

    # -- Entra principals ---------------------------------------------------------------------
    def _directory(self) -> None:
        """Enrich principal nodes from Microsoft Graph; a guest or another tenant's application
        gets an ``ExternalAccount`` for the foreign tenant that can sign in as it."""
        if not self.directory:
            return
        ours = self._own_tenants()
        by_oid: dict[str, str] = {}
        for nid, data in self.g.nodes():
            if data.get("principal_id") and data["kind"] != "AzureRoleAssignment":
                by_oid.setdefault(str(data["principal_id"]).lower(), nid)
        warned_unknown_tenant = False
        for oid, obj in sorted(self.directory.items()):
            info = classify_principal(obj, ours)
            if info is None:
                continue
            nid = by_oid.get(oid) or f"entra/{info.plural}/{oid}"
            kind = self.g.node(nid)["kind"] if self.g.has_node(nid) else info.kind
            try:
                self.g.add_node(nid, kind, info.name, principal_id=oid, **info.props)
            except SchemaError as exc:
                self.ctx.warn(f"azure: directory object {oid}: {exc}; skipped")
                continue
            by_oid[oid] = nid
            if info.foreign_tenant is None:
                if info.needs_tenant and not ours and not warned_unknown_tenant:
                    warned_unknown_tenant = True
                    self.ctx.warn(
                        "azure: no subscription record with a tenantId was collected, so "
                        "applications owned by other tenants cannot be told apart"
                    )
                continue
            self._foreign(nid, info)
        for oid, obj in sorted(self.directory.items()):
            members = obj.get(MEMBERS_FIELD)
            if isinstance(members, list) and oid in by_oid:
                self._members(by_oid[oid], members, by_oid, ours)

    def _foreign(self, nid: str, info: PrincipalInfo) -> None:
        """The foreign tenant that can sign in as a guest or another tenant's application."""
        tenant = str(info.foreign_tenant)
        ext = add_external_account(
            self.g, f"entra/tenants/{tenant}", f"Entra tenant {tenant}", tenant, "azure"
        )
        self.g.add_edge(ext, nid, "CAN_ASSUME", info.evidence, "inferred")

    def _members(
        self, group: str, members: list[Any], by_oid: dict[str, str], ours: set[str]
    ) -> None:
        """``MEMBER_OF`` from each (transitive) member to a group that holds roles.

        Members already in the graph (managed identities of compute, service principals) are
        linked as they are; guests and other tenants' applications are added with their
        foreign tenant, since through the group they are a way in. Other members of our own
        tenant add nothing to a path (they are not entries), so they are only counted.
        """
        gname = self.g.node(group)["name"]
        for obj in members:
            info = classify_principal(obj, ours) if isinstance(obj, dict) else None
            if info is None or info.kind == "EntraGroup":
                continue  # nested groups: their members are listed here already
            oid = str(obj.get("id") or "").lower()
            nid = by_oid.get(oid)
            if nid is None:
                if info.foreign_tenant is None:
                    self.ctx.stats["azure.group_members_not_modelled"] += 1
                    continue
                nid = f"entra/{info.plural}/{oid}"
                try:
                    self.g.add_node(nid, info.kind, info.name, principal_id=oid, **info.props)
                except SchemaError as exc:
                    self.ctx.warn(f"azure: member {oid} of group {gname}: {exc}; skipped")
                    continue
                by_oid[oid] = nid
                self._foreign(nid, info)
            self.g.add_edge(
                nid,
                group,
                "MEMBER_OF",
                {
                    "group": gname,
                    "membership": "member, directly or through nested groups "
                    "(Microsoft Graph transitiveMembers)",
                    "fix": f"Remove {self.g.node(nid)['name']} from group {gname} (or from the "
                    "nested group that brings it in), or move the group's role assignments to "
                    "a group without it",
                },
            )

    def _connection_targets(self) -> None:
        """Connections name their target by URL (and often ResourceId metadata): resolve it.

        A search or blob connection is what a hub/project grounds on; an API-key connection to
        an AI account is a stored key that invokes it.
        """
        hosts = _hosts(self.g)
        for rid, res in self.items("microsoft.machinelearningservices/workspaces/connections"):

            def _one(rid: str = rid, res: Res = res) -> None:
                if not self.g.has_node(rid):
                    return
                p = props(res)
                meta = _obj(p.get("metadata"))
                meta_id = next(
                    (norm(str(v)) for k, v in meta.items() if str(k).lower() == "resourceid" and v),
                    "",
                )
                target = (
                    meta_id
                    if meta_id and self.g.has_node(meta_id)
                    else hosts.get(endpoint_host(p.get("target")), "")
                )
                if not target:
                    return
                data = self.g.node(rid)
                data["target_resource"] = target
                workspace = parent_of(rid)
                category = str(p.get("category") or "").lower()
                tkind = self.g.node(target)["kind"]
                if category in GROUNDING_CATEGORIES and tkind in {
                    "AzureSearchService",
                    "AzureStorageAccount",
                }:
                    _mark_role(self.g, target, "grounding")
                    self.g.add_edge(
                        workspace,
                        target,
                        "GROUNDED_ON",
                        {
                            "mechanism": f"workspace connection {res.get('name')} "
                            f"({p.get('category')}, auth {p.get('authType')})",
                            "connection": rid,
                        },
                        "inferred",
                    )
                if data.get("ai_key") and tkind == "AzureCognitiveServicesAccount":
                    self.edge(
                        rid,
                        target,
                        "CAN_INVOKE",
                        permission="API key stored in the connection",
                        grant=f"connection {res.get('name')} (auth {p.get('authType')})",
                        fix=f"Switch connection {res.get('name')} to Microsoft Entra ID auth and "
                        f"rotate the key of {self.g.node(target)['name']}",
                    )

            self._guard(rid, "microsoft.machinelearningservices/workspaces/connections", _one)

    def _containment(self) -> None:
        """Resource group CONTAINS each top-level resource; parents CONTAIN their children."""
        for rtype, items in self.by_type.items():
            if rtype in {"subscriptions", "resourcegroups"} or rtype.startswith(
                "microsoft.authorization"
            ):
                continue
            for rid in items:
                if not self.g.has_node(rid):
                    continue
                parent = parent_of(rid) or resource_group_of(rid)
                if parent and self.g.has_node(parent) and not self.g.edge(parent, rid, "CONTAINS"):
                    self.edge(parent, rid, "CONTAINS")


GROUNDING_CATEGORIES = {"cognitivesearch", "azureblob", "azuredatalakegen2", "azureblobstorage"}


def _hosts(graph: Graph) -> dict[str, str]:
    """Service host name -> node id, for resolving connection targets given as URLs."""
    out: dict[str, str] = {}
    for nid, data in graph.nodes("AzureCognitiveServicesAccount"):
        sub = str(data.get("custom_subdomain") or data.get("name") or "").lower()
        for suffix in ("openai.azure.com", "cognitiveservices.azure.com", "services.ai.azure.com"):
            out[f"{sub}.{suffix}"] = nid
        if data.get("endpoint"):
            out[endpoint_host(data["endpoint"])] = nid
    for nid, data in graph.nodes("AzureSearchService"):
        out[f"{str(data['name']).lower()}.search.windows.net"] = nid
    for nid, data in graph.nodes("AzureStorageAccount"):
        for svc in ("blob", "dfs"):
            out[f"{str(data['name']).lower()}.{svc}.core.windows.net"] = nid
    return out


def _mark_role(graph: Graph, node_id: str, role: str) -> None:
    data = graph.node(node_id)
    data["data_role"] = sorted(set(data.get("data_role") or []) | {role})


HANDLED_TYPES = {
    "subscriptions",
    "resourcegroups",
    "microsoft.managedidentity/userassignedidentities",
    "microsoft.network/networksecuritygroups",
    "microsoft.network/virtualnetworks",
    "microsoft.network/virtualnetworks/subnets",
    "microsoft.network/publicipaddresses",
    "microsoft.network/networkinterfaces",
    "microsoft.network/privateendpoints",
    "microsoft.network/loadbalancers",
    "microsoft.compute/virtualmachines",
    "microsoft.compute/virtualmachinescalesets",
    "microsoft.cognitiveservices/accounts",
    "microsoft.cognitiveservices/accounts/deployments",
    "microsoft.cognitiveservices/accounts/projects",
    "microsoft.storage/storageaccounts",
    "microsoft.storage/storageaccounts/blobservices/containers",
    "microsoft.search/searchservices",
    "microsoft.keyvault/vaults",
    "microsoft.machinelearningservices/workspaces",
    "microsoft.machinelearningservices/workspaces/onlineendpoints",
    "microsoft.machinelearningservices/workspaces/onlineendpoints/deployments",
    "microsoft.machinelearningservices/workspaces/serverlessendpoints",
    "microsoft.machinelearningservices/workspaces/connections",
    "microsoft.authorization/roleassignments",
    "microsoft.authorization/roledefinitions",
    "microsoft.management/managementgroups",
}


def _approved_private_endpoints(p: dict[str, Any]) -> list[str]:
    out = []
    for pec in p.get("privateEndpointConnections") or []:
        pp = props(pec) if isinstance(pec, dict) else {}
        state = (pp.get("privateLinkServiceConnectionState") or {}).get("status", "Approved")
        if str(state).lower() == "approved":
            out.append(ref_id(pp.get("privateEndpoint")) or ref_id(pec))
    return [x for x in out if x]


def _is_whole_internet(cidr: str) -> bool:
    try:
        return ipaddress.ip_network(cidr, strict=False).prefixlen == 0
    except ValueError:
        return False


def _looks_like_guid(text: str) -> bool:
    return len(text) == 36 and text.count("-") == 4


def endpoint_host(url: Any) -> str:
    try:
        return (urlparse(str(url)).hostname or "").lower()
    except ValueError:
        return ""


@transform("azure")
def transform_azure(docs: list[Document], graph: Graph, ctx: BuildContext) -> None:
    builder = AzureBuilder(graph, ctx)
    builder.add_documents(docs)
    builder.build()
