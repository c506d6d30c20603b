"""Elastic Load Balancing v2: load balancers, their listeners and the targets they route to."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from aispm_graph.transforms.aws.builder import AwsBuilder
from aispm_graph.transforms.registry import service


@service(
    "aws",
    "elbv2",
    reads=[
        ("elbv2", "describe_listeners"),
        ("elbv2", "describe_target_health"),
        ("elbv2", "describe_load_balancers"),
    ],
    order=50,
)
def elbv2(b: AwsBuilder) -> None:
    """After EC2: instance targets are named by instance id, resolved through ``instance_ids``."""
    listeners: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for _body, i, ls in b.items("elbv2", "describe_listeners", "Listeners"):
        with b.guard("describe_listeners", ls, index=i):
            tgs = []
            for act in ls.get("DefaultActions", []):
                if act.get("TargetGroupArn"):
                    tgs.append(act["TargetGroupArn"])
                for t in (act.get("ForwardConfig") or {}).get("TargetGroups", []):
                    tgs.append(t.get("TargetGroupArn"))
            listeners[ls.get("LoadBalancerArn", "")].append(
                {
                    "port": ls.get("Port"),
                    "protocol": ls.get("Protocol"),
                    "target_groups": sorted({t for t in tgs if t}),
                }
            )
    targets: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for body, i, th in b.items("elbv2", "describe_target_health", "TargetHealthDescriptions"):
        with b.guard("describe_target_health", th, index=i):
            targets[str(body["params"].get("TargetGroupArn", ""))].append(th.get("Target") or {})
    for body, i, lb in b.items("elbv2", "describe_load_balancers", "LoadBalancers"):
        with b.guard("describe_load_balancers", lb, index=i):
            _load_balancer(b, body["region"], lb, listeners, targets)


def _load_balancer(
    b: AwsBuilder,
    region: str,
    lb: dict[str, Any],
    listeners: dict[str, list[dict[str, Any]]],
    targets: dict[str, list[dict[str, Any]]],
) -> None:
    arn = lb["LoadBalancerArn"]
    ls = listeners.get(arn, [])
    b.node(
        arn,
        "LoadBalancerV2",
        lb.get("LoadBalancerName", arn),
        region,
        scheme=lb.get("Scheme"),
        lb_type=lb.get("Type"),
        dns_name=lb.get("DNSName"),
        listeners=ls,
    )
    for gid in lb.get("SecurityGroups", []):
        b.edge(
            arn,
            b.arn("ec2", region, f"security-group/{gid}"),
            "PROTECTED_BY",
            layer="security-group",
        )
    for listener in ls:
        for tg in listener["target_groups"]:
            for tgt in targets.get(tg, []):
                tid = str(tgt.get("Id", ""))
                b.edge(
                    arn,
                    b.instance_ids.get(tid, tid),
                    "ROUTES_TO",
                    listener_port=listener["port"],
                    listener_protocol=listener["protocol"],
                    target_group=tg,
                    target_port=tgt.get("Port"),
                )
