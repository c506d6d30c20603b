"""Whole-estate AWS collection: every account of an organisation, or one profile per account.

The single-account collector (:func:`aispm_graph.providers.aws.collect.collect`) does the work
for each account; this module decides *which* accounts, *how* to get into each, and runs them
in a bounded pool so one slow or broken account never holds up or stops the others.

* ``--org``: the member list comes from ``organizations:ListAccounts`` in the management (or
  delegated administrator) account. Every member is entered with ``sts:AssumeRole`` on the named
  role (default ``OrganizationAccountAccessRole``); the external id comes from an environment
  variable only, never from an option, so it never shows in a process list.
* Members cannot read their own service control policies, so the management account's
  Organizations answers (policies, their targets and each member's chain of parents) are
  copied into every member's documents; the AWS transform then applies the SCPs to that
  member's principals exactly as for a single account. Resource control policies are collected
  where the API answers and applied to the member's resources.
* ``--profiles a,b``: one named profile per account for estates without an organisation role.

Each account is returned as its own outcome (documents, coverage, or the reason it failed), so
the caller can store it as its own workspace scope as soon as it is done.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from aispm_graph.progress import Reporter
from aispm_graph.providers.aws.collect import (
    GLOBAL,
    CollectError,
    CollectOptions,
    CollectResult,
    _Task,
    client_config,
    collect,
    make_session,
    strip_metadata,
)
from aispm_graph.providers.coverage import Status
from aispm_graph.providers.pool import run_pool
from aispm_graph.workspace import Document

DEFAULT_ROLE = "OrganizationAccountAccessRole"
DEFAULT_SESSION_NAME = "aispm-collect"


@dataclass
class OrgOptions:
    """What to collect across the estate; ``base`` carries regions, services and retries."""

    base: CollectOptions
    role: str = DEFAULT_ROLE
    external_id: str | None = None  # the value, read by the CLI from an environment variable
    session_name: str = DEFAULT_SESSION_NAME
    accounts: set[str] | None = None  # only these (None: all members)
    exclude: set[str] = field(default_factory=set)
    skip: set[str] = field(default_factory=set)  # already finished (resume)
    max_workers: int = 4  # accounts at once
    inner_workers: int = 4  # service x region tasks per account


@dataclass
class AccountOutcome:
    """One account of the run: collected (with its result), failed (with why) or skipped."""

    account: str
    name: str
    status: str  # collected | failed | skipped
    reason: str = ""
    result: CollectResult | None = None
    seconds: float = 0.0

    def row(self) -> dict[str, Any]:
        table = self.result.coverage_table() if self.result else []
        return {
            "account": self.account,
            "name": self.name,
            "status": self.status,
            "reason": self.reason,
            "documents": len(self.result.documents) if self.result else 0,
            "reused": sum(bool(c.get("reused")) for c in table),
            "incremental": self.result.incremental if self.result else None,
            "not_collected": [
                f"{c['service']}/{c['scope']}: {c['status']}" for c in table if c["status"] != "ok"
            ],
            "seconds": round(self.seconds, 2),
        }


@dataclass
class Organization:
    """The management account's view: members and the Organizations documents to share."""

    management: str
    caller: str
    members: list[dict[str, Any]]
    shared: list[Document]  # organisation-wide answers (policies and their targets)
    parents: dict[str, list[Document]]  # member -> its chain of list_parents answers
    coverage: list[dict[str, Any]]

    def documents_for(self, account: str) -> list[Document]:
        """The Organizations documents as the member itself would need them, in its scope."""
        docs = [*self.shared, *self.parents.get(account, [])]
        return [Document("aws", account, d.key, d.body) for d in docs]


def _client_error_text(exc: Exception) -> str:
    from botocore.exceptions import ClientError

    if isinstance(exc, ClientError):
        err = exc.response.get("Error", {})
        return f"{err.get('Code', 'error')}: {err.get('Message', '')}".strip().rstrip(":")
    return f"{type(exc).__name__}: {exc}"


def read_organization(session: Any, max_attempts: int = 0) -> Organization:
    """List members and read SCPs / RCPs and the OU tree from the management account."""
    from botocore.exceptions import BotoCoreError, ClientError

    config = client_config(max_attempts)
    home = session.region_name or "us-east-1"
    try:
        ident = strip_metadata(
            session.client("sts", region_name=home, config=config).get_caller_identity()
        )
        client = session.client("organizations", region_name=home, config=config)
        org = client.describe_organization()["Organization"]
        members: list[dict[str, Any]] = []
        for page in client.get_paginator("list_accounts").paginate():
            members.extend(page.get("Accounts", []))
    except (ClientError, BotoCoreError) as exc:
        raise CollectError(
            "cannot list the organisation's accounts (run from the management or a delegated "
            f"administrator account): {_client_error_text(exc)}"
        ) from None
    management = str(org.get("MasterAccountId") or ident["Account"])
    shared = _Task(client, "organizations", GLOBAL, management)
    shared.call("describe_organization")
    shared.call("list_roots")
    for ptype in ("SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"):
        pols = shared.call("list_policies", ptype, Filter=ptype)
        for p in (pols or {}).get("Policies", []):
            shared.call("describe_policy", p["Id"], PolicyId=p["Id"])
            shared.call("list_targets_for_policy", p["Id"], PolicyId=p["Id"])
    parents: dict[str, list[Document]] = {}
    for m in members:
        chain = _Task(client, "organizations", GLOBAL, str(m["Id"]))
        child = str(m["Id"])
        for _ in range(10):  # accounts sit at most five OUs deep
            got = chain.call("list_parents", child, ChildId=child)
            if not got or not got.get("Parents") or got["Parents"][0].get("Type") == "ROOT":
                break
            child = got["Parents"][0]["Id"]
        parents[str(m["Id"])] = chain.docs
        if chain.coverage.status != Status.OK:
            shared.coverage.record(chain.coverage.status, "; ".join(chain.coverage.errors[:1]))
    return Organization(
        management=management,
        caller=str(ident.get("Arn", "")),
        members=members,
        shared=shared.docs,
        parents=parents,
        coverage=[shared.coverage.as_dict()],
    )


def assume_session(
    base: Any,
    account: str,
    role: str,
    session_name: str,
    external_id: str | None,
    sts: Any = None,
) -> Any:
    """A boto3 Session holding temporary credentials of ``role`` in ``account``.

    Pass ``sts`` (a client made once from ``base``) when calling from several threads: boto3
    clients are thread-safe, sessions are not.
    """
    import boto3

    home = base.region_name or "us-east-1"
    if sts is None:
        sts = base.client("sts", region_name=home, config=client_config(0))
    partition = "aws-us-gov" if home.startswith("us-gov-") else "aws"
    if home.startswith("cn-"):
        partition = "aws-cn"
    params: dict[str, Any] = {
        "RoleArn": f"arn:{partition}:iam::{account}:role/{role}",
        "RoleSessionName": session_name,
    }
    if external_id:
        params["ExternalId"] = external_id
    creds = sts.assume_role(**params)["Credentials"]
    import botocore.session

    # Share the base session's model loader: each session otherwise parses and keeps its own
    # copy of every service model, which dominates memory with many accounts in flight.
    core = botocore.session.Session()
    core.register_component("data_loader", base._session.get_component("data_loader"))
    return boto3.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name=home,
        botocore_session=core,
    )


def is_selected(options: OrgOptions, account: str) -> bool:
    """The account is one the run was asked for (``--account`` / ``--exclude``)."""
    if options.accounts is not None and account not in options.accounts:
        return False
    return account not in options.exclude


def collect_org(
    options: OrgOptions, org: Organization, base: Any, reporter: Reporter | None = None
) -> Iterator[AccountOutcome]:
    """Collect every selected member in parallel; yields each account as it finishes.

    The management account is collected with the caller's own session; members through the
    assumed role. A failure (role missing, assumption denied, identity unreadable) becomes a
    ``failed`` outcome and the other accounts go on.
    """
    services = tuple(s for s in options.base.services if s != "organizations")
    todo: list[tuple[str, str]] = []
    for m in sorted(org.members, key=lambda m: str(m["Id"])):
        acct, name = str(m["Id"]), str(m.get("Name") or m["Id"])
        if not is_selected(options, acct):
            continue
        if acct in options.skip:
            yield AccountOutcome(acct, name, "skipped", "finished in the interrupted run")
            continue
        if m.get("Status", "ACTIVE") != "ACTIVE":
            yield AccountOutcome(acct, name, "skipped", f"account status {m.get('Status')}")
            continue
        todo.append((acct, name))

    sts = base.client(
        "sts",
        region_name=base.region_name or "us-east-1",
        config=client_config(options.base.max_attempts),
    )

    def one(acct: str, name: str) -> AccountOutcome:
        began = time.perf_counter()
        session = base
        if acct != org.management:
            try:
                session = assume_session(
                    base, acct, options.role, options.session_name, options.external_id, sts
                )
            except Exception as exc:  # one account must never stop the others
                why = f"cannot assume {options.role}: {_client_error_text(exc)}"
                return AccountOutcome(
                    acct, name, "failed", why[:400], None, time.perf_counter() - began
                )
        opts = replace(
            options.base, session=session, services=services, max_workers=options.inner_workers
        )
        try:
            result = collect(opts, reporter=reporter)
        except Exception as exc:
            why = _client_error_text(exc)[:400]
            return AccountOutcome(acct, name, "failed", why, None, time.perf_counter() - began)
        if result.account_id != acct:
            return AccountOutcome(
                acct,
                name,
                "failed",
                f"the assumed session belongs to account {result.account_id}, not {acct}",
                None,
                time.perf_counter() - began,
            )
        result.documents.extend(org.documents_for(acct))
        result.documents.sort(key=lambda d: d.key)
        return AccountOutcome(acct, name, "collected", "", result, time.perf_counter() - began)

    yield from run_pool(todo, lambda item: one(*item), options.max_workers)


def collect_profiles(
    profiles: list[str],
    base: CollectOptions,
    max_workers: int,
    skip: set[str] | None = None,
    reporter: Reporter | None = None,
) -> Iterator[AccountOutcome]:
    """One named profile per account, in parallel; a broken profile is a failed outcome."""

    def one(profile: str) -> AccountOutcome:
        began = time.perf_counter()
        try:
            opts = replace(base, session=make_session(profile), profile=profile)
            result = collect(opts, reporter=reporter)
        except Exception as exc:
            return AccountOutcome(
                f"profile:{profile}",
                profile,
                "failed",
                _client_error_text(exc)[:400],
                None,
                time.perf_counter() - began,
            )
        if skip and result.account_id in skip:
            return AccountOutcome(result.account_id, profile, "skipped", "finished earlier")
        return AccountOutcome(
            result.account_id, profile, "collected", "", result, time.perf_counter() - began
        )

    yield from run_pool(profiles, one, max_workers)
