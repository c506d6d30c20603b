"""Firewall evaluation and PaaS exposure, as users see it: which internet edges appear."""

from __future__ import annotations

import ipaddress
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from aispm_graph.build import BuildContext, BuildOptions
from aispm_graph.derive.exposure import derive_exposure
from aispm_graph.graph.model import Graph
from aispm_graph.net.ports import intersect, normalize, subtract


def host(
    g: Graph, name: str, layers: dict[str, list[dict[str, Any]]], public_ip: str | None = "20.1.2.3"
) -> str:
    g.ensure_internet()
    hid = f"vm/{name}"
    g.add_node(hid, "AzureVirtualMachine", name, public_ip=public_ip)
    for layer, rules in layers.items():
        fw = f"nsg/{name}/{layer}"
        g.add_node(fw, "AzureNetworkSecurityGroup", f"{name}-{layer}")
        g.add_edge(hid, fw, "PROTECTED_BY", {"layer": layer})
        for i, rule in enumerate(rules):
            rid = f"{fw}/r{i}"
            g.add_node(rid, "AzureNSGRule", rule.pop("name", f"r{i}"), direction="inbound", **rule)
            g.add_edge(fw, rid, "HAS_RULE")
    return hid


def allow(
    ports: list[str], sources: list[str], prio: int = 100, proto: str = "tcp"
) -> dict[str, Any]:
    return {
        "access": "allow",
        "priority": prio,
        "protocol": proto,
        "port_ranges": ports,
        "source_prefixes": sources,
    }


def deny(ports: list[str], sources: list[str], prio: int = 100) -> dict[str, Any]:
    return {
        "access": "deny",
        "priority": prio,
        "protocol": "*",
        "port_ranges": ports,
        "source_prefixes": sources,
    }


def exposed(g: Graph, trusted: tuple[str, ...] = ()) -> dict[str, dict[str, Any]]:
    ctx = BuildContext(
        options=BuildOptions(trusted_cidrs=tuple(ipaddress.ip_network(t) for t in trusted))
    )
    derive_exposure(g, ctx)
    return {t: d["evidence"] for _s, t, d in g.edges("INTERNET_EXPOSED")}


def test_allow_from_any_exposes_with_ports_and_rule() -> None:
    g = Graph()
    h = host(g, "web", {"nic": [allow(["22"], ["*"]), allow(["80-81"], ["Internet"], 110)]})
    ev = exposed(g)[h]
    assert ev["ports"] == "tcp/22, tcp/80-81"
    assert ev["exposure_width"] == "any"
    assert ev["port_classes"] == ["remote-admin", "web", "other"]


def test_higher_priority_deny_wins_and_lower_priority_deny_does_not() -> None:
    g = Graph()
    blocked = host(g, "a", {"nic": [deny(["22"], ["*"], 100), allow(["22"], ["*"], 200)]})
    open_ = host(g, "b", {"nic": [allow(["22"], ["*"], 100), deny(["22"], ["*"], 200)]})
    result = exposed(g)
    assert blocked not in result and open_ in result


def test_deny_of_part_of_the_internet_leaves_the_rest_admitted() -> None:
    g = Graph()
    h = host(g, "a", {"nic": [deny(["22"], ["52.0.0.0/8"], 100), allow(["22"], ["*"], 200)]})
    assert h in exposed(g)


def test_partial_port_deny_carves_the_range() -> None:
    g = Graph()
    h = host(g, "a", {"nic": [deny(["22"], ["*"], 100), allow(["0-1024"], ["*"], 200)]})
    assert exposed(g)[h]["ports"] == "tcp/0-21, tcp/23-1024"


def test_every_layer_must_admit() -> None:
    g = Graph()
    both = host(g, "a", {"nic": [allow(["22"], ["*"])], "subnet": [allow(["22", "443"], ["*"])]})
    nic_only = host(g, "b", {"nic": [allow(["22"], ["*"])], "subnet": []})
    result = exposed(g)
    assert result[both]["ports"] == "tcp/22" and nic_only not in result


def test_private_and_trusted_sources_are_not_internet() -> None:
    g = Graph()
    private = host(g, "p", {"nic": [allow(["22"], ["10.0.0.0/8", "VirtualNetwork"])]})
    office = host(g, "o", {"nic": [allow(["22"], ["52.10.0.0/24"])]})
    assert private not in exposed(g)
    assert exposed(g)[office]["exposure_width"] == "narrow"
    g2 = Graph()
    office2 = host(g2, "o", {"nic": [allow(["22"], ["52.10.0.0/24"])]})
    assert office2 not in exposed(g2, trusted=("52.10.0.0/16",))


def test_no_public_ip_no_exposure() -> None:
    g = Graph()
    h = host(g, "a", {"nic": [allow(["22"], ["*"])]}, public_ip=None)
    assert h not in exposed(g)


def test_deny_before_allow_at_equal_priority() -> None:
    g = Graph()
    h = host(
        g, "a", {"nic": [allow(["8888"], ["0.0.0.0/0"], 1000), deny(["8888"], ["0.0.0.0/0"], 1000)]}
    )
    assert h not in exposed(g)


def test_udp_only_rule_does_not_expose_tcp() -> None:
    g = Graph()
    h = host(g, "a", {"nic": [allow(["53"], ["*"], proto="udp")]})
    assert exposed(g)[h]["ports"] == "udp/53"


def test_paas_key_auth_public_is_entry_but_entra_only_or_private_is_not() -> None:
    g = Graph()
    g.ensure_internet()
    g.add_node(
        "a",
        "AzureCognitiveServicesAccount",
        "keyed",
        public_network_access=True,
        local_auth_enabled=True,
    )
    g.add_node(
        "b",
        "AzureCognitiveServicesAccount",
        "entra",
        public_network_access=True,
        local_auth_enabled=False,
    )
    g.add_node(
        "c",
        "AzureCognitiveServicesAccount",
        "fw",
        public_network_access=True,
        local_auth_enabled=True,
        network_default_action="Deny",
    )
    g.add_node(
        "d",
        "AzureCognitiveServicesAccount",
        "pe",
        public_network_access=True,
        local_auth_enabled=True,
        private_endpoint_only=True,
    )
    result = exposed(g)
    assert set(result) == {"a"} and result["a"]["auth"] == "key"
    assert g.edge("internet", "a", "INTERNET_EXPOSED")["confidence"] == "inferred"


def test_public_bucket_gets_public_access_edge() -> None:
    g = Graph()
    g.ensure_internet()
    g.add_node("b1", "GCPBucket", "open", public_read=True, public_read_grant="allUsers")
    g.add_node("b2", "GCPBucket", "closed", public_read=False)
    derive_exposure(g, BuildContext())
    assert {t for _s, t, _d in g.edges("PUBLIC_ACCESS")} == {"b1"}


def test_bad_port_spec_is_reported_not_fatal() -> None:
    g = Graph()
    h = host(g, "a", {"nic": [allow(["twenty"], ["*"], 100), allow(["22"], ["*"], 200)]})
    ctx = BuildContext()
    derive_exposure(g, ctx)
    assert g.edge("internet", h, "INTERNET_EXPOSED") is not None
    assert any("port_ranges" in w for w in ctx.warnings)


ranges = st.lists(
    st.tuples(st.integers(0, 2000), st.integers(0, 2000)).map(lambda t: (min(t), max(t))),
    max_size=6,
)


@given(ranges, ranges)
def test_port_set_algebra_matches_python_sets(
    a: list[tuple[int, int]], b: list[tuple[int, int]]
) -> None:
    def as_set(rs: list[tuple[int, int]]) -> set[int]:
        return {p for lo, hi in rs for p in range(lo, hi + 1)}

    na, nb = normalize(a), normalize(b)
    assert as_set(subtract(na, nb)) == as_set(a) - as_set(b)
    assert as_set(intersect(na, nb)) == as_set(a) & as_set(b)
