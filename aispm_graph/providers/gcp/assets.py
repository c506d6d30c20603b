"""Cloud Asset Inventory records: which types we ask for, one normal form, and no secrets.

Live collection (``AssetServiceClient.list_assets``) and offline import (``gcloud asset export``
NDJSON) both end up as the same plain dict per asset, in the export's snake_case form
(``name``, ``asset_type``, ``resource{data, parent, ...}``, ``iam_policy{bindings}``,
``ancestors``), so one transform serves both.

Some resource data carries secret values in clear text (environment variables of Cloud Run,
Cloud Functions, Vertex model containers and agent engines; instance and Workbench metadata
such as startup scripts; a legacy GKE cluster's basic-auth password and client key). We never
store secret values: :func:`scrub` keeps the names and replaces the values before anything is
written.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# Asset types collected for the AI attack surface. Regular expressions are allowed by
# ListAssets (``aiplatform.googleapis.com.*``) and keep the number of calls down.
ASSET_TYPES: tuple[str, ...] = (
    "cloudresourcemanager.googleapis.com/Organization",
    "cloudresourcemanager.googleapis.com/Folder",
    "cloudresourcemanager.googleapis.com/Project",
    "iam.googleapis.com/Role",
    "iam.googleapis.com/ServiceAccount",
    "iam.googleapis.com/ServiceAccountKey",
    "aiplatform.googleapis.com.*",
    "notebooks.googleapis.com/Instance",
    "compute.googleapis.com/Instance",
    "compute.googleapis.com/Firewall",
    "compute.googleapis.com/Network",
    "compute.googleapis.com/Subnetwork",
    "compute.googleapis.com/Address",
    "compute.googleapis.com/ForwardingRule",
    "compute.googleapis.com/GlobalForwardingRule",
    "compute.googleapis.com/TargetInstance",
    "compute.googleapis.com/TargetPool",
    "storage.googleapis.com/Bucket",
    "run.googleapis.com/Service",
    "cloudfunctions.googleapis.com/CloudFunction",
    "cloudfunctions.googleapis.com/Function",
    "secretmanager.googleapis.com/Secret",
    "container.googleapis.com/Cluster",
    "discoveryengine.googleapis.com.*",
)

CONTENT_TYPES: tuple[str, ...] = ("RESOURCE", "IAM_POLICY")

REDACTED = "<redacted by aispm>"

# Instance / notebook metadata keys whose values are settings, not secrets; every other value
# (startup scripts, ssh keys, user data) is replaced.
SAFE_METADATA_KEYS = frozenset(
    {
        "enable-oslogin",
        "enable-oslogin-2fa",
        "block-project-ssh-keys",
        "serial-port-enable",
        "notebook-disable-root",
        "notebook-disable-downloads",
        "notebook-disable-nbconvert",
        "notebook-disable-terminal",
        "proxy-mode",
        "framework",
        "title",
        "install-nvidia-driver",
        "jupyter-user",
        "idle-timeout-seconds",
        "report-system-health",
        "enable-guest-attributes",
        "disable-legacy-endpoints",
    }
)


class AssetRecordError(ValueError):
    """An asset record lacks a field the transform needs; the message names the field."""


def _get(rec: dict[str, Any], snake: str, camel: str) -> Any:
    return rec[snake] if snake in rec else rec.get(camel)


def normalize(rec: Any) -> dict[str, Any]:
    """One asset in export (snake_case) form; camelCase REST JSON is accepted too."""
    if not isinstance(rec, dict):
        raise AssetRecordError(f"record is a {type(rec).__name__}, not an object")
    name = rec.get("name")
    if not isinstance(name, str) or not name.startswith("//"):
        raise AssetRecordError("field 'name': missing or not a full resource name ('//...')")
    asset_type = _get(rec, "asset_type", "assetType")
    if not isinstance(asset_type, str) or "/" not in asset_type:
        raise AssetRecordError("field 'asset_type': missing or not 'service/Kind'")
    out: dict[str, Any] = {"name": name, "asset_type": asset_type}
    resource = rec.get("resource")
    if resource is not None:
        if not isinstance(resource, dict):
            raise AssetRecordError("field 'resource': not an object")
        data = resource.get("data")
        if data is not None and not isinstance(data, dict):
            raise AssetRecordError("field 'resource.data': not an object")
        for key in ("parent", "location"):
            if resource.get(key) is not None and not isinstance(resource[key], str):
                raise AssetRecordError(f"field 'resource.{key}': not a string")
        out["resource"] = {
            "data": data or {},
            "parent": resource.get("parent") or "",
            "location": resource.get("location") or "",
        }
    policy = _get(rec, "iam_policy", "iamPolicy")
    if policy is not None:
        if not isinstance(policy, dict):
            raise AssetRecordError("field 'iam_policy': not an object")
        bindings = policy.get("bindings") or []
        if not isinstance(bindings, list):
            raise AssetRecordError("field 'iam_policy.bindings': not a list")
        clean = []
        for i, b in enumerate(bindings):
            if not isinstance(b, dict) or not isinstance(b.get("role"), str):
                raise AssetRecordError(f"field 'iam_policy.bindings[{i}].role': missing")
            members = b.get("members") or []
            if not isinstance(members, list) or not all(isinstance(m, str) for m in members):
                raise AssetRecordError(f"field 'iam_policy.bindings[{i}].members': not strings")
            entry: dict[str, Any] = {"role": b["role"], "members": list(members)}
            if isinstance(b.get("condition"), dict) and b["condition"]:
                entry["condition"] = {
                    k: b["condition"].get(k) for k in ("title", "expression") if k in b["condition"]
                }
            clean.append(entry)
        out["iam_policy"] = {"bindings": clean}
    ancestors = rec.get("ancestors")
    if ancestors is not None:
        if not isinstance(ancestors, list) or not all(isinstance(a, str) for a in ancestors):
            raise AssetRecordError("field 'ancestors': not a list of strings")
        out["ancestors"] = list(ancestors)
    org_policy = _get(rec, "org_policy", "orgPolicy")
    if org_policy is not None:
        if not isinstance(org_policy, list):
            raise AssetRecordError("field 'org_policy': not a list")
        out["org_policy"] = [_org_policy(p, i) for i, p in enumerate(org_policy)]
    if "resource" not in out and "iam_policy" not in out and "org_policy" not in out:
        raise AssetRecordError("record has neither 'resource' nor 'iam_policy'")
    return scrub(out)


def _org_policy(pol: Any, i: int) -> dict[str, Any]:
    """One organisation policy (v1 form, as Cloud Asset Inventory exports it)."""
    where = f"field 'org_policy[{i}]"
    if not isinstance(pol, dict):
        raise AssetRecordError(f"{where}': not an object")
    constraint = pol.get("constraint")
    if not isinstance(constraint, str) or not constraint:
        raise AssetRecordError(f"{where}.constraint': missing")
    out: dict[str, Any] = {"constraint": constraint.removeprefix("constraints/")}
    boolean = _get(pol, "boolean_policy", "booleanPolicy")
    if isinstance(boolean, dict):
        out["enforced"] = bool(boolean.get("enforced"))
    listed = _get(pol, "list_policy", "listPolicy")
    if isinstance(listed, dict):
        values: dict[str, Any] = {}
        for snake, camel in (
            ("allowed_values", "allowedValues"),
            ("denied_values", "deniedValues"),
        ):
            got = _get(listed, snake, camel)
            if got is not None:
                if not isinstance(got, list) or not all(isinstance(v, str) for v in got):
                    raise AssetRecordError(f"{where}.list_policy.{snake}': not strings")
                values[snake] = list(got)
        all_values = _get(listed, "all_values", "allValues")
        if isinstance(all_values, str | int):
            # the export writes the enum by name (ALLOW / DENY) or by number (1 / 2)
            values["all_values"] = {"1": "ALLOW", "2": "DENY"}.get(str(all_values), str(all_values))
        out["list"] = values
    if _get(pol, "restore_default", "restoreDefault") is not None:
        out["restore_default"] = True
    return out


def _redact_env(env: Any) -> None:
    if isinstance(env, list):
        for item in env:
            if isinstance(item, dict) and "value" in item:
                item["value"] = REDACTED
    elif isinstance(env, dict):
        for key in env:
            env[key] = REDACTED


def _redact_metadata(meta: Any) -> None:
    if isinstance(meta, dict) and isinstance(meta.get("items"), list):
        for item in meta["items"]:
            if (
                isinstance(item, dict)
                and item.get("key") not in SAFE_METADATA_KEYS
                and ("value" in item)
            ):
                item["value"] = REDACTED
    elif isinstance(meta, dict):
        for key in list(meta):
            if key not in SAFE_METADATA_KEYS and key != "items":
                meta[key] = REDACTED


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def scrub(asset: dict[str, Any]) -> dict[str, Any]:
    """Replace secret values (env vars, metadata scripts) in place; names are kept.

    Records may be malformed in any way; whatever is not the expected shape is left alone.
    """
    data = _obj(asset.get("resource")).get("data")
    if not isinstance(data, dict):
        return asset
    atype = asset["asset_type"]
    if atype == "run.googleapis.com/Service":
        knative = _obj(_obj(_obj(data.get("spec")).get("template")).get("spec"))
        for spec in (knative, _obj(data.get("template"))):
            containers = spec.get("containers")
            for c in containers if isinstance(containers, list) else []:
                _redact_env(_obj(c).get("env"))
    elif atype.startswith("cloudfunctions.googleapis.com/"):
        for holder in (data, _obj(data.get("serviceConfig")), _obj(data.get("buildConfig"))):
            for key in ("environmentVariables", "buildEnvironmentVariables"):
                if key in holder:
                    _redact_env(holder[key])
    elif atype == "compute.googleapis.com/Instance":
        _redact_metadata(data.get("metadata"))
    elif atype == "notebooks.googleapis.com/Instance":
        _redact_metadata(data.get("metadata"))
        _redact_metadata(_obj(data.get("gceSetup")).get("metadata"))
    elif atype == "aiplatform.googleapis.com/Model":
        _redact_env(_obj(data.get("containerSpec")).get("env"))
    elif atype == "aiplatform.googleapis.com/ReasoningEngine":
        _redact_env(_obj(_obj(data.get("spec")).get("deploymentSpec")).get("env"))
    elif atype == "container.googleapis.com/Cluster":
        auth = _obj(data.get("masterAuth"))
        for key in ("password", "clientKey"):  # legacy basic auth / client certificates
            if key in auth:
                auth[key] = REDACTED
    return asset


def read_export(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, normalised asset) from a ``gcloud asset export`` file.

    The export is newline-delimited JSON; a JSON array of assets is accepted too (the form
    the policy-library fixtures use). Raises :class:`AssetRecordError` naming the line.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise AssetRecordError(f"{path}: is not UTF-8 text") from None
    stripped = text.lstrip()
    if stripped.startswith("["):
        try:
            records = json.loads(text)
        except json.JSONDecodeError as exc:
            raise AssetRecordError(
                f"{path}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
            ) from None
        except RecursionError:
            raise AssetRecordError(f"{path}: invalid JSON: nested too deeply") from None
        if not isinstance(records, list):
            raise AssetRecordError(f"{path}: not a JSON array of assets")
        for i, rec in enumerate(records, 1):
            try:
                yield i, normalize(rec)
            except AssetRecordError as exc:
                raise AssetRecordError(f"{path}: record {i}: {exc}") from None
        return
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            raise AssetRecordError(
                f"{path}: line {lineno}: invalid JSON at column {exc.colno}: {exc.msg}"
            ) from None
        except RecursionError:
            raise AssetRecordError(f"{path}: line {lineno}: JSON nested too deeply") from None
        try:
            yield lineno, normalize(rec)
        except AssetRecordError as exc:
            raise AssetRecordError(f"{path}: line {lineno}: {exc}") from None
