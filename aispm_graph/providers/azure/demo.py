"""The Azure part of the demo estate: a recorded raw snapshot read through the real transform.

``fixtures/demo/azure/*.json`` hold one resource type each, as workspace document rows
(``[{"key": <lower-cased id>, "body": <raw ARM JSON>}]``), exactly what the collector stores; the
demo manifest can list them as a ``documents`` part (source ``azure``).

The estate is Microsoft Defender for Cloud's reference AI topology (internet -> VM with SSH
open -> user-assigned managed identity -> *Cognitive Services OpenAI User* -> Azure OpenAI
account -> gpt-4o deployment; the same identity -> *Storage Blob Data Reader* -> the grounding
storage account; a Foundry hub and project with an online endpoint) plus negative controls
that each break one link, and some harmless noise.
"""

from __future__ import annotations

import json
from pathlib import Path

from aispm_graph.knowledge.azure.arm import norm, subscription_of
from aispm_graph.workspace import Document

DEMO_SUBSCRIPTION = "6f1c2e3a-5b7d-4c9e-8a1f-2d3c4b5a6e7f"
DEMO_VM = (
    f"/subscriptions/{DEMO_SUBSCRIPTION}/resourcegroups/rg-ai-demo/providers/"
    "microsoft.compute/virtualmachines/vm-ai-gateway"
)


def demo_dir() -> Path:
    """The snapshot directory in a source checkout or in the installed wheel."""
    here = Path(__file__).resolve()
    for candidate in (
        here.parents[3] / "fixtures" / "demo" / "azure",
        here.parents[2] / "_demo" / "azure",
    ):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("the Azure demo estate (fixtures/demo/azure) is not installed")


def load_demo_documents() -> list[Document]:
    """Every recorded resource of the Azure demo estate as ``azure`` source documents."""
    docs: list[Document] = []
    for path in sorted(demo_dir().glob("*.json")):
        rows = json.loads(path.read_text(encoding="utf-8"))
        for row in rows:
            rid = norm(row["body"]["id"])
            docs.append(
                Document("azure", subscription_of(rid) or DEMO_SUBSCRIPTION, rid, row["body"])
            )
    return docs
