"""``aispm import mcp``: MCP client configurations and saved ``tools/list`` answers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from aispm_graph.cli.errors import UserError
from aispm_graph.cli.groups import App, import_, pass_app
from aispm_graph.mcp.clients import CLIENT_NAMES, parse_config
from aispm_graph.mcp.jsonc import InputError, loads
from aispm_graph.mcp.tools import parse_tools, tool_list
from aispm_graph.transforms.sbom import document_scope
from aispm_graph.workspace import Document


def _read(path: Path) -> Any:
    try:
        with path.open("rb") as fh:
            raw = fh.read(8 * 1024 * 1024 + 1)
    except OSError as exc:
        raise UserError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        return loads(raw, str(path))
    except InputError as exc:
        raise UserError(str(exc)) from None


def _tool_options(values: tuple[str, ...]) -> dict[str, Path]:
    out: dict[str, Path] = {}
    for v in values:
        name, sep, file = v.partition("=")
        if not sep or not name or not file:
            raise UserError(f"--tools {v!r}: expected SERVER=FILE (a saved tools/list answer)")
        path = Path(file)
        if not path.is_file():
            raise UserError(f"--tools {name}: {file}: no such file")
        out[name] = path
    return out


@import_.command("mcp")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--tools",
    "tools",
    multiple=True,
    metavar="SERVER=FILE",
    help="A saved tools/list answer of the named server (repeat per server).",
)
@click.option(
    "--client",
    type=click.Choice(sorted(CLIENT_NAMES)),
    default=None,
    help="The client the files belong to, when the file name does not say (default: detect).",
)
@pass_app
def import_mcp(
    app: App, files: tuple[Path, ...], tools: tuple[str, ...], client: str | None
) -> None:
    """MCP client configurations: Claude Desktop, Claude Code, Cursor, VS Code, Windsurf.

    The format is detected from the file. Only names are stored: environment and header
    values, URL query strings and secret-looking arguments are dropped on reading.
    """
    tool_files = _tool_options(tools)
    parsed = []
    for path in files:
        try:
            cfg = parse_config(_read(path), str(path), client)
        except InputError as exc:
            raise UserError(str(exc)) from None
        parsed.append((path, cfg))
    names = {s["name"] for _p, c in parsed for s in c.servers}
    unknown = sorted(set(tool_files) - names)
    if unknown:
        raise UserError(
            f"--tools {unknown[0]}: no server of that name in {', '.join(map(str, files))}"
        )
    answers = {name: (path, _read(path)) for name, path in sorted(tool_files.items())}
    # Shadowing checks need every other server's name and tool names first.
    tool_names: dict[str, set[str]] = {}
    for name, (path, doc) in answers.items():
        try:
            tool_names[name] = {
                t["name"]
                for t in tool_list(doc, str(path))
                if isinstance(t, dict) and isinstance(t.get("name"), str)
            }
        except InputError as exc:
            raise UserError(str(exc)) from None
    listed: dict[str, list[dict[str, Any]]] = {}
    warnings: list[str] = []
    for name, (path, doc) in answers.items():
        others = (names - {name}).union(*(v for k, v in tool_names.items() if k != name))
        found, warns = parse_tools(doc, str(path), others)
        listed[name] = found
        warnings += warns
    snap = app.workspace.open_for_write()
    for path, cfg in parsed:
        file = str(path.resolve())
        body = {
            "file": file,
            "client": cfg.client,
            "servers": cfg.servers,
            "tools": {s["name"]: listed[s["name"]] for s in cfg.servers if s["name"] in listed},
            "warnings": cfg.warnings,
        }
        scope = document_scope(file)
        snap.put_source("mcp", scope, [Document("mcp", scope, path.name, body)], {"input": file})
        secrets = sum(
            1
            for s in cfg.servers
            for v in s.get("env", []) + s.get("headers", [])
            if v.get("literal_secret")
        )
        app.info(
            f"imported {path}: {CLIENT_NAMES.get(cfg.client, cfg.client)} configuration, "
            f"{len(cfg.servers)} server(s)"
            + (f", {secrets} secret value(s) in the file (names only kept)" if secrets else "")
        )
    for w in cfg_warnings(parsed) + warnings:
        app.err.print(f"warning: {w}", markup=False, highlight=False)
    app.info("run 'aispm build' to add the agents, servers and tools to the graph")


def cfg_warnings(parsed: list[tuple[Path, Any]]) -> list[str]:
    return [w for _p, c in parsed for w in c.warnings]
