"""Synthetic estates for benchmarks: deterministic from a seed, shaped like real ones.

Three profiles (``aispm synth --profile``), all aispm-graph documents that go through the same
validation, build (derivers included) and engine as real data:

* ``org`` (default): an organisation. Tenants of about 1,000 resources rotate over an AWS
  account, an Azure subscription and a GCP project. Each AWS account has tens of IAM principals
  with *raw* policies the build evaluates: users in groups, some with access keys; roles with
  managed and inline policies (wildcards, ``NotAction``, conditions, explicit denies),
  permission boundaries, role chains, service roles behind instance profiles and Lambda
  functions, cross-account trusts (account roots, named roles, external-id conditions), buckets
  with resource policies granting other accounts. Azure subscriptions have role assignments at
  subscription, resource-group and resource scope (built-in and custom roles, ``notActions``);
  GCP projects have IAM bindings on the project, buckets and service accounts. Every tenant has
  hosts behind firewalls (a few exposed), AI services, data stores (some AI data) and structure
  (containment, network attachments) so that the built graph has over 3 edges per node.
* ``sparse``: the earlier estate, with derived edges written directly (under 1 edge per node).
* ``explosion``: one AWS account of ``resources`` IAM principals, about 7% with access keys, a
  clique of 12 roles that may all assume each other, and several administrators: the shape in
  which routes multiply and exhaustive path enumeration cannot finish.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from aispm_graph.schema import declared_props

TENANT_SIZE = 1000
SYNTH_PROFILES = ("org", "sparse", "explosion")

# (kind of host, identity kind, firewall kind, rule kind, AI account, deployment, store, tenant)
PROFILES = {
    "aws": (
        "EC2Instance",
        "AWSRole",
        "EC2SecurityGroup",
        "IpPermissionInbound",
        "BedrockCustomModel",
        None,
        "S3Bucket",
        "AWSAccount",
    ),
    "azure": (
        "AzureVirtualMachine",
        "AzureManagedIdentity",
        "AzureNetworkSecurityGroup",
        "AzureNSGRule",
        "AzureCognitiveServicesAccount",
        "AzureOpenAIDeployment",
        "AzureStorageAccount",
        "AzureSubscription",
    ),
    "gcp": (
        "GCPInstance",
        "GCPServiceAccount",
        None,
        None,
        "VertexAIEndpoint",
        None,
        "GCPBucket",
        "GCPProject",
    ),
}


def synth_document(resources: int, seed: int = 7, profile: str = "org") -> dict[str, Any]:
    """A synthetic estate of about ``resources`` resources in the given profile."""
    if profile == "sparse":
        return _sparse(resources, seed)
    if profile == "explosion":
        return _explosion(resources, seed)
    if profile == "org":
        return _org(resources, seed)
    raise ValueError(f"unknown synthetic profile {profile!r} (one of {', '.join(SYNTH_PROFILES)})")


class _Doc:
    def __init__(self) -> None:
        self.nodes: list[dict[str, Any]] = []
        self.edges: list[dict[str, Any]] = []

    def node(self, id_: str, kind: str, name: str | None = None, **props: Any) -> str:
        props = {k: v for k, v in props.items() if v is not None}
        self.nodes.append(
            {"id": id_, "kind": kind, "name": name or id_.rsplit("/", 1)[-1], "properties": props}
        )
        return id_

    def edge(self, s: str, kind: str, t: str, **ev: Any) -> None:
        self.edges.append({"source": s, "target": t, "kind": kind, "evidence": ev})

    def done(self) -> dict[str, Any]:
        return {"format": "aispm-graph", "version": 1, "nodes": self.nodes, "edges": self.edges}


def _stmt(effect: str, actions: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    st: dict[str, Any] = {"Effect": effect, "Resource": resource}
    if isinstance(actions, dict):
        st.update(actions)  # {"NotAction": [...]}
    else:
        st["Action"] = actions
    st.update(extra)
    return st


def _policy(name: str, *statements: dict[str, Any], arn: str | None = None) -> dict[str, Any]:
    return {
        "name": name,
        "arn": arn,
        "document": {"Version": "2012-10-17", "Statement": list(statements)},
    }


MFA = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
OFFICE = {"IpAddress": {"aws:SourceIp": ["198.51.100.0/24"]}}
ADMIN = _policy(
    "AdministratorAccess",
    _stmt("Allow", "*"),
    arn="arn:aws:iam::aws:policy/AdministratorAccess",
)
POWER_USER = _policy(
    "PowerUserAccess",
    _stmt("Allow", {"NotAction": ["iam:*", "organizations:*", "account:*"]}),
    _stmt("Allow", ["iam:CreateServiceLinkedRole", "iam:ListRoles"]),
    arn="arn:aws:iam::aws:policy/PowerUserAccess",
)
READ_ONLY = _policy(
    "ReadOnlyAccess",
    _stmt("Allow", ["ec2:Describe*", "s3:List*", "iam:Get*", "iam:List*", "bedrock:List*"]),
    arn="arn:aws:iam::aws:policy/ReadOnlyAccess",
)
DATA_SCIENCE = _policy(
    "data-science",
    _stmt("Allow", ["s3:Get*", "s3:List*", "bedrock:Invoke*", "sagemaker:*"], Condition=MFA),
    _stmt("Deny", ["s3:DeleteBucket", "s3:PutBucketPolicy"]),
)
BOUNDARY = _policy(
    "workload-boundary",
    _stmt("Allow", ["s3:*", "bedrock:*", "secretsmanager:GetSecretValue", "sts:AssumeRole"]),
    _stmt("Deny", "iam:*"),
)
AI_ACTIONS = ("bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream")


def _account_id(ti: int) -> str:
    return f"{100000000000 + ti:012d}"


def _trust(*principals: dict[str, Any], condition: dict[str, Any] | None = None) -> Any:
    st: dict[str, Any] = {"Effect": "Allow", "Action": "sts:AssumeRole"}
    st["Principal"] = principals[0] if len(principals) == 1 else _merge(principals)
    if condition:
        st["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [st]}


def _merge(principals: tuple[dict[str, Any], ...]) -> dict[str, Any]:
    out: dict[str, list[str]] = {}
    for p in principals:
        for k, v in p.items():
            out.setdefault(k, []).append(v)
    return dict(out.items())


def _firewalled_hosts(
    d: _Doc,
    rng: random.Random,
    tenant: str,
    n_hosts: int,
    host: Callable[[int, bool], str],
    firewall: Callable[[int, bool], str],
) -> list[str]:
    """Hosts behind firewalls, a tenth of the firewalls open to the internet on one port."""
    fws = [firewall(f, rng.random() < 0.1) for f in range(max(1, n_hosts // 10))]
    hosts = []
    for h in range(n_hosts):
        hid = host(h, rng.random() < 0.2)
        d.edge(hid, "PROTECTED_BY", rng.choice(fws), layer="nic")
        d.edge(tenant, "CONTAINS", hid)
        hosts.append(hid)
    return hosts


def _rules(d: _Doc, rng: random.Random, fw: str, kind: str, open_rule: bool) -> None:
    for r in range(3):
        src = ["0.0.0.0/0"] if open_rule and r == 0 else ["10.0.0.0/8"]
        rid = d.node(
            f"{fw}/rule/{r}",
            kind,
            access="allow",
            direction="inbound",
            priority=100 + r,
            protocol="tcp",
            port_ranges=[rng.choice(["22", "443", "8888", "80"])],
            source_prefixes=src,
        )
        d.edge(fw, "HAS_RULE", rid)


def _noise(
    d: _Doc,
    tenant: tuple[str, str],
    container: str,
    base: str,
    kind: str,
    count: int,
    hosts: list[str],
) -> None:
    """Resources that take part in no path but are part of every real estate: each is
    contained twice (tenant, network/group) and attached to a host. ``tenant`` is the tenant
    node and its id."""
    node_id, tenant_id = tenant
    for i in range(count):
        nid = d.node(f"{base}/misc/{i}", kind, tenant=tenant_id)
        d.edge(node_id, "CONTAINS", nid)
        d.edge(container, "CONTAINS", nid)
        if hosts:
            d.edge(nid, "ATTACHED_TO", hosts[i % len(hosts)])


def _aws_account(d: _Doc, rng: random.Random, ti: int, per: int, accounts: list[str]) -> None:
    start = len(d.nodes)
    acct = _account_id(ti)
    region = "us-east-1"
    tenant = d.node(f"arn:aws:organizations::{acct}:account", "AWSAccount", acct, tenant=acct)
    vpc = d.node(f"arn:aws:ec2:{region}:{acct}:vpc/vpc-{ti}", "AWSVpc", tenant=acct)
    iam = f"arn:aws:iam::{acct}"
    scale = per / TENANT_SIZE
    n_users, n_roles = max(3, int(15 * scale)), max(6, int(25 * scale))
    groups = {
        "admins": [ADMIN],
        "developers": [POWER_USER],
        "data-science": [DATA_SCIENCE, READ_ONLY],
        "readonly": [READ_ONLY],
    }
    group_ids = {}
    for g, pols in groups.items():
        group_ids[g] = d.node(f"{iam}:group/{g}", "AWSGroup", g, tenant=acct, policies=pols)
        d.edge(tenant, "CONTAINS", group_ids[g])
    users = []
    for u in range(n_users):
        uid = f"{iam}:user/u{u}"
        member = ["admins"] if u == 0 else rng.sample(["developers", "data-science", "readonly"], 2)
        inline = []
        if rng.random() < 0.3:
            inline.append(
                _policy(
                    f"u{u}-self-service",
                    _stmt("Allow", "iam:CreateAccessKey", f"{iam}:user/${{aws:username}}"),
                    _stmt("Allow", "sts:AssumeRole", f"{iam}:role/app-*"),
                )
            )
        d.node(
            uid,
            "AWSUser",
            f"u{u}",
            tenant=acct,
            policies=inline,
            permissions_boundary=BOUNDARY if rng.random() < 0.2 else None,
            groups=member,
        )
        d.edge(tenant, "CONTAINS", uid)
        for g in member:
            d.edge(uid, "MEMBER_OF", group_ids[g])
        if u == 1 or rng.random() < 0.3:
            key = d.node(
                f"{iam}:access-key/AKIA{ti:06d}{u:06d}", "AccountAccessKey", status="Active"
            )
            d.edge(uid, "HAS_CREDENTIAL", key)
            d.edge(key, "AUTHENTICATES_AS", uid, mechanism="access key")
        users.append(uid)
    # Roles: an admin role the organisation's management account assumes, a CI chain, app
    # roles (behind a boundary), service roles and cross-account roles.
    other = accounts[(accounts.index(acct) + 1) % len(accounts)] if len(accounts) > 1 else acct
    mgmt = accounts[0]
    roles: list[str] = []

    def role(name: str, trust: Any, pols: list[dict[str, Any]], boundary: bool = False) -> str:
        rid = d.node(
            f"{iam}:role/{name}",
            "AWSRole",
            name,
            tenant=acct,
            trust_policy=trust,
            policies=pols,
            permissions_boundary=BOUNDARY if boundary else None,
        )
        d.edge(tenant, "CONTAINS", rid)
        roles.append(rid)
        return rid

    role(
        "OrganizationAccountAccessRole",
        _trust({"AWS": f"arn:aws:iam::{mgmt}:root"}),
        [ADMIN],
    )
    role(
        "ci-deploy",
        _trust({"AWS": users[1]}),
        [
            _policy(
                "ci",
                _stmt("Allow", ["sts:AssumeRole"], f"{iam}:role/app-*"),
                _stmt("Allow", ["lambda:UpdateFunctionCode", "lambda:InvokeFunction"]),
            )
        ],
    )
    role(
        "audit",
        _trust(
            {"AWS": f"arn:aws:iam::{other}:root"},
            condition={"StringEquals": {"sts:ExternalId": f"audit-{ti}"}},
        ),
        [READ_ONLY],
    )
    role(
        "data-share",
        _trust({"AWS": f"arn:aws:iam::{other}:role/app-0"}),
        [_policy("share", _stmt("Allow", "s3:GetObject", "arn:aws:s3:::*-training-*/*"))],
    )
    services = ("ec2.amazonaws.com", "lambda.amazonaws.com", "sagemaker.amazonaws.com")
    app_roles, service_roles = [], []
    for r in range(n_roles - len(roles)):
        if r % 3 == 2:
            svc = services[r % len(services)]
            service_roles.append(
                (
                    svc,
                    role(
                        f"svc-{svc.split('.')[0]}-{r}",
                        _trust({"Service": svc}),
                        [
                            _policy(
                                f"svc-{r}",
                                _stmt(
                                    "Allow",
                                    list(
                                        rng.sample(
                                            [
                                                "s3:GetObject",
                                                "s3:PutObject",
                                                "bedrock:InvokeModel",
                                                "secretsmanager:GetSecretValue",
                                                "logs:*",
                                            ],
                                            2,
                                        )
                                    ),
                                ),
                            )
                        ],
                    ),
                )
            )
            continue
        trusted = {"AWS": f"{iam}:role/ci-deploy"} if r % 3 == 0 else {"AWS": f"{iam}:root"}
        pols = [
            _policy(
                f"app-{r}",
                _stmt("Allow", list(AI_ACTIONS), f"arn:aws:bedrock:{region}:{acct}:custom-model/*"),
                _stmt(
                    "Allow",
                    ["s3:GetObject", "s3:ListBucket"],
                    f"arn:aws:s3:::t{ti}-data-{rng.randrange(20)}*",
                ),
                _stmt("Allow", "sts:AssumeRole", f"{iam}:role/app-{r + 1}", Condition=OFFICE),
            )
        ]
        if rng.random() < 0.15:
            pols.append(
                _policy(f"app-{r}-pass", _stmt("Allow", ["iam:PassRole", "ec2:RunInstances"]))
            )
        app_roles.append(role(f"app-{r}", _trust(trusted), pols, boundary=rng.random() < 0.5))
    # Compute: instances behind security groups, half with an instance profile.
    profiles = []
    for svc, rid in service_roles:
        if svc == "ec2.amazonaws.com":
            prof = d.node(
                f"{iam}:instance-profile/{rid.rsplit('/', 1)[-1]}",
                "AWSInstanceProfile",
                role=rid,
                tenant=acct,
            )
            d.edge(prof, "ATTACHED_TO", rid)
            profiles.append(prof)
    n_hosts = int(per * 0.25)

    def host(h: int, public: bool) -> str:
        return d.node(
            f"arn:aws:ec2:{region}:{acct}:instance/i-{ti:05d}{h:06d}",
            "EC2Instance",
            f"i-{h}",
            tenant=acct,
            public_ip=f"34.{ti % 250}.{h // 250 % 250}.{h % 250}" if public else None,
            instance_profile=rng.choice(profiles) if profiles and rng.random() < 0.5 else None,
            imds_v1=rng.random() < 0.3,
        )

    def firewall(f: int, open_rule: bool) -> str:
        fw = d.node(
            f"arn:aws:ec2:{region}:{acct}:security-group/sg-{ti}-{f}",
            "EC2SecurityGroup",
            tenant=acct,
        )
        _rules(d, rng, fw, "IpPermissionInbound", open_rule)
        d.edge(vpc, "CONTAINS", fw)
        return fw

    hosts = _firewalled_hosts(d, rng, tenant, n_hosts, host, firewall)
    # AI and data.
    for m in range(max(1, int(per * 0.02))):
        mid = d.node(
            f"arn:aws:bedrock:{region}:{acct}:custom-model/m{m}",
            "BedrockCustomModel",
            tenant=acct,
            model_name="synthetic-llm",
        )
        d.edge(tenant, "CONTAINS", mid)
    n_buckets = int(per * 0.12)
    for b in range(n_buckets):
        training = b < 20 and rng.random() < 0.5
        name = f"t{ti}-{'data' if training else 'logs'}-{b}"
        policy = None
        if training and rng.random() < 0.3:
            policy = {
                "Version": "2012-10-17",
                "Statement": [
                    _stmt(
                        "Allow",
                        "s3:GetObject",
                        f"arn:aws:s3:::{name}/*",
                        Principal={"AWS": f"arn:aws:iam::{other}:root"},
                    )
                ],
            }
        bid = d.node(
            f"arn:aws:s3:::{name}",
            "S3Bucket",
            name,
            tenant=acct,
            region=region,
            data_role=["training"] if training else None,
            resource_policy=policy,
        )
        d.edge(tenant, "CONTAINS", bid)
    for sec in range(max(1, int(per * 0.01))):
        sid = d.node(
            f"arn:aws:secretsmanager:{region}:{acct}:secret:s{sec}-abc",
            "SecretsManagerSecret",
            f"s{sec}",
            tenant=acct,
        )
        d.edge(tenant, "CONTAINS", sid)
    lambda_roles = [rid for svc, rid in service_roles if svc == "lambda.amazonaws.com"]
    for f in range(max(1, int(per * 0.01))):
        fid = d.node(
            f"arn:aws:lambda:{region}:{acct}:function:f{f}",
            "AWSLambda",
            f"f{f}",
            tenant=acct,
            role=rng.choice(lambda_roles) if lambda_roles else None,
            event_sources=["sqs"] if f % 2 else None,
        )
        d.edge(tenant, "CONTAINS", fid)
    used = len(d.nodes) - start
    _noise(d, (tenant, acct), vpc, f"syn/aws/{acct}", "S3Bucket", max(0, per - used), hosts)


def _azure_subscription(d: _Doc, rng: random.Random, ti: int, per: int) -> None:
    start = len(d.nodes)
    sub_guid = f"00000000-0000-0000-0000-{ti:012d}"
    sub = d.node(f"/subscriptions/{sub_guid}", "AzureSubscription", f"sub-{ti}", tenant=sub_guid)
    rgs = [
        d.node(f"{sub}/resourcegroups/rg{r}", "AzureResourceGroup", f"rg{r}", tenant=sub_guid)
        for r in range(5)
    ]
    for rg in rgs:
        d.edge(sub, "CONTAINS", rg)
    scale = per / TENANT_SIZE
    idents = []
    for i in range(max(4, int(30 * scale))):
        rg = rgs[i % len(rgs)]
        iid = d.node(
            f"{rg}/providers/microsoft.managedidentity/userassignedidentities/id{i}",
            "AzureManagedIdentity",
            f"id{i}",
            tenant=sub_guid,
            principal_id=f"{ti:08d}-0000-0000-0000-{i:012d}",
        )
        d.edge(rg, "CONTAINS", iid)
        idents.append(iid)
    roles: list[tuple[str, list[str], list[str], list[str], list[str]]] = [
        ("Owner", ["*"], [], [], []),
        ("Contributor", ["*"], ["Microsoft.Authorization/*/write"], [], []),
        ("Reader", ["*/read"], [], [], []),
        (
            "Cognitive Services OpenAI User",
            ["Microsoft.CognitiveServices/*/read"],
            [],
            ["Microsoft.CognitiveServices/accounts/OpenAI/*"],
            [],
        ),
        (
            "Storage Blob Data Reader",
            ["Microsoft.Storage/storageAccounts/blobServices/*/read"],
            [],
            ["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read"],
            [],
        ),
        (
            "ml-operator (custom)",
            ["Microsoft.MachineLearningServices/workspaces/*"],
            ["Microsoft.MachineLearningServices/workspaces/delete"],
            [],
            [],
        ),
    ]
    n_hosts = int(per * 0.25)
    ai, stores = [], []
    for a in range(max(1, int(per * 0.01))):
        rg = rgs[a % len(rgs)]
        acct = d.node(
            f"{rg}/providers/microsoft.cognitiveservices/accounts/ai{a}",
            "AzureCognitiveServicesAccount",
            f"ai{a}",
            tenant=sub_guid,
            account_kind="OpenAI",
            local_auth_enabled=rng.random() < 0.5,
            public_network_access=rng.random() < 0.2,
        )
        for dep in range(3):
            did = d.node(
                f"{acct}/deployments/d{dep}",
                "AzureOpenAIDeployment",
                f"d{dep}",
                model_name=f"gpt-{dep}",
            )
            d.edge(acct, "SERVES", did, mechanism="deployment")
        d.edge(rg, "CONTAINS", acct)
        ai.append(acct)
    for s_ in range(int(per * 0.1)):
        rg = rgs[s_ % len(rgs)]
        st = d.node(
            f"{rg}/providers/microsoft.storage/storageaccounts/st{ti}x{s_}",
            "AzureStorageAccount",
            f"st{s_}",
            tenant=sub_guid,
            data_role=["grounding"] if rng.random() < 0.1 else None,
            local_auth_enabled=rng.random() < 0.3,
        )
        d.edge(rg, "CONTAINS", st)
        stores.append(st)
    n_assign = max(6, int(40 * scale))
    for a in range(n_assign):
        name, actions, not_actions, data_actions, not_data = roles[rng.randrange(len(roles))]
        if a < 2:
            name, actions, not_actions, data_actions, not_data = roles[0]
        where = rng.random()
        scope = (
            sub if where < 0.3 else rgs[a % len(rgs)] if where < 0.8 else rng.choice(ai + stores)
        )
        principal = rng.choice(idents)
        d.node(
            f"{scope}/providers/microsoft.authorization/roleassignments/ra{a}",
            "AzureRoleAssignment",
            f"{name} @ {scope}",
            tenant=sub_guid,
            role_name=name,
            role_definition_id=f"role-{name}",
            actions=actions,
            not_actions=not_actions,
            data_actions=data_actions,
            not_data_actions=not_data,
            principal_id=f"{ti:08d}-0000-0000-0000-{idents.index(principal):012d}",
            principal_type="ServicePrincipal",
            scope=scope,
            condition="@Resource[tag:env] == 'dev'" if rng.random() < 0.1 else None,
        )

    def host(h: int, public: bool) -> str:
        rg = rgs[h % len(rgs)]
        hid = d.node(
            f"{rg}/providers/microsoft.compute/virtualmachines/vm{h}",
            "AzureVirtualMachine",
            f"vm{h}",
            tenant=sub_guid,
            public_ip=f"20.{ti % 250}.{h // 250 % 250}.{h % 250}" if public else None,
        )
        if rng.random() < 0.5:
            d.edge(hid, "HAS_IDENTITY", rng.choice(idents), mechanism="user-assigned identity")
        return hid

    def firewall(f: int, open_rule: bool) -> str:
        fw = d.node(
            f"{rgs[0]}/providers/microsoft.network/networksecuritygroups/nsg{f}",
            "AzureNetworkSecurityGroup",
            f"nsg{f}",
            tenant=sub_guid,
        )
        _rules(d, rng, fw, "AzureNSGRule", open_rule)
        return fw

    hosts = _firewalled_hosts(d, rng, sub, n_hosts, host, firewall)
    used = len(d.nodes) - start
    _noise(
        d,
        (sub, sub_guid),
        rgs[1],
        f"{rgs[1]}/providers/microsoft.network/networkinterfaces",
        "AzureNetworkInterface",
        max(0, per - used),
        hosts,
    )


def _gcp_project(d: _Doc, rng: random.Random, ti: int, per: int, org: str) -> None:
    start = len(d.nodes)
    pid = f"proj-{ti}"
    crm = "//cloudresourcemanager.googleapis.com"
    folder = f"{crm}/folders/{ti % 7}"
    proj_id = f"{crm}/projects/{pid}"
    anc = [proj_id, folder, org]
    scale = per / TENANT_SIZE
    sas = []
    for i in range(max(4, int(25 * scale))):
        email = f"sa{i}@{pid}.iam.gserviceaccount.com"
        sas.append(email)
    users = [f"user:dev{i}@example.com" for i in range(max(2, int(8 * scale)))]
    members = [f"serviceAccount:{e}" for e in sas] + users
    roles = [
        "roles/viewer",
        "roles/editor",
        "roles/aiplatform.user",
        "roles/storage.objectViewer",
        "roles/iam.serviceAccountUser",
        "roles/iam.serviceAccountTokenCreator",
    ]
    bindings: list[dict[str, Any]] = [{"role": "roles/owner", "members": [members[0]]}]
    for r in roles:
        bindings.append({"role": r, "members": sorted(set(rng.sample(members, 3)))})
    bindings.append(
        {
            "role": "roles/storage.objectViewer",
            "members": [users[0]],
            "condition": {"title": "office hours"},
        }
    )
    project = d.node(
        proj_id,
        "GCPProject",
        pid,
        tenant=pid,
        ancestors=[folder, org],
        iam_bindings=bindings,
        collected=True,
    )
    d.edge(folder, "CONTAINS", project)
    net = d.node(
        f"//compute.googleapis.com/projects/{pid}/global/networks/default",
        "GCPNetwork",
        "default",
        tenant=pid,
        ancestors=anc,
    )
    sa_nodes = []
    for e in sas:
        sa_bind = None
        if rng.random() < 0.1:
            sa_bind = [
                {"role": "roles/iam.serviceAccountTokenCreator", "members": [rng.choice(members)]}
            ]
        sa_nodes.append(
            d.node(
                f"//iam.googleapis.com/projects/{pid}/serviceAccounts/{e}",
                "GCPServiceAccount",
                e,
                email=e,
                tenant=pid,
                ancestors=anc,
                iam_bindings=sa_bind,
                collected=True,
            )
        )
    for m in range(max(1, int(per * 0.01))):
        d.node(
            f"//aiplatform.googleapis.com/projects/{pid}/locations/us-central1/endpoints/e{m}",
            "VertexAIEndpoint",
            f"e{m}",
            tenant=pid,
            ancestors=anc,
            collected=True,
        )
    for b in range(int(per * 0.1)):
        training = rng.random() < 0.1
        bind = None
        if training and rng.random() < 0.2:
            bind = [{"role": "roles/storage.objectViewer", "members": [rng.choice(members)]}]
        d.node(
            f"//storage.googleapis.com/projects/_/buckets/{pid}-b{b}",
            "GCPBucket",
            f"{pid}-b{b}",
            tenant=pid,
            ancestors=anc,
            iam_bindings=bind,
            collected=True,
            data_role=["training"] if training else None,
            public_access_prevention="enforced",
        )
    n_hosts = int(per * 0.25)

    def host(h: int, public: bool) -> str:
        hid = d.node(
            f"//compute.googleapis.com/projects/{pid}/zones/us-central1-a/instances/vm{h}",
            "GCPInstance",
            f"vm{h}",
            tenant=pid,
            ancestors=anc,
            public_ip=f"35.{ti % 250}.{h // 250 % 250}.{h % 250}" if public else None,
        )
        if rng.random() < 0.5:
            d.edge(hid, "HAS_IDENTITY", rng.choice(sa_nodes), mechanism="attached service account")
        return hid

    def firewall(f: int, open_rule: bool) -> str:
        return d.node(
            f"//compute.googleapis.com/projects/{pid}/global/firewalls/fw{f}",
            "GCPFirewall",
            f"fw{f}",
            tenant=pid,
            access="allow",
            direction="inbound",
            priority=1000,
            protocol="tcp",
            port_ranges=["8888"],
            source_prefixes=["0.0.0.0/0" if open_rule else "10.0.0.0/8"],
        )

    hosts = _firewalled_hosts(d, rng, project, n_hosts, host, firewall)
    used = len(d.nodes) - start
    _noise(
        d,
        (project, pid),
        net,
        f"//storage.googleapis.com/projects/_/buckets/{pid}-misc",
        "GCPBucket",
        max(0, per - used),
        hosts,
    )


def _org(resources: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    d = _Doc()
    tenants = max(1, resources // TENANT_SIZE)
    per = resources // tenants
    accounts = [_account_id(ti) for ti in range(tenants) if ti % 3 == 0]
    org = d.node(
        "//cloudresourcemanager.googleapis.com/organizations/1", "GCPOrganization", "example.com"
    )
    for f in range(7):
        fid = d.node(
            f"//cloudresourcemanager.googleapis.com/folders/{f}",
            "GCPFolder",
            f"f{f}",
            ancestors=[org],
        )
        d.edge(org, "CONTAINS", fid)
    for ti in range(tenants):
        cloud = ti % 3
        if cloud == 0:
            _aws_account(d, rng, ti, per, accounts)
        elif cloud == 1:
            _azure_subscription(d, rng, ti, per)
        else:
            _gcp_project(d, rng, ti, per, org)
    return d.done()


def _explosion(principals: int, seed: int) -> dict[str, Any]:
    """One account where routes multiply: a 12-role assume-role clique, admins, and users
    with access keys who may assume the clique's roles."""
    rng = random.Random(seed)
    d = _Doc()
    acct = _account_id(0)
    iam = f"arn:aws:iam::{acct}"
    tenant = d.node(f"arn:aws:organizations::{acct}:account", "AWSAccount", acct, tenant=acct)
    clique = [f"{iam}:role/hub-{i}" for i in range(12)]
    n_users = max(1, principals // 4)
    keys = max(1, round(principals * 0.07))
    for i, rid in enumerate(clique):
        others = [{"AWS": c} for c in clique if c != rid]
        pols = [_policy(f"hub-{i}", _stmt("Allow", "sts:AssumeRole", f"{iam}:role/hub-*"))]
        if i % 4 == 0:
            pols.append(ADMIN)
        d.node(
            rid,
            "AWSRole",
            f"hub-{i}",
            tenant=acct,
            trust_policy=_trust(*others, {"AWS": f"{iam}:root"}),
            policies=pols,
        )
    for r in range(principals - n_users - len(clique)):
        pols = [_policy(f"r{r}", _stmt("Allow", ["s3:GetObject", "bedrock:Invoke*"]))]
        if rng.random() < 0.2:
            pols.append(_policy(f"r{r}-hub", _stmt("Allow", "sts:AssumeRole", f"{iam}:role/hub-*")))
        d.node(
            f"{iam}:role/r{r}",
            "AWSRole",
            f"r{r}",
            tenant=acct,
            trust_policy=_trust({"AWS": f"{iam}:root"}),
            policies=pols,
        )
    for u in range(n_users):
        uid = d.node(
            f"{iam}:user/u{u}",
            "AWSUser",
            f"u{u}",
            tenant=acct,
            policies=[
                _policy(
                    f"u{u}",
                    _stmt("Allow", ["sts:AssumeRole"], f"{iam}:role/hub-{u % 12}"),
                    _stmt("Allow", "s3:GetObject"),
                )
            ],
        )
        d.edge(tenant, "CONTAINS", uid)
        if u < keys:
            key = d.node(f"{iam}:access-key/AKIA{u:012d}", "AccountAccessKey", status="Active")
            d.edge(uid, "HAS_CREDENTIAL", key)
            d.edge(key, "AUTHENTICATES_AS", uid, mechanism="access key")
    for b in range(20):
        d.node(
            f"arn:aws:s3:::x-training-{b}",
            "S3Bucket",
            f"x-training-{b}",
            tenant=acct,
            data_role=["training"],
        )
    for m in range(5):
        d.node(
            f"arn:aws:bedrock:us-east-1:{acct}:custom-model/m{m}", "BedrockCustomModel", tenant=acct
        )
    return d.done()


def _sparse(resources: int, seed: int) -> dict[str, Any]:
    """Today's first profile: derived edges written directly, about 0.75 edges per node."""
    rng = random.Random(seed)
    nodes: list[dict[str, Any]] = []
    edges: list[dict[str, Any]] = []

    def node(id_: str, kind: str, **props: Any) -> str:
        nodes.append({"id": id_, "kind": kind, "name": id_.rsplit("/", 1)[-1], "properties": props})
        return id_

    def edge(s: str, kind: str, t: str, **ev: Any) -> None:
        edges.append({"source": s, "target": t, "kind": kind, "evidence": ev})

    tenants = max(1, resources // TENANT_SIZE)
    per = resources // tenants
    for ti in range(tenants):
        cloud = ("aws", "azure", "gcp")[ti % 3]
        host_k, ident_k, fw_k, rule_k, ai_k, dep_k, store_k, tenant_k = PROFILES[cloud]
        base = f"syn/{cloud}/t{ti}"
        tenant = node(f"{base}/tenant", tenant_k, tenant=f"t{ti}")
        n_hosts = int(per * 0.30)
        n_ident = int(per * 0.12)
        n_store = int(per * 0.15)
        n_ai = max(1, int(per * 0.02))
        idents = [node(f"{base}/id/{i}", ident_k, tenant=f"t{ti}") for i in range(n_ident)]
        admins = idents[: max(1, n_ident // 50)]
        for a in admins:
            edge(a, "CAN_ADMINISTER", tenant, permission="admin", grant="synthetic")
        # Role chains: a sparse assume graph among identities.
        for i in range(n_ident):
            if rng.random() < 0.15:
                edge(idents[i], "CAN_ASSUME", rng.choice(idents), statement="synthetic trust")
        ai_targets = []
        for i in range(n_ai):
            # Only kinds that carry a model name get one (an Azure account serving
            # deployments or a Vertex endpoint names none itself).
            named = {"model_name": "synthetic-llm"} if "model_name" in declared_props(ai_k) else {}
            acct = node(f"{base}/ai/{i}", ai_k, tenant=f"t{ti}", **named)
            if dep_k:
                for d in range(3):
                    dep = node(f"{acct}/deployments/{d}", dep_k, model_name=f"m{d}")
                    edge(acct, "SERVES", dep, relationship="deployment")
            ai_targets.append(acct)
        stores = []
        for i in range(n_store):
            role = ["training"] if rng.random() < 0.1 else []
            stores.append(
                node(
                    f"{base}/store/{i}",
                    store_k,
                    tenant=f"t{ti}",
                    data_role=role,
                    public_read=rng.random() < 0.002,
                )
            )
        for ident in idents:
            if rng.random() < 0.2:
                edge(
                    ident,
                    "CAN_INVOKE",
                    rng.choice(ai_targets),
                    permission="invoke",
                    grant="synthetic",
                )
            for _ in range(rng.randint(0, 3)):
                edge(ident, "CAN_READ", rng.choice(stores), permission="read", grant="synthetic")
        fws: list[str] = []
        if fw_k and rule_k:
            for f in range(max(1, n_hosts // 10)):
                fw = node(f"{base}/fw/{f}", fw_k, tenant=f"t{ti}")
                open_rule = rng.random() < 0.1
                for r in range(3):
                    src = ["0.0.0.0/0"] if open_rule and r == 0 else ["10.0.0.0/8"]
                    rid = node(
                        f"{fw}/rule/{r}",
                        rule_k,
                        access="allow",
                        direction="inbound",
                        priority=100 + r,
                        protocol="tcp",
                        port_ranges=[rng.choice(["22", "443", "8888", "80"])],
                        source_prefixes=src,
                    )
                    edge(fw, "HAS_RULE", rid)
                fws.append(fw)
        else:
            for f in range(max(1, n_hosts // 10)):
                open_rule = rng.random() < 0.1
                fws.append(
                    node(
                        f"{base}/fw/{f}",
                        "GCPFirewall",
                        access="allow",
                        direction="inbound",
                        priority=1000,
                        protocol="tcp",
                        port_ranges=["8888"],
                        source_prefixes=["0.0.0.0/0" if open_rule else "10.0.0.0/8"],
                    )
                )
        for h in range(n_hosts):
            public = rng.random() < 0.2
            host = node(
                f"{base}/host/{h}",
                host_k,
                tenant=f"t{ti}",
                public_ip=f"34.{ti % 250}.{h // 250 % 250}.{h % 250}" if public else None,
            )
            edge(host, "PROTECTED_BY", rng.choice(fws))
            if rng.random() < 0.5:
                edge(host, "HAS_IDENTITY", rng.choice(idents), mechanism="synthetic")
        # Structure noise up to the tenant's size.
        used = (
            1
            + n_ident
            + n_ai * (4 if dep_k else 1)
            + n_store
            + n_hosts
            + len(fws) * (4 if fw_k else 1)
        )
        for i in range(max(0, per - used)):
            node(f"{base}/noise/{i}", store_k, tenant=f"t{ti}")
    return {"format": "aispm-graph", "version": 1, "nodes": nodes, "edges": edges}
