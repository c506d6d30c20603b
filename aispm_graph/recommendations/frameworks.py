"""The frameworks checks are mapped to, each declared once with all of its items.

A check names item ids (``{"owasp-llm": ("LLM01",)}``); declaring every item of a framework,
not only the ones some check serves, is what lets ``aispm recommendations --framework`` and the
reports say which items *no* check covers: a compliance reviewer needs the gaps as much as the
findings. Titles are short labels for tables, not the frameworks' own text; the ``url`` is
where the authoritative wording lives.

Sources (facts only): OWASP Top 10 for LLM Applications 2025; OWASP Top 10 for Agentic
Applications 2026 (December 2025); MITRE ATLAS 5.6.0 (``dist/ATLAS.yaml`` of
mitre-atlas/atlas-data), top-level techniques; NIST AI 100-1 (AI RMF 1.0) subcategories;
CIS Microsoft Azure Foundations Benchmark v5.0.0, the sections that exist for these services
(2.1 Azure Databricks, 6.1.4 resource logs). The CIS AWS and GCP Foundations benchmarks have
no section for Bedrock, SageMaker or Vertex AI, so none is claimed.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Item:
    id: str
    title: str


@dataclass(frozen=True)
class Framework:
    id: str
    name: str
    version: str
    url: str
    items: tuple[Item, ...]

    def item(self, item_id: str) -> Item | None:
        return next((i for i in self.items if i.id == item_id), None)

    def item_url(self, item_id: str) -> str:
        """Where one item is documented (the framework page when items have no page)."""
        if self.id == "atlas":
            return f"https://atlas.mitre.org/techniques/{item_id}"
        return self.url


def _items(*pairs: tuple[str, str]) -> tuple[Item, ...]:
    return tuple(Item(i, t) for i, t in pairs)


OWASP_LLM = Framework(
    "owasp-llm",
    "OWASP Top 10 for LLM Applications",
    "2025",
    "https://genai.owasp.org/llm-top-10/",
    _items(
        ("LLM01", "Prompt Injection"),
        ("LLM02", "Sensitive Information Disclosure"),
        ("LLM03", "Supply Chain"),
        ("LLM04", "Data and Model Poisoning"),
        ("LLM05", "Improper Output Handling"),
        ("LLM06", "Excessive Agency"),
        ("LLM07", "System Prompt Leakage"),
        ("LLM08", "Vector and Embedding Weaknesses"),
        ("LLM09", "Misinformation"),
        ("LLM10", "Unbounded Consumption"),
    ),
)

OWASP_AGENTIC = Framework(
    "owasp-agentic",
    "OWASP Top 10 for Agentic Applications",
    "2026",
    "https://genai.owasp.org/resource/owasp-top-10-for-agentic-applications-for-2026/",
    _items(
        ("ASI01", "Agent Goal Hijack"),
        ("ASI02", "Tool Misuse and Exploitation"),
        ("ASI03", "Identity and Privilege Abuse"),
        ("ASI04", "Agentic Supply Chain Vulnerabilities"),
        ("ASI05", "Unexpected Code Execution"),
        ("ASI06", "Memory and Context Poisoning"),
        ("ASI07", "Insecure Inter-Agent Communication"),
        ("ASI08", "Cascading Failures"),
        ("ASI09", "Human-Agent Trust Exploitation"),
        ("ASI10", "Rogue Agents"),
    ),
)

ATLAS = Framework(
    "atlas",
    "MITRE ATLAS techniques",
    "5.6.0",
    "https://atlas.mitre.org/techniques",
    _items(
        ("AML.T0000", "Search Open Technical Databases"),
        ("AML.T0001", "Search Open AI Vulnerability Analysis"),
        ("AML.T0002", "Acquire Public AI Artifacts"),
        ("AML.T0003", "Search Victim-Owned Websites"),
        ("AML.T0004", "Search Application Repositories"),
        ("AML.T0005", "Create Proxy AI Model"),
        ("AML.T0006", "Active Scanning"),
        ("AML.T0007", "Discover AI Artifacts"),
        ("AML.T0008", "Acquire Infrastructure"),
        ("AML.T0010", "AI Supply Chain Compromise"),
        ("AML.T0011", "User Execution"),
        ("AML.T0012", "Valid Accounts"),
        ("AML.T0013", "Discover AI Model Ontology"),
        ("AML.T0014", "Discover AI Model Family"),
        ("AML.T0015", "Evade AI Model"),
        ("AML.T0016", "Obtain Capabilities"),
        ("AML.T0017", "Develop Capabilities"),
        ("AML.T0018", "Manipulate AI Model"),
        ("AML.T0019", "Publish Poisoned Datasets"),
        ("AML.T0020", "Poison Training Data"),
        ("AML.T0021", "Establish Accounts"),
        ("AML.T0024", "Exfiltration via AI Inference API"),
        ("AML.T0025", "Exfiltration via Cyber Means"),
        ("AML.T0029", "Denial of AI Service"),
        ("AML.T0031", "Erode AI Model Integrity"),
        ("AML.T0034", "Cost Harvesting"),
        ("AML.T0035", "AI Artifact Collection"),
        ("AML.T0036", "Data from Information Repositories"),
        ("AML.T0037", "Data from Local System"),
        ("AML.T0040", "AI Model Inference API Access"),
        ("AML.T0041", "Physical Environment Access"),
        ("AML.T0042", "Verify Attack"),
        ("AML.T0043", "Craft Adversarial Data"),
        ("AML.T0044", "Full AI Model Access"),
        ("AML.T0046", "Spamming AI System with Chaff Data"),
        ("AML.T0047", "AI-Enabled Product or Service"),
        ("AML.T0048", "External Harms"),
        ("AML.T0049", "Exploit Public-Facing Application"),
        ("AML.T0050", "Command and Scripting Interpreter"),
        ("AML.T0051", "LLM Prompt Injection"),
        ("AML.T0052", "Phishing"),
        ("AML.T0053", "AI Agent Tool Invocation"),
        ("AML.T0054", "LLM Jailbreak"),
        ("AML.T0055", "Unsecured Credentials"),
        ("AML.T0056", "Extract LLM System Prompt"),
        ("AML.T0057", "LLM Data Leakage"),
        ("AML.T0058", "Publish Poisoned Models"),
        ("AML.T0059", "Erode Dataset Integrity"),
        ("AML.T0060", "Publish Hallucinated Entities"),
        ("AML.T0061", "LLM Prompt Self-Replication"),
        ("AML.T0062", "Discover LLM Hallucinations"),
        ("AML.T0063", "Discover AI Model Outputs"),
        ("AML.T0064", "Gather RAG-Indexed Targets"),
        ("AML.T0065", "LLM Prompt Crafting"),
        ("AML.T0066", "Retrieval Content Crafting"),
        ("AML.T0067", "LLM Trusted Output Components Manipulation"),
        ("AML.T0068", "LLM Prompt Obfuscation"),
        ("AML.T0069", "Discover LLM System Information"),
        ("AML.T0070", "RAG Poisoning"),
        ("AML.T0071", "False RAG Entry Injection"),
        ("AML.T0072", "Reverse Shell"),
        ("AML.T0073", "Impersonation"),
        ("AML.T0074", "Masquerading"),
        ("AML.T0075", "Cloud Service Discovery"),
        ("AML.T0076", "Corrupt AI Model"),
        ("AML.T0077", "LLM Response Rendering"),
        ("AML.T0078", "Drive-by Compromise"),
        ("AML.T0079", "Stage Capabilities"),
        ("AML.T0080", "AI Agent Context Poisoning"),
        ("AML.T0081", "Modify AI Agent Configuration"),
        ("AML.T0082", "RAG Credential Harvesting"),
        ("AML.T0083", "Credentials from AI Agent Configuration"),
        ("AML.T0084", "Discover AI Agent Configuration"),
        ("AML.T0085", "Data from AI Services"),
        ("AML.T0086", "Exfiltration via AI Agent Tool Invocation"),
        ("AML.T0087", "Gather Victim Identity Information"),
        ("AML.T0088", "Generate Deepfakes"),
        ("AML.T0089", "Process Discovery"),
        ("AML.T0090", "OS Credential Dumping"),
        ("AML.T0091", "Use Alternate Authentication Material"),
        ("AML.T0092", "Manipulate User LLM Chat History"),
        ("AML.T0093", "Prompt Infiltration via Public-Facing Application"),
        ("AML.T0094", "Delay Execution of LLM Instructions"),
        ("AML.T0095", "Search Open Websites/Domains"),
        ("AML.T0096", "AI Service API"),
        ("AML.T0097", "Virtualization/Sandbox Evasion"),
        ("AML.T0098", "AI Agent Tool Credential Harvesting"),
        ("AML.T0099", "AI Agent Tool Data Poisoning"),
        ("AML.T0100", "AI Agent Clickbait"),
        ("AML.T0101", "Data Destruction via AI Agent Tool Invocation"),
        ("AML.T0102", "Generate Malicious Commands"),
        ("AML.T0103", "Deploy AI Agent"),
        ("AML.T0104", "Publish Poisoned AI Agent Tool"),
        ("AML.T0105", "Escape to Host"),
        ("AML.T0106", "Exploitation for Credential Access"),
        ("AML.T0107", "Exploitation for Defense Evasion"),
        ("AML.T0108", "AI Agent"),
        ("AML.T0109", "AI Supply Chain Rug Pull"),
        ("AML.T0110", "AI Agent Tool Poisoning"),
        ("AML.T0111", "AI Supply Chain Reputation Inflation"),
        ("AML.T0112", "Machine Compromise"),
    ),
)

NIST_AI_RMF = Framework(
    "nist-ai-rmf",
    "NIST AI Risk Management Framework subcategories",
    "1.0",
    "https://airc.nist.gov/airmf-resources/airmf/5-sec-core/",
    _items(
        ("GOVERN 1.1", "Legal and regulatory requirements on AI are understood and documented"),
        ("GOVERN 1.2", "Trustworthy-AI characteristics are built into policies and practices"),
        ("GOVERN 1.3", "The level of risk management follows the organisation's risk tolerance"),
        ("GOVERN 1.4", "Risk management is set by transparent policies and controls"),
        ("GOVERN 1.5", "Risk management is monitored and reviewed periodically"),
        ("GOVERN 1.6", "AI systems are inventoried"),
        ("GOVERN 1.7", "AI systems are decommissioned and phased out safely"),
        ("GOVERN 2.1", "Roles and responsibilities for AI risk are documented and clear"),
        ("GOVERN 2.2", "Personnel and partners are trained in AI risk management"),
        ("GOVERN 2.3", "Executive leadership owns decisions about AI risk"),
        ("GOVERN 3.1", "A diverse team informs decisions on AI risk"),
        ("GOVERN 3.2", "Roles for human-AI configurations and oversight are defined"),
        ("GOVERN 4.1", "Policies foster a safety-first mindset in AI design and use"),
        ("GOVERN 4.2", "Teams document and communicate the risks and impacts of their AI"),
        ("GOVERN 4.3", "Practices enable AI testing, incident identification and sharing"),
        ("GOVERN 5.1", "Feedback from outside the team on AI impacts is collected"),
        ("GOVERN 5.2", "Adjudicated feedback is fed back into design and deployment"),
        ("GOVERN 6.1", "Policies address AI risks from third parties"),
        ("GOVERN 6.2", "Contingency processes cover failures of third-party data or AI"),
        ("MAP 1.1", "Intended purpose, context and expected impacts are documented"),
        ("MAP 1.2", "The team's disciplines and competencies are documented"),
        ("MAP 1.3", "The mission and goals for the AI technology are documented"),
        ("MAP 1.4", "The business value or context of use is defined"),
        ("MAP 1.5", "Organisational risk tolerances are determined and documented"),
        ("MAP 1.6", "System requirements are elicited from relevant AI actors"),
        ("MAP 2.1", "The tasks and methods that implement the AI system are defined"),
        ("MAP 2.2", "Knowledge limits and human use of the output are documented"),
        ("MAP 2.3", "Scientific integrity and TEVV considerations are documented"),
        ("MAP 3.1", "Potential benefits of the AI system are examined"),
        ("MAP 3.2", "Potential costs, including of AI errors, are examined"),
        ("MAP 3.3", "The targeted application scope is specified"),
        ("MAP 3.4", "Operator and practitioner proficiency processes are defined"),
        ("MAP 3.5", "Processes for human oversight are defined and documented"),
        ("MAP 4.1", "Legal and technology risks of components, incl. third-party, are mapped"),
        ("MAP 4.2", "Internal risk controls for AI components are identified and documented"),
        ("MAP 5.1", "Likelihood and magnitude of each impact are documented"),
        ("MAP 5.2", "Regular engagement with AI actors on impacts is in place"),
        ("MEASURE 1.1", "Metrics for the most significant AI risks are selected"),
        ("MEASURE 1.2", "Metrics and the effectiveness of existing controls are reassessed"),
        ("MEASURE 1.3", "Independent assessors take part in regular assessments"),
        ("MEASURE 2.1", "Test sets, metrics and TEVV tools are documented"),
        ("MEASURE 2.2", "Evaluations with human subjects meet requirements"),
        ("MEASURE 2.3", "Performance is measured in conditions like deployment"),
        ("MEASURE 2.4", "The AI system and its components are monitored in production"),
        ("MEASURE 2.5", "Validity and reliability are demonstrated"),
        ("MEASURE 2.6", "The AI system is evaluated regularly for safety risks"),
        ("MEASURE 2.7", "AI system security and resilience are evaluated and documented"),
        ("MEASURE 2.8", "Transparency and accountability risks are examined"),
        ("MEASURE 2.9", "The model is explained, validated and documented"),
        ("MEASURE 2.10", "Privacy risk of the AI system is examined and documented"),
        ("MEASURE 2.11", "Fairness and bias are evaluated"),
        ("MEASURE 2.12", "Environmental impact of training and management is assessed"),
        ("MEASURE 2.13", "Effectiveness of TEVV metrics and processes is evaluated"),
        ("MEASURE 3.1", "Existing and emergent AI risks are identified and tracked regularly"),
        ("MEASURE 3.2", "Hard-to-assess risks are tracked"),
        ("MEASURE 3.3", "Users can report problems and appeal outcomes"),
        ("MEASURE 4.1", "Measurement approaches are connected to deployment contexts"),
        ("MEASURE 4.2", "Trustworthiness results are informed by domain experts"),
        ("MEASURE 4.3", "Performance changes from consultations are documented"),
        ("MANAGE 1.1", "Whether the AI system meets its purpose and should proceed is decided"),
        ("MANAGE 1.2", "Treatment of AI risks is prioritised by impact and likelihood"),
        ("MANAGE 1.3", "Responses to high-priority AI risks are planned and documented"),
        ("MANAGE 1.4", "Residual risks to acquirers and end users are documented"),
        ("MANAGE 2.1", "Resources to manage AI risk, and non-AI alternatives, are considered"),
        ("MANAGE 2.2", "Mechanisms sustain the value of deployed AI systems"),
        ("MANAGE 2.3", "Procedures respond to and recover from previously unknown risks"),
        ("MANAGE 2.4", "AI systems can be superseded, disengaged or deactivated"),
        ("MANAGE 3.1", "Third-party AI risks are monitored and controlled"),
        ("MANAGE 3.2", "Pre-trained models are monitored as part of maintenance"),
        ("MANAGE 4.1", "Post-deployment monitoring, incident response and recovery are in place"),
        ("MANAGE 4.2", "Continual improvement is built into AI system updates"),
        ("MANAGE 4.3", "Incidents and errors are communicated, tracked and recovered from"),
    ),
)

CIS_AZURE = Framework(
    "cis-azure",
    "CIS Microsoft Azure Foundations Benchmark (AI-relevant sections)",
    "5.0.0",
    "https://www.cisecurity.org/benchmark/azure",
    _items(
        ("2.1.1", "Azure Databricks is deployed in a customer-managed virtual network"),
        ("2.1.2", "Network security groups are configured for Databricks subnets"),
        ("2.1.3", "Traffic is encrypted between Databricks cluster worker nodes"),
        ("2.1.4", "Users and groups are synced from Entra ID to Azure Databricks"),
        ("2.1.5", "Unity Catalog is configured for Azure Databricks"),
        ("2.1.6", "Databricks personal access tokens are restricted and expire"),
        ("2.1.7", "Diagnostic log delivery is configured for Azure Databricks"),
        ("2.1.8", "Critical data in Azure Databricks is encrypted with a customer-managed key"),
        ("2.1.9", "Databricks 'No Public IP' is enabled"),
        ("2.1.10", "Databricks 'Allow Public Network Access' is disabled"),
        ("2.1.11", "Private endpoints are used to access Azure Databricks workspaces"),
        ("6.1.4", "Azure Monitor resource logging is enabled for all services that support it"),
    ),
)

FRAMEWORKS: dict[str, Framework] = {
    f.id: f for f in (OWASP_LLM, OWASP_AGENTIC, ATLAS, NIST_AI_RMF, CIS_AZURE)
}
