"""Amazon Bedrock: invocation logging, guardrails, agents, custom models, knowledge bases,
private connectivity and who may administer Bedrock."""

from __future__ import annotations

from aispm_graph.recommendations.model import (
    Check,
    Fact,
    Fix,
    NoEdge,
    Not,
    all_of,
    any_of,
    is_false,
    is_true,
    missing,
    not_equals,
    present,
)
from aispm_graph.recommendations.peers import cloudsploit, defender, mondoo, prowler

_DOC = "https://docs.aws.amazon.com/bedrock/latest/userguide"
_API = "https://docs.aws.amazon.com/bedrock/latest/APIReference"

CHECKS: list[Check] = [
    Check(
        id="AWS-BR-001",
        title="Bedrock model invocation logging is off",
        severity="medium",
        provider="aws",
        kinds=("BedrockInvocationLogging",),
        predicate=is_false("enabled"),
        rationale="Without invocation logs there is no record of who asked a model what: "
        "prompt-injection attempts, data leaking through answers and stolen-credential use "
        "(cost harvesting) cannot be investigated after the fact.",
        remediation="Enable model invocation logging (PutModelInvocationLoggingConfiguration) "
        "to CloudWatch Logs or S3 in every region where Bedrock is used.",
        fix=Fix(
            console="Bedrock console > Settings > Model invocation logging: turn it on, choose "
            "S3 and/or CloudWatch Logs and the data types to log.",
            cli="aws bedrock put-model-invocation-logging-configuration --region <region> "
            "--logging-config file://logging.json",
            terraform='resource "aws_bedrock_model_invocation_logging_configuration" "this" {\n'
            "  logging_config {\n    text_data_delivery_enabled = true\n"
            "    cloudwatch_config {\n      log_group_name = aws_cloudwatch_log_group.br.name\n"
            "      role_arn       = aws_iam_role.br_logs.arn\n    }\n  }\n}",
        ),
        references=(f"{_DOC}/model-invocation-logging.html",),
        peers=(
            prowler("bedrock_model_invocation_logging_enabled"),
            defender("AWS Bedrock should have model invocation logging enabled"),
            cloudsploit("aws/bedrock/modelInvocationLoggingEnabled"),
        ),
        frameworks={
            "owasp-llm": ("LLM10",),
            "owasp-agentic": ("ASI10",),
            "atlas": ("AML.T0034", "AML.T0024", "AML.T0051"),
            "nist-ai-rmf": ("MEASURE 2.4", "MANAGE 4.1"),
        },
    ),
    Check(
        id="AWS-BR-002",
        title="Bedrock agent has no guardrail",
        severity="high",
        provider="aws",
        kinds=("BedrockAgent",),
        predicate=all_of(missing("guardrail"), NoEdge("USES_GUARDRAIL", "out")),
        rationale="An agent acts on what it reads; without a guardrail nothing screens its "
        "input for prompt attacks or its output for sensitive data before it calls its tools.",
        remediation="Attach a guardrail (guardrailConfiguration) to the agent with prompt-attack "
        "and denied-topic filters.",
        fix=Fix(
            console="Bedrock console > Agents > <agent> > Edit in Agent builder > Guardrail "
            "details: select a guardrail and version, then Prepare.",
            cli="aws bedrock-agent update-agent --agent-id <id> --agent-name <name> "
            "--agent-resource-role-arn <role> --foundation-model <model> "
            "--guardrail-configuration guardrailIdentifier=<gr>,guardrailVersion=<v>",
            terraform='resource "aws_bedrockagent_agent" "this" {\n  # ...\n'
            "  guardrail_configuration {\n"
            "    guardrail_identifier = aws_bedrock_guardrail.this.guardrail_id\n"
            "    guardrail_version    = aws_bedrock_guardrail_version.this.version\n  }\n}",
        ),
        references=(f"{_DOC}/agents-guardrail.html",),
        peers=(
            prowler("bedrock_agent_guardrail_enabled"),
            defender(
                "AWS Bedrock agents should use guardrails when allowing access to generative "
                "AI applications",
                differs="Defender also wants the guardrail to carry a Prompt Attacks filter; "
                "here that is AWS-BR-003 on the guardrail itself, so an agent whose guardrail "
                "lacks it yields AWS-BR-003, not AWS-BR-002.",
            ),
        ),
        frameworks={
            "owasp-llm": ("LLM01", "LLM06"),
            "owasp-agentic": ("ASI01", "ASI02"),
            "atlas": ("AML.T0051", "AML.T0054", "AML.T0053"),
            "nist-ai-rmf": ("MEASURE 2.6", "MANAGE 1.3"),
        },
    ),
    Check(
        id="AWS-BR-003",
        title="Bedrock guardrail does not block prompt attacks at HIGH strength",
        severity="high",
        provider="aws",
        kinds=("BedrockGuardrail",),
        predicate=any_of(
            is_false("prompt_attack_filter"), not_equals("prompt_attack_strength", "HIGH")
        ),
        rationale="The prompt-attack filter is Bedrock's defence against jailbreaks and "
        "injected instructions; AWS recommends HIGH input strength, and LOW or MEDIUM lets "
        "most known attack prompts through.",
        remediation="Set the guardrail's PROMPT_ATTACK content filter to input strength HIGH "
        "(output strength NONE, as the API requires) and publish a new version.",
        fix=Fix(
            console="Bedrock console > Guardrails > <guardrail> > Working draft > Edit > "
            "Content filters > Prompt attacks: enable, set to High, save and create a version.",
            cli="aws bedrock update-guardrail --guardrail-identifier <id> --name <name> "
            "--blocked-input-messaging <m> --blocked-outputs-messaging <m> "
            "--content-policy-config 'filtersConfig=[{type=PROMPT_ATTACK,inputStrength=HIGH,"
            "outputStrength=NONE}]'",
            terraform='resource "aws_bedrock_guardrail" "this" {\n  # ...\n'
            "  content_policy_config {\n    filters_config {\n"
            '      type            = "PROMPT_ATTACK"\n      input_strength  = "HIGH"\n'
            '      output_strength = "NONE"\n    }\n  }\n}',
        ),
        references=(f"{_DOC}/guardrails-prompt-attack.html",),
        peers=(prowler("bedrock_guardrail_prompt_attack_filter_enabled"),),
        frameworks={
            "owasp-llm": ("LLM01",),
            "owasp-agentic": ("ASI01",),
            "atlas": ("AML.T0051", "AML.T0054"),
            "nist-ai-rmf": ("MEASURE 2.6", "MEASURE 2.7"),
        },
    ),
    Check(
        id="AWS-BR-004",
        title="VPC in a Bedrock region lacks the Bedrock interface endpoints it needs",
        severity="medium",
        provider="aws",
        kinds=("AWSVpc",),
        predicate=any_of(
            present("bedrock_endpoints_missing"),
            all_of(missing("bedrock_endpoints_missing"), is_false("bedrock_vpc_endpoint")),
        ),
        rationale="Without interface endpoints, calls from the VPC to Bedrock leave through the "
        "internet path, and no endpoint policy can limit which principals and models the VPC's "
        "workloads reach (an exfiltration route for stolen workload credentials).",
        remediation="Create interface VPC endpoints (with private DNS and an endpoint policy) "
        "for each Bedrock service the region uses: bedrock and bedrock-runtime wherever Bedrock "
        "is used, bedrock-agent and bedrock-agent-runtime where agents or knowledge bases exist.",
        fix=Fix(
            console="VPC console > Endpoints > Create endpoint > AWS services: "
            "com.amazonaws.<region>.bedrock-runtime (and bedrock, bedrock-agent, "
            "bedrock-agent-runtime), select the VPC, subnets and security group, enable "
            "private DNS.",
            cli="aws ec2 create-vpc-endpoint --vpc-endpoint-type Interface --vpc-id <vpc> "
            "--service-name com.amazonaws.<region>.bedrock-runtime --subnet-ids <subnets> "
            "--security-group-ids <sg> --private-dns-enabled",
            terraform='resource "aws_vpc_endpoint" "bedrock" {\n'
            '  for_each            = toset(["bedrock", "bedrock-runtime", "bedrock-agent", '
            '"bedrock-agent-runtime"])\n'
            "  vpc_id              = aws_vpc.main.id\n"
            '  service_name        = "com.amazonaws.${var.region}.${each.key}"\n'
            '  vpc_endpoint_type   = "Interface"\n  private_dns_enabled = true\n}',
        ),
        references=(f"{_DOC}/vpc-interface-endpoints.html",),
        peers=(
            prowler(
                "bedrock_vpc_endpoints_configured",
                differs="Prowler wants all five endpoints (also bedrock-mantle, the "
                "OpenAI-compatible API) in every VPC of a region where logging, a guardrail or "
                "an agent exists. Here bedrock and bedrock-runtime are required wherever "
                "Bedrock is in use (resources, invocation logging configured, or provisioned "
                "throughput), and the two agent endpoints only where agents or knowledge bases "
                "exist; bedrock-mantle is not required because no collected fact shows its use.",
            ),
            defender("AWS Bedrock should use AWS PrivateLink"),
        ),
        frameworks={
            "owasp-llm": ("LLM02",),
            "atlas": ("AML.T0025", "AML.T0040"),
            "nist-ai-rmf": ("MEASURE 2.7",),
        },
    ),
    Check(
        id="AWS-BR-005",
        title="Bedrock custom model is not encrypted with a customer-managed key",
        severity="medium",
        provider="aws",
        kinds=("BedrockCustomModel",),
        predicate=all_of(is_false("cmk"), Not(is_false("owned"))),
        rationale="Fine-tuned weights can reproduce their training data; under an AWS-owned "
        "key the account cannot audit, restrict or revoke who decrypts them.",
        remediation="Re-create the customization job with customModelKmsKeyId set to a KMS "
        "key you control (a model cannot be re-keyed in place).",
        fix=Fix(
            console="Bedrock console > Custom models > Customize model > Model encryption: "
            "Customize encryption settings, choose your KMS key.",
            cli="aws bedrock create-model-customization-job ... --custom-model-kms-key-id <key>",
            terraform='resource "aws_bedrock_custom_model" "this" {\n  # ...\n'
            "  custom_model_kms_key_id = aws_kms_key.models.arn\n}",
        ),
        references=(f"{_DOC}/encryption-custom-job.html",),
        peers=(
            prowler("bedrock_custom_model_encrypted_with_cmk"),
            cloudsploit("aws/bedrock/customModelEncryptionEnabled"),
            defender(
                "Customer-managed KMS encryption should be enabled on Amazon Bedrock Agents",
                "D-RECAI",
                differs="Defender's title names agents but its text is about custom models; "
                "it is mapped here, to custom models.",
            ),
        ),
        frameworks={
            "owasp-llm": ("LLM02",),
            "atlas": ("AML.T0035", "AML.T0044"),
            "nist-ai-rmf": ("MEASURE 2.7", "MEASURE 2.10"),
        },
    ),
    Check(
        id="AWS-BR-006",
        title="Bedrock guardrail has no sensitive-information (PII) filter",
        severity="high",
        provider="aws",
        kinds=("BedrockGuardrail",),
        predicate=is_false("sensitive_information_filter"),
        rationale="Models repeat what is in their context and training data; without PII or "
        "regex filters a guardrail lets personal data and secrets through to callers.",
        remediation="Add a sensitive information policy to the guardrail (PII entities and/or "
        "regexes with action BLOCK or ANONYMIZE).",
        fix=Fix(
            console="Bedrock console > Guardrails > <guardrail> > Edit > Add sensitive "
            "information filters: choose PII types and Block or Mask.",
            cli="aws bedrock update-guardrail --guardrail-identifier <id> ... "
            "--sensitive-information-policy-config "
            "'piiEntitiesConfig=[{type=EMAIL,action=ANONYMIZE}]'",
            terraform='resource "aws_bedrock_guardrail" "this" {\n  # ...\n'
            "  sensitive_information_policy_config {\n"
            '    pii_entities_config {\n      type   = "EMAIL"\n      action = "ANONYMIZE"\n'
            "    }\n  }\n}",
        ),
        references=(f"{_DOC}/guardrails-sensitive-filters.html",),
        peers=(prowler("bedrock_guardrail_sensitive_information_filter_enabled"),),
        frameworks={
            "owasp-llm": ("LLM02",),
            "atlas": ("AML.T0057",),
            "nist-ai-rmf": ("MEASURE 2.10",),
        },
    ),
    Check(
        id="AWS-BR-007",
        title="Bedrock guardrail does not block ungrounded or irrelevant answers",
        severity="high",
        provider="aws",
        kinds=("BedrockGuardrail",),
        predicate=present("grounding_filter_gaps"),
        rationale="Contextual grounding checks stop answers that the retrieved sources do not "
        "support (hallucinations) or that do not address the question; both filters must be "
        "enabled, blocking and with a threshold above 0 to have any effect.",
        remediation="Add a contextual grounding policy with GROUNDING and RELEVANCE filters, "
        "each enabled, action BLOCK and a threshold above 0 (0.7 is a common start).",
        fix=Fix(
            console="Bedrock console > Guardrails > <guardrail> > Edit > Add contextual "
            "grounding check: enable Grounding and Relevance, set thresholds, Block.",
            cli="aws bedrock update-guardrail --guardrail-identifier <id> ... "
            "--contextual-grounding-policy-config "
            "'filtersConfig=[{type=GROUNDING,threshold=0.7},{type=RELEVANCE,threshold=0.7}]'",
            terraform='resource "aws_bedrock_guardrail" "this" {\n  # ...\n'
            "  contextual_grounding_policy_config {\n"
            '    filters_config {\n      type      = "GROUNDING"\n      threshold = 0.7\n'
            '    }\n    filters_config {\n      type      = "RELEVANCE"\n'
            "      threshold = 0.7\n    }\n  }\n}",
        ),
        references=(f"{_DOC}/guardrails-contextual-grounding-check.html",),
        peers=(
            prowler(
                "bedrock_guardrail_contextual_grounding_filter_enabled",
                differs="Where a filter omits `enabled` or `action` Prowler reports MANUAL; "
                "here the guardrail is not flagged for that filter (an unknown is not a "
                "finding) unless another gap is stated.",
            ),
        ),
        frameworks={
            "owasp-llm": ("LLM09",),
            "owasp-agentic": ("ASI06",),
            "nist-ai-rmf": ("MEASURE 2.5", "MEASURE 2.6"),
        },
    ),
    Check(
        id="AWS-BR-008",
        title="No Bedrock guardrail in a region where Bedrock is used",
        severity="medium",
        provider="aws",
        kinds=("BedrockInvocationLogging",),
        predicate=all_of(is_true("bedrock_in_use"), is_true("no_guardrails")),
        rationale="A guardrail has to exist before an application or agent can apply it; a "
        "region that runs Bedrock with none has no content screening at all.",
        remediation="Create a guardrail with prompt-attack, content and sensitive-information "
        "filters and apply it to agents and InvokeModel / Converse calls.",
        fix=Fix(
            console="Bedrock console > Guardrails > Create guardrail.",
            cli="aws bedrock create-guardrail --name <name> --blocked-input-messaging <m> "
            "--blocked-outputs-messaging <m> --content-policy-config file://content.json",
            terraform='resource "aws_bedrock_guardrail" "this" {\n  name = "default"\n'
            "  # content_policy_config, sensitive_information_policy_config, ...\n}",
        ),
        references=(f"{_DOC}/guardrails-create.html",),
        peers=(
            prowler(
                "bedrock_guardrails_configured",
                differs="Prowler fails every scanned region without a guardrail; here only "
                "regions where Bedrock is in use (resources, invocation logging configured, "
                "provisioned throughput) are flagged, since a guardrail in an unused region "
                "protects nothing.",
            ),
        ),
        frameworks={
            "owasp-llm": ("LLM01", "LLM02"),
            "owasp-agentic": ("ASI01",),
            "atlas": ("AML.T0051", "AML.T0054"),
            "nist-ai-rmf": ("MANAGE 1.3", "MEASURE 2.6"),
        },
    ),
    Check(
        id="AWS-BR-009",
        title="Bedrock knowledge base data source is not encrypted with a customer-managed key",
        severity="high",
        provider="aws",
        kinds=("BedrockKnowledgeBase",),
        predicate=present("data_sources_without_cmk"),
        rationale="During ingestion Bedrock stores the documents of a data source transiently; "
        "without serverSideEncryptionConfiguration.kmsKeyArn they rest under an AWS-owned key "
        "the organisation cannot audit or revoke.",
        remediation="Set serverSideEncryptionConfiguration.kmsKeyArn on each data source "
        "(UpdateDataSource) to a KMS key you control.",
        fix=Fix(
            console="Bedrock console > Knowledge bases > <kb> > Data source > Edit > Advanced "
            "settings > KMS key for transient data storage.",
            cli="aws bedrock-agent update-data-source --knowledge-base-id <kb> --data-source-id "
            "<ds> --name <name> --data-source-configuration file://ds.json "
            "--server-side-encryption-configuration kmsKeyArn=<key>",
            terraform='resource "aws_bedrockagent_data_source" "this" {\n  # ...\n'
            "  server_side_encryption_configuration {\n"
            "    kms_key_arn = aws_kms_key.kb.arn\n  }\n}",
        ),
        references=(f"{_DOC}/encryption-kb.html",),
        peers=(
            prowler("bedrock_knowledge_base_encrypted_with_cmk"),
            defender(
                "Server-side encryption should be enabled for Amazon Bedrock Knowledge Bases "
                "data sources",
                differs="Reported once per knowledge base, naming the data sources without a "
                "key, where Prowler reports one finding per data source.",
            ),
        ),
        frameworks={
            "owasp-llm": ("LLM08", "LLM02"),
            "atlas": ("AML.T0085",),
            "nist-ai-rmf": ("MEASURE 2.7", "MEASURE 2.10"),
        },
    ),
    Check(
        id="AWS-BR-010",
        title="Bedrock invocation logs are written without encryption under your key",
        severity="high",
        provider="aws",
        kinds=("BedrockInvocationLogging",),
        predicate=present("unencrypted_log_destinations"),
        rationale="Invocation logs hold full prompts and answers, often the most sensitive "
        "data of an AI application; a log group without a KMS key (or a bucket without "
        "default encryption) leaves them readable to anyone with log read access.",
        remediation="Associate a KMS key with the CloudWatch log group and enable default "
        "encryption (SSE-KMS) on the S3 bucket that receive invocation logs.",
        fix=Fix(
            console="CloudWatch console > Log groups > <group> > Actions > Edit: KMS key ARN; "
            "S3 console > <bucket> > Properties > Default encryption: SSE-KMS.",
            cli="aws logs associate-kms-key --log-group-name <group> --kms-key-id <key>",
            terraform='resource "aws_cloudwatch_log_group" "bedrock" {\n'
            '  name       = "bedrock-invocations"\n  kms_key_id = aws_kms_key.logs.arn\n}',
        ),
        references=(f"{_DOC}/model-invocation-logging.html",),
        peers=(
            prowler(
                "bedrock_model_invocation_logs_encryption_enabled",
                differs="Prowler's S3 side passes any bucket with default encryption, which "
                "every bucket has had since January 2023 (SSE-S3); the same is done here, so "
                "in practice the verdict rests on the log group's KMS key.",
            ),
        ),
        frameworks={
            "owasp-llm": ("LLM02",),
            "atlas": ("AML.T0057",),
            "nist-ai-rmf": ("MEASURE 2.10",),
        },
    ),
    Check(
        id="AWS-BR-011",
        title="Bedrock prompt is not encrypted with a customer-managed key",
        severity="medium",
        provider="aws",
        kinds=("BedrockPrompt",),
        predicate=is_false("cmk"),
        rationale="Managed prompts carry system instructions and business logic; a "
        "customer-managed key lets the owner audit and revoke access to them.",
        remediation="Create prompts with customerEncryptionKeyArn set to a KMS key you control.",
        fix=Fix(cli="aws bedrock-agent create-prompt ... --customer-encryption-key-arn <key>"),
        references=(f"{_DOC}/prompt-management.html",),
        peers=(prowler("bedrock_prompt_encrypted_with_cmk"),),
        frameworks={"owasp-llm": ("LLM07",), "nist-ai-rmf": ("MEASURE 2.7",)},
    ),
    Check(
        id="AWS-BR-012",
        title="Bedrock Prompt Management is not used",
        severity="low",
        provider="aws",
        kinds=("BedrockInvocationLogging",),
        predicate=all_of(is_true("bedrock_in_use"), is_false("prompt_management")),
        rationale="Prompts kept in application code are unversioned and unreviewed.",
        remediation="Keep system prompts in Bedrock Prompt Management, versioned.",
        fix=Fix(
            console="Bedrock console > Prompt management > Create prompt.",
            cli="aws bedrock-agent create-prompt --name <name> --variants file://variants.json",
            terraform='resource "aws_bedrockagent_prompt" "this" {\n  name = "support"\n'
            "  # variant { ... }\n}",
        ),
        references=(f"{_DOC}/prompt-management.html",),
        peers=(
            prowler(
                "bedrock_prompt_management_exists",
                differs="Only regions where Bedrock is in use are judged (Prowler judges "
                "every scanned region).",
            ),
        ),
        frameworks={"nist-ai-rmf": ("GOVERN 1.6",)},
    ),
    Check(
        id="AWS-BR-013",
        title="AmazonBedrockFullAccess is attached to a role people or workloads can assume",
        severity="high",
        provider="aws",
        kinds=("AWSRole",),
        predicate=all_of(Fact("bedrock_full_access_attached"), Not(Fact("aws_service_role"))),
        rationale="AmazonBedrockFullAccess allows every Bedrock action, including deleting "
        "guardrails, changing agents and logging, and invoking any model; a role that people "
        "or workloads assume should hold only the actions it uses.",
        remediation="Detach AmazonBedrockFullAccess and attach a policy with the Bedrock "
        "actions and model ARNs the role needs (for example bedrock:InvokeModel on named "
        "models).",
        fix=Fix(
            console="IAM console > Roles > <role> > Permissions > remove "
            "AmazonBedrockFullAccess, then Add permissions > Create inline policy.",
            cli="aws iam detach-role-policy --role-name <role> "
            "--policy-arn arn:aws:iam::aws:policy/AmazonBedrockFullAccess",
        ),
        references=(f"{_DOC}/security-iam-awsmanpol.html",),
        peers=(
            prowler(
                "bedrock_full_access_policy_attached",
                differs="A service role is one whose trust policy admits only AWS service "
                "principals, as in Prowler; roles trusted by an account, SAML or OIDC are "
                "checked.",
            ),
        ),
        frameworks={
            "owasp-agentic": ("ASI03",),
            "atlas": ("AML.T0081", "AML.T0034", "AML.T0012"),
            "nist-ai-rmf": ("MEASURE 2.7", "MAP 4.2"),
        },
    ),
    Check(
        id="AWS-BR-014",
        title="Bedrock agent execution role is not least privilege",
        severity="high",
        provider="aws",
        kinds=("BedrockAgent",),
        predicate=Fact("agent_role_not_least_privilege"),
        rationale="Whoever steers an agent (a user, or content injected into what it reads) "
        "acts with its role; a *FullAccess policy, admin rights or an escalation route turn "
        "one prompt injection into an account compromise.",
        remediation="Give the agent a dedicated role with only bedrock:InvokeModel on its "
        "model, the knowledge bases and Lambda functions it uses, and a permissions boundary.",
        fix=Fix(
            console="IAM console > Roles > <agent role> > Permissions: remove broad policies, "
            "Set permissions boundary.",
            cli="aws iam put-role-permissions-boundary --role-name <role> "
            "--permissions-boundary <policy-arn>",
        ),
        references=(f"{_DOC}/agents-permissions.html",),
        peers=(
            prowler(
                "bedrock_agent_role_least_privilege",
                differs="An agent whose role was not collected is not flagged (Prowler "
                "fails it); privilege escalation is the graph's own escalation analysis rather "
                "than Prowler's list of action combinations.",
            ),
        ),
        frameworks={
            "owasp-llm": ("LLM06",),
            "owasp-agentic": ("ASI03", "ASI02"),
            "atlas": ("AML.T0053", "AML.T0086"),
            "nist-ai-rmf": ("MEASURE 2.7", "MAP 4.2"),
        },
    ),
    Check(
        id="AWS-BR-015",
        title="Bedrock agent shares its execution role with another agent",
        severity="high",
        provider="aws",
        kinds=("BedrockAgent",),
        predicate=Fact("agent_role_shared"),
        rationale="Agents that share a role each hold the union of their rights, and CloudTrail "
        "cannot tell which agent acted.",
        remediation="Create one execution role per agent, scoped to that agent's model, "
        "knowledge bases and action groups.",
        fix=Fix(
            cli="aws bedrock-agent update-agent --agent-id <id> ... "
            "--agent-resource-role-arn <dedicated-role>"
        ),
        references=(f"{_DOC}/agents-permissions.html",),
        peers=(
            prowler(
                "bedrock_agent_role_not_shared_across_agents",
                differs="Only the working draft's role (GetAgent) is compared; Prowler also "
                "compares the roles of versions that aliases route to.",
            ),
        ),
        frameworks={
            "owasp-llm": ("LLM06",),
            "owasp-agentic": ("ASI03",),
            "nist-ai-rmf": ("MEASURE 2.7", "MEASURE 2.8"),
        },
    ),
    Check(
        id="AWS-BR-016",
        title="Bedrock API key belongs to a user with administrative or broad Bedrock rights",
        severity="high",
        provider="aws",
        kinds=("BedrockApiKey",),
        predicate=all_of(is_true("usable"), Fact("api_key_user_privileged")),
        rationale="A Bedrock API key is a bearer secret that acts with its IAM user's Bedrock "
        "rights; pasted into code or chat, a key whose user holds bedrock:* can delete "
        "guardrails and logging and invoke any model, and an administrator's or escalating "
        "user's key hands out more through Bedrock calls that pass roles.",
        remediation="Scope the key's IAM user to bedrock:InvokeModel* on the models it needs "
        "(AmazonBedrockLimitedAccess or narrower), or replace the key with short-term keys.",
        fix=Fix(
            console="IAM console > Users > <user> > Permissions: remove administrative and "
            "bedrock:* policies; Security credentials > API keys for Amazon Bedrock.",
            cli="aws iam delete-service-specific-credential --user-name <user> "
            "--service-specific-credential-id <id>",
        ),
        references=(f"{_DOC}/api-keys.html",),
        peers=(
            prowler(
                "bedrock_api_key_no_administrative_privileges",
                differs="Only usable keys (active, not expired) are judged, since an inactive "
                "or expired key authenticates nothing; Prowler reports every key. Rights come "
                "from the user's and its groups' policies and the graph's escalation analysis "
                "(Prowler reads the user's own policies and its list of escalation action "
                "combinations).",
            ),
        ),
        frameworks={
            "owasp-llm": ("LLM10",),
            "owasp-agentic": ("ASI03",),
            "atlas": ("AML.T0055", "AML.T0012"),
            "nist-ai-rmf": ("MEASURE 2.7",),
        },
    ),
    Check(
        id="AWS-BR-017",
        title="Long-term Bedrock API key is active",
        severity="high",
        provider="aws",
        kinds=("BedrockApiKey",),
        predicate=is_true("usable"),
        rationale="Long-term Bedrock API keys are meant for exploration; AWS recommends "
        "short-term keys (up to 12 hours) for anything else, since a leaked long-term key "
        "keeps working until it expires or is deleted (or forever, without an expiry).",
        remediation="Delete long-term Bedrock API keys and use short-term keys generated from "
        "the caller's own credentials; where one is unavoidable, give it a short expiry.",
        fix=Fix(
            console="IAM console > Users > <user> > Security credentials > API keys for "
            "Amazon Bedrock: delete.",
            cli="aws iam delete-service-specific-credential --user-name <user> "
            "--service-specific-credential-id <id>",
        ),
        references=(f"{_DOC}/api-keys.html",),
        peers=(
            prowler(
                "bedrock_api_key_no_long_term_credentials",
                differs="A key that never expires is flagged here (Prowler skips a key without "
                "an expiration date), and an inactive key is not (Prowler fails any key whose "
                "expiry is in the future, active or not).",
            ),
        ),
        frameworks={
            "owasp-llm": ("LLM10",),
            "atlas": ("AML.T0055", "AML.T0091"),
            "nist-ai-rmf": ("MEASURE 2.7",),
        },
    ),
    Check(
        id="AWS-BR-018",
        title="Bedrock agent has no operational instructions",
        severity="medium",
        provider="aws",
        kinds=("BedrockAgent",),
        predicate=is_false("has_instruction"),
        rationale="Instructions bound what the agent is for; an agent without them follows "
        "whatever its users or retrieved content ask.",
        remediation="Give the agent instructions that state its task, its limits and what it "
        "must refuse.",
        fix=Fix(cli="aws bedrock-agent update-agent --agent-id <id> ... --instruction <text>"),
        references=(f"{_API}/API_agent_Agent.html",),
        peers=(
            defender("AWS Bedrock AI Agent should be configured with operational instructions"),
        ),
        frameworks={
            "owasp-llm": ("LLM06",),
            "owasp-agentic": ("ASI01",),
            "nist-ai-rmf": ("MAP 3.5",),
        },
    ),
    Check(
        id="AWS-BR-019",
        title="Bedrock agent lets a Lambda parser override the model's output parsing",
        severity="high",
        provider="aws",
        kinds=("BedrockAgent",),
        predicate=is_true("parser_override"),
        rationale="An overridden parser (parserMode OVERRIDDEN) lets a Lambda rewrite what the "
        "model decided before the agent acts on it, outside the guardrail's view.",
        remediation="Set parserMode to DEFAULT in the agent's prompt override configuration "
        "unless a reviewed parser Lambda is required.",
        fix=Fix(
            cli="aws bedrock-agent update-agent ... --prompt-override-configuration file://p.json"
        ),
        references=(f"{_DOC}/lambda-parser.html",),
        peers=(defender("Parser override should be disabled for Amazon Bedrock Agents"),),
        frameworks={
            "owasp-llm": ("LLM05",),
            "owasp-agentic": ("ASI01", "ASI05"),
            "atlas": ("AML.T0081",),
            "nist-ai-rmf": ("MEASURE 2.7",),
        },
    ),
    Check(
        id="AWS-BR-020",
        title="Bedrock agent has no explicit prompt override configuration",
        severity="medium",
        provider="aws",
        kinds=("BedrockAgent",),
        predicate=is_false("prompt_override"),
        rationale="Explicit prompt templates pin the orchestration and knowledge-base prompts "
        "the agent uses instead of defaults that change with the service.",
        remediation="Configure promptOverrideConfiguration with reviewed templates.",
        references=(f"{_DOC}/advanced-prompts.html",),
        peers=(
            defender(
                "Explicit prompt override control should be configured for Amazon Bedrock Agents"
            ),
        ),
        frameworks={"owasp-agentic": ("ASI01",), "nist-ai-rmf": ("MEASURE 2.6",)},
    ),
    Check(
        id="AWS-BR-021",
        title="Bedrock agent has a critical prompt stage disabled",
        severity="high",
        provider="aws",
        kinds=("BedrockAgent",),
        predicate=present("disabled_prompt_stages"),
        rationale="With the orchestration or knowledge-base response stage disabled the agent "
        "skips the step that applies its instructions to the model's answer.",
        remediation="Set promptState ENABLED for the ORCHESTRATION and "
        "KNOWLEDGE_BASE_RESPONSE_GENERATION prompt types.",
        references=(f"{_DOC}/advanced-prompts.html",),
        peers=(
            defender(
                "Prompt execution state should be enabled for "
                "critical agent stages on Amazon Bedrock"
            ),
        ),
        frameworks={"owasp-agentic": ("ASI01",), "nist-ai-rmf": ("MEASURE 2.6",)},
    ),
    Check(
        id="AWS-BR-022",
        title="Bedrock knowledge base vector field mapping is incomplete",
        severity="high",
        provider="aws",
        kinds=("BedrockKnowledgeBase",),
        predicate=present("field_mapping_gaps"),
        rationale="Without explicit vector, text and metadata fields the knowledge base cannot "
        "filter or attribute what it retrieves, and unrelated index content can be returned "
        "as grounding.",
        remediation="Set the vector, text and metadata field names of the vector store "
        "configuration.",
        references=(f"{_API}/API_agent_StorageConfiguration.html",),
        peers=(
            defender(
                "Knowledge Base field mapping should be securely configured on Amazon Bedrock"
            ),
        ),
        frameworks={"owasp-llm": ("LLM08",), "nist-ai-rmf": ("MEASURE 2.7",)},
    ),
    Check(
        id="AWS-BR-023",
        title="CloudTrail does not record Bedrock data events",
        severity="medium",
        provider="aws",
        kinds=("AWSAccount",),
        predicate=all_of(is_false("cloudtrail_bedrock_data_events"), is_true("bedrock_in_use")),
        rationale="Model invocations are CloudTrail management events, but agent invocations, "
        "knowledge-base retrievals, flow runs, guardrail applications and prompt use are data "
        "events: without an advanced event selector for the AWS::Bedrock resource types, "
        "nobody can say afterwards who asked an agent or a knowledge base what.",
        remediation="Add advanced event selectors for the Bedrock resource types (AgentAlias, "
        "KnowledgeBase, FlowAlias, Guardrail, Prompt, InlineAgent, Model) to a logging, "
        "multi-region trail.",
        fix=Fix(
            console="CloudTrail console > Trails > <trail> > Data events > Edit: add data "
            "event types Bedrock agent alias, Bedrock knowledge base, ... ; log all events.",
            cli="aws cloudtrail put-event-selectors --trail-name <trail> "
            "--advanced-event-selectors file://bedrock-selectors.json (eventCategory Equals "
            "Data, resources.type Equals AWS::Bedrock::AgentAlias, "
            "AWS::Bedrock::KnowledgeBase, ...)",
            terraform='resource "aws_cloudtrail" "main" {\n  # ...\n'
            '  advanced_event_selector {\n    name = "bedrock"\n'
            '    field_selector {\n      field  = "eventCategory"\n      equals = ["Data"]\n'
            '    }\n    field_selector {\n      field  = "resources.type"\n'
            '      equals = ["AWS::Bedrock::AgentAlias", "AWS::Bedrock::KnowledgeBase"]\n'
            "    }\n  }\n}",
        ),
        references=(
            f"{_DOC}/logging-using-cloudtrail.html",
            "https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/"
            "API_AdvancedFieldSelector.html",
        ),
        peers=(
            prowler(
                "cloudtrail_bedrock_logging_enabled",
                differs="Prowler passes on management events alone (which carry model "
                "invocations); here Bedrock data events are required, since agent, "
                "knowledge-base, flow and guardrail calls are only there. Only accounts where "
                "Bedrock is in use are judged, and a trail that is not logging counts for "
                "nothing, as in Prowler.",
            ),
        ),
        frameworks={
            "owasp-llm": ("LLM10",),
            "owasp-agentic": ("ASI10",),
            "nist-ai-rmf": ("MEASURE 2.4", "MANAGE 4.1"),
        },
    ),
    Check(
        id="AWS-BR-024",
        title="IAM identity keeps unused access to Bedrock",
        severity="medium",
        provider="aws",
        kinds=("AWSRole", "AWSUser"),
        predicate=is_true("bedrock_access_stale"),
        rationale="Access granted but not used for 60 days is standing risk with no benefit.",
        remediation="Remove Bedrock permissions from identities that have not used them.",
        references=(
            "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_last-accessed.html",
        ),
        peers=(
            prowler("iam_role_access_not_stale_to_bedrock"),
            prowler("iam_user_access_not_stale_to_bedrock"),
        ),
        frameworks={"atlas": ("AML.T0012",), "nist-ai-rmf": ("MEASURE 2.7",)},
        facts="not-offline",
        facts_note="Service last-accessed data comes from an asynchronous IAM job "
        "(GenerateServiceLastAccessedDetails) that a read-only snapshot does not start.",
    ),
    Check(
        id="AWS-BR-025",
        title="Bedrock custom model was trained outside a VPC",
        severity="low",
        provider="aws",
        kinds=("BedrockCustomModel",),
        predicate=all_of(is_false("customization_in_vpc"), Not(is_false("owned"))),
        rationale="A customization job in your VPC reads training data through your network "
        "controls and endpoint policies.",
        remediation="Run customization jobs with vpcConfig (subnets and security groups).",
        references=(f"{_DOC}/vpc-model-customization.html",),
        peers=(
            cloudsploit(
                "aws/bedrock/customModelInVpc",
                differs="Decided from the model's customization job (GetModelCustomizationJob "
                "vpcConfig); a model whose job was deleted, or a model shared from another "
                "account, is not judged.",
            ),
        ),
        frameworks={"owasp-llm": ("LLM04",), "nist-ai-rmf": ("MEASURE 2.7",)},
    ),
    Check(
        id="AWS-BR-026",
        title="Bedrock custom model has no tags",
        severity="low",
        provider="aws",
        kinds=("BedrockCustomModel",),
        predicate=all_of(is_false("tagged"), Not(is_false("owned"))),
        rationale="Untagged models cannot be attributed to an owner or data classification.",
        remediation="Tag custom models with owner and data classification.",
        fix=Fix(
            cli="aws bedrock tag-resource --resource-arn <model-arn> "
            "--tags key=owner,value=<team> key=data-classification,value=<class>"
        ),
        peers=(
            cloudsploit(
                "aws/bedrock/customModelHasTags",
                differs="A model shared from another account is not judged (its tags are "
                "its owner's).",
            ),
        ),
        frameworks={"nist-ai-rmf": ("GOVERN 1.6",)},
    ),
    Check(
        id="AWS-BR-027",
        title="Bedrock guardrails, agents and flows are not encrypted with a customer-managed key",
        severity="low",
        provider="aws",
        kinds=("BedrockGuardrail", "BedrockAgent", "BedrockFlow"),
        predicate=is_false("cmk"),
        rationale="Guardrail policies and agent configurations are encrypted with an AWS-owned "
        "key unless a KMS key is given.",
        remediation="Create guardrails with kmsKeyId, and agents and flows with "
        "customerEncryptionKeyArn.",
        fix=Fix(
            cli="aws bedrock update-guardrail --guardrail-identifier <id> ... "
            "--kms-key-id <key>; aws bedrock-agent update-agent ... "
            "--customer-encryption-key-arn <key>",
        ),
        peers=(mondoo("bedrock guardrail/agent/flow CMK"),),
        frameworks={"nist-ai-rmf": ("MEASURE 2.7",)},
    ),
]
