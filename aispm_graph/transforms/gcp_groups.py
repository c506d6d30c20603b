"""Google Groups membership into ``MEMBER_OF`` edges, so a role bound to a group reaches its
members (read by the ``gcp`` transform from the collector's ``cloudidentity:groups`` document).

The collector stored each bound group's *transitive* members (nested groups already flattened
by Cloud Identity), so every member gets one edge straight to the group that holds the
binding; the nested group it came through is not a separate hop. Which members become nodes:

* service accounts always: they run compute, so a VM's account in a group is a path; they are
  the same node as a collected account (``sa_id`` by email);
* users (``user:EMAIL``, the IAM deriver's id for them) when already in the estate (a node or
  a member of some collected IAM policy), or when their domain is not the organisation's
  (the display name of a collected Organization is its primary domain): an outsider
  inside the group is worth seeing;
* when no organisation was collected, the domain is unknown and users are added as well.

Other users of the organisation's own domain add nothing a path could start from, so a
50,000-member group does not become 50,000 nodes: they are only counted
(``gcp.group_members_not_modelled``). Nested groups are counted, not linked.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from aispm_graph.build import BuildContext
from aispm_graph.graph.model import Graph
from aispm_graph.workspace import Document

GROUPS_KEY = "cloudidentity:groups"
RELATION_TEXT = {
    "DIRECT": "direct member",
    "INDIRECT": "member through a nested group",
    "DIRECT_AND_INDIRECT": "direct member, and through a nested group",
}


def is_groups_document(doc: Document) -> bool:
    return doc.key == GROUPS_KEY or (
        isinstance(doc.body, dict) and "groups" in doc.body and "assets" not in doc.body
    )


def read_groups(docs: Iterable[Document], ctx: BuildContext) -> dict[str, list[dict[str, str]]]:
    """Group email -> members, checked record by record; bad ones are named and skipped."""
    out: dict[str, list[dict[str, str]]] = {}
    for doc in docs:
        where = f"gcp:{doc.scope}:{doc.key}"
        groups = doc.body.get("groups") if isinstance(doc.body, dict) else None
        if not isinstance(groups, dict):
            ctx.warn(f"{where}: field 'groups': not a mapping; document skipped")
            continue
        for email, entry in sorted(groups.items()):
            members = entry.get("members") if isinstance(entry, dict) else None
            if not isinstance(members, list):
                ctx.warn(f"{where}: group {email}: field 'members': not a list; skipped")
                continue
            kept = out.setdefault(str(email).lower(), [])
            for i, m in enumerate(members):
                address = m.get("email") if isinstance(m, dict) else None
                if not isinstance(address, str) or "@" not in address:
                    ctx.warn(f"{where}: group {email}: member {i}: field 'email' missing; skipped")
                    continue
                kept.append(
                    {
                        "email": address.lower(),
                        "kind": str(m.get("kind") or "user"),
                        "relation": str(m.get("relation") or "UNSPECIFIED"),
                    }
                )
    return out


def org_domains(graph: Graph) -> set[str]:
    """Primary domains of the collected organisations (an organisation's display name)."""
    return {
        str(data["name"]).lower()
        for _id, data in graph.nodes("GCPOrganization")
        if "." in str(data.get("name", ""))
    }


def link_members(
    graph: Graph,
    ctx: BuildContext,
    groups: dict[str, list[dict[str, str]]],
    bound_members: Iterable[str],
    sa_node: Any,
) -> None:
    """``MEMBER_OF`` from each member worth a node to the principal node of its group.

    ``bound_members`` are the member strings of every collected IAM policy (to find the
    group's own spelling and the users already in the estate); ``sa_node(email)`` gives the
    node of a service account, creating an uncollected one if needed.
    """
    members_in_policies = set(bound_members)
    group_ids = {
        m.partition(":")[2].lower(): m for m in members_in_policies if m.startswith("group:")
    }
    known_users = {m.lower() for m in members_in_policies if m.startswith("user:")}
    domains = org_domains(graph)
    for email, members in sorted(groups.items()):
        gid = group_ids.get(email, f"group:{email}")
        if not graph.has_node(gid):
            graph.add_node(gid, "GCPUser", email, principal_type="group")
        graph.set_prop(gid, "member_count", len(members))
        for m in members:
            address, kind = m["email"], m["kind"]
            if kind == "group":
                ctx.stats["gcp.nested_groups"] += 1
                continue
            if kind == "serviceAccount":
                node = sa_node(address)
            else:
                node = f"user:{address}"
                domain = address.rpartition("@")[2]
                inside = any(domain == d or domain.endswith(f".{d}") for d in domains)
                if not graph.has_node(node):
                    if node not in known_users and domains and inside:
                        ctx.stats["gcp.group_members_not_modelled"] += 1
                        continue
                    graph.add_node(
                        node,
                        "GCPUser",
                        address,
                        principal_type="user",
                        external_domain=domain if domains and not inside else None,
                    )
            name = graph.node(node)["name"]
            how = RELATION_TEXT.get(m["relation"], "member")
            graph.add_edge(
                node,
                gid,
                "MEMBER_OF",
                {
                    "group": email,
                    "relation": how,
                    "membership": "Cloud Identity transitive membership",
                    "fix": f"Remove {name} from group {email}"
                    + (
                        " (or from the nested group that brings it in)"
                        if m["relation"] != "DIRECT"
                        else ""
                    )
                    + ", or move the group's role bindings to a group without it",
                },
            )
