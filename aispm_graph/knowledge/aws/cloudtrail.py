"""What a CloudTrail trail's event selectors record about Amazon Bedrock.

Bedrock's control plane and its model invocations (InvokeModel, Converse and their streaming
forms) are *management* events; calls on agents, knowledge bases, flows, guardrails, prompts
and inline agents are *data* events, recorded only when an advanced event selector asks for
their resource type. Classic event selectors cannot select Bedrock data resources at all.

Advanced selector semantics (CloudTrail API reference, AdvancedFieldSelector): a selector
records an event when every one of its field selectors matches; a field selector matches when
each operator it carries holds (``Equals`` / ``StartsWith`` / ``EndsWith``: any of the values;
``NotEquals`` / ``NotStartsWith`` / ``NotEndsWith``: none of them). Several field selectors on
the same field must all match. A trail records what any of its selectors records.
"""

from __future__ import annotations

from typing import Any

BEDROCK_DATA_TYPES = (
    "AWS::Bedrock::AgentAlias",
    "AWS::Bedrock::FlowAlias",
    "AWS::Bedrock::Guardrail",
    "AWS::Bedrock::InlineAgent",
    "AWS::Bedrock::KnowledgeBase",
    "AWS::Bedrock::Model",
    "AWS::Bedrock::Prompt",
)
BEDROCK_EVENT_SOURCES = (
    "bedrock.amazonaws.com",
    "bedrock-agent.amazonaws.com",
    "bedrock-runtime.amazonaws.com",
    "bedrock-agent-runtime.amazonaws.com",
)


def field_matches(selector: dict[str, Any], value: str) -> bool:
    """Does one AdvancedFieldSelector accept ``value`` for its field?"""

    def values(op: str) -> list[str]:
        raw = selector.get(op)
        return [str(v) for v in raw] if isinstance(raw, list) else []

    checks = []
    if "Equals" in selector:
        checks.append(value in values("Equals"))
    if "StartsWith" in selector:
        checks.append(any(value.startswith(v) for v in values("StartsWith")))
    if "EndsWith" in selector:
        checks.append(any(value.endswith(v) for v in values("EndsWith")))
    if "NotEquals" in selector:
        checks.append(value not in values("NotEquals"))
    if "NotStartsWith" in selector:
        checks.append(not any(value.startswith(v) for v in values("NotStartsWith")))
    if "NotEndsWith" in selector:
        checks.append(not any(value.endswith(v) for v in values("NotEndsWith")))
    return all(checks)


def selector_accepts(selector: dict[str, Any], event: dict[str, str]) -> bool:
    """Would this advanced event selector record an event with these field values?

    Fields ``event`` does not name (``eventName``, ``resources.ARN``) narrow which Bedrock
    events are recorded, not whether any is: they are not tested. ``readOnly`` is tested for
    both values by the caller.
    """
    fields = [f for f in selector.get("FieldSelectors") or [] if isinstance(f, dict)]
    if not fields:
        return False
    return all(
        field_matches(f, event[str(f.get("Field"))]) for f in fields if str(f.get("Field")) in event
    )


def bedrock_coverage(selectors: dict[str, Any]) -> tuple[bool, list[str]]:
    """(records Bedrock management events, the Bedrock data resource types it records) for
    one GetEventSelectors answer."""
    management = False
    for sel in selectors.get("EventSelectors") or []:
        if not isinstance(sel, dict):
            continue
        rw = str(sel.get("ReadWriteType") or "All")
        # Model invocations are read-only management events: WriteOnly misses them.
        if sel.get("IncludeManagementEvents", True) is not False and rw in ("All", "ReadOnly"):
            management = True
    data: set[str] = set()
    for sel in selectors.get("AdvancedEventSelectors") or []:
        if not isinstance(sel, dict):
            continue
        for source in BEDROCK_EVENT_SOURCES:
            event = {"eventCategory": "Management", "eventSource": source, "readOnly": "true"}
            if selector_accepts(sel, event):
                management = True
        for rtype in BEDROCK_DATA_TYPES:
            event = {"eventCategory": "Data", "resources.type": rtype, "readOnly": "false"}
            if selector_accepts(sel, event) or selector_accepts(sel, {**event, "readOnly": "true"}):
                data.add(rtype)
    return management, sorted(data)
