"""Bedrock posture facts the checks read: guardrail filter strengths and policies, custom
model ownership, agent prompt configuration and knowledge-base encryption and field mapping.

Kept apart from :mod:`.bedrock` and :mod:`.bedrock_agent` (which make the nodes and their
links) because these are settings read off the same answers for the posture catalogue, not
inventory; the nodes are merged into, never created here.
"""

from __future__ import annotations

from typing import Any

from aispm_graph.transforms.aws.builder import AwsBuilder, tags_of
from aispm_graph.transforms.registry import service

# Prompt stages that must run for the agent's instructions to shape its answer.
CRITICAL_PROMPT_STAGES = ("ORCHESTRATION", "KNOWLEDGE_BASE_RESPONSE_GENERATION")
# Vector stores and the fields a complete mapping names (StorageConfiguration).
_STORE_CONFIGS = (
    "opensearchServerlessConfiguration",
    "opensearchManagedClusterConfiguration",
    "pineconeConfiguration",
    "redisEnterpriseCloudConfiguration",
    "rdsConfiguration",
    "mongoDbAtlasConfiguration",
    "neptuneAnalyticsConfiguration",
)


@service(
    "aws",
    "bedrock-posture",
    reads=[
        ("bedrock", "get_guardrail"),
        ("bedrock", "list_custom_models"),
        ("bedrock", "list_tags_for_resource"),
        ("bedrock", "get_model_invocation_logging_configuration"),
        ("logs", "describe_log_groups"),
        ("bedrock-agent", "get_agent"),
        ("bedrock-agent", "get_knowledge_base"),
        ("bedrock-agent", "get_data_source"),
    ],
    order=135,
)
def bedrock_posture(b: AwsBuilder) -> None:
    """After Bedrock and Bedrock Agents: merges settings into the nodes they made."""
    for arn, r, _region in b.described("bedrock", "get_guardrail", "guardrailArn"):
        with b.guard("get_guardrail", label=arn):
            if b.graph.has_node(arn):
                b.graph.add_node(arn, "BedrockGuardrail", **guardrail_facts(r))
                _key(b, arn, r.get("kmsKeyArn"), "kmsKeyArn")
    owned = _owned_models(b)
    for nid, data in list(b.graph.nodes("BedrockCustomModel")):
        if data.get("tenant") != b.account:
            continue
        # ListCustomModels(isOwned=true) says it; without that listing the ARN does, since a
        # model shared in through RAM keeps its owner's account id.
        mine = nid in owned if owned is not None else nid.split(":")[4:5] == [b.account]
        b.graph.add_node(nid, "BedrockCustomModel", owned=mine)
    for body in b.responses("bedrock", "list_tags_for_resource"):
        with b.guard("list_tags_for_resource", body["params"]):
            arn = str(body["params"]["resourceARN"])
            if b.graph.has_node(arn):
                tags = tags_of(body["response"].get("tags"))
                b.graph.set_prop(arn, "tags", tags)
                b.graph.set_prop(arn, "tagged", bool(tags))
    for body in b.responses("bedrock-agent", "get_agent"):
        a = body["response"].get("agent") or {}
        with b.guard("get_agent", a):
            agent = str(a.get("agentArn") or "")
            if agent and b.graph.has_node(agent):
                b.graph.add_node(agent, "BedrockAgent", **agent_facts(a))
                _key(b, agent, a.get("customerEncryptionKeyArn"), "customerEncryptionKeyArn")
    kb_ids: dict[str, str] = {}
    for body in b.responses("bedrock-agent", "get_knowledge_base"):
        kb = body["response"].get("knowledgeBase") or {}
        with b.guard("get_knowledge_base", kb):
            kb_arn = str(kb.get("knowledgeBaseArn") or "")
            if kb_arn and b.graph.has_node(kb_arn):
                kb_ids[str(kb.get("knowledgeBaseId", ""))] = kb_arn
                gaps = field_mapping_gaps(kb.get("storageConfiguration") or {})
                b.graph.add_node(kb_arn, "BedrockKnowledgeBase", field_mapping_gaps=gaps)
    without_key: dict[str, list[str]] = {arn: [] for arn in kb_ids.values()}
    for body in b.responses("bedrock-agent", "get_data_source"):
        ds = body["response"].get("dataSource") or {}
        with b.guard("get_data_source", ds):
            kid = str(ds.get("knowledgeBaseId") or body["params"].get("knowledgeBaseId", ""))
            owner = kb_ids.get(kid)
            if owner is None:
                continue
            sse = ds.get("serverSideEncryptionConfiguration") or {}
            if not sse.get("kmsKeyArn"):
                without_key[owner].append(str(ds.get("name") or ds.get("dataSourceId")))
    for kb_arn, names in without_key.items():
        b.graph.add_node(kb_arn, "BedrockKnowledgeBase", data_sources_without_cmk=sorted(names))
    _log_encryption(b)


def _key(b: AwsBuilder, node: str, key: Any, field: str) -> None:
    """A customer-managed key of a guardrail or agent: ``cmk`` and ``kms_key``, and the edge
    to the key when it is a collected KMS key (an AWS-owned key is no key of the estate)."""
    b.graph.set_prop(node, "cmk", bool(key))
    if key:
        b.graph.set_prop(node, "kms_key", str(key))
        b.edge(node, str(key), "ENCRYPTED_WITH", if_present=True, field=field)


def _log_encryption(b: AwsBuilder) -> None:
    """Which invocation-log destinations keep prompts and answers without a key of yours.

    A CloudWatch log group is judged by its KMS key when the log groups were collected; an S3
    destination is not flagged, since every bucket has had default encryption since January
    2023 (the Prowler peer's S3 side passes in the same way). Unknown stays unflagged.
    """
    keys: dict[tuple[str, str], bool] = {}
    for body, i, group in b.items("logs", "describe_log_groups", "logGroups"):
        with b.guard("describe_log_groups", group, index=i):
            keys[(body["region"], str(group["logGroupName"]))] = bool(group.get("kmsKeyId"))
    for body in b.responses("bedrock", "get_model_invocation_logging_configuration"):
        region = body["region"]
        with b.guard("get_model_invocation_logging_configuration", label=region):
            cfg = body["response"].get("loggingConfig") or {}
            group = (cfg.get("cloudWatchConfig") or {}).get("logGroupName")
            if not group:
                continue
            nid = b.arn("bedrock", region, "model-invocation-logging")
            encrypted = keys.get((region, str(group)))
            if encrypted is None or not b.graph.has_node(nid):
                continue
            missing = [] if encrypted else [f"CloudWatch log group {group} has no KMS key"]
            b.graph.add_node(nid, "BedrockInvocationLogging", unencrypted_log_destinations=missing)


def guardrail_facts(r: dict[str, Any]) -> dict[str, Any]:
    """The content, sensitive-information and grounding settings of one GetGuardrail answer.

    ``prompt_attack_strength`` is the PROMPT_ATTACK filter's input strength (``NONE`` when
    there is no such filter); ``grounding_filter_gaps`` lists what stops the contextual
    grounding check from blocking anything, and is empty when both filters block. A filter
    that omits ``enabled`` or ``action`` is taken at the API's behaviour for older guardrails
    (evaluated, blocking) rather than reported: an unknown is not a finding.
    """
    filters = [
        f for f in (r.get("contentPolicy") or {}).get("filters") or [] if isinstance(f, dict)
    ]
    prompt = next((f for f in filters if f.get("type") == "PROMPT_ATTACK"), None)
    strength = str((prompt or {}).get("inputStrength") or "NONE").upper()
    if prompt is not None and prompt.get("inputEnabled") is False:
        strength = "NONE"
    sip = r.get("sensitiveInformationPolicy") or {}
    sensitive = bool(sip.get("piiEntities") or sip.get("regexes"))
    return {
        "prompt_attack_strength": strength,
        "sensitive_information_filter": sensitive,
        "grounding_filter_gaps": grounding_gaps(r.get("contextualGroundingPolicy") or {}),
    }


def grounding_gaps(policy: dict[str, Any]) -> list[str]:
    by_type = {str(f.get("type")): f for f in policy.get("filters") or [] if isinstance(f, dict)}
    gaps = []
    for kind in ("GROUNDING", "RELEVANCE"):
        f = by_type.get(kind)
        if f is None:
            gaps.append(f"no {kind} filter")
            continue
        if f.get("enabled") is False:
            gaps.append(f"{kind} filter disabled")
        if f.get("action") is not None and str(f.get("action")).upper() != "BLOCK":
            gaps.append(f"{kind} filter action {f.get('action')} does not block")
        try:
            threshold = float(f.get("threshold") or 0)
        except (TypeError, ValueError):
            threshold = 0.0
        if threshold <= 0:
            gaps.append(f"{kind} threshold 0 never trips")
    return gaps


def agent_facts(a: dict[str, Any]) -> dict[str, Any]:
    """Instruction present, prompt override set, parser overridden, critical stages off."""
    poc = a.get("promptOverrideConfiguration") or {}
    configs = [c for c in poc.get("promptConfigurations") or [] if isinstance(c, dict)]
    disabled = sorted(
        str(c.get("promptType"))
        for c in configs
        if c.get("promptType") in CRITICAL_PROMPT_STAGES
        and str(c.get("promptState", "")).upper() == "DISABLED"
    )
    return {
        "has_instruction": bool(str(a.get("instruction") or "").strip()),
        "prompt_override": bool(configs),
        "parser_override": any(
            str(c.get("parserMode", "")).upper() == "OVERRIDDEN" for c in configs
        ),
        "disabled_prompt_stages": disabled,
    }


def field_mapping_gaps(storage: dict[str, Any]) -> list[str]:
    """Which of the vector, text and metadata fields the vector store mapping leaves unset.

    Only stores that take a field mapping are judged; an unknown store type says nothing.
    """
    for key in _STORE_CONFIGS:
        cfg = storage.get(key)
        if isinstance(cfg, dict):
            mapping = cfg.get("fieldMapping") or {}
            wanted: tuple[str, ...] = ("vectorField", "textField", "metadataField")
            if key == "rdsConfiguration":
                wanted = (*wanted, "primaryKeyField")
            return [f for f in wanted if not mapping.get(f)]
    return []


def _owned_models(b: AwsBuilder) -> set[str] | None:
    """ARNs of the custom models the account owns (ListCustomModels with isOwned=true), or
    None when that listing was not collected (ownership then stays unknown)."""
    owned: set[str] | None = None
    for body in b.responses("bedrock", "list_custom_models"):
        if body["params"].get("isOwned") is not True:
            continue
        with b.guard("list_custom_models", label="isOwned"):
            listed = body["response"].get("modelSummaries") or []
            found = {
                str(m["modelArn"]) for m in listed if isinstance(m, dict) and m.get("modelArn")
            }
            owned = (owned or set()) | found
    return owned
