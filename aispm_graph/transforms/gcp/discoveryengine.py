"""Vertex AI Search / Agent Builder: data stores (grounding) and the apps that use them.

A chat app (``SOLUTION_TYPE_CHAT``) is backed by a Dialogflow CX agent
(``chatEngineMetadata.dialogflowAgent``): that agent answers from the app's data stores, so it
is ``GROUNDED_ON`` the app, and whoever can write a data store steers it (the agents pass).
"""

from __future__ import annotations

from typing import Any

from aispm_graph.transforms.gcp.builder import GcpBuilder
from aispm_graph.transforms.registry import service

DATA_STORE = "discoveryengine.googleapis.com/DataStore"
ENGINE = "discoveryengine.googleapis.com/Engine"
DF = "//dialogflow.googleapis.com/"


@service("gcp", "discoveryengine", reads=[DATA_STORE, ENGINE], order=60)
def discovery_engine(b: GcpBuilder) -> None:
    """Data stores before the apps (engines) grounded on them."""
    b.each((DATA_STORE,), _data_store, policy_only_ok=True)
    b.each((ENGINE,), _engine)


def _data_store(b: GcpBuilder, asset: dict[str, Any]) -> None:
    data = asset.get("resource", {}).get("data", {})
    b.add(
        asset,
        "DiscoveryEngineDataStore",
        str(data.get("displayName") or asset["name"].rsplit("/", 1)[-1]),
        data_role=["grounding"],
        industry_vertical=data.get("industryVertical"),
        content_config=data.get("contentConfig"),
    )


def _engine(b: GcpBuilder, asset: dict[str, Any]) -> None:
    data = asset["resource"]["data"]
    node = b.add(
        asset,
        "DiscoveryEngineApp",
        str(data.get("displayName") or asset["name"].rsplit("/", 1)[-1]),
        solution_type=data.get("solutionType"),
        dialogflow_agent=(data.get("chatEngineMetadata") or {}).get("dialogflowAgent"),
    )
    agent = (data.get("chatEngineMetadata") or {}).get("dialogflowAgent")
    if agent:
        b.edge(
            DF + b.canon(str(agent)).removeprefix(DF),
            node,
            "GROUNDED_ON",
            mechanism="chat app's Dialogflow agent answers from the app's data stores",
            field="chatEngineMetadata.dialogflowAgent",
        )
    collection = b.canon(asset["name"]).split("/engines/")[0]
    for ds_id in data.get("dataStoreIds") or []:
        store = f"{collection}/dataStores/{ds_id}"
        if b.graph.has_node(store):
            b.edge(
                node,
                store,
                "GROUNDED_ON",
                mechanism="Agent Builder app data store",
                fix=f"Limit what {b.graph.node(node)['name']} may retrieve from "
                f"{b.graph.node(store)['name']} or who may query it",
            )
