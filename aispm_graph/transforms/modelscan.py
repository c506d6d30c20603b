"""Model scan findings (``aispm scan-model``) onto the model nodes they belong to.

A finding belongs to a model when the scan was attached to it (``--attach MODEL_ID``) or when a
model node names the scanned file as its artifact (``artifact`` / ``artifact_path`` /
``model_path`` ending in the file's name). Unsafe findings add ``unsafe-model`` to the model's
``vuln_factors``. The matching is done in a deriver because models come from other sources.
"""

from __future__ import annotations

from typing import Any

from aispm_graph.build import BuildContext, deriver, transform
from aispm_graph.graph.model import Graph
from aispm_graph.schema import Label
from aispm_graph.workspace import Document

ARTIFACT_PROPS = ("artifact", "artifact_path", "model_path", "artifact_uri", "model_uri")
PENDING_KEY = "pending_model_scans"


@transform("modelscan")
def collect_scans(docs: list[Document], graph: Graph, ctx: BuildContext) -> None:
    scans = []
    for doc in docs:
        body = doc.body
        if not isinstance(body, dict) or not isinstance(body.get("results"), list):
            ctx.warn(f"modelscan:{doc.scope}: stored document is not a scan record; skipped")
            continue
        scans.append(body)
    # Held in the graph's own attribute dict until the deriver runs (never persisted).
    graph.set_meta(PENDING_KEY, scans)


@deriver("vulnerabilities", "model-scan-findings")
def attach_findings(graph: Graph, ctx: BuildContext) -> None:
    scans: list[dict[str, Any]] = graph.pop_meta(PENDING_KEY, [])
    if not scans:
        return
    models = [(n, d) for n, d in graph.nodes() if str(Label.AI_MODEL) in graph.labels(n)]
    for scan in scans:
        for res in scan["results"]:
            if not isinstance(res, dict) or not isinstance(res.get("path"), str):
                continue
            path = res["path"].replace("\\", "/")
            base = path.rsplit("/", 1)[-1]
            targets = {
                a.lower() if a.lower().startswith("/subscriptions/") else a
                for a in scan.get("attach") or []
                if isinstance(a, str)
            }
            for node_id, data in models:
                for prop in ARTIFACT_PROPS:
                    val = data.get(prop)
                    if isinstance(val, str) and (
                        val in (path, base) or val.rstrip("/").endswith("/" + base)
                    ):
                        targets.add(node_id)
            for t in sorted(targets):
                if not graph.has_node(t):
                    ctx.warn(f"scan-model {path}: --attach {t}: no such node; not linked")
                    continue
                graph.append_to_prop(
                    t,
                    "model_scan",
                    {
                        "path": path,
                        "verdict": res.get("verdict"),
                        "findings": res.get("findings", [])[:20],
                    },
                )
                if res.get("verdict") == "unsafe":
                    held = graph.node(t).get("vuln_factors") or []
                    graph.set_prop(t, "vuln_factors", sorted({*held, "unsafe-model"}))
