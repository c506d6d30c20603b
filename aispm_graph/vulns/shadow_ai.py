"""The maintained list of AI libraries and model servers (shadow-AI detection).

A host that runs any of these is doing AI work whether or not anyone registered it as an AI
asset. Each entry maps one canonical name (what the inventory shows) to the package names it
ships under, per ecosystem; image names catch model servers shipped as containers. To extend
the list, add an entry here and a line to ``docs/vulns.md``; nothing else changes.
"""

from __future__ import annotations

from dataclasses import dataclass

from aispm_graph.vulns.versions import normalize_pypi_name


@dataclass(frozen=True)
class AILibrary:
    name: str
    kind: str  # "framework" | "llm-app" | "model-server" | "ml-platform" | "client"
    pypi: tuple[str, ...] = ()
    npm: tuple[str, ...] = ()
    other: tuple[str, ...] = ()  # OS / Go / conda package names
    images: tuple[str, ...] = ()  # substrings of image repositories


AI_LIBRARIES: tuple[AILibrary, ...] = (
    AILibrary(
        "torch",
        "framework",
        ("torch", "torchvision", "torchaudio", "pytorch-lightning", "lightning"),
        other=("python3-torch", "pytorch"),
        images=("pytorch/pytorch",),
    ),
    AILibrary(
        "tensorflow",
        "framework",
        ("tensorflow", "tensorflow-cpu", "tensorflow-gpu", "tf-nightly", "tensorflow-serving-api"),
        npm=("@tensorflow/tfjs", "@tensorflow/tfjs-node"),
        images=("tensorflow/tensorflow", "tensorflow/serving"),
    ),
    AILibrary("keras", "framework", ("keras", "tf-keras")),
    AILibrary("jax", "framework", ("jax", "jaxlib", "flax")),
    AILibrary("scikit-learn", "framework", ("scikit-learn", "sklearn")),
    AILibrary("xgboost", "framework", ("xgboost",)),
    AILibrary("lightgbm", "framework", ("lightgbm",)),
    AILibrary("onnxruntime", "framework", ("onnx", "onnxruntime", "onnxruntime-gpu")),
    AILibrary(
        "transformers",
        "framework",
        (
            "transformers",
            "tokenizers",
            "accelerate",
            "peft",
            "trl",
            "sentence-transformers",
            "diffusers",
            "huggingface-hub",
            "safetensors",
            "datasets",
        ),
        npm=("@huggingface/transformers", "@xenova/transformers"),
    ),
    AILibrary(
        "langchain",
        "llm-app",
        (
            "langchain",
            "langchain-core",
            "langchain-community",
            "langchain-experimental",
            "langchain-openai",
            "langgraph",
        ),
        npm=("langchain", "@langchain/core", "@langchain/openai"),
    ),
    AILibrary("llama-index", "llm-app", ("llama-index", "llama-index-core", "llama_index")),
    AILibrary("haystack", "llm-app", ("haystack-ai", "farm-haystack")),
    AILibrary("semantic-kernel", "llm-app", ("semantic-kernel",)),
    AILibrary("autogen", "llm-app", ("pyautogen", "autogen-agentchat", "ag2")),
    AILibrary("crewai", "llm-app", ("crewai",)),
    AILibrary("dspy", "llm-app", ("dspy", "dspy-ai")),
    AILibrary("openai", "client", ("openai",), npm=("openai",)),
    AILibrary("anthropic", "client", ("anthropic",), npm=("@anthropic-ai/sdk",)),
    AILibrary(
        "google-genai",
        "client",
        ("google-generativeai", "google-genai", "google-cloud-aiplatform", "vertexai"),
    ),
    AILibrary(
        "azure-openai",
        "client",
        ("azure-ai-inference", "azure-ai-projects", "azure-ai-ml", "promptflow"),
    ),
    AILibrary("boto3-bedrock", "client", ("langchain-aws", "amazon-bedrock-agentcore")),
    AILibrary("litellm", "client", ("litellm",)),
    AILibrary("vllm", "model-server", ("vllm",), images=("vllm/vllm-openai", "vllm/")),
    AILibrary(
        "ollama",
        "model-server",
        ("ollama",),
        npm=("ollama",),
        other=("github.com/ollama/ollama", "ollama"),
        images=("ollama/ollama",),
    ),
    AILibrary(
        "triton",
        "model-server",
        ("tritonclient", "triton", "nvidia-pytriton"),
        images=("nvidia/tritonserver", "tritonserver"),
    ),
    AILibrary(
        "text-generation-inference",
        "model-server",
        ("text-generation",),
        images=("huggingface/text-generation-inference",),
    ),
    AILibrary(
        "llama.cpp",
        "model-server",
        ("llama-cpp-python",),
        other=("llama.cpp",),
        images=("ggerganov/llama.cpp", "ggml-org/llama.cpp"),
    ),
    AILibrary("localai", "model-server", (), images=("localai/localai", "go-skynet/local-ai")),
    AILibrary(
        "torchserve",
        "model-server",
        ("torchserve", "torch-model-archiver"),
        images=("pytorch/torchserve",),
    ),
    AILibrary("bentoml", "model-server", ("bentoml",)),
    AILibrary("ray", "ml-platform", ("ray",), images=("rayproject/ray",)),
    AILibrary(
        "mlflow",
        "ml-platform",
        ("mlflow", "mlflow-skinny"),
        images=("mlflow/mlflow", "ghcr.io/mlflow/mlflow"),
    ),
    AILibrary("kubeflow", "ml-platform", ("kfp", "kubeflow")),
    AILibrary("gradio", "llm-app", ("gradio",), images=("gradio/",)),
    AILibrary("streamlit", "llm-app", ("streamlit",)),
    AILibrary(
        "jupyter",
        "ml-platform",
        ("jupyter", "notebook", "jupyterlab", "jupyter-server"),
        images=("jupyter/", "quay.io/jupyter"),
    ),
    AILibrary("chromadb", "llm-app", ("chromadb",), images=("chromadb/chroma",)),
    AILibrary("faiss", "llm-app", ("faiss-cpu", "faiss-gpu")),
)

_BY_PYPI = {normalize_pypi_name(p): lib.name for lib in AI_LIBRARIES for p in lib.pypi}
_BY_NPM = {p: lib.name for lib in AI_LIBRARIES for p in lib.npm}
_BY_OTHER = {p.lower(): lib.name for lib in AI_LIBRARIES for p in lib.other}


def ai_library_for_package(ptype: str, name: str, namespace: str = "") -> str | None:
    """The canonical AI library a package belongs to, or None."""
    if ptype in {"pypi", "conda"}:
        hit = _BY_PYPI.get(normalize_pypi_name(name))
        if hit:
            return hit
    if ptype == "npm":
        full = f"{namespace}/{name}" if namespace else name
        return _BY_NPM.get(full)
    if ptype == "golang":
        return _BY_OTHER.get(f"{namespace}/{name}".lower())
    return _BY_OTHER.get(name.lower())


def ai_library_for_image(reference: str) -> str | None:
    """Model servers shipped as images: ``vllm/vllm-openai:v0.6`` is vLLM."""
    ref = reference.lower()
    for lib in AI_LIBRARIES:
        if any(marker in ref for marker in lib.images):
            return lib.name
    return None
