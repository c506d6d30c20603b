"""Where a collector may send its bearer token: https anywhere, plain http only to loopback.

Endpoint options exist for sovereign clouds, private endpoints and the local replay servers the
tests use. A token sent over plain http to another host would cross the network readable, so
that is refused before any client is made, for every provider alike.
"""

from __future__ import annotations

from urllib.parse import urlparse

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


class EndpointError(ValueError):
    """An endpoint option that would expose credentials, or is not a URL at all."""


def check_endpoint(option: str, url: str, *, scheme_required: bool = True) -> bool:
    """Whether ``url`` is plain http (then to loopback only); raises EndpointError otherwise.

    Without ``scheme_required``, a bare ``host[:port]`` (as Google clients take it) is https.
    """
    parsed = urlparse(url if "://" in url or scheme_required else f"https://{url}")
    if parsed.scheme not in {"http", "https"} or not parsed.hostname:
        raise EndpointError(f"{option} {url!r}: not an http(s) URL")
    insecure = parsed.scheme == "http"
    if insecure and parsed.hostname not in LOOPBACK:
        raise EndpointError(
            f"{option} {url!r}: plain http is only allowed to a loopback replay server; "
            "access tokens must not cross the network unencrypted (use https)"
        )
    return insecure
