"""Model provenance as users see it: ``inventory`` (table and json), the CycloneDX AI-BOM and
the MODEL-00x recommendations, for models of every origin, through the real CLI (graph file
import, build); plus the container facts transforms read it from."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from aispm_graph.aibom.provenance import model_facts_from_env, provenance_of
from aispm_graph.aibom.serving import serving_framework
from tests.support.cli import invoke_cli

FM = "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"
CUSTOM = "arn:aws:bedrock:us-east-1:111122223333:custom-model/anthropic.claude-3-haiku/abc123"
JOB = "arn:aws:bedrock:us-east-1:111122223333:model-customization-job/anthropic.claude/j1"
PT = "arn:aws:bedrock:us-east-1:111122223333:provisioned-model/pt1"
SM = "arn:aws:sagemaker:us-east-1:111122223333:model/"
COMMIT = "0123456789abcdef0123456789abcdef01234567"
TGI = (
    "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-tgi-inference:"
    "2.1.1-tgi2.0.0-gpu-py310-cu121-ubuntu22.04"
)
VLLM = "vllm/vllm-openai:v0.4.0"
VX = "//aiplatform.googleapis.com/projects/p/locations/us-central1/models/"
AOAI = (
    "/subscriptions/s/resourcegroups/rg/providers/microsoft.cognitiveservices/accounts/a/"
    "deployments/gpt"
)


def node(node_id: str, kind: str, **props: Any) -> dict[str, Any]:
    return {"id": node_id, "kind": kind, "name": node_id.rsplit("/", 1)[-1], "properties": props}


def estate() -> dict[str, Any]:
    nodes = [
        node(FM, "BedrockFoundationModel", model_id="anthropic.claude-3-haiku-20240307-v1:0"),
        node(CUSTOM, "BedrockCustomModel", base_model=FM, training_job=JOB),
        node(PT, "BedrockProvisionedThroughput", model_name=CUSTOM),
        node("arn:aws:s3:::acme-train", "S3Bucket", data_role=["training"]),
        node(
            SM + "llama-main",
            "SageMakerModel",
            hf_model_id="meta-llama/Meta-Llama-3-8B",
            hf_revision="main",
            images=[TGI],
        ),
        node(
            SM + "mistral-pinned",
            "SageMakerModel",
            hf_model_id="mistralai/Mistral-7B-v0.1",
            hf_revision=COMMIT,
            images=[VLLM],
        ),
        node(SM + "mystery", "SageMakerModel", artifact="s3://acme-models/model.tar.gz"),
        node(
            SM + "js",
            "SageMakerModel",
            artifact="s3://jumpstart-cache-prod-us-east-1/meta-infer/prepack/v1.0.0/x.tar.gz",
        ),
        node(VX + "garden", "VertexAIModel", model_garden_id="publishers/google/models/gemma@001"),
        node(VX + "placeholder", "VertexAIModel", collected=False),
        node(AOAI, "AzureOpenAIDeployment", model_name="gpt-4o", model_version="2024-08-06"),
    ]
    edges = [
        {"source": CUSTOM, "target": "arn:aws:s3:::acme-train", "kind": "TRAINED_ON"},
        {"source": PT, "target": CUSTOM, "kind": "SERVES"},
    ]
    return {"format": "aispm-graph", "version": 1, "nodes": nodes, "edges": edges}


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("prov")
    f = base / "estate.json"
    f.write_text(json.dumps(estate()))
    osv = base / "osv"
    osv.mkdir()
    (osv / "GHSA-test-vllm.json").write_text(
        json.dumps(
            {
                "id": "GHSA-test-vllm",
                "modified": "2024-06-01T00:00:00Z",
                "summary": "test advisory for vllm before 0.5.0",
                "affected": [
                    {
                        "package": {"ecosystem": "PyPI", "name": "vllm"},
                        "ranges": [
                            {
                                "type": "ECOSYSTEM",
                                "events": [{"introduced": "0"}, {"fixed": "0.5.0"}],
                            }
                        ],
                    }
                ],
            }
        )
    )
    w = base / "ws"
    assert invoke_cli("vulndb", "import", str(osv), workspace=w).code == 0
    assert invoke_cli("import", "graph", str(f), workspace=w).code == 0
    res = invoke_cli("build", workspace=w)
    assert res.code == 0, res.err
    return w


def test_inventory_json_says_where_each_models_weights_came_from(ws: Path) -> None:
    res = invoke_cli("inventory", "--format", "json", workspace=ws)
    assert res.code == 0, res.err
    items = {i["id"]: i for i in res.json()["items"]}
    got = {
        (
            i["id"].rsplit("/", 1)[-1],
            i["provenance_source"],
            i["provenance_id"],
            i["provenance_pinned"],
        )
        for i in items.values()
        if i["provenance_source"]
    }
    assert got == {
        (FM.rsplit("/", 1)[-1], "foundation-model", "anthropic.claude-3-haiku-20240307-v1:0", True),
        ("abc123", "custom-model", "anthropic.claude-3-haiku-20240307-v1:0", True),
        # the provisioned throughput serves the custom model and inherits its answer
        ("pt1", "custom-model", "anthropic.claude-3-haiku-20240307-v1:0", True),
        ("llama-main", "huggingface", "meta-llama/Meta-Llama-3-8B", False),
        ("mistral-pinned", "huggingface", "mistralai/Mistral-7B-v0.1", True),
        ("mystery", "unknown", "", False),
        ("js", "jumpstart", "meta-infer/prepack/v1.0.0/x.tar.gz", False),
        ("garden", "model-garden", "publishers/google/models/gemma@001", True),
        ("gpt", "foundation-model", "gpt-4o", True),
    }
    # a placeholder (referenced, never read) gets no claim at all
    assert items[VX + "placeholder"]["provenance_source"] == ""
    assert items[CUSTOM]["training_job"] == JOB
    assert items[SM + "llama-main"]["serving_framework"] == "tgi 2.0.0"
    summary = res.json().get("summary") or {}
    if summary:
        assert summary["models_unknown_provenance"] == 1


def test_inventory_table_shows_provenance_column(ws: Path) -> None:
    res = invoke_cli("inventory", workspace=ws, env={"COLUMNS": "400"})
    assert res.code == 0, res.err
    assert "provenance" in res.out
    assert "huggingface meta-llama/Meta-Llama-3-8B@main (unpinned)" in res.out
    assert "custom-model anthropic.claude-3-haiku-20240307-v1:0" in res.out


def test_recommendations_flag_unknown_and_unpinned_models(ws: Path) -> None:
    res = invoke_cli("recommendations", "--format", "json", workspace=ws)
    assert res.code == 0, res.err
    fired = {
        (f["check"], f["resource"].rsplit("/", 1)[-1])
        for f in res.json()["findings"]
        if f["check"] in ("MODEL-002", "MODEL-003")
    }
    assert fired == {
        ("MODEL-002", "mystery"),
        ("MODEL-003", "llama-main"),
        ("MODEL-003", "js"),
    }


def test_cyclonedx_carries_provenance_and_validates(ws: Path) -> None:
    res = invoke_cli("inventory", "--format", "cyclonedx", workspace=ws)
    assert res.code == 0, res.err
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(res.out) is None
    bom = json.loads(res.out)
    comps = {c["bom-ref"]: c for c in bom["components"]}
    llama = comps[SM + "llama-main"]
    card = {p["name"]: p["value"] for p in llama["modelCard"]["properties"]}
    assert card["aispm:provenance:source"] == "huggingface"
    assert card["aispm:provenance:revision"] == "main"
    assert card["aispm:provenance:pinned"] == "false"
    assert card["aispm:serving_framework"] == "tgi@2.0.0"
    assert {(r["type"], r["url"]) for r in llama["externalReferences"]} == {
        ("distribution", "https://huggingface.co/meta-llama/Meta-Llama-3-8B/tree/main")
    }
    custom = comps[CUSTOM]
    assert custom["pedigree"]["ancestors"][0]["name"] == FM
    assert custom["modelCard"]["modelParameters"]["datasets"] == [
        {"ref": "arn:aws:s3:::acme-train"}
    ]
    deps = {d["ref"]: set(d["dependsOn"]) for d in bom["dependencies"]}
    assert FM in deps[CUSTOM]


def test_serving_container_version_reaches_the_vulnerability_matcher(ws: Path) -> None:
    res = invoke_cli("export", "json", str(ws.parent / "g.json"), workspace=ws)
    assert res.code == 0, res.err
    g = json.loads((ws.parent / "g.json").read_text())
    edges = {(e["source"], e["kind"], e["target"]) for e in g["edges"]}
    assert (SM + "mistral-pinned", "RUNS_IMAGE", VLLM) in edges
    assert (VLLM, "HAS_PACKAGE", "pkg:pypi/vllm@0.4.0") in edges
    assert ("pkg:pypi/vllm@0.4.0", "AFFECTED_BY", "GHSA-test-vllm") in edges
    assert (TGI, "HAS_PACKAGE", "pkg:github/huggingface/text-generation-inference@2.0.0") in edges


@pytest.mark.parametrize(
    ("env", "args", "expected"),
    [
        # SageMaker Hugging Face DLC: a mapping
        (
            {"HF_MODEL_ID": "meta-llama/Llama-2-7b", "HF_MODEL_REVISION": COMMIT, "HF_TOKEN": "x"},
            [],
            {"hf_model_id": "meta-llama/Llama-2-7b", "hf_revision": COMMIT},
        ),
        # Vertex containerSpec.env: a name/value list; the model given as an argument
        (
            [{"name": "HUGGING_FACE_HUB_TOKEN", "value": "hf_secret"}],
            ["--model=google/gemma-7b", "--revision", "v1"],
            {"hf_model_id": "google/gemma-7b", "hf_revision": "v1"},
        ),
        # a local path is not a hub repository
        ({"MODEL_ID": "/opt/ml/model"}, [], {}),
        ("not an env", None, {}),
    ],
)
def test_container_facts_name_the_model_and_never_keep_secrets(
    env: Any, args: Any, expected: dict[str, str]
) -> None:
    facts = model_facts_from_env(env, args or ())
    assert {k: v for k, v in facts.items() if not k.endswith("_field")} == expected
    assert "hf_secret" not in json.dumps(facts) and "HF_TOKEN" not in json.dumps(facts)


def test_unknown_is_said_with_what_was_missing() -> None:
    prov = provenance_of("SageMakerModel", {"artifact": "s3://acme/model.tar.gz"})
    assert prov.source == "unknown" and "training job" in prov.evidence


@pytest.mark.parametrize(
    ("image", "framework", "version"),
    [
        (TGI, "tgi", "2.0.0"),
        ("ghcr.io/huggingface/text-generation-inference:1.4.5", "tgi", "1.4.5"),
        (
            "us-docker.pkg.dev/deeplearning-platform-release/gcr.io/"
            "huggingface-text-generation-inference-cu121.2-1.ubuntu2204.py310",
            "tgi",
            "2.1",
        ),
        (VLLM, "vllm", "0.4.0"),
        ("nvcr.io/nvidia/tritonserver:24.01-py3", "triton", "24.01"),
        ("ollama/ollama:0.1.32@sha256:" + "a" * 64, "ollama", "0.1.32"),
        (
            "us-docker.pkg.dev/vertex-ai/vertex-vision-model-garden-dockers/pytorch-vllm-serve:"
            "20240620_0916_RC01",
            "vllm",
            "",
        ),
    ],
)
def test_serving_image_tags(image: str, framework: str, version: str) -> None:
    fw = serving_framework(image)
    assert fw is not None and (fw.framework, fw.version) == (framework, version)


def test_other_images_are_not_serving_frameworks() -> None:
    assert serving_framework("python:3.11-slim") is None
    assert serving_framework("acme/vllm-gateway-proxy:1.0") is None
