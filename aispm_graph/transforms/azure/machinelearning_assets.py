"""Azure Machine Learning beyond workspaces and endpoints: registries, compute instances and
clusters, datastores (with how they authenticate), and Azure OpenAI content filters (RAI
policies) with the deployments that use them.

Compute runs as its managed identity (``HAS_IDENTITY``, an attack step like a VM's); an
instance with a public IP and open SSH is an entry. A datastore that stores an account key or
SAS token lets anyone who controls the workspace read the storage with that secret, whoever
they are (``USES_DATASTORE`` from the workspace, evidence: the datastore and its auth mode).
"""

from __future__ import annotations

from functools import partial

from aispm_graph.knowledge.azure.arm import norm, parent_of
from aispm_graph.transforms.azure.builder import AzureBuilder, Res, enabled, obj, props
from aispm_graph.transforms.registry import service

ML = "microsoft.machinelearningservices/"
# Datastore credential types that put a secret in the workspace (vs identity-based "None").
SECRET_AUTH = {"accountkey", "sas", "serviceprincipal", "certificate"}


@service(
    "azure",
    "machinelearning-assets",
    reads=[
        f"{ML}registries",
        f"{ML}workspaces/computes",
        f"{ML}workspaces/datastores",
        "microsoft.cognitiveservices/accounts/raipolicies",
        "microsoft.cognitiveservices/accounts/deployments",
    ],
    order=65,
)
def machine_learning_assets(b: AzureBuilder) -> None:
    """After workspaces (60) and storage: datastores link a workspace to its storage."""
    for rid, res in b.resources(f"{ML}registries"):
        b.guarded(rid, f"{ML}registries", partial(_registry, b, rid, res))
    for rid, res in b.resources(f"{ML}workspaces/computes"):
        b.guarded(rid, f"{ML}workspaces/computes", partial(_compute, b, rid, res))
    for rid, res in b.resources(f"{ML}workspaces/datastores"):
        b.guarded(rid, f"{ML}workspaces/datastores", partial(_datastore, b, rid, res))
    for rid, res in b.resources("microsoft.cognitiveservices/accounts/raipolicies"):
        b.guarded(
            rid,
            "microsoft.cognitiveservices/accounts/raipolicies",
            partial(_rai_policy, b, rid, res),
        )
    for rid, res in b.resources("microsoft.cognitiveservices/accounts/deployments"):
        name = props(res).get("raiPolicyName")
        if isinstance(name, str) and name:
            policy = f"{parent_of(rid)}/raipolicies/{name.lower()}"
            b.edge(rid, policy, "USES_GUARDRAIL", if_present=True, field="raiPolicyName")


def _registry(b: AzureBuilder, rid: str, res: Res) -> None:
    p = props(res)
    b.resource_node(
        rid,
        "AzureMLRegistry",
        res,
        public_network_access=enabled(p.get("publicNetworkAccess")),
        regions=[
            str(obj(r).get("location"))
            for r in p.get("regionDetails") or []
            if obj(r).get("location")
        ]
        or None,
    )
    b.system_identity(rid, res)


def _compute(b: AzureBuilder, rid: str, res: Res) -> None:
    p = props(res)
    inner = obj(p.get("properties"))
    ctype = str(p.get("computeType") or "")
    ssh = obj(inner.get("sshSettings"))
    subnet = str(obj(inner.get("subnet")).get("id") or "")
    public_ip = inner.get("enableNodePublicIp")
    if public_ip is None:
        public_ip = not subnet  # no VNet: Azure gives the node a public address
    # In a VNet: its own subnet, or the workspace's managed network (isolation mode other
    # than Disabled puts every compute of the workspace in Microsoft's managed VNet).
    workspace = b.graph.node(parent_of(rid)) if b.graph.has_node(parent_of(rid)) else {}
    isolation = str(workspace.get("isolation_mode") or "")
    managed = isolation.lower() in {"allowinternetoutbound", "allowonlyapprovedoutbound"}
    b.resource_node(
        rid,
        "AzureMLCompute",
        res,
        compute_type=ctype,
        public_ip="enabled" if public_ip else None,
        ssh_public_access=str(ssh.get("sshPublicAccess") or "").lower() == "enabled",
        local_auth_enabled=not p.get("disableLocalAuth", False),
        local_auth_disabled=p.get("disableLocalAuth") is True,
        in_vnet=bool(subnet) or managed,
        managed_network=isolation if managed else None,
        subnet=norm(subnet) or None,
        vm_size=inner.get("vmSize"),
        workspace=parent_of(rid),
    )
    b.edge(parent_of(rid), rid, "CONTAINS", relation="workspace compute")
    name = str(res.get("name") or "")
    for mid in b.user_identities(res):
        b.edge(
            rid,
            mid,
            "HAS_IDENTITY",
            mechanism=f"{ctype} user-assigned managed identity",
            field="identity.userAssignedIdentities",
            fix=f"Remove {mid.rsplit('/', 1)[-1]} from compute {name} or cut its roles",
        )
    sys_id = b.system_identity(rid, res)
    if sys_id:
        b.edge(
            rid,
            sys_id,
            "HAS_IDENTITY",
            mechanism=f"{ctype} system-assigned managed identity",
            field="identity.type",
            fix=f"Disable the system-assigned identity of compute {name} or cut its roles",
        )


def _datastore(b: AzureBuilder, rid: str, res: Res) -> None:
    p = props(res)
    auth = str(p.get("credentialsType") or obj(p.get("credentials")).get("credentialsType") or "")
    account = str(p.get("accountName") or "")
    b.resource_node(
        rid,
        "AzureMLDatastore",
        res,
        datastore_type=p.get("datastoreType"),
        auth_mode=auth or None,
        stores_credentials=auth.lower() in SECRET_AUTH,
        account_name=account or None,
        container=p.get("containerName") or p.get("fileShareName") or p.get("filesystem"),
        default=p.get("isDefault"),
    )
    workspace = parent_of(rid)
    b.edge(workspace, rid, "CONTAINS", relation="workspace datastore")
    storage = _storage_by_name(b, account, rid)
    if storage:
        b.edge(
            rid,
            storage,
            "DATA_FROM",
            field="properties.accountName",
            auth_mode=auth or "unknown",
        )
        held = b.graph.node(storage).get("data_role") or []
        b.graph.set_prop(storage, "data_role", sorted(set(held) | {"training"}))
        if auth.lower() in SECRET_AUTH:
            b.edge(
                workspace,
                storage,
                "USES_DATASTORE",
                mechanism=f"datastore {res.get('name')} holds a {auth} credential: anyone who "
                "can use the workspace reads the storage with it",
                datastore=rid,
                auth_mode=auth,
            )
            # The workspace may already reach this storage (its default storage): the edge
            # then also names the credential-holding datastore.
            edge = b.graph.edge(workspace, storage, "USES_DATASTORE")
            if edge is not None:
                held = edge["evidence"].setdefault("credential_datastores", [])
                if rid not in held:
                    held.append(rid)
                edge["evidence"].setdefault("auth_mode", auth)


def _storage_by_name(b: AzureBuilder, account: str, rid: str) -> str:
    """The collected storage account a datastore names (same subscription first)."""
    if not account:
        return ""
    sub = rid.split("/resourcegroups/", 1)[0]
    found = [
        n
        for n, _d in b.graph.nodes("AzureStorageAccount")
        if n.rsplit("/", 1)[-1] == account.lower()
    ]
    found.sort(key=lambda n: not n.startswith(sub))
    return found[0] if found else ""


def _rai_policy(b: AzureBuilder, rid: str, res: Res) -> None:
    p = props(res)
    filters = [obj(f) for f in p.get("contentFilters") or []]
    off = sorted(
        {
            f"{f.get('name')}:{str(f.get('source') or '').lower()}"
            for f in filters
            if f.get("enabled") is False or f.get("blocking") is False
        }
    )
    shield = any(
        str(f.get("name") or "").lower() == "jailbreak"
        and str(f.get("source") or "").lower() == "prompt"
        and f.get("enabled") is not False
        and f.get("blocking") is not False
        for f in filters
    )
    indirect = any(
        str(f.get("name") or "").lower().replace("_", " ")
        in {"indirect attack", "indirect attacks"}
        and f.get("enabled") is not False
        and f.get("blocking") is not False
        for f in filters
    )
    b.resource_node(
        rid,
        "AzureOpenAIRaiPolicy",
        res,
        mode=p.get("mode"),
        base_policy=p.get("basePolicyName"),
        prompt_shield=shield,
        indirect_attack_shield=indirect,
        disabled_filters=off or None,
        policy_type=p.get("type"),
    )
    b.edge(parent_of(rid), rid, "CONTAINS", relation="account content filter")
