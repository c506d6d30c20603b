"""Vertex AI resources of the AI bill of materials beyond serving: legacy feature stores,
Feature Registry feature groups, tuning jobs (base model, training data, the tuned model they
produce) and RAG Engine corpora (the vector store they retrieve from, and the sources their
files were imported from).

A tuning job's base model is a Model Garden publisher model (``gemini-2.0-flash-001``,
``publishers/google/models/...``, ``meta/llama3_1@llama-3.1-8b-instruct``): it becomes a
``VertexAIPublisherModel`` node, and the job and the tuned model are ``BASED_ON`` it, so the
tuned model's provenance is an edge, not only text. Continuous tuning from a tuned model of
the estate (``preTunedModel.tunedModelName``) is ``BASED_ON`` that model.

RAG files (``RagFile``) name what they were imported from: a ``gs://`` source makes the bucket
grounding data of the corpus (``GROUNDED_ON``), so whoever can write the bucket writes what the
corpus retrieves; Google Drive, Slack, Jira and SharePoint sources are listed on the corpus
(``data_sources``), as nothing in the graph models them.
"""

from __future__ import annotations

import re
from typing import Any

from aispm_graph.transforms.gcp.builder import GcpBuilder, gs_buckets
from aispm_graph.transforms.registry import service

FEATURESTORE = "aiplatform.googleapis.com/Featurestore"
FEATURE_GROUP = "aiplatform.googleapis.com/FeatureGroup"
TUNING_JOB = "aiplatform.googleapis.com/TuningJob"
RAG_CORPUS = "aiplatform.googleapis.com/RagCorpus"
RAG_FILE = "aiplatform.googleapis.com/RagFile"
PUBLISHER_MODEL = re.compile(
    r"(?:^|/)publishers/(?P<publisher>[^/]+)/models/(?P<model>[^/@]+)(?:@(?P<version>.+))?$"
)
SHORT_OPEN_MODEL = re.compile(r"^(?P<publisher>[a-z0-9-]+)/(?P<model>[^/@]+)(?:@(?P<version>.+))?$")
OTHER_SOURCES = {
    "googleDriveSource": "google-drive",
    "slackSource": "slack",
    "jiraSource": "jira",
    "sharePointSources": "sharepoint",
    "directUploadSource": "direct-upload",
}


@service(
    "gcp",
    "aiplatform-aibom",
    reads=[FEATURESTORE, FEATURE_GROUP, TUNING_JOB, RAG_CORPUS, RAG_FILE],
    order=52,
)
def vertex_aibom(b: GcpBuilder) -> None:
    """After Vertex AI (50): a tuning job marks the model it produced with its lineage."""
    b.each((FEATURESTORE,), _featurestore)
    b.each((FEATURE_GROUP,), _feature_group)
    b.each((TUNING_JOB,), _tuning_job)
    b.each((RAG_CORPUS,), _rag_corpus)
    b.each((RAG_FILE,), _rag_file)


def _name(asset: dict[str, Any], data: dict[str, Any]) -> str:
    return str(data.get("displayName") or asset["name"].rsplit("/", 1)[-1])


def _kms(data: dict[str, Any]) -> str:
    return str((data.get("encryptionSpec") or {}).get("kmsKeyName") or "")


def _featurestore(b: GcpBuilder, asset: dict[str, Any]) -> None:
    data = asset["resource"]["data"]
    b.add(
        asset,
        "VertexAIFeatureStore",
        _name(asset, data),
        data_role=["training"],
        cmk=bool(_kms(data)),
        status=data.get("state"),
    )


def _feature_group(b: GcpBuilder, asset: dict[str, Any]) -> None:
    data = asset["resource"]["data"]
    source = ((data.get("bigQuery") or {}).get("bigQuerySource") or {}).get("inputUri")
    b.add(
        asset,
        "VertexAIFeatureGroup",
        _name(asset, data),
        data_role=["training"],
        bigquery_source=source,
    )


def _tuning_job(b: GcpBuilder, asset: dict[str, Any]) -> None:
    data = asset["resource"]["data"]
    spec = data.get("supervisedTuningSpec") or data.get("distillationSpec") or {}
    training = str(spec.get("trainingDatasetUri") or "")
    tuned = (data.get("tunedModel") or {}).get("model")
    base = str(data.get("baseModel") or (data.get("sourceModel") or {}).get("baseModel") or "")
    node = b.add(
        asset,
        "VertexAITuningJob",
        str(data.get("tunedModelDisplayName") or _name(asset, data)),
        status=data.get("state"),
        base_model=base or None,
        tuned_model=tuned,
        training_data=training or None,
        service_account=data.get("serviceAccount"),
        cmk=bool(_kms(data)),
        kms_key=_kms(data) or None,
    )
    pre_tuned = str((data.get("preTunedModel") or {}).get("tunedModelName") or "")
    base_node = publisher_model(b, base) if base else ""
    if pre_tuned:
        base_node = b.aip_ref(pre_tuned)
    if base_node:
        field = "preTunedModel.tunedModelName" if pre_tuned else "baseModel"
        b.edge(node, base_node, "BASED_ON", field=field, value=pre_tuned or base)
        if tuned:
            b.edge(b.aip_ref(str(tuned)), base_node, "BASED_ON", if_present=True, field=field)
    if data.get("serviceAccount"):
        b.identity(node, str(data["serviceAccount"]), "tuning job service account")
    for bucket in sorted(gs_buckets(spec)):
        bkt = b.bucket_node(bucket, "training")
        b.edge(node, bkt, "TRAINED_ON", uri=training, field="supervisedTuningSpec")
    if tuned:
        model = b.aip_ref(str(tuned))
        b.edge(node, model, "PRODUCED", if_present=True, field="tunedModel.model")
        if b.graph.has_node(model):
            # Lineage on the model itself: its provenance names base model and job.
            b.graph.set_default_prop(model, "base_model", base or None)
            b.graph.set_prop(model, "training_job", node)


def _rag_corpus(b: GcpBuilder, asset: dict[str, Any]) -> None:
    data = asset["resource"]["data"]
    vdb = data.get("vectorDbConfig") or data.get("ragVectorDbConfig") or {}
    embed_cfg = vdb.get("ragEmbeddingModelConfig") or data.get("ragEmbeddingModelConfig") or {}
    embed = (embed_cfg.get("vertexPredictionEndpoint") or {}).get("endpoint") or (
        embed_cfg.get("vertexPredictionEndpoint") or {}
    ).get("model")
    kinds = [k for k in ("ragManagedDb", "pinecone", "vertexVectorSearch", "weaviate") if k in vdb]
    node = b.add(
        asset,
        "VertexAIRagCorpus",
        _name(asset, data),
        vector_db=kinds[0] if kinds else None,
        embedding_model=embed,
        cmk=bool(_kms(data)),
        kms_key=_kms(data) or None,
    )
    search = vdb.get("vertexVectorSearch") or {}
    for field in ("index", "indexEndpoint"):
        ref = search.get(field)
        if ref:
            b.edge(
                node,
                b.aip_ref(str(ref)),
                "GROUNDED_ON",
                if_present=True,
                mechanism="RAG corpus vector store",
                field=f"vectorDbConfig.vertexVectorSearch.{field}",
            )


def publisher_model(b: GcpBuilder, ref: str) -> str:
    """The node of a Model Garden model a tuning job names ('' for a form not recognised).

    A bare id (``gemini-2.0-flash-001``) is Google's; ``meta/llama3_1@...`` names its
    publisher; ``publishers/P/models/M`` (optionally under ``projects/../locations/..``) is the
    full form. A tuned model of the estate (``projects/../models/..``) is not a publisher model.
    """
    ref = ref.strip()
    m = PUBLISHER_MODEL.search(ref) or SHORT_OPEN_MODEL.match(ref)
    if m:
        publisher, model, version = m.group("publisher"), m.group("model"), m.group("version")
    elif re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", ref):
        publisher, model, version = "google", ref, None
    else:
        return ""
    ident = f"publishers/{publisher}/models/{model}" + (f"@{version}" if version else "")
    return b.placeholder(
        "VertexAIPublisherModel",
        f"//aiplatform.googleapis.com/{ident}",
        model + (f"@{version}" if version else ""),
        publisher=publisher,
        model_id=model,
        model_version=version,
        provenance_source="model-garden",
        provenance_id=ident,
        provenance_publisher=publisher,
        provenance_evidence="tuning job baseModel",
    )


def _rag_file(b: GcpBuilder, asset: dict[str, Any]) -> None:
    """No node per file: its source is what matters, as an edge or a fact of its corpus."""
    data = asset["resource"]["data"]
    corpus = b.canon(asset["name"]).split("/ragFiles/", 1)[0]
    if not b.graph.has_node(corpus):
        b.warn(f"RAG file of corpus {corpus}, which was not collected; source not linked")
        return
    sources = list(b.graph.node(corpus).get("data_sources") or [])
    gcs = (data.get("gcsSource") or {}).get("uris") or []
    for uri in gcs:
        if str(uri) not in sources:
            sources.append(str(uri))
    for bucket in sorted(gs_buckets(gcs)):
        bkt = b.bucket_node(bucket, "grounding")
        if bkt:
            b.edge(
                corpus,
                bkt,
                "GROUNDED_ON",
                mechanism="RAG file imported from the bucket: what the corpus retrieves",
                field="ragFiles.gcsSource.uris",
            )
    for field, label in OTHER_SOURCES.items():
        if data.get(field) and label not in sources:
            sources.append(label)
    b.graph.set_prop(corpus, "data_sources", sources or None)
