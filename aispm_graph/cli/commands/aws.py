"""``aispm collect aws``: collect one AWS account into the workspace snapshot."""

from __future__ import annotations

import json

import click
from rich.table import Table

from aispm_graph.cli.errors import UserError
from aispm_graph.cli.groups import App, collect, pass_app
from aispm_graph.providers.aws.collect import SERVICES, CollectError, CollectOptions
from aispm_graph.providers.aws.collect import collect as collect_aws

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
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="Output format.",
)
@pass_app
def collect_aws_cmd(
    app: App,
    profile: str | None,
    regions: str | None,
    services: str | None,
    best_effort: bool,
    concurrency: int,
    fmt: str,
) -> None:
    """Collect an AWS account (credentials and endpoints from the standard boto3 chain).

    Denied or unsupported services are recorded in the coverage table and the run goes on.
    """
    wanted = tuple(_split(services) or SERVICES)
    options = CollectOptions(
        profile=profile, regions=_split(regions), services=wanted, max_workers=concurrency
    )
    try:
        result = collect_aws(options, progress=None if app.quiet else app.info)
    except CollectError as exc:
        raise UserError(str(exc)) from None
    table = result.coverage_table()
    broken = [c for c in table if c["service"] in ESSENTIAL and c["status"] != "collected"]
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
        meta={"coverage": table, "regions": result.regions, "caller": result.caller_arn},
    )
    summary = {
        "account": result.account_id,
        "caller": result.caller_arn,
        "regions": result.regions,
        "documents": len(result.documents),
        "seconds": round(result.seconds, 2),
        "snapshot": snapshot.id,
        "coverage": table,
    }
    if fmt == "json":
        click.echo(json.dumps(summary, indent=2))
        return
    out = Table(title=f"AWS account {result.account_id}: coverage")
    for col in ("service", "region", "status", "calls", "detail"):
        out.add_column(col)
    for c in table:
        style = {"collected": "green", "denied": "yellow", "failed": "red"}[c["status"]]
        out.add_row(
            c["service"],
            c["region"],
            f"[{style}]{c['status']}[/]",
            str(c["calls"]),
            "; ".join(c["errors"][:2]),
        )
    app.console.print(out)
    app.console.print(
        f"{len(result.documents)} documents from {len(result.regions)} region(s) in "
        f"{result.seconds:.1f}s into snapshot {snapshot.id}"
    )
