"""Azure privilege-escalation techniques that ride on Azure RBAC, one record each.

Permissions are ARM operations, matched against the ``actions`` / ``notActions`` of the role
of each role assignment in scope (an assignment at a subscription, resource group or resource
reaches everything below it). The reference list is BloodHound's AZ edges, with the Azure
Threat Research Matrix (ATRM) where BloodHound has no edge. Conditions, decided by
:mod:`aispm_graph.derive.azure_escalation`:

* ``access-policy-vault`` / ``rbac-vault``: the key vault authorises data access with access
  policies / with Azure RBAC;
* ``user-assigned``: the managed identity is user-assigned (a federated credential can be
  added to it).

Entra ID (directory) techniques -- application and service principal owners adding secrets,
directory roles such as Application Administrator, group owners adding members, password
reset roles -- are in :mod:`aispm_graph.escalation.entra`.
"""

from __future__ import annotations

from aispm_graph.escalation.model import Cloud, On, Refs, Technique

AZ = Cloud.AZURE
ATRM_VM = "ATRM AZT301 (virtual machine scripting)"
VM = "Microsoft.Compute/virtualMachines"
VMSS = "Microsoft.Compute/virtualMachineScaleSets"
ROLE_WRITE = "Microsoft.Authorization/roleAssignments/write"


def _vm(
    id_: str, title: str, kind: str, any_of: tuple[str, ...], how: str, refs: Refs
) -> Technique:
    return Technique(
        id=id_,
        cloud=AZ,
        title=title,
        on=On.RUNS_AS,
        all_of=(),
        any_of=any_of,
        resource_kinds=(kind,),
        sentence=f"{how} on {{resource}} and take the token of its managed identity "
        "{target} from the instance metadata endpoint",
        fix="Remove the role granting {permissions} on {resource} from {attacker} "
        "({grant}), or detach {target} from {resource}",
        refs=refs,
    )


TECHNIQUES: tuple[Technique, ...] = (
    _vm(
        "az-vm-run-command",
        "Run a command on a VM that has a managed identity",
        "AzureVirtualMachine",
        (f"{VM}/runCommand/action", f"{VM}/runCommands/write"),
        "run a command",
        Refs(bloodhound="AZVMContributor", other=ATRM_VM),
    ),
    _vm(
        "az-vm-extension",
        "Install an extension on a VM that has a managed identity",
        "AzureVirtualMachine",
        (f"{VM}/extensions/write",),
        "install a custom script extension",
        Refs(bloodhound="AZVMContributor", other=ATRM_VM),
    ),
    _vm(
        "az-vmss-run-command",
        "Run a command on a scale set instance that has a managed identity",
        "AzureVMScaleSet",
        (f"{VMSS}/virtualMachines/runCommand/action", f"{VMSS}/virtualMachines/runCommands/write"),
        "run a command on an instance",
        Refs(other=ATRM_VM),
    ),
    _vm(
        "az-vmss-extension",
        "Install an extension on a scale set that has a managed identity",
        "AzureVMScaleSet",
        (f"{VMSS}/extensions/write",),
        "install a custom script extension",
        Refs(other=ATRM_VM),
    ),
    Technique(
        id="az-web-app-code",
        cloud=AZ,
        title="Deploy code or settings to an App Service / Function app with an identity",
        on=On.RUNS_AS,
        all_of=(),
        any_of=(
            "Microsoft.Web/sites/write",
            "Microsoft.Web/sites/config/write",
            "Microsoft.Web/sites/publishxml/action",
            "Microsoft.Web/sites/extensions/write",
        ),
        resource_kinds=("AzureWebApp",),
        sentence="deploy code to {resource} (or change its settings) and take the token of its "
        "managed identity {target}",
        fix="Remove the role granting {permissions} on {resource} from {attacker} ({grant}), "
        "or detach {target} from {resource}",
        refs=Refs(bloodhound="AZWebsiteContributor"),
    ),
    Technique(
        id="az-automation-runbook",
        cloud=AZ,
        title="Write and start a runbook in an Automation account with an identity",
        on=On.RUNS_AS,
        all_of=(
            "Microsoft.Automation/automationAccounts/runbooks/write",
            "Microsoft.Automation/automationAccounts/jobs/write",
        ),
        resource_kinds=("AzureAutomationAccount",),
        sentence="publish a runbook in {resource} and start it: it runs as the account's "
        "managed identity {target}",
        fix="Remove the role granting {permissions} on {resource} from {attacker} ({grant}), "
        "or detach {target} from {resource}",
        refs=Refs(bloodhound="AZAutomationContributor"),
    ),
    Technique(
        id="az-logic-app-workflow",
        cloud=AZ,
        title="Rewrite a Logic App workflow that runs with an identity",
        on=On.RUNS_AS,
        all_of=("Microsoft.Logic/workflows/write",),
        resource_kinds=("AzureLogicApp",),
        sentence="rewrite workflow {resource} so an action calls Azure as its managed identity "
        "{target}",
        fix="Remove the role granting {permissions} on {resource} from {attacker} ({grant}), "
        "or detach {target} from {resource}",
        refs=Refs(bloodhound="AZLogicAppContributor"),
    ),
    Technique(
        id="az-keyvault-access-policy",
        cloud=AZ,
        title="Add itself to a key vault's access policies",
        on=On.RUNS_AS,
        all_of=(),
        any_of=(
            "Microsoft.KeyVault/vaults/accessPolicies/write",
            "Microsoft.KeyVault/vaults/write",
        ),
        resource_kinds=("AzureKeyVault",),
        conditions=("access-policy-vault",),
        edge="CAN_READ",
        sentence="add an access policy for itself to {resource} and read its secrets",
        fix="Remove the role granting {permissions} on {resource} from {attacker} ({grant}), "
        "or switch {resource} to the Azure RBAC permission model",
        refs=Refs(bloodhound="AZKeyVaultKVContributor"),
    ),
    Technique(
        id="az-keyvault-rbac-self-grant",
        cloud=AZ,
        title="Grant itself a secrets role on an RBAC key vault",
        on=On.RUNS_AS,
        all_of=(ROLE_WRITE,),
        resource_kinds=("AzureKeyVault",),
        conditions=("rbac-vault",),
        edge="CAN_READ",
        sentence="assign itself Key Vault Secrets User on {resource} and read its secrets",
        fix="Remove the role granting {permissions} on {resource} from {attacker} ({grant})",
        refs=Refs(bloodhound="AZUserAccessAdministrator"),
    ),
    Technique(
        id="az-managed-identity-federated-credential",
        cloud=AZ,
        title="Add a federated credential to a user-assigned managed identity",
        on=On.IDENTITY,
        all_of=(
            "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/write",
        ),
        resource_kinds=("AzureManagedIdentity",),
        conditions=("user-assigned",),
        sentence="add a federated identity credential trusting an issuer it controls to "
        "{target} and sign in as it",
        fix="Remove the role granting {permissions} on {target} from {attacker} ({grant})",
        refs=Refs(
            other="Microsoft Learn: workload identity federation for user-assigned managed "
            "identities"
        ),
    ),
    Technique(
        id="az-role-assignment-write",
        cloud=AZ,
        title="Grant itself any role on the subscription",
        on=On.SCOPE,
        all_of=(ROLE_WRITE,),
        resource_kinds=("AzureSubscription",),
        edge="CAN_ADMINISTER",
        sentence="roleAssignments/write on {target}: assign itself Owner",
        fix="Remove the role granting {permissions} on {target} from {attacker} ({grant})",
        refs=Refs(bloodhound="AZUserAccessAdministrator, AZOwner"),
    ),
)
