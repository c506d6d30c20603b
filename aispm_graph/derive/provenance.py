"""Model provenance and serving frameworks, for every model node whatever its provider.

Runs after the transforms (which keep the raw facts: base model, training job, Hugging Face id
and revision from the container environment, JumpStart / Model Garden ids, registry assets) and
before vulnerability matching (next phase), so that the serving-framework packages it adds are
matched like any other package:

* every collected model and deployment gets ``provenance_*`` properties
  (:mod:`aispm_graph.aibom.provenance`); a placeholder (referenced, not collected) gets none,
  because its record was never read and "unknown" would be a claim without evidence, except
  a foundation model, whose id is its provenance;
* a custom model is linked to the base model it was tuned from (``BASED_ON``) when that model
  is in the graph;
* a model's serving container image becomes a ``ContainerImage`` (``RUNS_IMAGE``) and a
  recognised framework tag (TGI, vLLM, Triton, Ollama) a ``Package`` on that image.
"""

from __future__ import annotations

from dataclasses import replace

from aispm_graph.aibom.provenance import UNKNOWN, Provenance, provenance_of
from aispm_graph.aibom.serving import serving_framework
from aispm_graph.build import BuildContext, deriver
from aispm_graph.graph.model import Graph
from aispm_graph.schema import Label
from aispm_graph.vulns.matching import PURL_ECOSYSTEMS

MODEL_LABELS = frozenset({str(Label.AI_MODEL), str(Label.AI_DEPLOYMENT)})
# Properties in which transforms keep a model's serving container image reference(s).
MODEL_IMAGE_PROPS = ("images", "container_image", "image")
# Kinds whose id alone says where the weights come from (a foundation model's ARN names its
# provider and model), so even a referenced, uncollected one gets its provenance.
SELF_EVIDENT = frozenset({"BedrockFoundationModel"})


@deriver("access", "model-provenance")
def derive_provenance(graph: Graph, ctx: BuildContext) -> None:
    models = [
        (node_id, data)
        for node_id, data in list(graph.nodes())
        if MODEL_LABELS & set(graph.labels(node_id))
        and (data.get("collected") is not False or data["kind"] in SELF_EVIDENT)
    ]
    # Models before deployments: a deployment that serves a known model inherits its answer.
    models.sort(key=lambda m: str(Label.AI_MODEL) not in graph.labels(m[0]))
    for node_id, data in models:
        if data.get("provenance_source"):
            continue  # declared by the importer (graph file, ML-BOM) and kept as given
        prov = provenance_of(str(data["kind"]), data)
        if prov.source == UNKNOWN:
            prov = _served(graph, node_id) or prov
        graph.update_props(node_id, **{k: v for k, v in prov.as_props().items() if v is not None})
        ctx.stats[f"provenance_{prov.source}"] += 1
        base = prov.base_model
        if base and base != node_id and graph.has_node(base):
            graph.add_edge(node_id, base, "BASED_ON", {"field": "base_model", "value": base})
        _serving_images(graph, ctx, node_id, data)


def _served(graph: Graph, node_id: str) -> Provenance | None:
    """The provenance of the one model a deployment serves, with that as its evidence."""
    served = {
        dst
        for _s, dst, _e in graph.out_edges(node_id, "SERVES")
        if graph.node(dst).get("provenance_source") not in (None, UNKNOWN)
    }
    if len(served) != 1:
        return None
    target = graph.node(served.pop())
    base = provenance_of(str(target["kind"]), target)
    return replace(base, evidence=f"serves {target.get('name')}: {base.evidence}")


def _serving_images(graph: Graph, ctx: BuildContext, node_id: str, data: dict[str, object]) -> None:
    for prop in MODEL_IMAGE_PROPS:
        value = data.get(prop)
        refs = value if isinstance(value, list) else [value]
        for ref in refs:
            if not isinstance(ref, str) or not ref.strip():
                continue
            ref = ref.strip()
            if not graph.has_node(ref):
                graph.add_node(ref, "ContainerImage", ref, uri=ref)
            graph.add_edge(node_id, ref, "RUNS_IMAGE", {"property": prop, "value": ref})
            fw = serving_framework(ref)
            if fw is None:
                continue
            graph.set_prop(node_id, "serving_framework", fw.framework)
            if fw.version:
                graph.set_prop(node_id, "serving_framework_version", fw.version)
            else:
                ctx.warn(
                    f"{node_id}: serving image {ref}: {fw.framework} tag names no release; its "
                    "vulnerabilities cannot be assessed"
                )
                continue
            ptype = fw.purl.split(":", 1)[1].split("/", 1)[0]
            graph.add_node(
                fw.purl,
                "Package",
                f"{fw.package_name}@{fw.version}",
                ecosystem=PURL_ECOSYSTEMS.get(ptype),
                version=fw.version,
                package_name=fw.package_name,
                purl_type=ptype,
                serving_framework=fw.framework,
            )
            graph.add_edge(
                ref, fw.purl, "HAS_PACKAGE", {"source": "image tag", "image": ref, "model": node_id}
            )
