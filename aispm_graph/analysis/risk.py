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


def score_path(
    nodes: list[dict[str, Any]],
    edges: list[dict[str, Any]],
    target: TargetClass,
) -> Risk:
    """Score one path; ``nodes`` are node attribute dicts (with ``id``), ``edges`` in order."""
    factors: list[RiskFactor] = []
    likelihood = 1.0

    first = edges[0]
    ev = first.get("evidence", {})
    if nodes[0]["id"] != "internet":
        value = CREDENTIAL_ENTRY
        factors.append(
            RiskFactor(
                name="entry",
                kind="likelihood",
                value=value,
                detail=f"assumed breach of long-lived credentials of {nodes[0]['name']}",
            )
        )
        likelihood *= value
    elif first["kind"] == "PROMPT_INJECTION":
        # Content anyone can publish (a public bucket, a crawled site, a tool description):
        # no foothold needed, but the injected text must be read and obeyed (confidence).
        value = INJECTION_EXPOSURE
        factors.append(
            RiskFactor(
                name="exposure",
                kind="likelihood",
                value=value,
                detail=f"anyone can write content the agent reads: "
                f"{ev.get('content_kind', 'content')} ({ev.get('grant', 'public')})",
            )
        )
        likelihood *= value
    elif first["kind"] == "PUBLIC_ACCESS":
        factors.append(
            RiskFactor(
                name="exposure",
                kind="likelihood",
                value=1.0,
                detail=f"anonymous access: {ev.get('grant', 'public')}",
            )
        )
    else:
        width = str(ev.get("exposure_width", "any"))
        w = WIDTH.get(width, 0.85)
        classes = ev.get("port_classes") or ["other"]
        p = max(PORT_CLASS.get(c, 0.7) for c in classes)
        detail = f"{ev.get('source_range', '?')} on {ev.get('ports', '?')} ({', '.join(classes)})"
        value = w * p
        if ev.get("auth") == "key":
            value *= KEY_AUTH_EXPOSURE
            detail += "; key authentication required (keys leak)"
        # Factors carry the value the arithmetic uses, so 'show --explain' reproduces the score.
        value = round(value, 3)
        factors.append(RiskFactor(name="exposure", kind="likelihood", value=value, detail=detail))
        likelihood *= value

    # Foothold: the first compute reached from the internet must be compromised.
    if nodes[0]["id"] == "internet" and len(nodes) > 2 and _compute_labels(nodes[1]["kind"]):
        vf = set(nodes[1].get("vuln_factors") or [])
        key = "rce" if "rce" in vf else "high-severity" if "high-severity" in vf else "none"
        detail = {
            "rce": "known remote-code-execution vulnerability on the exposed host",
            "high-severity": "known high-severity vulnerability on the exposed host",
            "none": "no known vulnerability on the exposed host (needs a weak credential or "
            "an unknown exploit)",
        }[key]
        factors.append(
            RiskFactor(name="foothold", kind="likelihood", value=FOOTHOLD[key], detail=detail)
        )
        likelihood *= FOOTHOLD[key]

    for i, edge in enumerate(edges):
        if edge["kind"] == "HAS_IDENTITY" and nodes[i].get("imds_v1"):
            factors.append(
                RiskFactor(
                    name="credential-theft",
                    kind="likelihood",
                    value=1.0,
                    detail=f"IMDSv1 on {nodes[i]['name']}: one SSRF request "
                    "yields role credentials",
                )
            )
        elif edge["kind"] == "HAS_IDENTITY" and nodes[i].get("imds_v1") is False:
            factors.append(
                RiskFactor(
                    name="credential-theft",
                    kind="likelihood",
                    value=0.9,
                    detail=f"IMDSv2 required on {nodes[i]['name']}",
                )
            )
            likelihood *= 0.9

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
            via = injected[0].get("evidence", {}).get("content_kind") or "content"
            detail += (
                f"; the path relies on indirect prompt injection through {via}, which a model "
                "may resist (inferred, not confirmed)"
            )
        factors.append(RiskFactor(name="confidence", kind="likelihood", value=conf, detail=detail))
        likelihood *= conf

    hops = len(edges)
    decay = round(HOP_DECAY ** max(0, hops - FREE_HOPS), 3)
    factors.append(RiskFactor(name="hops", kind="likelihood", value=decay, detail=f"{hops} hops"))
    likelihood *= decay

    tgt = nodes[-1]
    impact = IMPACT[target]
    factors.append(
        RiskFactor(
            name="target",
            kind="impact",
            value=impact,
            detail=f"{target.value.replace('_', ' ')}: {tgt['kind']} {tgt['name']}",
        )
    )
    if edges[-1]["kind"] in {"CAN_WRITE"} or edges[-1].get("evidence", {}).get("access") == "write":
        impact += WRITE_IMPACT
        factors.append(
            RiskFactor(
                name="write-access",
                kind="impact",
                value=WRITE_IMPACT,
                detail="write access: poisoning of training data or models",
            )
        )
    crit = str(tgt.get("criticality") or "")
    rules = tgt.get("context_rules") or []
    by = f" by context rule {', '.join(rules)}" if rules else ""
    if CRITICALITY.get(crit):
        impact += CRITICALITY[crit]
        factors.append(
            RiskFactor(
                name="criticality",
                kind="impact",
                value=CRITICALITY[crit],
                detail=f"declared criticality {crit}{by}",
            )
        )
    elif rules:
        factors.append(RiskFactor(name="context", kind="impact", value=0.0, detail=f"marked{by}"))
    if "unsafe-model" in (tgt.get("vuln_factors") or []):
        impact += UNSAFE_MODEL_IMPACT
        factors.append(
            RiskFactor(
                name="unsafe-model",
                kind="impact",
                value=UNSAFE_MODEL_IMPACT,
                detail="the model artifact deserialises unsafely (see 'aispm scan-model'): "
                "whoever loads it runs attacker code",
            )
        )
    roles = tgt.get("data_role") or []
    if "sensitive" in roles and target != TargetClass.SENSITIVE_DATA:
        impact += 0.05
        factors.append(
            RiskFactor(
                name="sensitivity", kind="impact", value=0.05, detail="data marked sensitive"
            )
        )
    impact = max(0.05, min(1.0, impact))
    likelihood = max(0.0, min(1.0, likelihood))
    score = round(100 * impact * (SCORE_FLOOR + SCORE_SLOPE * likelihood))
    return Risk(
        level=level_for(score),
        score=score,
        likelihood=round(likelihood, 4),
        impact=round(impact, 4),
        factors=factors,
    )
