"""Evidence keys: the vocabulary edges use to say why they exist.

Every key any edge carries is declared once in ``EVIDENCE_KEYS`` (type and meaning), and each
edge kind lists the keys it may carry: ``EdgeKind.evidence_keys`` in ``edges.py`` plus
``EDGE_EVIDENCE`` here (merged by ``aispm_graph.schema``). Keys named in a remediation
template must be declared on that edge (``tests/core/test_schema.py``).

The permission-derived attack edges share one vocabulary (``GRANT``): the AWS, Azure and GCP
derivers each fill the part their policy model has (statement and policy; role assignment and
scope; binding member and role), so any of them may appear on any of those edges.
"""

from __future__ import annotations

from aispm_graph.schema.edges import EDGE_KINDS
from aispm_graph.schema.model import EvidenceKey, PropType

S, INT, B, SL, J = (
    PropType.STR,
    PropType.INT,
    PropType.BOOL,
    PropType.STR_LIST,
    PropType.JSON,
)

_KEYS = (
    # --- why a permission edge exists -------------------------------------------------------
    EvidenceKey(
        "permission",
        S,
        "The action(s) that grant the step (s3:GetObject, "
        "Microsoft.CognitiveServices/accounts/listKeys/action, iam.serviceAccounts.actAs).",
    ),
    EvidenceKey(
        "permissions",
        S,
        "Every permission an escalation technique needs, joined with ' + '.",
    ),
    EvidenceKey(
        "grant",
        S,
        "The grant in words (policy name and statement, role at scope, binding): what to "
        "change to remove the step.",
    ),
    EvidenceKey(
        "statement",
        S,
        "The policy statement that allows it, as JSON (AWS identity, trust or resource policy).",
    ),
    EvidenceKey("policy", S, "Name or ARN of the policy holding the statement."),
    EvidenceKey(
        "resource",
        S,
        "The resource pattern the statement allows, as written (may hold wildcards).",
    ),
    EvidenceKey(
        "matched_pattern",
        S,
        "The action pattern of the role or statement that matched the needed permission "
        "('*', 'Microsoft.Storage/*'): a wildcard here means a broader grant than needed.",
    ),
    EvidenceKey("role", S, "The role granted (Azure role name, GCP role id, data role)."),
    EvidenceKey(
        "scope",
        S,
        "Where the role is granted (subscription, resource group, resource; project, folder, "
        "bucket): the narrowest scope that still grants it is where to fix it.",
    ),
    EvidenceKey("assignment", S, "Id of the Azure role assignment that grants it."),
    EvidenceKey(
        "inherited",
        B,
        "Granted at a scope above the target (inherited), not on the target itself.",
    ),
    EvidenceKey(
        "member",
        S,
        "The GCP binding member that grants it (user:, group:, serviceAccount:, domain:).",
    ),
    EvidenceKey(
        "technique",
        S,
        "How an attacker uses the grant, in words (an escalation technique or the abuse).",
    ),
    EvidenceKey(
        "technique_id",
        S,
        "Id of the escalation technique (docs/escalation.md) the step applies.",
    ),
    EvidenceKey("reference", S, "Public write-up of the technique."),
    EvidenceKey(
        "also_via",
        SL,
        "Other technique ids that give the same step: fixing one technique leaves the others.",
    ),
    EvidenceKey(
        "also_granted",
        SL,
        "Other grants that give the same step: each must be removed to break it.",
    ),
    EvidenceKey(
        "also_granted_by",
        SL,
        "Other role assignments that give the same step: each must be removed to break it.",
    ),
    EvidenceKey(
        "management_group_path",
        S,
        "Management groups the role assignment is inherited through (Tenant Root Group > "
        "Corp > ...): where above the subscription it is granted.",
    ),
    EvidenceKey(
        "reason",
        S,
        "Why the step is assumed rather than read (a guest whose home tenant authenticates "
        "it: that tenant's security is unknown).",
    ),
    EvidenceKey(
        "grants",
        SL,
        "Every grant that gives the step, when more than one: each must go to break it.",
    ),
    EvidenceKey(
        "caller_grant",
        S,
        "The identity policy grant that lets the caller assume the role (the trust policy is "
        "the other half).",
    ),
    EvidenceKey(
        "through",
        S,
        "The role the escalation goes through (passed to, or run as by, the created resource).",
    ),
    EvidenceKey("function", S, "ARN of the Lambda function whose code the step changes."),
    EvidenceKey(
        "condition",
        S,
        "The policy condition that could not be decided offline: why the edge is conditional.",
    ),
    EvidenceKey(
        "trust",
        S,
        "The trust policy statement that lets the source assume the role, as JSON.",
    ),
    EvidenceKey(
        "ownership",
        S,
        "The Entra ownership that gives the step (owner of the application, service principal "
        "or group), in words.",
    ),
    EvidenceKey(
        "graph_app_role",
        S,
        "The Microsoft Graph application permission (app role) that gives the step "
        "(RoleManagement.ReadWrite.Directory, ...).",
    ),
    EvidenceKey(
        "owner_of",
        SL,
        "What the principal owns (application, service principal, group): each ownership "
        "lets it add credentials or members.",
    ),
    EvidenceKey(
        "credential",
        S,
        "The credential the step is taken with (a long-term Bedrock API key), when the edge "
        "starts at the credential rather than its owner.",
    ),
    EvidenceKey(
        "kms",
        S,
        "What the KMS key policy adds: reading the encrypted data also needs kms:Decrypt, "
        "which the key's policy grants (or leaves undecided) for the account.",
    ),
    EvidenceKey(
        "guardrail",
        S,
        "An organisation policy that limits the technique but does not stop it (what it "
        "still leaves open).",
    ),
    EvidenceKey("service", S, "Service principal a role is passed to (sagemaker.amazonaws.com)."),
    EvidenceKey(
        "fix",
        S,
        "A precise remediation sentence for this edge; replaces the kind's template.",
    ),
    # --- exposure ---------------------------------------------------------------------------
    EvidenceKey(
        "via",
        S,
        "What lets the source in: the firewall, rule or public switch (exposure); the "
        "principal or mechanism that writes the content (prompt injection); the job that read "
        "the data (training).",
    ),
    EvidenceKey("rule", S, "The rule that admits the traffic."),
    EvidenceKey("rules", SL, "Every rule that admits it (all must change to close it)."),
    EvidenceKey("firewall", S, "Id of the firewall (security group, NSG, VPC firewall)."),
    EvidenceKey(
        "source_range",
        S,
        "The admitted public source range (0.0.0.0/0, Internet, *).",
    ),
    EvidenceKey("ports", S, "The admitted ports, in words (tcp/22, any)."),
    EvidenceKey(
        "port_classes",
        SL,
        "Classes of the admitted ports (remote-admin, ai-service, database, web): the risk "
        "model weighs a model server port above a web port.",
    ),
    EvidenceKey(
        "exposure_width",
        S,
        "How wide the admitted source is (any = the whole internet, or a narrower range).",
    ),
    EvidenceKey("layers", SL, "Network layers evaluated on the way in (nic, subnet, vpc)."),
    EvidenceKey("public_ip", S, "The public address the internet reaches."),
    EvidenceKey(
        "auth",
        S,
        "Authentication the exposed endpoint requires (key, none, iam): key auth makes a "
        "leaked key enough.",
    ),
    EvidenceKey("access", S, "The kind of public access (read, write, invoke)."),
    EvidenceKey("url", S, "The public URL (function URL, service URL)."),
    # --- structure and provenance ------------------------------------------------------------
    EvidenceKey(
        "mechanism",
        S,
        "How the source holds or reaches the target (instance profile, managed identity, "
        "access key, action group, model deployment of the account).",
    ),
    EvidenceKey(
        "instance_profile",
        S,
        "ARN of the instance profile through which the instance gets the role.",
    ),
    EvidenceKey(
        "imds_v1",
        B,
        "The instance metadata service answers v1 (token-less) requests: an SSRF in the "
        "workload is enough to steal the credentials.",
    ),
    EvidenceKey(
        "scopes",
        SL,
        "OAuth scopes of the attached service account (cloud-platform grants all its roles).",
    ),
    EvidenceKey("service_account", S, "Email of the GCP service account involved."),
    EvidenceKey("layer", S, "Where the firewall applies: nic, subnet, vpc (instance)."),
    EvidenceKey("match", S, "How the firewall or software was matched to the resource."),
    EvidenceKey("nic", S, "Id of the network interface through which the NSG applies."),
    EvidenceKey("subnet", S, "Id of the subnet through which the firewall applies."),
    EvidenceKey("route", S, "Destination range of the route (0.0.0.0/0)."),
    EvidenceKey("port", S, "Backend port the load balancer rule forwards to."),
    EvidenceKey("scheme", S, "Load balancing scheme (EXTERNAL = internet-facing)."),
    EvidenceKey("listener_port", INT, "Port the load balancer listens on."),
    EvidenceKey("listener_protocol", S, "Protocol of that listener (HTTP, HTTPS, TCP)."),
    EvidenceKey("target_group", S, "ARN of the target group the listener forwards to."),
    EvidenceKey("target_port", INT, "Port of the target the traffic arrives on."),
    EvidenceKey(
        "relation",
        S,
        "What the one is to the other (workspace key vault; direct member).",
    ),
    EvidenceKey(
        "field",
        S,
        "The provider record field the edge was read from (modelArn, outputDataConfig.s3Uri).",
    ),
    EvidenceKey("value", S, "The value of that field (an image reference, a resource id)."),
    EvidenceKey("property", S, "The node property the edge was read from."),
    EvidenceKey("uri", S, "Storage URI of the data or artifact (s3://, gs://, https://)."),
    EvidenceKey("what", S, "What the stored artifact is (model weights, agent package)."),
    EvidenceKey("deployed_model_id", S, "Id of the deployment of the model on the endpoint."),
    EvidenceKey("action_group", S, "Name of the Bedrock agent action group."),
    EvidenceKey(
        "auth_mode",
        S,
        "How the datastore authenticates to the storage (AccountKey, Sas, None for "
        "identity): a stored key is a credential anyone using the workspace holds.",
    ),
    EvidenceKey("datastore", S, "Id of the workspace datastore involved."),
    EvidenceKey(
        "credential_datastores",
        SL,
        "Ids of the datastores that hold a credential to the storage: each is a way in.",
    ),
    EvidenceKey("group", S, "Name of the group the membership is in."),
    EvidenceKey(
        "membership",
        S,
        "How the membership was read (direct, or transitive through nested groups).",
    ),
    EvidenceKey("connection", S, "Id of the workspace connection used."),
    EvidenceKey("data_source", S, "Name of the knowledge base data source."),
    EvidenceKey(
        "prefixes",
        SL,
        "Key prefixes of the bucket that are used (only these matter to the AI resource).",
    ),
    # --- agents -----------------------------------------------------------------------------
    EvidenceKey("tool_type", S, "What the tool does (lambda, openapi, mcp-server, ...)."),
    EvidenceKey("approval", S, "Human approval before the tool acts: always, never, unknown."),
    EvidenceKey("tools", SL, "Names of the tools the edge gives access to."),
    EvidenceKey(
        "content",
        S,
        "The content the source can write and the agent reads (a bucket, an index, a tool "
        "description).",
    ),
    EvidenceKey("content_kind", S, "Kind of that content (data source, memory, tool description)."),
    EvidenceKey(
        "patterns",
        SL,
        "Injection patterns found in tool descriptions (category: excerpt).",
    ),
    EvidenceKey("collaborator", S, "Name of the collaborator agent."),
    EvidenceKey("alias", S, "ARN of the agent alias called."),
    EvidenceKey(
        "relay_history",
        S,
        "Whether the conversation history is relayed to the collaborator (TO_COLLABORATOR): "
        "content injected earlier travels on.",
    ),
    EvidenceKey("model", S, "Id of the model used."),
    EvidenceKey("image", S, "The image reference the package was inferred from."),
    EvidenceKey("note", S, "A caveat on the edge (an organisation policy that limits it)."),
    EvidenceKey(
        "cross_project",
        S,
        "The service account belongs to another project than the resource it is attached to.",
    ),
    EvidenceKey("used", S, "Where the service account is used (granted on, member of)."),
    EvidenceKey("load_balancer", S, "Id of the internet-facing load balancer in front."),
    EvidenceKey("deployed_index_id", S, "Id of the deployed index on the index endpoint."),
    # --- vulnerabilities --------------------------------------------------------------------
    EvidenceKey("fixed", S, "First version that fixes the vulnerability."),
    EvidenceKey(
        "reported",
        J,
        "What each scanner reported for the match ({scanner: {severity, fixed}}).",
    ),
    EvidenceKey("reported_as", S, "The advisory id the scanner reported (an alias of this one)."),
    EvidenceKey("not_reported_by", SL, "Scanners that did not report the match."),
    EvidenceKey(
        "disagreement",
        S,
        "Where the sources disagree (fixed version), so the fix can be checked.",
    ),
    EvidenceKey("database", S, "The advisory database the match came from (name, source)."),
    EvidenceKey("sources", SL, "Where the match came from (osv, trivy, grype)."),
    EvidenceKey("source", S, "The importer the package was read by (requirements, cyclonedx)."),
    EvidenceKey("file", S, "The file the package was read from."),
    EvidenceKey("locations", SL, "Where in that file (line numbers, paths)."),
)

EVIDENCE_KEYS: dict[str, EvidenceKey] = {k.name: k for k in _KEYS}

# The shared vocabulary of the permission-derived attack edges (see the module docstring).
GRANT = (
    "permission",
    "permissions",
    "grant",
    "statement",
    "policy",
    "resource",
    "matched_pattern",
    "role",
    "scope",
    "assignment",
    "inherited",
    "member",
    "technique",
    "technique_id",
    "reference",
    "also_via",
    "also_granted",
    "also_granted_by",
    "service",
    "management_group_path",
    "reason",
    "note",
    "trust",
    "used",
    "grants",
    "caller_grant",
    "through",
    "function",
    "condition",
    "ownership",
    "graph_app_role",
    "credential",
    "via",
    "kms",
    "guardrail",
)
_PERMISSION_EDGES = (
    "CAN_ASSUME",
    "CAN_ESCALATE_TO",
    "CAN_INVOKE",
    "CAN_READ",
    "CAN_WRITE",
    "CAN_READ_KEYS",
    "CAN_MANAGE",
    "CAN_ADMINISTER",
    "CAN_UPDATE_CODE",
    "CAN_RUN_CODE",
    # A public binding (allUsers) is a grant too: GCP names the member, role and scope.
    "PUBLIC_ACCESS",
)

_MORE: dict[str, tuple[str, ...]] = {
    "AFFECTED_BY": (
        "database",
        "fixed",
        "sources",
        "reported",
        "reported_as",
        "not_reported_by",
        "disagreement",
    ),
    "ASSIGNED": ("role", "scope"),
    "AUTHENTICATES_AS": ("mechanism",),
    "CONTAINS": ("relation", "field"),
    "DATA_FROM": ("role", "field", "auth_mode", "uri"),
    "USES_DATASTORE": ("auth_mode", "datastore", "credential_datastores"),
    "USES_GUARDRAIL": ("field",),
    "GROUNDED_ON": ("assignment", "connection", "data_source", "prefixes", "field"),
    "HAS_IDENTITY": (
        "imds_v1",
        "instance_profile",
        "scopes",
        "condition",
        "field",
        "note",
        "cross_project",
    ),
    "HAS_PACKAGE": ("file", "locations", "source", "image", "model"),
    "DEPENDS_ON": ("source",),
    "CALLS_AGENT": ("collaborator", "alias", "relay_history"),
    "USES_MODEL": ("model", "field"),
    "HAS_CREDENTIAL": ("field",),
    # The agent's tool list carries the same facts as its USES_TOOL step.
    "HAS_TOOL": ("tool_type", "approval", "mechanism", "fix"),
    "HAS_SERVICE_ROLE": ("mechanism",),
    "INTERNET_EXPOSED": (
        "exposure_width",
        "firewall",
        "load_balancer",
        "target_port",
        "layers",
        "port_classes",
        "public_ip",
        "rules",
    ),
    "INVOKES": ("action_group", "field"),
    "MEMBER_OF": ("group", "membership", "relation"),
    "PROMPT_INJECTION": ("patterns",),
    "PROTECTED_BY": ("layer", "match", "nic", "subnet"),
    "PUBLIC_ACCESS": ("exposure_width", "statement", "url"),
    "ROUTES_TO": (
        "route",
        "rule",
        "port",
        "scheme",
        "listener_port",
        "listener_protocol",
        "target_group",
        "target_port",
    ),
    "RUNS_AS": ("service_account",),
    "RUNS_IMAGE": ("property", "value", "match"),
    "RUNS_SOFTWARE": ("match", "value"),
    "SERVES": ("deployed_model_id", "deployed_index_id", "field", "mechanism", "service_account"),
    "STORES_ARTIFACT": ("field", "uri", "what"),
    "TRAINED_ON": ("uri", "via", "field", "source"),
    "USES_TOOL": ("tools",),
}


def _edge_evidence() -> dict[str, tuple[str, ...]]:
    """Keys each edge kind carries beyond its ``edges.py`` declaration: every attack step may
    carry ``fix``; the permission edges the ``GRANT`` vocabulary."""
    out: dict[str, tuple[str, ...]] = {}
    for kind in EDGE_KINDS:
        keys = (
            *(("fix",) if kind.attack_step else ()),
            *(GRANT if kind.name in _PERMISSION_EDGES else ()),
            *_MORE.get(kind.name, ()),
        )
        if keys:
            out[kind.name] = keys
    return out


EDGE_EVIDENCE = _edge_evidence()
