"""Service accounts used across projects, and the uncollected projects that own them.

A service account of project B can be bound in project A's IAM, attached to A's compute and
Vertex AI resources, or impersonated by A's principals. When B is collected too, the account
is one node (by email) and paths already cross projects. When B is *not* collected, nobody
knows who controls the account: B's owners, and anyone B lets create keys for it or mint its
tokens, act as it in A. This deriver adds B as an ``ExternalAccount`` (risk unknown) with an
inferred ``CAN_ASSUME`` edge to each such account, so the assumed-breach view
(``aispm paths --entry credentials``) shows B as a way into A's AI resources.

Google-managed service agents (``service-NUMBER@gcp-sa-*.iam.gserviceaccount.com``,
``NUMBER@cloudservices.gserviceaccount.com``, ...) live in Google's projects and have no
customer owner, so they never become external accounts; nor does a default Compute Engine
account of a collected project (its email names the project number).

``iam.disableCrossProjectServiceAccountUsage``, when the owning project enforces it, refuses
*new* attachments of its accounts to other projects' resources; existing attachments keep
working, so it is noted on the cross-project ``HAS_IDENTITY`` edges and never removes one.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from aispm_graph.build import BuildContext, deriver
from aispm_graph.external import add_external_account
from aispm_graph.graph.model import Confidence, Graph
from aispm_graph.knowledge.gcp.names import sa_owner

CRM = "//cloudresourcemanager.googleapis.com/projects/"
CROSS_PROJECT = "iam.disableCrossProjectServiceAccountUsage"
ATTACK_KINDS = frozenset(
    {"CAN_INVOKE", "CAN_MANAGE", "CAN_READ", "CAN_WRITE", "CAN_ASSUME", "CAN_UPDATE_CODE"}
)


class Projects:
    """The projects the estate holds: ids, numbers, and what their policies say."""

    def __init__(self, graph: Graph) -> None:
        self.by_number: dict[str, str] = {}
        self.collected: set[str] = set()
        self.policy: dict[str, dict[str, Any]] = {}
        for node_id, data in graph.nodes("GCPProject"):
            pid = node_id.removeprefix(CRM)
            if data.get("project_number"):
                self.by_number[str(data["project_number"])] = pid
            if data.get("collected"):
                self.collected.add(pid)
            pol = (data.get("org_policies") or {}).get(CROSS_PROJECT)
            if pol:
                self.policy[pid] = pol
        for _node_id, data in graph.nodes():
            if data.get("provider") == "gcp" and data.get("collected") and data.get("tenant"):
                self.collected.add(str(data["tenant"]))

    def resolve(self, ref: str, by_number: bool) -> str:
        return self.by_number.get(ref, ref) if by_number else ref

    def has(self, project: str) -> bool:
        return project in self.collected


def _uses(graph: Graph, sa: str) -> tuple[list[str], list[str], list[str]]:
    """Names of what runs as the account, of what it is granted on, and of its groups."""
    runs = sorted(graph.node(s)["name"] for s, _t, _e in graph.in_edges(sa, "HAS_IDENTITY"))
    granted = sorted(
        {graph.node(t)["name"] for _s, t, e in graph.out_edges(sa) if e["kind"] in ATTACK_KINDS}
    )
    groups = sorted(graph.node(t)["name"] for _s, t, _e in graph.out_edges(sa, "MEMBER_OF"))
    return runs, granted, groups


def _listing(names: list[str], limit: int = 3) -> str:
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more


def _external_node(graph: Graph, project: str, projects: Projects) -> str | None:
    """The ``ExternalAccount`` of an uncollected project; a placeholder project node of the
    same id (referenced, nothing collected in it) keeps its id, so the external one gets a
    suffix."""
    node_id = f"{CRM}{project}"
    if graph.has_node(node_id) and graph.node(node_id)["kind"] != "ExternalAccount":
        if projects.has(project):
            return None
        node_id += "#external"
    return add_external_account(
        graph, node_id, f"GCP project {project}", project, "gcp", account_type="gcp-project"
    )


def _note_cross_project(graph: Graph, sa: str, owner: str, projects: Projects) -> None:
    """Mark attachments of ``owner``'s account to other projects' resources."""
    pol = projects.policy.get(owner)
    enforced = bool(pol and pol.get("enforced"))
    for src, _t, _e in list(graph.in_edges(sa, "HAS_IDENTITY")):
        where = graph.node(src).get("tenant")
        if not where or where == owner:
            continue
        notes = {"cross_project": f"service account of project {owner} used in project {where}"}
        if enforced and pol is not None:
            notes["note"] = (
                f"project {owner} enforces {CROSS_PROJECT} (set at {pol.get('set_at')}): new "
                "attachments of its service accounts to other projects are refused, but this "
                "existing one keeps working"
            )
        graph.update_evidence(src, sa, "HAS_IDENTITY", **notes)


def derive_external_projects(graph: Graph, ctx: BuildContext) -> int:
    """Add the owners of cross-project service accounts that were not collected."""
    projects = Projects(graph)
    by_project: dict[str, list[str]] = defaultdict(list)
    for sa, data in list(graph.nodes("GCPServiceAccount")):
        email = str(data.get("email") or data.get("name") or "")
        owner = sa_owner(email)
        if owner is None:
            continue  # a service agent, or an address that names no customer project
        project = projects.resolve(owner.project, owner.by_number)
        if data.get("collected") or projects.has(project):
            _note_cross_project(graph, sa, project, projects)
            continue
        by_project[project].append(sa)
    added = 0
    for project, accounts in sorted(by_project.items()):
        ext = _external_node(graph, project, projects)
        if ext is None:
            continue
        for sa in sorted(accounts):
            email = graph.node(sa).get("email") or graph.node(sa)["name"]
            runs, granted, groups = _uses(graph, sa)
            uses = []
            if runs:
                uses.append(f"attached to {_listing(runs)}")
            if granted:
                uses.append(f"granted on {_listing(granted)}")
            if groups:
                uses.append(f"member of group {_listing(groups)}")
            where = "; ".join(uses) or "referenced only"
            graph.set_prop(sa, "owner_project", project)
            graph.add_edge(
                ext,
                sa,
                "CAN_ASSUME",
                {
                    "permission": "iam.serviceAccountKeys.create / "
                    "iam.serviceAccounts.getAccessToken (in the owning project)",
                    "technique": "whoever controls the owning project creates a key for the "
                    "service account or mints its tokens",
                    "reason": f"{email} belongs to project {project}, which was not collected: "
                    f"who controls project {project} controls that service account's keys and "
                    "can impersonate it",
                    "used": where,
                    "fix": f"Replace {email} with a service account of the project that uses it "
                    f"({where}), or collect project {project} to see who controls it",
                },
                Confidence.INFERRED,
            )
            added += 1
    if added:
        ctx.stats["gcp_external_projects"] += len(by_project)
    return added


@deriver("facts", "gcp-external-projects")
def derive_gcp_external_projects(graph: Graph, ctx: BuildContext) -> None:
    """After ``gcp-iam`` (listed before it in build.PHASES): it creates the bound accounts."""
    derive_external_projects(graph, ctx)
