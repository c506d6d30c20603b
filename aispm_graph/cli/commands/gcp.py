"""``collect gcp`` (Cloud Asset Inventory) and ``import gcp-asset-export`` (offline NDJSON).

Both write raw asset records into the workspace snapshot under the ``gcp`` source; the same
transform builds them. The collector prints a coverage table (and puts it in the JSON output
and the snapshot manifest) so a permission gap is visible rather than a silently thin graph.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import click

from aispm_graph.cli.errors import UserError
from aispm_graph.cli.extras import require
from aispm_graph.cli.groups import App, collect, import_, option_format, pass_app
from aispm_graph.cli.progress import progress_reporter
from aispm_graph.progress import task
from aispm_graph.providers.coverage import render_coverage
from aispm_graph.providers.gcp.assets import ASSET_TYPES, AssetRecordError, read_export
from aispm_graph.providers.gcp.collect import CollectError
from aispm_graph.providers.gcp.result import GROUP_MEMBERS, SUBRESOURCES
from aispm_graph.workspace import Document

MAX_EXPORT_BYTES = 2 * 1024**3


@collect.command("gcp")
@click.option(
    "--scope",
    required=True,
    help="projects/PROJECT_ID, folders/FOLDER_NUMBER or organizations/ORG_NUMBER.",
)
@click.option(
    "--api-endpoint",
    default=None,
    metavar="URL",
    help="Cloud Asset API endpoint (default cloudasset.googleapis.com); plain http:// only "
    "to a loopback replay server, so the access token never crosses the network readable.",
)
@click.option(
    "--orgpolicy-endpoint",
    default=None,
    metavar="URL",
    help="Org Policy API endpoint for the effective organisation policies (default "
    "orgpolicy.googleapis.com, or the --api-endpoint URL when that is given).",
)
@click.option(
    "--effective-policies/--no-effective-policies",
    default=True,
    help="Read the effective organisation policy of each watched constraint for every "
    "project (four Org Policy API calls per project; on by default).",
)
@click.option(
    "--cloudidentity-endpoint",
    default=None,
    metavar="URL",
    help="Cloud Identity API endpoint for group membership (default "
    "cloudidentity.googleapis.com, or the --api-endpoint URL when that is given).",
)
@click.option(
    "--groups/--no-groups",
    default=True,
    help="Read the transitive members of every group bound in a collected IAM policy "
    "(Cloud Identity Groups API; on by default), so a role bound to a group reaches them.",
)
@click.option(
    "--dialogflow-endpoint",
    default=None,
    metavar="URL",
    help="Endpoint for the sub-resources read per parent: Dialogflow CX agents' webhooks "
    "and Vertex AI RAG corpora's files (default: each parent's regional host, "
    "LOCATION-dialogflow / LOCATION-aiplatform.googleapis.com, or the --api-endpoint URL "
    "when that is given).",
)
@click.option(
    "--asset-type",
    "asset_types",
    multiple=True,
    metavar="TYPE",
    help="Asset type to list (repeatable; regular expressions allowed). Default: the AI "
    "attack-surface set.",
)
@option_format("table", "json")
@pass_app
def collect_gcp(
    app: App,
    scope: str,
    api_endpoint: str | None,
    orgpolicy_endpoint: str | None,
    effective_policies: bool,
    cloudidentity_endpoint: str | None,
    groups: bool,
    dialogflow_endpoint: str | None,
    asset_types: tuple[str, ...],
    fmt: str,
) -> None:
    """Collect a GCP project, folder or organization through Cloud Asset Inventory.

    Organisation policies are listed too, and the effective policy of each watched
    constraint is read for every project (Org Policy API), so what an uncollected ancestor
    enforces still counts. The members of every group bound in an IAM policy are read from
    the Cloud Identity Groups API (Groups Reader), so a role bound to a group reaches the
    service accounts and users in it. The webhooks of every Dialogflow CX agent and the files of
    every Vertex AI RAG corpus are read from their APIs (dialogflow.webhooks.list,
    aiplatform.ragFiles.list). Credentials: GOOGLE_OAUTH_ACCESS_TOKEN (gcloud auth
    print-access-token) or Application Default Credentials. Needs roles/cloudasset.viewer
    and roles/orgpolicy.policyViewer on the scope; what the caller may not read is reported
    as a coverage gap and the run continues.
    """
    from aispm_graph.providers.gcp.collect import collect as run_collect

    require("google.cloud.asset_v1", "gcp", "google-cloud-asset (the GCP SDK)")

    try:
        with (
            progress_reporter(app, fmt) as reporter,
            task(reporter, f"GCP {scope}") as step,
        ):
            result = run_collect(
                scope,
                api_endpoint=api_endpoint,
                asset_types=asset_types or ASSET_TYPES,
                orgpolicy_endpoint=orgpolicy_endpoint or api_endpoint,
                effective=effective_policies,
                groups=groups,
                cloudidentity_endpoint=cloudidentity_endpoint or api_endpoint,
                dialogflow_endpoint=dialogflow_endpoint or api_endpoint,
                progress=lambda what: step.update(detail=what),
                reporter=reporter,
            )
    except CollectError as exc:
        raise UserError(str(exc)) from None
    snap = app.workspace.open_for_write()
    meta = {
        "coverage": result.coverage_json(),
        "api_endpoint": api_endpoint or "cloudasset.googleapis.com",
        "orgpolicy_endpoint": orgpolicy_endpoint or api_endpoint or "orgpolicy.googleapis.com",
        "cloudidentity_endpoint": cloudidentity_endpoint
        or api_endpoint
        or "cloudidentity.googleapis.com",
        "dialogflow_endpoint": dialogflow_endpoint
        or api_endpoint
        or "regional dialogflow / aiplatform hosts",
        "gaps": len(result.gaps),
    }
    snap.put_source("gcp", scope, result.documents, meta)
    for warning in result.warnings:
        app.info(f"warning: {warning}")
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "scope": scope,
                    "snapshot": snap.id,
                    "assets": result.asset_count,
                    "effective_org_policies": result.effective_policy_count,
                    "group_members": result.group_member_count,
                    "dialogflow_webhooks": result.webhook_count,
                    "rag_files": result.rag_file_count,
                    "documents": len(result.documents),
                    "coverage": result.coverage_json(),
                    "gaps": [g.service + " " + g.scope for g in result.gaps],
                },
                indent=2,
            )
        )
        return
    listings = [c for c in result.coverage if c.scope not in (GROUP_MEMBERS, *SUBRESOURCES)]
    app.console.print(
        render_coverage(
            listings,
            f"Cloud Asset Inventory coverage: {scope}",
            service="asset type",
            scope="content",
        )
    )
    member_rows = [c for c in result.coverage if c.scope == GROUP_MEMBERS]
    if member_rows:
        app.console.print(
            render_coverage(member_rows, "Group membership (Cloud Identity)", service="group")
        )
    sub_rows = [c for c in result.coverage if c.scope in SUBRESOURCES]
    if sub_rows:
        app.console.print(
            render_coverage(
                sub_rows,
                "Sub-resources (Dialogflow webhooks, Vertex AI RAG files)",
                service="parent",
                scope="what",
            )
        )
    gaps = len(result.gaps)
    click.echo(
        f"collected {result.asset_count} asset records and "
        f"{result.effective_policy_count} effective organisation policies and "
        f"{result.group_member_count} group memberships from {scope} into "
        f"snapshot {snap.id}"
        + (f"; {gaps} coverage gap(s), see the table" if gaps else "")
        + "; run 'aispm build'"
    )


@import_.command("gcp-asset-export")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@pass_app
def import_gcp_asset_export(app: App, files: tuple[Path, ...]) -> None:
    """Import `gcloud asset export` output (newline-delimited JSON, one asset per line).

    Every file is read and checked before anything is written: one bad line changes nothing
    and the error names the file, the line and the field.
    """
    parsed: list[tuple[Path, str, list[Document]]] = []
    for path in files:
        if path.stat().st_size > MAX_EXPORT_BYTES:
            raise UserError(f"{path}: larger than {MAX_EXPORT_BYTES // 2**20} MiB")
        try:
            records = [rec for _line, rec in read_export(path)]
        except AssetRecordError as exc:
            raise UserError(str(exc)) from None
        except OSError as exc:
            raise UserError(f"{path}: cannot read: {exc.strerror or exc}") from None
        if not records:
            raise UserError(f"{path}: no asset records")
        digest = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:10]
        scope = f"export-{path.name}-{digest}"
        parsed.append((path, scope, [Document("gcp", scope, path.name, {"assets": records})]))
    snap = app.workspace.open_for_write()
    total = 0
    for path, scope, docs in parsed:
        count = len(docs[0].body["assets"])
        total += count
        snap.put_source("gcp", scope, docs, {"input": str(path), "assets": count})
    app.info(
        f"imported {total} asset records from {len(parsed)} file(s) into snapshot {snap.id}; "
        "run 'aispm build'"
    )
