"""Where a collector may send its bearer token: https anywhere, plain http only to loopback.

Endpoint options exist for sovereign clouds, private endpoints and the local replay servers the
tests use. A token sent over plain http to another host would cross the network readable, so
that is refused before any client is made, for every provider alike.

The host is decided by the parser the HTTP clients use (urllib3's ``parse_url``, under both
``requests`` and ``azure-core``), and the URL must mean the same thing to the standard library's
parser too: ``http://10.1.2.3\\@127.0.0.1`` is host ``10.1.2.3`` to urllib3 and ``127.0.0.1`` to
``urllib.parse``, so a check on one parser and a connection on the other would leak the token.
Anything in the authority beyond a plain host name, an IP literal and a port (userinfo,
backslashes, percent-escapes, whitespace, control characters) is refused outright: no legitimate
endpoint needs it.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

LOOPBACK_NAMES = frozenset({"localhost"})
# A plain DNS name, an IPv4 literal, or a bracketed IPv6 literal; then an optional port.
_AUTHORITY = re.compile(
    r"^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$"
)
_FORBIDDEN = re.compile(r"[\\\s\x00-\x1f\x7f-\x9f@%]")


class EndpointError(ValueError):
    """An endpoint option that would expose credentials, or is not a URL at all."""


def is_loopback(host: str) -> bool:
    """Whether ``host`` (as the HTTP client will connect to it) is this machine."""
    name = host.strip("[]").lower()
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _authority(url: str) -> str:
    after = url.split("://", 1)[1] if "://" in url else url
    for sep in "/?#":
        after = after.split(sep, 1)[0]
    return after


def check_endpoint(option: str, url: str, *, scheme_required: bool = True) -> bool:
    """Whether ``url`` is plain http (then to loopback only); raises EndpointError otherwise.

    Without ``scheme_required``, a bare ``host[:port]`` (as Google clients take it) is https.
    """
    full = url if "://" in url or scheme_required else f"https://{url}"
    shown = ascii(url)
    if _FORBIDDEN.search(_authority(full)) or "\\" in full:
        raise EndpointError(
            f"{option} {shown}: the host part may hold only a host name, an IP address and a "
            "port (no user info, backslashes, escapes, spaces or control characters)"
        )
    authority = _authority(full)
    if not _AUTHORITY.match(authority):
        raise EndpointError(f"{option} {shown}: not an http(s) URL with a plain host")
    # urllib3 comes with every SDK extra (requests, azure-core); the base install has no
    # collector to send a token with, so it is imported here, not at module load.
    from urllib3.exceptions import LocationParseError
    from urllib3.util import parse_url

    try:
        theirs = parse_url(full)
        ours = urlsplit(full)
        ours_port = ours.port
    except (LocationParseError, ValueError):
        raise EndpointError(f"{option} {shown}: not an http(s) URL") from None
    scheme = (theirs.scheme or "").lower()
    if scheme not in {"http", "https"} or not theirs.host:
        raise EndpointError(f"{option} {shown}: not an http(s) URL")
    if (
        (ours.scheme or "").lower() != scheme
        or (ours.hostname or "").lower() != theirs.host.strip("[]").lower()
        or ours_port != theirs.port
    ):
        raise EndpointError(
            f"{option} {shown}: URL parsers disagree on where it points; refusing it"
        )
    insecure = scheme == "http"
    if insecure and not is_loopback(theirs.host):
        raise EndpointError(
            f"{option} {shown}: plain http is only allowed to a loopback replay server; "
            "access tokens must not cross the network unencrypted (use https)"
        )
    return insecure
