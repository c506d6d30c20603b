"""``aispm import mcp`` documents into the graph.

One document per configuration file, already normalised and stripped of values by
:mod:`aispm_graph.mcp.clients`. The client becomes an ``MCPClient`` (an agent), each server an
``MCPServer`` it ``USES_TOOL``, each listed tool an ``MCPTool`` the server ``PROVIDES_TOOL``,
and each credential the client hands a server an ``MCPCredential`` the server ``RUNS_AS``: a
steered agent calls the server's tools, whose code runs with those credentials.

A tool description with poisoning patterns is content the server's publisher wrote into the
agent's context: ``internet -PROMPT_INJECTION-> client`` (inferred; a model may resist), so
every other server the client uses is one hop further, which is how tool poisoning and
cross-server shadowing are exploited.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any
from urllib.parse import urlsplit

from aispm_graph.build import BuildContext, transform
from aispm_graph.graph.model import Confidence, Graph
from aispm_graph.mcp.clients import CLIENT_NAMES
from aispm_graph.schema import INTERNET_ID
from aispm_graph.workspace import Document

LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})


def client_id(client: str, file: str) -> str:
    return f"mcp:{client}:{file}"


def _insecure(url: Any) -> bool | None:
    """Plain http to anything but this machine: tool calls and tokens readable on the way."""
    if not isinstance(url, str) or not url:
        return None
    host = (urlsplit(url).hostname or "").lower()
    return url.lower().startswith(("http://", "ws://")) and host not in LOOPBACK


def _approval(server: dict[str, Any], tool: str | None = None) -> str:
    auto = server.get("auto_approve")
    if isinstance(auto, list) and ((tool is None and auto) or tool in auto or "*" in auto):
        return "never"
    return "client-default"


def _add_config(graph: Graph, ctx: BuildContext, doc: Document) -> None:
    body = doc.body
    if not isinstance(body, dict) or not isinstance(body.get("servers"), list):
        ctx.warn(f"mcp:{doc.scope}: field 'servers': not a list; document skipped")
        return
    file = str(body.get("file") or doc.key)
    client = str(body.get("client") or "mcp-servers")
    cid = client_id(client, file)
    label = CLIENT_NAMES.get(client, client).split(" (")[0]
    short = "/".join(PurePath(file).parts[-2:])
    graph.add_node(
        cid, "MCPClient", f"{label} {short}", client=client, config_file=file, tenant="local"
    )
    servers = [s for s in body["servers"] if isinstance(s, dict) and s.get("name")]
    tools_raw = body.get("tools")
    tools_by_server: dict[str, Any] = tools_raw if isinstance(tools_raw, dict) else {}
    for s in servers:
        try:
            _add_server(graph, cid, s, tools_by_server.get(s["name"]))
        except (KeyError, TypeError, ValueError) as exc:
            ctx.warn(f"mcp:{file}: server {s.get('name')!r}: {exc}; skipped")


def _add_server(graph: Graph, cid: str, s: dict[str, Any], tools: Any) -> None:
    sid = f"{cid}#{s['name']}"
    pkg_raw = s.get("package")
    pkg: dict[str, Any] = pkg_raw if isinstance(pkg_raw, dict) else {}
    env = [v for v in s.get("env") or [] if isinstance(v, dict)]
    headers = [v for v in s.get("headers") or [] if isinstance(v, dict)]
    graph.add_node(
        sid,
        "MCPServer",
        str(s["name"]),
        transport=s.get("transport"),
        command=s.get("command"),
        args=s.get("args"),
        url=s.get("url"),
        package=pkg.get("name"),
        package_ecosystem=pkg.get("ecosystem"),
        package_version=pkg.get("version"),
        pinned=pkg.get("pinned") if pkg else None,
        env_names=[v["name"] for v in env],
        header_names=[v["name"] for v in headers],
        auth=s.get("auth"),
        insecure_transport=_insecure(s.get("url")),
        disabled=bool(s.get("disabled")),
        tools_listed=isinstance(tools, list),
        auto_approve=s.get("auto_approve"),
        approval=_approval(s),
        allowed_tools=s.get("allowed_tools"),
        config_findings=s.get("findings") or None,
        tenant="local",
    )
    if s.get("disabled"):
        return  # configured but switched off: not a tool the client calls
    listed = [t for t in tools or [] if isinstance(t, dict) and t.get("name")]
    acting = any(t.get("acting") for t in listed)
    graph.add_edge(
        cid,
        sid,
        "USES_TOOL",
        {
            "mechanism": f"MCP server {s['name']} in the client configuration",
            "tool_type": "mcp",
            "approval": _approval(s),
            "tools": sorted(t["name"] for t in listed)[:50] or None,
            "fix": f"Remove server {s['name']} from the configuration, or limit its tools and "
            "keep approval on for every call",
        },
    )
    for where, v in [("env", v) for v in env] + [("header", v) for v in headers]:
        if not v.get("credential"):
            continue
        vid = f"{sid}/{where}/{v['name']}"
        graph.add_node(
            vid,
            "MCPCredential",
            f"{v['name']} ({s['name']})",
            variable=v["name"],
            literal=bool(v.get("literal_secret")),
            reference=bool(v.get("reference")),
            server=sid,
            tenant="local",
        )
        mech = (
            f"environment variable {v['name']} of the server process"
            if where == "env"
            else f"HTTP header {v['name']} the client sends the server"
        )
        graph.add_edge(
            sid,
            vid,
            "RUNS_AS",
            {
                "mechanism": mech,
                "fix": f"Give {s['name']} a credential scoped to what its tools need, or "
                f"remove {v['name']}",
            },
        )
    if listed:
        graph.set_prop(sid, "acting", acting)
    for t in listed:
        tid = f"{sid}/tools/{t['name']}"
        poison = [str(p) for p in t.get("poisoning") or []]
        graph.add_node(
            tid,
            "MCPTool",
            str(t["name"]),
            server=sid,
            description_hash=t.get("description_hash"),
            poisoning=poison or None,
            acting=bool(t.get("acting")),
            sends_out=bool(t.get("sends_out")),
            tool_type="mcp",
            approval=_approval(s, str(t["name"])),
            tenant="local",
        )
        graph.add_edge(sid, tid, "PROVIDES_TOOL", {"mechanism": "tools/list"})
        if poison:
            graph.ensure_internet()
            graph.add_edge(
                INTERNET_ID,
                cid,
                "PROMPT_INJECTION",
                {
                    "content": tid,
                    "content_kind": "MCP tool description",
                    "via": f"tool {t['name']} of server {s['name']}",
                    "permission": "publish the server's tool descriptions",
                    "grant": f"whoever publishes {pkg.get('name') or s.get('url') or s['name']}",
                    "patterns": poison[:10],
                    "fix": f"Remove server {s['name']} (tool {t['name']} carries instructions "
                    "for the model), or pin a reviewed version",
                },
                Confidence.INFERRED,
            )


@transform("mcp")
def transform_mcp(docs: list[Document], graph: Graph, ctx: BuildContext) -> None:
    for doc in sorted(docs, key=lambda d: (d.scope, d.key)):
        _add_config(graph, ctx, doc)
