"""Cloud Run services that serve MCP are marked from their name, images, labels and settings,
and public when the internet may call them."""

from __future__ import annotations

from aispm_graph.derive.gcp_agents import cloud_run_mcp
from aispm_graph.graph.model import Graph

RUN = "//run.googleapis.com/projects/p/locations/us-central1/services/"


def test_mcp_services_are_marked_and_public_only_when_the_internet_reaches_them() -> None:
    graph = Graph()
    graph.ensure_internet()
    graph.add_node(RUN + "tools", "GCPCloudRunService", "tools", images=["ghcr.io/x/mcp-server:1"])
    graph.add_node(RUN + "private", "GCPCloudRunService", "private", env_var_names=["MCP_PORT"])
    graph.add_node(RUN + "web", "GCPCloudRunService", "web", images=["nginx:1"])
    graph.add_edge("internet", RUN + "tools", "PUBLIC_ACCESS", {"member": "allUsers"})
    graph.add_edge("internet", RUN + "web", "PUBLIC_ACCESS", {"member": "allUsers"})

    assert cloud_run_mcp(graph) == 2
    marked = {
        (
            nid.rsplit("/", 1)[-1],
            d.get("serves_mcp"),
            d.get("mcp_public"),
            tuple(d.get("mcp_evidence", ())),
        )
        for nid, d in graph.nodes("GCPCloudRunService")
    }
    assert marked == {
        ("tools", True, True, ("ghcr.io/x/mcp-server:1",)),
        ("private", True, False, ("MCP_PORT",)),
        ("web", None, None, ()),
    }
