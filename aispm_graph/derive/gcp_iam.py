"""GCP IAM: effective permissions from allow policies inherited down the resource hierarchy.

A binding on an organization, folder or project applies to everything beneath it (GCP allow
policies are additive and inherited), so each binding is expanded to the resources under its
scope whose kind a rule covers, and a role grants only the permissions listed for it in the
shipped role table (:mod:`aispm_graph.knowledge.gcp.roles`) or in a collected custom role.

Each (member, resource, edge kind) becomes one attack-step edge whose evidence names the
permission, the grant (role, member and scope) and a precise fix; when several bindings grant
the same thing, all of them are listed, since removing only one would not break the path.
``allUsers`` / ``allAuthenticatedUsers`` stand for the internet: public buckets get the
``public_read`` / ``public_write`` properties the exposure deriver turns into ``PUBLIC_ACCESS``
(unless public access prevention is enforced); other resources get ``PUBLIC_ACCESS`` edges
here (Cloud Run and Cloud Functions only when their ingress admits all traffic).

A group is a principal node of its own; when the collector read its members, the transform
linked them with ``MEMBER_OF`` (:mod:`aispm_graph.transforms.gcp_groups`), so paths go
member -> group -> resource, and a member's own "can it create compute" check for ``actAs``
counts what its groups hold too.

Not modelled (documented limits): IAM deny policies, principal access boundaries, VPC Service
Controls, and the meaning of IAM condition expressions (a conditional binding gives
``conditional`` confidence).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from aispm_graph.build import BuildContext, deriver
from aispm_graph.derive.gcp_escalation import key_creation_ban
from aispm_graph.graph.model import Confidence, Graph
from aispm_graph.knowledge.gcp.names import sa_id
from aispm_graph.knowledge.gcp.roles import RoleSpec, custom_role, predefined_roles
from aispm_graph.schema import INTERNET_ID

PUBLIC_MEMBERS = frozenset({"allUsers", "allAuthenticatedUsers"})
# Holding actAs on a service account is impersonation only with a way to run code as it.
RUN_AS_PERMISSIONS = (
    "compute.instances.create",
    "run.services.create",
    "cloudfunctions.functions.create",
    "aiplatform.customJobs.create",
    "aiplatform.notebookRuntimes.assign",
)
CONVENIENCE = {
    "projectOwner": "roles/owner",
    "projectEditor": "roles/editor",
    "projectViewer": "roles/viewer",
}


@dataclass(frozen=True)
class Rule:
    """A permission on a kind of resource that is an attack step of some kind."""

    kind: str
    permissions: tuple[str, ...]
    edge: str
    technique: str = ""
    ai_data_only: bool = False
    public_only: bool = False


KEY_CREATE = "iam.serviceAccountKeys.create"
RULES: tuple[Rule, ...] = (
    Rule("VertexAIEndpoint", ("aiplatform.endpoints.predict",), "CAN_INVOKE"),
    Rule("VertexAIEndpoint", ("aiplatform.endpoints.update",), "CAN_MANAGE"),
    Rule("VertexAIReasoningEngine", ("aiplatform.reasoningEngines.query",), "CAN_INVOKE"),
    Rule("GCPBucket", ("storage.objects.get",), "CAN_READ", ai_data_only=True),
    Rule("GCPBucket", ("storage.objects.create",), "CAN_WRITE", ai_data_only=True),
    Rule(
        "DiscoveryEngineDataStore",
        (
            "discoveryengine.servingConfigs.search",
            "discoveryengine.documents.list",
            "discoveryengine.documents.get",
        ),
        "CAN_READ",
    ),
    Rule("DiscoveryEngineDataStore", ("discoveryengine.documents.create",), "CAN_WRITE"),
    Rule("DiscoveryEngineApp", ("discoveryengine.servingConfigs.search",), "CAN_INVOKE"),
    Rule("DialogflowCXAgent", ("dialogflow.sessions.detectIntent",), "CAN_INVOKE"),
    Rule(
        "DialogflowCXAgent",
        ("dialogflow.webhooks.update", "dialogflow.webhooks.create"),
        "CAN_MANAGE",
    ),
    Rule("GCPSecret", ("secretmanager.versions.access",), "CAN_READ"),
    Rule(
        "GCPServiceAccount",
        (
            "iam.serviceAccounts.getAccessToken",
            "iam.serviceAccounts.signJwt",
            "iam.serviceAccounts.signBlob",
            "iam.serviceAccounts.implicitDelegation",
        ),
        "CAN_ASSUME",
        technique="impersonation: mint an access token for the service account",
    ),
    Rule(
        "GCPServiceAccount",
        ("iam.serviceAccountKeys.create",),
        "CAN_ASSUME",
        technique="create a key for the service account",
    ),
    Rule(
        "GCPServiceAccount",
        ("iam.serviceAccounts.setIamPolicy",),
        "CAN_ASSUME",
        technique="grant itself Token Creator on the service account",
    ),
    Rule(
        "GCPServiceAccount",
        ("iam.serviceAccounts.actAs",),
        "CAN_ASSUME",
        technique="actAs: run code as the service account on compute it creates",
    ),
    Rule("GCPCloudRunService", ("run.services.update",), "CAN_UPDATE_CODE"),
    Rule("GCPCloudFunction", ("cloudfunctions.functions.update",), "CAN_UPDATE_CODE"),
    Rule(
        "GCPInstance",
        ("compute.instances.setMetadata",),
        "CAN_UPDATE_CODE",
        technique="startup script or SSH key through instance metadata",
    ),
    Rule("GCPCloudRunService", ("run.routes.invoke",), "PUBLIC_ACCESS", public_only=True),
    Rule(
        "GCPCloudFunction",
        ("cloudfunctions.functions.invoke", "run.routes.invoke"),
        "PUBLIC_ACCESS",
        public_only=True,
    ),
)
RULES_BY_KIND: dict[str, list[Rule]] = defaultdict(list)
for _rule in RULES:
    RULES_BY_KIND[_rule.kind].append(_rule)

DEPTH = {"GCPOrganization": 3, "GCPFolder": 2, "GCPProject": 1}
SCOPE_WORD = {
    "GCPOrganization": "organization",
    "GCPFolder": "folder",
    "GCPProject": "project",
    "GCPBucket": "bucket",
    "GCPServiceAccount": "service account",
    "GCPSecret": "secret",
    "GCPCloudRunService": "Cloud Run service",
    "GCPCloudFunction": "function",
    "GCPInstance": "instance",
    "VertexAIEndpoint": "Vertex AI endpoint",
    "VertexAIReasoningEngine": "agent engine",
    "DiscoveryEngineDataStore": "data store",
    "DiscoveryEngineApp": "Agent Builder app",
    "DialogflowCXAgent": "Dialogflow agent",
}


@dataclass(frozen=True)
class Grant:
    role: str
    member: str
    scope: str
    scope_label: str
    depth: int
    permission: str
    condition: str

    def text(self) -> str:
        cond = f" if {self.condition}" if self.condition else ""
        return f"{self.role} for {self.member} on {self.scope_label}{cond}"


class IamDeriver:
    def __init__(self, graph: Graph, ctx: BuildContext) -> None:
        self.graph = graph
        self.ctx = ctx
        self.roles: dict[str, RoleSpec] = dict(predefined_roles())
        self.unknown_roles: dict[str, int] = defaultdict(int)
        # Everything under a scope, by kind: a binding is paired only with the kinds of
        # resource its role holds a rule permission on (index before pairing), so a viewer
        # binding on an organisation does not walk every resource in it.
        self.below: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        self._held: dict[str, dict[str, list[tuple[Rule, str]]]] = {}
        self.sa_by_email: dict[str, str] = {}
        self.found: dict[tuple[str, str, str], list[tuple[Grant, Rule | None]]] = defaultdict(list)
        self.perms_of_member: dict[str, set[str]] = defaultdict(set)
        self.admin_of: dict[str, set[str]] = defaultdict(set)

    def scope_label(self, node_id: str) -> str:
        data = self.graph.node(node_id)
        word = SCOPE_WORD.get(data["kind"])
        if word:
            return f"{word} {data['name']}"
        return f"{data['kind']} {data['name']}"

    def run(self) -> None:
        holders: list[str] = []
        for node_id, data in self.graph.nodes():
            if data.get("provider") != "gcp":
                continue
            for anc in data.get("ancestors") or []:
                self.below[anc][data["kind"]].append(node_id)
            if data.get("iam_bindings"):
                holders.append(node_id)
            if data["kind"] == "GCPServiceAccount" and data.get("email"):
                self.sa_by_email[str(data["email"])] = node_id
            for name, perms in (data.get("custom_roles") or {}).items():
                self.roles[name] = custom_role(name, list(perms))
        if not holders:
            return
        grants: list[tuple[str, dict[str, Any], str, str]] = []
        for holder in sorted(holders):
            for binding in self.graph.node(holder)["iam_bindings"]:
                for member in binding.get("members") or []:
                    for resolved in self.expand(str(member), holder):
                        grants.append((holder, binding, resolved, self.member_text(resolved)))
                        spec = self.roles.get(str(binding.get("role")))
                        if spec and resolved not in PUBLIC_MEMBERS:
                            self.perms_of_member[resolved] |= spec.permissions
        # A member holds what its groups hold (for the actAs-plus-compute check below).
        for src, group, _data in list(self.graph.edges("MEMBER_OF")):
            if self.graph.node(group).get("provider") == "gcp":
                self.perms_of_member[src] |= self.perms_of_member.get(group, set())
        for holder, binding, member, text in grants:
            self.apply(holder, binding, member, text)
        self.emit()
        if self.unknown_roles:
            names = sorted(self.unknown_roles)
            more = f" (+{len(names) - 8} more)" if len(names) > 8 else ""
            self.ctx.warn(
                f"gcp-iam: {len(names)} role(s) are not in the modelled role table, so their "
                f"bindings grant nothing here: {', '.join(names[:8])}{more}"
            )

    # -- members ------------------------------------------------------------------------------
    def expand(self, member: str, holder: str) -> list[str]:
        """Member strings to principal node ids (or a public marker); convenience values
        (projectViewer:p) expand to the holders of that basic role on the project."""
        if member in PUBLIC_MEMBERS:
            return [member]
        prefix, _, rest = member.partition(":")
        if prefix == "deleted" or (not rest and not member.startswith("principal")):
            return []
        if prefix in CONVENIENCE:
            project = f"//cloudresourcemanager.googleapis.com/projects/{rest}"
            if not self.graph.has_node(project):
                return []
            out = []
            for b in self.graph.node(project).get("iam_bindings") or []:
                if b.get("role") == CONVENIENCE[prefix]:
                    for m in b.get("members") or []:
                        if not str(m).startswith(tuple(CONVENIENCE)):
                            out.extend(self.expand(str(m), project))
            return out
        if prefix == "serviceAccount":
            node = self.sa_by_email.get(rest)
            if node is None:
                node = sa_id(rest)
                if not self.graph.has_node(node):
                    self.graph.add_node(
                        node, "GCPServiceAccount", rest, email=rest, collected=False
                    )
                self.sa_by_email[rest] = node
            return [node]
        if not self.graph.has_node(member):
            kind = prefix if prefix in {"user", "group", "domain"} else "principal"
            self.graph.add_node(member, "GCPUser", rest or member, principal_type=kind)
        return [member]

    # -- grants ---------------------------------------------------------------------------
    def member_text(self, node: str) -> str:
        """The IAM member string of a principal node, as it appears in a policy."""
        if node in PUBLIC_MEMBERS or not self.graph.has_node(node):
            return node
        data = self.graph.node(node)
        if data["kind"] == "GCPServiceAccount":
            return f"serviceAccount:{data.get('email') or data['name']}"
        return node

    def apply(self, holder: str, binding: dict[str, Any], member: str, text: str) -> None:
        role_name = str(binding.get("role"))
        role = self.roles.get(role_name)
        if role is None:
            self.unknown_roles[role_name] += 1
            return
        hdata = self.graph.node(holder)
        depth = DEPTH.get(hdata["kind"], 0)
        cond = binding.get("condition") or {}
        condition = str(cond.get("title") or cond.get("expression") or "")
        label = self.scope_label(holder)
        if depth and member not in PUBLIC_MEMBERS:
            self.graph.add_edge(member, holder, "ASSIGNED", {"role": role_name})
        below = self.below.get(holder, {})
        if role.administers and member not in PUBLIC_MEMBERS:
            projects = [holder] if hdata["kind"] == "GCPProject" else []
            perm = next(
                iter(sorted(role.permissions & {"resourcemanager.projects.setIamPolicy"})),
                f"{role_name} (basic role)",
            )
            for t in [*projects, *below.get("GCPProject", ())]:
                self.admin_of[member].add(t)
                g = Grant(role_name, text, holder, label, depth, perm, condition)
                self.found[(member, t, "CAN_ADMINISTER")].append((g, None))
        public = member in PUBLIC_MEMBERS
        node = self.graph.node
        for kind, rules in self.held(role).items():
            here = [holder] if hdata["kind"] == kind else []
            pool = [*here, *below.get(kind, ())]
            # Pairings made: the work of this pass, counted so a test can tell linear growth
            # from a pairwise one without timing anything.
            self.ctx.stats["gcp.iam_pairs"] += len(pool)
            # One (frozen) grant per rule, the same for every target of this binding.
            granted = [
                (rule, Grant(role_name, text, holder, label, depth, held, condition))
                for rule, held in rules
                if public or not rule.public_only
            ]
            for t in pool:
                if t == member:
                    continue
                tdata = node(t)
                for rule, g in granted:
                    if public:
                        self.public(t, tdata, rule, g)
                    elif not rule.ai_data_only or tdata.get("data_role"):
                        self.found[(member, t, rule.edge)].append((g, rule))
        if (
            member in PUBLIC_MEMBERS
            and hdata["kind"] == "GCPBucket"
            and "storage.objects.list" in (role.permissions)
            and "storage.objects.get" not in role.permissions
            and not self._pap(hdata)
        ):
            self.graph.update_props(
                holder, public_list=True, public_list_grant=f"{role_name} for {member}"
            )

    def held(self, role: RoleSpec) -> dict[str, list[tuple[Rule, str]]]:
        """The rules a role holds a permission of, by resource kind, each with the first such
        permission; computed once per role."""
        hit = self._held.get(role.name)
        if hit is None:
            hit = {}
            for rule in RULES:
                perm = next((p for p in rule.permissions if p in role.permissions), None)
                if perm is not None:
                    hit.setdefault(rule.kind, []).append((rule, perm))
            self._held[role.name] = hit
        return hit

    @staticmethod
    def _pap(data: dict[str, Any]) -> bool:
        return str(data.get("public_access_prevention", "")).lower() == "enforced"

    def public(self, target: str, tdata: dict[str, Any], rule: Rule, g: Grant) -> None:
        if tdata["kind"] == "GCPBucket":
            if self._pap(tdata):
                return
            prop = "public_read" if rule.edge == "CAN_READ" else "public_write"
            if not tdata.get(prop):
                grant = f"{g.role} for {g.member} on {g.scope_label}"
                self.graph.update_props(target, **{prop: True, f"{prop}_grant": grant})
            return
        if tdata["kind"] in {"GCPCloudRunService", "GCPCloudFunction"}:
            if not tdata.get("ingress_all"):
                return
            if tdata["kind"] == "GCPCloudFunction" and not tdata.get("http_trigger", True):
                return
        self.found[(INTERNET_ID, target, "PUBLIC_ACCESS")].append((g, rule))

    # -- edges ----------------------------------------------------------------------------
    def emit(self) -> None:
        for (src, dst, kind), items in sorted(self.found.items()):
            # Admin of the project implies everything in it (the contract of CAN_ADMINISTER);
            # per-resource edges would only multiply the same path.
            if kind != "CAN_ADMINISTER" and self.admin_of.get(src, set()) & set(
                self.graph.node(dst).get("ancestors") or []
            ):
                continue
            if kind == "CAN_ASSUME" and key_creation_ban(self.graph, dst):
                # Keys cannot be created there; the escalation pass adds the edge back for
                # a member that can also lift the constraint (orgpolicy.policy.set).
                items = [it for it in items if it[0].permission != KEY_CREATE]
                if not items:
                    continue
            items.sort(key=lambda it: (it[0].depth, it[0].role, it[0].scope))
            grant, rule = items[0]
            texts = list(dict.fromkeys(g.text() for g, _ in items))
            dname = self.graph.node(dst)["name"]
            evidence: dict[str, Any] = {
                "permission": grant.permission,
                "grant": grant.text(),
                "role": grant.role,
                "member": grant.member,
                "scope": grant.scope_label,
            }
            if len(texts) > 1:
                evidence["grants"] = texts
            if rule is not None and rule.technique:
                evidence["technique"] = rule.technique
            removals = "; ".join(
                dict.fromkeys(
                    f"remove {g.member} from {g.role} on {g.scope_label}" for g, _ in items
                )
            )
            inherited = (
                f" (the binding is inherited by everything in the {grant.scope_label})"
                if grant.depth
                else ""
            )
            if kind == "PUBLIC_ACCESS":
                evidence["access"] = grant.permission
                evidence["exposure_width"] = "any"
                evidence["fix"] = f"Make {dname} private: {removals}"
            else:
                evidence["fix"] = (
                    f"{removals[0].upper()}{removals[1:]}{inherited}; grant only what "
                    f"{self.graph.node(src)['name']} needs on {dname} ({grant.permission})"
                )
            confidence = Confidence.CONFIRMED
            if all(g.condition for g, _ in items):
                confidence = Confidence.CONDITIONAL
                evidence["condition"] = grant.condition
            if kind == "CAN_ASSUME" and all(
                g.permission == "iam.serviceAccounts.actAs" for g, _ in items
            ):
                runs = sorted(self.perms_of_member[src] & set(RUN_AS_PERMISSIONS))
                if runs:
                    evidence["technique"] = (
                        f"actAs plus {runs[0]}: run code as {dname} on compute it creates"
                    )
                else:
                    confidence = Confidence.INFERRED
                    evidence["note"] = (
                        "no modelled permission to create compute was found for the member; "
                        "actAs alone is not enough"
                    )
            self.graph.add_edge(src, dst, kind, evidence, confidence)


@deriver("facts", "gcp-iam")
def derive_gcp_iam(graph: Graph, ctx: BuildContext) -> None:
    """In the facts phase, before the exposure phase, which reads the public bucket properties."""
    IamDeriver(graph, ctx).run()
    for node_id, data in list(graph.nodes("GCPCloudRunService")):
        if data.get("invoker_iam_disabled") and data.get("ingress_all"):
            graph.ensure_internet()
            graph.add_edge(
                INTERNET_ID,
                node_id,
                "PUBLIC_ACCESS",
                {
                    "grant": "invoker IAM check disabled",
                    "access": "run.routes.invoke",
                    "exposure_width": "any",
                    "fix": f"Re-enable the invoker IAM check on {data['name']} or restrict its "
                    "ingress",
                },
            )
