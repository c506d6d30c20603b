"""Cloud Storage buckets: public access prevention, uniform access, public ACLs, CMK."""

from __future__ import annotations

from typing import Any

from aispm_graph.knowledge.gcp.names import bucket_id
from aispm_graph.transforms.gcp.builder import GcpBuilder
from aispm_graph.transforms.registry import service

BUCKET = "storage.googleapis.com/Bucket"


@service("gcp", "storage", reads=[BUCKET], order=30)
def storage(b: GcpBuilder) -> None:
    """Buckets keep the AI ``data_role`` a Vertex service may already have marked on a
    placeholder."""
    b.each((BUCKET,), _bucket, policy_only_ok=True)


def _bucket(b: GcpBuilder, asset: dict[str, Any]) -> None:
    data = asset.get("resource", {}).get("data", {})
    name = str(data.get("name") or asset["name"].rsplit("/", 1)[-1])
    iam_conf = data.get("iamConfiguration") or {}
    pap = str(iam_conf.get("publicAccessPrevention") or "inherited")
    ubla = (iam_conf.get("uniformBucketLevelAccess") or {}).get("enabled")
    props: dict[str, Any] = {
        "public_access_prevention": pap,
        "uniform_access": ubla,
        "cmk": bool((data.get("encryption") or {}).get("defaultKmsKeyName")) if data else None,
        "region": str(data.get("location") or "").lower() or None,
    }
    if pap != "enforced" and not ubla:
        for acl_key, access in (("acl", "bucket"), ("defaultObjectAcl", "objects")):
            for entry in data.get(acl_key) or []:
                entity = str(entry.get("entity") or "")
                if entity in {"allUsers", "allAuthenticatedUsers"}:
                    role = str(entry.get("role") or "")
                    if access == "objects" and role in {"READER", "OWNER"}:
                        props["public_read"] = True
                        props["public_read_grant"] = f"default object ACL {role} for {entity}"
                    if access == "bucket" and role in {"WRITER", "OWNER"}:
                        props["public_write"] = True
                        props["public_write_grant"] = f"bucket ACL {role} for {entity}"
    node_id = bucket_id(name)
    existing = b.graph.node(node_id) if b.graph.has_node(node_id) else None
    roles = list(existing.get("data_role") or []) if existing else []
    b.add(asset, "GCPBucket", name, **props)
    if roles:
        b.graph.set_prop(node_id, "data_role", roles)
