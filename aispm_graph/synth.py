"""Synthetic estates for benchmarks: realistic mix and fan-out, deterministic from a seed.

Each tenant (an AWS account, Azure subscription or GCP project of about a thousand resources)
has hosts behind firewalls (a few exposed to the internet), identities attached to hosts,
role chains, AI services with deployments, data stores (some marked as AI data) and grants
between them. The output is an aispm-graph document, so it goes through the same validation,
build and engine as real data.
"""

from __future__ import annotations

import random
from typing import Any

TENANT_SIZE = 1000

# (kind of host, identity kind, firewall kind, rule kind, AI account, deployment, store, tenant)
PROFILES = {
    "aws": (
        "EC2Instance",
        "AWSRole",
        "EC2SecurityGroup",
        "IpPermissionInbound",
        "BedrockCustomModel",
        None,
        "S3Bucket",
        "AWSAccount",
    ),
    "azure": (
        "AzureVirtualMachine",
        "AzureManagedIdentity",
        "AzureNetworkSecurityGroup",
        "AzureNSGRule",
        "AzureCognitiveServicesAccount",
        "AzureOpenAIDeployment",
        "AzureStorageAccount",
        "AzureSubscription",
    ),
    "gcp": (
        "GCPInstance",
        "GCPServiceAccount",
        None,
        None,
        "VertexAIEndpoint",
        None,
        "GCPBucket",
        "GCPProject",
    ),
}


def synth_document(resources: int, seed: int = 7) -> dict[str, Any]:
    rng = random.Random(seed)
    nodes: list[dict[str, Any]] = []
    edges: list[dict[str, Any]] = []

    def node(id_: str, kind: str, **props: Any) -> str:
        nodes.append({"id": id_, "kind": kind, "name": id_.rsplit("/", 1)[-1], "properties": props})
        return id_

    def edge(s: str, kind: str, t: str, **ev: Any) -> None:
        edges.append({"source": s, "target": t, "kind": kind, "evidence": ev})

    tenants = max(1, resources // TENANT_SIZE)
    per = resources // tenants
    for ti in range(tenants):
        cloud = ("aws", "azure", "gcp")[ti % 3]
        host_k, ident_k, fw_k, rule_k, ai_k, dep_k, store_k, tenant_k = PROFILES[cloud]
        base = f"syn/{cloud}/t{ti}"
        tenant = node(f"{base}/tenant", tenant_k, tenant=f"t{ti}")
        n_hosts = int(per * 0.30)
        n_ident = int(per * 0.12)
        n_store = int(per * 0.15)
        n_ai = max(1, int(per * 0.02))
        idents = [node(f"{base}/id/{i}", ident_k, tenant=f"t{ti}") for i in range(n_ident)]
        admins = idents[: max(1, n_ident // 50)]
        for a in admins:
            edge(a, "CAN_ADMINISTER", tenant, permission="admin", grant="synthetic")
        # Role chains: a sparse assume graph among identities.
        for i in range(n_ident):
            if rng.random() < 0.15:
                edge(idents[i], "CAN_ASSUME", rng.choice(idents), statement="synthetic trust")
        ai_targets = []
        for i in range(n_ai):
            acct = node(f"{base}/ai/{i}", ai_k, tenant=f"t{ti}", model_name="synthetic-llm")
            if dep_k:
                for d in range(3):
                    dep = node(f"{acct}/deployments/{d}", dep_k, model_name=f"m{d}")
                    edge(acct, "SERVES", dep, relationship="deployment")
            ai_targets.append(acct)
        stores = []
        for i in range(n_store):
            role = ["training"] if rng.random() < 0.1 else []
            stores.append(
                node(
                    f"{base}/store/{i}",
                    store_k,
                    tenant=f"t{ti}",
                    data_role=role,
                    public_read=rng.random() < 0.002,
                )
            )
        for ident in idents:
            if rng.random() < 0.2:
                edge(
                    ident,
                    "CAN_INVOKE",
                    rng.choice(ai_targets),
                    permission="invoke",
                    grant="synthetic",
                )
            for _ in range(rng.randint(0, 3)):
                edge(ident, "CAN_READ", rng.choice(stores), permission="read", grant="synthetic")
        fws: list[str] = []
        if fw_k and rule_k:
            for f in range(max(1, n_hosts // 10)):
                fw = node(f"{base}/fw/{f}", fw_k, tenant=f"t{ti}")
                open_rule = rng.random() < 0.1
                for r in range(3):
                    src = ["0.0.0.0/0"] if open_rule and r == 0 else ["10.0.0.0/8"]
                    rid = node(
                        f"{fw}/rule/{r}",
                        rule_k,
                        access="allow",
                        direction="inbound",
                        priority=100 + r,
                        protocol="tcp",
                        port_ranges=[rng.choice(["22", "443", "8888", "80"])],
                        source_prefixes=src,
                    )
                    edge(fw, "HAS_RULE", rid)
                fws.append(fw)
        else:
            for f in range(max(1, n_hosts // 10)):
                open_rule = rng.random() < 0.1
                fws.append(
                    node(
                        f"{base}/fw/{f}",
                        "GCPFirewall",
                        access="allow",
                        direction="inbound",
                        priority=1000,
                        protocol="tcp",
                        port_ranges=["8888"],
                        source_prefixes=["0.0.0.0/0" if open_rule else "10.0.0.0/8"],
                    )
                )
        for h in range(n_hosts):
            public = rng.random() < 0.2
            host = node(
                f"{base}/host/{h}",
                host_k,
                tenant=f"t{ti}",
                public_ip=f"34.{ti % 250}.{h // 250 % 250}.{h % 250}" if public else None,
            )
            edge(host, "PROTECTED_BY", rng.choice(fws))
            if rng.random() < 0.5:
                edge(host, "HAS_IDENTITY", rng.choice(idents), mechanism="synthetic")
        # Structure noise up to the tenant's size.
        used = (
            1
            + n_ident
            + n_ai * (4 if dep_k else 1)
            + n_store
            + n_hosts
            + len(fws) * (4 if fw_k else 1)
        )
        for i in range(max(0, per - used)):
            node(f"{base}/noise/{i}", store_k, tenant=f"t{ti}")
    return {"format": "aispm-graph", "version": 1, "nodes": nodes, "edges": edges}
