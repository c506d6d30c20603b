"""Canonical node ids for GCP resources that are referenced by more than one name.

Service-account emails say which project owns the account, but not uniformly: a user-managed
account is ``NAME@PROJECT_ID.iam.gserviceaccount.com``, App Engine's default account is
``PROJECT_ID@appspot.gserviceaccount.com`` and Compute Engine's default account is
``PROJECT_NUMBER-compute@developer.gserviceaccount.com``. Google-managed *service agents*
(``service-NUMBER@gcp-sa-aiplatform.iam.gserviceaccount.com``,
``NUMBER@cloudservices.gserviceaccount.com``, ...) live in Google's own projects: their domain
is not a customer project, nobody outside Google can create keys for them, so they must never
be read as "an account of project gcp-sa-aiplatform".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

IAM_DOMAIN = ".iam.gserviceaccount.com"
_SERVICE_AGENT_LOCAL = re.compile(r"^service-(?:org-|folder-)?\d+$")
_COMPUTE_DEFAULT = re.compile(r"^(\d+)-compute$")


@dataclass(frozen=True)
class SAOwner:
    """The customer project that owns a service account.

    ``project`` is a project id, or a project number when ``by_number`` (Compute Engine's
    default account names only the number).
    """

    project: str
    by_number: bool = False


def bucket_id(name: str) -> str:
    """Full resource name of a bucket, as in Google's full-resource-name reference."""
    return f"//storage.googleapis.com/projects/_/buckets/{name}"


def sa_id(email: str, project: str | None = None) -> str:
    """A service account by email (what IAM bindings and instances reference).

    The project comes from the account's own record when collected, else from a user-managed
    ``*.iam.gserviceaccount.com`` address, else ``-`` (the IAM API's "any project").
    """
    proj = project or sa_project(email) or "-"
    return f"//iam.googleapis.com/projects/{proj}/serviceAccounts/{email}"


def is_service_agent(email: str) -> bool:
    """A Google-managed service agent or Google-internal account, not a customer's."""
    local, _, domain = email.lower().partition("@")
    if not domain.endswith(".gserviceaccount.com"):
        return False
    if _SERVICE_AGENT_LOCAL.match(local):
        return True  # service-NUMBER@gcp-sa-*.iam / @compute-system.iam / ... service agents
    if domain.endswith(IAM_DOMAIN):
        return domain.removesuffix(IAM_DOMAIN).startswith("gcp-sa-")
    # Only App Engine's and Compute Engine's default accounts (customer-owned) live under the
    # other gserviceaccount.com domains; cloudservices, cloudbuild etc. are Google's.
    return domain not in {"appspot.gserviceaccount.com", "developer.gserviceaccount.com"}


def sa_owner(email: str) -> SAOwner | None:
    """The customer project that owns ``email``, or None (service agent, user, unknown)."""
    if is_service_agent(email):
        return None
    local, _, domain = email.lower().partition("@")
    if domain.endswith(IAM_DOMAIN):
        project = domain.removesuffix(IAM_DOMAIN)
        return SAOwner(project) if project else None
    if domain == "appspot.gserviceaccount.com" and local:
        return SAOwner(local)
    if domain == "developer.gserviceaccount.com":
        m = _COMPUTE_DEFAULT.match(local)
        if m:
            return SAOwner(m.group(1), by_number=True)
    return None


def sa_project(email: str) -> str | None:
    """The project id in a user-managed account's email (None for service agents and for
    default accounts whose email names no project id)."""
    _local, _, domain = email.partition("@")
    if domain.endswith(IAM_DOMAIN) and not is_service_agent(email):
        return domain.removesuffix(IAM_DOMAIN) or None
    return None
