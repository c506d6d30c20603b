"""The GCP builder: merged Cloud Asset records by name, and the lookups every service needs.

Live collection and ``gcloud asset export`` imports produce the same asset records
(:mod:`aispm_graph.providers.gcp.assets`). A resource's RESOURCE and IAM_POLICY records arrive
separately and are merged by asset name (:func:`merge_documents`). Node ids are full resource
names with project numbers rewritten to project ids (:meth:`GcpBuilder.canon`), so
``projects/123/locations/...`` and ``projects/acme/...`` are one resource; each node carries
its ``ancestors`` and ``iam_bindings`` for the IAM deriver (:mod:`aispm_graph.derive.gcp_iam`).

Service modules read records only through :meth:`GcpBuilder.each` / :meth:`GcpBuilder.assets`,
checked against the Cloud Asset types they declared. Whole-source passes that need every
service's output (firewall targeting, organisation policies, pipeline lineage, custom roles)
run in :meth:`GcpBuilder.finish`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from aispm_graph.aibom.public_sources import public_source
from aispm_graph.build import BuildContext
from aispm_graph.graph.model import Confidence, Graph
from aispm_graph.knowledge.gcp.names import bucket_id, sa_id
from aispm_graph.providers.gcp.assets import WATCHED_CONSTRAINTS, AssetRecordError, normalize
from aispm_graph.transforms.builder import Builder
from aispm_graph.transforms.gcp.unmodelled import unmodelled
from aispm_graph.workspace import Document

Asset = dict[str, Any]

CRM = "//cloudresourcemanager.googleapis.com/"
COMPUTE = "//compute.googleapis.com/"
AIP = "//aiplatform.googleapis.com/"
CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform"
_PROJECT_NUM = re.compile(r"(?<=projects/)(\d+)(?=/|$)")
_COMPUTE_URL = re.compile(r"^https?://(?:www\.|compute\.)?googleapis\.com/compute/[^/]+/")
_GS = re.compile(r"gs://([a-z0-9][a-z0-9._-]{1,220})")
# Google-owned source ranges: traffic from them is Google's (IAP TCP forwarding needs IAM,
# health checks and proxy load balancers cannot carry an attacker's own connection), so they
# are not internet sources. https://cloud.google.com/iap/docs/using-tcp-forwarding and
# https://cloud.google.com/load-balancing/docs/health-check-concepts#ip-ranges
GOOGLE_SOURCE_RANGES = {
    "35.235.240.0/20": "gcp:iap-tcp-forwarding",
    "130.211.0.0/22": "gcp:health-checks",
    "35.191.0.0/16": "gcp:health-checks",
    "209.85.152.0/22": "gcp:health-checks",
    "209.85.204.0/22": "gcp:health-checks",
}
AI_KEY_HINTS = (
    "openai",
    "anthropic",
    "gemini",
    "huggingface",
    "hf-token",
    "hf_token",
    "cohere",
    "mistral",
    "llm",
    "genai",
    "langchain",
    "pinecone",
)


def location_of(name: str) -> str | None:
    m = re.search(r"/(?:locations|zones|regions)/([^/]+)", name)
    return m.group(1) if m else None


def gs_buckets(obj: Any) -> set[str]:
    """Every bucket named by a gs:// URI anywhere in a nested structure."""
    found: set[str] = set()
    if isinstance(obj, str):
        found.update(m.group(1) for m in _GS.finditer(obj))
    elif isinstance(obj, dict):
        for v in obj.values():
            found |= gs_buckets(v)
    elif isinstance(obj, list):
        for v in obj:
            found |= gs_buckets(v)
    return found


def compute_path(url: str) -> str:
    """'https://www.googleapis.com/compute/v1/projects/p/global/networks/n' -> 'projects/p/...'."""
    text = _COMPUTE_URL.sub("", url or "")
    return text.removeprefix(COMPUTE).strip("/")


@dataclass
class Compute:
    """What firewall targeting needs to know about one VM-like node."""

    node_id: str
    networks: set[str]
    tags: set[str]
    service_accounts: set[str]


@dataclass
class Assets:
    """Merged asset records by name, and the lookups every handler needs."""

    by_name: dict[str, dict[str, Any]] = field(default_factory=dict)
    project_of_number: dict[str, str] = field(default_factory=dict)

    def of_type(self, *types: str) -> Iterator[dict[str, Any]]:
        for name in sorted(self.by_name):
            asset = self.by_name[name]
            if asset["asset_type"] in types:
                yield asset


def merge_documents(docs: list[Document], ctx: BuildContext) -> Assets:
    merged = Assets()
    for doc in docs:
        body = doc.body
        records = body.get("assets") if isinstance(body, dict) else body
        if not isinstance(records, list):
            ctx.warn(f"gcp:{doc.scope}:{doc.key}: field 'assets': not a list; document skipped")
            continue
        for i, rec in enumerate(records):
            try:
                asset = normalize(rec)
            except AssetRecordError as exc:
                ctx.warn(f"gcp:{doc.scope}:{doc.key}: record {i}: {exc}; skipped")
                continue
            current = merged.by_name.setdefault(asset["name"], {"name": asset["name"]})
            if current.get("asset_type") not in (None, asset["asset_type"]):
                ctx.warn(
                    f"gcp:{doc.scope}:{doc.key}: record {i}: asset {asset['name']} seen as "
                    f"{current['asset_type']} and {asset['asset_type']}; second skipped"
                )
                continue
            for key in ("asset_type", "resource", "iam_policy", "ancestors"):
                if key in asset:
                    current[key] = asset[key]
            if "org_policy" in asset:
                current["org_policy"] = _merge_org_policies(
                    current.get("org_policy") or [], asset["org_policy"]
                )
    for asset in merged.of_type("cloudresourcemanager.googleapis.com/Project"):
        data = asset.get("resource", {}).get("data", {})
        number = str(data.get("projectNumber") or asset["name"].rsplit("/", 1)[-1])
        pid = data.get("projectId")
        if pid:
            merged.project_of_number[number] = str(pid)
    return merged


def _merge_org_policies(
    have: list[dict[str, Any]], new: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """One policy per constraint on a scope, from every document that carries some.

    A project's policies can come twice: as set on the project (the ``ORG_POLICY`` listing or
    an export) and as its *effective* policy (``getEffectivePolicy``, already merged with
    every ancestor, including ones the collection could not see). The effective one is the
    answer Google enforces, so it wins; otherwise the later record wins.
    """
    by_constraint = {p["constraint"]: p for p in have}
    for pol in new:
        old = by_constraint.get(pol["constraint"])
        if old is not None and old.get("effective") and not pol.get("effective"):
            continue
        by_constraint[pol["constraint"]] = pol
    return list(by_constraint.values())


class GcpBuilder(Builder):
    """Builds every GCP asset of one build, service by service."""

    def __init__(self, assets: Assets, graph: Graph, ctx: BuildContext) -> None:
        super().__init__(graph, ctx, "gcp")
        self.assets = assets
        self.computes: list[Compute] = []
        self.firewalls: list[tuple[str, dict[str, Any]]] = []
        self.templates: dict[str, dict[str, Any]] = {}
        self.target_instances: dict[str, list[str]] = {}
        self.folder_parent: dict[str, str] = {}
        self.project_parent: dict[str, str] = {}
        self.custom_roles: dict[str, list[str]] = defaultdict(list)
        self.pipeline_buckets: dict[str, set[str]] = defaultdict(set)
        self.sa_by_email: dict[str, str] = {}
        self.sa_by_asset: dict[str, str] = {}
        self.policy_only: dict[str, int] = defaultdict(int)

    # -- reading ------------------------------------------------------------------------------
    def assets_of(self, *types: str) -> Iterator[Asset]:
        """Every merged asset of the given types (by name), checked against the declaration."""
        for atype in types:
            self.check_read(atype)
        yield from self.assets.of_type(*types)

    def each(
        self,
        types: tuple[str, ...],
        handler: Callable[[GcpBuilder, Asset], None],
        *,
        policy_only_ok: bool = False,
    ) -> None:
        """Run ``handler`` on every asset of ``types`` under the per-record guard.

        An asset with only an IAM policy (its resource listing was not collected or denied)
        has nothing to build a node from; it is counted and reported once per type, unless
        ``policy_only_ok`` (the policy alone is worth keeping: buckets, secrets, ...).
        """
        for asset in self.assets_of(*types):
            if "resource" not in asset and not policy_only_ok:
                self.policy_only[asset["asset_type"]] += 1
                continue
            with self.guard(asset["asset_type"], label=asset["name"]):
                handler(self, asset)

    def canon(self, name: str) -> str:
        """Rewrite project numbers to ids, so every reference to a resource is one id."""
        return _PROJECT_NUM.sub(
            lambda m: self.assets.project_of_number.get(m.group(1), m.group(1)), name
        )

    def project_node(self, ref: str) -> str:
        """Node id of a project from 'projects/x', a number or an id (created if missing)."""
        key = ref.rsplit("/", 1)[-1]
        pid = self.assets.project_of_number.get(key, key)
        node_id = f"{CRM}projects/{pid}"
        return self.placeholder("GCPProject", node_id, pid, tenant=pid)

    def hier_node(self, ref: str) -> str | None:
        """Node id of 'projects/..', 'folders/..' or 'organizations/..' (created if missing)."""
        ref = ref.removeprefix(CRM)
        kind, _, ident = ref.partition("/")
        if not ident:
            return None
        if kind == "projects":
            return self.project_node(ident)
        label = {"folders": "GCPFolder", "organizations": "GCPOrganization"}.get(kind)
        if label is None:
            return None
        node_id = f"{CRM}{kind}/{ident}"
        return self.placeholder(label, node_id, ref)

    def ancestors(self, asset: dict[str, Any]) -> list[str]:
        """Ancestor scopes, nearest first: from ``ancestors``, else the parent chain."""
        out: list[str] = []
        for ref in asset.get("ancestors") or []:
            node = self.hier_node(ref)
            if node and node != self.node_id(asset):
                out.append(node)
        if out:
            return out
        parent = asset.get("resource", {}).get("parent") or ""
        start = self.hier_node(parent) if parent else None
        if start is None:
            m = re.search(r"/projects/([^/]+)/", asset["name"] + "/")
            if m and not asset["asset_type"].startswith("cloudresourcemanager."):
                start = self.project_node(m.group(1))
        seen: set[str] = set()
        while start and start not in seen:
            seen.add(start)
            out.append(start)
            start = self.project_parent.get(start) or self.folder_parent.get(start)
        return out

    def node_id(self, asset: dict[str, Any]) -> str:
        atype, name = asset["asset_type"], asset["name"]
        if atype == "storage.googleapis.com/Bucket":
            return bucket_id(name.rsplit("/", 1)[-1])
        if atype == "cloudresourcemanager.googleapis.com/Project":
            return self.project_node(name)
        if atype == "iam.googleapis.com/ServiceAccount":
            data = asset.get("resource", {}).get("data", {})
            email = data.get("email")
            if email:
                return sa_id(str(email), data.get("projectId"))
        return self.canon(name)

    def sa_node(self, email: str) -> str:
        node_id = self.sa_by_email.get(email) or sa_id(email)
        return self.placeholder("GCPServiceAccount", node_id, email, email=email)

    def bucket_node(self, name: str, role: str | None = None) -> str:
        """The bucket's node (a placeholder if not collected), marked with its AI data role.

        Google's own public buckets (Vertex AI schemas, samples, Model Garden) are not the
        estate's data: '' is returned, so no node and no edge is made for them, and the build
        stats count the reference.
        """
        if public_source(name, "gs://") is not None:
            self.ctx.stats["gcp.public_source_references"] += 1
            return ""
        node_id = bucket_id(name)
        self.placeholder("GCPBucket", node_id, name)
        if role:
            roles = list(self.graph.node(node_id).get("data_role") or [])
            if role not in roles:
                self.graph.set_prop(node_id, "data_role", [*roles, role])
        return node_id

    def add(self, asset: dict[str, Any], kind: str, name: str, **props: Any) -> str:
        node_id = self.node_id(asset)
        anc = self.ancestors(asset)
        project = next((a for a in anc if a.startswith(f"{CRM}projects/")), None)
        tenant = project.rsplit("/", 1)[-1] if project else None
        data = asset.get("resource", {}).get("data", {})
        labels = data.get("labels") if isinstance(data.get("labels"), dict) else None
        policy = asset.get("iam_policy")
        self.graph.add_node(
            node_id,
            kind,
            name,
            region=props.pop("region", None) or location_of(asset["name"]),
            tenant=props.pop("tenant", None) or tenant,
            tags=labels or None,
            asset_type=asset["asset_type"],
            ancestors=anc,
            iam_bindings=policy["bindings"] if policy else None,
            collected=True,
            **props,
        )
        if anc:
            self.edge(anc[0], node_id, "CONTAINS")
        return node_id

    def identity(self, node: str, email: str | None, mechanism: str, **extra: Any) -> None:
        if not email:
            return
        sa = self.sa_node(str(email))
        scopes = extra.pop("scopes", None)
        evidence: dict[str, Any] = {"mechanism": mechanism, **extra}
        confidence = Confidence.CONFIRMED
        if scopes is not None:
            evidence["scopes"] = scopes
            if CLOUD_PLATFORM_SCOPE not in scopes:
                confidence = Confidence.CONDITIONAL
                evidence["condition"] = (
                    "the VM's access scopes exclude cloud-platform: its token reaches only the "
                    "scoped APIs"
                )
        name = self.graph.node(node)["name"]
        evidence["fix"] = (
            f"Attach a dedicated least-privilege service account to {name} instead of {email}, "
            "or remove what it may do"
        )
        self.edge(node, sa, "HAS_IDENTITY", confidence, **evidence)

    def ensure(self, node_id: str, kind: str) -> bool:
        self.placeholder(kind, node_id, node_id.rsplit("/", 1)[-1])
        return True

    def aip_ref(self, ref: str) -> str:
        """Node id of a Vertex resource referenced as 'projects/p/locations/l/models/m@v'."""
        ref = ref.split("@", 1)[0]
        return AIP + self.canon(ref).removeprefix(AIP)

    def default_compute_sa(self, node: str) -> str | None:
        tenant = self.graph.node(node).get("tenant")
        number = next((n for n, p in self.assets.project_of_number.items() if p == tenant), None)
        return f"{number}-compute@developer.gserviceaccount.com" if number else None

    def default_appengine_sa(self, node: str) -> str | None:
        tenant = self.graph.node(node).get("tenant")
        return f"{tenant}@appspot.gserviceaccount.com" if tenant else None

    def finish_passes(self) -> None:
        self._protected_by()
        self._org_policies()
        for model, pipelines in self.pipeline_buckets.items():
            for pipeline in pipelines:
                if not self.graph.has_node(pipeline):
                    continue
                for store in self.graph.successors(pipeline, "DATA_FROM"):
                    if self.graph.node(store)["kind"] == "GCPBucket":
                        self.edge(model, store, "TRAINED_ON", via=pipeline)
        if self.custom_roles:
            for role, perms in self.custom_roles.items():
                scope = role.split("/roles/")[0]
                holder = self.hier_node(scope)
                if holder:
                    roles = dict(self.graph.node(holder).get("custom_roles") or {})
                    roles[role] = perms
                    self.graph.set_prop(holder, "custom_roles", roles)

    def _effective(
        self, policies: dict[str, dict[str, dict[str, Any]]], chain: list[str], constraint: str
    ) -> tuple[dict[str, Any] | None, str] | None:
        """The policy of ``constraint`` in force for a resource: the nearest scope that sets
        it (a ``restore_default`` there means the constraint's default, i.e. not set)."""
        for scope in chain:
            pol = policies.get(scope, {}).get(constraint)
            if pol is not None:
                return (None if pol.get("restore_default") else pol), scope
        return None

    def _org_policies(self) -> None:
        """Apply the organisation policies that still act on resources that already exist.

        ``storage.publicAccessPrevention`` is enforced at access time, so a bucket under it is
        not public whatever its ACL or IAM says. ``compute.vmExternalIpAccess``,
        ``iam.allowedPolicyMemberDomains`` and ``iam.disableCrossProjectServiceAccountUsage``
        only refuse *new* configuration: existing external IPs, outside members and
        cross-project service-account attachments keep working, so they are recorded on the
        project (and a VM that has an external IP anyway is flagged) but never remove an edge.
        An *effective* policy (read with ``getEffectivePolicy``) is stored on the project it
        was read for, so it is the nearest scope and wins over what ancestors set.
        """
        policies: dict[str, dict[str, dict[str, Any]]] = {}
        for name in sorted(self.assets.by_name):
            asset = self.assets.by_name[name]
            if not asset.get("org_policy"):
                continue
            node = self.hier_node(self.canon(asset["name"]))
            if node is None:
                continue
            for pol in asset["org_policy"]:
                policies.setdefault(node, {})[pol["constraint"]] = pol
        if not policies:
            return
        for node_id, data in list(self.graph.nodes()):
            chain = [node_id, *(data.get("ancestors") or [])]
            if data["kind"] in {"GCPProject", "GCPFolder", "GCPOrganization"}:
                summary = {}
                for c in WATCHED_CONSTRAINTS:
                    got = self._effective(policies, chain, c)
                    if got and got[0] is not None:
                        summary[c] = {**got[0], "set_at": got[1]}
                if summary:
                    self.graph.set_prop(node_id, "org_policies", summary)
            elif data["kind"] == "GCPBucket" and data.get("public_access_prevention") != "enforced":
                got = self._effective(policies, chain, "storage.publicAccessPrevention")
                if got and got[0] is not None and got[0].get("enforced"):
                    # The organisation policy overrides what the bucket's own settings
                    # exposed: the public grants go (None removes a property).
                    self.graph.update_props(
                        node_id,
                        public_access_prevention="enforced",
                        public_access_prevention_source=(
                            f"organisation policy storage.publicAccessPrevention at {got[1]}"
                            + (f" ({got[0]['source']})" if got[0].get("source") else "")
                        ),
                        public_read=None,
                        public_read_grant=None,
                        public_write=None,
                        public_write_grant=None,
                    )
            elif data["kind"] == "GCPInstance" and data.get("public_ip"):
                got = self._effective(policies, chain, "compute.vmExternalIpAccess")
                if got and got[0] is not None:
                    lst = got[0].get("list", {})
                    if lst.get("all_values") == "DENY" or (
                        "allowed_values" in lst
                        and not any(node_id.endswith(v) for v in lst["allowed_values"])
                    ):
                        self.graph.set_prop(
                            node_id,
                            "org_policy_violation",
                            f"external IP although compute.vmExternalIpAccess at {got[1]} "
                            "forbids it (the constraint only stops new ones)",
                        )

    def _protected_by(self) -> None:
        """GCP targeting: a rule applies to an instance on its network when it names none of
        the instance's targets (all instances), one of its tags, or its service account."""
        by_network: dict[str, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
        for fw, common in self.firewalls:
            if not common["disabled"]:
                by_network[common["network"]].append((fw, common))
        for comp in self.computes:
            for net in sorted(comp.networks):
                for fw, common in by_network.get(net, []):
                    tags = set(common["target_tags"] or [])
                    sas = set(common["target_service_accounts"] or [])
                    if not tags and not sas:
                        match = "all instances in the network"
                    elif tags & comp.tags:
                        match = f"target tag {sorted(tags & comp.tags)[0]}"
                    elif sas & comp.service_accounts:
                        match = f"target service account {sorted(sas & comp.service_accounts)[0]}"
                    else:
                        continue
                    self.edge(comp.node_id, fw, "PROTECTED_BY", layer="vpc", match=match)

    def finish(self) -> None:
        unmodelled(self)
        for atype, count in sorted(self.policy_only.items()):
            self.ctx.warn(
                f"gcp: {count} {atype} IAM policies without their resource record (resource "
                "listing not collected or denied); their bindings are ignored"
            )
        self.finish_passes()
        super().finish()


def proto_ports(entry: dict[str, Any]) -> tuple[str, list[str]]:
    proto = str(entry.get("IPProtocol") or entry.get("ipProtocol") or "all").lower()
    if proto == "all":
        proto = "*"
    ports = [str(p) for p in entry.get("ports") or []] or ["*"]
    return proto, ports


# Former private names, for code written before they became public (branches in flight).
_location = location_of
_gs_buckets = gs_buckets
_proto_ports = proto_ports
