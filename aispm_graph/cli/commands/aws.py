"""``aispm collect aws``: collect one AWS account into the workspace snapshot."""

from __future__ import annotations

import json

import click

from aispm_graph.cli.aws_estate import EstateRequest, run_estate
from aispm_graph.cli.errors import UserError
from aispm_graph.cli.extras import require
from aispm_graph.cli.groups import App, collect, option_format, pass_app
from aispm_graph.cli.progress import progress_reporter
from aispm_graph.cli.progress import wanted as bars_shown
from aispm_graph.estate.incremental import previous_loader, source_meta
from aispm_graph.providers.aws.collect import SERVICES, CollectError, CollectOptions
from aispm_graph.providers.aws.collect import collect as collect_aws
from aispm_graph.providers.coverage import render_coverage
from aispm_graph.textsafe import safe

# Without these the graph has no identities, so attack paths would be silently missing.
ESSENTIAL = {"iam"}


def _split(value: str | None) -> list[str] | None:
    if not value:
        return None
    return [v.strip() for v in value.split(",") if v.strip()]


@collect.command("aws")
@click.option("--profile", help="Named profile of the AWS config (default: the standard chain).")
@click.option(
    "--regions",
    help="'all' (every enabled region) or a comma-separated list; default: the profile's region.",
)
@click.option(
    "--services",
    help=f"Comma-separated services to collect (default: all of {', '.join(SERVICES)}).",
)
@click.option(
    "--best-effort",
    is_flag=True,
    help="Keep the snapshot even when IAM could not be read (the graph will lack identities).",
)
@click.option(
    "--concurrency",
    default=8,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Service x region tasks run at once.",
)
@click.option("--org", is_flag=True, help="Collect every account of the AWS Organization.")
@click.option(
    "--assume-role",
    default="OrganizationAccountAccessRole",
    show_default=True,
    help="With --org: the role assumed in each member account.",
)
@click.option(
    "--external-id-env",
    metavar="VAR",
    help="With --org: name of the environment variable holding the role's external id.",
)
@click.option(
    "--session-name",
    default="aispm-collect",
    show_default=True,
    help="With --org: the role session name (shows in the members' CloudTrail).",
)
@click.option("--accounts", help="With --org: only these account ids (comma-separated).")
@click.option("--exclude-accounts", help="With --org: skip these account ids (comma-separated).")
@click.option(
    "--profiles", help="One named profile per account (comma-separated), instead of --org."
)
@click.option(
    "--max-workers",
    default=4,
    show_default=True,
    type=click.IntRange(1, 64),
    help="With --org / --profiles: accounts collected at once.",
)
@click.option(
    "--resume",
    is_flag=True,
    help="With --org / --profiles: skip the accounts an interrupted run already stored.",
)
@click.option(
    "--incremental",
    is_flag=True,
    help="Re-collect only the services and regions CloudTrail shows write events for since "
    "the account's last collect in this workspace; reuse the rest (needs "
    "cloudtrail:LookupEvents; anything in doubt is collected again).",
)
@option_format("table", "json")
@pass_app
def collect_aws_cmd(
    app: App,
    profile: str | None,
    regions: str | None,
    services: str | None,
    best_effort: bool,
    concurrency: int,
    org: bool,
    assume_role: str,
    external_id_env: str | None,
    session_name: str,
    accounts: str | None,
    exclude_accounts: str | None,
    profiles: str | None,
    max_workers: int,
    resume: bool,
    incremental: bool,
    fmt: str,
) -> None:
    """Collect an AWS account (credentials and endpoints from the standard boto3 chain).

    Denied or unsupported services are recorded in the coverage table and the run goes on.
    """
    require("boto3", "aws", "boto3 (the AWS SDK)")
    wanted = tuple(_split(services) or SERVICES)
    options = CollectOptions(
        profile=profile,
        regions=_split(regions),
        services=wanted,
        max_workers=concurrency,
        previous=previous_loader(app.workspace) if incremental else None,
    )
    if org and profiles:
        raise UserError("--org and --profiles are alternatives; pass one")
    estate_only = {
        "--accounts": accounts,
        "--exclude-accounts": exclude_accounts,
        "--external-id-env": external_id_env,
        "--resume": resume,
    }
    if not (org or profiles):
        used = [k for k, v in estate_only.items() if v]
        if used:
            raise UserError(f"{', '.join(used)} need(s) --org or --profiles")
    if org or profiles:
        if profiles and (accounts or exclude_accounts or external_id_env):
            raise UserError("--accounts, --exclude-accounts and --external-id-env need --org")
        run_estate(
            app,
            EstateRequest(
                org=org,
                profiles=_split(profiles),
                role=assume_role,
                external_id_env=external_id_env,
                session_name=session_name,
                accounts=_split(accounts),
                exclude=_split(exclude_accounts),
                max_workers=max_workers,
                resume=resume,
            ),
            options,
            fmt,
        )
        return
    try:
        with progress_reporter(app, fmt) as reporter:
            # Lines per (service, region) where no bar shows them (logs, CI); bars otherwise.
            lines = None if app.quiet or bars_shown(app, fmt) else app.info
            result = collect_aws(options, progress=lines, reporter=reporter)
    except CollectError as exc:
        raise UserError(str(exc)) from None
    table = result.coverage_table()
    # IAM refused or failed entirely: no principals, no paths. (Partial IAM, e.g. access keys
    # refused, still has every principal and policy.)
    broken = [c for c in table if c["service"] in ESSENTIAL and c["status"] in ("denied", "failed")]
    if broken and not best_effort:
        raise UserError(
            "IAM could not be collected ("
            + "; ".join(f"{c['status']}: {', '.join(c['errors'][:2])}" for c in broken)
            + "); attack paths would be missing. Fix the permissions or pass --best-effort"
        )
    snapshot = app.workspace.open_for_write()
    snapshot.put_source(
        "aws",
        result.account_id,
        result.documents,
        meta=source_meta(result),
    )
    summary = {
        "account": result.account_id,
        "caller": result.caller_arn,
        "regions": result.regions,
        "documents": len(result.documents),
        "seconds": round(result.seconds, 2),
        "snapshot": snapshot.id,
        "coverage": table,
        "incremental": result.incremental,
    }
    if fmt == "json":
        click.echo(json.dumps(summary, indent=2))
        return
    out = render_coverage(
        sorted(result.coverage, key=lambda c: (c.service, c.scope)),
        f"AWS account {result.account_id}: coverage",
        scope="region",
    )
    app.console.print(out)
    if result.incremental is not None:
        inc = result.incremental
        if inc["mode"] == "full":
            app.console.print(f"[yellow]full collect:[/] {safe(inc['reason'])}")
        else:
            app.console.print(
                f"incremental since {inc['since']}: {len(inc['reused'])} task(s) reused, "
                f"{len(inc['collected'])} collected again"
            )
    app.console.print(
        f"{len(result.documents)} documents from {len(result.regions)} region(s) in "
        f"{result.seconds:.1f}s into snapshot {snapshot.id}",
        markup=False,
    )
