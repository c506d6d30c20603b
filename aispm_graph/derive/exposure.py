"""Internet exposure, derived the same way for every provider.

Transforms describe firewalls in one neutral vocabulary and this pass decides reachability:

* a firewall rule node (label ``FirewallRule``, or a ``GCPFirewall``) carries ``access``
  (allow/deny), ``direction`` (inbound), ``priority`` (lower wins; absent = no ordering, as
  in AWS security groups), ``protocol`` (tcp/udp/icmp/*), ``port_ranges`` (['22', '80-443',
  '*']) and ``source_prefixes`` (CIDRs or the tags ``*``, ``Internet``, ``Any``);
* a firewall links to its rules with ``HAS_RULE``; a compute links to the firewalls that filter
  it with ``PROTECTED_BY`` whose evidence may say ``layer`` (Azure: ``nic`` and ``subnet``).
  Every layer must admit the traffic (Azure evaluates the subnet NSG and the NIC NSG in turn);
  within a layer the rules of all its firewalls are pooled and evaluated by priority, the first
  match deciding; no match means deny (every provider's implicit inbound default).
* a compute needs a ``public_ip`` to be reachable at all.

Only sources that include internet (globally routed) addresses outside the trusted CIDRs count.
A deny rule stops internet traffic only if its source covers the whole internet; a narrower
deny leaves the rest of the internet admitted, which is what an attacker needs.

PaaS resources are exposed by their own switches: public network access on, no network rule
restriction, not private-endpoint-only, and a key accepted (with Entra-only auth an attacker
needs an identity, which the identity paths model). Public buckets get ``PUBLIC_ACCESS``.
"""

from __future__ import annotations

import ipaddress
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from aispm_graph.build import BuildContext, Network, deriver
from aispm_graph.graph.model import Confidence, Graph, NodeData
from aispm_graph.net.ports import (
    ALL_PORTS,
    PortRange,
    fmt_ranges,
    intersect,
    normalize,
    parse_port_spec,
    port_classes,
    subtract,
)
from aispm_graph.schema import INTERNET_ID, Label, node_kinds
from aispm_graph.schema.keys import E, P

ANY_SOURCES = {"*", "internet", "any", "0.0.0.0/0", "::/0", "allusers"}
PROTOCOLS = ("tcp", "udp")


@dataclass(frozen=True)
class SourceMatch:
    """How much of the internet a rule source covers: all of it, part of it, or none."""

    covers_all: bool
    covers_some: bool
    width: str  # any | wide | narrow | none


def classify_source(prefixes: list[str], trusted: tuple[Network, ...]) -> SourceMatch:
    """How much of the untrusted internet these rule sources cover."""
    all_, some, width = False, False, "none"
    for raw in prefixes:
        text = str(raw).strip().lower()
        nets: list[Network]
        if text in ANY_SOURCES:
            nets = [ipaddress.ip_network("0.0.0.0/0"), ipaddress.ip_network("::/0")]
        else:
            try:
                nets = [ipaddress.ip_network(text, strict=False)]
            except ValueError:
                continue  # service tags such as VirtualNetwork are not internet sources
        for net in nets:
            if not net.is_global and not _overlaps_global(net):
                continue
            if net.prefixlen == 0:
                all_ = True  # a rule on every address covers the whole internet
            if any(_within(net, t) for t in trusted):
                continue
            some = True
            if net.prefixlen == 0:
                width = "any"
            elif net.prefixlen <= (16 if net.version == 4 else 48):
                width = "any" if width == "any" else "wide"
            elif width == "none":
                width = "narrow"
    return SourceMatch(all_, some, width)


def _within(net: Network, trusted: Network) -> bool:
    return net.version == trusted.version and net.subnet_of(trusted)  # type: ignore[arg-type]


def _overlaps_global(net: Network) -> bool:
    # 0.0.0.0/1 is not "global" as a whole but contains public space.
    return net.prefixlen < 8


def _ports(rule: dict[str, Any]) -> list[PortRange]:
    specs = rule.get(P.PORT_RANGES) or ["*"]
    return normalize(parse_port_spec(s) for s in specs)


def _protocols(rule: dict[str, Any]) -> tuple[str, ...]:
    proto = str(rule.get(P.PROTOCOL) or "*").lower()
    if proto in {"*", "all", "-1", "any"}:
        return PROTOCOLS
    if proto in {"6"}:
        return ("tcp",)
    if proto in {"17"}:
        return ("udp",)
    return (proto,) if proto in PROTOCOLS else ()


@dataclass
class Admission:
    rule_id: str
    firewall_id: str
    protocol: str
    ranges: list[PortRange]
    width: str
    sources: list[str]


def evaluate_layer(
    graph: Graph, rules: list[tuple[str, str]], trusted: tuple[Network, ...], ctx: BuildContext
) -> list[Admission]:
    """Admitted (protocol, ports) from the internet for one layer, with the rule that admits."""
    ordered: list[tuple[float, int, str, str, dict[str, Any]]] = []
    for fw_id, rule_id in rules:
        data = graph.node(rule_id)
        if str(data.get(P.DIRECTION, "inbound")).lower() not in {"inbound", "ingress"}:
            continue
        prio = data.get(P.PRIORITY)
        access = str(data.get(P.ACCESS, "allow")).lower()
        # Without priorities (AWS), deny rules cannot exist; keep denies first at a tie (GCP).
        key = float(prio) if isinstance(prio, int | float) else float("inf")
        ordered.append((key, 0 if access == "deny" else 1, rule_id, fw_id, data))
    ordered.sort(key=lambda r: (r[0], r[1], r[2]))
    admitted: list[Admission] = []
    for proto in PROTOCOLS:
        undecided: list[PortRange] = list(ALL_PORTS)
        for _prio, _deny_first, rule_id, fw_id, data in ordered:
            if not undecided:
                break
            if proto not in _protocols(data):
                continue
            try:
                ports = intersect(undecided, _ports(data))
            except ValueError as exc:
                ctx.warn(f"firewall rule {rule_id}: field 'port_ranges': {exc}; rule ignored")
                continue
            if not ports:
                continue
            sources = [str(s) for s in data.get(P.SOURCE_PREFIXES) or []]
            match = classify_source(sources, trusted)
            access = str(data.get(P.ACCESS, "allow")).lower()
            if access == "deny":
                if match.covers_all:
                    undecided = subtract(undecided, ports)
                continue
            if match.covers_some:
                admitted.append(Admission(rule_id, fw_id, proto, ports, match.width, sources))
                undecided = subtract(undecided, ports)
    return admitted


def _combine(layers: list[list[Admission]]) -> list[tuple[str, list[PortRange], list[Admission]]]:
    """Ports admitted by every layer, per protocol, with the admitting rule of each layer."""
    result = []
    for proto in PROTOCOLS:
        common: list[PortRange] | None = None
        for layer in layers:
            ranges = normalize(r for a in layer if a.protocol == proto for r in a.ranges)
            common = ranges if common is None else intersect(common, ranges)
        if common:
            blame: list[Admission] = []
            for layer in layers:
                blame.extend(
                    a for a in layer if a.protocol == proto and intersect(a.ranges, common)
                )
            result.append((proto, common, blame))
    return result


WIDTH_RANK = {"any": 3, "wide": 2, "narrow": 1, "none": 0}


def _firewall_exposure(graph: Graph, ctx: BuildContext, gcp_firewalls: list[str]) -> None:
    trusted = ctx.options.trusted_cidrs + (
        ctx.options.context.trusted_cidrs if ctx.options.context else ()
    )
    rules_of: dict[str, list[str]] = defaultdict(list)
    for fw, rule, _d in graph.edges("HAS_RULE"):
        rules_of[fw].append(rule)
    for node_id in gcp_firewalls:
        rules_of[node_id].append(node_id)  # a GCP firewall is its own single rule
    layers_of: dict[str, dict[str, list[tuple[str, str]]]] = defaultdict(lambda: defaultdict(list))
    for compute, fw, edata in graph.edges("PROTECTED_BY"):
        layer = str(edata.get("evidence", {}).get(E.LAYER, "default"))
        # A firewall without rules still counts: its layer then admits nothing.
        layers_of[compute][layer].extend((fw, rule) for rule in rules_of.get(fw, []))
    # Hosts behind the same security groups share their rule lists: each distinct list is
    # evaluated once (the warnings it gives are repeated for every host, as before).
    layer_memo: dict[tuple[tuple[str, str], ...], tuple[list[Admission], list[str]]] = {}

    def evaluate(rules: list[tuple[str, str]]) -> list[Admission]:
        key = tuple(rules)
        hit = layer_memo.get(key)
        if hit is None:
            before = len(ctx.warnings)
            admitted = evaluate_layer(graph, rules, trusted, ctx)
            hit = layer_memo[key] = (admitted, ctx.warnings[before:])
        else:
            ctx.warnings.extend(hit[1])
        return hit[0]

    for compute, layers in sorted(layers_of.items()):
        cdata = graph.node(compute)
        if not cdata.get(P.PUBLIC_IP):
            continue
        evaluated = [evaluate(rules) for _, rules in sorted(layers.items())]
        combined = _combine(evaluated)
        if not combined:
            continue
        all_ports = [p for proto, ranges, _ in combined for p in fmt_ranges(proto, ranges)]
        classes = normalize_classes([c for _, ranges, _ in combined for c in port_classes(ranges)])
        blame = [a for _, _, b in combined for a in b]
        worst = max(blame, key=lambda a: (WIDTH_RANK[a.width], -len(a.rule_id)))
        rules_txt = []
        for a in sorted({(a.firewall_id, a.rule_id) for a in blame}):
            fw_name = graph.node(a[0])["name"]
            rule_name = graph.node(a[1])["name"]
            rules_txt.append(rule_name if a[0] == a[1] else f"{fw_name}/{rule_name}")
        fw_name = graph.node(worst.firewall_id)["name"]
        rule_name = graph.node(worst.rule_id)["name"]
        via = fw_name if worst.firewall_id == worst.rule_id else f"rule {rule_name} on {fw_name}"
        sources = sorted({s for a in blame for s in a.sources})
        plural = len(rules_txt) > 1
        evidence = {
            E.VIA: via,
            E.RULE: worst.rule_id,
            E.FIREWALL: worst.firewall_id,
            E.RULES: rules_txt,
            E.SOURCE_RANGE: ", ".join(worst.sources),
            E.EXPOSURE_WIDTH: worst.width,
            E.PORTS: ", ".join(all_ports),
            E.PORT_CLASSES: classes,
            E.PUBLIC_IP: cdata.get(P.PUBLIC_IP),
            E.LAYERS: sorted(layers),
            E.FIX: f"Remove or narrow the inbound rule{'s' if plural else ''} "
            f"{', '.join(rules_txt)}: {'they admit' if plural else 'it admits'} "
            f"{', '.join(sources)} on {', '.join(all_ports)} to {cdata['name']} "
            f"(public IP {cdata.get('public_ip')})",
        }
        graph.add_edge(INTERNET_ID, compute, "INTERNET_EXPOSED", evidence, Confidence.CONFIRMED)


def normalize_classes(classes: list[str]) -> list[str]:
    order = ("remote-admin", "ai-service", "database", "web", "other")
    return [c for c in order if c in set(classes)]


PAAS_LABELS = {
    str(Label.AI_SERVICE),
    str(Label.AI_ENDPOINT),
    str(Label.VECTOR_STORE),
    str(Label.AI_WORKSPACE),
    str(Label.DATA_STORE),
}


def _paas_exposure(graph: Graph, nodes: list[tuple[str, NodeData]]) -> None:
    """``nodes``: those with public network access, in graph order."""
    paas_kinds = {k.name for k in node_kinds().values() if PAAS_LABELS & set(k.all_labels())}
    for node_id, data in nodes:
        if not data.get(P.PUBLIC_NETWORK_ACCESS) or data["kind"] not in paas_kinds:
            continue
        if str(data.get(P.NETWORK_DEFAULT_ACTION, "Allow")).lower() == "deny":
            continue
        if data.get(P.PRIVATE_ENDPOINT_ONLY):
            continue
        key_auth = bool(data.get(P.LOCAL_AUTH_ENABLED)) or (
            str(data.get(P.AUTH_MODE, "")).lower() == "key"
        )
        if not key_auth:
            continue
        evidence = {
            E.VIA: "public network access with key authentication",
            E.AUTH: "key",
            E.EXPOSURE_WIDTH: "any",
            E.SOURCE_RANGE: "0.0.0.0/0",
            E.PORTS: "tcp/443",
            E.PORT_CLASSES: ["ai-service"],
            E.FIX: f"Disable public network access on {data['name']} (use private endpoints) "
            f"and disable local (key) authentication",
        }
        graph.add_edge(INTERNET_ID, node_id, "INTERNET_EXPOSED", evidence, Confidence.INFERRED)


def _public_data(graph: Graph, nodes: list[tuple[str, NodeData]]) -> None:
    """``nodes``: those readable or writable by anyone, in graph order."""
    for node_id, data in nodes:
        if not (data.get("public_read") or data.get("public_write")):
            continue
        for prop, access in (("public_read", "read"), ("public_write", "write")):
            if data.get(prop):
                grant = str(data.get(f"{prop}_grant") or f"anonymous {access} access")
                evidence = {
                    E.GRANT: grant,
                    E.ACCESS: access,
                    E.EXPOSURE_WIDTH: "any",
                    E.FIX: f"Remove public {access} access from {data['name']} ({grant}) and "
                    f"turn on public access prevention",
                }
                graph.add_edge(
                    INTERNET_ID, node_id, "PUBLIC_ACCESS", evidence, Confidence.CONFIRMED
                )


@deriver("exposure", "internet-exposure")
def derive_exposure(graph: Graph, ctx: BuildContext) -> None:
    graph.ensure_internet()
    # One walk for the three parts (they add edges, never nodes or these properties).
    gcp_firewalls: list[str] = []
    paas: list[tuple[str, NodeData]] = []
    public: list[tuple[str, NodeData]] = []
    for node_id, data in graph.nodes():
        if data["kind"] == "GCPFirewall":
            gcp_firewalls.append(node_id)
        if data.get(P.PUBLIC_NETWORK_ACCESS):
            paas.append((node_id, data))
        if data.get("public_read") or data.get("public_write"):
            public.append((node_id, data))
    _firewall_exposure(graph, ctx, gcp_firewalls)
    _paas_exposure(graph, paas)
    _public_data(graph, public)
