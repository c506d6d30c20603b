"""GCP AI-BOM: the real Cloud Asset client collects the demo project plus Vertex AI records
that real estates carry (a training pipeline naming Google's public schema and the model it
uploads, a Model Garden model served by vLLM, a tuning job, a RAG corpus, feature stores and a
type no transform models yet), then the build turns every one into a node, every reference
into an edge, and Google's public buckets into nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import run_cli
from tests.gcp.conftest import collect_gcp, demo_rows
from tests.gcp.replay import Recording, ReplayServer

pytestmark = [pytest.mark.integration, pytest.mark.slow]

NUM = "714523698012"  # the demo project's number
PROJ = "acme-vertex-prod"
LOC = "us-central1"
ANCESTORS = [f"projects/{NUM}", "folders/902233445566", "organizations/411122223333"]
AIP = "//aiplatform.googleapis.com/"
SA = f"vertex-tuning@{PROJ}.iam.gserviceaccount.com"
GS = "//storage.googleapis.com/projects/_/buckets/"


def asset(kind: str, collection: str, rid: str, data: dict[str, Any]) -> dict[str, Any]:
    name = f"projects/{NUM}/locations/{LOC}/{collection}/{rid}"
    return {
        "name": f"{AIP}{name}",
        "asset_type": f"aiplatform.googleapis.com/{kind}",
        "ancestors": ANCESTORS,
        "resource": {
            "version": "v1",
            "discovery_document_uri": "https://aiplatform.googleapis.com/$discovery/rest",
            "discovery_name": kind,
            "parent": f"//cloudresourcemanager.googleapis.com/projects/{NUM}",
            "data": {"name": name, **data},
            "location": LOC,
        },
    }


def extra_assets() -> list[dict[str, Any]]:
    return [
        asset(
            "TrainingPipeline",
            "trainingPipelines",
            "7712345678901234567",
            {
                "displayName": "churn-automl",
                "state": "PIPELINE_STATE_SUCCEEDED",
                "trainingTaskDefinition": "gs://google-cloud-aiplatform/schema/trainingjob/"
                "definition/automl_tabular_1.0.0.yaml",
                "trainingTaskInputs": {"targetColumn": "churned"},
                "inputDataConfig": {
                    "gcsDestination": {"outputUriPrefix": "gs://acme-churn-train/splits/"}
                },
                "modelId": "churn-model",
                "modelToUpload": {"displayName": "churn"},
                "createTime": "2025-01-10T10:00:00.000Z",
            },
        ),
        asset(
            "Model",
            "models",
            "churn-model",
            {
                "displayName": "churn",
                "versionId": "1",
                "trainingPipeline": f"projects/{NUM}/locations/{LOC}/trainingPipelines/"
                "7712345678901234567",
                "artifactUri": "gs://acme-churn-models/model/",
                "metadataSchemaUri": "gs://google-cloud-aiplatform/schema/model/metadata/"
                "automl_tabular_1.0.0.yaml",
                "modelSourceInfo": {"sourceType": "AUTOML"},
            },
        ),
        asset(
            "Model",
            "models",
            "gemma-garden",
            {
                "displayName": "gemma-2-9b-it",
                "versionId": "1",
                "artifactUri": "gs://vertex-model-garden-public-us/gemma2/gemma-2-9b-it",
                "baseModelSource": {
                    "modelGardenSource": {"publicModelName": "publishers/google/models/gemma2"}
                },
                "modelSourceInfo": {"sourceType": "MODEL_GARDEN"},
                "containerSpec": {
                    "imageUri": "us-docker.pkg.dev/vertex-ai/vertex-vision-model-garden-dockers/"
                    "pytorch-vllm-serve:20240620_0916_RC01",
                    "args": ["--model=google/gemma-2-9b-it", "--tensor-parallel-size=1"],
                    "env": [
                        {"name": "MODEL_ID", "value": "google/gemma-2-9b-it"},
                        {"name": "HUGGING_FACE_HUB_TOKEN", "value": "hf_notforthegraph"},
                    ],
                },
            },
        ),
        asset(
            "TuningJob",
            "tuningJobs",
            "3312",
            {
                "baseModel": "gemini-1.5-flash-002",
                "tunedModelDisplayName": "support-gemini",
                "supervisedTuningSpec": {
                    "trainingDatasetUri": "gs://acme-tuning-data/support/train.jsonl"
                },
                "state": "JOB_STATE_SUCCEEDED",
                "tunedModel": {
                    "model": f"projects/{NUM}/locations/{LOC}/models/support-gemini@1",
                    "endpoint": f"projects/{NUM}/locations/{LOC}/endpoints/9988",
                },
                "serviceAccount": SA,
            },
        ),
        asset(
            "Model",
            "models",
            "support-gemini",
            {"displayName": "support-gemini", "versionId": "1"},
        ),
        asset(
            "RagCorpus",
            "ragCorpora",
            "kb1",
            {
                "displayName": "policies-corpus",
                "vectorDbConfig": {
                    "ragManagedDb": {},
                    "ragEmbeddingModelConfig": {
                        "vertexPredictionEndpoint": {
                            "endpoint": f"projects/{NUM}/locations/{LOC}/publishers/google/"
                            "models/text-embedding-005"
                        }
                    },
                },
                "corpusStatus": {"state": "ACTIVE"},
            },
        ),
        asset(
            "FeatureGroup",
            "featureGroups",
            "customers",
            {"bigQuery": {"bigQuerySource": {"inputUri": f"bq://{PROJ}.features.customers"}}},
        ),
        asset(
            "Endpoint",
            "endpoints",
            "4455",
            {
                "displayName": "gemma-endpoint",
                "deployedModels": [
                    {
                        "id": "1",
                        "model": f"projects/{NUM}/locations/{LOC}/models/gemma-garden",
                        "serviceAccount": SA,
                    }
                ],
            },
        ),
        asset("Featurestore", "featurestores", "legacy_fs", {"state": "STABLE"}),
        # a type no transform models (yet): kept, counted, never dropped in silence
        asset("FeatureView", "featureOnlineStores/s/featureViews", "fv1", {"syncConfig": {}}),
        asset("FeatureView", "featureOnlineStores/s/featureViews", "fv2", {"syncConfig": {}}),
    ]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    rows = demo_rows()
    for a in extra_assets():
        rows.append(
            {
                "key": f"resource:{a['asset_type']}",
                "body": {"asset_type": a["asset_type"], "content_type": "RESOURCE", "assets": [a]},
            }
        )
    srv = ReplayServer(Recording.from_documents(rows, page_size=5)).start()
    try:
        ws = tmp_path_factory.mktemp("gcp-aibom") / "ws"
        res = collect_gcp(srv.url, ws)
        assert res.code == 0, res.err
        b = run_cli("build", workspace=ws)
        assert b.code == 0, b.err
        out = ws.parent / "g.json"
        assert run_cli("export", "json", str(out), workspace=ws).code == 0
        g = json.loads(out.read_text())
        yield {
            "ws": ws,
            "nodes": {n["id"]: n for n in g["nodes"]},
            "edges": {(e["source"], e["kind"], e["target"]) for e in g["edges"]},
            "build": b,
        }
    finally:
        srv.stop()


def _id(collection: str, rid: str) -> str:
    return f"{AIP}projects/{PROJ}/locations/{LOC}/{collection}/{rid}"


def prop(n: dict[str, Any], key: str) -> Any:
    return (n.get("properties") or n).get(key)


def test_public_schema_bucket_is_not_a_training_target(built: dict[str, Any]) -> None:
    nodes = built["nodes"]
    assert not any("google-cloud-aiplatform" in n for n in nodes)
    assert not any("vertex-model-garden-public" in n for n in nodes)
    pipe = nodes[_id("trainingPipelines", "7712345678901234567")]
    assert prop(pipe, "training_task_definition").startswith("gs://google-cloud-aiplatform/")
    # the estate's own training data is still a training target
    assert prop(nodes[GS + "acme-churn-train"], "data_role") == ["training"]


def test_pipeline_produces_its_model_and_lineage_is_provenance(built: dict[str, Any]) -> None:
    pipe, model = _id("trainingPipelines", "7712345678901234567"), _id("models", "churn-model")
    assert (pipe, "PRODUCED", model) in built["edges"]
    assert (model, "TRAINED_ON", GS + "acme-churn-train") in built["edges"]
    m = built["nodes"][model]
    assert (prop(m, "provenance_source"), prop(m, "training_job")) == ("custom-model", pipe)


def test_model_garden_model_with_hf_args_and_vllm(built: dict[str, Any]) -> None:
    m = built["nodes"][_id("models", "gemma-garden")]
    assert prop(m, "provenance_source") == "model-garden"
    assert prop(m, "provenance_id") == "publishers/google/models/gemma2"
    assert prop(m, "hf_model_id") == "google/gemma-2-9b-it"
    assert prop(m, "serving_framework") == "vllm"
    # the endpoint serving it runs as the deployed model's service account (an attack step)
    ep = _id("endpoints", "4455")
    assert (ep, "SERVES", _id("models", "gemma-garden")) in built["edges"]
    assert any(s == ep and k == "HAS_IDENTITY" and SA in t for s, k, t in built["edges"])
    # the token in the container environment never reaches the graph
    assert "hf_notforthegraph" not in json.dumps(built["nodes"])


def test_tuning_job_rag_corpus_and_feature_stores(built: dict[str, Any]) -> None:
    job = _id("tuningJobs", "3312")
    tuned = _id("models", "support-gemini")
    assert (job, "PRODUCED", tuned) in built["edges"]
    assert (job, "TRAINED_ON", GS + "acme-tuning-data") in built["edges"]
    assert any(s == job and k == "HAS_IDENTITY" for s, k, _t in built["edges"])
    t = built["nodes"][tuned]
    assert (prop(t, "provenance_source"), prop(t, "base_model")) == (
        "custom-model",
        "gemini-1.5-flash-002",
    )
    rag = built["nodes"][_id("ragCorpora", "kb1")]
    assert (rag["kind"], prop(rag, "vector_db")) == ("VertexAIRagCorpus", "ragManagedDb")
    assert built["nodes"][_id("featureGroups", "customers")]["kind"] == "VertexAIFeatureGroup"
    assert built["nodes"][_id("featurestores", "legacy_fs")]["kind"] == "VertexAIFeatureStore"


def test_unmodelled_types_are_kept_and_counted(built: dict[str, Any]) -> None:
    fv = built["nodes"][_id("featureOnlineStores/s/featureViews", "fv1")]
    assert fv["kind"] == "GCPAIResource"
    assert prop(fv, "resource_type") == "aiplatform.googleapis.com/FeatureView"
    warnings = built["build"].err + built["build"].out
    assert "2 aiplatform FeatureView assets have no dedicated transform" in json.dumps(warnings)


def test_every_declared_gcp_type_of_the_collector_is_read_or_generic() -> None:
    """The collector's explicit AI asset types each have a transform; its wildcards are
    covered by the generic node (tested above)."""
    from aispm_graph.providers.gcp.assets import ASSET_TYPES
    from aispm_graph.transforms import load_all
    from aispm_graph.transforms.registry import declared_reads

    load_all()  # registers every provider service
    declared = declared_reads("gcp")
    ai = [
        t
        for t in ASSET_TYPES
        if "*" not in t
        and t.split(".", 1)[0] in {"aiplatform", "notebooks", "discoveryengine", "dialogflow"}
    ]
    assert [t for t in ai if t not in declared] == []
