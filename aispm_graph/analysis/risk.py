"""The risk model: likelihood x impact, mapped to a 0-100 score and a level.

Documented in ``docs/risk.md``; every number here appears there. The model is deterministic:
the same graph always gives the same scores and the same ranking.

likelihood = exposure x foothold x credential-theft x confidence x hops
impact     = target class base, raised by data use (write = poisoning), criticality, privilege
score      = round(100 x impact x (0.35 + 0.65 x likelihood))
"""

from __future__ import annotations

from typing import Any

from aispm_graph.analysis.models import Risk, RiskFactor, RiskLevel
from aispm_graph.schema import Label, TargetClass, node_kinds
from aispm_graph.schema.keys import E, P

WIDTH = {"any": 1.0, "wide": 0.85, "narrow": 0.55}
PORT_CLASS = {"remote-admin": 1.0, "ai-service": 1.0, "database": 0.9, "web": 0.85, "other": 0.7}
CONFIDENCE = {"confirmed": 1.0, "conditional": 0.7, "inferred": 0.75}
FOOTHOLD = {"rce": 1.0, "high-severity": 0.85, "none": 0.65}
KEY_AUTH_EXPOSURE = 0.6
CREDENTIAL_ENTRY = 0.5
INJECTION_EXPOSURE = 0.85
HOP_DECAY = 0.94
FREE_HOPS = 2
IMPACT = {
    TargetClass.TENANT_ADMIN: 1.0,
    TargetClass.AI_MODEL: 0.85,
    TargetClass.AI_AGENT: 0.85,
    TargetClass.KNOWLEDGE_BASE: 0.8,
    TargetClass.AI_DATA: 0.85,
    TargetClass.SENSITIVE_DATA: 0.9,
    TargetClass.AI_SERVICE: 0.75,
    TargetClass.AI_SECRET: 0.8,
}
WRITE_IMPACT = 0.1  # poisoning training data or a model artifact is worse than reading it
UNSAFE_MODEL_IMPACT = 0.1  # a model that runs code when loaded is worth more to an attacker
CRITICALITY = {"crown-jewel": 0.15, "high": 0.1, "medium": 0.0, "low": -0.2}
# score = 100 x impact x (SCORE_FLOOR + SCORE_SLOPE x likelihood): a reachable target keeps at
# least SCORE_FLOOR of its impact however unlikely the route.
SCORE_FLOOR = 0.35
SCORE_SLOPE = 0.65
LEVELS: tuple[tuple[int, RiskLevel], ...] = ((80, "critical"), (60, "high"), (35, "medium"))


def level_for(score: int) -> RiskLevel:
    for bound, level in LEVELS:
        if score >= bound:
            return level
    return "low"


def _compute_labels(kind: str) -> bool:
    return Label.COMPUTE in node_kinds()[kind].labels


def _factor(*, name: str, kind: str, value: float, detail: str) -> dict[str, Any]:
    """One :class:`RiskFactor` as a record (validated with the whole :class:`Risk`)."""
    return {"name": name, "kind": kind, "value": value, "detail": detail}


def entry_factor(entry: dict[str, Any], first: dict[str, Any]) -> RiskFactor:
    return RiskFactor.model_validate(entry_terms(entry, first))


def entry_terms(entry: dict[str, Any], first: dict[str, Any]) -> dict[str, Any]:
    """How likely the first hop is taken: assumed breach of a credential, anonymous access,
    or a network exposure (width x port class, lowered when key auth is required)."""
    ev = first.get("evidence", {})
    if entry["id"] != "internet":
        return _factor(
            name="entry",
            kind="likelihood",
            value=CREDENTIAL_ENTRY,
            detail=f"assumed breach of long-lived credentials of {entry['name']}",
        )
    if first["kind"] == "PROMPT_INJECTION":
        # Content anyone can publish (a public bucket, a crawled site, a tool description):
        # no foothold needed, but the injected text must be read and obeyed (confidence).
        return _factor(
            name="exposure",
            kind="likelihood",
            value=INJECTION_EXPOSURE,
            detail=f"anyone can write content the agent reads: "
            f"{ev.get('content_kind', 'content')} ({ev.get('grant', 'public')})",
        )
    if first["kind"] == "PUBLIC_ACCESS":
        return _factor(
            name="exposure",
            kind="likelihood",
            value=1.0,
            detail=f"anonymous access: {ev.get('grant', 'public')}",
        )
    width = str(ev.get(E.EXPOSURE_WIDTH, "any"))
    w = WIDTH.get(width, 0.85)
    classes = ev.get(E.PORT_CLASSES) or ["other"]
    p = max(PORT_CLASS.get(c, 0.7) for c in classes)
    detail = f"{ev.get('source_range', '?')} on {ev.get('ports', '?')} ({', '.join(classes)})"
    value = w * p
    if ev.get(E.AUTH) == "key":
        value *= KEY_AUTH_EXPOSURE
        detail += "; key authentication required (keys leak)"
    # Factors carry the value the arithmetic uses, so 'show --explain' reproduces the score.
    return _factor(name="exposure", kind="likelihood", value=round(value, 3), detail=detail)


def foothold_factor(entry_id: str, host: dict[str, Any], hops: int) -> RiskFactor | None:
    terms = foothold_terms(entry_id, host, hops)
    return None if terms is None else RiskFactor.model_validate(terms)


def foothold_terms(entry_id: str, host: dict[str, Any], hops: int) -> dict[str, Any] | None:
    """The first compute reached from the internet must be compromised (paths of 2+ hops)."""
    if entry_id != "internet" or hops < 2 or not _compute_labels(host["kind"]):
        return None
    vf = set(host.get(P.VULN_FACTORS) or [])
    key = "rce" if "rce" in vf else "high-severity" if "high-severity" in vf else "none"
    detail = {
        "rce": "known remote-code-execution vulnerability on the exposed host",
        "high-severity": "known high-severity vulnerability on the exposed host",
        "none": "no known vulnerability on the exposed host (needs a weak credential or "
        "an unknown exploit)",
    }[key]
    return _factor(name="foothold", kind="likelihood", value=FOOTHOLD[key], detail=detail)


def theft_factor(source: dict[str, Any], edge_kind: str) -> RiskFactor | None:
    terms = theft_terms(source, edge_kind)
    return None if terms is None else RiskFactor.model_validate(terms)


def theft_terms(source: dict[str, Any], edge_kind: str) -> dict[str, Any] | None:
    """Taking a compute's identity: IMDSv1 makes it one request, IMDSv2 a little harder."""
    if edge_kind != "HAS_IDENTITY":
        return None
    if source.get(P.IMDS_V1):
        return _factor(
            name="credential-theft",
            kind="likelihood",
            value=1.0,
            detail=f"IMDSv1 on {source['name']}: one SSRF request yields role credentials",
        )
    if source.get(P.IMDS_V1) is False:
        return _factor(
            name="credential-theft",
            kind="likelihood",
            value=0.9,
            detail=f"IMDSv2 required on {source['name']}",
        )
    return None


def hop_decay(hops: int) -> float:
    return round(HOP_DECAY ** max(0, hops - FREE_HOPS), 3)


def score_path(
    nodes: list[dict[str, Any]],
    edges: list[dict[str, Any]],
    target: TargetClass,
) -> Risk:
    """Score one path; ``nodes`` are node attribute dicts (with ``id``), ``edges`` in order."""
    return risk_of(score_terms(nodes, edges, target))


def risk_of(terms: dict[str, Any]) -> Risk:
    """The :class:`Risk` of :func:`score_terms`' record, validated in one call."""
    return Risk.model_validate(terms)


def score_terms(
    nodes: list[dict[str, Any]],
    edges: list[dict[str, Any]],
    target: TargetClass,
) -> dict[str, Any]:
    """:func:`score_path` as a plain record (the fields of :class:`Risk`, factors as records):
    the engine scores every candidate route of a pair but keeps only the few it lists, so
    the models are built for those only."""
    factors: list[dict[str, Any]] = []
    likelihood = 1.0

    entry = entry_terms(nodes[0], edges[0])
    factors.append(entry)
    likelihood *= entry["value"]
    foothold = foothold_terms(nodes[0]["id"], nodes[1], len(edges)) if len(nodes) > 2 else None
    if foothold is not None:
        factors.append(foothold)
        likelihood *= foothold["value"]

    for i, edge in enumerate(edges):
        theft = theft_terms(nodes[i], edge["kind"])
        if theft is not None:
            factors.append(theft)
            likelihood *= theft["value"]

    conf = 1.0
    weakest = "confirmed"
    for edge in edges:
        c = CONFIDENCE.get(edge.get("confidence", "confirmed"), 1.0)
        if c < conf:
            conf, weakest = c, edge.get("confidence", "confirmed")
    if conf < 1.0:
        detail = f"weakest hop is {weakest}"
        injected = [e for e in edges if e["kind"] == "PROMPT_INJECTION"]
        if injected:
            via = injected[0].get("evidence", {}).get(E.CONTENT_KIND) or "content"
            detail += (
                f"; the path relies on indirect prompt injection through {via}, which a model "
                "may resist (inferred, not confirmed)"
            )
        factors.append(_factor(name="confidence", kind="likelihood", value=conf, detail=detail))
        likelihood *= conf

    hops = len(edges)
    decay = hop_decay(hops)
    factors.append(_factor(name="hops", kind="likelihood", value=decay, detail=f"{hops} hops"))
    likelihood *= decay

    tgt = nodes[-1]
    impact = IMPACT[target]
    factors.append(
        _factor(
            name="target",
            kind="impact",
            value=impact,
            detail=f"{target.value.replace('_', ' ')}: {tgt['kind']} {tgt['name']}",
        )
    )
    if edges[-1]["kind"] in {"CAN_WRITE"} or edges[-1].get("evidence", {}).get(E.ACCESS) == "write":
        impact += WRITE_IMPACT
        factors.append(
            _factor(
                name="write-access",
                kind="impact",
                value=WRITE_IMPACT,
                detail="write access: poisoning of training data or models",
            )
        )
    crit = str(tgt.get(P.CRITICALITY) or "")
    rules = tgt.get(P.CONTEXT_RULES) or []
    by = f" by context rule {', '.join(rules)}" if rules else ""
    if CRITICALITY.get(crit):
        impact += CRITICALITY[crit]
        factors.append(
            _factor(
                name="criticality",
                kind="impact",
                value=CRITICALITY[crit],
                detail=f"declared criticality {crit}{by}",
            )
        )
    elif rules:
        factors.append(_factor(name="context", kind="impact", value=0.0, detail=f"marked{by}"))
    if "unsafe-model" in (tgt.get(P.VULN_FACTORS) or []):
        impact += UNSAFE_MODEL_IMPACT
        factors.append(
            _factor(
                name="unsafe-model",
                kind="impact",
                value=UNSAFE_MODEL_IMPACT,
                detail="the model artifact deserialises unsafely (see 'aispm scan-model'): "
                "whoever loads it runs attacker code",
            )
        )
    roles = tgt.get(P.DATA_ROLE) or []
    if "sensitive" in roles and target != TargetClass.SENSITIVE_DATA:
        impact += 0.05
        factors.append(
            _factor(name="sensitivity", kind="impact", value=0.05, detail="data marked sensitive")
        )
    impact = max(0.05, min(1.0, impact))
    likelihood = max(0.0, min(1.0, likelihood))
    score = round(100 * impact * (SCORE_FLOOR + SCORE_SLOPE * likelihood))
    return {
        "level": level_for(score),
        "score": score,
        "likelihood": round(likelihood, 4),
        "impact": round(impact, 4),
        "factors": factors,
    }
