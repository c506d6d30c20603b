"""The resource hierarchy: organisations, folders and projects, with their parents."""

from __future__ import annotations

from typing import Any

from aispm_graph.transforms.gcp.builder import GcpBuilder
from aispm_graph.transforms.registry import service

FOLDER = "cloudresourcemanager.googleapis.com/Folder"
ORGANIZATION = "cloudresourcemanager.googleapis.com/Organization"
PROJECT = "cloudresourcemanager.googleapis.com/Project"


@service("gcp", "resourcemanager", reads=[FOLDER, ORGANIZATION, PROJECT], order=0)
def resource_manager(b: GcpBuilder) -> None:
    """First: every other asset resolves its ancestors through the hierarchy made here."""
    b.each((ORGANIZATION,), _org, policy_only_ok=True)
    b.each((FOLDER,), _folder_parent, policy_only_ok=True)
    b.each((PROJECT,), _project_parent, policy_only_ok=True)
    b.each((FOLDER,), _folder, policy_only_ok=True)
    b.each((PROJECT,), _project, policy_only_ok=True)


def _org(b: GcpBuilder, asset: dict[str, Any]) -> None:
    data = asset.get("resource", {}).get("data", {})
    b.add(
        asset,
        "GCPOrganization",
        str(data.get("displayName") or asset["name"].rsplit("/", 1)[-1]),
    )


def _folder_parent(b: GcpBuilder, asset: dict[str, Any]) -> None:
    data = asset.get("resource", {}).get("data", {})
    parent = asset.get("resource", {}).get("parent") or data.get("parent") or ""
    if parent:
        node = b.hier_node(str(parent))
        if node:
            b.folder_parent[b.canon(asset["name"])] = node


def _project_parent(b: GcpBuilder, asset: dict[str, Any]) -> None:
    data = asset.get("resource", {}).get("data", {})
    parent = asset.get("resource", {}).get("parent") or ""
    if not parent and isinstance(data.get("parent"), dict):
        p = data["parent"]
        parent = f"{p.get('type')}s/{p.get('id')}"
    elif not parent and isinstance(data.get("parent"), str):
        parent = data["parent"]
    if parent:
        node = b.hier_node(str(parent))
        if node:
            b.project_parent[b.node_id(asset)] = node


def _folder(b: GcpBuilder, asset: dict[str, Any]) -> None:
    data = asset.get("resource", {}).get("data", {})
    b.add(asset, "GCPFolder", str(data.get("displayName") or asset["name"].rsplit("/", 1)[-1]))


def _project(b: GcpBuilder, asset: dict[str, Any]) -> None:
    data = asset.get("resource", {}).get("data", {})
    node_id = b.node_id(asset)
    pid = node_id.rsplit("/", 1)[-1]
    b.add(
        asset,
        "GCPProject",
        pid,
        tenant=pid,
        project_number=str(data.get("projectNumber") or "") or None,
        lifecycle_state=data.get("lifecycleState") or data.get("state"),
    )
