"""Many AWS accounts into one snapshot, resumably: an organisation (``--org``) or a list of
profiles (``--profiles``).

Each account is written to the snapshot as its own source scope the moment it finishes
(``put_source`` replaces only that account, so a re-collect of one account never touches the
others, and stale resources disappear per account); the run file and resuming are
:class:`aispm_graph.estate.run.EstateRun`'s. The CLI (``aispm collect aws --org``) and the
Python API call :func:`collect_aws_estate` and only render what it returns.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aispm_graph.estate.incremental import source_meta
from aispm_graph.estate.run import EstateError, EstateRun
from aispm_graph.progress import Reporter, task
from aispm_graph.providers.aws.collect import CollectError, CollectOptions, make_session
from aispm_graph.providers.aws.org import (
    AccountOutcome,
    OrgOptions,
    collect_org,
    collect_profiles,
    is_selected,
    read_organization,
)
from aispm_graph.workspace import Snapshot, Workspace


@dataclass
class EstateRequest:
    org: bool
    profiles: list[str] | None
    role: str
    external_id_env: str | None
    session_name: str
    accounts: list[str] | None
    exclude: list[str] | None
    max_workers: int
    resume: bool


def _external_id(var: str | None) -> str | None:
    """The external id by the *name* of its environment variable, never as a value."""
    if not var:
        return None
    value = os.environ.get(var)
    if not value:
        raise EstateError(f"--external-id-env {var}: the environment variable is not set")
    return value


def collect_aws_estate(
    workspace: Workspace,
    req: EstateRequest,
    base: CollectOptions,
    reporter: Reporter | None = None,
    log: Callable[[str], None] = lambda _message: None,
) -> dict[str, Any]:
    """Collect the estate, store each account as it finishes; the run's summary (the JSON
    ``collect aws --org --format json`` prints): ``run``, ``mode``, ``snapshot``, one row per
    account (sorted), counts, and the coverage of reading the organisation itself.

    Raises :class:`EstateError` when the organisation cannot be read or no account could be
    collected (the summary of a run where only some failed is returned, failures in it).
    """
    mode = "org" if req.org else "profiles"
    org_coverage: list[dict[str, Any]] = []
    run = EstateRun.start(workspace, "aws", mode, req.resume, "account", log)
    skip = run.done
    state = run.state
    try:
        if req.org:
            session = base.session if base.session is not None else make_session(base.profile)
            org = read_organization(session, base.max_attempts)
            options = OrgOptions(
                base=base,
                role=req.role,
                external_id=_external_id(req.external_id_env),
                session_name=req.session_name,
                accounts=set(req.accounts) if req.accounts else None,
                exclude=set(req.exclude or []),
                skip=skip,
                max_workers=req.max_workers,
            )
            outcomes = collect_org(options, org, session, reporter)
            total = sum(is_selected(options, str(m["Id"])) for m in org.members)
            state["management"] = org.management
            org_coverage = org.coverage
        else:
            profiles = req.profiles or []
            outcomes = collect_profiles(profiles, base, req.max_workers, skip, reporter)
            total = len(profiles)
    except CollectError as exc:
        raise EstateError(str(exc)) from None
    snapshot = workspace.open_for_write()
    state["snapshot"] = snapshot.id
    run.save()
    rows: list[dict[str, Any]] = []
    with (
        run.interruptible(snapshot.id, "account"),
        task(reporter, "AWS accounts", total) as bar,
    ):
        for out in outcomes:
            rows.append(out.row())
            if out.status == "collected" and out.result is not None:
                _store(snapshot, out, state)
                run.stored(out.account)
            bar.advance(failed=int(out.status == "failed"))
            bar.update(detail=f"{out.account} {out.status}")
            log(f"account {out.account} ({out.name}): {out.status} {out.reason}".rstrip())
    run.finish()
    rows.sort(key=lambda r: r["account"])
    failed = [r for r in rows if r["status"] == "failed"]
    summary = {
        "run": state["run"],
        "mode": mode,
        "snapshot": snapshot.id,
        "accounts": rows,
        "collected": sum(r["status"] == "collected" for r in rows),
        "failed": len(failed),
        "skipped": sum(r["status"] == "skipped" for r in rows),
        # reading the organisation itself (SCPs, RCPs, OU chains) from the management account
        "organization": org_coverage,
    }
    return summary


def all_failed(summary: dict[str, Any]) -> str | None:
    """Why the run collected nothing, when every account failed (the caller's error)."""
    rows = summary["accounts"]
    failed = [r for r in rows if r["status"] == "failed"]
    if rows and len(failed) == len(rows):
        return "no account could be collected: " + str(failed[0]["reason"])
    return None


def _store(snapshot: Snapshot, out: AccountOutcome, state: dict[str, Any]) -> None:
    result = out.result
    assert result is not None
    snapshot.put_source(
        "aws",
        result.account_id,
        result.documents,
        meta=source_meta(result, account_name=out.name, estate_run=state["run"]),
    )
