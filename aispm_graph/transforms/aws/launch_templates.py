"""EC2 launch templates and the Auto Scaling groups that launch from them.

A template's default version names an instance profile; an Auto Scaling group launching
``$Default`` (or ``$Latest``) starts whatever a new default version says, so whoever may create
a version and make it the default runs code as the profile's role (pathfinding.cloud ec2-004).
Launch configurations also name an instance profile: a new group created from an existing one
launches instances with its role (PMapper's Auto Scaling checker).
"""

from __future__ import annotations

from aispm_graph.transforms.aws.builder import AwsBuilder
from aispm_graph.transforms.registry import service


@service(
    "aws",
    "launch-templates",
    reads=[
        ("ec2", "describe_launch_templates"),
        ("ec2", "describe_launch_template_versions"),
        ("autoscaling", "describe_auto_scaling_groups"),
        ("autoscaling", "describe_launch_configurations"),
    ],
    order=45,
)
def launch_templates(b: AwsBuilder) -> None:
    """After IAM (instance profiles) and EC2."""
    profiles = {
        **{str(d.get("name")): nid for nid, d in b.graph.nodes("AWSInstanceProfile")},
        **{nid: nid for nid, _d in b.graph.nodes("AWSInstanceProfile")},
    }
    used: dict[str, list[str]] = {}
    for _body, i, asg in b.items(
        "autoscaling", "describe_auto_scaling_groups", "AutoScalingGroups"
    ):
        with b.guard("describe_auto_scaling_groups", asg, index=i):
            spec = asg.get("LaunchTemplate") or (
                (asg.get("MixedInstancesPolicy") or {}).get("LaunchTemplate") or {}
            ).get("LaunchTemplateSpecification")
            if spec and spec.get("LaunchTemplateId"):
                used.setdefault(spec["LaunchTemplateId"], []).append(asg["AutoScalingGroupName"])
    data_of: dict[str, dict[str, object]] = {}
    for _body, i, v in b.items(
        "ec2", "describe_launch_template_versions", "LaunchTemplateVersions"
    ):
        with b.guard("describe_launch_template_versions", v, index=i):
            data_of[v["LaunchTemplateId"]] = v.get("LaunchTemplateData") or {}
    for body, i, lt in b.items("ec2", "describe_launch_templates", "LaunchTemplates"):
        with b.guard("describe_launch_templates", lt, index=i):
            lt_id = lt["LaunchTemplateId"]
            arn = b.arn("ec2", body["region"], f"launch-template/{lt_id}")
            ref = data_of.get(lt_id, {}).get("IamInstanceProfile") or {}
            prof = ""
            if isinstance(ref, dict):
                prof = profiles.get(str(ref.get("Arn") or ref.get("Name") or ""), "")
            role = b.graph.node(prof).get("role") if prof else None
            b.node(
                arn,
                "EC2LaunchTemplate",
                lt.get("LaunchTemplateName", lt_id),
                body["region"],
                role=role,
                instance_profile=prof or None,
                autoscaling_groups=sorted(used.get(lt_id, [])),
            )
            b.has_role(arn, role, "instance profile of the launch template's default version")
    for body, i, lc in b.items(
        "autoscaling", "describe_launch_configurations", "LaunchConfigurations"
    ):
        with b.guard("describe_launch_configurations", lc, index=i):
            arn = lc["LaunchConfigurationARN"]
            ref = str(lc.get("IamInstanceProfile") or "")  # a name or an ARN
            prof = profiles.get(ref, "")
            role = b.graph.node(prof).get("role") if prof else None
            b.node(
                arn,
                "AutoScalingLaunchConfiguration",
                lc.get("LaunchConfigurationName"),
                body["region"],
                role=role,
                instance_profile=prof or None,
            )
            b.has_role(arn, role, "instance profile of the launch configuration")
