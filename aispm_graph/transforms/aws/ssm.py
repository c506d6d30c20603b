"""Systems Manager: which EC2 instances run a registered, online SSM agent.

``ssm:SendCommand`` and ``ssm:StartSession`` reach an instance only through its agent, so the
escalation evaluator reads two facts set here on ``EC2Instance`` nodes:

* ``ssm_ping_status``: the agent's ``PingStatus`` (``Online``, ``ConnectionLost``,
  ``Inactive``), or ``not-registered`` when Systems Manager was read in the instance's region
  and did not list it (no agent seen: its presence is unknown, not absent, because an agent may
  register at the next start or through Default Host Management);
* ``ssm_managed``: true when the agent is online, false when it is registered but not online
  (a command would not run); unset when nothing is known.
"""

from __future__ import annotations

from aispm_graph.transforms.aws.builder import AwsBuilder
from aispm_graph.transforms.registry import service

NOT_REGISTERED = "not-registered"


@service("aws", "ssm", reads=[("ssm", "describe_instance_information")], order=46)
def ssm(b: AwsBuilder) -> None:
    """After EC2 (instances are nodes, ``instance_ids`` filled)."""
    regions: set[str] = set()
    seen: set[str] = set()
    for body, i, info in b.items("ssm", "describe_instance_information", "InstanceInformationList"):
        regions.add(str(body["region"]))
        with b.guard("describe_instance_information", info, index=i):
            arn = b.instance_ids.get(str(info["InstanceId"]))
            if arn is None or not b.graph.has_node(arn):
                continue  # a hybrid (mi-) node or an instance of another region
            status = str(info.get("PingStatus") or "")
            b.graph.update_props(
                arn, ssm_ping_status=status or "unknown", ssm_managed=status == "Online"
            )
            if info.get("AgentVersion"):
                b.graph.set_prop(arn, "ssm_agent_version", str(info["AgentVersion"]))
            seen.add(arn)
    for body in b.responses("ssm", "describe_instance_information"):
        regions.add(str(body["region"]))
    for arn in b.instance_ids.values():
        if arn in seen or not b.graph.has_node(arn):
            continue
        if arn.split(":")[3] in regions:  # arn:aws:ec2:REGION:account:instance/i-...
            b.graph.set_prop(arn, "ssm_ping_status", NOT_REGISTERED)
