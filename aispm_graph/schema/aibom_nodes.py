"""Node kinds of the AI bill of materials beyond the core ones (issue 20).

Kept in their own module so the catalogue of AI resources reads as one list: what each kind is,
which of its record's fields are kept as properties, and whether it ends attack paths. The
fields that name other resources (roles, models, buckets, keys) become edges, documented on
the kind; see ``docs/providers`` for the record field behind each.
"""

from __future__ import annotations

from aispm_graph.schema.model import Label as L
from aispm_graph.schema.model import NodeKind, Prop, Provider, TargetClass
from aispm_graph.schema.nodes import (
    CMK,
    DATA_ROLE,
    MODEL_NAME,
    MODEL_VERSION,
    PUBLIC_ACCESS,
    SL,
    B,
    J,
    S,
    _k,
)

P = Prop
AWS, AZ, GCP = Provider.AWS, Provider.AZURE, Provider.GCP
T = TargetClass
STATUS = P("status", S, "Provider lifecycle status as reported.")
ROLE = P("role", S, "Identity the resource runs as (linked by HAS_IDENTITY).")
KMS = P("kms_key", S, "Customer-managed key that encrypts it, if any.")
RESOURCE_TYPE = P("resource_type", S, "The provider's resource type or API operation.")
RAW_FIELDS = P("fields", SL, "Top-level fields of the record, so an auditor sees what it holds.")


def _generic(name: str, provider: Provider, cloud: str) -> NodeKind:
    return _k(
        name,
        provider,
        (),
        f"An AI resource of {cloud} that a collector read but no transform models yet: kept "
        "as a node (never dropped) and counted in a build warning per resource type.",
        RESOURCE_TYPE,
        RAW_FIELDS,
        category="ai",
        service="unmodelled",
    )


AIBOM_NODE_KINDS: tuple[NodeKind, ...] = (
    _generic("AWSAIResource", AWS, "AWS"),
    _generic("AzureAIResource", AZ, "Azure"),
    _generic("GCPAIResource", GCP, "Google Cloud"),
    # --- Bedrock ---------------------------------------------------------------------------
    _k(
        "BedrockInferenceProfile",
        AWS,
        (L.AI_DEPLOYMENT,),
        "A Bedrock inference profile (system-defined cross-region or application profile): "
        "invoking it invokes the models it routes to (SERVES).",
        P("profile_type", S, "SYSTEM_DEFINED or APPLICATION."),
        STATUS,
        P("models", SL, "Model ARNs it routes to."),
        target=T.AI_MODEL,
        category="ai",
        service="bedrock",
    ),
    _k(
        "BedrockImportedModel",
        AWS,
        (L.AI_MODEL,),
        "A model imported into Bedrock from your own weights (Custom Model Import); its "
        "weights' S3 location is linked with STORES_ARTIFACT.",
        MODEL_NAME,
        CMK,
        P("artifact", S, "S3 URI the weights were imported from."),
        P("architecture", S, "Model architecture (llama, mistral, ...)."),
        P("job_arn", S, "The import job."),
        target=T.AI_MODEL,
        category="ai",
        service="bedrock",
    ),
    _k(
        "BedrockMarketplaceEndpoint",
        AWS,
        (L.AI_ENDPOINT, L.AI_MODEL),
        "A Bedrock Marketplace model endpoint (a SageMaker-hosted endpoint of a Marketplace "
        "model); its execution role is linked with HAS_IDENTITY.",
        STATUS,
        P("model_source", S, "Marketplace model (hub content ARN) it serves."),
        P("jumpstart_model_id", S, "Public hub (JumpStart) model id from the hub content ARN."),
        P("jumpstart_model_version", S, "That model's version."),
        ROLE,
        KMS,
        P("in_vpc", B, "Runs in a VPC."),
        target=T.AI_MODEL,
        category="ai",
        service="bedrock",
    ),
    _k(
        "BedrockModelCustomizationJob",
        AWS,
        (L.TRAINING_JOB,),
        "A Bedrock fine-tuning / continued pre-training / distillation job: base model, "
        "training data, output location and the custom model it PRODUCED.",
        STATUS,
        P("customization_type", S, "FINE_TUNING, CONTINUED_PRE_TRAINING, DISTILLATION."),
        P("base_model", S, "Base model ARN."),
        P("output_model", S, "Custom model ARN it produced."),
        P("training_data", S, "S3 URI of its training data."),
        P("output_location", S, "S3 URI of its output."),
        ROLE,
        KMS,
        P("in_vpc", B, "Runs in a VPC."),
        category="ai",
        service="bedrock",
    ),
    _k(
        "BedrockPrompt",
        AWS,
        (),
        "A Bedrock Prompt Management prompt: templates bound to models (variants).",
        P("models", SL, "Model ids its variants run on."),
        P("variant_count", J, "Number of variants."),
        KMS,
        category="ai",
        service="bedrock",
    ),
    _k(
        "BedrockFlow",
        AWS,
        (),
        "A Bedrock flow: an invocable chain of prompts, models, knowledge bases, agents, Lambda "
        "functions and S3 reads that runs as its execution role (HAS_IDENTITY); it INVOKES its "
        "Lambda functions and agents with the caller's input and is GROUNDED_ON its knowledge "
        "bases and retrieval buckets.",
        STATUS,
        ROLE,
        KMS,
        P("models", SL, "Model ids its prompt and knowledge-base nodes use."),
        P("node_types", SL, "Types of its nodes (Prompt, KnowledgeBase, LambdaFunction, ...)."),
        P("guardrails", SL, "Guardrails its nodes apply."),
        P("tools", SL, "Lambda functions and agent aliases it calls."),
        category="ai",
        service="bedrock",
    ),
    # --- SageMaker -----------------------------------------------------------------------
    _k(
        "SageMakerModelPackageGroup",
        AWS,
        (),
        "A SageMaker Model Registry group (versioned model packages).",
        STATUS,
        P("resource_policy", J, "Its resource policy (cross-account sharing), if any."),
        P("shared_with", SL, "Principals its resource policy allows (other accounts)."),
        category="ai",
        service="sagemaker",
    ),
    _k(
        "SageMakerInferenceComponent",
        AWS,
        (L.AI_DEPLOYMENT,),
        "A SageMaker inference component: a model placed on an endpoint (endpoint SERVES "
        "component SERVES model).",
        STATUS,
        P("endpoint", S, "Endpoint name."),
        P("model", S, "Model name."),
        target=T.AI_MODEL,
        category="ai",
        service="sagemaker",
    ),
    _k(
        "SageMakerSpace",
        AWS,
        (L.AI_WORKSPACE,),
        "A SageMaker Studio space in a domain.",
        STATUS,
        P("sharing", S, "Private or Shared."),
        P("owner", S, "Owning user profile."),
        P("domain_id", S, "Studio domain id."),
        category="ai",
        service="sagemaker",
    ),
    _k(
        "SageMakerApp",
        AWS,
        (L.COMPUTE, L.NOTEBOOK),
        "A SageMaker Studio app (JupyterLab, Code Editor, kernel gateway) running for a user "
        "profile or space; it runs as the domain or profile execution role.",
        STATUS,
        P("app_type", S, "JupyterLab, CodeEditor, KernelGateway, JupyterServer, ..."),
        P("image", S, "SageMaker image ARN it runs."),
        P("instance_type", S, "Instance type."),
        P("domain_id", S, "Studio domain id."),
        ROLE,
        category="ai",
        service="sagemaker",
    ),
    _k(
        "SageMakerProcessingJob",
        AWS,
        (L.COMPUTE,),
        "A SageMaker processing job (data preparation, evaluation); reads and writes S3.",
        STATUS,
        P("image", S, "Container image it runs."),
        ROLE,
        P("network_isolation", B, "Network isolation is on."),
        category="ai",
        service="sagemaker",
    ),
    _k(
        "SageMakerPipeline",
        AWS,
        (),
        "A SageMaker (MLOps) pipeline; runs its steps as its role.",
        STATUS,
        P("step_types", SL, "Step types of its definition (Training, Processing, Model, ...)."),
        ROLE,
        category="ai",
        service="sagemaker",
    ),
    _k(
        "SageMakerFeatureGroup",
        AWS,
        (L.DATA_STORE,),
        "A SageMaker Feature Store feature group; its offline store lives in S3 (DATA_FROM).",
        STATUS,
        DATA_ROLE,
        ROLE,
        KMS,
        CMK,
        P("online_store", B, "Has an online store."),
        P("offline_store", S, "S3 URI of the offline store."),
        category="ai",
        service="sagemaker",
    ),
    # --- Azure ---------------------------------------------------------------------------
    _k(
        "AzureMLRegistry",
        AZ,
        (),
        "An Azure Machine Learning registry (models, environments shared across workspaces).",
        PUBLIC_ACCESS,
        P("regions", SL, "Regions it replicates to."),
        category="ai",
        service="machinelearningservices",
    ),
    _k(
        "AzureMLCompute",
        AZ,
        (L.COMPUTE,),
        "An Azure ML compute instance or cluster; runs as its managed identity.",
        P("compute_type", S, "ComputeInstance, AmlCompute, Kubernetes, ..."),
        P("public_ip", S, "Has a public IP ('enabled') when no private network is used."),
        P("ssh_public_access", B, "SSH is open from the internet."),
        P("local_auth_enabled", B, "Local (key) authentication is allowed."),
        P("subnet", S, "Subnet it runs in."),
        P("vm_size", S, "VM size."),
        P("workspace", S, "Workspace it belongs to."),
        category="ai",
        service="machinelearningservices",
    ),
    _k(
        "AzureMLDatastore",
        AZ,
        (),
        "An Azure ML datastore: a workspace's named connection to storage, with its "
        "authentication mode (account key, SAS, service principal, or identity-based).",
        P("datastore_type", S, "AzureBlob, AzureFile, AzureDataLakeGen2, ..."),
        P("auth_mode", S, "AccountKey, Sas, ServicePrincipal, Certificate or None (identity)."),
        P("stores_credentials", B, "The workspace holds a secret for it (key, SAS, secret)."),
        P("account_name", S, "Storage account it points at (linked by DATA_FROM)."),
        P("container", S, "Container, file share or file system."),
        P("default", B, "The workspace's default datastore."),
        category="ai",
        service="machinelearningservices",
    ),
    _k(
        "AzureMLServerlessEndpoint",
        AZ,
        (L.AI_ENDPOINT, L.AI_MODEL),
        "An Azure ML / AI Foundry serverless (models-as-a-service) endpoint of a catalog model.",
        MODEL_NAME,
        P("auth_mode", S, "Key or AAD."),
        P("model_id", S, "Catalog model asset id (azureml://registries/...)."),
        P("registry_model", S, "The same id, read by the provenance deriver."),
        P("model", S, "The same id, as online endpoints name their model."),
        P("endpoint_type", S, "serverless."),
        PUBLIC_ACCESS,
        P("scoring_uri", S, "Inference URI."),
        target=T.AI_MODEL,
        category="ai",
        service="machinelearningservices",
    ),
    _k(
        "AzureOpenAIRaiPolicy",
        AZ,
        (L.GUARDRAIL,),
        "An Azure OpenAI content filter (RAI policy) of an account; deployments USES_GUARDRAIL.",
        P("mode", S, "Default, Deferred, Blocking, Asynchronous_filter."),
        P("base_policy", S, "Policy it is based on (Microsoft.DefaultV2, ...)."),
        P("prompt_shield", B, "Jailbreak (prompt attack) filtering is on for prompts."),
        P(
            "indirect_attack_shield",
            B,
            "Indirect-attack filtering (prompt shield on documents and tool output) is on.",
        ),
        P("disabled_filters", SL, "Filters switched off or not blocking."),
        P("policy_type", S, "UserManaged or SystemManaged."),
        P("arm_type", S, "ARM resource type."),
        category="ai",
        service="cognitiveservices",
    ),
    # --- Vertex AI -----------------------------------------------------------------------
    _k(
        "VertexAIFeatureStore",
        GCP,
        (L.DATA_STORE,),
        "A Vertex AI (legacy) Featurestore.",
        DATA_ROLE,
        CMK,
        STATUS,
        category="data",
        service="aiplatform",
    ),
    _k(
        "VertexAIFeatureGroup",
        GCP,
        (L.DATA_STORE,),
        "A Vertex AI Feature Registry feature group over a BigQuery source (DATA_FROM).",
        DATA_ROLE,
        P("bigquery_source", S, "BigQuery table URI it reads."),
        category="data",
        service="aiplatform",
    ),
    _k(
        "VertexAITuningJob",
        GCP,
        (L.TRAINING_JOB,),
        "A Vertex AI (Gemini / open model) tuning job: base model, training data and the "
        "tuned model it PRODUCED.",
        STATUS,
        P("base_model", S, "Base model it tunes."),
        P("tuned_model", S, "Model resource it produced."),
        P("training_data", S, "Training dataset URI."),
        P("service_account", S, "Service account it runs as."),
        CMK,
        category="ai",
        service="aiplatform",
    ),
    _k(
        "VertexAIRagCorpus",
        GCP,
        (L.KNOWLEDGE_BASE,),
        "A Vertex AI RAG Engine corpus: indexed documents retrieved to ground answers.",
        P("vector_db", S, "Vector database backing it."),
        P("embedding_model", S, "Embedding model it indexes with."),
        CMK,
        target=T.KNOWLEDGE_BASE,
        category="ai",
        service="aiplatform",
    ),
)

# Properties added to core kinds for issue 20 (declared here, merged by schema/__init__).
EXTRA_PROPS: dict[str, tuple[Prop, ...]] = {
    "BedrockFoundationModel": (
        P("model_provider", S, "Model provider (Anthropic, Meta, Amazon, ...)."),
        P("model_id", S, "Model id (anthropic.claude-3-haiku-20240307-v1:0)."),
        P("lifecycle_status", S, "ACTIVE or LEGACY."),
        P(
            "access_state",
            S,
            "Whether the account may invoke it: AUTHORIZED / NOT_AUTHORIZED with the "
            "entitlement and agreement states, or 'listed' when only the catalogue was read.",
        ),
        P("inference_types", SL, "ON_DEMAND, PROVISIONED, INFERENCE_PROFILE."),
        P("customizations", SL, "FINE_TUNING, CONTINUED_PRE_TRAINING, DISTILLATION."),
        P("access_by_account", J, "Access state per collected account (the model is shared)."),
    ),
    "BedrockCustomModel": (
        KMS,
        P("invocation_logging", B, "Bedrock model invocation logging is on in its region."),
        P("job_arn", S, "Customization job that produced it."),
        P("output_location", S, "S3 URI of the job output."),
        P("customization_type", S, "FINE_TUNING, CONTINUED_PRE_TRAINING, DISTILLATION."),
    ),
    "BedrockProvisionedThroughput": (
        STATUS,
        P("invocation_logging", B, "Bedrock model invocation logging is on in its region."),
        P("foundation_model", S, "Foundation model ARN behind the served model."),
        P("commitment_duration", S, "OneMonth, SixMonths, or none (no commitment)."),
        P("commitment_expiration", S, "When the commitment ends (ISO time)."),
        P("model_units", J, "Model units purchased."),
    ),
    "SageMakerModel": (
        P("execution_role", S, "Execution role ARN (linked by HAS_IDENTITY)."),
        P("images", SL, "Serving container images (linked by RUNS_IMAGE)."),
        P("in_vpc", B, "Runs in a VPC."),
        P("hf_model_id_field", S, "The environment variable the Hugging Face id came from."),
        P("hf_model_id", S, "Hugging Face repository from the container environment."),
        P("hf_revision", S, "Hugging Face revision from the container environment."),
        P("jumpstart_model_id", S, "JumpStart model id (from the SDK's tags)."),
        P("registry_model", S, "Model package (registry) it was created from."),
        MODEL_VERSION,
    ),
    "SageMakerDomain": (
        P("app_network_access", S, "PublicInternetOnly or VpcOnly."),
        P("public_internet", B, "Studio apps reach the internet directly."),
        P("execution_role", S, "Default user execution role."),
    ),
    "AzureOpenAIDeployment": (
        P("model_format", S, "Model format / publisher (OpenAI, ...)."),
        P(
            "version_upgrade_option",
            S,
            "OnceNewDefaultVersionAvailable, OnceCurrentVersionExpired or NoAutoUpgrade; "
            "anything but NoAutoUpgrade leaves the model version unpinned.",
        ),
    ),
    "VertexAITrainingPipeline": (
        P(
            "training_task_definition",
            S,
            "Google's public schema of the training task (gs://google-cloud-aiplatform/...): "
            "a property, never a data store.",
        ),
    ),
    "VertexAIModel": (
        P("hf_model_id_field", S, "The env variable or argument the Hugging Face id came from."),
        P("model_source_type", S, "modelSourceInfo.sourceType: MODEL_GARDEN, CUSTOM, AUTOML, ..."),
        P("hf_revision", S, "Hugging Face revision from the container environment/args."),
        P("model_garden_id", S, "Model Garden publisher model it was deployed from."),
    ),
}
