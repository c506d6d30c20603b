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

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from aispm_graph.safeload import InputError, loads_json

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
    # Dialogflow CX agents; their webhooks are read from the Dialogflow API (dialogflow.py).
    "dialogflow.googleapis.com/Agent",
    # API keys (their restrictions, never the key string) and the enabled services of each
    # project: which keys can call the Gemini API (generativelanguage.googleapis.com).
    "apikeys.googleapis.com/Key",
    "serviceusage.googleapis.com/Service",
)

CONTENT_TYPES: tuple[str, ...] = ("RESOURCE", "IAM_POLICY")

# Organisation policies are set on these asset types only (the ``ORG_POLICY`` listing).
HIERARCHY_TYPES: tuple[str, ...] = (
    "cloudresourcemanager.googleapis.com/Organization",
    "cloudresourcemanager.googleapis.com/Folder",
    "cloudresourcemanager.googleapis.com/Project",
)

# The constraints the graph reads: the first closes public buckets; the next refuse only
# new configuration, so they are recorded and noted, never used to remove an edge; the last
# refuses new service account keys, which is what the key-creation escalation makes.
WATCHED_CONSTRAINTS: tuple[str, ...] = (
    "storage.publicAccessPrevention",
    "compute.vmExternalIpAccess",
    "iam.allowedPolicyMemberDomains",
    "iam.disableCrossProjectServiceAccountUsage",
    "iam.disableServiceAccountKeyCreation",
)

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
        "install-monitoring-agent",
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
    """One organisation policy in the internal form the transform reads.

    Three input forms are accepted, so every route ends in the same dict: the v1 form Cloud
    Asset Inventory exports and lists (``boolean_policy`` / ``list_policy`` /
    ``restore_default``), the v2 form of the Org Policy API (``name`` ending in
    ``/policies/CONSTRAINT`` and ``spec.rules``; what ``getEffectivePolicy`` returns), and this
    function's own output (records are normalised again when a snapshot is built).
    ``source`` (where the policy was read) and ``effective`` (already merged down the
    hierarchy by Google) are kept.
    """
    where = f"field 'org_policy[{i}]"
    if not isinstance(pol, dict):
        raise AssetRecordError(f"{where}': not an object")
    constraint = pol.get("constraint")
    v2 = "spec" in pol
    if constraint is None and isinstance(pol.get("name"), str) and "/policies/" in pol["name"]:
        constraint, v2 = pol["name"].rsplit("/policies/", 1)[1], True
    if not isinstance(constraint, str) or not constraint:
        raise AssetRecordError(f"{where}.constraint': missing")
    out: dict[str, Any] = {"constraint": constraint.removeprefix("constraints/")}
    if v2:
        out.update(_org_policy_v2(pol.get("spec"), where))
    else:
        out.update(_org_policy_v1(pol, where))
    if isinstance(pol.get("source"), str):
        out["source"] = pol["source"]
    if pol.get("effective") is True:
        out["effective"] = True
    return out


def _string_list(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise AssetRecordError(f"{where}': not strings")
    return list(value)


def _org_policy_v1(pol: dict[str, Any], where: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    boolean = _get(pol, "boolean_policy", "booleanPolicy")
    if isinstance(boolean, dict):
        out["enforced"] = bool(boolean.get("enforced"))
    elif isinstance(pol.get("enforced"), bool):  # the internal form
        out["enforced"] = pol["enforced"]
    listed = _get(pol, "list_policy", "listPolicy")
    prefix = "list_policy"
    if listed is None and isinstance(pol.get("list"), dict):  # the internal form
        listed, prefix = pol["list"], "list"
    if isinstance(listed, dict):
        values: dict[str, Any] = _value_lists(listed, f"{where}.{prefix}")
        all_values = _get(listed, "all_values", "allValues")
        if isinstance(all_values, str | int):
            # written by name (ALLOW / DENY) or by number (1 / 2); 0 means unset
            name = {"1": "ALLOW", "2": "DENY"}.get(str(all_values), str(all_values))
            if name in {"ALLOW", "DENY"}:
                values["all_values"] = name
        out["list"] = values
    if _get(pol, "restore_default", "restoreDefault") not in (None, False):
        out["restore_default"] = True
    if pol.get("conditional") is True:
        out["conditional"] = True
    return out


def _value_lists(container: dict[str, Any], where: str) -> dict[str, list[str]]:
    """``allowed_values`` / ``denied_values`` of a v1 list policy or a v2 rule; the client
    writes empty lists for unset fields, so those are left out."""
    out: dict[str, list[str]] = {}
    for snake, camel in (("allowed_values", "allowedValues"), ("denied_values", "deniedValues")):
        got = _get(container, snake, camel)
        if got is not None:
            vals = _string_list(got, f"{where}.{snake}")
            if vals:
                out[snake] = vals
    return out


def _org_policy_v2(spec: Any, where: str) -> dict[str, Any]:
    """A v2 ``PolicySpec``: rules without a condition decide; conditional rules (tag-based)
    cannot be evaluated here, so they are only counted (``conditional``)."""
    if spec is None:
        return {"restore_default": True}
    if not isinstance(spec, dict):
        raise AssetRecordError(f"{where}.spec': not an object")
    if spec.get("reset") is True:
        return {"restore_default": True}
    rules = spec.get("rules") or []
    if not isinstance(rules, list):
        raise AssetRecordError(f"{where}.spec.rules': not a list")
    out: dict[str, Any] = {}
    values: dict[str, Any] = {}
    listed = False
    for j, rule in enumerate(rules):
        if not isinstance(rule, dict):
            raise AssetRecordError(f"{where}.spec.rules[{j}]': not an object")
        cond = rule.get("condition")
        if isinstance(cond, dict) and cond.get("expression"):
            out["conditional"] = True
            continue
        if "enforce" in rule:
            out["enforced"] = bool(rule["enforce"])
        if _get(rule, "allow_all", "allowAll") is True:
            listed, values["all_values"] = True, "ALLOW"
        if _get(rule, "deny_all", "denyAll") is True:
            listed, values["all_values"] = True, "DENY"
        got = rule.get("values")
        if isinstance(got, dict):
            listed = True
            for key, vals in _value_lists(got, f"{where}.spec.rules[{j}].values").items():
                values[key] = [*values.get(key, []), *vals]
        elif got is not None:
            raise AssetRecordError(f"{where}.spec.rules[{j}].values': not an object")
    if listed:
        out["list"] = values
    if "enforced" not in out and not listed and not out.get("conditional"):
        out["restore_default"] = True  # no rule: the constraint's default applies
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
                # a key that is not a string (hostile or broken export) is never a safe one
                and not (isinstance(item.get("key"), str) and item["key"] in SAFE_METADATA_KEYS)
                and ("value" in item)
            ):
                item["value"] = REDACTED
    elif isinstance(meta, dict):
        for key in list(meta):
            if key not in SAFE_METADATA_KEYS and key != "items":
                meta[key] = REDACTED


def _redact_webhook(web: dict[str, Any]) -> None:
    """A Dialogflow webhook's credentials: the password, OAuth client secret and request
    header values go; the username, header names and token endpoint (how it authenticates)
    stay."""
    if "password" in web:
        web["password"] = REDACTED
    if isinstance(web.get("uri"), str):
        web["uri"] = _redact_uri(web["uri"])
    _redact_env(web.get("requestHeaders"))
    oauth = _obj(web.get("oauthConfig"))
    if "clientSecret" in oauth:
        oauth["clientSecret"] = REDACTED


def _redact_uri(uri: str) -> str:
    """A URI without user information or query values (either may hold a key)."""
    from urllib.parse import urlsplit, urlunsplit

    try:
        parts = urlsplit(uri)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return REDACTED
    query = "&".join(f"{kv.split('=', 1)[0]}={REDACTED}" for kv in parts.query.split("&") if kv)
    return urlunsplit((parts.scheme, f"{host}{port}", parts.path, query, ""))


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
    elif atype == "dialogflow.googleapis.com/Webhook":
        _redact_webhook(_obj(data.get("genericWebService")))
        _redact_webhook(_obj(_obj(data.get("serviceDirectory")).get("genericWebService")))
    elif atype == "container.googleapis.com/Cluster":
        auth = _obj(data.get("masterAuth"))
        for key in ("password", "clientKey"):  # legacy basic auth / client certificates
            if key in auth:
                auth[key] = REDACTED
    elif atype == "apikeys.googleapis.com/Key" and "keyString" in data:
        data["keyString"] = REDACTED  # the bearer secret itself; the API can return it
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
            records = loads_json(text, str(path))
        except InputError as exc:
            raise AssetRecordError(str(exc)) from None
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
            rec = loads_json(line, f"{path}: line {lineno}")
        except InputError as exc:
            raise AssetRecordError(str(exc)) from None
        try:
            yield lineno, normalize(rec)
        except AssetRecordError as exc:
            raise AssetRecordError(f"{path}: line {lineno}: {exc}") from None
