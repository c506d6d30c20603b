"""Apply the owner's context: mark crown jewels before exposure, drop accepted exposures after."""

from __future__ import annotations

from aispm_graph.build import BuildContext, deriver
from aispm_graph.graph.model import Graph
from aispm_graph.schema import INTERNET_ID

CRIT_RANK = {"low": 0, "medium": 1, "high": 2, "crown-jewel": 3}


@deriver("facts", "context-assets")
def mark_assets(graph: Graph, ctx: BuildContext) -> None:
    rules = ctx.options.context.assets if ctx.options.context else []
    if not rules:
        return
    for node_id, data in graph.nodes():
        for rule in rules:
            if not rule.match.matches(node_id, data):
                continue
            applied = list(data.get("context_rules") or [])
            if rule.rule not in applied:
                applied.append(rule.rule)
            graph.set_prop(node_id, "context_rules", applied)
            if rule.criticality and CRIT_RANK[rule.criticality] >= CRIT_RANK.get(
                str(data.get("criticality") or "low"), 0
            ):
                graph.set_prop(node_id, "criticality", rule.criticality)
            if rule.data_role:
                roles = list(data.get("data_role") or [])
                graph.set_prop(
                    node_id, "data_role", roles + [r for r in rule.data_role if r not in roles]
                )
            ctx.stats["context_marked"] += 1


@deriver("access", "context-safe-exposures")
def drop_safe_exposures(graph: Graph, ctx: BuildContext) -> None:
    rules = ctx.options.context.safe_exposures if ctx.options.context else []
    if not rules or not graph.has_node(INTERNET_ID):
        return
    for _s, target, edge in list(graph.out_edges(INTERNET_ID)):
        key = edge["kind"]
        data = graph.node(target)
        for rule in rules:
            if rule.match.matches(target, data):
                graph.remove_edge(INTERNET_ID, target, key)
                accepted = [*(data.get("accepted_exposures") or [])]
                accepted.append({"rule": rule.rule, "reason": rule.reason, "edge": key})
                graph.set_prop(target, "accepted_exposures", accepted)
                ctx.warn(
                    f"accepted exposure of {data['name']} ({key}) per context rule "
                    f"{rule.rule!r}: {rule.reason}"
                )
                break
