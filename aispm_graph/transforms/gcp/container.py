"""GKE clusters: public endpoint, authorised networks and the node service account."""

from __future__ import annotations

from typing import Any

from aispm_graph.transforms.gcp.builder import GcpBuilder
from aispm_graph.transforms.registry import service

CLUSTER = "container.googleapis.com/Cluster"


@service("gcp", "container", reads=[CLUSTER], order=42)
def gke(b: GcpBuilder) -> None:
    """After IAM (node service accounts)."""
    b.each((CLUSTER,), _gke)


def _gke(b: GcpBuilder, asset: dict[str, Any]) -> None:
    data = asset["resource"]["data"]
    private = data.get("privateClusterConfig") or {}
    man = data.get("masterAuthorizedNetworksConfig") or {}
    wi = bool((data.get("workloadIdentityConfig") or {}).get("workloadPool"))
    node = b.add(
        asset,
        "GKECluster",
        str(data.get("name") or asset["name"].rsplit("/", 1)[-1]),
        endpoint_public_access=not bool(private.get("enablePrivateEndpoint")),
        master_authorized_networks=[str(c.get("cidrBlock")) for c in man.get("cidrBlocks") or []]
        if man.get("enabled")
        else None,
        workload_identity=wi,
    )
    if wi:
        return  # pods get their own identities, not the node service account
    emails = {(data.get("nodeConfig") or {}).get("serviceAccount")}
    emails |= {(p.get("config") or {}).get("serviceAccount") for p in data.get("nodePools") or []}
    for email in sorted(e for e in emails if e and e != "default"):
        b.identity(node, email, "node service account (pods reach the metadata server)")
