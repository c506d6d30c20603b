"""Lambda: functions, their URL, resource policy, image, triggers and execution role.

Environment variable *values* never reach the snapshot (the collector keeps only the names);
if an older snapshot still has them, only the names are read here.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from aispm_graph.transforms.aws.builder import AwsBuilder, policy_doc
from aispm_graph.transforms.registry import service


@service(
    "aws",
    "lambda",
    reads=[
        ("lambda", "get_function_url_config"),
        ("lambda", "get_policy"),
        ("lambda", "get_function"),
        ("lambda", "list_event_source_mappings"),
        ("lambda", "list_functions"),
    ],
    order=60,
)
def lambdas(b: AwsBuilder) -> None:
    """Functions after IAM, so the execution role is linked when it is in the estate."""
    urls: dict[str, dict[str, Any]] = {}
    for i, body in enumerate(b.responses("lambda", "get_function_url_config")):
        with b.guard("get_function_url_config", body.get("params"), index=i):
            urls[str(body["params"].get("FunctionName", ""))] = body["response"]
    pols: dict[str, Any] = {}
    for i, body in enumerate(b.responses("lambda", "get_policy")):
        with b.guard("get_policy", body.get("params"), index=i):
            pols[str(body["params"].get("FunctionName", ""))] = policy_doc(
                body["response"].get("Policy")
            )
    images: dict[str, str] = {}
    for i, body in enumerate(b.responses("lambda", "get_function")):
        with b.guard("get_function", body.get("params"), index=i):
            uri = (body["response"].get("Code") or {}).get("ImageUri")
            if uri:
                images[str(body["params"].get("FunctionName", ""))] = uri
    triggers: dict[str, int] = defaultdict(int)
    for i, body in enumerate(b.responses("lambda", "list_event_source_mappings")):
        with b.guard("list_event_source_mappings", body.get("params"), index=i):
            mappings = body["response"].get("EventSourceMappings", [])
            triggers[str(body["params"].get("FunctionName", ""))] += (
                len(mappings) if isinstance(mappings, list) else 0
            )
    for body, i, fn in b.items("lambda", "list_functions", "Functions"):
        with b.guard("list_functions", fn, index=i):
            _function(b, body["region"], fn, urls, pols, images, triggers)


def _function(
    b: AwsBuilder,
    region: str,
    fn: dict[str, Any],
    urls: dict[str, dict[str, Any]],
    pols: dict[str, Any],
    images: dict[str, str],
    triggers: dict[str, int],
) -> None:
    arn = fn["FunctionArn"]
    env = fn.get("Environment") or {}
    names = env.get("VariableNames")
    if names is None and isinstance(env.get("Variables"), dict):
        names = sorted(env["Variables"])  # values are dropped, never stored
    url = urls.get(arn) or {}
    b.node(
        arn,
        "AWSLambda",
        fn.get("FunctionName", arn),
        region,
        url_auth_type=url.get("AuthType"),
        function_url=url.get("FunctionUrl"),
        env_var_names=list(names or []),
        runtime=fn.get("Runtime"),
        package_type=fn.get("PackageType"),
        role=fn.get("Role"),
        resource_policy=pols.get(arn),
        event_sources=triggers.get(arn, 0),
    )
    if arn in images:
        b.graph.add_node(images[arn], "ContainerImage", images[arn], uri=images[arn])
        b.graph.add_edge(arn, images[arn], "RUNS_IMAGE")
    b.has_role(
        arn,
        fn.get("Role"),
        "Lambda execution role",
        fix=f"Give {fn.get('FunctionName')} a dedicated execution "
        f"role with only the permissions it needs",
    )
