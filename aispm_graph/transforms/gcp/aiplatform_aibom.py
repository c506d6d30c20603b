"""Vertex AI resources of the AI bill of materials beyond serving: legacy feature stores,
Feature Registry feature groups, tuning jobs (base model, training data, the tuned model they
produce) and RAG Engine corpora (the vector store they retrieve from)."""

from __future__ import annotations

from typing import Any

from aispm_graph.transforms.gcp.builder import GcpBuilder, gs_buckets
from aispm_graph.transforms.registry import service

FEATURESTORE = "aiplatform.googleapis.com/Featurestore"
FEATURE_GROUP = "aiplatform.googleapis.com/FeatureGroup"
TUNING_JOB = "aiplatform.googleapis.com/TuningJob"
RAG_CORPUS = "aiplatform.googleapis.com/RagCorpus"


@service(
    "gcp", "aiplatform-aibom", reads=[FEATURESTORE, FEATURE_GROUP, TUNING_JOB, RAG_CORPUS], order=52
)
def vertex_aibom(b: GcpBuilder) -> None:
    """After Vertex AI (50): a tuning job marks the model it produced with its lineage."""
    b.each((FEATURESTORE,), _featurestore)
    b.each((FEATURE_GROUP,), _feature_group)
    b.each((TUNING_JOB,), _tuning_job)
    b.each((RAG_CORPUS,), _rag_corpus)


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
    )
    if data.get("serviceAccount"):
        b.identity(node, str(data["serviceAccount"]), "tuning job service account")
    for bucket in sorted(gs_buckets(spec)):
        bkt = b.bucket_node(bucket, "training")
        b.edge(node, bkt, "TRAINED_ON", uri=training, field="supervisedTuningSpec")
    if tuned:
        model = b.aip_ref(str(tuned))
        b.edge(node, model, "PRODUCED", if_present=True, field="tunedModel.model")
        if b.g.has_node(model):
            # Lineage on the model itself: its provenance names base model and job.
            data_m = b.g.node(model)
            data_m.setdefault("base_model", base or None)
            data_m["training_job"] = node


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
