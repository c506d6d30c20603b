"""Canonical node ids for GCP resources that are referenced by more than one name."""

from __future__ import annotations


def bucket_id(name: str) -> str:
    """Full resource name of a bucket, as in Google's full-resource-name reference."""
    return f"//storage.googleapis.com/projects/_/buckets/{name}"


def sa_id(email: str, project: str | None = None) -> str:
    """A service account by email (what IAM bindings and instances reference).

    The project comes from the account's own record when collected, else from a
    ``*.iam.gserviceaccount.com`` address, else ``-`` (the IAM API's "any project").
    """
    proj = project or sa_project(email) or "-"
    return f"//iam.googleapis.com/projects/{proj}/serviceAccounts/{email}"


def sa_project(email: str) -> str | None:
    _local, _, domain = email.partition("@")
    if domain.endswith(".iam.gserviceaccount.com"):
        return domain.removesuffix(".iam.gserviceaccount.com")
    return None
