"""Public escalation catalogues compared with the records, entry by entry, so coverage is
measured rather than claimed.

Each entry names a catalogue's technique (its id, or for PMapper the edge checker and the
kind of edge it draws, in our words), the records that cover it, and, when no record does,
why (a rule outside the records that yields the edge, or why it does not apply). The tests
check every record id named here exists, that every catalogue id a record cites is listed with
that record, and ``docs/escalation.md`` renders the table.

Snapshots: pathfinding.cloud's ``data/paths`` (DataDog/pathfinding.cloud, 65 paths, read
2026-12), PMapper's edge checkers (nccgroup/PMapper ``principalmapper/graphing/*_edges.py``),
Rhino Security Labs' GCP list (RhinoSecurityLabs/GCP-IAM-Privilege-Escalation README, 17
methods, plus the setIamPolicy and actAs methods of its blog posts).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Entry:
    catalogue: str
    id: str
    records: tuple[str, ...] = ()
    note: str = ""  # why no record covers it, or how it is covered


def _pf(pid: str, *records: str, note: str = "") -> Entry:
    return Entry("pathfinding.cloud", pid, records, note)


def _pm(checker: str, edge: str, *records: str, note: str = "") -> Entry:
    return Entry("PMapper", f"{checker}: {edge}", records, note)


REACHED_ROLE = "aws-iam-policy-write-reached-role"
REACHED_USER = "aws-iam-policy-write-reached-user"
VERSION_REACHED = "aws-iam-policy-version-reached"

PATHFINDING: tuple[Entry, ...] = (
    _pf("apprunner-001", "aws-apprunner-create-service"),
    _pf(
        "apprunner-002",
        note="not applicable yet: App Runner is outside the issue's categories and its "
        "services are not collected, so an existing service's instance role is not known",
    ),
    _pf("bedrock-001", "aws-agentcore-code-interpreter"),
    _pf(
        "bedrock-002",
        note="covered outside the records: derive/aws_agents.py draws CAN_RUN_CODE to the "
        "code interpreter (start + invoke a session, or invoke an existing one), which "
        "HAS_IDENTITY its execution role",
    ),
    _pf("cloudformation-001", "aws-cloudformation-create-stack"),
    _pf("cloudformation-002", "aws-cloudformation-update-stack"),
    _pf("cloudformation-003", "aws-cloudformation-create-stack-set"),
    _pf("cloudformation-004", "aws-cloudformation-update-stack-set"),
    _pf("cloudformation-005", "aws-cloudformation-change-set"),
    _pf("codebuild-001", "aws-codebuild-create-project"),
    _pf("codebuild-002", "aws-codebuild-start-build"),
    _pf("codebuild-003", "aws-codebuild-start-build-batch"),
    _pf("codebuild-004", "aws-codebuild-create-project-batch"),
    _pf("datapipeline-001", "aws-datapipeline-create", "aws-datapipeline-resource-role"),
    _pf("ec2instanceconnect-003", "aws-ec2-instance-connect"),
    _pf("ec2-001", "aws-ec2-run-instances"),
    _pf("ec2-002", "aws-ec2-modify-user-data"),
    _pf("ec2-003", "aws-ec2-request-spot-instances"),
    _pf("ec2-004", "aws-ec2-launch-template-version"),
    _pf("ecs-001", "aws-ecs-new-cluster-service"),
    _pf("ecs-002", "aws-ecs-new-cluster-run-task"),
    _pf("ecs-003", "aws-ecs-create-service"),
    _pf("ecs-004", "aws-ecs-run-task"),
    _pf("ecs-005", "aws-ecs-start-task"),
    _pf("glue-001", "aws-glue-dev-endpoint"),
    _pf("glue-002", "aws-glue-update-dev-endpoint"),
    _pf("glue-003", "aws-glue-create-job-run"),
    _pf("glue-004", "aws-glue-create-job-trigger"),
    _pf("glue-005", "aws-glue-update-job-run"),
    _pf("glue-006", "aws-glue-update-job-trigger"),
    _pf("iam-001", "aws-iam-create-policy-version"),
    _pf("iam-002", "aws-iam-create-access-key"),
    _pf("iam-003", "aws-iam-rotate-access-key"),
    _pf("iam-004", "aws-iam-create-login-profile"),
    _pf("iam-005", "aws-iam-put-role-policy"),
    _pf("iam-006", "aws-iam-update-login-profile"),
    _pf("iam-007", "aws-iam-put-user-policy"),
    _pf("iam-008", "aws-iam-attach-user-policy"),
    _pf("iam-009", "aws-iam-attach-role-policy"),
    _pf("iam-010", "aws-iam-attach-group-policy"),
    _pf("iam-011", "aws-iam-put-group-policy"),
    _pf("iam-012", "aws-iam-update-assume-role-policy"),
    _pf("iam-013", "aws-iam-add-user-to-group"),
    _pf("iam-014", REACHED_ROLE, note="assume the role, then write its policy"),
    _pf("iam-015", REACHED_USER, note="create the user's key, then write its policy"),
    _pf("iam-016", VERSION_REACHED, note="assume the role, then version its policy"),
    _pf("iam-017", REACHED_ROLE, note="assume the role, then write its policy"),
    _pf("iam-018", REACHED_USER, note="create the user's key, then write its policy"),
    _pf("iam-019", REACHED_ROLE, note="rewrite the role's trust, then write its policy"),
    _pf("iam-020", VERSION_REACHED, note="rewrite the role's trust, then version its policy"),
    _pf("iam-021", REACHED_ROLE, note="rewrite the role's trust, then write its policy"),
    _pf("lambda-001", "aws-lambda-create-invoke"),
    _pf("lambda-002", "aws-lambda-create-event-source"),
    _pf("lambda-003", "aws-lambda-update-code"),
    _pf("lambda-004", "aws-lambda-update-code-invoke"),
    _pf("lambda-005", "aws-lambda-update-code-add-permission"),
    _pf("lambda-006", "aws-lambda-create-add-permission"),
    _pf("sagemaker-001", "aws-sagemaker-notebook"),
    _pf("sagemaker-002", "aws-sagemaker-training-job"),
    _pf("sagemaker-003", "aws-sagemaker-processing-job"),
    _pf("sagemaker-004", "aws-sagemaker-presigned-notebook-url"),
    _pf("sagemaker-005", "aws-sagemaker-notebook-lifecycle"),
    _pf("ssm-001", "aws-ssm-start-session"),
    _pf("ssm-002", "aws-ssm-send-command"),
    _pf("sts-001", "aws-sts-assume-role"),
)

PMAPPER: tuple[Entry, ...] = (
    _pm(
        "AutoScaling",
        "group from an existing launch configuration",
        "aws-autoscaling-existing-launch-configuration",
    ),
    _pm(
        "AutoScaling",
        "group from a new launch configuration",
        "aws-autoscaling-launch-configuration",
    ),
    _pm(
        "AutoScaling",
        "group from a launch template",
        "aws-autoscaling-launch-template",
        "aws-autoscaling-existing-launch-template",
    ),
    _pm("CFN", "create a stack with a passed role", "aws-cloudformation-create-stack"),
    _pm("CFN", "update a stack that has a role", "aws-cloudformation-update-stack"),
    _pm("CFN", "update a stack and pass it a role", "aws-cloudformation-update-stack-role"),
    _pm("CFN", "create and execute a change set", "aws-cloudformation-change-set"),
    _pm("CodeBuild", "start a build of an existing project", "aws-codebuild-start-build"),
    _pm("CodeBuild", "create a project with a passed role", "aws-codebuild-create-project"),
    _pm("CodeBuild", "update a project with a passed role", "aws-codebuild-update-project"),
    _pm(
        "EC2",
        "run an instance with an existing or new instance profile",
        "aws-ec2-run-instances",
        "aws-ec2-create-instance-profile",
    ),
    _pm(
        "EC2",
        "run an instance, then associate an instance profile",
        "aws-ec2-associate-instance-profile",
    ),
    _pm("IAM", "create access keys of a user", "aws-iam-create-access-key"),
    _pm(
        "IAM",
        "set a user's console password",
        "aws-iam-create-login-profile",
        "aws-iam-update-login-profile",
    ),
    _pm("IAM", "update a role's trust document", "aws-iam-update-assume-role-policy"),
    _pm("Lambda", "create a function with a passed role", "aws-lambda-create-invoke"),
    _pm(
        "Lambda",
        "change the code of an existing function",
        "aws-lambda-update-code",
        "aws-lambda-update-code-invoke",
    ),
    _pm(
        "Lambda",
        "change the role and code of an existing function",
        "aws-lambda-update-function-role",
    ),
    _pm("SageMaker", "notebook instance with a passed role", "aws-sagemaker-notebook"),
    _pm("SageMaker", "training job with a passed role", "aws-sagemaker-training-job"),
    _pm("SageMaker", "processing job with a passed role", "aws-sagemaker-processing-job"),
    _pm("SSM", "send a command to an instance", "aws-ssm-send-command"),
    _pm("SSM", "start a session on an instance", "aws-ssm-start-session"),
    _pm("STS", "assume a role", "aws-sts-assume-role"),
)


def _rh(method: str, *records: str, note: str = "") -> Entry:
    return Entry("Rhino GCP", method, records, note)


RHINO_GCP: tuple[Entry, ...] = (
    _rh("cloudbuild.builds.create", "gcp-actas-cloud-build"),
    _rh("deploymentmanager.deployments.create", "gcp-actas-deployment-manager"),
    _rh("iam.roles.update", "gcp-custom-role-update"),
    _rh("iam.serviceAccounts.getAccessToken", "gcp-sa-get-access-token"),
    _rh(
        "iam.serviceAccountKeys.create",
        "gcp-sa-key-create",
        "gcp-orgpolicy-key-creation",
    ),
    _rh("iam.serviceAccounts.implicitDelegation", "gcp-sa-implicit-delegation"),
    _rh("iam.serviceAccounts.signBlob", "gcp-sa-sign-blob"),
    _rh("iam.serviceAccounts.signJwt", "gcp-sa-sign-jwt"),
    _rh("cloudfunctions.functions.create", "gcp-actas-cloud-function"),
    _rh("cloudfunctions.functions.update", "gcp-cloud-function-update"),
    _rh("compute.instances.create", "gcp-actas-compute-instance"),
    _rh("run.services.create", "gcp-actas-cloud-run"),
    _rh("cloudscheduler.jobs.create", "gcp-actas-cloud-scheduler"),
    _rh(
        "orgpolicy.policy.set",
        "gcp-orgpolicy-key-creation",
        note="modelled as the step it enables: lifting iam.disableServiceAccountKeyCreation "
        "for a key; lifting other constraints (appengine.disableCodeDownload, the domain "
        "restriction) grants no identity",
    ),
    _rh("storage.hmacKeys.create", "gcp-storage-hmac-key"),
    _rh(
        "serviceusage.apiKeys.create",
        note="not applicable: an API key carries no IAM identity (it identifies the project "
        "to APIs that accept keys), so it is no step between identities",
    ),
    _rh(
        "serviceusage.apiKeys.list",
        note="not applicable: as apiKeys.create; listed keys are a secret-exposure finding, "
        "not an identity",
    ),
    _rh("resourcemanager.projects.setIamPolicy", "gcp-project-set-iam-policy"),
    _rh("resourcemanager.folders.setIamPolicy", "gcp-folder-set-iam-policy"),
    _rh("resourcemanager.organizations.setIamPolicy", "gcp-org-set-iam-policy"),
    _rh("iam.serviceAccounts.setIamPolicy", "gcp-sa-set-iam-policy"),
    _rh("storage.buckets.setIamPolicy", "gcp-bucket-set-iam-policy"),
    _rh("composer.environments.create", "gcp-actas-composer"),
    _rh("dataproc.clusters.create", "gcp-actas-dataproc"),
    _rh("run.services.update", "gcp-cloud-run-update"),
    _rh("compute.instances.setMetadata", "gcp-compute-set-metadata"),
)

CATALOGUES: tuple[Entry, ...] = (*PATHFINDING, *PMAPPER, *RHINO_GCP)
