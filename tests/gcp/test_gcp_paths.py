"""GCP transform + IAM deriver + path engine on recorded CAI assets: the paths users see.

The demo listings hold each attack shape and a negative control with one link broken; the
variations below edit one record and check that exactly the expected edge appears or goes.
"""

from __future__ import annotations

import json
from typing import Any

from aispm_graph.analysis.engine import PathOptions, find_paths
from aispm_graph.graph.model import Graph
from tests.gcp.conftest import LOCAL_EXAMPLES, build, edges, find

P = "acme-vertex-prod"
SB = "acme-vertex-sandbox"
ZONE = f"//compute.googleapis.com/projects/{P}/zones/us-central1-a/instances"
FW = f"//compute.googleapis.com/projects/{P}/global/firewalls"
SA = f"//iam.googleapis.com/projects/{P}/serviceAccounts"
AIP = f"//aiplatform.googleapis.com/projects/{P}/locations/us-central1"
NB = f"{SA}/nb-runner@{P}.iam.gserviceaccount.com"
WB_SA = f"{SA}/wb-research@{P}.iam.gserviceaccount.com"
ADMIN_SA = f"{SA}/ml-admin@{P}.iam.gserviceaccount.com"
SANDBOX_SA = f"//iam.googleapis.com/projects/{SB}/serviceAccounts/sandbox-runner@{SB}"
SANDBOX_SA += ".iam.gserviceaccount.com"
EP = f"{AIP}/endpoints/4821937465012345678"
PSC_EP = f"{AIP}/endpoints/4821937465012349999"
MODEL = f"{AIP}/models/8213456789012345678"
AGENT = f"{AIP}/reasoningEngines/778899001122"
PROJECT = f"//cloudresourcemanager.googleapis.com/projects/{P}"
TRAIN = f"//storage.googleapis.com/projects/_/buckets/{P}-fraud-training"
FEATURES = f"//storage.googleapis.com/projects/_/buckets/{P}-fraud-features"
NOTEBOOKS = f"//notebooks.googleapis.com/projects/{P}/locations/us-central1-a/instances"
WORKBENCH = f"{NOTEBOOKS}/wb-research-01"

EXPECTED_ROUTES = {
    ("internet", TRAIN),
    ("internet", f"{ZONE}/jupyter-ds-01", NB, EP, MODEL),
    ("internet", f"{ZONE}/jupyter-ds-01", NB, PSC_EP),
    ("internet", f"{ZONE}/jupyter-ds-01", NB, AGENT),
    # Agents pass paths on: through the Agent Engine agent to what its service account reaches.
    (
        "internet",
        f"{ZONE}/jupyter-ds-01",
        NB,
        AGENT,
        f"{SA}/support-agent-sa@{P}.iam.gserviceaccount.com",
        f"//storage.googleapis.com/projects/_/buckets/{P}-models",
    ),
    ("internet", f"{ZONE}/wb-research-01", WB_SA, ADMIN_SA, PROJECT),
}


def routes(graph: Graph) -> dict[tuple[str, ...], Any]:
    return {tuple(n.id for n in p.nodes): p for p in find_paths(graph).paths}


def test_demo_paths_are_exactly_the_attack_shapes(demo_graph: tuple[Graph, Any]) -> None:
    graph, ctx = demo_graph
    found = routes(graph)
    assert set(found) == EXPECTED_ROUTES
    assert not [w for w in ctx.warnings if "skipped" in w]


def test_exposed_jupyter_to_vertex_endpoint_carries_evidence(demo_graph: tuple[Graph, Any]) -> None:
    graph, _ = demo_graph
    path = routes(graph)[("internet", f"{ZONE}/jupyter-ds-01", NB, EP, MODEL)]
    kinds = [e.kind for e in path.edges]
    assert kinds == ["INTERNET_EXPOSED", "HAS_IDENTITY", "CAN_INVOKE", "SERVES"]
    exposed, identity, invoke, _serves = (e.evidence for e in path.edges)
    assert exposed["ports"] == "tcp/8888"  # not tcp/22: the IAP range is Google's, not internet
    assert exposed["source_range"] == "0.0.0.0/0"
    assert exposed["rule"] == f"{FW}/allow-jupyter"
    assert "cloud-platform" in " ".join(identity["scopes"])
    assert invoke["permission"] == "aiplatform.endpoints.predict"
    assert invoke["grant"] == (
        f"roles/aiplatform.user for serviceAccount:nb-runner@{P}.iam.gserviceaccount.com on "
        f"project {P}"
    )
    assert invoke["fix"].startswith(
        f"Remove serviceAccount:nb-runner@{P}.iam.gserviceaccount.com from roles/aiplatform.user "
        f"on project {P}"
    )
    assert path.risk.level in {"critical", "high"}


def test_workbench_service_account_impersonates_admin(demo_graph: tuple[Graph, Any]) -> None:
    graph, _ = demo_graph
    path = routes(graph)[("internet", f"{ZONE}/wb-research-01", WB_SA, ADMIN_SA, PROJECT)]
    assume = path.edges[2]
    assert assume.kind == "CAN_ASSUME"
    assert assume.evidence["permission"] == "iam.serviceAccounts.getAccessToken"
    assert "roles/iam.serviceAccountTokenCreator" in assume.evidence["grant"]
    assert path.edges[3].kind == "CAN_ADMINISTER"
    assert path.edges[3].evidence["role"] == "roles/owner"
    # The Workbench instance runs on that VM, and its posture is on the node.
    assert (WORKBENCH, f"{ZONE}/wb-research-01") in edges(graph, "RUNS_ON")
    wb = graph.node(WORKBENCH)
    assert wb["root_access"] is True
    assert wb["public_ip_enabled"] is True
    assert (WORKBENCH, WB_SA) in edges(graph, "HAS_IDENTITY")


def test_public_training_bucket(demo_graph: tuple[Graph, Any]) -> None:
    graph, _ = demo_graph
    path = routes(graph)[("internet", TRAIN)]
    assert path.edges[0].kind == "PUBLIC_ACCESS"
    assert "allUsers" in path.edges[0].evidence["grant"]
    assert graph.node(TRAIN)["data_role"] == ["training"]
    dataset = f"{AIP}/datasets/3312345678901234567"
    assert (dataset, TRAIN) in edges(graph, "DATA_FROM")
    assert graph.node(f"//storage.googleapis.com/projects/_/buckets/{P}-models")["data_role"] == [
        "model-artifact"
    ]
    assert (f"//storage.googleapis.com/projects/_/buckets/{P}-models", MODEL) in edges(
        graph, "STORES_ARTIFACT"
    )


def test_negative_controls(demo_graph: tuple[Graph, Any]) -> None:
    graph, _ = demo_graph
    exposed = {t for _s, t in edges(graph, "INTERNET_EXPOSED")}
    # Higher-priority deny (900) on a tag jupyter-ds-02 carries beats the allow (1000).
    assert f"{ZONE}/jupyter-ds-02" not in exposed
    assert (f"{ZONE}/jupyter-ds-02", f"{FW}/deny-jupyter-locked") in edges(graph, "PROTECTED_BY")
    # jupyter-ds-03 lacks the target tag: the allow rule does not apply to it at all.
    assert f"{ZONE}/jupyter-ds-03" not in exposed
    assert (f"{ZONE}/jupyter-ds-03", f"{FW}/allow-jupyter") not in edges(graph, "PROTECTED_BY")
    # The sandbox account's aiplatform.user is on the sibling project: no reach into prod.
    assert (
        f"//compute.googleapis.com/projects/{SB}/zones/us-central1-a/instances/sandbox-nb-01"
        in exposed
    )
    assert not {(s, t) for s, t in edges(graph, "CAN_INVOKE") if s == SANDBOX_SA}
    # Same allUsers grant, but public access prevention is enforced.
    assert FEATURES not in {t for _s, t in edges(graph, "PUBLIC_ACCESS")}
    # allUsers may invoke chat-frontend, but its ingress admits internal traffic only.
    run = f"//run.googleapis.com/projects/{P}/locations/us-central1/services/chat-frontend"
    assert ("internet", run) not in edges(graph, "PUBLIC_ACCESS")
    # The other Workbench has no public IP: its impersonation grant has no internet entry.
    wb2 = f"{NOTEBOOKS}/wb-sandbox-01"
    assert wb2 not in exposed
    assert (f"{SA}/wb-sandbox@{P}.iam.gserviceaccount.com", ADMIN_SA) in edges(graph, "CAN_ASSUME")


def test_firewall_targeting_and_multi_protocol_rules(demo_graph: tuple[Graph, Any]) -> None:
    graph, _ = demo_graph
    protected = edges(graph, "PROTECTED_BY")
    ds01 = f"{ZONE}/jupyter-ds-01"
    assert {fw for c, fw in protected if c == ds01} == {
        f"{FW}/default-allow-internal",
        f"{FW}/allow-iap-ssh",
        f"{FW}/allow-jupyter",
    }
    internal = f"{FW}/default-allow-internal"
    rules = {t for s, t in edges(graph, "HAS_RULE") if s == internal}
    assert {graph.node(r)["protocol"] for r in rules} == {"udp", "icmp"}
    assert graph.node(internal)["protocol"] == "tcp"
    assert graph.node(f"{FW}/allow-iap-ssh")["source_prefixes"] == ["gcp:iap-tcp-forwarding"]


def test_admin_grant_implies_resources(demo_graph: tuple[Graph, Any]) -> None:
    graph, _ = demo_graph
    # ml-admin is owner of the project: one CAN_ADMINISTER edge, no per-resource duplicates.
    out = {(k, t) for s, t, d in graph.edges() if s == ADMIN_SA for k in [d["kind"]]}
    assert ("CAN_ADMINISTER", PROJECT) in out
    assert not {k for k, _t in out} & {"CAN_INVOKE", "CAN_READ", "CAN_UPDATE_CODE"}


def test_vertex_posture_properties(demo_graph: tuple[Graph, Any]) -> None:
    graph, _ = demo_graph
    assert graph.node(EP)["private_service_connect"] is False
    assert graph.node(EP)["public_endpoint"] is True
    assert graph.node(PSC_EP)["private_service_connect"] is True
    assert graph.node(f"{AIP}/datasets/3312345678901234567")["cmk"] is False
    assert graph.node(f"//storage.googleapis.com/projects/_/buckets/{P}-models")["cmk"] is True


# -- one-record variations ----------------------------------------------------------------------
def _exposed(graph: Graph) -> set[str]:
    return {t for _s, t in edges(graph, "INTERNET_EXPOSED")}


def test_equal_priority_deny_wins(records: list[dict[str, Any]]) -> None:
    find(records, "/firewalls/deny-jupyter-locked")["resource"]["data"]["priority"] = 1000
    graph, _ = build(records)
    assert f"{ZONE}/jupyter-ds-02" not in _exposed(graph)
    find(records, "/firewalls/deny-jupyter-locked")["resource"]["data"]["priority"] = 1001
    graph, _ = build(records)
    assert f"{ZONE}/jupyter-ds-02" in _exposed(graph)


def test_target_service_account_and_disabled_rules(records: list[dict[str, Any]]) -> None:
    fw = find(records, "/firewalls/allow-jupyter")["resource"]["data"]
    if "acme-vertex-prod" in fw["network"]:
        fw["targetTags"] = []
        fw["targetServiceAccounts"] = [f"nb-runner@{P}.iam.gserviceaccount.com"]
    graph, _ = build(records)
    exposed = _exposed(graph)
    assert {f"{ZONE}/jupyter-ds-01", f"{ZONE}/jupyter-ds-03"} <= exposed
    assert f"{ZONE}/wb-research-01" not in exposed  # runs as wb-research, not nb-runner
    fw["disabled"] = True
    graph, _ = build(records)
    assert f"{ZONE}/jupyter-ds-01" not in _exposed(graph)


def test_forwarding_rule_gives_a_private_vm_a_public_address(records: list[dict[str, Any]]) -> None:
    worker = f"projects/{P}/zones/us-central1-a/instances/worker-00"
    records.append(
        {
            "name": f"{ZONE.rsplit('/', 1)[0]}/targetInstances/ti-0",
            "asset_type": "compute.googleapis.com/TargetInstance",
            "resource": {
                "data": {
                    "name": "ti-0",
                    "instance": f"https://www.googleapis.com/compute/v1/{worker}",
                }
            },
        }
    )
    records.append(
        {
            "name": f"//compute.googleapis.com/projects/{P}/regions/us-central1/forwardingRules/f",
            "asset_type": "compute.googleapis.com/ForwardingRule",
            "resource": {
                "data": {
                    "name": "fr-0",
                    "IPAddress": "34.1.2.3",
                    "IPProtocol": "TCP",
                    "portRange": "8888-8888",
                    "loadBalancingScheme": "EXTERNAL",
                    "target": f"https://www.googleapis.com/compute/v1/projects/{P}/zones/us-central1-a/targetInstances/ti-0",
                }
            },
        }
    )
    fw = find(records, "/firewalls/allow-jupyter")["resource"]["data"]
    fw["targetTags"] = ["worker"] if P in fw["network"] else fw["targetTags"]
    graph, _ = build(records)
    node = f"//compute.googleapis.com/{worker}"
    assert graph.node(node)["public_ip"] == "34.1.2.3"
    assert node in _exposed(graph)


def test_conditional_binding_and_act_as(records: list[dict[str, Any]]) -> None:
    policy = find(records, "/projects/714523698012", "iam")["iam_policy"]
    for b in policy["bindings"]:
        if b["role"] == "roles/aiplatform.user":
            b["condition"] = {
                "title": "business-hours",
                "expression": "request.time.getHours() < 18",
            }
    policy["bindings"].append(
        {
            "role": "roles/iam.serviceAccountUser",
            "members": [f"serviceAccount:worker@{P}.iam.gserviceaccount.com"],
        }
    )
    graph, _ = build(records)
    invoke = graph.edge(NB, EP, "CAN_INVOKE")
    assert invoke is not None and invoke["confidence"] == "conditional"
    assert "business-hours" in invoke["evidence"]["grant"]
    # worker holds actAs on every account of the project but cannot create compute: inferred.
    act = graph.edge(f"{SA}/worker@{P}.iam.gserviceaccount.com", ADMIN_SA, "CAN_ASSUME")
    assert act is not None and act["confidence"] == "inferred"
    assert act["evidence"]["permission"] == "iam.serviceAccounts.actAs"


def test_org_binding_is_inherited_and_custom_role(records: list[dict[str, Any]]) -> None:
    org = find(records, "/organizations/411122223333", "iam")["iam_policy"]
    org["bindings"].append(
        {
            "role": "organizations/411122223333/roles/modelCaller",
            "members": ["user:contractor@partner.example"],
        }
    )
    records.append(
        {
            "name": "//iam.googleapis.com/organizations/411122223333/roles/modelCaller",
            "asset_type": "iam.googleapis.com/Role",
            "ancestors": ["organizations/411122223333"],
            "resource": {
                "data": {
                    "name": "organizations/411122223333/roles/modelCaller",
                    "includedPermissions": [
                        "aiplatform.endpoints.predict",
                        "aiplatform.endpoints.get",
                    ],
                }
            },
        }
    )
    graph, _ = build(records)
    edge = graph.edge("user:contractor@partner.example", EP, "CAN_INVOKE")
    assert edge is not None
    assert edge["evidence"]["scope"] == "organization acme.example"
    assert "inherited" in edge["evidence"]["fix"]


def test_public_cloud_run_needs_ingress_all(records: list[dict[str, Any]]) -> None:
    run = find(records, "/services/chat-frontend")["resource"]["data"]
    run["metadata"]["annotations"]["run.googleapis.com/ingress"] = "all"
    graph, _ = build(records)
    node = f"//run.googleapis.com/projects/{P}/locations/us-central1/services/chat-frontend"
    pub = graph.edge("internet", node, "PUBLIC_ACCESS")
    assert pub is not None and "allUsers" in pub["evidence"]["grant"]
    # ...and the public service runs as chat-backend, which reads the OpenAI key secret.
    secret = f"//secretmanager.googleapis.com/projects/{P}/secrets/openai-api-key"
    assert graph.node(secret)["ai_key"] is True
    found = routes(graph)
    assert ("internet", node, f"{SA}/chat-backend@{P}.iam.gserviceaccount.com", secret) in found


def test_policy_library_examples() -> None:
    records = []
    for name in (
        "cai_compute_firewalls.json",
        "cai_compute_instances.json",
        "cai_iam_service_accounts.json",
        "cai_storage_buckets_iam_allusers.json",
    ):
        records.extend(json.loads((LOCAL_EXAMPLES / name).read_text()))
    graph, ctx = build(records)
    assert not ctx.warnings
    inst = (
        "//compute.googleapis.com/projects/vpc-sc-pub-sub-billing-alerts/zones/us-central1-b/"
        "instances/valid-instance1"
    )
    assert graph.node(inst)["public_ip"] == "35.226.29.59"
    fw = "//compute.googleapis.com/projects/cf-gcp-challenge-dev/global/firewalls/"
    fw += "cf-test-fw-rule-tcp-all"
    assert {
        k: graph.node(fw)[k] for k in ("access", "protocol", "port_ranges", "source_prefixes")
    } == {
        "access": "allow",
        "protocol": "tcp",
        "port_ranges": ["*"],
        "source_prefixes": ["0.0.0.0/0"],
    }
    buckets = {n.rsplit("/", 1)[-1]: d for n, d in graph.nodes("GCPBucket")}
    assert buckets["my-second-test-bucket"]["public_write"] is True  # allAuthenticatedUsers owner
    assert not buckets["my-test-bucket"].get("public_read")  # legacyBucketReader lists only
    assert buckets["my-test-bucket"]["public_list"] is True
    assert not buckets["my-third-test-bucket"].get("public_list")
    assert (
        "internet",
        "//storage.googleapis.com/projects/_/buckets/my-second-test-bucket",
    ) in edges(graph, "PUBLIC_ACCESS")


def _add(
    records: list[dict[str, Any]],
    name: str,
    atype: str,
    data: dict[str, Any],
    bindings: list[dict[str, Any]] | None = None,
) -> None:
    anc = ["projects/714523698012", "folders/902233445566", "organizations/411122223333"]
    records.append(
        {"name": name, "asset_type": atype, "ancestors": anc, "resource": {"data": data}}
    )
    if bindings is not None:
        records.append(
            {
                "name": name,
                "asset_type": atype,
                "ancestors": anc,
                "iam_policy": {"bindings": bindings},
            }
        )


def test_service_account_key_is_a_credential_entry(records: list[dict[str, Any]]) -> None:
    sa_asset = find(records, "serviceAccounts/109876543210123400000")
    for key_id, key_type in (("k-user", "USER_MANAGED"), ("k-google", "SYSTEM_MANAGED")):
        _add(
            records,
            f"{sa_asset['name']}/keys/{key_id}",
            "iam.googleapis.com/ServiceAccountKey",
            {
                "name": f"projects/{P}/serviceAccounts/nb-runner@{P}.iam.gserviceaccount.com/keys/"
                f"{key_id}",
                "keyType": key_type,
            },
        )
    graph, _ = build(records)
    keys = {n for n, _d in graph.nodes("GCPServiceAccountKey")}
    assert keys == {f"{sa_asset['name']}/keys/k-user"}
    [key] = keys
    assert (key, NB) in edges(graph, "AUTHENTICATES_AS")
    assert graph.node(NB)["long_lived_credentials"] is True
    result = find_paths(graph, PathOptions(entry="credentials"))
    assert (key, NB, EP, MODEL) in {tuple(n.id for n in p.nodes) for p in result.paths}


def test_functions_gke_and_colab_runtimes(records: list[dict[str, Any]]) -> None:
    loc = f"projects/{P}/locations/us-central1"
    fn = f"//cloudfunctions.googleapis.com/{loc}/functions/summarize"
    _add(
        records,
        fn,
        "cloudfunctions.googleapis.com/CloudFunction",
        {
            "name": f"{loc}/functions/summarize",
            "ingressSettings": "ALLOW_ALL",
            "httpsTrigger": {"url": "https://x.cloudfunctions.net/summarize"},
            "serviceAccountEmail": f"chat-backend@{P}.iam.gserviceaccount.com",
            "environmentVariables": {"OPENAI_API_KEY": "sk-live-123"},
        },
        [{"role": "roles/cloudfunctions.invoker", "members": ["allUsers"]}],
    )
    internal = f"//cloudfunctions.googleapis.com/{loc}/functions/internal"
    _add(
        records,
        internal,
        "cloudfunctions.googleapis.com/CloudFunction",
        {
            "name": f"{loc}/functions/internal",
            "ingressSettings": "ALLOW_INTERNAL_ONLY",
            "httpsTrigger": {},
        },
        [{"role": "roles/cloudfunctions.invoker", "members": ["allUsers"]}],
    )
    gke = f"//container.googleapis.com/{loc}/clusters/legacy"
    _add(
        records,
        gke,
        "container.googleapis.com/Cluster",
        {
            "name": "legacy",
            "nodePools": [{"config": {"serviceAccount": f"nb-runner@{P}.iam.gserviceaccount.com"}}],
        },
    )
    tmpl = f"{loc}/notebookRuntimeTemplates/t1"
    _add(
        records,
        f"//aiplatform.googleapis.com/{tmpl}",
        "aiplatform.googleapis.com/NotebookRuntimeTemplate",
        {
            "name": tmpl,
            "serviceAccount": f"wb-research@{P}.iam.gserviceaccount.com",
            "networkSpec": {"enableInternetAccess": True},
        },
    )
    runtime = f"//aiplatform.googleapis.com/{loc}/notebookRuntimes/r1"
    _add(
        records,
        runtime,
        "aiplatform.googleapis.com/NotebookRuntime",
        {
            "name": f"{loc}/notebookRuntimes/r1",
            "runtimeUser": "ds@acme.example",
            "notebookRuntimeTemplateRef": {"notebookRuntimeTemplate": tmpl},
        },
    )
    graph, _ = build(records)
    public = {t for _s, t in edges(graph, "PUBLIC_ACCESS")}
    assert fn in public and internal not in public
    assert graph.node(fn)["env_var_names"] == ["OPENAI_API_KEY"]
    assert "sk-live-123" not in json.dumps(dict(graph.g.nodes(data=True)), default=str)
    assert (fn, f"{SA}/chat-backend@{P}.iam.gserviceaccount.com") in edges(graph, "HAS_IDENTITY")
    assert (gke, NB) in edges(graph, "HAS_IDENTITY")
    assert graph.node(gke)["endpoint_public_access"] is True
    assert (f"//aiplatform.googleapis.com/{loc}/notebookRuntimes/r1", WB_SA) in edges(
        graph, "HAS_IDENTITY"
    )
    assert graph.node(runtime)["internet_access"] is True


def test_all_users_on_an_endpoint_and_shadow_ai(records: list[dict[str, Any]]) -> None:
    ep = find(records, "/endpoints/4821937465012345678")
    records.append(
        {
            "name": ep["name"],
            "asset_type": ep["asset_type"],
            "ancestors": ep["ancestors"],
            "iam_policy": {
                "bindings": [
                    {"role": "roles/aiplatform.user", "members": ["allAuthenticatedUsers"]}
                ]
            },
        }
    )
    graph, _ = build(records)
    pub = graph.edge("internet", EP, "PUBLIC_ACCESS")
    assert pub is not None
    assert pub["evidence"]["grant"].startswith("roles/aiplatform.user for allAuthenticatedUsers")
    assert ("internet", EP, MODEL) in routes(graph)
    # Deep Learning VM images are shadow AI; plain workers are not.
    assert graph.node(f"{ZONE}/jupyter-ds-01")["ai_libraries"] == ["jupyter"]
    assert "ai_libraries" not in graph.node(f"{ZONE}/worker-00")


def test_agent_builder_app_is_grounded_on_its_data_store(demo_graph: tuple[Graph, Any]) -> None:
    graph, _ = demo_graph
    base = f"//discoveryengine.googleapis.com/projects/{P}/locations/global/collections/"
    app = f"{base}default_collection/engines/support-search"
    store = f"{base}default_collection/dataStores/support-kb"
    assert (app, store) in edges(graph, "GROUNDED_ON")
    assert graph.node(store)["data_role"] == ["grounding"]
    readers = {s for s, t in edges(graph, "CAN_READ") if t == store}
    callers = {s for s, t in edges(graph, "CAN_INVOKE") if t == app}
    # The folder's basic viewer role is inherited and reads documents; only support may search.
    assert readers == {"group:support@acme.example", "group:ml-auditors@acme.example"}
    assert callers == {"group:support@acme.example"}


def test_narrow_access_scopes_make_the_vm_identity_conditional(
    records: list[dict[str, Any]],
) -> None:
    """A VM whose access scopes leave out cloud-platform gets a token for the scoped APIs only:
    the identity hop is conditional and says why (this record once failed the strict schema)."""
    vm = find(records, "/instances/jupyter-ds-01")["resource"]["data"]
    for account in vm["serviceAccounts"]:
        account["scopes"] = ["https://www.googleapis.com/auth/devstorage.read_only"]
    graph, _ = build(records)
    edge = graph.edge(f"{ZONE}/jupyter-ds-01", NB, "HAS_IDENTITY")
    assert edge is not None
    assert edge["confidence"] == "conditional"
    assert "cloud-platform" in edge["evidence"]["condition"]
    assert edge["evidence"]["scopes"] == ["https://www.googleapis.com/auth/devstorage.read_only"]
