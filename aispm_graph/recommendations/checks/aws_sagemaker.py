"""Amazon SageMaker: notebook instances, models, training jobs, endpoints and domains; and
the AWS Organizations setting that decides whether AI services may keep your content."""

from __future__ import annotations

from dataclasses import replace

from aispm_graph.recommendations.model import (
    Check,
    Fix,
    Neighbour,
    all_of,
    any_of,
    equals,
    is_false,
    is_true,
    missing,
    not_equals,
    one_of,
    present,
)
from aispm_graph.recommendations.peers import defender, mondoo, prowler

_SM = "https://docs.aws.amazon.com/sagemaker/latest/dg"
_NET: dict[str, tuple[str, ...]] = {
    "owasp-llm": ("LLM02", "LLM03"),
    "nist-ai-rmf": ("MEASURE 2.7",),
}

CHECKS: list[Check] = [
    Check(
        id="AWS-SM-001",
        title="SageMaker notebook instance gives users root access",
        severity="medium",
        provider="aws",
        kinds=("SageMakerNotebookInstance",),
        predicate=is_true("root_access"),
        rationale="Root on a notebook lets any user change its software, read other users' "
        "files and the instance role's credentials, and disable controls.",
        remediation="Set RootAccess=Disabled on the notebook instance.",
        fix=Fix(
            console="SageMaker console > Notebook instances > <instance> > Stop > Edit > "
            "Permissions and encryption > Root access: Disable.",
            cli="aws sagemaker update-notebook-instance --notebook-instance-name <name> "
            "--root-access Disabled",
            terraform='resource "aws_sagemaker_notebook_instance" "this" {\n  # ...\n'
            '  root_access = "Disabled"\n}',
        ),
        references=(f"{_SM}/nbi-root-access.html",),
        peers=(prowler("sagemaker_notebook_instance_root_access_disabled"),),
        frameworks={
            "owasp-llm": ("LLM03",),
            "atlas": ("AML.T0050", "AML.T0037"),
            "nist-ai-rmf": ("MEASURE 2.7",),
        },
    ),
    Check(
        id="AWS-SM-002",
        title="SageMaker notebook instance has direct internet access",
        severity="high",
        provider="aws",
        kinds=("SageMakerNotebookInstance",),
        predicate=is_true("direct_internet_access"),
        rationale="Direct internet access gives the notebook a route out that bypasses your "
        "VPC's egress controls: training data and credentials can leave, and malicious "
        "packages can come in.",
        remediation="Set DirectInternetAccess=Disabled and route egress through the VPC (NAT "
        "or VPC endpoints).",
        fix=Fix(
            console="SageMaker console > Notebook instances > Create (the setting cannot be "
            "changed): Network > VPC, Direct internet access: Disable.",
            cli="aws sagemaker create-notebook-instance ... --subnet-id <subnet> "
            "--security-group-ids <sg> --direct-internet-access Disabled",
            terraform='resource "aws_sagemaker_notebook_instance" "this" {\n  # ...\n'
            "  subnet_id              = aws_subnet.private.id\n"
            '  direct_internet_access = "Disabled"\n}',
        ),
        references=(f"{_SM}/appendix-notebook-and-internet-access.html",),
        peers=(
            prowler("sagemaker_notebook_instance_without_direct_internet_access_configured"),
            defender("Disable direct internet access for Amazon Sage Maker notebook instances"),
        ),
        frameworks={
            "owasp-llm": ("LLM02", "LLM03"),
            "atlas": ("AML.T0025", "AML.T0072"),
            "nist-ai-rmf": ("MEASURE 2.7",),
        },
    ),
    Check(
        id="AWS-SM-003",
        title="SageMaker notebook instance is not in a VPC",
        severity="high",
        provider="aws",
        kinds=("SageMakerNotebookInstance",),
        predicate=missing("subnet_id"),
        rationale="Outside a VPC the notebook's traffic cannot be filtered by security groups "
        "or reach data through private endpoints.",
        remediation="Re-create the notebook instance with a SubnetId and security groups in "
        "your VPC.",
        fix=Fix(
            console="SageMaker console > Notebook instances > Create: Network > VPC, subnet, "
            "security group.",
            cli="aws sagemaker create-notebook-instance ... --subnet-id <subnet> "
            "--security-group-ids <sg>",
            terraform='resource "aws_sagemaker_notebook_instance" "this" {\n  # ...\n'
            "  subnet_id       = aws_subnet.private.id\n"
            "  security_groups = [aws_security_group.nb.id]\n}",
        ),
        references=(f"{_SM}/notebook-interface-endpoint.html",),
        peers=(prowler("sagemaker_notebook_instance_vpc_settings_configured"),),
        frameworks={**_NET, "atlas": ("AML.T0025",)},
    ),
    Check(
        id="AWS-SM-004",
        title="SageMaker model runs without network isolation",
        severity="high",
        provider="aws",
        kinds=("SageMakerModel",),
        predicate=is_false("network_isolation"),
        rationale="A model container (often third-party code and weights) with network access "
        "can call out: a backdoored model can exfiltrate inputs or open a reverse shell.",
        remediation="Create the model with EnableNetworkIsolation=true so the container "
        "cannot make outbound calls.",
        fix=Fix(
            console="SageMaker console > Inference > Models > Create model: Network > Enable "
            "network isolation.",
            cli="aws sagemaker create-model --model-name <name> ... --enable-network-isolation",
            terraform='resource "aws_sagemaker_model" "this" {\n  # ...\n'
            "  enable_network_isolation = true\n}",
        ),
        references=(f"{_SM}/mkt-algo-model-internet-free.html",),
        peers=(
            prowler("sagemaker_models_network_isolation_enabled"),
            defender("Network isolation should be enabled for AWS SageMaker models"),
        ),
        frameworks={
            "owasp-llm": ("LLM03", "LLM02"),
            "atlas": ("AML.T0011", "AML.T0025", "AML.T0072"),
            "nist-ai-rmf": ("MEASURE 2.7", "MANAGE 3.2"),
        },
    ),
    Check(
        id="AWS-SM-005",
        title="SageMaker notebook instance storage is not encrypted with a KMS key",
        severity="high",
        provider="aws",
        kinds=("SageMakerNotebookInstance",),
        predicate=is_false("cmk"),
        rationale="The notebook's ML storage volume holds datasets, models and credentials "
        "users saved; a KMS key of yours lets you audit and revoke who can decrypt it.",
        remediation="Re-create the notebook instance with KmsKeyId set.",
        fix=Fix(
            console="SageMaker console > Notebook instances > Create: Permissions and "
            "encryption > Encryption key.",
            cli="aws sagemaker create-notebook-instance ... --kms-key-id <key>",
            terraform='resource "aws_sagemaker_notebook_instance" "this" {\n  # ...\n'
            "  kms_key_id = aws_kms_key.nb.arn\n}",
        ),
        references=(f"{_SM}/encryption-at-rest-nbi.html",),
        peers=(prowler("sagemaker_notebook_instance_encryption_enabled"),),
        frameworks={
            "owasp-llm": ("LLM02",),
            "atlas": ("AML.T0035",),
            "nist-ai-rmf": ("MEASURE 2.10",),
        },
    ),
    Check(
        id="AWS-SM-006",
        title="SageMaker notebook lifecycle configuration contains secrets",
        severity="high",
        provider="aws",
        kinds=("SageMakerNotebookInstance",),
        predicate=present("lifecycle_secrets"),
        rationale="Lifecycle scripts run as root at every start; a key written into one is "
        "readable by anyone who can describe the configuration.",
        remediation="Read secrets at run time from Secrets Manager with the instance role.",
        fix=Fix(
            cli="aws sagemaker update-notebook-instance-lifecycle-config "
            "--notebook-instance-lifecycle-config-name <name> --on-start Content=<base64 "
            "script that reads the secret from Secrets Manager>",
        ),
        peers=(
            prowler(
                "sagemaker_notebook_instance_no_secrets",
                differs="The scripts are scanned at collect time and never stored; the "
                "detectors are credential formats (AWS, Hugging Face, OpenAI, GitHub, private "
                "keys, credentials in URLs) and literal values of secret-named variables, not "
                "Prowler's detect-secrets plugins.",
            ),
        ),
        frameworks={"atlas": ("AML.T0055",), "nist-ai-rmf": ("MEASURE 2.7",)},
    ),
    Check(
        id="AWS-SM-007",
        title="SageMaker model is not configured to run in a VPC",
        severity="medium",
        provider="aws",
        kinds=("SageMakerModel",),
        predicate=is_false("in_vpc"),
        rationale="Without VpcConfig the model's containers reach S3 and other services "
        "outside your network controls.",
        remediation="Create the model with VpcConfig (private subnets and security groups).",
        fix=Fix(
            cli="aws sagemaker create-model ... --vpc-config "
            "Subnets=<subnet>,SecurityGroupIds=<sg>",
            terraform='resource "aws_sagemaker_model" "this" {\n  # ...\n  vpc_config {\n'
            "    subnets            = [aws_subnet.private.id]\n"
            "    security_group_ids = [aws_security_group.model.id]\n  }\n}",
        ),
        references=(f"{_SM}/host-vpc.html",),
        peers=(
            prowler("sagemaker_models_vpc_settings_configured"),
            defender("VpcConfig should be configured for AWS SageMaker models"),
        ),
        frameworks=_NET,
    ),
    Check(
        id="AWS-SM-008",
        title="SageMaker training job runs without network isolation",
        severity="high",
        provider="aws",
        kinds=("SageMakerTrainingJob",),
        predicate=is_false("network_isolation"),
        rationale="Training containers see the whole training set; with network access a "
        "compromised algorithm image can send it anywhere.",
        remediation="Start training jobs with EnableNetworkIsolation=true.",
        fix=Fix(cli="aws sagemaker create-training-job ... --enable-network-isolation"),
        references=(f"{_SM}/mkt-algo-model-internet-free.html",),
        peers=(prowler("sagemaker_training_jobs_network_isolation_enabled"),),
        frameworks={
            "owasp-llm": ("LLM02", "LLM04"),
            "atlas": ("AML.T0025", "AML.T0020"),
            "nist-ai-rmf": ("MEASURE 2.7",),
        },
    ),
    Check(
        id="AWS-SM-009",
        title="SageMaker training job is not configured to run in a VPC",
        severity="high",
        provider="aws",
        kinds=("SageMakerTrainingJob",),
        predicate=is_false("in_vpc"),
        rationale="Without VpcConfig training traffic to data stores leaves your network controls.",
        remediation="Start training jobs with VpcConfig.",
        fix=Fix(
            cli="aws sagemaker create-training-job ... --vpc-config "
            "Subnets=<subnet>,SecurityGroupIds=<sg>"
        ),
        references=(f"{_SM}/train-vpc.html",),
        peers=(prowler("sagemaker_training_jobs_vpc_settings_configured"),),
        frameworks=_NET,
    ),
    Check(
        id="AWS-SM-010",
        title="SageMaker training job volume or output is not encrypted with a KMS key",
        severity="high",
        provider="aws",
        kinds=("SageMakerTrainingJob",),
        predicate=any_of(is_false("volume_kms"), is_false("output_kms")),
        rationale="The training volume and the output location hold the training data and "
        "the trained model; a KMS key of yours controls who can decrypt them.",
        remediation="Set ResourceConfig.VolumeKmsKeyId and OutputDataConfig.KmsKeyId.",
        fix=Fix(
            cli="aws sagemaker create-training-job ... --resource-config "
            "VolumeKmsKeyId=<key>,... --output-data-config KmsKeyId=<key>,S3OutputPath=<s3>"
        ),
        references=(f"{_SM}/encryption-at-rest.html",),
        peers=(prowler("sagemaker_training_jobs_volume_and_output_encryption_enabled"),),
        frameworks={
            "owasp-llm": ("LLM02",),
            "atlas": ("AML.T0035",),
            "nist-ai-rmf": ("MEASURE 2.10",),
        },
    ),
    Check(
        id="AWS-SM-011",
        title="SageMaker training job does not encrypt traffic between its containers",
        severity="medium",
        provider="aws",
        kinds=("SageMakerTrainingJob",),
        predicate=is_false("intercontainer_encryption"),
        rationale="Distributed training exchanges gradients and data between instances; "
        "without inter-container encryption that traffic is clear text inside the VPC.",
        remediation="Start training jobs with EnableInterContainerTrafficEncryption=true.",
        fix=Fix(
            cli="aws sagemaker create-training-job ... --enable-inter-container-traffic-encryption"
        ),
        references=(f"{_SM}/train-encrypt.html",),
        peers=(prowler("sagemaker_training_jobs_intercontainer_encryption_enabled"),),
        frameworks={"owasp-llm": ("LLM02",), "nist-ai-rmf": ("MEASURE 2.10",)},
    ),
    Check(
        id="AWS-SM-012",
        title="SageMaker endpoint configuration does not encrypt with a KMS key",
        severity="medium",
        provider="aws",
        kinds=("SageMakerEndpoint",),
        predicate=is_false("kms"),
        rationale="The endpoint's ML storage volumes hold the model and request data; a KMS "
        "key of yours controls who can decrypt them.",
        remediation="Create the endpoint configuration with KmsKeyId and update the endpoint.",
        fix=Fix(
            cli="aws sagemaker create-endpoint-config --endpoint-config-name <name> "
            "--production-variants file://variants.json --kms-key-id <key>",
            terraform='resource "aws_sagemaker_endpoint_configuration" "this" {\n  # ...\n'
            "  kms_key_arn = aws_kms_key.ep.arn\n}",
        ),
        references=(f"{_SM}/encryption-at-rest.html",),
        peers=(
            prowler(
                "sagemaker_endpoint_config_kms_encryption_enabled",
                differs="Judged on the configuration each endpoint uses; a configuration no "
                "endpoint uses is not reported (Prowler reports every configuration).",
            ),
            defender(
                "AWS Key Management Service encryption should be enabled on SageMaker endpoints"
            ),
        ),
        frameworks={"owasp-llm": ("LLM02",), "nist-ai-rmf": ("MEASURE 2.10",)},
    ),
    Check(
        id="AWS-SM-013",
        title="SageMaker endpoint has a production variant on a single instance",
        severity="medium",
        provider="aws",
        kinds=("SageMakerEndpoint",),
        predicate=present("single_instance_variants"),
        rationale="One instance is one Availability Zone: an outage or a flood of requests "
        "takes the model offline.",
        remediation="Set InitialInstanceCount of production variants to 2 or more.",
        references=(f"{_SM}/best-practice-endpoint-security.html",),
        peers=(
            prowler(
                "sagemaker_endpoint_config_prod_variant_instances",
                differs="Serverless variants (no instance count) are not flagged.",
            ),
        ),
        frameworks={
            "owasp-llm": ("LLM10",),
            "atlas": ("AML.T0029",),
            "nist-ai-rmf": ("MANAGE 2.2",),
        },
    ),
    Check(
        id="AWS-SM-014",
        title="SageMaker endpoint captures data without a KMS key",
        severity="medium",
        provider="aws",
        kinds=("SageMakerEndpoint",),
        predicate=all_of(is_true("data_capture"), is_false("data_capture_kms")),
        rationale="Data capture writes every request and response to S3; without a KMS key "
        "those captures are protected only by bucket policy.",
        remediation="Set DataCaptureConfig.KmsKeyId in the endpoint configuration.",
        references=(f"{_SM}/model-monitor-data-capture.html",),
        peers=(mondoo("sagemaker-endpoint-data-capture-cmk"),),
        frameworks={"owasp-llm": ("LLM02",), "nist-ai-rmf": ("MEASURE 2.10",)},
    ),
    Check(
        id="AWS-SM-015",
        title="SageMaker domain sends traffic through the public internet",
        severity="medium",
        provider="aws",
        kinds=("SageMakerDomain",),
        predicate=equals("app_network_access", "PublicInternetOnly"),
        rationale="In PublicInternetOnly mode Studio apps reach the internet through a "
        "SageMaker-managed network, outside your VPC's egress controls.",
        remediation="Create the domain with AppNetworkAccessType=VpcOnly (it cannot be "
        "changed on an existing domain with apps).",
        fix=Fix(
            console="SageMaker console > Domains > Create domain > Network: VPC only.",
            cli="aws sagemaker update-domain --domain-id <id> --app-network-access-type VpcOnly",
            terraform='resource "aws_sagemaker_domain" "this" {\n  # ...\n'
            '  app_network_access_type = "VpcOnly"\n}',
        ),
        references=(f"{_SM}/studio-notebooks-and-internet-access.html",),
        peers=(
            defender("VPC-only network access should be configured on AWS SageMaker domains"),
            mondoo("sagemaker-domain-vpc-only"),
        ),
        frameworks={**_NET, "atlas": ("AML.T0025",)},
    ),
    Check(
        id="AWS-SM-016",
        title="SageMaker domain storage is not encrypted with a KMS key",
        severity="low",
        provider="aws",
        kinds=("SageMakerDomain",),
        predicate=is_false("kms"),
        rationale="The domain's EFS volume holds every user's notebooks and data.",
        remediation="Create the domain with KmsKeyId.",
        fix=Fix(cli="aws sagemaker create-domain ... --kms-key-id <key>"),
        references=(f"{_SM}/encryption-at-rest-studio.html",),
        peers=(
            defender(
                "AWS Key Management Service encryption should be enabled for SageMaker domain"
            ),
        ),
        frameworks={"owasp-llm": ("LLM02",), "nist-ai-rmf": ("MEASURE 2.10",)},
    ),
    Check(
        id="AWS-SM-017",
        title="SageMaker domain does not use IAM Identity Center (SSO)",
        severity="medium",
        provider="aws",
        kinds=("SageMakerDomain",),
        predicate=not_equals("auth_mode", "SSO"),
        rationale="With IAM authentication users get presigned Studio URLs from IAM "
        "permissions, outside the organisation's central sign-in and MFA.",
        remediation="Create the domain with AuthMode=SSO.",
        references=(f"{_SM}/onboard-sso-users.html",),
        peers=(prowler("sagemaker_domain_sso_configured"),),
        frameworks={"atlas": ("AML.T0012",), "nist-ai-rmf": ("MEASURE 2.7",)},
    ),
    Check(
        id="AWS-SM-018",
        title="SageMaker Studio apps start without a lifecycle configuration",
        severity="low",
        provider="aws",
        kinds=("SageMakerDomain",),
        predicate=is_false("default_lifecycle_config"),
        rationale="A lifecycle configuration is where an organisation enforces idle shutdown, "
        "package mirrors and agent installation on every app.",
        remediation="Set default lifecycle configurations in the domain's default user settings "
        "(JupyterLab, Code Editor, Kernel Gateway / JupyterServer app settings).",
        fix=Fix(
            cli="aws sagemaker update-domain --domain-id <id> --default-user-settings "
            "'JupyterLabAppSettings={LifecycleConfigArns=[<arn>],DefaultResourceSpec="
            "{LifecycleConfigArn=<arn>}}'",
        ),
        references=(f"{_SM}/studio-lcc.html",),
        peers=(
            defender(
                "LifecycleConfigArn should be configured on AWS SageMaker app",
                differs="Judged on the domain's default user settings, which every new app "
                "starts with; Defender looks at each running app (a user profile or space "
                "that overrides the defaults is not read here).",
            ),
        ),
        frameworks={"nist-ai-rmf": ("MANAGE 2.2",)},
    ),
    Check(
        id="AWS-SM-019",
        title="SageMaker endpoint serves a model without network isolation",
        severity="medium",
        provider="aws",
        kinds=("SageMakerEndpoint",),
        predicate=Neighbour("SERVES", "out", is_false("network_isolation")),
        rationale="An endpoint is as isolated as the models it serves.",
        remediation="Serve models created with EnableNetworkIsolation=true.",
        references=(f"{_SM}/mkt-algo-model-internet-free.html",),
        peers=(defender("Network isolation should be enabled on AWS SageMaker endpoints"),),
        frameworks={
            "owasp-llm": ("LLM03",),
            "atlas": ("AML.T0025",),
            "nist-ai-rmf": ("MEASURE 2.7",),
        },
    ),
    Check(
        id="AWS-SM-020",
        title="SageMaker endpoint serves a model outside a VPC",
        severity="medium",
        provider="aws",
        kinds=("SageMakerEndpoint",),
        predicate=Neighbour("SERVES", "out", is_false("in_vpc")),
        rationale="An endpoint's containers use the VpcConfig of the models they serve.",
        remediation="Serve models created with VpcConfig.",
        references=(f"{_SM}/host-vpc.html",),
        peers=(defender("Proper VPC configuration should be enabled on AWS SageMaker endpoints"),),
        frameworks=_NET,
    ),
    Check(
        id="AWS-SM-021",
        title="SageMaker endpoint has no running Model Monitor schedule",
        severity="low",
        provider="aws",
        kinds=("SageMakerEndpoint",),
        predicate=is_false("monitored"),
        rationale="Without monitoring, drift and abuse of a deployed model go unseen.",
        remediation="Create a monitoring schedule for the endpoint.",
        fix=Fix(
            console="SageMaker console > Inference > Endpoints > <endpoint> > Monitoring: "
            "create a data-quality or model-quality monitoring schedule.",
            cli="aws sagemaker create-monitoring-schedule --monitoring-schedule-name <name> "
            "--monitoring-schedule-config file://schedule.json",
        ),
        peers=(
            prowler(
                "sagemaker_models_monitor_enabled",
                differs="Each endpoint is judged by the schedules that name it (status "
                "Scheduled); Prowler passes a region with any scheduled monitor.",
            ),
        ),
        frameworks={"nist-ai-rmf": ("MEASURE 2.4", "MANAGE 4.1")},
    ),
    Check(
        id="AWS-SM-022",
        title="SageMaker model is not deployed from an approved Model Registry package",
        severity="low",
        provider="aws",
        kinds=("SageMakerModel",),
        predicate=any_of(
            missing("model_package"),
            one_of("model_package_approval", "Rejected", "PendingManualApproval"),
        ),
        rationale="A registry records which model version was reviewed and approved; a model "
        "created straight from an artifact, or from a package nobody approved, has no such "
        "record.",
        remediation="Register the model as a package in a model package group, approve it, and "
        "create the SageMaker model from the approved package (ModelPackageName).",
        fix=Fix(
            cli="aws sagemaker update-model-package --model-package-arn <arn> "
            "--model-approval-status Approved; aws sagemaker create-model --model-name <m> "
            "--containers ModelPackageName=<arn> --execution-role-arn <role>",
        ),
        references=(f"{_SM}/model-registry.html",),
        peers=(
            prowler(
                "sagemaker_models_registry_in_use",
                differs="Prowler judges each region (some group with an approved package "
                "passes); here each model is judged by the package it was created from.",
            ),
        ),
        frameworks={"owasp-llm": ("LLM03",), "nist-ai-rmf": ("GOVERN 1.6",)},
    ),
    Check(
        id="AWS-SM-023",
        title="SageMaker Clarify is not used",
        severity="low",
        provider="aws",
        kinds=("AWSAccount",),
        predicate=is_false("clarify_used"),
        rationale="Bias and explainability reports are part of an AI audit trail.",
        remediation="Run Clarify processing jobs for deployed models.",
        peers=(
            prowler(
                "sagemaker_clarify_exists",
                differs="Judged per account that serves SageMaker models, from the Clarify "
                "processing jobs the account's job listing still holds; Prowler judges each "
                "region.",
            ),
        ),
        frameworks={"nist-ai-rmf": ("MEASURE 2.11", "MEASURE 2.9")},
    ),
    Check(
        id="AWS-SM-024",
        title="IAM user keeps unused access to SageMaker",
        severity="medium",
        provider="aws",
        kinds=("AWSUser",),
        predicate=is_true("sagemaker_access_stale"),
        rationale="Access granted but not used is standing risk with no benefit.",
        remediation="Remove SageMaker permissions from users that have not used them.",
        peers=(prowler("iam_user_access_not_stale_to_sagemaker"),),
        frameworks={"atlas": ("AML.T0012",), "nist-ai-rmf": ("MEASURE 2.7",)},
        facts="not-offline",
        facts_note="Service last-accessed data needs an asynchronous IAM job that a "
        "read-only snapshot does not start.",
    ),
    Check(
        id="AWS-ORG-001",
        title="No AWS Organizations policy opts the account out of AI-service data use",
        severity="medium",
        provider="aws",
        kinds=("AWSAccount",),
        predicate=is_false("ai_opt_out"),
        rationale="Unless an AI services opt-out policy applies, some AWS AI services may "
        "store and use content they process to improve the service.",
        remediation="Attach to the root an AI services opt-out policy whose default "
        "opt_out_policy assigns optOut and allows child policies no operators (@@none).",
        fix=Fix(
            console="AWS Organizations console > Policies > AI services opt-out policies > "
            "Create policy, attach to the root.",
            cli="aws organizations create-policy --type AISERVICES_OPT_OUT_POLICY --name "
            "opt-out --description <d> --content file://optout.json && aws organizations "
            "attach-policy --policy-id <id> --target-id <root>",
            terraform='resource "aws_organizations_policy" "ai_opt_out" {\n'
            '  name    = "ai-opt-out"\n  type    = "AISERVICES_OPT_OUT_POLICY"\n'
            "  content = jsonencode({ services = { default = { opt_out_policy = { "
            '"@@assign" = "optOut", "@@operators_allowed_for_child_policies" = ["@@none"] '
            "} } } })\n}",
        ),
        references=(
            "https://docs.aws.amazon.com/organizations/latest/userguide/"
            "orgs_manage_policies_ai-opt-out.html",
        ),
        peers=(
            prowler(
                "organizations_opt_out_ai_services_policy",
                differs="Like Prowler, the policy must opt out by default and lock children "
                "(@@operators_allowed_for_child_policies @@none); unlike Prowler it must also "
                "be attached to the root, an OU above the account or the account. An account "
                "outside any organisation is not flagged (Prowler fails it): the collector "
                "records that answer as absent, not as a setting.",
            ),
        ),
        frameworks={"owasp-llm": ("LLM02",), "nist-ai-rmf": ("GOVERN 6.1", "MEASURE 2.10")},
    ),
]

_PENDING: dict[str, str] = {}
CHECKS = [
    replace(c, facts="not-collected", facts_note=f"Needs {_PENDING[c.id]}, not in the graph yet.")
    if c.id in _PENDING
    else c
    for c in CHECKS
]
