"""Storage accounts and blob containers: anonymous public read, shared keys, network rules."""

from __future__ import annotations

from collections import defaultdict
from functools import partial

from aispm_graph.knowledge.azure.arm import name_of
from aispm_graph.transforms.azure.builder import (
    AzureBuilder,
    Res,
    approved_private_endpoints,
    enabled,
    obj,
    props,
    tag_roles,
)
from aispm_graph.transforms.registry import service


@service(
    "azure",
    "storage",
    reads=[
        "microsoft.storage/storageaccounts",
        "microsoft.storage/storageaccounts/blobservices/containers",
    ],
    order=50,
)
def storage(b: AzureBuilder) -> None:
    """Containers first, to know which accounts serve anonymous reads."""
    public_containers: dict[str, list[str]] = defaultdict(list)
    for rid, res in b.resources("microsoft.storage/storageaccounts/blobservices/containers"):

        def _one(rid: str = rid, res: Res = res) -> None:
            level = str(props(res).get("publicAccess") or "None")
            if level.lower() in {"blob", "container"}:
                public_containers[rid.split("/blobservices/")[0]].append(
                    f"{name_of(rid)} ({level})"
                )

        b.guarded(rid, "microsoft.storage/storageaccounts/blobservices/containers", _one)
    for rid, res in b.resources("microsoft.storage/storageaccounts"):
        b.guarded(
            rid,
            "storageAccount",
            partial(_storage, b, rid, res, public_containers[rid]),
        )
    for rid, res in b.resources("microsoft.storage/storageaccounts/blobservices/containers"):

        def _one(rid: str = rid, res: Res = res) -> None:
            acct = rid.split("/blobservices/")[0]
            b.resource_node(
                rid,
                "AzureStorageContainer",
                res,
                public_access=str(props(res).get("publicAccess") or "None"),
            )
            b.edge(acct, rid, "CONTAINS")

        b.guarded(rid, "microsoft.storage/storageaccounts/blobservices/containers", _one)


def _storage(b: AzureBuilder, rid: str, res: Res, public_containers: list[str]) -> None:
    p = props(res)
    acls = obj(p.get("networkAcls"))
    pna = enabled(p.get("publicNetworkAccess"))
    default = str(acls.get("defaultAction") or "Allow")
    blob_public = bool(p.get("allowBlobPublicAccess"))
    reachable = pna and default.lower() != "deny"
    enc = obj(p.get("encryption"))
    b.resource_node(
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
        public_read_grant=("anonymous blob access on container(s) " + ", ".join(public_containers))
        if blob_public and public_containers and reachable
        else None,
        private_endpoint_only=(not pna) and bool(approved_private_endpoints(p)),
        data_role=tag_roles(res) or None,
    )
