"""Vertex AI lineage and grounding sources: a tuning job's base model as a node, CMEK facts on
tuning jobs and RAG corpora, and the buckets RAG files were imported from.

Records are Cloud Asset Inventory export-form assets whose ``resource.data`` follows the Vertex
AI v1 reference (``TuningJob``, ``RagCorpus``, ``RagFile``), built on the demo project so the
bucket writers come from its real IAM policies.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from aispm_graph.graph.model import Graph
from aispm_graph.recommendations.evaluate import evaluate
from tests.gcp.conftest import build, demo_rows, edges

pytestmark = pytest.mark.integration

P, NUM, LOC = "acme-vertex-prod", "714523698012", "us-central1"
AIP = f"//aiplatform.googleapis.com/projects/{P}/locations/{LOC}"
ANCESTORS = [f"projects/{NUM}", "folders/418273645091", "organizations/583920174656"]
KEY = f"projects/{P}/locations/{LOC}/keyRings/ai/cryptoKeys/tuning"
GEMINI = "//aiplatform.googleapis.com/publishers/google/models/gemini-2.0-flash-001"
LLAMA = "//aiplatform.googleapis.com/publishers/meta/models/llama3_1@llama-3.1-8b-instruct"
RAG_BUCKET = f"//storage.googleapis.com/projects/_/buckets/{P}-rag-docs"
SA = f"//iam.googleapis.com/projects/{P}/serviceAccounts"


def _asset(kind: str, coll: str, ident: str, data: dict[str, Any]) -> dict[str, Any]:
    name = f"projects/{NUM}/locations/{LOC}/{coll}/{ident}"
    return {
        "name": f"//aiplatform.googleapis.com/{name}",
        "asset_type": f"aiplatform.googleapis.com/{kind}",
        "ancestors": ANCESTORS,
        "resource": {"location": LOC, "data": {"name": name, **data}},
    }


def records(*, writer: bool = True) -> list[dict[str, Any]]:
    recs = [copy.deepcopy(a) for row in demo_rows() for a in row["body"]["assets"]]
    recs += [
        _asset(
            "TuningJob",
            "tuningJobs",
            "101",
            {
                "baseModel": "gemini-2.0-flash-001",
                "tunedModelDisplayName": "claims-gemini",
                "supervisedTuningSpec": {
                    "trainingDatasetUri": f"gs://{P}-fraud-training/claims/train.jsonl"
                },
                "state": "JOB_STATE_SUCCEEDED",
                "tunedModel": {"model": f"projects/{NUM}/locations/{LOC}/models/claims-gemini@1"},
                "encryptionSpec": {"kmsKeyName": KEY},
            },
        ),
        _asset(
            "TuningJob",
            "tuningJobs",
            "102",
            {
                "baseModel": "meta/llama3_1@llama-3.1-8b-instruct",
                "tunedModelDisplayName": "triage-llama",
                "supervisedTuningSpec": {
                    "trainingDatasetUri": f"gs://{P}-fraud-training/triage/train.jsonl"
                },
                "state": "JOB_STATE_SUCCEEDED",
            },
        ),
        _asset("Model", "models", "claims-gemini", {"displayName": "claims-gemini"}),
        _asset(
            "RagCorpus",
            "ragCorpora",
            "policies",
            {"displayName": "policies", "vectorDbConfig": {"ragManagedDb": {}}},
        ),
        _asset(
            "RagFile",
            "ragCorpora/policies/ragFiles",
            "f1",
            {
                "displayName": "handbook.pdf",
                "gcsSource": {"uris": [f"gs://{P}-rag-docs/handbook.pdf"]},
            },
        ),
        _asset(
            "RagFile",
            "ragCorpora/policies/ragFiles",
            "f2",
            {
                "displayName": "faq",
                "googleDriveSource": {
                    "resourceIds": [{"resourceType": "RESOURCE_TYPE_FOLDER", "resourceId": "1Ab"}]
                },
            },
        ),
    ]
    if writer:
        recs.append(
            {
                "name": f"//storage.googleapis.com/{P}-rag-docs",
                "asset_type": "storage.googleapis.com/Bucket",
                "ancestors": ANCESTORS,
                "iam_policy": {
                    "bindings": [
                        {
                            "role": "roles/storage.objectCreator",
                            "members": [f"serviceAccount:worker@{P}.iam.gserviceaccount.com"],
                        }
                    ]
                },
            }
        )
    return recs


def test_base_models_are_nodes_with_provenance_edges() -> None:
    graph: Graph = build(records())[0]
    gemini = graph.node(GEMINI)
    assert (gemini["kind"], gemini["publisher"], gemini["model_id"]) == (
        "VertexAIPublisherModel",
        "google",
        "gemini-2.0-flash-001",
    )
    assert graph.node(LLAMA)["model_version"] == "llama-3.1-8b-instruct"
    based = {(s, t, d["evidence"].get("field")) for s, t, d in graph.edges("BASED_ON")}
    assert {
        (f"{AIP}/tuningJobs/101", GEMINI, "baseModel"),
        (f"{AIP}/models/claims-gemini", GEMINI, "baseModel"),
        (f"{AIP}/tuningJobs/102", LLAMA, "baseModel"),
    } <= based
    # Not a target: a Google model is provenance, not estate data.
    from aispm_graph.analysis.engine import find_paths

    assert not any(p.target in (GEMINI, LLAMA) for p in find_paths(graph).paths)


def test_cmek_facts_and_the_check() -> None:
    graph = build(records())[0]
    assert (
        graph.node(f"{AIP}/tuningJobs/101")["cmk"],
        graph.node(f"{AIP}/tuningJobs/101")["kms_key"],
    ) == (True, KEY)
    assert graph.node(f"{AIP}/tuningJobs/102")["cmk"] is False
    flagged = {f.resource for f in evaluate(graph) if f.check == "GCP-VX-013"}
    assert f"{AIP}/tuningJobs/102" in flagged and f"{AIP}/ragCorpora/policies" in flagged
    assert f"{AIP}/tuningJobs/101" not in flagged


def test_rag_sources_link_buckets_and_their_writers() -> None:
    graph = build(records())[0]
    corpus = graph.node(f"{AIP}/ragCorpora/policies")
    assert corpus["data_sources"] == [f"gs://{P}-rag-docs/handbook.pdf", "google-drive"]
    assert (f"{AIP}/ragCorpora/policies", RAG_BUCKET) in edges(graph, "GROUNDED_ON")
    assert "grounding" in graph.node(RAG_BUCKET)["data_role"]
    worker = f"{SA}/worker@{P}.iam.gserviceaccount.com"
    assert (worker, RAG_BUCKET) in edges(graph, "CAN_WRITE")
    # Negative control: without the objectCreator binding nobody writes the corpus' source.
    quiet = build(records(writer=False))[0]
    assert not any(t == RAG_BUCKET for _s, t in edges(quiet, "CAN_WRITE"))


# -- collection: RAG files read per corpus with the real Vertex AI client -----------------------


def test_collect_reads_rag_files_of_listed_corpora(tmp_path: Any) -> None:
    from tests.conftest import run_cli
    from tests.gcp.conftest import collect_gcp
    from tests.gcp.replay import Recording, ReplayServer

    rows = copy.deepcopy(demo_rows())
    corpus = next(r for r in records() if r["asset_type"].endswith("/RagCorpus"))
    rows.append(
        {
            "key": "resource:aiplatform.googleapis.com/RagCorpus",
            "body": {
                "asset_type": "aiplatform.googleapis.com/RagCorpus",
                "content_type": "RESOURCE",
                "assets": [corpus],
            },
        }
    )
    rec = Recording.from_documents(rows)
    corpus_api = corpus["name"].removeprefix("//aiplatform.googleapis.com/")
    files = [r["resource"]["data"] for r in records() if r["asset_type"].endswith("/RagFile")]
    files += [
        {
            "name": f"{corpus_api}/ragFiles/f{i}",
            "displayName": f"doc-{i}",
            "gcsSource": {"uris": [f"gs://{P}-rag-docs/doc-{i}.pdf"]},
        }
        for i in range(3, 6)
    ]
    rec.rag_files = {corpus_api: files}
    server = ReplayServer(rec).start()
    try:
        res = collect_gcp(server.url, tmp_path, "--no-effective-policies", "--format", "json")
        assert res.code == 0, res.err
        out = res.json()
        assert out["rag_files"] == 5
        row = next(c for c in out["coverage"] if c["scope"] == "RAG_FILES")
        assert (row["service"], row["status"], row["count"]) == (corpus_api, "ok", 5)
        pages = [r for r in server.requests if r["content_type"] == "RAG_FILES"]
        assert {r["path"] for r in pages} == {f"/v1/{corpus_api}/ragFiles"} and len(pages) == 3
    finally:
        server.stop()
    assert run_cli("build", workspace=tmp_path).code == 0
    from aispm_graph.api import Estate

    nx = Estate.open(tmp_path).nx
    corpus_id = f"{AIP}/ragCorpora/policies"
    assert (corpus_id, RAG_BUCKET, "GROUNDED_ON") in set(nx.edges(keys=True))
