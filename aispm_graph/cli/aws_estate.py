"""``aispm collect aws --org`` / ``--profiles``: many accounts into one snapshot, resumably.

Each account is written to the snapshot as its own source scope the moment it finishes
(``put_source`` replaces only that account, so a re-collect of one account never touches the
others, and stale resources disappear per account); the run file and ``--resume`` are
:mod:`aispm_graph.cli.estate_run`'s.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

import click
from rich.text import Text

from aispm_graph.cli.aws_incremental import source_meta
from aispm_graph.cli.errors import UserError
from aispm_graph.cli.estate_run import EstateRun
from aispm_graph.cli.groups import App
from aispm_graph.cli.progress import progress_reporter
from aispm_graph.progress import task
from aispm_graph.providers.aws.collect import CollectError, CollectOptions, make_session
from aispm_graph.providers.aws.org import (
    AccountOutcome,
    OrgOptions,
    collect_org,
    collect_profiles,
    is_selected,
    read_organization,
)
from aispm_graph.textsafe import SafeTable, safe


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
    if not var:
        return None
    value = os.environ.get(var)
    if not value:
        raise UserError(f"--external-id-env {var}: the environment variable is not set")
    return value


def run_estate(app: App, req: EstateRequest, base: CollectOptions, fmt: str) -> None:
    """Collect the estate, store each account, print the per-account coverage table."""
    mode = "org" if req.org else "profiles"
    org_coverage: list[dict[str, Any]] = []
    run = EstateRun.start(app, "aws", mode, req.resume, "account")
    skip = run.done
    state = run.state
    with progress_reporter(app, fmt) as reporter:
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
            raise UserError(str(exc)) from None
        snapshot = app.workspace.open_for_write()
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
                app.info(f"account {out.account} ({out.name}): {out.status} {out.reason}".rstrip())
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
    if fmt == "json":
        click.echo(json.dumps(summary, indent=2))
    else:
        table = SafeTable(title=f"AWS estate ({mode}): per-account coverage")
        for col in ("account", "name", "status", "documents", "detail"):
            table.add_column(col)
        for r in rows:
            style = {"collected": "green", "skipped": "cyan", "failed": "red"}[r["status"]]
            detail = r["reason"] or "; ".join(r["not_collected"][:3])
            inc = r.get("incremental") or {}
            if inc.get("mode") == "incremental":
                detail = f"{r['reused']} task(s) unchanged, reused; {detail}".rstrip("; ")
            elif inc.get("mode") == "full" and r["status"] == "collected":
                detail = f"full collect: {inc.get('reason')}; {detail}".rstrip("; ")
            table.add_row(
                r["account"],
                r["name"],
                Text(r["status"], style=style),
                str(r["documents"]),
                detail,
            )
        app.console.print(table)
        for c in org_coverage:
            if c["status"] != "ok":
                app.console.print(
                    f"[yellow]organization policies: {safe(c['status'])}[/] "
                    + safe("; ".join(c["errors"][:3]))
                )
        app.console.print(
            f"{summary['collected']} collected, {summary['failed']} failed, "
            f"{summary['skipped']} skipped into snapshot {snapshot.id}",
            markup=False,
        )
    if rows and len(failed) == len(rows):
        raise UserError("no account could be collected: " + failed[0]["reason"])


def _store(snapshot: Any, out: AccountOutcome, state: dict[str, Any]) -> None:
    result = out.result
    assert result is not None
    snapshot.put_source(
        "aws",
        result.account_id,
        result.documents,
        meta=source_meta(result, account_name=out.name, estate_run=state["run"]),
    )
