"""Cloud Run services: ingress, invoker IAM, images, environment names and identity."""

from __future__ import annotations

from typing import Any

from aispm_graph.transforms.gcp.builder import GcpBuilder
from aispm_graph.transforms.registry import service

SERVICE = "run.googleapis.com/Service"


@service("gcp", "run", reads=[SERVICE], order=40)
def cloud_run(b: GcpBuilder) -> None:
    """After IAM (the runtime service account)."""
    b.each((SERVICE,), _run_service, policy_only_ok=True)


def _run_service(b: GcpBuilder, asset: dict[str, Any]) -> None:
    data = asset.get("resource", {}).get("data", {})
    meta = data.get("metadata") or {}
    annotations = meta.get("annotations") or {}
    ingress = data.get("ingress") or annotations.get("run.googleapis.com/ingress") or "all"
    ingress_all = str(ingress).lower() in {"all", "ingress_traffic_all"}
    tmpl = data.get("template") or {}
    k_spec = ((data.get("spec") or {}).get("template") or {}).get("spec") or {}
    sa = tmpl.get("serviceAccount") or k_spec.get("serviceAccountName")
    containers = tmpl.get("containers") or k_spec.get("containers") or []
    images = [str(c.get("image")) for c in containers if isinstance(c, dict) and c.get("image")]
    env_names = sorted(
        str(e.get("name"))
        for c in containers
        if isinstance(c, dict)
        for e in c.get("env") or []
        if isinstance(e, dict) and e.get("name")
    )
    node = b.add(
        asset,
        "GCPCloudRunService",
        str(meta.get("name") or asset["name"].rsplit("/", 1)[-1]),
        ingress=str(ingress),
        ingress_all=ingress_all,
        invoker_iam_disabled=bool(
            data.get("invokerIamDisabled")
            or str(annotations.get("run.googleapis.com/invoker-iam-disabled", "")).lower() == "true"
        ),
        url=data.get("uri") or (data.get("status") or {}).get("url"),
        images=images or None,
        env_var_names=env_names or None,
    )
    b.identity(node, sa or b.default_compute_sa(node), "Cloud Run service identity")
