"""GCP privilege-escalation techniques, one record each.

The reference list is Rhino Security Labs' GCP privilege-escalation methods (parts 1 and 2).
Permissions are IAM permission names, held through allow-policy bindings on the resource or any
ancestor (project, folder, organization). Conditions, decided by
:mod:`aispm_graph.derive.gcp_escalation`:

* ``same-project``: the compute is created in the service account's own project (elsewhere it
  needs cross-project service account use, an organization policy matter, so the edge is
  conditional);
* ``ai-data``: the bucket holds AI data (training, grounding, model artifacts);
* ``held-custom-role``: the custom role being updated is bound to the attacker itself;
* ``key-creation-allowed`` / ``key-creation-blocked``: the organisation policy constraint
  ``iam.disableServiceAccountKeyCreation`` is not / is enforced on the service account's
  project (not collected counts as not enforced, as before the constraint was read);
* ``storage-only``: the credential acts as the service account in Cloud Storage alone (an
  HMAC key), so the edge is ``conditional`` and says that its other permissions are not
  reached with it.

``orgpolicy.policy.set`` is a guard-rail remover, not a grant: it is modelled as the step it
enables. Where key creation is banned by the constraint, a member that holds
``iam.serviceAccountKeys.create`` *and* ``orgpolicy.policy.set`` over the project lifts the
ban and creates the key (the edge names the constraint in its ``guardrail`` evidence); a
member without it has no edge. The domain restriction (``iam.allowedPolicyMemberDomains``)
does not stop a member granting roles to itself, so lifting it adds no edge here.
Not modelled: Cloud Build's / Deployment Manager's default service agents when the collector
did not list them.
"""

from __future__ import annotations

from aispm_graph.escalation.model import Cloud, On, Refs, Technique

GCP = Cloud.GCP
RHINO = "Rhino Security Labs, GCP privilege escalation"
ACT_AS = "iam.serviceAccounts.actAs"
SA_KIND = ("GCPServiceAccount",)


def _sa(id_: str, perm: str, title: str, how: str, conditions: tuple[str, ...] = ()) -> Technique:
    return Technique(
        id=id_,
        cloud=GCP,
        title=title,
        on=On.IDENTITY,
        all_of=(perm,),
        resource_kinds=SA_KIND,
        edge="CAN_ASSUME",
        sentence=f"{how} for {{target}}",
        fix="Remove {attacker} from the binding granting {permissions} on {target} ({grant})",
        refs=Refs(rhino=f"{RHINO}: {perm}"),
        conditions=conditions,
    )


def _act_as(id_: str, create: tuple[str, ...], what: str, refs: Refs) -> Technique:
    return Technique(
        id=id_,
        cloud=GCP,
        title=f"{what} running as a service account (actAs)",
        on=On.IDENTITY,
        all_of=(ACT_AS, *create),
        on_any=create,
        resource_kinds=SA_KIND,
        conditions=("same-project",),
        edge="CAN_ASSUME",
        sentence=f"actAs plus {create[0]}: create a {what} that runs as {{target}}",
        fix="Remove {attacker} from the binding granting iam.serviceAccounts.actAs on "
        "{target} ({grant})",
        refs=refs,
    )


def _update(id_: str, perm: str, kind: str, what: str, refs: Refs) -> Technique:
    return Technique(
        id=id_,
        cloud=GCP,
        title=f"Change the code of an existing {what}",
        on=On.RUNS_AS,
        all_of=(perm,),
        resource_kinds=(kind,),
        edge="CAN_UPDATE_CODE",
        sentence=f"{perm} on {{resource}}, which runs as its service account",
        fix="Remove {attacker} from the binding granting {permissions} on {resource} ({grant})",
        refs=refs,
    )


TECHNIQUES: tuple[Technique, ...] = (
    _sa(
        "gcp-sa-get-access-token",
        "iam.serviceAccounts.getAccessToken",
        "Mint an access token for a service account",
        "mint an OAuth access token",
    ),
    _sa(
        "gcp-sa-sign-blob",
        "iam.serviceAccounts.signBlob",
        "Sign a token request as a service account (signBlob)",
        "sign a self-made token grant",
    ),
    _sa(
        "gcp-sa-sign-jwt",
        "iam.serviceAccounts.signJwt",
        "Sign a JWT as a service account",
        "sign a JWT and exchange it for an access token",
    ),
    _sa(
        "gcp-sa-implicit-delegation",
        "iam.serviceAccounts.implicitDelegation",
        "Delegate token creation through a service account",
        "chain token requests (implicit delegation)",
    ),
    _sa(
        "gcp-sa-key-create",
        "iam.serviceAccountKeys.create",
        "Create a key for a service account",
        "create a user-managed key",
        conditions=("key-creation-allowed",),
    ),
    Technique(
        id="gcp-orgpolicy-key-creation",
        cloud=GCP,
        title="Lift the key-creation ban with orgpolicy.policy.set, then create a key",
        on=On.IDENTITY,
        all_of=("iam.serviceAccountKeys.create", "orgpolicy.policy.set"),
        resource_kinds=SA_KIND,
        conditions=("key-creation-blocked",),
        edge="CAN_ASSUME",
        sentence="orgpolicy.policy.set on the project of {target}: stop enforcing "
        "iam.disableServiceAccountKeyCreation there, then create a user-managed key for {target}",
        fix="Remove {attacker} from the binding granting orgpolicy.policy.set over {target}'s "
        "project (roles/orgpolicy.policyAdmin belongs at the organization, with few holders), "
        "or from the one granting iam.serviceAccountKeys.create ({grant})",
        refs=Refs(rhino=f"{RHINO}: orgpolicy.policy.set"),
    ),
    _sa(
        "gcp-sa-set-iam-policy",
        "iam.serviceAccounts.setIamPolicy",
        "Grant itself a role on a service account",
        "grant itself Service Account Token Creator",
    ),
    _act_as(
        "gcp-actas-compute-instance",
        ("compute.instances.create",),
        "Compute Engine VM",
        Refs(rhino=f"{RHINO}: compute.instances.create"),
    ),
    _act_as(
        "gcp-actas-cloud-function",
        ("cloudfunctions.functions.create",),
        "Cloud Function",
        Refs(rhino=f"{RHINO}: cloudfunctions.functions.create"),
    ),
    _act_as(
        "gcp-actas-cloud-run",
        ("run.services.create",),
        "Cloud Run service",
        Refs(rhino=f"{RHINO}: run.services.create"),
    ),
    _act_as(
        "gcp-actas-cloud-build",
        ("cloudbuild.builds.create",),
        "Cloud Build build",
        Refs(rhino=f"{RHINO}: cloudbuild.builds.create"),
    ),
    _act_as(
        "gcp-actas-deployment-manager",
        ("deploymentmanager.deployments.create",),
        "Deployment Manager deployment",
        Refs(rhino=f"{RHINO}: deploymentmanager.deployments.create"),
    ),
    _act_as(
        "gcp-actas-composer",
        ("composer.environments.create",),
        "Cloud Composer environment",
        Refs(rhino=f"{RHINO}: composer.environments.create"),
    ),
    _act_as(
        "gcp-actas-dataproc",
        ("dataproc.clusters.create",),
        "Dataproc cluster",
        Refs(rhino=f"{RHINO}: dataproc.clusters.create"),
    ),
    _act_as(
        "gcp-actas-cloud-scheduler",
        ("cloudscheduler.jobs.create",),
        "Cloud Scheduler job (its HTTP target called with the account's OAuth token)",
        Refs(rhino=f"{RHINO}: cloudscheduler.jobs.create"),
    ),
    Technique(
        id="gcp-storage-hmac-key",
        cloud=GCP,
        title="Create an HMAC key for a service account (Cloud Storage as it)",
        on=On.IDENTITY,
        all_of=("storage.hmacKeys.create",),
        resource_kinds=SA_KIND,
        edge="CAN_ASSUME",
        sentence="create a Cloud Storage HMAC key for {target} and use Cloud Storage (XML API) "
        "as it",
        fix="Remove {attacker} from the binding granting {permissions} ({grant}); HMAC keys "
        "give the service account's Cloud Storage access only, so review what it can read",
        refs=Refs(rhino=f"{RHINO}: storage.hmacKeys.create"),
        conditions=("storage-only",),
        notes="Reaches only what the service account can do in Cloud Storage.",
    ),
    _update(
        "gcp-cloud-function-update",
        "cloudfunctions.functions.update",
        "GCPCloudFunction",
        "Cloud Function",
        Refs(rhino=f"{RHINO}: cloudfunctions.functions.update"),
    ),
    _update(
        "gcp-cloud-run-update",
        "run.services.update",
        "GCPCloudRunService",
        "Cloud Run service",
        Refs(rhino=f"{RHINO}: run.services.update"),
    ),
    _update(
        "gcp-compute-set-metadata",
        "compute.instances.setMetadata",
        "GCPInstance",
        "VM (startup script or SSH key in its metadata)",
        Refs(rhino=f"{RHINO}: compute.instances.setMetadata"),
    ),
    Technique(
        id="gcp-project-set-iam-policy",
        cloud=GCP,
        title="Grant itself any role on the project",
        on=On.SCOPE,
        all_of=("resourcemanager.projects.setIamPolicy",),
        resource_kinds=("GCPProject",),
        edge="CAN_ADMINISTER",
        sentence="setIamPolicy on {target}: bind itself to roles/owner",
        fix="Remove {attacker} from the binding granting {permissions} ({grant})",
        refs=Refs(rhino=f"{RHINO}: resourcemanager.projects.setIamPolicy"),
    ),
    Technique(
        id="gcp-folder-set-iam-policy",
        cloud=GCP,
        title="Grant itself any role on a folder above the project",
        on=On.SCOPE,
        all_of=("resourcemanager.folders.setIamPolicy",),
        resource_kinds=("GCPProject",),
        edge="CAN_ADMINISTER",
        sentence="setIamPolicy on a folder above {target}: bind itself to roles/owner there",
        fix="Remove {attacker} from the binding granting {permissions} ({grant})",
        refs=Refs(rhino=f"{RHINO}: resourcemanager.folders.setIamPolicy"),
    ),
    Technique(
        id="gcp-org-set-iam-policy",
        cloud=GCP,
        title="Grant itself any role on the organization",
        on=On.SCOPE,
        all_of=("resourcemanager.organizations.setIamPolicy",),
        resource_kinds=("GCPProject",),
        edge="CAN_ADMINISTER",
        sentence="setIamPolicy on the organization above {target}: bind itself to roles/owner",
        fix="Remove {attacker} from the binding granting {permissions} ({grant})",
        refs=Refs(rhino=f"{RHINO}: resourcemanager.organizations.setIamPolicy"),
    ),
    Technique(
        id="gcp-bucket-set-iam-policy",
        cloud=GCP,
        title="Grant itself read access to an AI data bucket",
        on=On.RUNS_AS,
        all_of=("storage.buckets.setIamPolicy",),
        resource_kinds=("GCPBucket",),
        conditions=("ai-data",),
        edge="CAN_READ",
        sentence="setIamPolicy on {resource}: bind itself to roles/storage.objectViewer",
        fix="Remove {attacker} from the binding granting {permissions} on {resource} ({grant})",
        refs=Refs(rhino=f"{RHINO}: storage.buckets.setIamPolicy"),
    ),
    Technique(
        id="gcp-custom-role-update",
        cloud=GCP,
        title="Add permissions to a custom role it holds",
        on=On.SCOPE,
        all_of=("iam.roles.update",),
        resource_kinds=("GCPProject",),
        conditions=("held-custom-role",),
        edge="CAN_ADMINISTER",
        sentence="iam.roles.update on custom role {resource}, which is bound to it on "
        "{target}: add resourcemanager.projects.setIamPolicy to it",
        fix="Remove {attacker} from the binding granting {permissions} ({grant}), or "
        "unbind {resource} from it",
        refs=Refs(rhino=f"{RHINO}: iam.roles.update"),
    ),
)
