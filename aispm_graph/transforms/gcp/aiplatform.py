"""Vertex AI: endpoints and the models they serve, models and their artifacts, datasets,
training pipelines, Colab Enterprise runtimes, agents (reasoning engines), vector indexes and
feature stores, with the data lineage that gives buckets their AI ``data_role``."""

from __future__ import annotations

from typing import Any

from aispm_graph.aibom.provenance import model_facts_from_env
from aispm_graph.transforms.gcp.builder import AIP, GcpBuilder, gs_buckets, location_of
from aispm_graph.transforms.registry import service

MODEL = "aiplatform.googleapis.com/Model"
DATASET = "aiplatform.googleapis.com/Dataset"
NOTEBOOK_RUNTIME = "aiplatform.googleapis.com/NotebookRuntime"
REASONING_ENGINE = "aiplatform.googleapis.com/ReasoningEngine"
INDEX = "aiplatform.googleapis.com/Index"
FEATURE_ONLINE_STORE = "aiplatform.googleapis.com/FeatureOnlineStore"
TRAINING_PIPELINE = "aiplatform.googleapis.com/TrainingPipeline"
PIPELINE_JOB = "aiplatform.googleapis.com/PipelineJob"
INDEX_ENDPOINT = "aiplatform.googleapis.com/IndexEndpoint"
ENDPOINT = "aiplatform.googleapis.com/Endpoint"


@service(
    "gcp",
    "aiplatform",
    reads=[
        MODEL,
        DATASET,
        NOTEBOOK_RUNTIME,
        REASONING_ENGINE,
        INDEX,
        FEATURE_ONLINE_STORE,
        TRAINING_PIPELINE,
        PIPELINE_JOB,
        INDEX_ENDPOINT,
        ENDPOINT,
    ],
    order=50,
)
def vertex_ai(b: GcpBuilder) -> None:
    """Resources first, then what links to them (pipelines to datasets, endpoints to models
    and indexes)."""
    b.each((MODEL,), _model)
    b.each((DATASET,), _dataset)
    b.each((NOTEBOOK_RUNTIME,), _notebook_runtime)
    b.each((REASONING_ENGINE,), _reasoning_engine)
    b.each((INDEX,), _index)
    b.each((FEATURE_ONLINE_STORE,), _feature_store)
    b.each((TRAINING_PIPELINE, PIPELINE_JOB), _pipeline)
    b.each((INDEX_ENDPOINT,), _index_endpoint)
    b.each((ENDPOINT,), _endpoint)


def _endpoint(b: GcpBuilder, asset: dict[str, Any]) -> None:
    data = asset["resource"]["data"]
    psc = bool((data.get("privateServiceConnectConfig") or {}).get("enablePrivateServiceConnect"))
    node = b.add(
        asset,
        "VertexAIEndpoint",
        str(data.get("displayName") or asset["name"].rsplit("/", 1)[-1]),
        private_service_connect=psc,
        private_network=data.get("network") or None,
        public_endpoint=not psc and not data.get("network"),
        dedicated_endpoint=data.get("dedicatedEndpointEnabled"),
        cmk=bool((data.get("encryptionSpec") or {}).get("kmsKeyName")),
    )
    for dm in data.get("deployedModels") or []:
        ref = dm.get("model")
        if not ref:
            continue
        model = b.aip_ref(str(ref))
        if not b.graph.has_node(model):
            b.graph.add_node(
                model,
                "VertexAIModel",
                str(dm.get("displayName") or model.rsplit("/", 1)[-1]),
                tenant=b.graph.node(node).get("tenant"),
                collected=False,
            )
        b.edge(
            node,
            model,
            "SERVES",
            deployed_model_id=dm.get("id"),
            service_account=dm.get("serviceAccount"),
        )
        # The serving container runs as the deployed model's service account: control of
        # the endpoint's code is that account (an attack step like any compute's identity).
        sa = dm.get("serviceAccount")
        if isinstance(sa, str) and sa:
            b.identity(
                node,
                sa,
                "deployed model service account (serving container)",
                field="deployedModels[].serviceAccount",
            )


def _model(b: GcpBuilder, asset: dict[str, Any]) -> None:
    data = asset["resource"]["data"]
    artifact = data.get("artifactUri")
    spec = data.get("containerSpec") or {}
    # Provenance: the Hugging Face id/revision the serving container loads (env or args;
    # nothing else of the environment is kept), the Model Garden model it was deployed from.
    facts = model_facts_from_env(spec.get("env"), spec.get("args") or ())
    garden = ((data.get("baseModelSource") or {}).get("modelGardenSource") or {}).get(
        "publicModelName"
    )
    pipeline = data.get("trainingPipeline")
    node = b.add(
        asset,
        "VertexAIModel",
        str(data.get("displayName") or asset["name"].rsplit("/", 1)[-1]),
        artifact=artifact,
        model_name=data.get("displayName"),
        model_version=data.get("versionId"),
        container_image=spec.get("imageUri"),
        cmk=bool((data.get("encryptionSpec") or {}).get("kmsKeyName")),
        training_pipeline=pipeline,
        training_job=b.aip_ref(str(pipeline)) if pipeline else None,
        model_source_type=(data.get("modelSourceInfo") or {}).get("sourceType"),
        model_garden_id=garden,
        hf_model_id=facts.get("hf_model_id"),
        hf_revision=facts.get("hf_revision"),
        hf_model_id_field=f"containerSpec {facts['hf_model_id_field']}" if facts else None,
    )
    for bucket in sorted(gs_buckets(artifact)):
        bkt = b.bucket_node(bucket, "model-artifact")
        b.edge(bkt, node, "STORES_ARTIFACT", uri=artifact)
    if pipeline:
        b.pipeline_buckets[node].add(b.aip_ref(str(pipeline)))
        b.edge(
            b.aip_ref(str(pipeline)), node, "PRODUCED", if_present=True, field="trainingPipeline"
        )


def _dataset(b: GcpBuilder, asset: dict[str, Any]) -> None:
    data = asset["resource"]["data"]
    node = b.add(
        asset,
        "VertexAIDataset",
        str(data.get("displayName") or asset["name"].rsplit("/", 1)[-1]),
        cmk=bool((data.get("encryptionSpec") or {}).get("kmsKeyName")),
        metadata_schema=data.get("metadataSchemaUri"),
    )
    for bucket in sorted(gs_buckets(data.get("metadata"))):
        bkt = b.bucket_node(bucket, "training")
        b.edge(node, bkt, "DATA_FROM", role="training")


def _pipeline(b: GcpBuilder, asset: dict[str, Any]) -> None:
    data = asset["resource"]["data"]
    node = b.add(
        asset,
        "VertexAITrainingPipeline",
        str(data.get("displayName") or asset["name"].rsplit("/", 1)[-1]),
        service_account=data.get("serviceAccount"),
        state=data.get("state"),
        cmk=bool((data.get("encryptionSpec") or {}).get("kmsKeyName")),
    )
    inputs = data.get("inputDataConfig") or {}
    dataset_id = inputs.get("datasetId")
    if dataset_id:
        loc = location_of(node) or "-"
        proj = b.graph.node(node).get("tenant") or "-"
        ds = f"{AIP}projects/{proj}/locations/{loc}/datasets/{dataset_id}"
        if b.graph.has_node(ds):
            b.edge(node, ds, "DATA_FROM", role="training")
    # Google's public schema files (trainingTaskDefinition, *SchemaUri) are not data: they are
    # kept as properties and bucket_node() refuses their buckets.
    b.graph.set_prop(node, "training_task_definition", data.get("trainingTaskDefinition"))
    out = data.get("modelToUpload") or {}
    # The model the pipeline uploads: modelToUpload.name once uploaded, else modelId.
    produced = out.get("name") or (
        f"projects/{b.graph.node(node).get('tenant')}/locations/{location_of(node)}/models/"
        f"{data['modelId']}"
        if data.get("modelId")
        else ""
    )
    if produced:
        field = "modelToUpload.name" if out.get("name") else "modelId"
        b.edge(node, b.aip_ref(str(produced)), "PRODUCED", if_present=True, field=field)
    artifact_buckets = gs_buckets(out.get("artifactUri"))
    for bucket in sorted(artifact_buckets):
        b.bucket_node(bucket, "model-artifact")
    rest = {k: v for k, v in data.items() if k not in {"modelToUpload"}}
    for bucket in sorted(gs_buckets(rest) - artifact_buckets):
        bkt = b.bucket_node(bucket, "training")
        b.edge(node, bkt, "DATA_FROM", role="training")


def _template_hardening(template: dict[str, Any]) -> dict[str, Any]:
    """CMEK and Secure Boot of the template a Colab runtime was created from.

    The template decides both for every runtime made from it; unknown (nothing set) when the
    template was not collected, so the check stays quiet rather than guessing.
    """
    if not template:
        return {}
    gaps = []
    if not (template.get("encryptionSpec") or {}).get("kmsKeyName"):
        gaps.append("cmek")
    if not (template.get("shieldedVmConfig") or {}).get("enableSecureBoot"):
        gaps.append("secure-boot")
    return {"template_hardened": not gaps, "template_gaps": gaps or None}


def _notebook_runtime(b: GcpBuilder, asset: dict[str, Any]) -> None:
    data = asset["resource"]["data"]
    tref = (data.get("notebookRuntimeTemplateRef") or {}).get("notebookRuntimeTemplate")
    template = b.templates.get(b.canon(str(tref or ""))) or {}
    net = template.get("networkSpec") or data.get("networkSpec") or {}
    euc_disabled = (template.get("eucConfig") or data.get("eucConfig") or {}).get("eucDisabled")
    sa = data.get("serviceAccount") or template.get("serviceAccount")
    node = b.add(
        asset,
        "VertexAINotebookRuntime",
        str(data.get("displayName") or asset["name"].rsplit("/", 1)[-1]),
        runtime_user=data.get("runtimeUser"),
        internet_access=net.get("enableInternetAccess"),
        template=tref,
        **_template_hardening(template),
        notebook_type="colab-enterprise",
        ai_libraries=["jupyter"],
    )
    if sa:
        b.identity(node, sa, "runtime service account (metadata server token)")
    elif data.get("runtimeUser") and not euc_disabled:
        user = f"user:{data['runtimeUser']}"
        if not b.graph.has_node(user):
            b.graph.add_node(user, "GCPUser", str(data["runtimeUser"]))
        b.edge(
            node,
            user,
            "HAS_IDENTITY",
            mechanism="end-user credentials of the runtime user",
            fix=f"Limit who may connect to {b.graph.node(node)['name']}",
        )


def _reasoning_engine(b: GcpBuilder, asset: dict[str, Any]) -> None:
    data = asset["resource"]["data"]
    spec = data.get("spec") or {}
    node = b.add(
        asset,
        "VertexAIReasoningEngine",
        str(data.get("displayName") or asset["name"].rsplit("/", 1)[-1]),
        service_account=spec.get("serviceAccount"),
        agent_framework=spec.get("agentFramework"),
    )
    for bucket in sorted(gs_buckets(spec.get("packageSpec"))):
        bkt = b.bucket_node(bucket, "model-artifact")
        b.edge(bkt, node, "STORES_ARTIFACT", what="agent package")


def _index(b: GcpBuilder, asset: dict[str, Any]) -> None:
    data = asset["resource"]["data"]
    node = b.add(
        asset,
        "VertexAIIndex",
        str(data.get("displayName") or asset["name"].rsplit("/", 1)[-1]),
        data_role=["grounding"],
        cmk=bool((data.get("encryptionSpec") or {}).get("kmsKeyName")),
    )
    for bucket in sorted(gs_buckets(data.get("metadata"))):
        bkt = b.bucket_node(bucket, "grounding")
        b.edge(node, bkt, "DATA_FROM", role="grounding")


def _index_endpoint(b: GcpBuilder, asset: dict[str, Any]) -> None:
    data = asset["resource"]["data"]
    node = b.add(
        asset,
        "VertexAIIndexEndpoint",
        str(data.get("displayName") or asset["name"].rsplit("/", 1)[-1]),
        public_endpoint_enabled=bool(data.get("publicEndpointEnabled")),
        private_service_connect=bool(
            (data.get("privateServiceConnectConfig") or {}).get("enablePrivateServiceConnect")
        ),
    )
    for di in data.get("deployedIndexes") or []:
        if di.get("index"):
            idx = b.aip_ref(str(di["index"]))
            if b.graph.has_node(idx):
                b.edge(node, idx, "SERVES", deployed_index_id=di.get("id"))


def _feature_store(b: GcpBuilder, asset: dict[str, Any]) -> None:
    data = asset["resource"]["data"]
    serving = data.get("dedicatedServingEndpoint") or {}
    b.add(
        asset,
        "VertexAIFeatureOnlineStore",
        asset["name"].rsplit("/", 1)[-1],
        private_service_connect=bool(
            (serving.get("privateServiceConnectConfig") or {}).get("enablePrivateServiceConnect")
        ),
        cmk=bool((data.get("encryptionSpec") or {}).get("kmsKeyName")),
    )
