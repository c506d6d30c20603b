"""Cloud Functions (1st and 2nd gen): ingress, URL and runtime identity."""

from __future__ import annotations

from typing import Any

from aispm_graph.transforms.gcp.builder import GcpBuilder
from aispm_graph.transforms.registry import service

CLOUD_FUNCTION = "cloudfunctions.googleapis.com/CloudFunction"
FUNCTION = "cloudfunctions.googleapis.com/Function"


@service("gcp", "cloudfunctions", reads=[CLOUD_FUNCTION, FUNCTION], order=41)
def cloud_functions(b: GcpBuilder) -> None:
    """After IAM (the runtime service account)."""
    b.each((CLOUD_FUNCTION, FUNCTION), _function, policy_only_ok=True)


def _function(b: GcpBuilder, asset: dict[str, Any]) -> None:
    data = asset.get("resource", {}).get("data", {})
    svc = data.get("serviceConfig") or {}
    ingress = svc.get("ingressSettings") or data.get("ingressSettings") or "ALLOW_ALL"
    sa = svc.get("serviceAccountEmail") or data.get("serviceAccountEmail")
    env = svc.get("environmentVariables") or data.get("environmentVariables") or {}
    node = b.add(
        asset,
        "GCPCloudFunction",
        asset["name"].rsplit("/", 1)[-1],
        ingress=str(ingress),
        ingress_all=str(ingress).upper() == "ALLOW_ALL",
        generation="2" if asset["asset_type"].endswith("/Function") and svc else "1",
        url=svc.get("uri") or (data.get("httpsTrigger") or {}).get("url") or data.get("url"),
        http_trigger=bool(svc or data.get("httpsTrigger")),
        env_var_names=sorted(env) if isinstance(env, dict) and env else None,
    )
    b.identity(node, sa or b.default_appengine_sa(node), "Cloud Functions runtime service account")
