"""What ends an attack path, and what starts one.

Targets are terminal ("what lies behind a target is implied by it") with two exceptions where
reaching a target hands the attacker something new:

* an AI container (an Azure OpenAI account, an Azure ML workspace) that ``SERVES`` concrete
  models hands the path on to them, because "can use the account" is only actionable as "can
  use deployment X"; the container is then no target at all;
* an agent is a target *and* an intermediate node: the path to it is a path (whoever reaches it
  can drive it), and each route on through its tools to what they run as and reach is another
  (:func:`passes_on`).
"""

from __future__ import annotations

from typing import Any, Literal

from aispm_graph.graph.model import Graph
from aispm_graph.schema import INTERNET_ID, Label, TargetClass, node_kinds
from aispm_graph.schema.keys import P

# Nodes for what lies outside the estate but is trusted by it: whoever holds such an account,
# or tokens of such an identity provider, is a possible attacker under assumed breach.
OUTSIDE_KINDS = frozenset({"ExternalAccount", "ExternalIdentityProvider"})
AI_DATA_ROLES = {"training", "grounding", "model-artifact", "fine-tuning", "evaluation"}
EntryMode = Literal["internet", "credentials"]


def target_class(data: dict[str, Any]) -> TargetClass | None:
    spec = node_kinds()[data["kind"]]
    if spec.target is not None:
        return spec.target
    labels = set(spec.labels)
    roles = data.get(P.DATA_ROLE) or []
    if isinstance(roles, str):
        roles = [roles]
    if Label.DATA_STORE in labels or Label.VECTOR_STORE in labels:
        if any(r in AI_DATA_ROLES for r in roles):
            return TargetClass.AI_DATA
        if "sensitive" in roles:
            return TargetClass.SENSITIVE_DATA
    if Label.SECRET in labels and data.get(P.AI_KEY):
        return TargetClass.AI_SECRET
    if data.get(P.CRITICALITY) == "crown-jewel":
        return TargetClass.SENSITIVE_DATA
    return None


def find_targets(graph: Graph) -> dict[str, TargetClass]:
    """Every target node, minus AI containers that serve concrete targets (pass-through)."""
    found: dict[str, TargetClass] = {}
    for node_id, data in graph.nodes():
        cls = target_class(data)
        if cls is not None:
            found[node_id] = cls
    for node_id in list(found):
        for _s, child, _data in graph.out_edges(node_id, "SERVES"):
            if child in found:
                del found[node_id]
                break
    return found


def passes_on(kind: str) -> bool:
    """Does a target of this kind pass the path on (an agent acting through its tools)?

    Decided by kind alone, so the embedded engine and the Cypher backend agree without reading
    edges: an agent with no tools simply has nowhere further to go.
    """
    spec = node_kinds().get(kind)
    return spec is not None and Label.AI_AGENT in spec.labels


def pass_through(graph: Graph, targets: dict[str, TargetClass]) -> frozenset[str]:
    """The targets the path engine records *and* walks on from (agents)."""
    return frozenset(t for t in targets if passes_on(str(graph.node(t)["kind"])))


def is_credential_entry(data: dict[str, Any]) -> bool:
    """An assumed-breach entry: long-lived credentials, or an account nobody collected.

    An account that was referenced but not collected is an unknown: under assumed breach,
    whoever holds it is a possible attacker.
    """
    labels = set(node_kinds()[data["kind"]].labels)
    return (
        Label.CREDENTIAL in labels
        or data["kind"] in OUTSIDE_KINDS
        or (Label.IDENTITY in labels and bool(data.get(P.LONG_LIVED_CREDENTIALS)))
    )


def find_entries(graph: Graph, mode: EntryMode) -> list[str]:
    """Where paths start. Under ``credentials``, a route starts once: at the credential when
    the estate has a node for it (an access key), at the identity holding it otherwise. An
    identity that a credential node authenticates as is reached through that credential, so
    starting there as well would list every route twice."""
    entries = [INTERNET_ID] if graph.has_node(INTERNET_ID) else []
    if mode == "credentials":
        found = [n for n, data in graph.nodes() if is_credential_entry(data)]
        creds = set(found)
        via_credential = {
            dst
            for src, dst, _d in graph.edges("AUTHENTICATES_AS")
            if src in creds and Label.CREDENTIAL in node_kinds()[graph.node(src)["kind"]].labels
        }
        entries.extend(n for n in found if n not in via_credential)
    return sorted(set(entries))
