"""The AI bill of materials as CycloneDX 1.6 JSON (``aispm inventory --format cyclonedx``).

Models and deployments are ``machine-learning-model`` components (with the model card when an
ML-BOM supplied one), AI accounts, endpoints, agents and knowledge bases are ``services``,
datasets and AI data stores are ``data`` components, images are ``container`` components,
packages are ``library`` components with their purl, and hosts running AI software (shadow AI)
are ``platform`` components. ``dependencies`` follow the graph's structure (runs, has package,
serves, trained on) and ``vulnerabilities`` list the matched advisories with CVSS ratings. Every
item carries ``aispm:`` properties (graph id, kind, provider) so it can be traced back.
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
}
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
            if data.get("publisher"):
                comp["publisher"] = str(data["publisher"])
            card = _model_card(data.get("model_card"))
            if card:
                comp["modelCard"] = card
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
        affects = sorted(
            {
                src
                for src, _t, e in graph.g.in_edges(vid, data=True)
                if e["kind"] == "AFFECTED_BY" and src in refs
            }
        )
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
