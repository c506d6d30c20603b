"""The AWS demo shapes, built in moto and collected live: the edges users will see."""

from __future__ import annotations

import json

import networkx as nx

from aispm_graph.analysis.engine import find_paths
from tests.aws.aws_moto import Estate

ACCT = "123456789012"
R = "us-east-1"


def role(name: str) -> str:
    return f"arn:aws:iam::{ACCT}:role/{name}"


def inst(demo: Estate, name: str) -> str:
    return f"arn:aws:ec2:{R}:{ACCT}:instance/{demo.ids[name]}"


def fn(name: str) -> str:
    return f"arn:aws:lambda:{R}:{ACCT}:function:{name}"


def bucket(name: str) -> str:
    return f"arn:aws:s3:::{name}"


ACCOUNT = f"arn:aws:iam::{ACCT}:root"


def test_internet_reaches_only_the_instance_open_to_the_world(demo: Estate) -> None:
    exposed = {t for s, t in demo.edges("INTERNET_EXPOSED") if s == "internet"}
    assert inst(demo, "llm-web-1") in exposed
    # negative control: same role and public IP, security group open only to 10.0.0.0/8
    assert inst(demo, "internal-llm") not in exposed
    ev = demo.graph.edge("internet", inst(demo, "llm-web-1"), "INTERNET_EXPOSED")["evidence"]
    assert ev["ports"] == "tcp/80"
    assert ev["source_range"] == "0.0.0.0/0"


def test_instance_role_via_imds_with_v1_flag(demo: Estate) -> None:
    e = demo.graph.edge(inst(demo, "llm-web-1"), role("llm-web-role"), "HAS_IDENTITY")
    assert e is not None
    assert e["evidence"]["imds_v1"] is True
    # the hop breaks by detaching the profile; IMDSv2 is a separate, risk-lowering fix
    assert "Detach instance profile" in e["evidence"]["fix"]
    path = next(
        p
        for p in find_paths(demo.graph).paths
        if inst(demo, "llm-web-1") in [n.id for n in p.nodes]
    )
    lowering = [r.action for r in path.remediation if not r.breaks_path]
    assert any("IMDSv2" in a for a in lowering)
    assert demo.graph.node(inst(demo, "llm-web-1"))["imds_v1"] is True
    assert demo.graph.node(inst(demo, "analytics-1"))["imds_v1"] is False


def test_shape1_role_invokes_custom_model_and_reads_its_training_data(demo: Estate) -> None:
    model = demo.ids["custom_model"]
    e = demo.graph.edge(role("llm-web-role"), model, "CAN_INVOKE")
    assert e is not None and e["confidence"] == "confirmed"
    assert e["evidence"]["permission"] in {"bedrock:InvokeModel"}
    assert "invoke-support-model" in e["evidence"]["policy"]
    assert (role("llm-web-role"), bucket("acme-llm-training-data")) in demo.edges("CAN_READ")
    assert demo.graph.node(bucket("acme-llm-training-data"))["data_role"] == ["training"]
    assert (model, bucket("acme-llm-training-data")) in demo.edges("TRAINED_ON")


def test_explicit_deny_in_second_policy_blocks_invoke(demo: Estate) -> None:
    invokers = {s for s, t in demo.edges("CAN_INVOKE") if t == demo.ids["custom_model"]}
    assert role("analytics-role") not in invokers
    assert role("llm-web-role") in invokers


def test_shape2_public_lambda_url_to_admin(demo: Estate) -> None:
    public = {t for s, t in demo.edges("PUBLIC_ACCESS") if s == "internet"}
    assert fn("chatbot") in public
    # negative control: auth NONE but no public resource policy
    assert fn("faq-bot") not in public
    assert demo.graph.node(fn("faq-bot"))["url_auth_type"] == "NONE"
    assert (fn("chatbot"), role("chatbot-role")) in demo.edges("HAS_IDENTITY")
    esc = demo.graph.edge(role("chatbot-role"), role("ml-admin-role"), "CAN_ESCALATE_TO")
    assert esc is not None
    assert "SageMaker notebook" in esc["evidence"]["technique"]
    assert esc["evidence"]["permissions"].startswith("iam:PassRole")
    assert "iam:PassRole on ml-admin-role" in esc["evidence"]["fix"]
    assert (role("ml-admin-role"), ACCOUNT) in demo.edges("CAN_ADMINISTER")
    assert demo.graph.node(ACCOUNT)["kind"] == "AWSAccount"


def test_attack_routes_exist_end_to_end(demo: Estate) -> None:
    dg = demo.graph.attack_subgraph()
    route1 = nx.shortest_path(dg, "internet", demo.ids["custom_model"])
    assert route1 == [
        "internet",
        inst(demo, "llm-web-1"),
        role("llm-web-role"),
        demo.ids["custom_model"],
    ]
    route2 = nx.shortest_path(dg, "internet", ACCOUNT)
    assert route2 == [
        "internet",
        fn("chatbot"),
        role("chatbot-role"),
        role("ml-admin-role"),
        ACCOUNT,
    ]
    assert not nx.has_path(dg, "internet", role("analytics-role")) or not dg.has_edge(
        role("analytics-role"), demo.ids["custom_model"]
    )


def test_agents_knowledge_bases_and_ai_data(demo: Estate) -> None:
    agent = f"arn:aws:bedrock:{R}:{ACCT}:agent/AGENT00001"
    kb = f"arn:aws:bedrock:{R}:{ACCT}:knowledge-base/KB00000001"
    # The agent uses its action group as a tool; the group invokes the Lambda executor.
    group = f"{agent}/action-group/AG00000001"
    assert (agent, group) in demo.edges("USES_TOOL")
    assert (group, fn("order-lookup")) in demo.edges("INVOKES")
    assert (kb, bucket("acme-kb-docs")) in demo.edges("GROUNDED_ON")
    assert demo.graph.node(bucket("acme-kb-docs"))["data_role"] == ["grounding"]
    user = f"arn:aws:iam::{ACCT}:user/data-scientist"
    read = demo.graph.edge(user, kb, "CAN_READ")
    assert read is not None and "without any S3 permission" in read["evidence"]["technique"]
    assert (user, bucket("acme-llm-training-data")) in demo.edges("CAN_WRITE")
    # both pages of the replayed agent and guardrail listings were followed
    assert demo.graph.has_node(f"arn:aws:bedrock:{R}:{ACCT}:agent/AGENT00002")
    assert demo.graph.has_node(f"arn:aws:bedrock:{R}:{ACCT}:guardrail/gr0weak0002")
    assert demo.graph.node(bucket("acme-model-artifacts"))["data_role"] == ["model-artifact"]


def test_ai_posture_facts_for_checks(demo: Estate) -> None:
    g = demo.graph
    nb = g.node(f"arn:aws:sagemaker:{R}:{ACCT}:notebook-instance/research-nb")
    assert nb["root_access"] is True and nb["direct_internet_access"] is True
    assert nb["cmk"] is False
    weak = g.node(f"arn:aws:bedrock:{R}:{ACCT}:guardrail/gr0weak0002")
    strong = g.node(f"arn:aws:bedrock:{R}:{ACCT}:guardrail/gr0strong01")
    assert weak["prompt_attack_filter"] is False and strong["prompt_attack_filter"] is True
    logging = g.node(f"arn:aws:bedrock:{R}:{ACCT}:model-invocation-logging")
    assert logging["enabled"] is True
    assert g.node(demo.ids["custom_model"])["invocation_logging"] is True
    model = g.node(f"arn:aws:sagemaker:{R}:{ACCT}:model/churn-model")
    assert model["network_isolation"] is False
    assert model["artifact"] == "s3://acme-model-artifacts/churn/model.tar.gz"


def test_secret_values_are_never_collected(demo: Estate) -> None:
    text = json.dumps([d.body for d in demo.result.documents], default=str)
    assert "sk-never-collected" not in text
    assert "never-collected" not in text
    chatbot = demo.graph.node(fn("chatbot"))
    assert chatbot["env_var_names"] == ["MODEL_ID", "OPENAI_API_KEY"]
    secret = next(
        n for n, d in demo.graph.nodes("SecretsManagerSecret") if d["name"] == "openai-api-key"
    )
    assert demo.graph.node(secret)["ai_key"] is True
    assert (role("chatbot-role"), secret) in demo.edges("CAN_READ")


def test_noise_is_not_a_target(demo: Estate) -> None:
    site = demo.graph.node(bucket("acme-public-site"))
    assert site["public_read"] is True  # public, but holds no AI data
    assert not site.get("data_role")
    assert not demo.graph.node(bucket("acme-logs")).get("public_read")
    assert demo.ctx.warnings == []


def test_engine_paths_for_the_demo_shapes(demo: Estate) -> None:
    from aispm_graph.analysis.engine import find_paths

    paths = find_paths(demo.graph).paths
    routes = {tuple(n.id for n in p.nodes) for p in paths}
    model = demo.ids["custom_model"]
    training = bucket("acme-llm-training-data")
    assert ("internet", inst(demo, "llm-web-1"), role("llm-web-role"), model) in routes
    assert ("internet", inst(demo, "llm-web-1"), role("llm-web-role"), training) in routes
    assert (
        "internet",
        fn("chatbot"),
        role("chatbot-role"),
        role("ml-admin-role"),
        ACCOUNT,
    ) in routes
    # negative controls: each has one broken link, so none of them starts or carries a path
    on_paths = {n for r in routes for n in r}
    assert inst(demo, "internal-llm") not in on_paths
    assert inst(demo, "analytics-1") not in on_paths
    assert fn("faq-bot") not in on_paths
    admin = next(p for p in paths if p.target == ACCOUNT)
    assert [e.kind for e in admin.edges] == [
        "PUBLIC_ACCESS",
        "HAS_IDENTITY",
        "CAN_ESCALATE_TO",
        "CAN_ADMINISTER",
    ]
    fixes = [r.action for r in admin.remediation]
    assert any("iam:PassRole on ml-admin-role" in f for f in fixes)
    assert any("AWS_IAM" in f for f in fixes)
    web = next(p for p in paths if p.target == model)
    assert web.edges[2].evidence["policy"] == "inline policy invoke-support-model of llm-web-role"
