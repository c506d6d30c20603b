"""Where the peers' checks are documented, named once so every check cites them the same way.

The keys follow ``/work/shared/reference/ai-posture-checks.md``: Defender for Cloud pages of
MicrosoftDocs/azure-security-docs (published on learn.microsoft.com), Prowler check folders
at commit 3e000faa (2026-08-21), CloudSploit plugins, the Checkov and Mondoo pull requests
and Microsoft's AzTS control pages.
"""

from __future__ import annotations

from aispm_graph.recommendations.model import Peer

_DFC = "https://learn.microsoft.com/azure/defender-for-cloud"
DEFENDER_DOCS = {
    "D-RECAI": f"{_DFC}/recommendations-reference-ai",
    "D-RECDATA": f"{_DFC}/recommendations-reference-data",
    "D-RECNET": f"{_DFC}/recommendations-reference-networking",
    "D-RECIAM": f"{_DFC}/recommendations-reference-identity-access",
    "D-RECCMP": f"{_DFC}/recommendations-reference-compute",
    "D-MODEL": f"{_DFC}/ai-model-security",
    "D-AISPM": f"{_DFC}/ai-security-posture",
    "D-TSG": "Microsoft support wiki on AI posture (titles only, not public)",
}
_PROWLER = (
    "https://github.com/prowler-cloud/prowler/tree/3e000faa3109230b748e4418a13c11c9e59f5cfb/"
    "prowler/providers"
)
_CLOUDSPLOIT = "https://github.com/aquasecurity/cloudsploit/tree/master/plugins"
AZTS_OPENAI = (
    "https://github.com/azsk/AzTS-docs/blob/95afa9fe70a2fe1f6d5543415c224a80270a0b78/"
    "Control%20coverage/Feature/OpenAI.md"
)
AZTS_FOUNDRY = (
    "https://github.com/azsk/AzTS-docs/blob/2970916ca2d4dc8d97a13539ca00a8c6cdf300b3/"
    "Control%20coverage/Feature/AIFoundry.md"
)


def defender(title: str, doc: str = "D-RECAI", differs: str = "") -> Peer:
    return Peer("Defender for Cloud", title, DEFENDER_DOCS[doc], differs)


def prowler(check_id: str, differs: str = "") -> Peer:
    provider, service = "aws", check_id.split("_", 1)[0]
    if service in {"aisearch", "databricks"}:
        provider = "azure"
    elif service in {"gemini", "apikeys"}:
        provider = "gcp"
    elif service in {"organizations", "cloudtrail"}:
        pass
    elif check_id.startswith("iam_"):
        service = "iam"
    return Peer(
        "Prowler", check_id, f"{_PROWLER}/{provider}/services/{service}/{check_id}", differs
    )


def cloudsploit(plugin: str, differs: str = "") -> Peer:
    return Peer("CloudSploit", plugin, f"{_CLOUDSPLOIT}/{plugin}.js", differs)


def checkov(check_id: str, differs: str = "") -> Peer:
    return Peer("Checkov", check_id, "https://github.com/bridgecrewio/checkov/pull/6919", differs)


def mondoo(check_id: str, differs: str = "") -> Peer:
    return Peer("Mondoo cnspec", check_id, "https://github.com/mondoohq/cnspec/pull/3080", differs)


def azts(control: str, differs: str = "") -> Peer:
    doc = AZTS_FOUNDRY if control.startswith("Azure_AIFoundry") else AZTS_OPENAI
    return Peer("Microsoft AzTS", control, doc, differs)
