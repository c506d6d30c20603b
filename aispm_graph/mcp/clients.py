"""Detect which MCP client a configuration file belongs to and normalise its servers.

Formats (facts from each client's documentation):

* **VS Code** ``mcp.json``: ``{"servers": {name: {"type": "stdio"|"http"|"sse", "command",
  "args", "env", "envFile", "url", "headers"}}, "inputs": [...]}``; in ``settings.json`` the
  same under ``"mcp"``. Comments and trailing commas are allowed.
* **Claude Desktop** ``claude_desktop_config.json``: ``{"mcpServers": {name: {"command",
  "args", "env"}}}``.
* **Claude Code** project ``.mcp.json``: ``mcpServers`` with ``type``, ``url``, ``headers``.
* **Cursor** ``~/.cursor/mcp.json`` or ``.cursor/mcp.json``: ``mcpServers``; remote servers
  with ``url`` and ``headers``.
* **Windsurf** ``~/.codeium/windsurf/mcp_config.json``: ``mcpServers``; remote servers with
  ``serverUrl``.

The result keeps names and verdicts only (see :mod:`.secrets`): no environment or header value,
no query string, no credentials in a URL, no secret-looking argument survives normalisation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from aispm_graph.mcp.jsonc import InputError
from aispm_graph.mcp.packages import package_of
from aispm_graph.mcp.secrets import classify, looks_secret_name, redact_arg

MAX_SERVERS = 500
MAX_ARGS = 256
MAX_VARS = 256
MAX_TEXT = 4096
MAX_NAME = 200

CLIENT_NAMES = {
    "vscode": "VS Code (mcp.json)",
    "vscode-settings": "VS Code (settings.json)",
    "claude-desktop": "Claude Desktop",
    "claude-code": "Claude Code (.mcp.json)",
    "cursor": "Cursor",
    "windsurf": "Windsurf",
    "mcp-servers": "mcpServers format (client not recognised from the file name)",
}


@dataclass
class ParsedConfig:
    client: str
    servers: list[dict[str, Any]]
    warnings: list[str] = field(default_factory=list)


def detect(doc: Any, filename: str) -> str:
    """Which client wrote ``doc`` (read from ``filename``); InputError when none does."""
    where = filename
    if not isinstance(doc, dict):
        raise InputError(f"{where}: top level: expected a JSON object of MCP servers")
    parts = [p.lower() for p in PurePath(filename).parts]
    name = parts[-1] if parts else ""
    if "servers" in doc and isinstance(doc["servers"], dict):
        return "vscode"
    if isinstance(doc.get("mcp"), dict) and isinstance(doc["mcp"].get("servers"), dict):
        return "vscode-settings"
    servers = doc.get("mcpServers")
    if isinstance(servers, dict):
        if name == "claude_desktop_config.json":
            return "claude-desktop"
        if name == ".mcp.json":
            return "claude-code"
        if name == "mcp_config.json" or ".codeium" in parts or "windsurf" in parts:
            return "windsurf"
        if any(isinstance(s, dict) and "serverUrl" in s for s in servers.values()):
            return "windsurf"
        if ".cursor" in parts or name == "mcp.json":
            return "cursor"
        return "mcp-servers"
    raise InputError(
        f"{where}: top level: no 'mcpServers' (Claude Desktop, Cursor, Windsurf), 'servers' "
        "(VS Code mcp.json) or 'mcp.servers' (VS Code settings.json) object"
    )


def _text(value: Any, where: str, *, limit: int = MAX_TEXT) -> str:
    if not isinstance(value, str):
        raise InputError(f"{where}: expected a string, got {type(value).__name__}")
    if len(value) > limit:
        raise InputError(f"{where}: longer than {limit} characters")
    return value


def sanitize_url(raw: str, where: str) -> tuple[str, list[str]]:
    """The URL without credentials or query; findings say what was dropped (never values)."""
    try:
        parts = urlsplit(raw.strip())
    except ValueError as exc:
        raise InputError(f"{where}: not a URL: {exc}") from None
    if parts.scheme.lower() not in {"http", "https", "ws", "wss"} or not parts.hostname:
        raise InputError(f"{where}: not an http(s) URL")
    notes = []
    if parts.username or parts.password:
        notes.append("credentials in the URL")
    if parts.query:
        keys = [kv.split("=", 1)[0] for kv in parts.query.split("&") if kv]
        secret_keys = [k for k in keys if looks_secret_name(k)]
        if secret_keys:
            notes.append(f"credential in the URL query ({', '.join(sorted(secret_keys)[:5])})")
    host = parts.hostname
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme.lower(), netloc, parts.path, "", "")), notes


def _vars(raw: Any, where: str) -> list[dict[str, Any]]:
    if raw is None:
        return []
    if not isinstance(raw, dict):
        raise InputError(f"{where}: expected an object of names to values")
    if len(raw) > MAX_VARS:
        raise InputError(f"{where}: more than {MAX_VARS} entries")
    out = []
    for name in sorted(raw):
        _text(name, f"{where} (a name)", limit=MAX_NAME)
        value = raw[name]
        if value is not None and not isinstance(value, (str, int, float, bool)):
            raise InputError(f"{where}.{name}: expected a string value")
        out.append({"name": name, **classify(name, value if isinstance(value, str) else "")})
    return out


def _server(name: str, raw: Any, where: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise InputError(f"{where}: expected an object")
    kind = raw.get("type", raw.get("transport"))
    url_raw = raw.get("url", raw.get("serverUrl", raw.get("httpUrl")))
    findings: list[str] = []
    server: dict[str, Any] = {"name": name, "disabled": bool(raw.get("disabled", False))}
    if url_raw is not None:
        url, notes = sanitize_url(_text(url_raw, f"{where}.url"), f"{where}.url")
        findings += notes
        transport = str(kind or "").lower()
        if transport not in {"http", "sse", "streamable-http", "streamablehttp"}:
            transport = "sse" if url.rstrip("/").endswith("/sse") else "http"
        server.update(transport="sse" if transport == "sse" else "http", url=url)
        headers = _vars(raw.get("headers"), f"{where}.headers")
        server["headers"] = headers
        oauth = isinstance(raw.get("oauth"), dict) or raw.get("auth") == "oauth"
        if any(h["credential"] for h in headers):
            server["auth"] = "header"
        elif oauth:
            server["auth"] = "oauth"
        else:
            server["auth"] = "not-configured"
    elif raw.get("command") is not None:
        command = _text(raw["command"], f"{where}.command")
        args_raw = raw.get("args", [])
        if not isinstance(args_raw, list):
            raise InputError(f"{where}.args: expected a list of strings")
        if len(args_raw) > MAX_ARGS:
            raise InputError(f"{where}.args: more than {MAX_ARGS} arguments")
        args = [_text(a, f"{where}.args[{i}]") for i, a in enumerate(args_raw)]
        pkg = package_of(command, args)
        shown = []
        for i, a in enumerate(args):
            clean, hit = redact_arg(a)
            shown.append(clean)
            if hit:
                findings.append(f"secret in argument {i}")
        cmd_clean, hit = redact_arg(command)
        if hit:
            findings.append("secret in the command")
        server.update(transport="stdio", command=cmd_clean, args=shown)
        if pkg is not None:
            server["package"] = {
                "ecosystem": pkg.ecosystem,
                "name": pkg.name,
                "version": pkg.version,
                "pinned": pkg.pinned,
            }
        server["env_file"] = raw.get("envFile") is not None
    else:
        raise InputError(f"{where}: neither 'command' (stdio) nor 'url' (remote)")
    server["env"] = _vars(raw.get("env"), f"{where}.env")
    approve = raw.get("autoApprove", raw.get("alwaysAllow"))
    if approve is not None:
        if not isinstance(approve, list) or not all(isinstance(a, str) for a in approve):
            raise InputError(f"{where}.autoApprove: expected a list of tool names")
        server["auto_approve"] = sorted(approve)[:MAX_VARS]
    if isinstance(raw.get("tools"), list):  # allow-list of tools (some clients)
        server["allowed_tools"] = [str(t)[:MAX_NAME] for t in raw["tools"][:MAX_VARS]]
    server["findings"] = findings
    return server


def parse_config(doc: Any, filename: str, client: str | None = None) -> ParsedConfig:
    """Normalise a configuration; a bad server is skipped with a warning naming its field.

    ``client`` overrides detection (a file copied under another name)."""
    detected = detect(doc, filename)
    if client is None:
        client = detected
    elif (client in {"vscode", "vscode-settings"}) != (detected in {"vscode", "vscode-settings"}):
        raise InputError(
            f"{filename}: --client {client}: the file is in the {CLIENT_NAMES[detected]} format"
        )
    if client == "vscode":
        servers, key = doc["servers"], "servers"
    elif client == "vscode-settings":
        servers, key = doc["mcp"]["servers"], "mcp.servers"
    else:
        servers, key = doc["mcpServers"], "mcpServers"
    if len(servers) > MAX_SERVERS:
        raise InputError(f"{filename}: {key}: more than {MAX_SERVERS} servers")
    parsed = ParsedConfig(client, [])
    for name in sorted(servers):
        where = f"{filename}: {key}.{name}"
        try:
            _text(name, f"{filename}: {key} (a server name)", limit=MAX_NAME)
            parsed.servers.append(_server(name, servers[name], where))
        except InputError as exc:
            parsed.warnings.append(f"{exc}; server skipped")
    return parsed
