"""Azure RBAC: role assignments into attack-step edges that say what the role really grants.

An assignment at a scope applies to everything below it (management group > subscription >
resource group > resource > child resource). For every resource in scope, the role's
``actions`` / ``dataActions`` (minus ``notActions`` / ``notDataActions``) are tested against the
few operations that matter to an attacker on that kind of resource:

* ``CAN_INVOKE``: data-plane use of a model (Cognitive Services OpenAI User and friends), score
  an ML endpoint;
* ``CAN_READ_KEYS``: ``listKeys``-style actions (Contributor, Cognitive Services User, ...) on a
  service that still accepts keys;
* ``CAN_READ`` / ``CAN_WRITE``: blob and search-index data, key vault secrets, connection secrets;
* ``CAN_MANAGE``: management-plane control of an ML / Foundry workspace, or of an account whose
  key auth it can switch back on;
* ``CAN_ADMINISTER``: ``roleAssignments/write`` at subscription (or management group) scope,
  i.e. Owner / User Access Administrator: it can grant itself anything.

Below subscription scope, ``roleAssignments/write`` lets the holder grant itself any data role
on that scope, so data-plane edges are derived there too, marked ``inferred``.

The Azure OpenAI "On Your Data" pattern is recognised here too: when an AI account's own managed
identity can read a search service or storage account, the account is ``GROUNDED_ON`` it and
the store is marked a grounding data store.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from aispm_graph.build import BuildContext, deriver
from aispm_graph.derive.kinds import KindIndex
from aispm_graph.graph.model import Confidence, Graph
from aispm_graph.knowledge.azure.arm import MG_PREFIX, norm
from aispm_graph.knowledge.azure.roles import RoleDefinition

NodeData = dict[str, Any]


@dataclass(frozen=True)
class Rule:
    edge: str
    operation: str
    data: bool = False
    when: Callable[[NodeData], bool] = lambda _n: True
    technique: str = ""


def _local_auth(n: NodeData) -> bool:
    return n.get("local_auth_enabled") is not False


def _ai_account(n: NodeData) -> bool:
    return str(n.get("account_kind") or "").lower() in {"openai", "aiservices"}


CS = "Microsoft.CognitiveServices/accounts"
ST = "Microsoft.Storage/storageAccounts"
BLOB = f"{ST}/blobServices/containers/blobs"
SRCH = "Microsoft.Search/searchServices"
ML = "Microsoft.MachineLearningServices/workspaces"
ROLE_WRITE = "Microsoft.Authorization/roleAssignments/write"

RULES: dict[str, tuple[Rule, ...]] = {
    "AzureCognitiveServicesAccount": (
        Rule("CAN_INVOKE", f"{CS}/OpenAI/deployments/chat/completions/action", True, _ai_account),
        Rule("CAN_READ_KEYS", f"{CS}/listKeys/action", False, _local_auth),
        Rule(
            "CAN_MANAGE",
            f"{CS}/write",
            False,
            lambda n: not _local_auth(n),
            technique="re-enable local (key) auth with accounts/write, then list the keys",
        ),
    ),
    "AzureStorageAccount": (
        Rule("CAN_READ", f"{BLOB}/read", True),
        Rule("CAN_WRITE", f"{BLOB}/write", True),
        Rule("CAN_READ_KEYS", f"{ST}/listKeys/action", False, _local_auth),
    ),
    "AzureStorageContainer": (
        Rule("CAN_READ", f"{BLOB}/read", True),
        Rule("CAN_WRITE", f"{BLOB}/write", True),
    ),
    "AzureSearchService": (
        Rule("CAN_READ", f"{SRCH}/indexes/documents/read", True),
        Rule("CAN_WRITE", f"{SRCH}/indexes/documents/write", True),
        Rule("CAN_READ_KEYS", f"{SRCH}/listAdminKeys/action", False, _local_auth),
        Rule("CAN_READ_KEYS", f"{SRCH}/listQueryKeys/action", False, _local_auth),
    ),
    "AzureKeyVault": (
        Rule(
            "CAN_READ",
            "Microsoft.KeyVault/vaults/secrets/getSecret/action",
            True,
            lambda n: bool(n.get("rbac_authorization")),
        ),
    ),
    "AzureMLWorkspace": (
        Rule("CAN_MANAGE", f"{ML}/onlineEndpoints/write"),
        Rule("CAN_MANAGE", f"{ML}/jobs/write"),
        Rule("CAN_MANAGE", f"{ML}/connections/listsecrets/action"),
    ),
    "AzureAIFoundryProject": (Rule("CAN_MANAGE", f"{CS}/projects/write"),),
    # Running a Foundry agent (threads, runs) is a data action on the account's agents: Azure
    # AI User / Developer and Cognitive Services User hold it; OpenAI User does not.
    "AzureAIFoundryAgent": (Rule("CAN_INVOKE", f"{CS}/AIServices/agents/write", True),),
    "AzureMLOnlineEndpoint": (
        Rule("CAN_INVOKE", f"{ML}/onlineEndpoints/score/action"),
        Rule(
            "CAN_READ_KEYS",
            f"{ML}/onlineEndpoints/listKeys/action",
            False,
            lambda n: str(n.get("auth_mode") or "").lower() == "key",
        ),
        Rule(
            "CAN_READ_KEYS",
            f"{ML}/serverlessEndpoints/listKeys/action",
            False,
            lambda n: n.get("endpoint_type") == "serverless",
        ),
    ),
    "AzureMLConnection": (
        Rule(
            "CAN_READ",
            f"{ML}/connections/listsecrets/action",
            False,
            lambda n: bool(n.get("ai_key")),
        ),
    ),
}

PRINCIPAL_KINDS = {
    "user": ("EntraUser", "users"),
    "group": ("EntraGroup", "groups"),
    "serviceprincipal": ("AzureServicePrincipal", "serviceprincipals"),
    "foreigngroup": ("EntraGroup", "groups"),
}


@dataclass
class Grant:
    assignment: str
    role: str
    scope: str
    permission: str
    confidence: Confidence
    technique: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _role(data: NodeData) -> RoleDefinition | None:
    if data.get("actions") is None:
        return None
    return RoleDefinition(
        id=str(data.get("role_definition_id")),
        name=str(data.get("role_name")),
        actions=tuple(data.get("actions") or ()),
        not_actions=tuple(data.get("not_actions") or ()),
        data_actions=tuple(data.get("data_actions") or ()),
        not_data_actions=tuple(data.get("not_data_actions") or ()),
        source=str(data.get("role_source")),
    )


def _principal(graph: Graph, by_oid: dict[str, str], data: NodeData) -> str:
    """The node of the assignment's principal; Entra principals not collected get a node."""
    oid = str(data["principal_id"]).lower()
    if oid in by_oid:
        return by_oid[oid]
    ptype = str(data.get("principal_type") or "ServicePrincipal").lower()
    kind, plural = PRINCIPAL_KINDS.get(ptype, ("AzureServicePrincipal", "serviceprincipals"))
    node_id = f"entra/{plural}/{oid}"
    graph.add_node(
        node_id, kind, f"{data.get('principal_type') or 'principal'} {oid}", principal_id=oid
    )
    by_oid[oid] = node_id
    return node_id


class _Index:
    """Sorted node ids per kind, for fast 'everything of these kinds under this scope' lookups:
    an assignment is paired only with the kinds its role can do something to (index before
    pairing), so a Reader at subscription scope does not walk every resource in it."""

    def __init__(self, graph: Graph, index: KindIndex) -> None:
        self.by_kind = {
            k: sorted(nid for nid, _d in index(k)) for k in (*RULES, "AzureSubscription")
        }
        self.by_kind = {k: v for k, v in self.by_kind.items() if v}
        self.subs = [nid for nid, d in index("AzureSubscription")]
        groups = {nid for nid, _d in index("AzureManagementGroup")}
        # Containment by a management group, in edge order: read once for both uses.
        contained = [(src, dst) for src, dst, _d in graph.edges("CONTAINS") if src in groups]
        self.mg_subs, self.roots = _hierarchy(index, groups, contained)
        self.graph = graph
        self.parent: dict[str, str] = {}
        for src, dst in contained:
            self.parent.setdefault(dst, src)

    def via(self, scope: str, sub: str) -> str | None:
        """How a group-scoped assignment reaches a subscription: 'Corp > AI > ai-prod'."""
        if scope != "/" and not scope.startswith(MG_PREFIX):
            return None
        chain = [sub]
        while chain[-1] in self.parent and chain[-1] != scope and len(chain) < 16:
            chain.append(self.parent[chain[-1]])
        if scope != "/" and chain[-1] != scope:
            return None  # reached because the subscription listed it, not through the tree
        if len(chain) == 1:
            return None
        return " > ".join(str(self.graph.node(n)["name"]) for n in reversed(chain))

    def mg_reach(self, scope: str) -> list[str] | None:
        """Subscriptions below a management group (or, for ``/``, below the tenant root);
        None when the hierarchy does not know that scope."""
        if scope == "/":
            if not self.roots:
                return None
            return sorted(set().union(*(self.mg_subs[r] for r in self.roots)))
        if scope not in self.mg_subs:
            return None
        return sorted(self.mg_subs[scope])

    def under(self, scope: str, kinds: Iterable[str]) -> list[str]:
        """Nodes of ``kinds`` at or below ``scope``, in id order: the scope itself and the
        ids starting with ``scope + "/"``, one contiguous run of each kind's sorted ids
        (``/`` sorts just before ``0``)."""
        out = []
        for kind in kinds:
            ids = self.by_kind.get(kind)
            if not ids:
                continue
            i = bisect.bisect_left(ids, scope)
            if i < len(ids) and ids[i] == scope:
                out.append(scope)
            out.extend(
                ids[bisect.bisect_left(ids, scope + "/") : bisect.bisect_left(ids, scope + "0")]
            )
        return sorted(out)


def _hierarchy(
    index: KindIndex, groups: set[str], contained: list[tuple[str, str]]
) -> tuple[dict[str, set[str]], list[str]]:
    """Every management group's subscriptions (transitively, cycle-safe) and the root groups."""
    children: dict[str, list[str]] = defaultdict(list)
    for src, dst in contained:
        children[src].append(dst)
    subs = {nid for nid, _d in index("AzureSubscription")}
    out: dict[str, set[str]] = {}
    for mg in groups:
        seen: set[str] = set()
        stack = [mg]
        found: set[str] = set()
        while stack:
            cur = stack.pop()
            if cur in seen:
                continue
            seen.add(cur)
            for child in children.get(cur, ()):
                if child in subs:
                    found.add(child)
                elif child in groups:
                    stack.append(child)
        out[mg] = found
    roots = sorted(nid for nid, d in index("AzureManagementGroup") if d.get("root"))
    return out, roots


def _scopes(data: NodeData, index: _Index) -> list[tuple[str, Confidence]]:
    """Concrete scopes an assignment reaches; management-group scopes map onto subscriptions.

    With the hierarchy known, a group-scoped assignment reaches every subscription below the
    group. Each subscription that listed the assignment is also reached (ARM lists only what
    applies there). Only when neither is known (a Resource Graph export without
    ``resourcecontainers``) is every subscription assumed, as inferred.
    """
    scope = norm(str(data.get("scope") or "/")) or "/"
    if scope == "/" or scope.startswith(MG_PREFIX):
        listed = data.get("collected_for_subscriptions") or []
        reach = {f"/subscriptions/{s}" for s in listed if isinstance(s, str)}
        below = index.mg_reach(scope)
        if below is not None or reach:
            return [(s, Confidence.CONFIRMED) for s in sorted(reach | set(below or ()))]
        return [(s, Confidence.INFERRED) for s in index.subs]
    return [(scope, Confidence.CONFIRMED)]


def _fix(role: str, principal: str, scope: str, assignment: str, target: str) -> str:
    return (
        f"Remove the '{role}' role assignment of {principal} at {scope} "
        f"(az role assignment delete --ids {assignment}); if {principal} needs access, "
        f"assign the narrowest role on {target} only"
    )


def derive_rbac(graph: Graph, ctx: BuildContext) -> None:
    # One walk: principals by object id, and the kinds read below (this pass adds only
    # placeholder principals, after reading).
    by_oid: dict[str, str] = {}

    def principal_ids(nid: str, d: NodeData) -> None:
        if d.get("principal_id") and d["kind"] != "AzureRoleAssignment":
            by_oid.setdefault(str(d["principal_id"]).lower(), nid)

    nodes_of = KindIndex(
        graph,
        (*RULES, "AzureSubscription", "AzureManagementGroup", "AzureRoleAssignment"),
        visit=principal_ids,
    )
    index = _Index(graph, nodes_of)
    grants: dict[tuple[str, str, str], list[Grant]] = defaultdict(list)
    assignments = sorted(
        nodes_of("AzureRoleAssignment"), key=lambda a: (-len(str(a[1].get("scope"))), a[0])
    )
    data_kinds = {kind for kind, rules in RULES.items() if any(r.data for r in rules)}
    role_rules: dict[
        RoleDefinition, tuple[str | None, dict[tuple[str, int], str | None], set[str]]
    ] = {}
    for aid, adata in assignments:
        role = _role(adata)
        if role is None or not adata.get("principal_id"):
            continue
        principal = _principal(graph, by_oid, adata)
        graph.add_edge(principal, aid, "ASSIGNED", {"role": role.name, "scope": adata.get("scope")})
        raw_scope = str(adata.get("scope"))
        # What the role allows of each rule, once per role definition (an estate's
        # assignments share a few dozen roles) rather than once per target.
        hit = role_rules.get(role)
        if hit is None:
            allowed_of_role = {
                (kind, i): role.allows(rule.operation, data=rule.data)
                for kind, rules in RULES.items()
                for i, rule in enumerate(rules)
            }
            hit = role_rules[role] = (
                role.allows(ROLE_WRITE),
                allowed_of_role,
                {kind for (kind, _i), pattern in allowed_of_role.items() if pattern is not None},
            )
        can_grant, allowed, granting = hit
        for scope, conf in _scopes(adata, index):
            via = index.via(norm(raw_scope) or "/", scope)
            at_top = scope.count("/") <= 2  # /subscriptions/<id>
            kinds = set(granting)
            if can_grant:
                kinds |= {"AzureSubscription"} if at_top else data_kinds
            under = index.under(scope, kinds)
            # Pairings made: the work of this pass, counted so a test can tell linear growth
            # from a pairwise one without timing anything.
            ctx.stats["azure.rbac_pairs"] += len(under)
            for target in under:
                tdata = graph.node(target)
                if tdata["kind"] == "AzureSubscription":
                    if can_grant and at_top:
                        grants[(principal, target, "CAN_ADMINISTER")].append(
                            Grant(
                                aid,
                                role.name,
                                raw_scope,
                                can_grant,
                                conf,
                                "can grant itself any role on the subscription",
                                {"via": via},
                            )
                        )
                    continue
                if tdata["kind"] == "AzureStorageContainer" and scope != target:
                    continue  # account-wide grants are reported once, on the account
                for i, rule in enumerate(RULES.get(tdata["kind"], ())):
                    if not rule.when(tdata):
                        continue
                    pattern = allowed[tdata["kind"], i]
                    technique, rconf = rule.technique, conf
                    if pattern is None and rule.data and can_grant and not at_top:
                        pattern = can_grant
                        technique = (
                            f"grant itself a data role ({ROLE_WRITE}) on {scope}, then "
                            f"{rule.operation}"
                        )
                        rconf = Confidence.INFERRED
                    if pattern is None:
                        continue
                    if rule.technique:
                        rconf = Confidence.INFERRED
                    if adata.get("condition"):
                        rconf = Confidence.CONDITIONAL
                    grants[(principal, target, rule.edge)].append(
                        Grant(
                            aid,
                            role.name,
                            raw_scope,
                            rule.operation,
                            rconf,
                            technique,
                            {"matched": pattern, "via": via},
                        )
                    )
    for (principal, target, kind), found in sorted(grants.items()):
        best = found[0]
        pname = graph.node(principal)["name"]
        tname = graph.node(target)["name"]
        evidence: dict[str, Any] = {
            "permission": best.permission,
            "grant": f"role '{best.role}' at {best.scope} (assignment {best.assignment})",
            "role": best.role,
            "assignment": best.assignment,
            "scope": best.scope,
            "inherited": norm(best.scope) != target,
            "matched_pattern": best.extra.get("matched"),
            "fix": _fix(best.role, pname, best.scope, best.assignment, tname),
        }
        if best.technique:
            evidence["technique"] = best.technique
        if best.extra.get("via"):
            evidence["management_group_path"] = best.extra["via"]
        if len(found) > 1:
            evidence["also_granted_by"] = sorted({g.assignment for g in found[1:]})
            evidence["fix"] += "; also remove " + ", ".join(
                sorted({f"'{g.role}' at {g.scope}" for g in found[1:]})
            )
        conf = max(
            (g.confidence for g in found),
            key=lambda c: {"confirmed": 2, "conditional": 1, "inferred": 0}[str(c)],
        )
        graph.add_edge(principal, target, kind, evidence, conf)
        ctx.stats["azure.rbac_edges"] += 1
    _on_your_data(graph)


def _on_your_data(graph: Graph) -> None:
    """An AI account whose managed identity reads a store retrieves from it (On Your Data)."""
    for src, dst, data in list(graph.edges("CAN_READ")):
        sdata = graph.node(src)
        owner = sdata.get("assigned_to")
        if sdata["kind"] != "AzureManagedIdentity" or not owner or not graph.has_node(owner):
            continue
        odata = graph.node(owner)
        if odata["kind"] not in {"AzureCognitiveServicesAccount", "AzureAIFoundryProject"}:
            continue
        tdata = graph.node(dst)
        if tdata["kind"] not in {
            "AzureSearchService",
            "AzureStorageAccount",
            "AzureStorageContainer",
        }:
            continue
        graph.set_prop(dst, "data_role", sorted(set(tdata.get("data_role") or []) | {"grounding"}))
        evidence = data.get("evidence", {})
        graph.add_edge(
            owner,
            dst,
            "GROUNDED_ON",
            {
                "mechanism": f"Azure OpenAI On Your Data: the account's managed identity holds "
                f"'{evidence.get('role')}' on {tdata['name']}",
                "assignment": evidence.get("assignment"),
                "fix": f"Limit what {odata['name']} may retrieve from {tdata['name']}: scope the "
                f"role of its managed identity to the indexes / containers meant for grounding",
            },
            Confidence.INFERRED,
        )


@deriver("access", "azure-rbac")
def azure_rbac(graph: Graph, ctx: BuildContext) -> None:
    if any(True for _ in graph.nodes("AzureRoleAssignment")):
        derive_rbac(graph, ctx)
