"""ECS: task definitions, the images they run and the task role they run as."""

from __future__ import annotations

from aispm_graph.transforms.aws.builder import AwsBuilder
from aispm_graph.transforms.registry import service


@service("aws", "ecs", reads=[("ecs", "describe_task_definition")], order=70)
def ecs(b: AwsBuilder) -> None:
    """Task definitions after IAM (the task role is linked when it is in the estate)."""
    for body in b.responses("ecs", "describe_task_definition"):
        td = body["response"].get("taskDefinition") or {}
        with b.guard("describe_task_definition", td):
            arn = td.get("taskDefinitionArn")
            if not arn:
                continue
            containers = td.get("containerDefinitions", [])
            b.node(
                arn,
                "ECSTaskDefinition",
                f"{td.get('family')}:{td.get('revision')}",
                body["region"],
                images=[c.get("image") for c in containers],
                env_var_names=sorted(
                    {
                        e.get("name")
                        for c in containers
                        for e in c.get("environment", [])
                        if e.get("name")
                    }
                ),
            )
            for c in containers:
                img = c.get("image")
                if img:
                    b.graph.add_node(img, "ContainerImage", img, uri=img)
                    b.graph.add_edge(arn, img, "RUNS_IMAGE")
            b.has_role(arn, td.get("taskRoleArn"), "ECS task role")
