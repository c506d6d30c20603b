"""Vulnerability commands: ``vulndb import``, ``import trivy|grype|cyclonedx|spdx|requirements``,
``vulns``, ``scan-model``; and the CycloneDX format of ``inventory``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from rich.table import Table
from rich.text import Text

from aispm_graph.cli import render
from aispm_graph.cli.errors import GateFailed, UserError
from aispm_graph.cli.groups import App, import_, option_format, pass_app, root
from aispm_graph.cli.progress import progress_reporter
from aispm_graph.progress import track
from aispm_graph.safeload import InputError, clean_str, loads_json
from aispm_graph.textsafe import SafeTable, safe
from aispm_graph.transforms.sbom import document_scope
from aispm_graph.vulns.importers import PARSERS, ReportError
from aispm_graph.vulns.importers.redact import redact_document, redact_text
from aispm_graph.vulns.importers.requirements import detect as detect_requirements
from aispm_graph.vulns.osvdb import VulnDBError, default_db_path, import_into
from aispm_graph.vulns.severity import LEVEL_RANK
from aispm_graph.workspace import Document

MAX_FILE_BYTES = 512 * 1024 * 1024
LEVELS = ["critical", "high", "medium", "low"]


# --- vulndb -----------------------------------------------------------------------------------


@root.group("vulndb")
def vulndb() -> None:
    """The offline OSV vulnerability database (workspace file or $AISPM_VULNDB)."""


@vulndb.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--replace", is_flag=True, help="Drop the records imported before.")
@pass_app
def vulndb_import(app: App, paths: tuple[Path, ...], replace: bool) -> None:
    """Import OSV records: a directory of .json/.yaml files, an OSV zip export or a JSON array."""
    target = default_db_path(app.workspace.root)
    assert target is not None
    try:
        with progress_reporter(app) as reporter:
            rep = import_into(target, list(paths), replace=replace, progress=reporter)
    except VulnDBError as exc:
        raise UserError(str(exc)) from None
    app.info(
        f"vulnerability database {target}: {rep.advisories} advisories from {rep.records} "
        f"records in {rep.files} files ({rep.merged} merged by alias, {rep.withdrawn} withdrawn, "
        f"{len(rep.skipped)} skipped)"
    )
    for s in rep.skipped[:20]:
        app.err.print(f"[yellow]warning:[/yellow] skipped {safe(s)}", markup=True, highlight=False)


@vulndb.command("info")
@option_format("table", "json")
@pass_app
def vulndb_info(app: App, fmt: str) -> None:
    """Which database matching uses, and how many advisories it holds."""
    from aispm_graph.vulns.osvdb import open_default

    try:
        db = open_default(app.workspace.root)
    except VulnDBError as exc:
        raise UserError(str(exc)) from None
    info = {"database": db.description, **db.meta(), "advisories": db.count()}
    if fmt == "json":
        render.print_json(app.console, info)
    else:
        for k, v in info.items():
            app.console.print(f"{k}: {v}", markup=False, highlight=False)


# --- import <scanner/sbom> ---------------------------------------------------------------------


def _read(path: Path, as_text: bool) -> Any:
    where = str(path)
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise UserError(f"{where}: larger than {MAX_FILE_BYTES // 2**20} MiB")
        raw = path.read_bytes()
    except OSError as exc:
        raise UserError(f"{where}: cannot read: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UserError(f"{where}: not UTF-8 text") from None
    if as_text:
        return clean_str(text)
    try:
        return loads_json(text, where)
    except InputError as exc:
        raise UserError(str(exc)) from None


def import_reports(app: App, fmt: str, files: tuple[Path, ...], attach: tuple[str, ...]) -> None:
    """Validate every file, then write them all: one bad file writes nothing."""
    parser = PARSERS[fmt]
    staged = []
    for path in files:
        if fmt == "requirements":
            content: Any = {
                "format": detect_requirements(path.name),
                "filename": str(path),
                "text": redact_text(_read(path, as_text=True)),
            }
        else:
            content = redact_document(_read(path, as_text=False))
        try:
            report = parser(content, str(path))
        except ReportError as exc:
            raise UserError(str(exc)) from None
        envelope = {"file": str(path), "format": fmt, "attach": list(attach), "content": content}
        scope = document_scope(str(path.resolve()))
        staged.append((scope, envelope, report, path))
    # All files land in one manifest update: either every file is stored or none is.
    snap = app.workspace.open_for_write()
    snap = snap.put_sources(
        [
            (
                fmt,
                scope,
                [Document(fmt, scope, path.name, envelope)],
                {"input": str(path), "attach": list(attach)},
            )
            for scope, envelope, _report, path in staged
        ]
    )
    for _scope, _envelope, report, path in staged:
        app.info(
            f"imported {path} ({fmt}): {report.subject.kind} {report.subject.name!r}, "
            f"{len(report.packages)} packages, {len(report.vulns)} reported advisories"
            + (f", {len(report.models)} models" if report.models else "")
            + (f", {len(report.datasets)} datasets" if report.datasets else "")
        )
    app.info("run 'aispm build' to match packages and link them to compute")


def _make_import(fmt: str, help_text: str) -> None:
    @import_.command(fmt, help=help_text)
    @click.argument(
        "files",
        nargs=-1,
        required=True,
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
    )
    @click.option(
        "--attach",
        multiple=True,
        metavar="RESOURCE_ID",
        help="Resource (VM, task, function, ...) that runs this image/software.",
    )
    @pass_app
    def _cmd(app: App, files: tuple[Path, ...], attach: tuple[str, ...]) -> None:
        import_reports(app, fmt, files, attach)


_make_import("trivy", "Trivy JSON reports (image, filesystem, repository).")
_make_import("grype", "Grype JSON reports.")
_make_import("cyclonedx", "CycloneDX 1.4-1.7 JSON SBOMs, including ML-BOMs.")
_make_import("spdx", "SPDX 2.3 JSON SBOMs.")
_make_import("requirements", "requirements.txt / pip freeze output, poetry.lock or uv.lock.")


# --- vulns ------------------------------------------------------------------------------------


@root.command("vulns")
@option_format("table", "json")
@click.option(
    "--min-severity",
    type=click.Choice(LEVELS),
    default=None,
    help="Hide advisories below this severity.",
)
@click.option(
    "--fail-on",
    type=click.Choice(LEVELS),
    default=None,
    help="Exit 1 when an advisory at or above this severity affects a resource on an attack path.",
)
@click.option(
    "--snapshot", "snapshot_id", default=None, help="Snapshot id (default: latest built)."
)
@pass_app
def vulns_cmd(
    app: App, fmt: str, min_severity: str | None, fail_on: str | None, snapshot_id: str | None
) -> None:
    """Vulnerable packages: advisory, severity, fix, affected resources, attack-path status."""
    from aispm_graph.analysis.engine import PathOptions
    from aispm_graph.cli.loading import load_built, run_paths
    from aispm_graph.vulns.report import vulnerability_rows

    graph, _meta, snap = load_built(app, snapshot_id)
    result = run_paths(app, graph, PathOptions())
    on_path = {n.id for p in result.paths for n in p.nodes}
    rows = vulnerability_rows(graph, on_path, min_severity)
    if fmt == "json":
        render.print_json(
            app.console, {"schema_version": 1, "snapshot": snap.id, "vulnerabilities": rows}
        )
    else:
        app.console.print(_vulns_table(rows))
        n_path = sum(1 for r in rows if r["on_attack_path"])
        app.console.print(
            f"{len(rows)} vulnerable package/advisory pairs; {n_path} on an attack path"
        )
    if fail_on:
        floor = LEVEL_RANK[fail_on]
        hits = [
            r for r in rows if r["on_attack_path"] and LEVEL_RANK.get(r["severity"], 0) >= floor
        ]
        if hits:
            raise GateFailed(
                f"{len(hits)} advisory(ies) at or above {fail_on} on attack paths "
                f"(--fail-on {fail_on})"
            )


def _vulns_table(rows: list[dict[str, Any]]) -> Table:
    table = SafeTable(title="Vulnerabilities")
    for col in (
        "severity",
        "package",
        "version",
        "advisory",
        "fixed",
        "source",
        "affected",
        "path",
    ):
        table.add_column(col)
    for r in rows:
        affected = ", ".join(a["name"] for a in r["affected"][:3])
        if len(r["affected"]) > 3:
            affected += f" (+{len(r['affected']) - 3})"
        source = "+".join(r["sources"])
        if r.get("disagreement"):
            source += " (!)"
        table.add_row(
            render.level_text(r["severity"]) if r["severity"] in LEVELS else Text(r["severity"]),
            r["package"],
            r["version"],
            r["advisory"] + (f" {r['cve']}" if r.get("cve") else ""),
            r["fixed"] or "-",
            source,
            affected or "-",
            "yes" if r["on_attack_path"] else "no",
        )
    return table


# --- scan-model -------------------------------------------------------------------------------


@root.command("scan-model")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--attach",
    multiple=True,
    metavar="MODEL_ID",
    help="Model node the artifact belongs to (otherwise matched by artifact path).",
)
@click.option("--no-record", is_flag=True, help="Do not record findings in the workspace.")
@option_format("table", "json")
@click.option("--fail-on-unsafe", is_flag=True, help="Exit 1 when any file is unsafe.")
@pass_app
def scan_model(
    app: App,
    paths: tuple[Path, ...],
    attach: tuple[str, ...],
    no_record: bool,
    fmt: str,
    fail_on_unsafe: bool,
) -> None:
    """Flag model files whose loading runs code (pickle globals, Keras Lambda layers).

    With --fail-on-unsafe, a file that could not be scanned (unknown or corrupt content)
    fails the gate too: an attacker controls the bytes, so "could not parse" is not "clean".
    """
    from aispm_graph.vulns.modelscan import iter_model_files, scan_file

    files = [f for p in paths for f in iter_model_files(p)]
    if not files:
        raise UserError(f"no model files under {', '.join(map(str, paths))}")
    with progress_reporter(app, fmt) as reporter:
        results = [scan_file(f) for f in track(reporter, files, "scanning model files")]
    out = [r.to_json() for r in results]
    # Record first: whatever the rendering meets, the verdicts are stored and the gate below
    # still sees them.
    if not no_record:
        snap = app.workspace.open_for_write()
        entries = []
        for path, res in zip(files, out, strict=True):
            scope = document_scope(str(path.resolve()))
            doc = Document(
                "modelscan", scope, path.name, {"attach": list(attach), "results": [res]}
            )
            entries.append(("modelscan", scope, [doc], {"input": str(path)}))
        snap.put_sources(entries)
    try:
        _render_scan(app, fmt, results, out)
    finally:
        failing = [r for r in results if r.verdict in {"unsafe", "error"}]
        if fail_on_unsafe and failing:
            n_unsafe = sum(1 for r in failing if r.verdict == "unsafe")
            raise GateFailed(
                f"{n_unsafe} unsafe model file(s), {len(failing) - n_unsafe} that could not be "
                "scanned (--fail-on-unsafe)"
            )


def _render_scan(app: App, fmt: str, results: list[Any], out: list[dict[str, Any]]) -> None:
    if fmt == "json":
        render.print_json(app.console, {"schema_version": 1, "results": out})
    else:
        table = SafeTable(title="Model artifact scan")
        for col in ("verdict", "file", "format", "findings"):
            table.add_column(col)
        for r in results:
            style = {"unsafe": "bold red", "suspicious": "yellow", "error": "magenta"}.get(
                r.verdict, "green"
            )
            detail = "; ".join(f.detail for f in r.findings if f.severity != "info") or (
                r.error or "no code runs on load"
            )
            table.add_row(Text(r.verdict.upper(), style=style), r.path, r.format, detail)
        app.console.print(table)


# --- inventory --format cyclonedx ---------------------------------------------------------------


def _register_cyclonedx() -> None:
    from aispm_graph.cli.commands import analysis
    from aispm_graph.vulns.cyclonedx_export import write_cyclonedx

    analysis.INVENTORY_FORMATS["cyclonedx"] = write_cyclonedx


_register_cyclonedx()
