"""SageMaker governance facts: the Model Registry's versions and who deploys them, JumpStart
provenance from the SageMaker SDK's tags, and Studio's default lifecycle configurations.

* Model packages (``list_model_packages`` per group) are nodes in their group (``CONTAINS``)
  with their version and approval status; a model created from a package is ``BASED_ON`` it
  (field ``Containers[].ModelPackageName``) and carries ``model_package`` and the package's
  ``model_package_approval``.
* The SDK tags what it deploys from JumpStart with ``sagemaker-sdk:jumpstart-model-id`` and
  ``-version``: on a model these become ``jumpstart_model_id`` / ``jumpstart_model_version``,
  which the provenance deriver reads as "jumpstart:<id>".
* Clarify (bias and explainability) runs as processing jobs with the Clarify image: an
  account that serves SageMaker models says whether it ran any (``clarify_used``), once the
  processing jobs were listed.
* Model Monitor: an endpoint of a region whose schedules were listed is ``monitored`` when a
  schedule in status ``Scheduled`` names it.
* Notebook lifecycle configurations are scanned for secrets at collect time; only where a
  secret sits reaches the snapshot, and each notebook using the configuration carries it
  (``lifecycle_secrets``, empty when the scan found nothing).
* A domain's default user settings name the lifecycle configurations its Studio apps start
  with (JupyterLab, Code Editor, Kernel Gateway, JupyterServer): ``default_lifecycle_config``.
"""

from __future__ import annotations

from typing import Any

from aispm_graph.transforms.aws.builder import AwsBuilder, tags_of
from aispm_graph.transforms.registry import service

JUMPSTART_ID = "sagemaker-sdk:jumpstart-model-id"
JUMPSTART_VERSION = "sagemaker-sdk:jumpstart-model-version"
APP_SETTINGS = (
    "JupyterLabAppSettings",
    "CodeEditorAppSettings",
    "KernelGatewayAppSettings",
    "JupyterServerAppSettings",
)


@service(
    "aws",
    "sagemaker-governance",
    reads=[
        ("sagemaker", "list_model_packages"),
        ("sagemaker", "list_tags"),
        ("sagemaker", "describe_domain"),
        ("sagemaker", "list_processing_jobs"),
        ("sagemaker", "list_monitoring_schedules"),
        ("sagemaker", "describe_notebook_instance_lifecycle_config"),
    ],
    order=116,
)
def sagemaker_governance(b: AwsBuilder) -> None:
    """After SageMaker (models, endpoints, domains) and its MLOps module (package groups)."""
    _packages(b)
    _tags(b)
    _lifecycle(b)
    _clarify(b)
    _monitoring(b)
    _lifecycle_secrets(b)


def _packages(b: AwsBuilder) -> None:
    groups = {
        (str(d.get("region")), str(d["name"])): n
        for n, d in b.graph.nodes("SageMakerModelPackageGroup")
        if d.get("tenant") == b.account
    }
    approval: dict[str, str] = {}
    for body, i, pkg in b.items("sagemaker", "list_model_packages", "ModelPackageSummaryList"):
        with b.guard("list_model_packages", pkg, index=i):
            arn = str(pkg["ModelPackageArn"])
            group = str(
                pkg.get("ModelPackageGroupName")
                or body["params"].get("ModelPackageGroupName")
                or ""
            )
            version = pkg.get("ModelPackageVersion")
            status = pkg.get("ModelApprovalStatus")
            b.node(
                arn,
                "SageMakerModelPackage",
                f"{group}/{version}" if group and version is not None else arn.rsplit("/", 1)[-1],
                body["region"],
                group=group or None,
                version=version,
                approval_status=status,
                status=pkg.get("ModelPackageStatus"),
            )
            approval[arn] = str(status or "")
            b.edge(groups.get((body["region"], group), ""), arn, "CONTAINS")
    for model, d in list(b.graph.nodes("SageMakerModel")):
        package = d.get("registry_model")
        if d.get("tenant") != b.account:
            continue
        if not package:
            continue  # not deployed from the registry: AWS-SM-022 reads the absence
        b.graph.set_prop(model, "model_package", str(package))
        if str(package) in approval:
            b.graph.set_prop(model, "model_package_approval", approval[str(package)] or None)
        # A package of another account's (shared) registry is not a node here.
        b.edge(
            model,
            str(package),
            "BASED_ON",
            if_present=True,
            field="Containers[].ModelPackageName",
        )


def _tags(b: AwsBuilder) -> None:
    for body in b.responses("sagemaker", "list_tags"):
        with b.guard("list_tags", body["params"]):
            arn = str(body["params"]["ResourceArn"])
            if not b.graph.has_node(arn):
                continue
            tags = tags_of(body["response"].get("Tags"))
            b.graph.set_prop(arn, "tags", tags)
            if tags.get(JUMPSTART_ID):
                b.graph.update_props(
                    arn,
                    jumpstart_model_id=tags[JUMPSTART_ID],
                    jumpstart_model_version=tags.get(JUMPSTART_VERSION) or None,
                )


def _lifecycle(b: AwsBuilder) -> None:
    for arn, r, _region in b.described("sagemaker", "describe_domain", "DomainArn"):
        with b.guard("describe_domain", label=arn):
            if not b.graph.has_node(arn):
                continue
            defaults = r.get("DefaultUserSettings") or {}
            configs = sorted({str(c) for app in APP_SETTINGS for c in _configs(defaults.get(app))})
            b.graph.update_props(
                arn, lifecycle_configs=configs, default_lifecycle_config=bool(configs)
            )


def _configs(settings: Any) -> list[str]:
    """Lifecycle configuration ARNs of one app type's settings (the list, or the default
    resource spec's single ARN)."""
    if not isinstance(settings, dict):
        return []
    found = [c for c in settings.get("LifecycleConfigArns") or [] if isinstance(c, str)]
    spec = settings.get("DefaultResourceSpec") or {}
    if isinstance(spec, dict) and isinstance(spec.get("LifecycleConfigArn"), str):
        found.append(spec["LifecycleConfigArn"])
    return found


CLARIFY_IMAGE = "sagemaker-clarify-processing"


def _clarify(b: AwsBuilder) -> None:
    if not b.responses("sagemaker", "list_processing_jobs") or not b.graph.has_node(b.acct_id):
        return
    mine = [
        d
        for kind in ("SageMakerModel", "SageMakerEndpoint", "SageMakerProcessingJob")
        for _n, d in b.graph.nodes(kind)
        if d.get("tenant") == b.account
    ]
    if not any(d["kind"] in ("SageMakerModel", "SageMakerEndpoint") for d in mine):
        return  # no model served here: nothing for Clarify to explain
    b.graph.set_prop(
        b.acct_id,
        "clarify_used",
        any(
            CLARIFY_IMAGE in str(d.get("image") or "")
            for d in mine
            if d["kind"] == "SageMakerProcessingJob"
        ),
    )


def _monitoring(b: AwsBuilder) -> None:
    watched: dict[str, set[str]] = {}  # region -> endpoint names with a running schedule
    for body, i, sched in b.items(
        "sagemaker", "list_monitoring_schedules", "MonitoringScheduleSummaries"
    ):
        with b.guard("list_monitoring_schedules", sched, index=i):
            names = watched.setdefault(body["region"], set())
            if sched.get("MonitoringScheduleStatus") == "Scheduled" and sched.get("EndpointName"):
                names.add(str(sched["EndpointName"]))
    for body in b.responses("sagemaker", "list_monitoring_schedules"):
        watched.setdefault(body["region"], set())
    for n, d in list(b.graph.nodes("SageMakerEndpoint")):
        region = str(d.get("region") or "")
        if d.get("tenant") == b.account and region in watched:
            b.graph.set_prop(n, "monitored", str(d["name"]) in watched[region])


def _lifecycle_secrets(b: AwsBuilder) -> None:
    found: dict[tuple[str, str], list[str]] = {}
    for body in b.responses("sagemaker", "describe_notebook_instance_lifecycle_config"):
        r = body["response"]
        with b.guard("describe_notebook_instance_lifecycle_config", r):
            hits = r.get("SecretFindings") or []
            found[(body["region"], str(r["NotebookInstanceLifecycleConfigName"]))] = [
                str(h) for h in hits if isinstance(h, str)
            ]
    for n, d in list(b.graph.nodes("SageMakerNotebookInstance")):
        key = (str(d.get("region") or ""), str(d.get("lifecycle_config") or ""))
        if d.get("tenant") == b.account and key in found:
            b.graph.set_prop(n, "lifecycle_secrets", found[key])
