"""``aispm collect azure`` and ``aispm import azure-resource-graph``."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import click

from aispm_graph.cli.errors import UserError
from aispm_graph.cli.groups import App, collect, import_, option_format, pass_app
from aispm_graph.cli.progress import progress_reporter
from aispm_graph.cli.progress import wanted as bars_shown
from aispm_graph.providers.coverage import Coverage, render_coverage
from aispm_graph.textsafe import clean_line, safe

GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")


@collect.command("azure")
@click.option(
    "--subscription",
    "subscriptions",
    multiple=True,
    help="Subscription id to collect (repeat for several).",
)
@click.option(
    "--all-subscriptions",
    is_flag=True,
    help="Collect every subscription the credential can see, in parallel.",
)
@click.option(
    "--max-workers",
    default=4,
    show_default=True,
    type=click.IntRange(1, 32),
    help="Subscriptions collected at once.",
)
@click.option(
    "--arm-endpoint",
    default="https://management.azure.com",
    show_default=True,
    help="Azure Resource Manager endpoint (sovereign clouds, or a local replay server).",
)
@click.option(
    "--graph-endpoint",
    default="https://graph.microsoft.com",
    show_default=True,
    help="Microsoft Graph endpoint (sovereign clouds, or a local replay server).",
)
@click.option(
    "--foundry-endpoint",
    default=None,
    help="Replaces the host of every Foundry project's data-plane endpoint (agents): a "
    "private endpoint or a local replay server. Default: each project's own "
    "https://<account>.services.ai.azure.com host.",
)
@click.option(
    "--tenant/--no-tenant",
    "tenant_wide",
    default=True,
    show_default=True,
    help="Also read the management-group hierarchy and its role assignments (ARM) and the "
    "principals behind role assignments (Microsoft Graph).",
)
@click.option(
    "--retries", default=5, show_default=True, help="Retries on 429/503 (honours Retry-After)."
)
@click.option(
    "--resume",
    is_flag=True,
    help="Skip the subscriptions an interrupted (or partly failed) run already stored.",
)
@option_format("table", "json")
@pass_app
def collect_azure(
    app: App,
    subscriptions: tuple[str, ...],
    all_subscriptions: bool,
    max_workers: int,
    arm_endpoint: str,
    graph_endpoint: str,
    foundry_endpoint: str | None,
    tenant_wide: bool,
    retries: int,
    resume: bool,
    fmt: str,
) -> None:
    """Collect Azure OpenAI / AI Foundry / Azure ML, network, identity and RBAC resources.

    Credentials: the bearer token in AISPM_AZURE_TOKEN if set, else DefaultAzureCredential
    (environment, workload identity, managed identity, Azure CLI, ...); for Microsoft Graph,
    AISPM_AZURE_GRAPH_TOKEN if set, else the same credential. Never collects keys or
    connection secrets.
    """
    from aispm_graph.estate.azure import collect_azure_estate
    from aispm_graph.providers.azure.collect import (
        AzureCollectError,
        AzureCollector,
        credential_from_env,
        graph_credential_from_env,
    )

    if all_subscriptions and subscriptions:
        raise UserError("--subscription and --all-subscriptions are alternatives; pass one")
    if not all_subscriptions and not subscriptions:
        raise UserError("pass --subscription ID (repeatable) or --all-subscriptions")
    bad = [s for s in subscriptions if not GUID.match(s.strip())]
    if bad:
        raise UserError(f"--subscription {bad[0]!r}: not a subscription id (a GUID)")
    try:
        collector = AzureCollector(
            credential_from_env(dict(os.environ)),
            arm_endpoint,
            retry_total=retries,
            # Lines per read where no bar shows the run (logs, CI); the bars otherwise.
            progress=None if app.quiet or bars_shown(app, fmt) else app.info,
            graph_endpoint=graph_endpoint,
            graph_credential=graph_credential_from_env(dict(os.environ)),
            foundry_endpoint=foundry_endpoint,
        )
        wanted = [s.strip().lower() for s in subscriptions]
        if all_subscriptions:
            wanted = [str(s["subscriptionId"]).lower() for s in collector.list_subscriptions()]
            if not wanted:
                raise UserError("the credential sees no enabled subscription")
    except AzureCollectError as exc:
        raise UserError(str(exc)) from None
    mode = "all-subscriptions" if all_subscriptions else "subscriptions"
    try:
        with progress_reporter(app, fmt) as reporter:
            estate = collect_azure_estate(
                app.workspace,
                collector,
                wanted,
                mode=mode,
                resume=resume,
                tenant_wide=tenant_wide,
                max_workers=max_workers,
                reporter=reporter,
                log=app.info,
            )
    except AzureCollectError as exc:
        raise UserError(str(exc)) from None
    collected, skipped, failed, tenant = (
        estate.collected,
        estate.skipped,
        estate.failed,
        estate.tenant,
    )
    if fmt == "json":
        payload: dict[str, Any] = {
            "schema_version": 1,
            "snapshot": estate.snapshot,
            "run": estate.run,
            "subscriptions": collected,
            "skipped": skipped,
            "failed": [{"subscription": sub, "reason": why} for sub, why in failed],
        }
        if tenant is not None:
            payload["tenant"] = {
                "scope": tenant["subscription"],
                "documents": tenant["documents"],
                "coverage": tenant["coverage"],
            }
        click.echo(json.dumps(payload, indent=2))
        return
    rows = [("subscription", r) for r in collected]
    if tenant is not None:
        rows.append(("tenant", tenant))
    for what, row in rows:
        table = render_coverage(
            [Coverage.from_dict(c) for c in row["coverage"]],
            f"Azure coverage: {what} {row['subscription']}",
            service="resource type",
        )
        app.console.print(table)
        gaps = [c for c in row["coverage"] if c["status"] != "ok"]
        app.console.print(
            f"{row['documents']} resources collected into snapshot {estate.snapshot}"
            + (f"; {len(gaps)} resource type(s) not covered" if gaps else ""),
            markup=False,
        )
    if skipped:
        app.console.print(f"{len(skipped)} subscription(s) skipped: stored by run {estate.run}")
    for sub, why in failed:
        app.console.print(f"[red]subscription {safe(sub)} not collected[/]: {safe(why)}")


@import_.command("azure-resource-graph")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@pass_app
def import_resource_graph(app: App, files: tuple[Path, ...]) -> None:
    """Import Azure Resource Graph exports (the JSON 'az graph query -o json' writes)."""
    from aispm_graph.providers.azure.resource_graph import ResourceGraphError, parse_resource_graph

    parsed = []
    for path in files:
        if not path.is_file():
            raise UserError(f"{path}: no such file")
        try:
            parsed.append((path, *parse_resource_graph(path, f"resource-graph-{path.name}")))
        except ResourceGraphError as exc:
            raise UserError(str(exc)) from None
    snapshot = app.workspace.open_for_write()
    for path, docs, warnings in parsed:
        for warning in warnings:
            click.echo(f"aispm: warning: {clean_line(warning)}", err=True)
        snapshot.put_source(
            "azure",
            f"resource-graph-{path.name}",
            docs,
            meta={"input_file": str(path), "skipped_rows": len(warnings)},
        )
        app.info(f"{path}: {len(docs)} resources imported ({len(warnings)} rows skipped)")
