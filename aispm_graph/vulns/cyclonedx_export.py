"""The AI bill of materials as CycloneDX 1.6 JSON (``aispm inventory --format cyclonedx``).

Models and deployments are ``machine-learning-model`` components (with the model card when an
ML-BOM supplied one), AI accounts, endpoints, agents and knowledge bases are ``services``,
datasets and AI data stores are ``data`` components, images are ``container`` components,
packages are ``library`` components with their purl, and hosts running AI software (shadow AI)
are ``platform`` components. ``dependencies`` follow the graph's structure (runs, has package,
serves, trained on, based on) and ``vulnerabilities`` list the matched advisories with CVSS
ratings. Every item carries ``aispm:`` properties (graph id, kind, provider) so it can be traced
back.

A model's provenance (issue 20) goes where CycloneDX readers look for it: ``modelCard.properties``
(``aispm:provenance:*``: source, id, publisher, revision, pinned, evidence),
``modelCard.modelParameters.datasets`` (references to the data it was trained on),
``pedigree.ancestors`` (the base model of a tuned model) and ``externalReferences`` (the
Hugging Face repository at its revision, the registry asset, the artifact location).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from aispm_graph import __version__
from aispm_graph.graph.model import Graph
from aispm_graph.schema import Label, node_kinds

SPEC_VERSION = "1.6"
MODEL_LABELS = {str(Label.AI_MODEL), str(Label.AI_DEPLOYMENT)}
SERVICE_LABELS = {
    str(Label.AI_SERVICE),
    str(Label.AI_ENDPOINT),
    str(Label.AI_AGENT),
    str(Label.KNOWLEDGE_BASE),
    str(Label.AI_WORKSPACE),
}
DATA_LABELS = {str(Label.DATASET)}
AI_DATA_ROLES = {"training", "grounding", "model-artifact"}
DEP_EDGES = {
    "RUNS_IMAGE",
    "RUNS_SOFTWARE",
    "HAS_PACKAGE",
    "SERVES",
    "TRAINED_ON",
    "DEPENDS_ON",
    "GROUNDED_ON",
    "STORES_ARTIFACT",
    "INVOKES",
    "BASED_ON",
}
PROVENANCE_KEYS = (
    "source",
    "id",
    "publisher",
    "revision",
    "pinned",
    "evidence",
    "base_model",
    "training_job",
)
_SEVERITIES = {"critical", "high", "medium", "low", "none"}


def _props(
    node_id: str, data: dict[str, Any], extra: dict[str, Any] | None = None
) -> list[dict[str, str]]:
    out = [
        {"name": "aispm:id", "value": node_id},
        {"name": "aispm:kind", "value": str(data["kind"])},
        {"name": "aispm:provider", "value": str(data.get("provider", ""))},
    ]
    for key in ("region", "tenant"):
        if data.get(key):
            out.append({"name": f"aispm:{key}", "value": str(data[key])})
    for key, value in (extra or {}).items():
        if value:
            out.append({"name": f"aispm:{key}", "value": str(value)})
    return out


def _model_card(card: Any) -> dict[str, Any] | None:
    """Keep the parts of an imported model card that CycloneDX 1.6 defines."""
    if not isinstance(card, dict):
        return None
    out: dict[str, Any] = {}
    params = card.get("modelParameters")
    if isinstance(params, dict):
        p = {
            k: v
            for k, v in params.items()
            if k
            in {"approach", "task", "architectureFamily", "modelArchitecture", "inputs", "outputs"}
        }
        if p:
            out["modelParameters"] = p
    for key in ("quantitativeAnalysis", "considerations"):
        if isinstance(card.get(key), dict):
            out[key] = card[key]
    return out or None


def _provenance_card(
    graph: Graph, node_id: str, data: dict[str, Any], card: dict[str, Any]
) -> dict[str, Any]:
    """Add the provenance facts and the training datasets to a model card."""
    props = []
    for key in PROVENANCE_KEYS:
        own = key in ("base_model", "training_job")
        value = data.get(key if own else f"provenance_{key}")
        if value is None or value == "":
            continue
        text = str(value).lower() if isinstance(value, bool) else str(value)
        props.append({"name": f"aispm:provenance:{key}", "value": text})
    if data.get("serving_framework"):
        fw = str(data["serving_framework"])
        if data.get("serving_framework_version"):
            fw += f"@{data['serving_framework_version']}"
        props.append({"name": "aispm:serving_framework", "value": fw})
    if props:
        card["properties"] = props
    datasets = sorted(
        {dst for _s, dst, e in graph.out_edges(node_id) if e["kind"] in ("TRAINED_ON", "DATA_FROM")}
        | {
            src
            for src, _t, _e in graph.in_edges(node_id, "PRODUCED")
            for _j, dst, e2 in graph.out_edges(src)
            if e2["kind"] in ("TRAINED_ON", "DATA_FROM")
        }
    )
    # Only data the BOM lists as a component may be referenced (strict schema: refs resolve).
    listed = [d for d in datasets if _is_data_component(graph, d)]
    if listed:
        params = dict(card.get("modelParameters") or {})
        params["datasets"] = [{"ref": d} for d in listed]
        card["modelParameters"] = params
    return card


def _is_data_component(graph: Graph, node_id: str) -> bool:
    data = graph.node(node_id)
    labels = set(graph.labels(node_id))
    return bool(labels & DATA_LABELS or set(data.get("data_role") or []) & AI_DATA_ROLES)


def _external_refs(data: dict[str, Any]) -> list[dict[str, str]]:
    """Where the weights can be found: hub repository at its revision, registry asset, artifact."""
    out: list[dict[str, str]] = []
    source = str(data.get("provenance_source") or "")
    ident = str(data.get("provenance_id") or "")
    rev = str(data.get("provenance_revision") or "")
    if source == "huggingface" and ident and "/" in ident and "://" not in ident:
        url = f"https://huggingface.co/{ident}" + (f"/tree/{rev}" if rev else "")
        out.append({"type": "distribution", "url": url, "comment": "Hugging Face repository"})
    elif source == "model-registry" and "://" in ident:
        out.append({"type": "distribution", "url": ident, "comment": "model registry asset"})
    elif source == "model-garden" and ident.startswith("publishers/"):
        out.append(
            {
                "type": "distribution",
                "url": f"https://console.cloud.google.com/vertex-ai/{ident.split('@', 1)[0]}",
                "comment": "Vertex AI Model Garden model",
            }
        )
    for key in ("artifact", "artifact_uri", "model_data"):
        uri = str(data.get(key) or "")
        if "://" in uri and " " not in uri:
            out.append({"type": "distribution", "url": uri, "comment": "model artifact"})
            break
    return out


def write_cyclonedx(graph: Graph) -> dict[str, Any]:
    kinds = node_kinds()
    components: list[dict[str, Any]] = []
    services: list[dict[str, Any]] = []
    refs: set[str] = set()
    for node_id, data in sorted(graph.nodes(), key=lambda x: x[0]):
        spec = kinds[data["kind"]]
        labels = {str(label) for label in spec.labels}
        name = str(data.get("name") or node_id)
        if labels & MODEL_LABELS:
            comp: dict[str, Any] = {
                "type": "machine-learning-model",
                "bom-ref": node_id,
                "name": name,
                "properties": _props(
                    node_id,
                    data,
                    {
                        "model_name": data.get("model_name"),
                        "vuln_factors": ",".join(data.get("vuln_factors") or []),
                    },
                ),
            }
            if data.get("model_version"):
                comp["version"] = str(data["model_version"])
            elif data.get("provenance_revision"):
                comp["version"] = str(data["provenance_revision"])
            if data.get("publisher"):
                comp["publisher"] = str(data["publisher"])
            elif data.get("provenance_publisher"):
                comp["publisher"] = str(data["provenance_publisher"])
            card = _model_card(data.get("model_card")) or {}
            card = _provenance_card(graph, node_id, data, card)
            if card:
                comp["modelCard"] = card
            refs_out = _external_refs(data)
            if refs_out:
                comp["externalReferences"] = refs_out
            if data.get("base_model"):
                comp["pedigree"] = {
                    "ancestors": [
                        {
                            "type": "machine-learning-model",
                            "name": str(data["base_model"]),
                            "properties": [{"name": "aispm:id", "value": str(data["base_model"])}],
                        }
                    ]
                }
            components.append(comp)
        elif labels & SERVICE_LABELS:
            svc: dict[str, Any] = {
                "bom-ref": node_id,
                "name": name,
                "provider": {"name": str(data.get("provider", ""))},
                "properties": _props(node_id, data),
            }
            if data.get("public_network_access") is not None:
                svc["x-trust-boundary"] = bool(data["public_network_access"])
            services.append(svc)
        elif labels & DATA_LABELS or set(data.get("data_role") or []) & AI_DATA_ROLES:
            entry: dict[str, Any] = {"type": "dataset", "name": name}
            if data.get("classification"):
                entry["classification"] = str(data["classification"])
            if data.get("url"):
                entry["contents"] = {"url": str(data["url"])}
            components.append(
                {
                    "type": "data",
                    "bom-ref": node_id,
                    "name": name,
                    "data": [entry],
                    "properties": _props(
                        node_id, data, {"data_role": ",".join(data.get("data_role") or [])}
                    ),
                }
            )
        elif data["kind"] == "ContainerImage":
            comp = {
                "type": "container",
                "bom-ref": node_id,
                "name": str(data.get("uri") or name),
                "properties": _props(node_id, data),
            }
            digest = str(data.get("digest") or "")
            if digest.startswith("sha256:") and len(digest) == 71:
                comp["hashes"] = [{"alg": "SHA-256", "content": digest[7:]}]
            components.append(comp)
        elif data["kind"] == "Package":
            comp = {
                "type": "library",
                "bom-ref": node_id,
                "name": str(data.get("package_name") or name),
                "purl": node_id,
                "properties": _props(node_id, data, {"ai_library": data.get("ai_library")}),
            }
            if data.get("version"):
                comp["version"] = str(data["version"])
            components.append(comp)
        elif data.get("ai_libraries") and str(Label.COMPUTE) in labels:
            components.append(
                {
                    "type": "platform",
                    "bom-ref": node_id,
                    "name": name,
                    "properties": _props(
                        node_id,
                        data,
                        {
                            "ai_libraries": ",".join(data["ai_libraries"]),
                            "vuln_factors": ",".join(data.get("vuln_factors") or []),
                            "shadow_ai": spec.category != "ai",
                        },
                    ),
                }
            )
        else:
            continue
        refs.add(node_id)
    deps: dict[str, set[str]] = {}
    for src, dst, e in graph.edges():
        if e["kind"] in DEP_EDGES and src in refs and dst in refs and src != dst:
            deps.setdefault(src, set()).add(dst)
    vulns = []
    for vid, data in sorted(graph.nodes("Vulnerability"), key=lambda x: x[0]):
        affects = sorted({src for src, _t, _e in graph.in_edges(vid, "AFFECTED_BY") if src in refs})
        if not affects:
            continue
        rating: dict[str, Any] = {}
        level = str(data.get("severity") or "unknown")
        rating["severity"] = level if level in _SEVERITIES else "unknown"
        if data.get("cvss_score") is not None:
            rating["score"] = float(data["cvss_score"])
        vector = str(data.get("cvss_vector") or "")
        if vector.startswith("CVSS:4.0/"):
            rating["method"], rating["vector"] = "CVSSv4", vector
        elif vector.startswith("CVSS:3.1/"):
            rating["method"], rating["vector"] = "CVSSv31", vector
        elif vector.startswith("CVSS:3.0/"):
            rating["method"], rating["vector"] = "CVSSv3", vector
        v: dict[str, Any] = {
            "bom-ref": f"vuln:{vid}",
            "id": vid,
            "source": {
                "name": "OSV"
                if "osv" in (data.get("reported_by") or ["osv"])
                else "/".join(data.get("reported_by") or [])
            },
            "ratings": [rating],
            "affects": [{"ref": a} for a in affects],
        }
        aliases = [a for a in data.get("aliases") or [] if isinstance(a, str)]
        if aliases:
            v["references"] = [
                {"id": a, "source": {"name": a.split("-", 1)[0]}} for a in aliases[:20]
            ]
        if data.get("summary"):
            v["description"] = str(data["summary"])
        fixes = data.get("fixed_versions") or []
        if fixes:
            v["recommendation"] = f"Upgrade to a fixed version ({', '.join(fixes[:5])})"
        vulns.append(v)
    bom: dict[str, Any] = {
        "$schema": "http://cyclonedx.org/schema/bom-1.6.schema.json",
        "bomFormat": "CycloneDX",
        "specVersion": SPEC_VERSION,
        "serialNumber": f"urn:uuid:{uuid.uuid4()}",
        "version": 1,
        "metadata": {
            "timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "tools": {
                "components": [
                    {"type": "application", "name": "aispm-graph", "version": __version__}
                ]
            },
            "properties": [{"name": "aispm:document", "value": "AI bill of materials"}],
        },
        "components": components,
        "services": services,
        "dependencies": [{"ref": r, "dependsOn": sorted(deps.get(r, set()))} for r in sorted(refs)],
        "vulnerabilities": vulns,
    }
    return bom
