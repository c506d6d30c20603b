"""Vertex AI Workbench instances: root access, public IP, proxy access and identity."""

from __future__ import annotations

from typing import Any

from aispm_graph.transforms.gcp.builder import (
    COMPUTE,
    Compute,
    GcpBuilder,
    compute_path,
    location_of,
)
from aispm_graph.transforms.registry import service

INSTANCE = "notebooks.googleapis.com/Instance"


@service("gcp", "notebooks", reads=[INSTANCE], order=55)
def workbench(b: GcpBuilder) -> None:
    """After compute: a Workbench instance links to its backing VM instead of duplicating
    its exposure."""
    b.each((INSTANCE,), _workbench)


def _workbench(b: GcpBuilder, asset: dict[str, Any]) -> None:
    data = asset["resource"]["data"]
    gce = data.get("gceSetup") or {}
    meta = gce.get("metadata") or data.get("metadata") or {}
    if isinstance(meta.get("items"), list):
        meta = {i.get("key"): i.get("value") for i in meta["items"] if isinstance(i, dict)}
    root = str(meta.get("notebook-disable-root", "false")).lower() != "true"
    no_public = gce.get("disablePublicIp", data.get("noPublicIp", False))
    sas = [s.get("email") for s in gce.get("serviceAccounts") or [] if isinstance(s, dict)]
    sa = next((s for s in sas if s), None) or data.get("serviceAccount")
    nics = gce.get("networkInterfaces") or [{"network": data.get("network")}]
    tags = gce.get("tags") or data.get("tags") or []
    name = asset["name"].rsplit("/", 1)[-1]
    node = b.add(
        asset,
        "VertexAINotebookRuntime",
        name,
        root_access=root,
        public_ip_enabled=not bool(no_public),
        proxy_access=not bool(data.get("disableProxyAccess") or data.get("noProxyAccess")),
        notebook_type="workbench",
        ai_libraries=["jupyter"],
        state=data.get("state"),
    )
    zone = location_of(asset["name"]) or "-"
    proj = b.graph.node(node).get("tenant") or "-"
    vm = f"{COMPUTE}projects/{proj}/zones/{zone}/instances/{name}"
    if b.graph.has_node(vm) and b.graph.node(vm)["kind"] == "GCPInstance":
        # The backing VM carries the network exposure; link rather than duplicate it.
        b.edge(node, vm, "RUNS_ON")
    else:
        if not no_public:
            b.graph.set_prop(node, "public_ip", "ephemeral")
            b.graph.set_prop(node, "public_ip_source", "gceSetup.disablePublicIp is false")
        b.computes.append(
            Compute(
                node,
                {compute_path(str(n.get("network") or "")) for n in nics if isinstance(n, dict)},
                {str(t) for t in tags},
                {str(sa)} if sa else set(),
            )
        )
    if sa:
        b.identity(node, sa, "Workbench instance service account (metadata server token)")
