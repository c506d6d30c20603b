"""``aispm collect aws --org`` / ``--profiles``: the options in, the per-account coverage out.

The orchestration (accounts in parallel, each stored as it finishes, the resumable run file)
is the library's, :func:`aispm_graph.estate.aws.collect_aws_estate`, which the Python API uses
too; this module only renders what it returns.
"""

from __future__ import annotations

import json

import click
from rich.text import Text

from aispm_graph.cli.errors import UserError
from aispm_graph.cli.groups import App
from aispm_graph.cli.progress import progress_reporter
from aispm_graph.estate.aws import EstateRequest, all_failed, collect_aws_estate
from aispm_graph.providers.aws.collect import CollectOptions
from aispm_graph.textsafe import SafeTable, safe

__all__ = ["EstateRequest", "run_estate"]


def run_estate(app: App, req: EstateRequest, base: CollectOptions, fmt: str) -> None:
    """Collect the estate, store each account, print the per-account coverage table."""
    with progress_reporter(app, fmt) as reporter:
        summary = collect_aws_estate(app.workspace, req, base, reporter, app.info)
    mode, rows, org_coverage = summary["mode"], summary["accounts"], summary["organization"]
    snapshot_id = summary["snapshot"]

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
            f"{summary['skipped']} skipped into snapshot {snapshot_id}",
            markup=False,
        )
    why = all_failed(summary)
    if why:
        raise UserError(why)
