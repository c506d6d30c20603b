"""Golden tests on the bundled demo estate: exactly the expected paths, none for the controls."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import run_cli

AZ = "/subscriptions/6f1c2e3a-5b7d-4c9e-8a1f-2d3c4b5a6e7f/resourcegroups"
DEMO_RG = f"{AZ}/rg-ai-demo/providers"
VM = f"{DEMO_RG}/microsoft.compute/virtualmachines/vm-ai-gateway"
MI = f"{DEMO_RG}/microsoft.managedidentity/userassignedidentities/id-ai-gateway"
AOAI = f"{DEMO_RG}/microsoft.cognitiveservices/accounts/oai-contoso-prod"
ST = f"{DEMO_RG}/microsoft.storage/storageaccounts/stcontosogrounding"
SRCH = f"{DEMO_RG}/microsoft.search/searchservices/srch-contoso-rag"
A = "123456789012"
EC2 = f"arn:aws:ec2:us-east-1:{A}:instance/i-59a7ad18abb558042"
ROLE = f"arn:aws:iam::{A}:role/llm-web-role"
MODEL = f"arn:aws:bedrock:us-east-1:{A}:custom-model/support-bot-ft"
BUCKET = "arn:aws:s3:::acme-llm-training-data"
FN = f"arn:aws:lambda:us-east-1:{A}:function:chatbot"
FN_ROLE = f"arn:aws:iam::{A}:role/chatbot-role"
ADMIN_ROLE = f"arn:aws:iam::{A}:role/ml-admin-role"
ACCOUNT = f"arn:aws:iam::{A}:root"
SECRET = f"arn:aws:secretsmanager:us-east-1:{A}:secret:openai-api-key-MpPThd"
P = "acme-vertex-prod"
GCE = f"//compute.googleapis.com/projects/{P}/zones/us-central1-a/instances"
SAS = f"//iam.googleapis.com/projects/{P}/serviceAccounts"
SA = f"{SAS}/nb-runner@{P}.iam.gserviceaccount.com"
AIP = f"//aiplatform.googleapis.com/projects/{P}/locations/us-central1"
EP = f"{AIP}/endpoints/4821937465012345678"
GCS = f"//storage.googleapis.com/projects/_/buckets/{P}-fraud-training"
AGENT = f"arn:aws:bedrock:us-east-1:{A}:agent/AGENT00001"
ACTION_GROUP = f"{AGENT}/action-group/AG00000001"
ORDER_FN = f"arn:aws:lambda:us-east-1:{A}:function:order-lookup"
ORDER_ROLE = f"arn:aws:iam::{A}:role/order-lookup-role"
KB = f"arn:aws:bedrock:us-east-1:{A}:knowledge-base/KB00000001"
KB_DOCS = "arn:aws:s3:::acme-kb-docs"
ENGINE = f"{AIP}/reasoningEngines/778899001122"
CURSOR = "mcp:cursor:/home/dev/.cursor/mcp.json"
FOUNDRY = f"{DEMO_RG}/microsoft.cognitiveservices/accounts/ais-contoso-agents/projects/proj-support"
ORDERS = f"{FOUNDRY}/agents/asst_orders01"
NOTIFIER = f"{FOUNDRY}/agents/asst_notify02"
CRM = f"{DEMO_RG}/microsoft.storage/storageaccounts/stcontosocrm"

EXPECTED_ROUTES = {
    # Azure (recorded ARM responses): exposed VM -> managed identity -> OpenAI deployments and
    # the grounding data, directly and through "On Your Data".
    ("internet", VM, MI, AOAI, f"{AOAI}/deployments/gpt-4o-prod"),
    ("internet", VM, MI, AOAI, f"{AOAI}/deployments/text-embedding-3-large"),
    ("internet", VM, MI, ST),
    ("internet", VM, MI, AOAI, ST),
    ("internet", VM, MI, AOAI, SRCH),
    # Azure agents (Foundry Agent Service data plane): the gateway identity holds Azure AI User
    # on the project, so it drives every agent there; on through the orders agent's OpenAPI
    # tool, which acts as the project's managed identity, to the customer records; its search
    # tool's grounding index; and the connected notifier agent.
    ("internet", VM, MI, ORDERS),
    ("internet", VM, MI, NOTIFIER),
    ("internet", VM, MI, f"{FOUNDRY}/agents/faq-agent"),
    ("internet", VM, MI, ORDERS, NOTIFIER),
    ("internet", VM, MI, ORDERS, f"{ORDERS}/tools/azure_ai_search-support-kb", SRCH),
    (
        "internet",
        VM,
        MI,
        ORDERS,
        f"{ORDERS}/tools/openapi-crm_records",
        f"{FOUNDRY}/identities/system",
        CRM,
    ),
    # AWS (collected from moto): exposed EC2 (IMDSv1) -> role -> Bedrock custom model, and its
    # training bucket.
    ("internet", EC2, ROLE, MODEL),
    ("internet", EC2, ROLE, BUCKET),
    # AWS: public Lambda URL -> its role -> PassRole escalation -> admin of the account; the
    # same role reads the secret holding the OpenAI key.
    ("internet", FN, FN_ROLE, ADMIN_ROLE, ACCOUNT),
    ("internet", FN, FN_ROLE, SECRET),
    # AWS agents: the chatbot's role drives the Bedrock agent (a path to the agent), and on
    # through the agent: its knowledge base, and its action group's Lambda, whose role writes
    # the documents that knowledge base ingests.
    ("internet", FN, FN_ROLE, AGENT),
    ("internet", FN, FN_ROLE, AGENT, KB),
    ("internet", FN, FN_ROLE, AGENT, ACTION_GROUP, ORDER_FN, ORDER_ROLE, KB_DOCS),
    # The same role may open the existing research notebook with a presigned URL
    # (pathfinding.cloud sagemaker-004): the notebook's execution role reads model artifacts.
    (
        "internet",
        FN,
        FN_ROLE,
        f"arn:aws:iam::{A}:role/sagemaker-exec-role",
        "arn:aws:s3:::acme-model-artifacts",
    ),
    # GCP (recorded Cloud Asset Inventory): exposed Jupyter -> service account -> Vertex AI
    # endpoints and agent; Workbench impersonating an admin SA; public training bucket.
    ("internet", f"{GCE}/jupyter-ds-01", SA, EP, f"{AIP}/models/8213456789012345678"),
    ("internet", f"{GCE}/jupyter-ds-01", SA, f"{AIP}/endpoints/4821937465012349999"),
    ("internet", f"{GCE}/jupyter-ds-01", SA, ENGINE),
    # ... and on through the Agent Engine agent to what its own service account reaches.
    (
        "internet",
        f"{GCE}/jupyter-ds-01",
        SA,
        ENGINE,
        f"{SAS}/support-agent-sa@{P}.iam.gserviceaccount.com",
        f"//storage.googleapis.com/projects/_/buckets/{P}-models",
    ),
    (
        "internet",
        f"{GCE}/wb-research-01",
        f"{SAS}/wb-research@{P}.iam.gserviceaccount.com",
        f"{SAS}/ml-admin@{P}.iam.gserviceaccount.com",
        f"//cloudresourcemanager.googleapis.com/projects/{P}",
    ),
    ("internet", GCS),
    # MCP (a developer's Cursor configuration): a poisoned tool description steers the client
    # (inferred) into the credentials its other servers hold.
    ("internet", CURSOR),
    ("internet", CURSOR, f"{CURSOR}#github", f"{CURSOR}#github/env/GITHUB_PERSONAL_ACCESS_TOKEN"),
    ("internet", CURSOR, f"{CURSOR}#docs", f"{CURSOR}#docs/header/Authorization"),
}

NEGATIVE_CONTROLS = {
    f"{DEMO_RG}/microsoft.compute/virtualmachines/vm-nc-narrow",  # NSG: narrow/private source
    f"{DEMO_RG}/microsoft.compute/virtualmachines/vm-nc-deny",  # NSG deny before allow
    f"{DEMO_RG}/microsoft.compute/virtualmachines/vm-nc-subnet",  # subnet NSG blocks NIC allow
    f"{DEMO_RG}/microsoft.compute/virtualmachines/vm-nc-sibling",  # role on a sibling RG
    f"{DEMO_RG}/microsoft.cognitiveservices/accounts/oai-nc-entraonly",  # no key, no identity
    f"{DEMO_RG}/microsoft.cognitiveservices/accounts/oai-nc-private",  # private endpoint only
    f"arn:aws:ec2:us-east-1:{A}:instance/i-722d5eb24217a6ed8",  # internal-llm: SG private CIDR
    f"arn:aws:ec2:us-east-1:{A}:instance/i-153ea0f3d58865680",  # analytics-1: explicit Deny
    f"arn:aws:lambda:us-east-1:{A}:function:faq-bot",  # URL auth NONE, no public policy
    f"{GCE}/jupyter-ds-02",  # higher-priority deny
    f"{GCE}/jupyter-ds-03",  # firewall target tag the instance lacks
    f"//storage.googleapis.com/projects/_/buckets/{P}-fraud-features",  # not public
}


def routes(data: dict[str, Any]) -> set[tuple[str, ...]]:
    return {tuple(n["id"] for n in p["nodes"]) for p in data["paths"]}


def test_demo_has_exactly_the_expected_paths(demo_paths: dict[str, Any]) -> None:
    assert routes(demo_paths) == EXPECTED_ROUTES
    assert demo_paths["schema_version"] == 1
    assert demo_paths["truncated"] is False


def test_negative_controls_are_on_no_path(demo_paths: dict[str, Any]) -> None:
    on_paths = {n["id"] for p in demo_paths["paths"] for n in p["nodes"]}
    assert on_paths.isdisjoint(NEGATIVE_CONTROLS)


def test_path_ids_are_stable_across_runs(demo_ws: Path, demo_paths: dict[str, Any]) -> None:
    again = run_cli("paths", "--format", "json", workspace=demo_ws).json()
    assert [p["id"] for p in again["paths"]] == [p["id"] for p in demo_paths["paths"]]
    rebuilt = demo_ws.parent / "again"
    assert run_cli("demo", workspace=rebuilt).code == 0
    fresh = run_cli("paths", "--format", "json", workspace=rebuilt).json()
    assert [p["id"] for p in fresh["paths"]] == [p["id"] for p in demo_paths["paths"]]


def test_ranking_order_is_documented_and_total(demo_paths: dict[str, Any]) -> None:
    """Order: score desc, then level, then fewer hops, then id (docs/risk.md)."""
    order = {"critical": 3, "high": 2, "medium": 1, "low": 0}
    keys = [
        (-p["risk"]["score"], -order[p["risk"]["level"]], len(p["edges"]), p["id"])
        for p in demo_paths["paths"]
    ]
    assert keys == sorted(keys)
    top = demo_paths["paths"][0]
    # Anonymous read of training data needs no foothold at all: it ranks first.
    assert top["target"] == GCS and top["risk"]["level"] == "critical"
    admin = next(p for p in demo_paths["paths"] if p["target"] == ACCOUNT)
    bedrock = next(p for p in demo_paths["paths"] if p["target"] == MODEL)
    assert admin["risk"]["score"] > bedrock["risk"]["score"]


def test_every_path_has_contract_fields_and_a_breaking_fix(demo_paths: dict[str, Any]) -> None:
    for p in demo_paths["paths"]:
        assert p["entry"] == p["nodes"][0]["id"] and p["target"] == p["nodes"][-1]["id"]
        assert len(p["edges"]) == len(p["nodes"]) - 1
        for i, e in enumerate(p["edges"]):
            assert (e["source"], e["target"]) == (p["nodes"][i]["id"], p["nodes"][i + 1]["id"])
            assert e["confidence"] in {"confirmed", "conditional", "inferred"}
            assert e["evidence"], f"{p['id']} hop {i} has no evidence"
        assert p["risk"]["level"] in {"critical", "high", "medium", "low"}
        assert 0 <= p["risk"]["score"] <= 100 and p["risk"]["factors"]
        breaking = [r for r in p["remediation"] if r["breaks_path"]]
        assert breaking and all("?" not in r["action"] for r in breaking)


def test_exposure_evidence_names_the_rule(demo_paths: dict[str, Any]) -> None:
    vm_path = next(
        p for p in demo_paths["paths"] if p["nodes"][-1]["id"] == ST and len(p["nodes"]) == 4
    )
    hop = vm_path["edges"][0]
    assert hop["kind"] == "INTERNET_EXPOSED"
    assert "tcp/22" in hop["evidence"]["ports"]
    assert any("AllowSSHFromInternet" in r for r in hop["evidence"]["rules"])
    assert "AllowSSHFromInternet" in vm_path["remediation"][0]["action"]
    ec2 = next(p for p in demo_paths["paths"] if p["target"] == MODEL)
    assert ec2["edges"][0]["evidence"]["ports"] == "tcp/80"
    factors = {f["name"]: f for f in ec2["risk"]["factors"]}
    assert "IMDSv1" in factors["credential-theft"]["detail"]
