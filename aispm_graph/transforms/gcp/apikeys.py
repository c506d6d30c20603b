"""API keys and enabled services: which projects expose the Gemini API to API keys.

The Gemini Developer API (``generativelanguage.googleapis.com``) authenticates with API keys,
outside Vertex AI's IAM and VPC Service Controls. What matters is per project: is the API
enabled (Service Usage), and can any of its keys call it (API Keys API restrictions). A key
can call it when it has no API restrictions, is restricted to ``cloudapis.googleapis.com``
(every Cloud API), or lists Gemini among other APIs (one leaked key then reaches more than
the model). Only these facts are kept: key names and their allowed services, never the key
string (the collector redacts it if an answer carries one).
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from aispm_graph.transforms.gcp.builder import GcpBuilder
from aispm_graph.transforms.registry import service

KEY = "apikeys.googleapis.com/Key"
SERVICE = "serviceusage.googleapis.com/Service"
GEMINI = "generativelanguage.googleapis.com"
ALL_CLOUD_APIS = "cloudapis.googleapis.com"
_PROJECT = re.compile(r"(?:^|/)projects/([^/]+)")


@service("gcp", "apikeys", reads=[KEY, SERVICE], order=5)
def api_keys(b: GcpBuilder) -> None:
    """Per project: Gemini API enabled, and the keys that can call it unrestricted."""
    enabled: dict[str, bool] = {}
    keys: dict[str, list[str]] = defaultdict(list)
    b.each((SERVICE,), lambda bb, a: _service(bb, a, enabled))
    b.each((KEY,), lambda bb, a: _key(bb, a, keys))
    for project, gemini in enabled.items():
        b.graph.update_props(project, gemini_api_enabled=gemini, unrestricted_gemini_key=False)
    for project, names in keys.items():
        # A key reaches the API only where it is enabled; a project whose services were not
        # collected is judged on its keys alone (stricter than the peer, never silent).
        if enabled.get(project) is False:
            continue
        b.graph.update_props(
            project, unrestricted_gemini_key=True, unrestricted_gemini_keys=sorted(names)
        )


def _project_of(b: GcpBuilder, asset: dict[str, Any]) -> str:
    """The owning project's node, from the parent or else the asset name (both carry it)."""
    parent = str(asset.get("resource", {}).get("parent") or "")
    m = _PROJECT.search(parent) or _PROJECT.search(asset["name"])
    if m is None:
        raise ValueError(f"{asset['name']}: names no project")
    return b.project_node(m.group(1))


def _service(b: GcpBuilder, asset: dict[str, Any], enabled: dict[str, bool]) -> None:
    data = asset.get("resource", {}).get("data", {})
    project = _project_of(b, asset)
    enabled.setdefault(project, False)
    name = str(data.get("config", {}).get("name") or asset["name"].rsplit("/", 1)[-1])
    if name == GEMINI and str(data.get("state") or "ENABLED") == "ENABLED":
        enabled[project] = True


def _key(b: GcpBuilder, asset: dict[str, Any], keys: dict[str, list[str]]) -> None:
    data = asset.get("resource", {}).get("data", {})
    targets = [
        str(t.get("service") or "")
        for t in (data.get("restrictions") or {}).get("apiTargets") or []
        if isinstance(t, dict)
    ]
    reaches = not targets or ALL_CLOUD_APIS in targets or (GEMINI in targets and len(targets) > 1)
    if reaches:
        label = str(data.get("displayName") or asset["name"].rsplit("/", 1)[-1])
        keys[_project_of(b, asset)].append(label)
