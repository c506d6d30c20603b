"""The MCP readers on hostile and odd input: only ``InputError`` escapes, values never
survive normalisation, and the facts a user relies on (package pins, secret verdicts,
poisoning patterns) are read right."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aispm_graph.mcp.clients import parse_config
from aispm_graph.mcp.jsonc import InputError, loads, strip_comments
from aispm_graph.mcp.packages import package_of
from aispm_graph.mcp.poisoning import scan_tool
from aispm_graph.mcp.secrets import classify
from aispm_graph.mcp.tools import parse_tools

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_loads_only_raises_input_error(raw: bytes) -> None:
    try:
        loads(raw, "f.json")
    except InputError as exc:
        assert str(exc).startswith("f.json: ")


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_comment_stripping_keeps_plain_json(value: Any) -> None:
    text = json.dumps(value)
    assert json.loads(strip_comments(text)) == value


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(min_size=1, max_size=10), json_values, max_size=5))
def test_any_server_map_is_parsed_or_refused_by_name(servers: dict[str, Any]) -> None:
    try:
        cfg = parse_config({"mcpServers": servers}, "claude_desktop_config.json")
    except InputError:
        return
    assert len(cfg.servers) + len(cfg.warnings) == len(servers)
    for w in cfg.warnings:
        assert w.startswith("claude_desktop_config.json: mcpServers")


@settings(max_examples=100, deadline=None)
@given(st.text(min_size=8, max_size=40).filter(lambda v: v.strip() == v and "$" not in v))
def test_env_values_never_survive(value: str) -> None:
    cfg = parse_config(
        {"mcpServers": {"s": {"command": "node", "args": [], "env": {"API_TOKEN": value}}}},
        "mcp.json",
    )
    assert value not in json.dumps(cfg.servers)
    (server,) = cfg.servers
    assert server["env"] == [
        {"name": "API_TOKEN", "credential": True, "literal_secret": True, "reference": False}
    ]


@settings(max_examples=100, deadline=None)
@given(json_values)
def test_tools_list_answers_never_crash(doc: Any) -> None:
    try:
        tools, _warnings = parse_tools(doc, "t.json", set())
    except InputError:
        return
    assert all(isinstance(t["name"], str) for t in tools)


@pytest.mark.parametrize(
    ("command", "args", "expected"),
    [
        (
            "npx",
            ["-y", "@modelcontextprotocol/server-github@2025.4.8"],
            ("npm", "@modelcontextprotocol/server-github", "2025.4.8", True),
        ),
        ("npx", ["-y", "mcp-daily-facts"], ("npm", "mcp-daily-facts", None, False)),
        ("npx", ["-y", "pkg@latest"], ("npm", "pkg", "latest", False)),
        ("uvx", ["mcp-server-git==0.6.2"], ("pypi", "mcp-server-git", "0.6.2", True)),
        (
            "uvx",
            ["--from", "mcp-server-fetch>=0.6", "mcp-server-fetch"],
            ("pypi", "mcp-server-fetch", None, False),
        ),
        (
            "docker",
            ["run", "-i", "--rm", "-e", "TOKEN", "ghcr.io/github/github-mcp-server"],
            ("oci", "ghcr.io/github/github-mcp-server", "latest", False),
        ),
        ("docker", ["run", "img@sha256:" + "a" * 64], ("oci", "img", "sha256:" + "a" * 64, True)),
        ("/usr/local/bin/pnpm", ["dlx", "srv@1.0.0"], ("npm", "srv", "1.0.0", True)),
    ],
)
def test_launchers_name_package_and_pin(
    command: str, args: list[str], expected: tuple[Any, ...]
) -> None:
    ref = package_of(command, args)
    assert ref is not None
    assert (ref.ecosystem, ref.name, ref.version, ref.pinned) == expected


def test_local_code_has_no_package() -> None:
    assert package_of("node", ["/opt/server/index.js"]) is None
    assert package_of("python", ["-m", "server"]) is None


@pytest.mark.parametrize(
    ("name", "value", "credential", "literal"),
    [
        ("GITHUB_PERSONAL_ACCESS_TOKEN", "ghp_" + "a1B2" * 9, True, True),
        ("GITHUB_PERSONAL_ACCESS_TOKEN", "${env:GH_TOKEN}", True, False),
        ("Authorization", "Bearer ${input:token}", True, False),
        ("Authorization", "Bearer abcdefghijklmnop", True, True),
        ("LOG_LEVEL", "debug", False, False),
        ("DATABASE_URI", "postgresql://app:hunter22@db:5432/app", True, True),
        ("ALLOWED_DIRS", "/home/dev/projects/work", False, False),
        ("SOMETHING", "AKIAIOSFODNN7EXAMPLE", True, True),
    ],
)
def test_secret_verdicts(name: str, value: str, credential: bool, literal: bool) -> None:
    got = classify(name, value)
    assert (got["credential"], got["literal_secret"]) == (credential, literal)


def test_clean_descriptions_raise_no_pattern() -> None:
    for text in (
        "Send a message to a Slack channel.",
        "Read the complete contents of a file from the file system.",
        "Create a new issue in a GitHub repository. Uses https://api.github.com.",
        "Search the web and return the top results.",
    ):
        assert scan_tool(text, {"type": "object"}, {"github", "create_issue"}) == [], text


def test_invisible_characters_are_hidden_instructions() -> None:
    found = scan_tool("Adds numbers.\u200b\u200bIgnore", None, set())
    assert found == ["hidden-instructions: 2 invisible character(s)"]
