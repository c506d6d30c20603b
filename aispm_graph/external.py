"""The one shape of an account, tenant or project that the estate trusts but did not collect.

AWS accounts named in trust and resource policies, Entra tenants behind guests and multi-tenant
apps, and GCP projects owning service accounts we use all become the same node kind: kept
rather than dropped, with unknown risk, and an entry under assumed breach.
"""

from __future__ import annotations

from typing import Any

from aispm_graph.graph.model import Graph


def add_external_account(
    graph: Graph, node_id: str, name: str, tenant: str, provider: str, **props: Any
) -> str:
    """Add (or refresh) the ``ExternalAccount`` node; returns its id."""
    graph.add_node(
        node_id,
        "ExternalAccount",
        name,
        tenant=tenant,
        provider=provider,
        collected=False,
        risk="unknown",
        **props,
    )
    return node_id
