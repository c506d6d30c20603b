"""Edge kinds, declared once: which are attack steps, and how each one is fixed.

Attack steps read "an attacker who controls the source can reach, act as or read the target".
Remediation templates are filled from the edge's endpoints and evidence; keys an edge's
evidence lacks are rendered as ``?`` rather than failing, so a user-supplied edge with thin
evidence still gets a readable fix.
"""

from __future__ import annotations

from aispm_graph.schema.model import EdgeKind
from aispm_graph.schema.model import Label as L

EDGE_KINDS: tuple[EdgeKind, ...] = (
    # --- attack steps: exposure --------------------------------------------------------------
    EdgeKind(
        "INTERNET_EXPOSED",
        "Reachable from the internet: a firewall rule admits a public source on a port and the "
        "resource has a public address, or a PaaS endpoint accepts public traffic.",
        attack_step=True,
        remediation="Restrict {via} so that {target} is not reachable from {source_range} "
        "on {ports}",
        effort="low",
        source_labels=(L.INTERNET,),
        evidence_keys=("via", "rule", "source_range", "ports", "auth"),
    ),
    EdgeKind(
        "PUBLIC_ACCESS",
        "Anyone can use the resource without credentials (public bucket, function URL with "
        "auth NONE and a public resource policy, allUsers binding).",
        attack_step=True,
        remediation="Remove public access to {target}: {grant}",
        effort="low",
        source_labels=(L.INTERNET,),
        evidence_keys=("grant", "access"),
    ),
    # --- attack steps: from compute to identity ----------------------------------------------
    EdgeKind(
        "HAS_IDENTITY",
        "Code running in the source can obtain the identity's credentials (instance metadata, "
        "managed identity endpoint, function execution role): compute, and the AI resources "
        "that run code as an identity (a model's or endpoint's serving container, an AI "
        "service's or workspace's managed identity, a training job, an agent runtime).",
        attack_step=True,
        remediation="Detach {target} from {source} or reduce what {target} may do",
        effort="medium",
        # No source restriction: flows, pipelines and jobs without an ontology label hold
        # identities too; the target must be one.
        target_labels=(L.IDENTITY,),
        evidence_keys=("mechanism",),
    ),
    EdgeKind(
        "INVOKES",
        "The source calls the target with attacker-influenced input (agent action group "
        "Lambda, tool call), so control of the source's input reaches the target's code.",
        attack_step=True,
        remediation="Validate tool input in {target} or remove it from {source}",
        effort="high",
        # grant / permission / condition: why a Dialogflow webhook's call gets through IAM
        evidence_keys=("mechanism", "grant", "permission", "condition"),
    ),
    # --- attack steps: agents -----------------------------------------------------------------
    EdgeKind(
        "USES_TOOL",
        "The agent can call the tool: whoever controls the agent's input (a caller, or content "
        "it reads) can make it call the tool with chosen arguments, so the path goes on to what "
        "the tool runs as and reaches.",
        attack_step=True,
        remediation="Remove {target} from {source}, or require human approval before it runs "
        "({tool_type})",
        effort="medium",
        source_labels=(L.AI_AGENT,),
        evidence_keys=("tool_type", "approval", "mechanism", "field"),
    ),
    EdgeKind(
        "PROVIDES_TOOL",
        "The MCP server or gateway lists the tool: whoever can call the server can call the "
        "tool directly, with no model in between.",
        attack_step=True,
        remediation="Remove {target} from {source}, or require authentication on {source}",
        effort="medium",
        source_labels=(L.TOOL_SERVER,),
        target_labels=(L.AI_TOOL,),
        evidence_keys=("mechanism",),
    ),
    EdgeKind(
        "RUNS_AS",
        "The tool, server or agent runtime acts with the identity or credential (a gateway's "
        "role or outbound credential provider, a Foundry project's managed identity, the "
        "secrets in an MCP server's environment, a runtime's execution role).",
        attack_step=True,
        remediation="Give {source} a least-privilege identity instead of {target}",
        effort="medium",
        evidence_keys=("mechanism",),
    ),
    EdgeKind(
        "PROMPT_INJECTION",
        "Indirect prompt injection: the source can write content the agent reads (a knowledge "
        "base data source, a grounding index, a crawled site, agent memory, an MCP tool "
        "description), and so steer the agent. Always `inferred`: a model may resist.",
        attack_step=True,
        remediation="Stop {source} writing {content} ({permission}), or treat it as untrusted "
        "input: a guardrail with a prompt-attack filter on {target}",
        effort="medium",
        target_labels=(L.AI_AGENT,),
        evidence_keys=("content", "content_kind", "via", "permission", "grant"),
    ),
    EdgeKind(
        "CALLS_AGENT",
        "The agent delegates to the other agent (Bedrock collaborator, Foundry connected agent, "
        "A2A): whoever steers the first steers the second.",
        attack_step=True,
        remediation="Remove {target} from the collaborators of {source}",
        effort="medium",
        source_labels=(L.AI_AGENT,),
        target_labels=(L.AI_AGENT,),
        evidence_keys=("mechanism", "field"),
    ),
    EdgeKind(
        "CAN_RUN_CODE",
        "The identity can run code in the code interpreter (start a session in it, or invoke a "
        "session that already exists), and the code runs as the interpreter's execution role.",
        attack_step=True,
        remediation="Remove {permission} from {source} on {target} ({grant})",
        effort="low",
        source_labels=(L.IDENTITY,),
        target_labels=(L.CODE_INTERPRETER,),
        evidence_keys=("permission", "grant", "technique"),
    ),
    # --- attack steps: identity to identity --------------------------------------------------
    EdgeKind(
        "CAN_ASSUME",
        "The source may assume / impersonate the target identity.",
        attack_step=True,
        remediation="Remove {source} from the trust of {target} ({statement})",
        effort="medium",
        # A trusted account or tenant that was not collected (ExternalAccount) assumes too.
        source_labels=(L.IDENTITY, L.TENANT),
        target_labels=(L.IDENTITY,),
        # guardrail: an organisation policy constraint the source lifts first (GCP
        # orgpolicy.policy.set), named with where it is enforced
        evidence_keys=("statement", "policy", "guardrail"),
    ),
    EdgeKind(
        "MEMBER_OF",
        "The identity is a member of the group and holds its permissions.",
        attack_step=True,
        remediation="Remove {source} from group {target}",
        effort="low",
        source_labels=(L.IDENTITY,),
        target_labels=(L.IDENTITY,),
    ),
    EdgeKind(
        "CAN_ESCALATE_TO",
        "Privilege escalation: the source can obtain the target identity's permissions, for "
        "example by passing it to a service it can create (iam:PassRole plus "
        "sagemaker:CreateNotebookInstance), by changing code that runs as it, or by writing its "
        "policies.",
        attack_step=True,
        remediation="Remove {permissions} from {source} (technique: {technique})",
        effort="medium",
        source_labels=(L.IDENTITY,),
        target_labels=(L.IDENTITY,),
        evidence_keys=(
            "technique",
            "permissions",
            "policy",
            "ownership",
            "graph_app_role",
        ),
    ),
    EdgeKind(
        "HAS_CREDENTIAL",
        "A credential that authenticates as the identity.",
        attack_step=False,
        remediation="Rotate and remove {target}",
        target_labels=(L.CREDENTIAL,),
    ),
    EdgeKind(
        "AUTHENTICATES_AS",
        "Whoever holds the credential acts as the identity.",
        attack_step=True,
        remediation="Deactivate {source} and move its users to short-lived credentials",
        effort="low",
        source_labels=(L.CREDENTIAL,),
        target_labels=(L.IDENTITY,),
    ),
    # --- attack steps: identity to AI and data -----------------------------------------------
    EdgeKind(
        "CAN_INVOKE",
        "The identity can call the model, deployment, endpoint, agent or agent gateway (data "
        "plane).",
        attack_step=True,
        remediation="Remove {permission} from {source} on {target} ({grant})",
        effort="low",
        target_labels=(
            L.AI_MODEL,
            L.AI_DEPLOYMENT,
            L.AI_ENDPOINT,
            L.AI_AGENT,
            L.AI_SERVICE,
            L.AGENT_GATEWAY,
            L.TOOL_SERVER,
        ),
        evidence_keys=("permission", "grant"),
    ),
    EdgeKind(
        "CAN_READ",
        "The identity can read the data store, knowledge base or secret (exfiltration).",
        attack_step=True,
        remediation="Remove {permission} from {source} on {target} ({grant})",
        effort="low",
        evidence_keys=("permission", "grant"),
    ),
    EdgeKind(
        "CAN_WRITE",
        "The identity can write the data store (training-data or model poisoning).",
        attack_step=True,
        remediation="Remove {permission} from {source} on {target} ({grant})",
        effort="low",
        evidence_keys=("permission", "grant", "assignment", "inherited", "matched_pattern"),
    ),
    EdgeKind(
        "CAN_READ_KEYS",
        "The identity can list the service's access keys, which then authenticate to it.",
        attack_step=True,
        remediation="Remove {permission} from {source} on {target} ({grant}), or disable key "
        "authentication on {target}",
        effort="low",
        evidence_keys=("permission", "grant"),
    ),
    EdgeKind(
        "CAN_MANAGE",
        "Management-plane control: the identity can deploy to, reconfigure or reach the "
        "endpoints of the AI workspace or service.",
        attack_step=True,
        remediation="Remove {permission} from {source} on {target} ({grant})",
        effort="medium",
        evidence_keys=("permission", "grant"),
    ),
    EdgeKind(
        "CAN_ADMINISTER",
        "Administrative control of the whole tenant (Owner, AdministratorAccess, roles/owner): "
        "every AI asset in it is implied.",
        attack_step=True,
        remediation="Remove {permission} from {source} on {target} ({grant})",
        effort="medium",
        source_labels=(L.IDENTITY,),
        target_labels=(L.TENANT,),
        evidence_keys=("permission", "grant", "graph_app_role"),
    ),
    EdgeKind(
        "CAN_UPDATE_CODE",
        "The identity can replace the code of the compute, and so act as whatever runs it.",
        attack_step=True,
        remediation="Remove {permission} from {source} on {target} ({grant})",
        effort="low",
        target_labels=(L.COMPUTE,),
        evidence_keys=("permission", "grant"),
    ),
    # --- attack steps: inside AI services ----------------------------------------------------
    EdgeKind(
        "SERVES",
        "The AI account, workspace or endpoint serves this model or deployment: access to the "
        "container is access to what it serves.",
        attack_step=True,
        remediation="Delete {target} from {source} if it is not needed; anyone who can use "
        "{source} can use all it serves",
        effort="high",
        target_labels=(L.AI_MODEL, L.AI_DEPLOYMENT, L.AI_ENDPOINT, L.AI_AGENT),
    ),
    EdgeKind(
        "GROUNDED_ON",
        "The AI service, agent or knowledge base retrieves from the data store: whoever can "
        "query it reads that data.",
        attack_step=True,
        remediation="Limit what {source} may retrieve from {target}",
        effort="high",
        breaks_path=False,
        evidence_keys=("mechanism", "field"),
    ),
    EdgeKind(
        "USES_DATASTORE",
        "The AI workspace reads and writes the data store with its own identity (default "
        "storage, datastores): whoever controls the workspace reaches that data.",
        attack_step=True,
        remediation="Switch {source} to identity-based datastore access with the caller's own "
        "credentials, or restrict who can manage {source}",
        effort="high",
        breaks_path=False,
        evidence_keys=("mechanism",),
    ),
    EdgeKind(
        "TRAINED_ON",
        "The model or training job was trained on the data store.",
        attack_step=False,
        remediation="",
    ),
    EdgeKind(
        "ENCRYPTED_WITH",
        "The resource (model, job output, store) is encrypted with the customer-managed key "
        "(evidence: the record field that names it); who controls the key controls access.",
        attack_step=False,
        evidence_keys=("field",),
    ),
    EdgeKind(
        "BASED_ON",
        "Model lineage: the custom, tuned or imported model was made from the target model "
        "(evidence: the record field that names it).",
        attack_step=False,
        evidence_keys=("field", "value"),
    ),
    EdgeKind(
        "PRODUCED",
        "The training / customization job or pipeline produced the model (evidence: the field "
        "naming the job or the output model).",
        attack_step=False,
        evidence_keys=("field", "value"),
    ),
    EdgeKind(
        "STORES_ARTIFACT",
        "The data store holds the model's artifact.",
        attack_step=False,
    ),
    # --- structure ---------------------------------------------------------------------------
    EdgeKind("CONTAINS", "Ownership: tenant, group or account contains the resource.", False),
    EdgeKind("PROTECTED_BY", "The resource's traffic is filtered by the firewall.", False),
    EdgeKind(
        "HAS_RULE",
        "The firewall (or a load balancer, whose rules forward only some ports) has the rule.",
        False,
        source_labels=(L.FIREWALL, L.NETWORK),
        target_labels=(L.FIREWALL_RULE,),
    ),
    EdgeKind("ATTACHED_TO", "Network attachment (NIC to VM, subnet to network).", False),
    EdgeKind("ROUTES_TO", "Network route or load balancer target.", False),
    EdgeKind(
        "USES_GUARDRAIL",
        "The agent or model uses the guardrail.",
        False,
        evidence_keys=("field",),
    ),
    EdgeKind(
        "RUNS_IMAGE",
        "The compute runs the container image, or the model is served by it (its serving "
        "container), so the image's packages and advisories are the model's.",
        False,
    ),
    EdgeKind(
        "HAS_PACKAGE",
        "The image or compute has the package installed.",
        False,
        target_labels=(L.PACKAGE,),
    ),
    EdgeKind(
        "AFFECTED_BY",
        "The package version is affected by the advisory.",
        False,
        source_labels=(L.PACKAGE,),
        target_labels=(L.VULNERABILITY,),
    ),
    EdgeKind(
        "RUNS_SOFTWARE",
        "The compute runs the application or file system an imported SBOM or dependency list "
        "describes.",
        False,
    ),
    EdgeKind("DEPENDS_ON", "SBOM dependency: the component uses the other component.", False),
    EdgeKind("ASSIGNED", "A role assignment or policy binds the identity at a scope.", False),
    EdgeKind(
        "OWNS",
        "The principal is an owner of the Entra application, service principal or group. "
        "Structure: what ownership lets it do (add a credential, add members) is on the "
        "CAN_ESCALATE_TO edges the Entra escalation techniques derive.",
        False,
        evidence_keys=("owner_of", "grant"),
    ),
    EdgeKind("POLICY", "The identity has the policy attached.", False, target_labels=(L.POLICY,)),
    EdgeKind(
        "HAS_SERVICE_ROLE",
        "The service acts as this role on the resource's behalf (a Bedrock agent's or knowledge "
        "base's service role). The service holds it, not the caller, so it is not an attack "
        "step: what the role lets the agent reach is on the agent's own edges.",
        False,
    ),
    EdgeKind(
        "HAS_TOOL",
        "The agent has the tool, but a person approves every call (Bedrock requireConfirmation, "
        "Foundry require_approval 'always'): injected input alone cannot run it, so it is not "
        "an attack step.",
        False,
        evidence_keys=("mechanism", "tool_type", "approval", "field"),
    ),
    EdgeKind(
        "USES_MODEL",
        "The agent, or the prompt (each variant's model), answers with the model.",
        False,
        evidence_keys=("field",),
    ),
    EdgeKind(
        "USES_MEMORY",
        "The agent reads and writes the memory across sessions.",
        False,
        evidence_keys=("mechanism",),
    ),
    EdgeKind(
        "HAS_AGENT_IDENTITY",
        "The agent, runtime or gateway presents this agent identity.",
        False,
    ),
    # --- structure (GCP) -----------------------------------------------------------------------
    EdgeKind(
        "DATA_FROM",
        "The dataset, pipeline or index draws its data from the target store (training or "
        "grounding data lineage).",
        False,
    ),
    EdgeKind(
        "RUNS_ON",
        "The managed resource runs on the compute (a Workbench instance on its Compute Engine "
        "VM), so the VM's exposure is the resource's exposure.",
        False,
    ),
)
