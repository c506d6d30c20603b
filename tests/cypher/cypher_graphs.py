"""Small estates built directly with the Graph model, shared by the Cypher tests.

``mini_estate`` is a two-cloud estate with one of everything the query library looks for; the
comments say which query each part is there for.
"""

from __future__ import annotations

import random

from aispm_graph.graph.model import Graph
from aispm_graph.schema import attack_edge_kinds, node_kinds

ACCT = "111111111111"
ACCT_B = "222222222222"
SUB = "00000000-0000-0000-0000-000000000001"
AZ = f"/subscriptions/{SUB}/resourcegroups/rg/providers"

VM = f"arn:aws:ec2:us-east-1:{ACCT}:instance/i-0abc"
ROLE = f"arn:aws:iam::{ACCT}:role/ml-app"
ADMIN_ROLE = f"arn:aws:iam::{ACCT}:role/admin"
USER = f"arn:aws:iam::{ACCT}:user/dev"
GROUP = f"arn:aws:iam::{ACCT}:group/ml-users"
ACCOUNT = f"arn:aws:organizations::{ACCT}:account/{ACCT}"
MODEL = "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3"
KB = f"arn:aws:bedrock:us-east-1:{ACCT}:knowledge-base/KB1"
TRAIN = "arn:aws:s3:::training-data"
PUBLIC = "arn:aws:s3:::public-grounding"
IMAGE = "sha256:1111"
PKG = "pkg:pypi/torch@2.0.0"
VULN = "GHSA-xxxx-yyyy-zzzz"
AOAI = f"{AZ}/microsoft.cognitiveservices/accounts/aoai"
DEPLOY = f"{AOAI}/deployments/gpt-4o"
AZVM = f"{AZ}/microsoft.compute/virtualmachines/gpu-box"
MI = f"{AZ}/microsoft.managedidentity/userassignedidentities/gpu-mi"
OTHER_VM = f"arn:aws:ec2:us-east-1:{ACCT_B}:instance/i-0other"


def mini_estate() -> Graph:
    g = Graph()
    g.ensure_internet()
    aws = {"tenant": ACCT, "region": "us-east-1"}
    g.add_node(ACCOUNT, "AWSAccount", ACCT, tenant=ACCT)
    # internet -> VM (shadow AI, vulnerable image) -> role -> model / training data / KB
    g.add_node(
        VM,
        "EC2Instance",
        "ml-box",
        public_ip="203.0.113.5",
        ai_libraries=["torch", "vllm"],
        vuln_factors=["rce", "high-severity"],
        tags={"team": "ml", "nested": {"a": [1, 2]}},
        **aws,
    )
    g.add_node(ROLE, "AWSRole", "ml-app", trust_policy={"Statement": [{"Effect": "Allow"}]}, **aws)
    g.add_node(
        MODEL,
        "BedrockFoundationModel",
        "anthropic.claude-3",
        model_name="claude-3",
        region="us-east-1",
    )
    g.add_node(TRAIN, "S3Bucket", "training-data", data_role=["training"], **aws)
    g.add_node(
        PUBLIC, "S3Bucket", "public-grounding", data_role=["grounding"], public_read=True, **aws
    )
    g.add_node(KB, "BedrockKnowledgeBase", "kb1", **aws)
    g.add_node(IMAGE, "ContainerImage", "ml:latest", digest="sha256:1111")
    g.add_node(PKG, "Package", "torch", ecosystem="PyPI", version="2.0.0")
    g.add_node(
        VULN,
        "Vulnerability",
        VULN,
        severity="critical",
        cvss_score=9.8,
        rce=True,
        fixed_versions=["2.2.0"],
    )
    g.add_edge("internet", VM, "INTERNET_EXPOSED", {"via": "sg-1", "ports": "22"})
    g.add_edge(VM, ROLE, "HAS_IDENTITY", {"mechanism": "instance-profile"})
    g.add_edge(ROLE, MODEL, "CAN_INVOKE", {"permission": "bedrock:InvokeModel", "grant": "p1"})
    g.add_edge(
        ROLE, TRAIN, "CAN_READ", {"permission": "s3:GetObject", "grant": "p1"}, "conditional"
    )
    g.add_edge(ROLE, KB, "CAN_INVOKE", {"permission": "bedrock:Retrieve", "grant": "p1"})
    g.add_edge(KB, PUBLIC, "GROUNDED_ON", {"mechanism": "data source"})
    g.add_edge("internet", PUBLIC, "PUBLIC_ACCESS", {"grant": "bucket policy Principal *"})
    g.add_edge(VM, IMAGE, "RUNS_IMAGE")
    g.add_edge(IMAGE, PKG, "HAS_PACKAGE")
    g.add_edge(PKG, VULN, "AFFECTED_BY")
    g.add_edge(ACCOUNT, VM, "CONTAINS")
    # privilege escalation: long-lived user -> group -> escalate -> admin role -> account
    g.add_node(USER, "AWSUser", "dev", long_lived_credentials=True, **aws)
    g.add_node(GROUP, "AWSGroup", "ml-users", **aws)
    g.add_node(ADMIN_ROLE, "AWSRole", "admin", admin=True, **aws)
    g.add_edge(USER, GROUP, "MEMBER_OF")
    g.add_edge(GROUP, ROLE, "CAN_ASSUME", {"statement": "sts:AssumeRole"})
    g.add_edge(
        ROLE,
        ADMIN_ROLE,
        "CAN_ESCALATE_TO",
        {"technique": "iam:PassRole", "permissions": ["iam:PassRole"]},
    )
    g.add_edge(ADMIN_ROLE, ACCOUNT, "CAN_ADMINISTER", {"permission": "AdministratorAccess"})
    # Azure: exposed AOAI account with keys serving a deployment; VM reaching AWS (cross-cloud)
    azp = {"tenant": SUB, "region": "eastus"}
    g.add_node(
        AOAI,
        "AzureCognitiveServicesAccount",
        "aoai",
        public_network_access=True,
        local_auth_enabled=True,
        **azp,
    )
    g.add_node(DEPLOY, "AzureOpenAIDeployment", "gpt-4o", model_name="gpt-4o", **azp)
    g.add_node(
        AZVM,
        "AzureVirtualMachine",
        "gpu-box",
        public_ip="198.51.100.7",
        ai_libraries=["ollama"],
        **azp,
    )
    g.add_node(MI, "AzureManagedIdentity", "gpu-mi", **azp)
    g.add_edge("internet", AOAI, "INTERNET_EXPOSED", {"via": "public endpoint", "auth": "key"})
    g.add_edge(AOAI, DEPLOY, "SERVES")
    g.add_edge("internet", AZVM, "INTERNET_EXPOSED", {"via": "nsg rule"})
    g.add_edge(AZVM, MI, "HAS_IDENTITY")
    g.add_edge(MI, ROLE, "CAN_ASSUME", {"statement": "web identity federation"})
    return g


HOSTILE_NAME = 'x\'}) MATCH (n) DETACH DELETE n //`; DROP` "RETURN" $rows `MERGE` \\u0027 ðŸ”¥'
HOSTILE_ID = "arn:aws:s3:::`evil`'bucket\"MATCH (n) DELETE n"


def hostile_estate() -> Graph:
    """Names and ids written to break naive string-built Cypher."""
    g = Graph(strict=False)  # hostile keys, as a user's graph file may carry them
    g.ensure_internet()
    g.add_node(
        HOSTILE_ID,
        "S3Bucket",
        HOSTILE_NAME,
        tenant=ACCT,
        data_role=["training"],
        note="line1\nline2 \\ \" ' ` \u2603 CALL db.labels() ;",
        **{"weird key`) DELETE n": "v", "tags": {"`": "'", "RETURN": [{"a": None}]}},
    )
    g.add_edge("internet", HOSTILE_ID, "PUBLIC_ACCESS", {"grant": HOSTILE_NAME})
    return g


def random_estate(seed: int, n_nodes: int = 24, n_edges: int = 60) -> Graph:
    """A random graph over real kinds with attack and structure edges, for parity tests."""
    rng = random.Random(seed)
    kinds = sorted(node_kinds())
    kinds.remove("Internet")
    edge_kinds = [*sorted(attack_edge_kinds()), "CONTAINS", "RUNS_IMAGE"]
    g = Graph(strict=False)  # random attack-step wiring, not a schema-shaped estate
    g.ensure_internet()
    ids = ["internet"]
    for i in range(n_nodes):
        kind = rng.choice(kinds)
        node_id = f"n{i}:{kind}"
        props: dict[str, object] = {"tenant": rng.choice([ACCT, ACCT_B, SUB])}
        if rng.random() < 0.3:
            props["data_role"] = ["training"]
        if rng.random() < 0.2:
            props["ai_key"] = True
        g.add_node(node_id, kind, f"node {i}", **props)
        ids.append(node_id)
    for _ in range(n_edges):
        a, b = rng.choice(ids), rng.choice(ids[1:])
        if a != b:
            g.add_edge(
                a,
                b,
                rng.choice(edge_kinds),
                {"n": rng.randint(0, 9)},
                rng.choice(["confirmed", "conditional", "inferred"]),
            )
    return g
