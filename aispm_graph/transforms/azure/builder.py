"""The Azure builder: every ARM resource of one build indexed by type, and the helpers
several services share (managed identities, network layers in front of compute).

Documents are ARM resources as Azure returned them (REST or Resource Graph rows); their type is
read from their id (:mod:`aispm_graph.knowledge.azure.arm`). Service modules read them only
through :meth:`AzureBuilder.resources`, checked against the service's declared ARM types.

System-assigned managed identities have no resource id of their own; their node id is the
owner's id plus ``/identities/system`` (lower case), which keeps one identity per owner and
makes the owner visible in the id.
"""

from __future__ import annotations

import ipaddress
from collections import defaultdict
from collections.abc import Callable
from typing import Any
from urllib.parse import urlparse

from aispm_graph.build import BuildContext
from aispm_graph.graph.model import Graph
from aispm_graph.knowledge.azure.arm import (
    name_of,
    norm,
    resource_group_of,
    resource_type,
    subscription_of,
)
from aispm_graph.transforms.builder import Builder
from aispm_graph.workspace import Document

# Reads that are not one ARM type: the ids of every resource (structure only: subscriptions,
# resource groups, containment), and Microsoft Graph directory objects (Entra principals).
RESOURCE_IDS = "*"
DIRECTORY_OBJECTS = "microsoft.graph/directoryobjects"

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


def obj(value: Any) -> dict[str, Any]:
    """The value if it is a JSON object, else an empty one (hostile or missing fields)."""
    return value if isinstance(value, dict) else {}


def ref_id(obj: Any) -> str:
    """The lower-cased id of an ARM ``{"id": ...}`` reference, or ''."""
    if isinstance(obj, dict) and isinstance(obj.get("id"), str):
        return norm(obj["id"])
    if isinstance(obj, str):
        return norm(obj)
    return ""


def enabled(value: Any, default: bool = True) -> bool:
    """ARM switches come as 'Enabled'/'Disabled' strings (any case), booleans or null."""
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() not in {"disabled", "false", "deny", "securedbyperimeter"}


def common_props(res: Res) -> dict[str, Any]:
    rid = norm(res["id"])
    tags = res.get("tags") if isinstance(res.get("tags"), dict) else None
    return {
        "region": res.get("location"),
        "tenant": subscription_of(rid) or None,
        "tags": tags or None,
        "arm_type": resource_type(rid),
    }


def tag_roles(res: Res) -> list[str]:
    tags = obj(res.get("tags"))
    raw = next((v for k, v in tags.items() if str(k).lower() == TAG_DATA_ROLE), None)
    return [r.strip().lower() for r in str(raw).split(",") if r.strip()] if raw else []


GROUNDING_CATEGORIES = {"cognitivesearch", "azureblob", "azuredatalakegen2", "azureblobstorage"}


def hosts(graph: Graph) -> dict[str, str]:
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


def mark_role(graph: Graph, node_id: str, role: str) -> None:
    held = graph.node(node_id).get("data_role") or []
    graph.set_prop(node_id, "data_role", sorted(set(held) | {role}))


def approved_private_endpoints(p: dict[str, Any]) -> list[str]:
    out = []
    for pec in p.get("privateEndpointConnections") or []:
        pp = props(pec) if isinstance(pec, dict) else {}
        state = (pp.get("privateLinkServiceConnectionState") or {}).get("status", "Approved")
        if str(state).lower() == "approved":
            out.append(ref_id(pp.get("privateEndpoint")) or ref_id(pec))
    return [x for x in out if x]


def is_whole_internet(cidr: str) -> bool:
    try:
        return ipaddress.ip_network(cidr, strict=False).prefixlen == 0
    except ValueError:
        return False


def looks_like_guid(text: str) -> bool:
    return len(text) == 36 and text.count("-") == 4


def endpoint_host(url: Any) -> str:
    try:
        return (urlparse(str(url)).hostname or "").lower()
    except ValueError:
        return ""


class AzureBuilder(Builder):
    """Turns one build's Azure documents into nodes and edges, service by service."""

    def __init__(self, graph: Graph, ctx: BuildContext) -> None:
        super().__init__(graph, ctx, "azure")
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

    # -- reading ------------------------------------------------------------------------------
    def resources(self, rtype: str) -> list[tuple[str, Res]]:
        """(lower-cased id, resource) of every resource of ``rtype``, sorted by id."""
        self.check_read(rtype)
        return sorted(self.by_type.get(rtype, {}).items())

    def resource(self, rtype: str, rid: str) -> Res | None:
        """The resource ``rid`` of type ``rtype``, or None when it was not collected."""
        self.check_read(rtype)
        return self.by_type.get(rtype, {}).get(rid)

    def resource_ids(self) -> list[tuple[str, str]]:
        """(type, id) of every resource: structure only, never contents."""
        self.check_read(RESOURCE_IDS)
        return sorted((t, rid) for t, items in self.by_type.items() for rid in items)

    def directory_objects(self) -> list[tuple[str, Res]]:
        """(object id, Microsoft Graph object) of every collected Entra principal."""
        self.check_read(DIRECTORY_OBJECTS)
        return sorted(self.directory.items())

    # -- writing ------------------------------------------------------------------------------
    def resource_node(self, rid: str, kind: str, res: Res | None, **extra: Any) -> None:
        """A node for an ARM resource: name, region, subscription, tags and type from ``res``."""
        name = extra.pop("name", None) or (res or {}).get("name") or name_of(rid)
        base = common_props(res) if res else {"tenant": subscription_of(rid) or None}
        base.update(extra)
        self.graph.add_node(rid, kind, str(name), **base)

    def guarded(self, rid: str, what: str, fn: Callable[[], None]) -> None:
        """Run one resource's handler under the per-record guard (``what`` names it)."""
        with self.guard(what, label=rid):
            fn()

    # -- shared by several services -----------------------------------------------------------
    def system_identity(self, owner: str, res: Res) -> str | None:
        ident = obj(res.get("identity"))
        if "systemassigned" not in str(ident.get("type", "")).lower().replace(" ", ""):
            return None
        mid = owner + SYSTEM_IDENTITY
        self.graph.add_node(
            mid,
            "AzureManagedIdentity",
            f"{res.get('name') or name_of(owner)} (system-assigned)",
            principal_id=ident.get("principalId"),
            identity_type="SystemAssigned",
            assigned_to=owner,
            tenant=subscription_of(owner) or None,
        )
        return mid

    def user_identities(self, res: Res) -> list[str]:
        ident = obj(res.get("identity"))
        uai = ident.get("userAssignedIdentities") or {}
        out = []
        if isinstance(uai, dict):
            for key, val in uai.items():
                mid = norm(str(key))
                if not resource_type(mid).endswith("userassignedidentities"):
                    continue
                val = val if isinstance(val, dict) else {}
                if self.graph.has_node(mid):
                    # The identity's own resource is authoritative; a referencing resource
                    # only fills in what is missing (its copy may be stale or empty).
                    data = self.graph.node(mid)
                    for prop, key in (("principal_id", "principalId"), ("client_id", "clientId")):
                        if not data.get(prop) and val.get(key):
                            self.graph.set_prop(mid, prop, val.get(key))
                else:
                    self.graph.add_node(
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

    def identities(self, rid: str, res: Res) -> None:
        """HAS_IDENTITY to each managed identity, with the exact az command that detaches it."""
        group = name_of(resource_group_of(rid)) if resource_group_of(rid) else "?"
        cmd = "vmss" if "virtualmachinescalesets" in resource_type(rid) else "vm"
        name = str(res.get("name") or name_of(rid))
        for mid in self.user_identities(res):
            self.edge(
                rid,
                mid,
                "HAS_IDENTITY",
                mechanism="user-assigned managed identity (IMDS token endpoint 169.254.169.254)",
                fix=f"Detach {name_of(mid)} from {name} if the workload does not need it "
                f"(az {cmd} identity remove -g {group} -n {name} --identities {mid}), or cut "
                f"the roles of {name_of(mid)} to what the workload calls",
            )
        sys_id = self.system_identity(rid, res)
        if sys_id:
            self.edge(
                rid,
                sys_id,
                "HAS_IDENTITY",
                mechanism="system-assigned managed identity (IMDS token endpoint 169.254.169.254)",
                fix=f"Disable the system-assigned identity of {name} if unused (az {cmd} identity "
                f"remove -g {group} -n {name} --identities [system]), or cut its roles",
            )

    def nic_layers(self, compute: str, nic: Res, nic_id: str, nsg_override: str = "") -> None:
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
            self.implicit_open(compute, nic_id, basic[0])

    def implicit_open(self, compute: str, nic_id: str, pip: str) -> None:
        """No NSG on the NIC or its subnet and a Basic public IP: Azure admits everything.

        (A Standard public IP is closed until an NSG opens it, so it needs nothing here.) The
        open door is made explicit as a firewall with one allow-all rule, so the exposure
        evidence names it and the fix says what to add.
        """
        fw = f"{nic_id}/implicit-no-nsg"
        rule = f"{fw}/allowall"
        tenant = subscription_of(nic_id) or None
        self.graph.add_node(
            fw,
            "AzureNetworkSecurityGroup",
            f"no NSG on {name_of(nic_id)}",
            synthetic=True,
            tenant=tenant,
        )
        self.graph.add_node(
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

    def public_lb_ports(self) -> dict[str, list[tuple[str, str, str, str]]]:
        """NIC id -> [(lb id, rule name, protocol, backend port)] for public load balancers."""
        out: dict[str, list[tuple[str, str, str, str]]] = defaultdict(list)
        for lb_id, lb in self.resources("microsoft.network/loadbalancers"):
            with self.guard("microsoft.network/loadbalancers", label=lb_id):
                p = props(lb)
                public_fe = {}
                for fe in p.get("frontendIPConfigurations") or []:
                    pip = ref_id(props(fe).get("publicIPAddress"))
                    if pip:
                        public_fe[ref_id(fe)] = self.pip_address.get(pip, pip)
                if not public_fe:
                    continue
                self.graph.set_prop(lb_id, "public_ip", sorted(public_fe.values())[0])
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

    def lb_layer(self, compute: str, forwards: list[tuple[str, str, str, str]]) -> None:
        """A public LB only forwards its rule ports: model it as an allow-list layer."""
        for lb_id, rule_name, proto, port in forwards:
            rule_id = f"{lb_id}/loadbalancingrules/{rule_name.lower()}"
            self.graph.add_node(
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

    def own_tenants(self) -> set[str]:
        """Tenant ids of the collected estate: from subscription records and hierarchy rows."""
        out: set[str] = set()
        for _sid, res in self.resources("subscriptions"):
            if res.get("tenantId"):
                out.add(str(res["tenantId"]).lower())
        for res in self.sub_entities.values():
            if props(res).get("tenantId"):
                out.add(str(props(res)["tenantId"]).lower())
        for _mid, res in self.resources("microsoft.management/managementgroups"):
            if props(res).get("tenantId"):
                out.add(str(props(res)["tenantId"]).lower())
        return out
