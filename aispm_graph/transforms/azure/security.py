"""Defender for Cloud plans (``Microsoft.Security/pricings``) as subscription facts.

Only the AI plan (threat protection for AI services: jailbreak, credential theft and data
leak alerts) is read. ARM lists every plan of the subscription, each ``Free`` or
``Standard``; a subscription whose listing was refused has no pricing records, so its
``defender_for_ai`` stays unset (unknown) and the check does not guess.
"""

from __future__ import annotations

from aispm_graph.knowledge.azure.arm import subscription_id_of
from aispm_graph.transforms.azure.builder import AzureBuilder, props
from aispm_graph.transforms.registry import service

PRICINGS = "microsoft.security/pricings"
AI_PLAN = "ai"


@service("azure", "security", reads=[PRICINGS], order=1)
def security(b: AzureBuilder) -> None:
    """After resource-manager, which made the subscriptions these plans belong to."""
    listed: set[str] = set()
    on: set[str] = set()
    for rid, res in b.resources(PRICINGS):
        sub = subscription_id_of(rid)
        if not sub:
            continue
        listed.add(sub)
        if rid.rsplit("/", 1)[-1] == AI_PLAN:
            tier = str(props(res).get("pricingTier") or "")
            if tier.lower() == "standard":
                on.add(sub)
    for sub in sorted(listed):
        if b.graph.has_node(sub):
            b.graph.update_props(sub, defender_for_ai=sub in on)
