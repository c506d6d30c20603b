"""Live AWS collection with boto3: raw API responses into workspace documents.

Collectors only collect: every call's response is stored as it came back (pages merged, the
``ResponseMetadata`` dropped), keyed by service, region, operation and the resource it was
about, so the transform can be tested offline and a snapshot can be rebuilt later.

* Credentials and endpoints come from boto3's own chain (profile, environment, SSO, instance
  role; ``AWS_ENDPOINT_URL`` and ``AWS_ENDPOINT_URL_<SERVICE>``), never from our options.
* Each (service, region) pair is one task in a bounded thread pool; retries are boto3's
  ``adaptive`` mode, which backs off client-side on throttling.
* A denied or unsupported call never stops the run: it lands in the coverage table
  (service x region: ok / partial / denied / failed, see :mod:`aispm_graph.providers.coverage`)
  that the CLI prints and stores; a service where some calls answered is ``partial``.
* Secret values are never read: Secrets Manager is listed and its resource policies are read;
  Lambda environment variable *values* are removed before anything is stored.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aispm_graph.knowledge.aws.s3 import BUCKET_OPS
from aispm_graph.progress import NULL, Reporter
from aispm_graph.providers.aws.incremental import PreviousCollect, plan_reuse
from aispm_graph.providers.aws.script_secrets import decode_script, scan_script
from aispm_graph.providers.coverage import Coverage, Status
from aispm_graph.workspace import Document

GLOBAL = "global"
BEDROCK_SERVICE_NAME = "bedrock.amazonaws.com"
# Enough recent Bedrock events to show the region is in use (and by which calls), few enough
# to stay one page of CloudTrail's event history.
BEDROCK_EVENT_SAMPLE = 50
DENIED_CODES = {
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "AuthorizationError",
    "UnrecognizedClientException",
}
# Errors that mean "this resource has no such configuration", which is data, not a failure.
ABSENT_CODES = {
    "NoSuchBucketPolicy",
    "NoSuchPublicAccessBlockConfiguration",
    "NoSuchPublicAccessBlock",
    "ResourceNotFoundException",
    "ServerSideEncryptionConfigurationNotFoundError",
    "NoSuchEntity",
    "NoSuchBucket",
    "ValidationException",
    "AWSOrganizationsNotInUseException",
}

SERVICES = (
    "iam",
    "organizations",
    "ec2",
    "elbv2",
    "lambda",
    "ecr",
    "ecs",
    "eks",
    "s3",
    "secretsmanager",
    "kms",
    "sagemaker",
    "bedrock",
    "bedrock-agent",
    "bedrock-agentcore",
    "bedrock-flows",
    "opensearchserverless",
    "cloudformation",
    "codebuild",
    "glue",
    "autoscaling",
    "ssm",
    "logs",
    "cloudtrail",
)
GLOBAL_SERVICES = {"iam", "organizations", "s3"}


class CollectError(RuntimeError):
    """Collection cannot produce a usable snapshot (no identity, bad region list, ...)."""


@dataclass
class CollectOptions:
    profile: str | None = None
    regions: list[str] | None = None  # None: the session's region; ["all"]: every enabled one
    services: tuple[str, ...] = SERVICES
    max_workers: int = 8
    max_attempts: int = 0  # 0: AWS_MAX_ATTEMPTS or 8
    # A ready boto3 Session (an assumed-role session of an organisation run); None: ``profile``
    # and the standard chain.
    session: Any = None
    # Incremental collect: the earlier collect of an account (by id), or None for a full one.
    previous: Callable[[str], PreviousCollect | None] | None = None


@dataclass
class CollectResult:
    account_id: str
    caller_arn: str
    regions: list[str]
    documents: list[Document]
    coverage: list[Coverage]
    seconds: float
    started: datetime | None = None
    # How an incremental collect decided (None for a plain full collect).
    incremental: dict[str, Any] | None = None

    def coverage_table(self) -> list[dict[str, Any]]:
        """Coverage rows as stored and printed (``scope`` is the region)."""
        return [c.as_dict() for c in sorted(self.coverage, key=lambda c: (c.service, c.scope))]


def strip_metadata(resp: Any) -> Any:
    if isinstance(resp, dict):
        return {k: v for k, v in resp.items() if k != "ResponseMetadata"}
    return resp


def jsonable(value: Any) -> Any:
    """boto3 gives datetimes and streaming bodies; the snapshot stores plain JSON."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


class _Task:
    """Collects one service in one region, recording documents and coverage."""

    def __init__(self, client: Any, service: str, region: str, account: str) -> None:
        self.client = client
        self.service = service
        self.region = region
        self.account = account
        self.docs: list[Document] = []
        self.coverage = Coverage(service, region)
        # How the last failed call ended ('absent', 'denied', 'failed'): an absent answer is
        # data for some operations (a user without a console password).
        self.last_outcome: str | None = None

    def _error(self, op: str, exc: Exception) -> str | None:
        """Classify an error; returns 'absent' for expected not-found answers."""
        from botocore.exceptions import ClientError, EndpointConnectionError

        if isinstance(exc, ClientError):
            code = str(exc.response.get("Error", {}).get("Code", ""))
            status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
            if code in ABSENT_CODES or (status == 404 and code not in DENIED_CODES):
                return "absent"
            if code in DENIED_CODES or status == 403:
                self.coverage.record("denied", f"{op}: {code}")
                return "denied"
            if status >= 500 or code in {"500", "501"}:
                msg = f"{op}: not supported by the endpoint (HTTP {status})"
            else:
                msg = f"{op}: {code or status}: {exc}"[:300]
            self.coverage.record("failed", msg)
            return "failed"
        if isinstance(exc, EndpointConnectionError):
            self.coverage.record("failed", f"{op}: service not available in {self.region}")
            return "failed"
        self.coverage.record("failed", f"{op}: {type(exc).__name__}: {exc}"[:300])
        return "failed"

    def call(self, op: str, key: str = "", *, store: bool = True, **params: Any) -> Any:
        """Call (and page through) one operation; None when it failed or the thing is absent."""
        self.coverage.calls += 1
        self.last_outcome = None
        try:
            if self.client.can_paginate(op):
                merged: dict[str, Any] = {}
                for page in self.client.get_paginator(op).paginate(**params):
                    for k, v in strip_metadata(page).items():
                        if isinstance(v, list):
                            merged.setdefault(k, []).extend(v)
                        elif k not in merged:
                            merged[k] = v
                for tok in ("NextToken", "nextToken", "Marker", "NextMarker", "IsTruncated"):
                    merged.pop(tok, None)
                resp: Any = merged
            else:
                resp = strip_metadata(getattr(self.client, op)(**params))
        except Exception as exc:
            self.last_outcome = self._error(op, exc)
            return None
        self.coverage.succeeded()
        if store:
            self.put(op, key, params, resp)
        return resp

    def put(self, op: str, key: str, params: dict[str, Any], resp: Any) -> None:
        doc_key = "/".join(p for p in (self.service, self.region, op, key) if p)
        body = {
            "service": self.service,
            "region": self.region,
            "operation": op,
            "params": jsonable(params),
            "response": jsonable(resp),
        }
        self.docs.append(Document("aws", self.account, doc_key, body))


# -- per-service collection ---------------------------------------------------------------------


def _iam(t: _Task) -> None:
    details = t.call("get_account_authorization_details")
    if details is None:
        return
    for user in details.get("UserDetailList", []):
        name = user["UserName"]
        keys = t.call("list_access_keys", name, store=False, UserName=name)
        if keys is None:
            continue
        for meta in keys.get("AccessKeyMetadata", []):
            last = t.call("get_access_key_last_used", store=False, AccessKeyId=meta["AccessKeyId"])
            if last is not None:
                meta["AccessKeyLastUsed"] = last.get("AccessKeyLastUsed")
        t.put("list_access_keys", name, {"UserName": name}, keys)
        # Long-term Bedrock API keys are service-specific credentials of the user: metadata
        # only (id, status, dates); the secret is shown once at creation and never listed.
        t.call(
            "list_service_specific_credentials",
            name,
            UserName=name,
            ServiceName=BEDROCK_SERVICE_NAME,
        )
    for user in details.get("UserDetailList", []):
        # Whether a user has a console password decides Create- vs UpdateLoginProfile.
        name = user["UserName"]
        profile = t.call("get_login_profile", store=False, UserName=name)
        if profile is not None:
            t.put("get_login_profile", name, {"UserName": name}, profile)
        elif t.last_outcome == "absent":
            t.put("get_login_profile", name, {"UserName": name}, {"LoginProfile": None})


def _organizations(t: _Task) -> None:
    org = t.call("describe_organization")
    if org is None:
        return
    t.call("list_roots")
    pols = t.call("list_policies", "SERVICE_CONTROL_POLICY", Filter="SERVICE_CONTROL_POLICY")
    # The chain of parents (account, OUs, root) decides which SCPs apply to this account.
    child = t.account
    for _ in range(10):
        parents = t.call("list_parents", child, ChildId=child)
        if not parents or not parents.get("Parents"):
            break
        parent = parents["Parents"][0]
        if parent.get("Type") == "ROOT":
            break
        child = parent["Id"]
    # AI services opt-out policies decide whether AWS AI services may keep the content they
    # process; read like SCPs (content and targets), for the AWS-ORG-001 check.
    ai = t.call("list_policies", "AISERVICES_OPT_OUT_POLICY", Filter="AISERVICES_OPT_OUT_POLICY")
    for p in [*(pols or {}).get("Policies", []), *(ai or {}).get("Policies", [])]:
        t.call("describe_policy", p["Id"], PolicyId=p["Id"])
        t.call("list_targets_for_policy", p["Id"], PolicyId=p["Id"])


def _ec2(t: _Task) -> None:
    for op in (
        "describe_instances",
        "describe_security_groups",
        "describe_network_interfaces",
        "describe_subnets",
        "describe_vpcs",
        "describe_route_tables",
        "describe_internet_gateways",
        "describe_network_acls",
        "describe_vpc_endpoints",
    ):
        t.call(op)
    # Launch templates, with the default version's data (its instance profile): a new default
    # version is what an Auto Scaling group launches next.
    templates = t.call("describe_launch_templates")
    for lt in (templates or {}).get("LaunchTemplates", []):
        t.call(
            "describe_launch_template_versions",
            lt["LaunchTemplateId"],
            LaunchTemplateId=lt["LaunchTemplateId"],
            Versions=["$Default"],
        )


def _autoscaling(t: _Task) -> None:
    t.call("describe_auto_scaling_groups")
    # Launch configurations name an instance profile: a new group from one runs as its role.
    # Their user data can hold secrets: only whether there is some is kept.
    lcs = t.call("describe_launch_configurations", store=False)
    if lcs is not None:
        for lc in lcs.get("LaunchConfigurations", []):
            if isinstance(lc, dict) and "UserData" in lc:
                lc["UserData"] = bool(lc["UserData"])
        t.put("describe_launch_configurations", "", {}, lcs)


def _elbv2(t: _Task) -> None:
    lbs = t.call("describe_load_balancers")
    for lb in (lbs or {}).get("LoadBalancers", []):
        t.call("describe_listeners", lb["LoadBalancerArn"], LoadBalancerArn=lb["LoadBalancerArn"])
    tgs = t.call("describe_target_groups")
    for tg in (tgs or {}).get("TargetGroups", []):
        arn = tg["TargetGroupArn"]
        t.call("describe_target_health", arn, TargetGroupArn=arn)


def _lambda(t: _Task) -> None:
    fns = t.call("list_functions", store=False)
    if fns is None:
        return
    for fn in fns.get("Functions", []):
        env = fn.get("Environment")
        if isinstance(env, dict) and isinstance(env.get("Variables"), dict):
            # Values can be API keys; only the names are ever kept.
            env["VariableNames"] = sorted(env.pop("Variables"))
    t.put("list_functions", "", {}, fns)
    for fn in fns.get("Functions", []):
        name = fn["FunctionArn"]
        t.call("get_function_url_config", fn["FunctionName"], FunctionName=name)
        t.call("get_policy", fn["FunctionName"], FunctionName=name)
        t.call("list_event_source_mappings", fn["FunctionName"], FunctionName=name)
        if fn.get("PackageType") == "Image":
            got = t.call("get_function", store=False, FunctionName=name)
            code = (got or {}).get("Code") or {}
            if code.get("ImageUri"):
                # Only the image reference: Code.Location is a presigned download URL.
                t.put(
                    "get_function",
                    fn["FunctionName"],
                    {"FunctionName": name},
                    {
                        "Code": {
                            "ImageUri": code["ImageUri"],
                            "ResolvedImageUri": code.get("ResolvedImageUri"),
                        }
                    },
                )


def _ecr(t: _Task) -> None:
    t.call("describe_repositories")


def _ecs(t: _Task) -> None:
    defs = t.call("list_task_definitions", store=False)
    for arn in (defs or {}).get("taskDefinitionArns", []):
        t.call("describe_task_definition", arn.rsplit("/", 1)[-1], taskDefinition=arn)
    clusters = t.call("list_clusters")
    for c in (clusters or {}).get("clusterArns", []):
        svcs = t.call("list_services", c.rsplit("/", 1)[-1], cluster=c, store=False)
        arns = (svcs or {}).get("serviceArns", [])
        for i in range(0, len(arns), 10):
            t.call(
                "describe_services",
                f"{c.rsplit('/', 1)[-1]}/{i}",
                cluster=c,
                services=arns[i : i + 10],
            )


def _eks(t: _Task) -> None:
    clusters = t.call("list_clusters", store=False)
    for name in (clusters or {}).get("clusters", []):
        t.call("describe_cluster", name, name=name)


def _s3(t: _Task) -> None:
    buckets = t.call("list_buckets")
    for b in (buckets or {}).get("Buckets", []):
        name = b["Name"]
        for op in BUCKET_OPS:
            t.call(op, name, Bucket=name)


def _s3control(t: _Task) -> None:
    t.call("get_public_access_block", t.account, AccountId=t.account)


def _secretsmanager(t: _Task) -> None:
    secrets = t.call("list_secrets")
    for s in (secrets or {}).get("SecretList", []):
        t.call("get_resource_policy", s["Name"], SecretId=s["ARN"])


def _sagemaker(t: _Task) -> None:
    for list_op, field_name, describe, param, name_key in (
        (
            "list_notebook_instances",
            "NotebookInstances",
            "describe_notebook_instance",
            "NotebookInstanceName",
            "NotebookInstanceName",
        ),
        ("list_models", "Models", "describe_model", "ModelName", "ModelName"),
        ("list_endpoints", "Endpoints", "describe_endpoint", "EndpointName", "EndpointName"),
        (
            "list_endpoint_configs",
            "EndpointConfigs",
            "describe_endpoint_config",
            "EndpointConfigName",
            "EndpointConfigName",
        ),
        (
            "list_training_jobs",
            "TrainingJobSummaries",
            "describe_training_job",
            "TrainingJobName",
            "TrainingJobName",
        ),
        ("list_domains", "Domains", "describe_domain", "DomainId", "DomainId"),
        # The AI-BOM beyond serving (issue 20): registry, MLOps and feature data.
        (
            "list_model_package_groups",
            "ModelPackageGroupSummaryList",
            "describe_model_package_group",
            "ModelPackageGroupName",
            "ModelPackageGroupName",
        ),
        (
            "list_inference_components",
            "InferenceComponents",
            "describe_inference_component",
            "InferenceComponentName",
            "InferenceComponentName",
        ),
        (
            "list_processing_jobs",
            "ProcessingJobSummaries",
            "describe_processing_job",
            "ProcessingJobName",
            "ProcessingJobName",
        ),
        (
            "list_pipelines",
            "PipelineSummaries",
            "describe_pipeline",
            "PipelineName",
            "PipelineName",
        ),
        (
            "list_feature_groups",
            "FeatureGroupSummaries",
            "describe_feature_group",
            "FeatureGroupName",
            "FeatureGroupName",
        ),
    ):
        # The processing job listing is kept even when empty: no Clarify job is AWS-SM-023.
        listed = t.call(list_op, store=list_op == "list_processing_jobs")
        for item in (listed or {}).get(field_name, []):
            name = item[name_key]
            t.call(describe, name, **{param: name})
            if describe == "describe_model_package_group":
                # Cross-account sharing of the registry is its resource policy; its versions
                # (with their approval status) are the packages models are deployed from.
                t.call("get_model_package_group_policy", name, ModelPackageGroupName=name)
                t.call("list_model_packages", name, ModelPackageGroupName=name)
            arn = item.get("ModelArn") or item.get("EndpointArn")
            if arn and describe in ("describe_model", "describe_endpoint"):
                # Tags carry the SageMaker SDK's JumpStart model id and version (provenance).
                kind = "model" if describe == "describe_model" else "endpoint"
                t.call("list_tags", f"{kind}/{name}", ResourceArn=arn)
    _lifecycle_scans(t, "describe_notebook_instance_lifecycle_config")
    # Model Monitor schedules name the endpoints they watch (AWS-SM-021).
    t.call("list_monitoring_schedules")
    # Studio: spaces and running apps are keyed by domain (and app type and owner).
    spaces = t.call("list_spaces", store=False)
    for sp in (spaces or {}).get("Spaces", []):
        t.call(
            "describe_space",
            f"{sp['DomainId']}/{sp['SpaceName']}",
            DomainId=sp["DomainId"],
            SpaceName=sp["SpaceName"],
        )
    apps = t.call("list_apps", store=False)
    for app in (apps or {}).get("Apps", []):
        owner = (
            {"SpaceName": app["SpaceName"]}
            if app.get("SpaceName")
            else {"UserProfileName": app["UserProfileName"]}
            if app.get("UserProfileName")
            else {}
        )
        t.call(
            "describe_app",
            f"{app['DomainId']}/{app['AppType']}/{app['AppName']}",
            DomainId=app["DomainId"],
            AppType=app["AppType"],
            AppName=app["AppName"],
            **owner,
        )


def _lifecycle_scans(t: _Task, op: str) -> None:
    """Notebook lifecycle configurations, scanned for secrets and stored without their
    scripts (they run as root and may hold the very keys the scan looks for)."""
    seen: set[str] = set()
    for doc in [d for d in t.docs if d.body["operation"] == "describe_notebook_instance"]:
        name = doc.body["response"].get("NotebookInstanceLifecycleConfigName")
        if not isinstance(name, str) or not name or name in seen:
            continue
        seen.add(name)
        got = t.call(op, store=False, NotebookInstanceLifecycleConfigName=name)
        if got is None:
            continue
        findings = {
            hook: [
                f"{hook} {where}"
                for script in got.get(hook) or []
                if isinstance(script, dict)
                for where in scan_script(decode_script(script.get("Content")))
            ]
            for hook in ("OnCreate", "OnStart")
        }
        t.put(
            op,
            name,
            {"NotebookInstanceLifecycleConfigName": name},
            {
                "NotebookInstanceLifecycleConfigName": name,
                "NotebookInstanceLifecycleConfigArn": got.get("NotebookInstanceLifecycleConfigArn"),
                "SecretFindings": findings["OnCreate"] + findings["OnStart"],
            },
        )


def _bedrock(t: _Task) -> None:
    models = t.call("list_custom_models", store=False)
    for m in (models or {}).get("modelSummaries", []):
        t.call("get_custom_model", m["modelName"], modelIdentifier=m["modelArn"])
        # Tags say who owns a model and how its data is classified (AWS-BR-026).
        t.call("list_tags_for_resource", m["modelName"], resourceARN=m["modelArn"])
    # Which of them the account owns: a model shared in through RAM is listed above too, but
    # its key and settings belong to the owner, so its findings are not this account's to fix.
    t.call("list_custom_models", "owned", isOwned=True)
    t.call("list_provisioned_model_throughputs")
    guardrails = t.call("list_guardrails", store=False)
    for g in (guardrails or {}).get("guardrails", []):
        t.call("get_guardrail", g["id"], guardrailIdentifier=g["id"])
    t.call("get_model_invocation_logging_configuration")
    # The models the account can use, and every other way it serves or makes one (issue 20).
    fms = t.call("list_foundation_models")
    for fm in (fms or {}).get("modelSummaries", []):
        mid = fm.get("modelId")
        if mid and "ON_DEMAND" in (fm.get("inferenceTypesSupported") or []):
            t.call("get_foundation_model_availability", mid, modelId=mid)
    t.call("list_inference_profiles")
    t.call("list_inference_profiles", "APPLICATION", typeEquals="APPLICATION")
    imported = t.call("list_imported_models", store=False)
    for m in (imported or {}).get("modelSummaries", []):
        t.call("get_imported_model", m["modelName"], modelIdentifier=m["modelArn"])
    endpoints = t.call("list_marketplace_model_endpoints", store=False)
    for e in (endpoints or {}).get("marketplaceModelEndpoints", []):
        t.call("get_marketplace_model_endpoint", e["endpointArn"], endpointArn=e["endpointArn"])
    jobs = t.call("list_model_customization_jobs", store=False)
    for j in (jobs or {}).get("modelCustomizationJobSummaries", []):
        t.call("get_model_customization_job", j["jobName"], jobIdentifier=j["jobName"])


def _bedrock_agent(t: _Task) -> None:
    agents = t.call("list_agents", store=False)
    for a in (agents or {}).get("agentSummaries", []):
        aid = a["agentId"]
        t.call("get_agent", aid, agentId=aid)
        t.call("list_agent_aliases", aid, agentId=aid)
        groups = t.call(
            "list_agent_action_groups", aid, store=False, agentId=aid, agentVersion="DRAFT"
        )
        for g in (groups or {}).get("actionGroupSummaries", []):
            gid = g["actionGroupId"]
            t.call(
                "get_agent_action_group",
                f"{aid}/{gid}",
                agentId=aid,
                agentVersion="DRAFT",
                actionGroupId=gid,
            )
        t.call("list_agent_knowledge_bases", aid, agentId=aid, agentVersion="DRAFT")
        t.call("list_agent_collaborators", aid, agentId=aid, agentVersion="DRAFT")
    kbs = t.call("list_knowledge_bases", store=False)
    for kb in (kbs or {}).get("knowledgeBaseSummaries", []):
        kid = kb["knowledgeBaseId"]
        t.call("get_knowledge_base", kid, knowledgeBaseId=kid)
        sources = t.call("list_data_sources", kid, store=False, knowledgeBaseId=kid)
        for ds in (sources or {}).get("dataSourceSummaries", []):
            t.call(
                "get_data_source",
                f"{kid}/{ds['dataSourceId']}",
                knowledgeBaseId=kid,
                dataSourceId=ds["dataSourceId"],
            )


def _names_only(resp: Any, key: str) -> None:
    """Replace a map of environment values by its names: values can be API keys."""
    if isinstance(resp, dict) and isinstance(resp.get(key), dict):
        resp[f"{key}Names"] = sorted(resp.pop(key))


def _memory_references(resp: Any, memory_ids: set[str]) -> None:
    """Keep, of a runtime's environment, only which variable names which memory: a value
    that is exactly the id or ARN of a memory of the account (never any other value)."""
    env = resp.get("environmentVariables") if isinstance(resp, dict) else None
    if not isinstance(env, dict):
        return
    refs = [
        {"variable": str(name), "memory": str(value)}
        for name, value in sorted(env.items())
        if isinstance(value, str) and value in memory_ids
    ]
    if refs:
        resp["memoryReferences"] = refs


def _bedrock_agentcore(t: _Task) -> None:
    """AgentCore control plane: runtimes (+ endpoints, resource policy), gateways and their
    targets, memories, code interpreters, browsers, workload identities and credential
    providers (names and ARNs only; the secrets stay in the token vault)."""
    # Memories first: a runtime names the memory its agent uses in an environment variable,
    # and only those references survive the removal of the values.
    memory_ids: set[str] = set()
    memories = t.call("list_memories", store=False)
    for m in (memories or {}).get("memories", []):
        got_m = t.call("get_memory", m["id"], memoryId=m["id"])
        memory_ids.add(str(m["id"]))
        arn = ((got_m or {}).get("memory") or {}).get("arn") or m.get("arn")
        if arn:
            memory_ids.add(str(arn))
    runtimes = t.call("list_agent_runtimes", store=False)
    for r in (runtimes or {}).get("agentRuntimes", []):
        rid = r["agentRuntimeId"]
        got = t.call("get_agent_runtime", rid, store=False, agentRuntimeId=rid)
        if got is not None:
            _memory_references(got, memory_ids)
            _names_only(got, "environmentVariables")
            t.put("get_agent_runtime", rid, {"agentRuntimeId": rid}, got)
        t.call("list_agent_runtime_endpoints", rid, agentRuntimeId=rid)
        if r.get("agentRuntimeArn"):
            t.call("get_resource_policy", rid, resourceArn=r["agentRuntimeArn"])
    gateways = t.call("list_gateways", store=False)
    for g in (gateways or {}).get("items", []):
        gid = g["gatewayId"]
        got = t.call("get_gateway", gid, gatewayIdentifier=gid)
        if got and got.get("gatewayArn"):
            t.call("get_resource_policy", gid, resourceArn=got["gatewayArn"])
        targets = t.call("list_gateway_targets", gid, store=False, gatewayIdentifier=gid)
        for tg in (targets or {}).get("items", []):
            tid = tg["targetId"]
            t.call("get_gateway_target", f"{gid}/{tid}", gatewayIdentifier=gid, targetId=tid)
    interpreters = t.call("list_code_interpreters", store=False)
    for ci in (interpreters or {}).get("codeInterpreterSummaries", []):
        cid = ci["codeInterpreterId"]
        t.call("get_code_interpreter", cid, codeInterpreterId=cid)
    browsers = t.call("list_browsers", store=False)
    for br in (browsers or {}).get("browserSummaries", []):
        t.call("get_browser", br["browserId"], browserId=br["browserId"])
    t.call("list_workload_identities")
    t.call("list_oauth2_credential_providers")
    t.call("list_api_key_credential_providers")


def _bedrock_flows(t: _Task) -> None:
    """Bedrock Prompt Management and Flows (the bedrock-agent API, apart from agents)."""
    # Stored even when empty: no prompt in a region that uses Bedrock is AWS-BR-012.
    prompts = t.call("list_prompts")
    for p in (prompts or {}).get("promptSummaries", []):
        t.call("get_prompt", p["id"], promptIdentifier=p["id"])
    flows = t.call("list_flows", store=False)
    for f in (flows or {}).get("flowSummaries", []):
        t.call("get_flow", f["id"], flowIdentifier=f["id"])


def _kms(t: _Task) -> None:
    keys = t.call("list_keys", store=False)
    for k in (keys or {}).get("Keys", []):
        desc = t.call("describe_key", k["KeyId"], KeyId=k["KeyId"])
        meta = (desc or {}).get("KeyMetadata") or {}
        if meta.get("KeyManager") == "CUSTOMER":
            t.call("get_key_policy", k["KeyId"], KeyId=k["KeyId"], PolicyName="default")
    t.call("list_aliases")


def _aoss(t: _Task) -> None:
    t.call("list_collections")


def _cloudformation(t: _Task) -> None:
    t.call("describe_stacks")


def _codebuild(t: _Task) -> None:
    names = (t.call("list_projects", store=False) or {}).get("projects", [])
    for i in range(0, len(names), 100):
        t.call("batch_get_projects", str(i // 100), names=names[i : i + 100])


def _glue(t: _Task) -> None:
    t.call("get_dev_endpoints")
    t.call("get_jobs")


def _ssm(t: _Task) -> None:
    """Which instances run a registered Systems Manager agent, and whether it is online:
    ``ssm:SendCommand`` and ``ssm:StartSession`` reach only those."""
    t.call("describe_instance_information")


def _logs(t: _Task) -> None:
    """Log groups with their KMS keys: Bedrock invocation logs land in one (AWS-BR-010)."""
    t.call("describe_log_groups")


def _cloudtrail(t: _Task) -> None:
    """Trails that record this region, what they record, and the region's recent Bedrock calls
    from the free 90-day event history: the only trace of a region that invokes models on
    demand without invocation logging.

    Shadow trails are listed too: an organization trail of the management account records a
    member account but appears there only as a shadow. Status and selectors are read once per
    trail, in its home region."""
    trails = t.call("describe_trails", includeShadowTrails=True)
    for trail in (trails or {}).get("trailList", []):
        arn = trail.get("TrailARN") or trail.get("Name")
        if not arn or trail.get("HomeRegion", t.region) != t.region:
            continue
        t.call("get_trail_status", trail.get("Name") or arn, Name=arn)
        t.call("get_event_selectors", trail.get("Name") or arn, TrailName=arn)
    attrs = [{"AttributeKey": "EventSource", "AttributeValue": BEDROCK_SERVICE_NAME}]
    events = t.call(
        "lookup_events",
        store=False,
        LookupAttributes=attrs,
        PaginationConfig={"MaxItems": BEDROCK_EVENT_SAMPLE},
    )
    if events is not None:
        # Names and times only: the full event (caller, source IP, request) is not inventory.
        kept = [
            {k: e.get(k) for k in ("EventName", "EventTime", "EventSource")}
            for e in events.get("Events", [])
            if isinstance(e, dict)
        ]
        t.put("lookup_events", "bedrock", {"LookupAttributes": attrs}, {"Events": kept})


COLLECTORS: dict[str, tuple[str, Callable[[_Task], None]]] = {
    # our service name -> (boto3 client name, collector)
    "iam": ("iam", _iam),
    "organizations": ("organizations", _organizations),
    "ec2": ("ec2", _ec2),
    "elbv2": ("elbv2", _elbv2),
    "lambda": ("lambda", _lambda),
    "ecr": ("ecr", _ecr),
    "ecs": ("ecs", _ecs),
    "eks": ("eks", _eks),
    "s3": ("s3", _s3),
    "s3control": ("s3control", _s3control),
    "secretsmanager": ("secretsmanager", _secretsmanager),
    "kms": ("kms", _kms),
    "sagemaker": ("sagemaker", _sagemaker),
    "bedrock": ("bedrock", _bedrock),
    "bedrock-agent": ("bedrock-agent", _bedrock_agent),
    "bedrock-agentcore": ("bedrock-agentcore-control", _bedrock_agentcore),
    "bedrock-flows": ("bedrock-agent", _bedrock_flows),
    "opensearchserverless": ("opensearchserverless", _aoss),
    "cloudformation": ("cloudformation", _cloudformation),
    "autoscaling": ("autoscaling", _autoscaling),
    "codebuild": ("codebuild", _codebuild),
    "glue": ("glue", _glue),
    "ssm": ("ssm", _ssm),
    "logs": ("logs", _logs),
    "cloudtrail": ("cloudtrail", _cloudtrail),
}


def make_session(profile: str | None) -> Any:
    import boto3
    from botocore.exceptions import ProfileNotFound

    try:
        return boto3.Session(profile_name=profile) if profile else boto3.Session()
    except ProfileNotFound as exc:
        raise CollectError(str(exc)) from None


def client_config(max_attempts: int) -> Any:
    from botocore.config import Config

    attempts = max_attempts or int(os.environ.get("AWS_MAX_ATTEMPTS") or 8)
    return Config(
        retries={"mode": "adaptive", "max_attempts": attempts},
        connect_timeout=10,
        read_timeout=60,
        max_pool_connections=32,
    )


def _unprefix(account: str) -> Callable[..., None]:
    def handler(request: Any, **_: Any) -> None:
        request.url = request.url.replace(f"//{account}.", "//", 1)

    return handler


def _tasks(services: tuple[str, ...], regions: list[str]) -> Iterator[tuple[str, str]]:
    for service in services:
        if service in GLOBAL_SERVICES:
            yield service, GLOBAL
            if service == "s3":
                yield "s3control", GLOBAL
        else:
            for region in regions:
                yield service, region


def collect(
    options: CollectOptions,
    progress: Callable[[str], None] | None = None,
    reporter: Reporter | None = None,
) -> CollectResult:
    """Collect one AWS account; raises CollectError when the caller cannot be identified.

    ``reporter`` gets one bar per account: its (service, region) reads done of total."""
    from botocore.exceptions import BotoCoreError, ClientError

    started = time.perf_counter()
    started_at = datetime.now(UTC)
    unknown = [s for s in options.services if s not in COLLECTORS]
    if unknown:
        raise CollectError(f"unknown service(s) {', '.join(unknown)}; known: {', '.join(SERVICES)}")
    session = options.session if options.session is not None else make_session(options.profile)
    config = client_config(options.max_attempts)
    home = session.region_name or "us-east-1"
    try:
        sts = session.client("sts", region_name=home, config=config)
        ident = strip_metadata(sts.get_caller_identity())
    except (ClientError, BotoCoreError) as exc:
        raise CollectError(
            f"cannot identify the caller with sts:GetCallerIdentity: {exc}"
        ) from None
    account = str(ident["Account"])
    regions = options.regions or [home]
    if regions == ["all"]:
        try:
            ec2 = session.client("ec2", region_name=home, config=config)
            regions = sorted(r["RegionName"] for r in ec2.describe_regions()["Regions"])
        except (ClientError, BotoCoreError) as exc:
            raise CollectError(f"cannot list regions with ec2:DescribeRegions: {exc}") from None
    docs = [
        Document(
            "aws",
            account,
            "sts/global/get_caller_identity",
            {
                "service": "sts",
                "region": GLOBAL,
                "operation": "get_caller_identity",
                "params": {},
                "response": ident,
            },
        ),
    ]
    lock = threading.Lock()

    def run(service: str, region: str) -> _Task:
        client_name, fn = COLLECTORS[service]
        with lock:  # boto3 sessions are not thread-safe; clients are
            client = session.client(
                client_name, region_name=home if region == GLOBAL else region, config=config
            )
        if client_name == "s3control" and (
            os.environ.get("AWS_ENDPOINT_URL") or os.environ.get("AWS_ENDPOINT_URL_S3_CONTROL")
        ):
            # S3 Control puts the account id in the host name; a custom endpoint (proxy,
            # test server) is one host, so the prefix is taken off again.
            client.meta.events.register("before-send.s3-control", _unprefix(account))
        task = _Task(client, service, region, account)
        began = time.perf_counter()
        try:
            fn(task)
        except Exception as exc:  # a collector bug must not lose the other services
            task.coverage.record("failed", f"{type(exc).__name__}: {exc}"[:300])
        task.coverage.seconds = time.perf_counter() - began
        return task

    tasks = list(_tasks(options.services, regions))
    coverage: list[Coverage] = []
    incremental: dict[str, Any] | None = None
    if options.previous is not None:
        plan = plan_reuse(session, config, options.previous(account), tasks, home)
        incremental = plan.info
        for (service, region), kept in plan.documents.items():
            docs.extend(kept)
            old = plan.coverage[(service, region)]
            errors = list(old.get("errors") or [])
            coverage.append(Coverage(service, region, Status.OK, errors=errors, reused=True))
        tasks = [t for t in tasks if t not in plan.documents]
        if progress is not None and incremental["mode"] == "incremental":
            progress(
                f"incremental: {len(plan.documents)} task(s) unchanged since {incremental['since']}"
            )
    bar = (reporter or NULL).task(f"account {account}: services", len(tasks))
    with ThreadPoolExecutor(max_workers=max(1, options.max_workers)) as pool:
        futures = [pool.submit(run, s, r) for s, r in tasks]
        for fut in as_completed(futures):
            task = fut.result()
            docs.extend(task.docs)
            coverage.append(task.coverage)
            bar.advance(failed=int(task.coverage.status in (Status.DENIED, Status.FAILED)))
            if progress is not None:
                progress(f"{task.service} {task.region}: {task.coverage.status}")
    bar.close()
    docs.sort(key=lambda d: d.key)
    return CollectResult(
        account_id=account,
        caller_arn=str(ident.get("Arn", "")),
        regions=regions,
        documents=docs,
        coverage=coverage,
        seconds=time.perf_counter() - started,
        started=started_at,
        incremental=incremental,
    )


# Former private names, for code written before they became public (branches in flight).
_strip = strip_metadata
_session = make_session
_config = client_config
