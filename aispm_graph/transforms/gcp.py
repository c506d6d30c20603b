"""The ``gcp`` source: Cloud Asset Inventory records into GCP nodes and structural edges.

Live collection and ``gcloud asset export`` imports produce the same asset records
(:mod:`aispm_graph.providers.gcp.assets`). A resource's RESOURCE and IAM_POLICY records arrive
separately and are merged by asset name. This transform writes what the records *say*:

* nodes with full resource names as ids (project numbers rewritten to project ids, so that
  ``projects/123/locations/...`` and ``projects/acme/...`` are one resource), the resource
  hierarchy (``CONTAINS``) and each node's ``ancestors`` and ``iam_bindings`` for the IAM
  deriver (:mod:`aispm_graph.derive.gcp_iam`);
* firewalls in the neutral vocabulary of :mod:`aispm_graph.derive.exposure` with the
  ``PROTECTED_BY`` edges GCP's targeting implies (network, target tags, target service
  accounts, or every instance of the network), and ``public_ip`` from an access config or an
  external passthrough forwarding rule;
* compute → service account (``HAS_IDENTITY``), Vertex endpoint → deployed models (``SERVES``),
  model artifacts, dataset / pipeline / index data lineage with ``data_role`` on the buckets;
* Vertex posture facts as node properties (PSC, Workbench public IP and root access, CMK);
* group membership (the collector's Cloud Identity document) as ``MEMBER_OF`` edges, see
  :mod:`aispm_graph.transforms.gcp_groups`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from aispm_graph.build import BuildContext, transform
from aispm_graph.graph.model import Confidence, Graph
from aispm_graph.providers.gcp.assets import WATCHED_CONSTRAINTS, AssetRecordError, normalize
from aispm_graph.providers.gcp.names import bucket_id, sa_id
from aispm_graph.transforms.gcp_groups import is_groups_document, link_members, read_groups
from aispm_graph.workspace import Document

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


def _location(name: str) -> str | None:
    m = re.search(r"/(?:locations|zones|regions)/([^/]+)", name)
    return m.group(1) if m else None


def _gs_buckets(obj: Any) -> set[str]:
    """Every bucket named by a gs:// URI anywhere in a nested structure."""
    found: set[str] = set()
    if isinstance(obj, str):
        found.update(m.group(1) for m in _GS.finditer(obj))
    elif isinstance(obj, dict):
        for v in obj.values():
            found |= _gs_buckets(v)
    elif isinstance(obj, list):
        for v in obj:
            found |= _gs_buckets(v)
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


class GcpBuilder:
    """One pass over merged assets; handlers are keyed by asset type."""

    def __init__(self, assets: Assets, graph: Graph, ctx: BuildContext) -> None:
        self.assets = assets
        self.graph = graph
        self.ctx = ctx
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

    # -- names ----------------------------------------------------------------------------
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
        if not self.graph.has_node(node_id):
            self.graph.add_node(node_id, "GCPProject", pid, tenant=pid, collected=False)
        return node_id

    def _hier_node(self, ref: str) -> str | None:
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
        if not self.graph.has_node(node_id):
            self.graph.add_node(node_id, label, ref, collected=False)
        return node_id

    def ancestors(self, asset: dict[str, Any]) -> list[str]:
        """Ancestor scopes, nearest first: from ``ancestors``, else the parent chain."""
        out: list[str] = []
        for ref in asset.get("ancestors") or []:
            node = self._hier_node(ref)
            if node and node != self.node_id(asset):
                out.append(node)
        if out:
            return out
        parent = asset.get("resource", {}).get("parent") or ""
        start = self._hier_node(parent) if parent else None
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
        if not self.graph.has_node(node_id):
            self.graph.add_node(node_id, "GCPServiceAccount", email, email=email, collected=False)
        return node_id

    def bucket_node(self, name: str, role: str | None = None) -> str:
        node_id = bucket_id(name)
        if not self.graph.has_node(node_id):
            self.graph.add_node(node_id, "GCPBucket", name, collected=False)
        if role:
            data = self.graph.node(node_id)
            roles = list(data.get("data_role") or [])
            if role not in roles:
                data["data_role"] = [*roles, role]
        return node_id

    # -- common -------------------------------------------------------------------------------
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
            region=props.pop("region", None) or _location(asset["name"]),
            tenant=props.pop("tenant", None) or tenant,
            tags=labels or None,
            asset_type=asset["asset_type"],
            ancestors=anc,
            iam_bindings=policy["bindings"] if policy else None,
            collected=True,
            **props,
        )
        if anc:
            self.graph.add_edge(anc[0], node_id, "CONTAINS")
        return node_id

    def _safe(self, handler: Handler, asset: dict[str, Any]) -> None:
        """Run one handler; a record of an unexpected shape is named and skipped."""
        try:
            handler(self, asset)
        except (KeyError, TypeError, ValueError, AttributeError, RecursionError) as exc:
            self.ctx.warn(
                f"gcp: {asset['name']}: unusable {asset.get('asset_type')} record ({exc!r}); "
                "skipped"
            )

    def run(self) -> None:
        crm = "cloudresourcemanager.googleapis.com/"
        # The hierarchy first, so ancestors of everything else resolve.
        phases: list[tuple[tuple[str, ...], Handler]] = [
            ((f"{crm}Organization",), GcpBuilder._org),
            ((f"{crm}Folder",), GcpBuilder._folder_parent),
            ((f"{crm}Project",), GcpBuilder._project_parent),
            ((f"{crm}Folder",), GcpBuilder._folder),
            ((f"{crm}Project",), GcpBuilder._project),
            (("iam.googleapis.com/ServiceAccount",), GcpBuilder._service_account),
            (
                (
                    "aiplatform.googleapis.com/NotebookRuntimeTemplate",
                    "compute.googleapis.com/TargetInstance",
                    "compute.googleapis.com/TargetPool",
                ),
                GcpBuilder._lookup_only,
            ),
        ]
        for types, handler in phases:
            for asset in self.assets.of_type(*types):
                self._safe(handler, asset)
        for asset in self.assets.of_type("iam.googleapis.com/ServiceAccount"):
            if "resource" not in asset and "iam_policy" in asset:
                self._safe(GcpBuilder._sa_policy_only, asset)
        # Late handlers link to nodes other handlers create (forwarding rule -> instance,
        # Workbench -> its VM, pipeline -> dataset, index endpoint -> index).
        for late in (False, True):
            for name in sorted(self.assets.by_name):
                asset = self.assets.by_name[name]
                atype = asset.get("asset_type", "")
                by_type = HANDLERS.get(atype)
                if by_type is None or (atype in LATE) != late:
                    continue
                if "resource" not in asset and atype not in POLICY_ONLY_OK:
                    self.policy_only[atype] += 1
                    continue
                self._safe(by_type, asset)
        for atype, count in sorted(self.policy_only.items()):
            self.ctx.warn(
                f"gcp: {count} {atype} IAM policies without their resource record (resource "
                "listing not collected or denied); their bindings are ignored"
            )
        self._finish()

    # -- hierarchy ----------------------------------------------------------------------------
    def _org(self, asset: dict[str, Any]) -> None:
        data = asset.get("resource", {}).get("data", {})
        self.add(
            asset,
            "GCPOrganization",
            str(data.get("displayName") or asset["name"].rsplit("/", 1)[-1]),
        )

    def _folder_parent(self, asset: dict[str, Any]) -> None:
        data = asset.get("resource", {}).get("data", {})
        parent = asset.get("resource", {}).get("parent") or data.get("parent") or ""
        if parent:
            node = self._hier_node(str(parent))
            if node:
                self.folder_parent[self.canon(asset["name"])] = node

    def _project_parent(self, asset: dict[str, Any]) -> None:
        data = asset.get("resource", {}).get("data", {})
        parent = asset.get("resource", {}).get("parent") or ""
        if not parent and isinstance(data.get("parent"), dict):
            p = data["parent"]
            parent = f"{p.get('type')}s/{p.get('id')}"
        elif not parent and isinstance(data.get("parent"), str):
            parent = data["parent"]
        if parent:
            node = self._hier_node(str(parent))
            if node:
                self.project_parent[self.node_id(asset)] = node

    def _folder(self, asset: dict[str, Any]) -> None:
        data = asset.get("resource", {}).get("data", {})
        self.add(
            asset, "GCPFolder", str(data.get("displayName") or asset["name"].rsplit("/", 1)[-1])
        )

    def _project(self, asset: dict[str, Any]) -> None:
        data = asset.get("resource", {}).get("data", {})
        node_id = self.node_id(asset)
        pid = node_id.rsplit("/", 1)[-1]
        self.add(
            asset,
            "GCPProject",
            pid,
            tenant=pid,
            project_number=str(data.get("projectNumber") or "") or None,
            lifecycle_state=data.get("lifecycleState") or data.get("state"),
        )

    def _lookup_only(self, asset: dict[str, Any]) -> None:
        data = asset.get("resource", {}).get("data", {})
        if asset["asset_type"].endswith("NotebookRuntimeTemplate"):
            self.templates[self.canon(asset["name"]).removeprefix(AIP)] = data
        elif asset["asset_type"].endswith("TargetInstance"):
            inst = data.get("instance")
            if inst:
                self.target_instances[compute_path(self.canon(asset["name"]))] = [
                    compute_path(str(inst))
                ]
        else:
            self.target_instances[compute_path(self.canon(asset["name"]))] = [
                compute_path(str(i)) for i in data.get("instances") or []
            ]

    # -- identity -----------------------------------------------------------------------------
    def _service_account(self, asset: dict[str, Any]) -> None:
        data = asset.get("resource", {}).get("data", {})
        email = data.get("email")
        if not email and "resource" in asset:
            self.ctx.warn(f"gcp: {asset['name']}: field 'resource.data.email' missing; skipped")
            return
        if not email:
            return  # an IAM policy without its resource: bindings attach once we know the SA
        node = self.add(
            asset,
            "GCPServiceAccount",
            str(email),
            email=email,
            disabled=bool(data.get("disabled", False)),
            unique_id=data.get("uniqueId"),
        )
        self.sa_by_email[str(email)] = node
        self.sa_by_asset[asset["name"]] = node

    def _sa_policy_only(self, asset: dict[str, Any]) -> None:
        """An SA's IAM_POLICY record whose RESOURCE record was not collected."""
        email = asset["name"].rsplit("/", 1)[-1]
        if "@" not in email:
            self.ctx.warn(
                f"gcp: {asset['name']}: IAM policy of an uncollected service account "
                "(unknown email); bindings ignored"
            )
            return
        node = self.sa_node(email)
        self.graph.node(node)["iam_bindings"] = asset["iam_policy"]["bindings"]
        self.graph.node(node)["ancestors"] = self.ancestors(asset)

    def _sa_key(self, asset: dict[str, Any]) -> None:
        data = asset.get("resource", {}).get("data", {})
        if str(data.get("keyType", "USER_MANAGED")) != "USER_MANAGED":
            return  # Google-managed keys never leave Google
        m = re.search(r"serviceAccounts/([^/]+)/keys/", str(data.get("name") or ""))
        sa_ref = m.group(1) if m else None
        sa_node = None
        if sa_ref and "@" in sa_ref:
            sa_node = self.sa_node(sa_ref)
        else:
            sa_node = self.sa_by_asset.get(asset["name"].split("/keys/")[0])
        if sa_node is None or not self.graph.has_node(sa_node):
            self.ctx.warn(f"gcp: {asset['name']}: key of an unknown service account; skipped")
            return
        key = self.add(
            asset,
            "GCPServiceAccountKey",
            asset["name"].rsplit("/", 1)[-1],
            status="Inactive" if data.get("disabled") else "Active",
            valid_after=data.get("validAfterTime"),
            valid_before=data.get("validBeforeTime"),
        )
        if not data.get("disabled"):
            self.graph.node(sa_node)["long_lived_credentials"] = True
            self.graph.add_edge(sa_node, key, "HAS_CREDENTIAL")
            self.graph.add_edge(
                key,
                sa_node,
                "AUTHENTICATES_AS",
                {"mechanism": "user-managed service account key"},
            )

    def _custom_role(self, asset: dict[str, Any]) -> None:
        data = asset.get("resource", {}).get("data", {})
        if data.get("deleted"):
            return
        name = str(data.get("name") or "")
        perms = data.get("includedPermissions") or []
        if name and isinstance(perms, list):
            self.custom_roles[name] = [str(p) for p in perms]

    # -- compute and network --------------------------------------------------------------
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
        self.graph.add_edge(node, sa, "HAS_IDENTITY", evidence, confidence)

    def _instance(self, asset: dict[str, Any]) -> None:
        data = asset["resource"]["data"]
        nics = [n for n in data.get("networkInterfaces") or [] if isinstance(n, dict)]
        public_ips: list[str] = []
        public_networks: set[str] = set()
        networks: set[str] = set()
        for nic in nics:
            net = compute_path(str(nic.get("network") or ""))
            networks.add(net)
            for ac in (nic.get("accessConfigs") or []) + (nic.get("ipv6AccessConfigs") or []):
                ip = ac.get("natIP") or ac.get("externalIpv6")
                if ip:
                    public_ips.append(str(ip))
                    public_networks.add(net)
        tags_obj = data.get("tags") or {}
        tags = [str(t) for t in (tags_obj.get("items") or tags_obj.get("tag") or [])]
        sas = [sa for sa in data.get("serviceAccounts") or [] if isinstance(sa, dict)]
        licenses = " ".join(
            str(lic) for d in data.get("disks") or [] for lic in d.get("licenses") or []
        )
        dlvm = "deeplearning-platform-release" in licenses
        node = self.add(
            asset,
            "GCPInstance",
            str(data.get("name") or asset["name"].rsplit("/", 1)[-1]),
            public_ip=public_ips[0] if public_ips else None,
            public_ips=public_ips or None,
            network_tags=tags,
            status=data.get("status"),
            service_accounts=[str(sa.get("email")) for sa in sas if sa.get("email")],
            deep_learning_image=dlvm or None,
            # Deep Learning VM images ship JupyterLab and ML frameworks: shadow AI by image.
            ai_libraries=["jupyter"] if dlvm else None,
            region=_location(asset["name"]),
        )
        self.computes.append(
            Compute(
                node,
                public_networks or networks,
                set(tags),
                {str(sa.get("email")) for sa in sas if sa.get("email")},
            )
        )
        for nic in nics:
            sub = nic.get("subnetwork")
            if sub:
                sub_id = COMPUTE + compute_path(str(sub))
                if self.graph.has_node(sub_id) or self._ensure(sub_id, "GCPSubnetwork"):
                    self.graph.add_edge(node, sub_id, "ATTACHED_TO")
        for sa in sas:
            self.identity(
                node,
                sa.get("email"),
                "attached service account (metadata server token)",
                scopes=[str(s) for s in sa.get("scopes") or []],
            )

    def _ensure(self, node_id: str, kind: str) -> bool:
        if not self.graph.has_node(node_id):
            self.graph.add_node(node_id, kind, node_id.rsplit("/", 1)[-1], collected=False)
        return True

    def _firewall(self, asset: dict[str, Any]) -> None:
        data = asset["resource"]["data"]
        entries = [("allow", e) for e in data.get("allowed") or []] + [
            ("deny", e) for e in data.get("denied") or []
        ]
        direction = (
            "inbound" if str(data.get("direction", "INGRESS")).upper() == "INGRESS" else "outbound"
        )
        sources = [str(s) for s in data.get("sourceRanges") or []]
        source_tags = [str(s) for s in data.get("sourceTags") or []]
        source_sas = [str(s) for s in data.get("sourceServiceAccounts") or []]
        if direction == "inbound" and not (sources or source_tags or source_sas):
            sources = ["0.0.0.0/0"]  # GCP's default source for an ingress rule
        sources = [GOOGLE_SOURCE_RANGES.get(src, src) for src in sources]
        common = {
            "direction": direction,
            "priority": int(data.get("priority", 1000)),
            "source_prefixes": sources,
            "source_tags": source_tags or None,
            "source_service_accounts": source_sas or None,
            "network": compute_path(str(data.get("network") or "")),
            "target_tags": [str(t) for t in data.get("targetTags") or []] or None,
            "target_service_accounts": [str(t) for t in data.get("targetServiceAccounts") or []]
            or None,
            "disabled": bool(data.get("disabled", False)),
            "log_enabled": bool((data.get("logConfig") or {}).get("enable", False)),
        }
        name = str(data.get("name") or asset["name"].rsplit("/", 1)[-1])
        if not entries:
            self.ctx.warn(
                f"gcp: {asset['name']}: firewall with no allowed/denied entry; kept inert"
            )
            entries = [("deny", {"IPProtocol": "none"})]
        first, *rest = [(access, *_proto_ports(e)) for access, e in entries]
        node = self.add(
            asset,
            "GCPFirewall",
            name,
            access=first[0],
            protocol=first[1],
            port_ranges=first[2],
            **common,
        )
        for i, (access, proto, ports) in enumerate(rest, 1):
            rule_id = f"{node}#{access}-{i}"
            self.graph.add_node(
                rule_id,
                "GCPFirewallRule",
                f"{name} #{i}",
                access=access,
                protocol=proto,
                port_ranges=ports,
                tenant=self.graph.node(node).get("tenant"),
                **common,
            )
            self.graph.add_edge(node, rule_id, "HAS_RULE")
        self.firewalls.append((node, common))

    def _network(self, asset: dict[str, Any]) -> None:
        data = asset["resource"]["data"]
        self.add(asset, "GCPNetwork", str(data.get("name") or asset["name"].rsplit("/", 1)[-1]))

    def _subnetwork(self, asset: dict[str, Any]) -> None:
        data = asset["resource"]["data"]
        node = self.add(
            asset,
            "GCPSubnetwork",
            str(data.get("name") or asset["name"].rsplit("/", 1)[-1]),
            ip_cidr_range=data.get("ipCidrRange"),
            private_google_access=data.get("privateIpGoogleAccess"),
        )
        net = data.get("network")
        if net:
            net_id = COMPUTE + compute_path(str(net))
            self._ensure(net_id, "GCPNetwork")
            self.graph.add_edge(node, net_id, "ATTACHED_TO")

    def _forwarding_rule(self, asset: dict[str, Any]) -> None:
        data = asset["resource"]["data"]
        scheme = str(data.get("loadBalancingScheme") or "EXTERNAL")
        node = self.add(
            asset,
            "GCPForwardingRule",
            str(data.get("name") or asset["name"].rsplit("/", 1)[-1]),
            ip_address=data.get("IPAddress"),
            load_balancing_scheme=scheme,
            ip_protocol=data.get("IPProtocol"),
            port_range=data.get("portRange"),
            ports=data.get("ports"),
        )
        if scheme != "EXTERNAL" or not data.get("target"):
            return  # proxy load balancers terminate traffic; their backends are not modelled
        for inst_path in self.target_instances.get(
            compute_path(self.canon(str(data["target"]))), []
        ):
            inst_id = COMPUTE + inst_path
            if not self.graph.has_node(inst_id):
                continue
            self.graph.add_edge(node, inst_id, "ROUTES_TO", {"scheme": scheme})
            inst = self.graph.node(inst_id)
            if not inst.get("public_ip") and data.get("IPAddress"):
                inst["public_ip"] = str(data["IPAddress"])
                inst["public_ip_via"] = self.graph.node(node)["name"]

    # -- data -----------------------------------------------------------------------------
    def _bucket(self, asset: dict[str, Any]) -> None:
        data = asset.get("resource", {}).get("data", {})
        name = str(data.get("name") or asset["name"].rsplit("/", 1)[-1])
        iam_conf = data.get("iamConfiguration") or {}
        pap = str(iam_conf.get("publicAccessPrevention") or "inherited")
        ubla = (iam_conf.get("uniformBucketLevelAccess") or {}).get("enabled")
        props: dict[str, Any] = {
            "public_access_prevention": pap,
            "uniform_access": ubla,
            "cmk": bool((data.get("encryption") or {}).get("defaultKmsKeyName")) if data else None,
            "region": str(data.get("location") or "").lower() or None,
        }
        if pap != "enforced" and not ubla:
            for acl_key, access in (("acl", "bucket"), ("defaultObjectAcl", "objects")):
                for entry in data.get(acl_key) or []:
                    entity = str(entry.get("entity") or "")
                    if entity in {"allUsers", "allAuthenticatedUsers"}:
                        role = str(entry.get("role") or "")
                        if access == "objects" and role in {"READER", "OWNER"}:
                            props["public_read"] = True
                            props["public_read_grant"] = f"default object ACL {role} for {entity}"
                        if access == "bucket" and role in {"WRITER", "OWNER"}:
                            props["public_write"] = True
                            props["public_write_grant"] = f"bucket ACL {role} for {entity}"
        node_id = bucket_id(name)
        existing = self.graph.node(node_id) if self.graph.has_node(node_id) else None
        roles = list(existing.get("data_role") or []) if existing else []
        self.add(asset, "GCPBucket", name, **props)
        if roles:
            self.graph.node(node_id)["data_role"] = roles

    def _secret(self, asset: dict[str, Any]) -> None:
        data = asset.get("resource", {}).get("data", {})
        name = asset["name"].rsplit("/", 1)[-1]
        hay = " ".join(
            [
                name,
                *map(str, (data.get("labels") or {}).keys()),
                *map(str, (data.get("labels") or {}).values()),
            ]
        ).lower()
        self.add(asset, "GCPSecret", name, ai_key=any(h in hay for h in AI_KEY_HINTS) or None)

    # -- serverless and containers ----------------------------------------------------------
    def _run_service(self, asset: dict[str, Any]) -> None:
        data = asset.get("resource", {}).get("data", {})
        meta = data.get("metadata") or {}
        annotations = meta.get("annotations") or {}
        ingress = data.get("ingress") or annotations.get("run.googleapis.com/ingress") or "all"
        ingress_all = str(ingress).lower() in {"all", "ingress_traffic_all"}
        tmpl = data.get("template") or {}
        k_spec = ((data.get("spec") or {}).get("template") or {}).get("spec") or {}
        sa = tmpl.get("serviceAccount") or k_spec.get("serviceAccountName")
        containers = tmpl.get("containers") or k_spec.get("containers") or []
        images = [str(c.get("image")) for c in containers if isinstance(c, dict) and c.get("image")]
        env_names = sorted(
            str(e.get("name"))
            for c in containers
            if isinstance(c, dict)
            for e in c.get("env") or []
            if isinstance(e, dict) and e.get("name")
        )
        node = self.add(
            asset,
            "GCPCloudRunService",
            str(meta.get("name") or asset["name"].rsplit("/", 1)[-1]),
            ingress=str(ingress),
            ingress_all=ingress_all,
            invoker_iam_disabled=bool(
                data.get("invokerIamDisabled")
                or str(annotations.get("run.googleapis.com/invoker-iam-disabled", "")).lower()
                == "true"
            ),
            url=data.get("uri") or (data.get("status") or {}).get("url"),
            images=images or None,
            env_var_names=env_names or None,
        )
        self.identity(node, sa or self._default_compute_sa(node), "Cloud Run service identity")

    def _function(self, asset: dict[str, Any]) -> None:
        data = asset.get("resource", {}).get("data", {})
        svc = data.get("serviceConfig") or {}
        ingress = svc.get("ingressSettings") or data.get("ingressSettings") or "ALLOW_ALL"
        sa = svc.get("serviceAccountEmail") or data.get("serviceAccountEmail")
        env = svc.get("environmentVariables") or data.get("environmentVariables") or {}
        node = self.add(
            asset,
            "GCPCloudFunction",
            asset["name"].rsplit("/", 1)[-1],
            ingress=str(ingress),
            ingress_all=str(ingress).upper() == "ALLOW_ALL",
            generation="2" if asset["asset_type"].endswith("/Function") and svc else "1",
            url=svc.get("uri") or (data.get("httpsTrigger") or {}).get("url") or data.get("url"),
            http_trigger=bool(svc or data.get("httpsTrigger")),
            env_var_names=sorted(env) if isinstance(env, dict) and env else None,
        )
        self.identity(
            node, sa or self._default_appengine_sa(node), "Cloud Functions runtime service account"
        )

    def _default_compute_sa(self, node: str) -> str | None:
        tenant = self.graph.node(node).get("tenant")
        number = next((n for n, p in self.assets.project_of_number.items() if p == tenant), None)
        return f"{number}-compute@developer.gserviceaccount.com" if number else None

    def _default_appengine_sa(self, node: str) -> str | None:
        tenant = self.graph.node(node).get("tenant")
        return f"{tenant}@appspot.gserviceaccount.com" if tenant else None

    def _gke(self, asset: dict[str, Any]) -> None:
        data = asset["resource"]["data"]
        private = data.get("privateClusterConfig") or {}
        man = data.get("masterAuthorizedNetworksConfig") or {}
        wi = bool((data.get("workloadIdentityConfig") or {}).get("workloadPool"))
        node = self.add(
            asset,
            "GKECluster",
            str(data.get("name") or asset["name"].rsplit("/", 1)[-1]),
            endpoint_public_access=not bool(private.get("enablePrivateEndpoint")),
            master_authorized_networks=[
                str(c.get("cidrBlock")) for c in man.get("cidrBlocks") or []
            ]
            if man.get("enabled")
            else None,
            workload_identity=wi,
        )
        if wi:
            return  # pods get their own identities, not the node service account
        emails = {(data.get("nodeConfig") or {}).get("serviceAccount")}
        emails |= {
            (p.get("config") or {}).get("serviceAccount") for p in data.get("nodePools") or []
        }
        for email in sorted(e for e in emails if e and e != "default"):
            self.identity(node, email, "node service account (pods reach the metadata server)")

    # -- Vertex AI ----------------------------------------------------------------------------
    def _aip_ref(self, ref: str) -> str:
        """Node id of a Vertex resource referenced as 'projects/p/locations/l/models/m@v'."""
        ref = ref.split("@", 1)[0]
        return AIP + self.canon(ref).removeprefix(AIP)

    def _endpoint(self, asset: dict[str, Any]) -> None:
        data = asset["resource"]["data"]
        psc = bool(
            (data.get("privateServiceConnectConfig") or {}).get("enablePrivateServiceConnect")
        )
        node = self.add(
            asset,
            "VertexAIEndpoint",
            str(data.get("displayName") or asset["name"].rsplit("/", 1)[-1]),
            private_service_connect=psc,
            private_network=data.get("network") or None,
            public_endpoint=not psc and not data.get("network"),
            dedicated_endpoint=data.get("dedicatedEndpointEnabled"),
            cmk=bool((data.get("encryptionSpec") or {}).get("kmsKeyName")),
        )
        for dm in data.get("deployedModels") or []:
            ref = dm.get("model")
            if not ref:
                continue
            model = self._aip_ref(str(ref))
            if not self.graph.has_node(model):
                self.graph.add_node(
                    model,
                    "VertexAIModel",
                    str(dm.get("displayName") or model.rsplit("/", 1)[-1]),
                    tenant=self.graph.node(node).get("tenant"),
                    collected=False,
                )
            self.graph.add_edge(
                node,
                model,
                "SERVES",
                {"deployed_model_id": dm.get("id"), "service_account": dm.get("serviceAccount")},
            )

    def _model(self, asset: dict[str, Any]) -> None:
        data = asset["resource"]["data"]
        artifact = data.get("artifactUri")
        node = self.add(
            asset,
            "VertexAIModel",
            str(data.get("displayName") or asset["name"].rsplit("/", 1)[-1]),
            artifact=artifact,
            model_name=data.get("displayName"),
            model_version=data.get("versionId"),
            container_image=(data.get("containerSpec") or {}).get("imageUri"),
            cmk=bool((data.get("encryptionSpec") or {}).get("kmsKeyName")),
            training_pipeline=data.get("trainingPipeline"),
        )
        for bucket in sorted(_gs_buckets(artifact)):
            b = self.bucket_node(bucket, "model-artifact")
            self.graph.add_edge(b, node, "STORES_ARTIFACT", {"uri": artifact})
        if data.get("trainingPipeline"):
            self.pipeline_buckets[node].add(self._aip_ref(str(data["trainingPipeline"])))

    def _dataset(self, asset: dict[str, Any]) -> None:
        data = asset["resource"]["data"]
        node = self.add(
            asset,
            "VertexAIDataset",
            str(data.get("displayName") or asset["name"].rsplit("/", 1)[-1]),
            cmk=bool((data.get("encryptionSpec") or {}).get("kmsKeyName")),
            metadata_schema=data.get("metadataSchemaUri"),
        )
        for bucket in sorted(_gs_buckets(data.get("metadata"))):
            b = self.bucket_node(bucket, "training")
            self.graph.add_edge(node, b, "DATA_FROM", {"role": "training"})

    def _pipeline(self, asset: dict[str, Any]) -> None:
        data = asset["resource"]["data"]
        node = self.add(
            asset,
            "VertexAITrainingPipeline",
            str(data.get("displayName") or asset["name"].rsplit("/", 1)[-1]),
            service_account=data.get("serviceAccount"),
            state=data.get("state"),
            cmk=bool((data.get("encryptionSpec") or {}).get("kmsKeyName")),
        )
        inputs = data.get("inputDataConfig") or {}
        dataset_id = inputs.get("datasetId")
        if dataset_id:
            loc = _location(node) or "-"
            proj = self.graph.node(node).get("tenant") or "-"
            ds = f"{AIP}projects/{proj}/locations/{loc}/datasets/{dataset_id}"
            if self.graph.has_node(ds):
                self.graph.add_edge(node, ds, "DATA_FROM", {"role": "training"})
        out = data.get("modelToUpload") or {}
        artifact_buckets = _gs_buckets(out.get("artifactUri"))
        for bucket in sorted(artifact_buckets):
            self.bucket_node(bucket, "model-artifact")
        rest = {k: v for k, v in data.items() if k not in {"modelToUpload"}}
        for bucket in sorted(_gs_buckets(rest) - artifact_buckets):
            b = self.bucket_node(bucket, "training")
            self.graph.add_edge(node, b, "DATA_FROM", {"role": "training"})

    def _notebook_runtime(self, asset: dict[str, Any]) -> None:
        data = asset["resource"]["data"]
        tref = (data.get("notebookRuntimeTemplateRef") or {}).get("notebookRuntimeTemplate")
        template = self.templates.get(self.canon(str(tref or ""))) or {}
        net = template.get("networkSpec") or data.get("networkSpec") or {}
        euc_disabled = (template.get("eucConfig") or data.get("eucConfig") or {}).get("eucDisabled")
        sa = data.get("serviceAccount") or template.get("serviceAccount")
        node = self.add(
            asset,
            "VertexAINotebookRuntime",
            str(data.get("displayName") or asset["name"].rsplit("/", 1)[-1]),
            runtime_user=data.get("runtimeUser"),
            internet_access=net.get("enableInternetAccess"),
            template=tref,
            notebook_type="colab-enterprise",
            ai_libraries=["jupyter"],
        )
        if sa:
            self.identity(node, sa, "runtime service account (metadata server token)")
        elif data.get("runtimeUser") and not euc_disabled:
            user = f"user:{data['runtimeUser']}"
            if not self.graph.has_node(user):
                self.graph.add_node(user, "GCPUser", str(data["runtimeUser"]))
            self.graph.add_edge(
                node,
                user,
                "HAS_IDENTITY",
                {
                    "mechanism": "end-user credentials of the runtime user",
                    "fix": f"Limit who may connect to {self.graph.node(node)['name']}",
                },
            )

    def _workbench(self, asset: dict[str, Any]) -> None:
        data = asset["resource"]["data"]
        gce = data.get("gceSetup") or {}
        meta = gce.get("metadata") or data.get("metadata") or {}
        if isinstance(meta.get("items"), list):
            meta = {i.get("key"): i.get("value") for i in meta["items"] if isinstance(i, dict)}
        root = str(meta.get("notebook-disable-root", "false")).lower() != "true"
        no_public = gce.get("disablePublicIp", data.get("noPublicIp", False))
        sas = [s.get("email") for s in gce.get("serviceAccounts") or [] if isinstance(s, dict)]
        sa = next((s for s in sas if s), None) or data.get("serviceAccount")
        nics = gce.get("networkInterfaces") or [{"network": data.get("network")}]
        tags = gce.get("tags") or data.get("tags") or []
        name = asset["name"].rsplit("/", 1)[-1]
        node = self.add(
            asset,
            "VertexAINotebookRuntime",
            name,
            root_access=root,
            public_ip_enabled=not bool(no_public),
            proxy_access=not bool(data.get("disableProxyAccess") or data.get("noProxyAccess")),
            notebook_type="workbench",
            ai_libraries=["jupyter"],
            state=data.get("state"),
        )
        zone = _location(asset["name"]) or "-"
        proj = self.graph.node(node).get("tenant") or "-"
        vm = f"{COMPUTE}projects/{proj}/zones/{zone}/instances/{name}"
        if self.graph.has_node(vm) and self.graph.node(vm)["kind"] == "GCPInstance":
            # The backing VM carries the network exposure; link rather than duplicate it.
            self.graph.add_edge(node, vm, "RUNS_ON")
        else:
            if not no_public:
                self.graph.node(node)["public_ip"] = "ephemeral"
                self.graph.node(node)["public_ip_source"] = "gceSetup.disablePublicIp is false"
            self.computes.append(
                Compute(
                    node,
                    {
                        compute_path(str(n.get("network") or ""))
                        for n in nics
                        if isinstance(n, dict)
                    },
                    {str(t) for t in tags},
                    {str(sa)} if sa else set(),
                )
            )
        if sa:
            self.identity(node, sa, "Workbench instance service account (metadata server token)")

    def _reasoning_engine(self, asset: dict[str, Any]) -> None:
        data = asset["resource"]["data"]
        spec = data.get("spec") or {}
        node = self.add(
            asset,
            "VertexAIReasoningEngine",
            str(data.get("displayName") or asset["name"].rsplit("/", 1)[-1]),
            service_account=spec.get("serviceAccount"),
            agent_framework=spec.get("agentFramework"),
        )
        for bucket in sorted(_gs_buckets(spec.get("packageSpec"))):
            b = self.bucket_node(bucket, "model-artifact")
            self.graph.add_edge(b, node, "STORES_ARTIFACT", {"what": "agent package"})

    def _index(self, asset: dict[str, Any]) -> None:
        data = asset["resource"]["data"]
        node = self.add(
            asset,
            "VertexAIIndex",
            str(data.get("displayName") or asset["name"].rsplit("/", 1)[-1]),
            data_role=["grounding"],
            cmk=bool((data.get("encryptionSpec") or {}).get("kmsKeyName")),
        )
        for bucket in sorted(_gs_buckets(data.get("metadata"))):
            b = self.bucket_node(bucket, "grounding")
            self.graph.add_edge(node, b, "DATA_FROM", {"role": "grounding"})

    def _index_endpoint(self, asset: dict[str, Any]) -> None:
        data = asset["resource"]["data"]
        node = self.add(
            asset,
            "VertexAIIndexEndpoint",
            str(data.get("displayName") or asset["name"].rsplit("/", 1)[-1]),
            public_endpoint_enabled=bool(data.get("publicEndpointEnabled")),
            private_service_connect=bool(
                (data.get("privateServiceConnectConfig") or {}).get("enablePrivateServiceConnect")
            ),
        )
        for di in data.get("deployedIndexes") or []:
            if di.get("index"):
                idx = self._aip_ref(str(di["index"]))
                if self.graph.has_node(idx):
                    self.graph.add_edge(node, idx, "SERVES", {"deployed_index_id": di.get("id")})

    def _feature_store(self, asset: dict[str, Any]) -> None:
        data = asset["resource"]["data"]
        serving = data.get("dedicatedServingEndpoint") or {}
        self.add(
            asset,
            "VertexAIFeatureOnlineStore",
            asset["name"].rsplit("/", 1)[-1],
            private_service_connect=bool(
                (serving.get("privateServiceConnectConfig") or {}).get(
                    "enablePrivateServiceConnect"
                )
            ),
            cmk=bool((data.get("encryptionSpec") or {}).get("kmsKeyName")),
        )

    def _data_store(self, asset: dict[str, Any]) -> None:
        data = asset.get("resource", {}).get("data", {})
        self.add(
            asset,
            "DiscoveryEngineDataStore",
            str(data.get("displayName") or asset["name"].rsplit("/", 1)[-1]),
            data_role=["grounding"],
            industry_vertical=data.get("industryVertical"),
            content_config=data.get("contentConfig"),
        )

    def _engine(self, asset: dict[str, Any]) -> None:
        data = asset["resource"]["data"]
        node = self.add(
            asset,
            "DiscoveryEngineApp",
            str(data.get("displayName") or asset["name"].rsplit("/", 1)[-1]),
            solution_type=data.get("solutionType"),
        )
        collection = self.canon(asset["name"]).split("/engines/")[0]
        for ds_id in data.get("dataStoreIds") or []:
            store = f"{collection}/dataStores/{ds_id}"
            if self.graph.has_node(store):
                self.graph.add_edge(
                    node,
                    store,
                    "GROUNDED_ON",
                    {
                        "mechanism": "Agent Builder app data store",
                        "fix": f"Limit what {self.graph.node(node)['name']} may retrieve from "
                        f"{self.graph.node(store)['name']} or who may query it",
                    },
                )

    # -- whole-source passes ------------------------------------------------------------------
    def _finish(self) -> None:
        self._protected_by()
        self._org_policies()
        for model, pipelines in self.pipeline_buckets.items():
            for pipeline in pipelines:
                if not self.graph.has_node(pipeline):
                    continue
                for _s, store, key in self.graph.g.out_edges(pipeline, keys=True):
                    if key == "DATA_FROM" and self.graph.node(store)["kind"] == "GCPBucket":
                        self.graph.add_edge(model, store, "TRAINED_ON", {"via": pipeline})
        if self.custom_roles:
            for role, perms in self.custom_roles.items():
                scope = role.split("/roles/")[0]
                holder = self._hier_node(scope)
                if holder:
                    roles = dict(self.graph.node(holder).get("custom_roles") or {})
                    roles[role] = perms
                    self.graph.node(holder)["custom_roles"] = roles

    # -- organisation policies ------------------------------------------------------------------
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
            node = self._hier_node(self.canon(asset["name"]))
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
                    data["org_policies"] = summary
            elif data["kind"] == "GCPBucket" and data.get("public_access_prevention") != "enforced":
                got = self._effective(policies, chain, "storage.publicAccessPrevention")
                if got and got[0] is not None and got[0].get("enforced"):
                    data["public_access_prevention"] = "enforced"
                    data["public_access_prevention_source"] = (
                        f"organisation policy storage.publicAccessPrevention at {got[1]}"
                        + (f" ({got[0]['source']})" if got[0].get("source") else "")
                    )
                    for key in ("public_read", "public_read_grant", "public_write"):
                        data.pop(key, None)
                    data.pop("public_write_grant", None)
            elif data["kind"] == "GCPInstance" and data.get("public_ip"):
                got = self._effective(policies, chain, "compute.vmExternalIpAccess")
                if got and got[0] is not None:
                    lst = got[0].get("list", {})
                    if lst.get("all_values") == "DENY" or (
                        "allowed_values" in lst
                        and not any(node_id.endswith(v) for v in lst["allowed_values"])
                    ):
                        data["org_policy_violation"] = (
                            f"external IP although compute.vmExternalIpAccess at {got[1]} "
                            "forbids it (the constraint only stops new ones)"
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
                    self.graph.add_edge(
                        comp.node_id, fw, "PROTECTED_BY", {"layer": "vpc", "match": match}
                    )


def _proto_ports(entry: dict[str, Any]) -> tuple[str, list[str]]:
    proto = str(entry.get("IPProtocol") or entry.get("ipProtocol") or "all").lower()
    if proto == "all":
        proto = "*"
    ports = [str(p) for p in entry.get("ports") or []] or ["*"]
    return proto, ports


LATE = frozenset(
    {
        "compute.googleapis.com/ForwardingRule",
        "compute.googleapis.com/GlobalForwardingRule",
        "notebooks.googleapis.com/Instance",
        "aiplatform.googleapis.com/TrainingPipeline",
        "aiplatform.googleapis.com/PipelineJob",
        "aiplatform.googleapis.com/IndexEndpoint",
        "aiplatform.googleapis.com/Endpoint",
        "discoveryengine.googleapis.com/Engine",
    }
)
# Kinds whose IAM policy matters even when the resource record is missing.
POLICY_ONLY_OK = frozenset(
    {
        "storage.googleapis.com/Bucket",
        "secretmanager.googleapis.com/Secret",
        "run.googleapis.com/Service",
        "cloudfunctions.googleapis.com/CloudFunction",
        "cloudfunctions.googleapis.com/Function",
        "discoveryengine.googleapis.com/DataStore",
    }
)

Handler = Callable[[GcpBuilder, dict[str, Any]], None]

HANDLERS: dict[str, Handler] = {
    "iam.googleapis.com/ServiceAccountKey": GcpBuilder._sa_key,
    "iam.googleapis.com/Role": GcpBuilder._custom_role,
    "compute.googleapis.com/Instance": GcpBuilder._instance,
    "compute.googleapis.com/Firewall": GcpBuilder._firewall,
    "compute.googleapis.com/Network": GcpBuilder._network,
    "compute.googleapis.com/Subnetwork": GcpBuilder._subnetwork,
    "compute.googleapis.com/ForwardingRule": GcpBuilder._forwarding_rule,
    "compute.googleapis.com/GlobalForwardingRule": GcpBuilder._forwarding_rule,
    "storage.googleapis.com/Bucket": GcpBuilder._bucket,
    "secretmanager.googleapis.com/Secret": GcpBuilder._secret,
    "run.googleapis.com/Service": GcpBuilder._run_service,
    "cloudfunctions.googleapis.com/CloudFunction": GcpBuilder._function,
    "cloudfunctions.googleapis.com/Function": GcpBuilder._function,
    "container.googleapis.com/Cluster": GcpBuilder._gke,
    "aiplatform.googleapis.com/Endpoint": GcpBuilder._endpoint,
    "aiplatform.googleapis.com/Model": GcpBuilder._model,
    "aiplatform.googleapis.com/Dataset": GcpBuilder._dataset,
    "aiplatform.googleapis.com/TrainingPipeline": GcpBuilder._pipeline,
    "aiplatform.googleapis.com/PipelineJob": GcpBuilder._pipeline,
    "aiplatform.googleapis.com/NotebookRuntime": GcpBuilder._notebook_runtime,
    "aiplatform.googleapis.com/ReasoningEngine": GcpBuilder._reasoning_engine,
    "aiplatform.googleapis.com/Index": GcpBuilder._index,
    "aiplatform.googleapis.com/IndexEndpoint": GcpBuilder._index_endpoint,
    "aiplatform.googleapis.com/FeatureOnlineStore": GcpBuilder._feature_store,
    "notebooks.googleapis.com/Instance": GcpBuilder._workbench,
    "discoveryengine.googleapis.com/DataStore": GcpBuilder._data_store,
    "discoveryengine.googleapis.com/Engine": GcpBuilder._engine,
}


@transform("gcp")
def transform_gcp(docs: list[Document], graph: Graph, ctx: BuildContext) -> None:
    group_docs = [d for d in docs if is_groups_document(d)]
    assets = merge_documents([d for d in docs if not is_groups_document(d)], ctx)
    builder = GcpBuilder(assets, graph, ctx)
    builder.run()
    if group_docs:
        bound = (
            str(member)
            for asset in assets.by_name.values()
            for binding in (asset.get("iam_policy") or {}).get("bindings") or []
            for member in binding.get("members") or []
        )
        link_members(graph, ctx, read_groups(group_docs, ctx), bound, builder.sa_node)
    ctx.stats["gcp_assets"] += len(assets.by_name)
