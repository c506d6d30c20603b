"""The vocabulary the schema is written in.

Everything else in the product (loaders, validation, Cypher constraints, Neo4j Browser style,
``docs/schema.md``, the path engine's idea of what is traversable or a target) reads these
declarations, so adding a resource type is one declaration and nothing can drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Provider(StrEnum):
    AWS = "aws"
    AZURE = "azure"
    GCP = "gcp"
    GENERIC = "generic"


class Label(StrEnum):
    """Ontology labels: the cross-cloud classes that queries and the engine reason about."""

    INTERNET = "Internet"
    TENANT = "Tenant"
    IDENTITY = "Identity"
    CREDENTIAL = "Credential"
    COMPUTE = "Compute"
    NETWORK = "Network"
    FIREWALL = "Firewall"
    FIREWALL_RULE = "FirewallRule"
    AI_SERVICE = "AIService"
    AI_MODEL = "AIModel"
    AI_DEPLOYMENT = "AIDeployment"
    AI_ENDPOINT = "AIEndpoint"
    AI_AGENT = "AIAgent"
    AI_TOOL = "AITool"
    TOOL_SERVER = "ToolServer"
    AGENT_GATEWAY = "AgentGateway"
    AGENT_MEMORY = "AgentMemory"
    AGENT_IDENTITY = "AgentIdentity"
    CODE_INTERPRETER = "CodeInterpreter"
    KNOWLEDGE_BASE = "KnowledgeBase"
    GUARDRAIL = "Guardrail"
    TRAINING_JOB = "TrainingJob"
    DATASET = "Dataset"
    AI_WORKSPACE = "AIWorkspace"
    NOTEBOOK = "Notebook"
    DATA_STORE = "DataStore"
    VECTOR_STORE = "VectorStore"
    SECRET = "Secret"  # noqa: S105 - a label, not a password
    IMAGE = "Image"
    PACKAGE = "Package"
    VULNERABILITY = "Vulnerability"
    POLICY = "Policy"


class TargetClass(StrEnum):
    """Why a node ends an attack path; drives impact in the risk model."""

    AI_MODEL = "ai_model"
    AI_AGENT = "ai_agent"
    KNOWLEDGE_BASE = "knowledge_base"
    AI_SERVICE = "ai_service"
    AI_DATA = "ai_data"
    SENSITIVE_DATA = "sensitive_data"
    AI_SECRET = "ai_secret"  # noqa: S105 - a class name
    TENANT_ADMIN = "tenant_admin"


class PropType(StrEnum):
    STR = "str"
    INT = "int"
    FLOAT = "float"
    BOOL = "bool"
    STR_LIST = "list[str]"
    JSON = "json"


@dataclass(frozen=True)
class Prop:
    """A property a node kind declares.

    ``doc`` says what a security engineer learns from the value. ``passthrough`` marks a value
    copied as the provider returned it (an ARM type, a SKU, IAM bindings), as opposed to one
    the transform or a deriver normalised or decided (``public_network_access``, firewall
    rules in the neutral vocabulary): a passthrough value is read with the provider's
    documentation at hand. Every key a built graph holds is declared (the schema audit and the
    strict graph mode in tests check it); graphs read from user files may carry more.
    """

    name: str
    type: PropType
    doc: str
    indexed: bool = False
    passthrough: bool = False


@dataclass(frozen=True)
class EvidenceKey:
    """One key of an edge's ``evidence``: why the engine or a transform made the edge.

    Declared once in :mod:`aispm_graph.schema.evidence` so a key means the same on every edge
    kind that carries it; each :class:`EdgeKind` lists the keys it may carry.
    """

    name: str
    type: PropType
    doc: str


@dataclass(frozen=True)
class NodeKind:
    """One resource type.

    ``target`` is set for kinds that are always attack-path targets; data stores become
    targets only when marked (``data_role`` property), see :mod:`aispm_graph.analysis.targets`.
    ``container_of`` names the edge kind through which a container target (an AI account
    with deployments) hands the path on to the concrete assets inside it.
    """

    name: str
    provider: Provider
    labels: tuple[Label, ...]
    doc: str
    props: tuple[Prop, ...] = ()
    target: TargetClass | None = None
    category: str = "other"
    service: str = ""
    cartography: bool = False

    def all_labels(self) -> tuple[str, ...]:
        return (self.name, *[str(label) for label in self.labels])


@dataclass(frozen=True)
class EdgeKind:
    """One relationship type.

    Attack steps are what the path engine walks (an attacker holding the source can act as, or
    reach, the target); everything else is structure. ``remediation`` is a template filled with
    ``{source}``, ``{target}`` (names), ``{source_id}``, ``{target_id}`` and evidence keys.
    ``breaks_path`` says whether applying the remediation removes the edge (True) or only lowers
    the path's likelihood (False).
    """

    name: str
    doc: str
    attack_step: bool
    remediation: str = ""
    breaks_path: bool = True
    effort: str = "medium"
    likelihood: float = 1.0
    source_labels: tuple[Label, ...] = ()
    target_labels: tuple[Label, ...] = ()
    evidence_keys: tuple[str, ...] = field(default=())
