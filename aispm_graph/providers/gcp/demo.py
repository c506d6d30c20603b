"""The GCP part of the demo estate: recorded Cloud Asset Inventory listings.

``fixtures/demo/gcp/assets.json`` (``aispm_graph/_demo/gcp/assets.json`` in a wheel) holds what
``aispm collect gcp`` stores, so the demo goes through the real transform and IAM deriver.
"""

from __future__ import annotations

import json
from pathlib import Path

from aispm_graph.demo import demo_dir
from aispm_graph.workspace import Document, WorkspaceError

DEMO_SCOPE = "demo-gcp"


def demo_assets_path(base: Path | None = None) -> Path:
    return (base or demo_dir()) / "gcp" / "assets.json"


def load_demo_documents(base: Path | None = None) -> list[Document]:
    """The recorded listings as ``gcp`` documents (source ``gcp``, scope ``demo-gcp``)."""
    path = demo_assets_path(base)
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise WorkspaceError(f"demo estate is corrupt: {path}: {exc}") from None
    return [Document("gcp", DEMO_SCOPE, str(row["key"]), row["body"]) for row in rows]
