"""What a long-term Bedrock API key reaches: its user's Bedrock permissions, nothing more.

The key signs Bedrock requests only, with the IAM user's permissions. So after the IAM pass
has decided what each user may invoke or read, every such edge of a key holder's user that a
``bedrock:`` permission grants is repeated from the key (same kind, target, confidence and
grant, plus which key and user it goes through). Edges granted by other services'
permissions (S3 reads, role assumption, escalation) are not: the key cannot make those calls.
An administrator's principal gets no per-target edges from the IAM pass (it controls the
account), so an administrator's key reaches every Bedrock model, agent and knowledge base of
the account, with the administrator grant as its evidence. An inactive or expired key reaches
nothing, but stays a node (and an entry under ``--entry credentials`` with no route), so the
inventory still shows it.
"""

from __future__ import annotations

from typing import Any

from aispm_graph.build import BuildContext, deriver
from aispm_graph.graph.model import Graph
from aispm_graph.schema import attack_edge_kinds

# What an administrator's key may call: the Bedrock targets of the IAM pass, by kind.
ADMIN_REACH = {
    "BedrockCustomModel": ("CAN_INVOKE", "bedrock:InvokeModel"),
    "BedrockProvisionedThroughput": ("CAN_INVOKE", "bedrock:InvokeModel"),
    "BedrockFoundationModel": ("CAN_INVOKE", "bedrock:InvokeModel"),
    "BedrockAgent": ("CAN_INVOKE", "bedrock:InvokeAgent"),
    "BedrockKnowledgeBase": ("CAN_READ", "bedrock:Retrieve"),
}


@deriver("access", "aws-bedrock-api-keys")
def derive_bedrock_api_keys(graph: Graph, ctx: BuildContext) -> None:
    steps = attack_edge_kinds()
    added = 0
    for key, data in list(graph.nodes("BedrockApiKey")):
        user = data.get("user")
        if not data.get("usable") or not isinstance(user, str) or not graph.has_node(user):
            continue
        user_name = graph.node(user)["name"]
        for _src, dst, edge in list(graph.out_edges(user)):
            kind = edge["kind"]
            evidence = dict(edge.get("evidence") or {})
            permission = str(evidence.get("permission") or "")
            if kind not in steps or not permission.lower().startswith("bedrock:"):
                continue
            evidence["credential"] = f"long-term Bedrock API key {data['name']}"
            evidence["via"] = user_name
            evidence["fix"] = (
                f"Delete the long-term Bedrock API key {data['name']} of {user_name} "
                "(aws iam delete-service-specific-credential) in favour of short-term keys, "
                f"or remove {permission} on {graph.node(dst)['name']} from {user_name}"
            )
            graph.add_edge(key, dst, kind, evidence, edge.get("confidence") or "confirmed")
            added += 1
        if graph.node(user).get("admin") is True:
            added += _admin_reach(graph, key, data, user)
    if added:
        ctx.stats["aws.bedrock_api_key_edges"] += added


def _admin_reach(graph: Graph, key: str, data: dict[str, Any], user: str) -> int:
    """Every Bedrock target of the user's account (foundation models have no account)."""
    account = str(graph.node(user).get("tenant") or "")
    user_name = graph.node(user)["name"]
    via = graph.node(user).get("admin_via") or "an administrator-equivalent policy"
    added = 0
    for node_id, d in list(graph.nodes()):
        reach = ADMIN_REACH.get(str(d["kind"]))
        if reach is None or d.get("tenant") not in (None, "", account):
            continue
        kind, permission = reach
        evidence = {
            "permission": permission,
            "grant": f"{user_name} is an administrator of its account ({via})",
            "credential": f"long-term Bedrock API key {data['name']}",
            "via": user_name,
            "fix": f"Delete the long-term Bedrock API key {data['name']} of the administrator "
            f"{user_name}; an administrator should hold no Bedrock API key",
        }
        graph.add_edge(key, node_id, kind, evidence)
        added += 1
    return added
