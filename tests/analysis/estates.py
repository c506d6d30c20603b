"""Small random estates for the analysis tests: exposed hosts, identities, role chains, AI
targets, with enough variety (vulnerabilities, IMDSv1, public buckets, shared identities,
multi-kind hops) that paths of every level and overlapping fixes occur."""

from __future__ import annotations

import random

from aispm_graph.graph.model import Graph

PORTS = [("tcp/22", "remote-admin"), ("tcp/443", "web"), ("tcp/8888", "ai-service")]


def random_estate(seed: int, hosts: int = 6, roles: int = 5, targets: int = 6) -> Graph:
    rnd = random.Random(seed)
    g = Graph()
    g.ensure_internet()
    host_ids = [f"h{i}" for i in range(hosts)]
    role_ids = [f"r{i}" for i in range(roles)]
    target_ids: list[str] = []
    for h in host_ids:
        g.add_node(
            h,
            "EC2Instance",
            h,
            public_ip="198.51.100.1",
            imds_v1=rnd.random() < 0.5,
            vuln_factors=rnd.choice([[], ["high-severity"], ["rce"]]),
        )
    for r in role_ids:
        g.add_node(r, "AWSRole", r)
    for i in range(targets):
        t = f"t{i}"
        if rnd.random() < 0.5:
            g.add_node(t, "S3Bucket", t, data_role=["training"], criticality="crown-jewel")
        else:
            g.add_node(t, "BedrockCustomModel", t)
        target_ids.append(t)
    for h in host_ids:
        if rnd.random() < 0.7:
            port, cls = rnd.choice(PORTS)
            g.add_edge(
                "internet",
                h,
                "INTERNET_EXPOSED",
                {"exposure_width": "any", "ports": port, "port_classes": [cls], "via": f"sg-{h}"},
            )
        for r in rnd.sample(role_ids, rnd.randint(1, 2)):
            g.add_edge(h, r, "HAS_IDENTITY", {"mechanism": "instance-profile"})
    for r in role_ids:
        for other in rnd.sample(role_ids, rnd.randint(0, 1)):
            if other != r:
                g.add_edge(r, other, "CAN_ASSUME", {"statement": f"{other} trust"})
        for t in rnd.sample(target_ids, rnd.randint(1, 3)):
            kind = "CAN_READ" if g.node(t)["kind"] == "S3Bucket" else "CAN_INVOKE"
            g.add_edge(r, t, kind, {"permission": "x", "grant": f"policy-{r}"})
            if kind == "CAN_READ" and rnd.random() < 0.2:
                # Two attack kinds on one hop: removing one of them must not count as closing.
                g.add_edge(r, t, "CAN_WRITE", {"permission": "s3:PutObject", "grant": "p"})
    for t in target_ids:
        if g.node(t)["kind"] == "S3Bucket" and rnd.random() < 0.25:
            g.node(t)["public_read"] = True
            g.add_edge("internet", t, "PUBLIC_ACCESS", {"grant": "allUsers"})
    return g
