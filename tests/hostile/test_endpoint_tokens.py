"""A bearer token never goes over plain http to anything but loopback, whatever the URL says.

The check is exercised against the HTTP client itself: every URL the check accepts as plain
http is then fetched with ``requests`` while a guard refuses (and records) any connection to a
non-loopback address, so a disagreement between our parser and the client's fails here.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aispm_graph.providers.endpoints import EndpointError, check_endpoint

_real_connect = socket.socket.connect


def _host_of(address: Any) -> str:
    return str(address[0]) if isinstance(address, tuple) else str(address)


@pytest.fixture
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Fail any connect to a non-loopback address (and record it), so nothing leaves the host."""
    leaked: list[str] = []

    def guarded(self: socket.socket, address: Any) -> Any:
        host = _host_of(address)
        try:
            loop = ipaddress.ip_address(host.split("%")[0]).is_loopback
        except ValueError:
            loop = False
        if not loop:
            leaked.append(host)
            raise OSError(f"test guard: connect to non-loopback {host}")
        return _real_connect(self, address)

    def no_dns(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name.lower() in {"localhost", "127.0.0.1", "::1"}:
            return _real_getaddrinfo(host, *args, **kwargs)
        try:
            ipaddress.ip_address(name)
        except ValueError:
            leaked.append(f"dns:{name}")
            raise socket.gaierror(f"test guard: no DNS for {name}") from None
        return _real_getaddrinfo(host, *args, **kwargs)

    _real_getaddrinfo = socket.getaddrinfo
    monkeypatch.setattr(socket.socket, "connect", guarded)
    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    yield leaked


def _send_token(url: str) -> None:
    # Nothing listens on loopback; what matters is where it tried to connect.
    with contextlib.suppress(requests.RequestException):
        requests.get(url, headers={"Authorization": "Bearer secret"}, timeout=0.5)


HOSTILE = [
    "http://10.1.2.3\\@127.0.0.1",
    "http://10.1.2.3\\@127.0.0.1/",
    "http://10.1.2.3\\\\@localhost:8080/x",
    "http://user@127.0.0.1",
    "http://127.0.0.1@10.1.2.3",
    "http://127.0.0.1:80@10.1.2.3/",
    "http://10.1.2.3#@127.0.0.1",
    "http://10.1.2.3?@127.0.0.1",
    "http://127.0.0.1%2f@10.1.2.3",
    "http://127.0.0.1 .evil.example",
    "http://127.0.0.1\t@10.1.2.3",
    "http://localhost.evil.example/",
    "http://127.0.0.1.nip.io/",
    "http://[::ffff:10.1.2.3]/",
    "http://0x7f.1@10.1.2.3",
    "HTTP://10.1.2.3\\@127.0.0.1",
    "http:\\\\10.1.2.3",
    "http://127.0.0.1\n.evil.example",
    "http://[::1%25eth0]:80/",
    "http://[fe80::1%eth0]/",
    "http://0x7f.1/",
    "http://2130706433/",
    "http://127.1/",
    "http://localhost.evil.com/",
    "http://127.0.0.1:\u0668\u0660/",
]


@pytest.mark.parametrize("url", HOSTILE)
def test_tricky_http_urls_are_refused(url: str) -> None:
    with pytest.raises(EndpointError):
        check_endpoint("--arm-endpoint", url)


@pytest.mark.parametrize("url", HOSTILE)
def test_tricky_urls_never_connect_off_host_when_accepted(
    url: str, loopback_only: list[str]
) -> None:
    try:
        insecure = check_endpoint("--arm-endpoint", url)
    except EndpointError:
        return
    if insecure:
        _send_token(url)
    assert loopback_only == []


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8080", "http://localhost:1/api", "http://[::1]:9/", "http://127.0.0.2/"],
)
def test_loopback_http_is_allowed(url: str) -> None:
    assert check_endpoint("--arm-endpoint", url) is True


@pytest.mark.parametrize(
    "url", ["https://management.azure.com", "https://10.1.2.3:8443/x", "https://[2001:db8::1]/"]
)
def test_https_anywhere_is_allowed(url: str) -> None:
    assert check_endpoint("--arm-endpoint", url) is False


def test_bare_google_endpoint_is_https() -> None:
    assert (
        check_endpoint("--api-endpoint", "cloudasset.googleapis.com", scheme_required=False)
        is False
    )
    with pytest.raises(EndpointError):
        check_endpoint("--api-endpoint", "10.1.2.3\\@127.0.0.1", scheme_required=False)


_pieces = st.sampled_from(
    [
        "127.0.0.1",
        "localhost",
        "10.1.2.3",
        "evil.example",
        "@",
        "\\",
        ":",
        "/",
        "#",
        "?",
        "%40",
        "%5c",
        "[",
        "]",
        "::1",
        " ",
        "\t",
        "80",
        ".",
        "\u3002",
        "\uff20",
    ]
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(_pieces, min_size=1, max_size=6).map("".join))
def test_no_accepted_http_url_connects_off_host(loopback_only: list[str], rest: str) -> None:
    url = "http://" + rest
    try:
        insecure = check_endpoint("--arm-endpoint", url)
    except EndpointError:
        return
    if insecure:
        _send_token(url)
    assert loopback_only == [], (url, loopback_only)


@pytest.mark.parametrize(
    "args",
    [
        (
            "collect",
            "azure",
            "--subscription",
            "00000000-0000-0000-0000-000000000000",
            "--arm-endpoint",
            "http://10.1.2.3\\@127.0.0.1",
        ),
        (
            "collect",
            "azure",
            "--subscription",
            "00000000-0000-0000-0000-000000000000",
            "--graph-endpoint",
            "http://127.0.0.1@10.1.2.3",
        ),
        (
            "collect",
            "gcp",
            "--scope",
            "projects/p",
            "--api-endpoint",
            "http://10.1.2.3\\@127.0.0.1",
        ),
        ("collect", "gcp", "--scope", "projects/p", "--api-endpoint", "10.1.2.3\\@127.0.0.1"),
        ("collect", "gcp", "--scope", "projects/p", "--orgpolicy-endpoint", "http://0x7f.1"),
    ],
    ids=lambda a: f"{a[1]} {a[4]} {a[5]!r}",
)
def test_collectors_refuse_the_url_before_any_connection(
    args: tuple[str, ...],
    loopback_only: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The real command, a token in the environment: exit 2 naming the option, nothing sent."""
    from tests.hostile.support import cli

    monkeypatch.setenv("AISPM_AZURE_TOKEN", "secret")
    monkeypatch.setenv("GOOGLE_OAUTH_ACCESS_TOKEN", "secret")
    res = cli(*args, workspace=tmp_path / "ws")
    assert res.code == 2, res.err
    assert args[4] in res.err and "secret" not in res.err
    assert loopback_only == []
    assert not (tmp_path / "ws" / "snapshots").exists()
