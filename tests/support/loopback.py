"""The one loopback HTTP fake the provider tests talk to through the real SDK clients.

The real boto3, ``azure-mgmt-*`` and Google clients are pointed at a server on 127.0.0.1 that
answers the way the cloud does. What every such fake needs lives here once: a threaded server
on a free port (:class:`LoopbackServer`), a quiet handler that reads bodies, answers JSON and
forwards what it does not answer to an upstream such as moto (:class:`QuietHandler`), slicing a
listing into pages (:func:`page`), and per-request fault queues, answers given once each before
the real one, first in first out (:class:`FaultQueue`: a 429 with ``Retry-After``, a 503).

The provider-specific routing stays next to the tests that use it:
``tests/azure/arm_replay.py`` (ARM and Microsoft Graph), ``tests/gcp/replay.py`` (Cloud Asset,
Org Policy, Cloud Identity) and ``fixtures/aws/replay_proxy.py`` (recorded AWS answers in
front of moto), plus ``fixtures/aws/sts_gate.py`` and ``cloudtrail_history.py``.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self, TypeVar

HOP_HEADERS = {"content-length", "transfer-encoding", "connection", "server", "date"}

K = TypeVar("K")
V = TypeVar("V")
T = TypeVar("T")


class QuietHandler(BaseHTTPRequestHandler):
    """A request handler that logs nothing (test output stays the test's) and answers bytes
    or JSON; subclasses route ``do_GET`` / ``do_POST`` / ..."""

    def log_message(self, format: str, *args: Any) -> None:
        return

    def read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def reply(self, status: int, data: bytes, headers: dict[str, str]) -> None:
        """Answer ``data``; hop-by-hop headers of a relayed answer are dropped, the length set."""
        self.send_response(status)
        for k, v in headers.items():
            if k.lower() not in HOP_HEADERS:
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def send_json(
        self,
        status: int,
        body: Any,
        headers: dict[str, str] | None = None,
        content_type: str = "application/json",
    ) -> None:
        self.reply(
            status, json.dumps(body).encode(), {"Content-Type": content_type, **(headers or {})}
        )

    def forward(self, upstream: str, body: bytes) -> None:
        """Send this request on to ``upstream`` and relay its answer, errors included."""
        req = urllib.request.Request(
            upstream + self.path,
            data=body if body or self.command in {"POST", "PUT"} else None,
            method=self.command,
            headers={k: v for k, v in self.headers.items() if k.lower() != "host"},
        )
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                status, headers, data = resp.status, resp.headers, resp.read()
        except urllib.error.HTTPError as err:
            status, headers, data = err.code, err.headers, err.read()
        self.reply(status, data, dict(headers.items()))


class LoopbackServer:
    """A threaded HTTP server on 127.0.0.1 at a free port; ``with`` starts and stops it."""

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> Self:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class FaultQueue(dict[K, list[V]]):
    """Answers to give instead of the real one, per request key, each once, in order.

    A plain mapping ``key -> [answer, ...]`` (tests write ``queue[key] = [429, 503]``);
    :meth:`take` hands out the next one and ``None`` once the key's queue is empty, so the
    request after the last fault succeeds as a retrying client expects.
    """

    def add(self, key: K, *answers: V) -> None:
        self.setdefault(key, []).extend(answers)

    def take(self, key: K) -> V | None:
        queued = self.get(key)
        return queued.pop(0) if queued else None


def page(items: Sequence[T], index: int, size: int) -> tuple[list[T], int | None]:
    """Page ``index`` (from 0) of ``items`` split ``size`` at a time, and the index of the next
    page, ``None`` on the last: every fake pages so that the SDK pagers are exercised."""
    start = index * size
    chunk = list(items[start : start + size])
    return chunk, (index + 1 if start + size < len(items) else None)
