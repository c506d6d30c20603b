"""What a collection read, and what it could not: one type and one vocabulary for every provider.

A coverage row is one unit of collection: an AWS service in one region, an Azure resource type,
a Cloud Asset type and content type, a Google group's members. Its status says how much of it
the snapshot holds:

* ``ok``: every call succeeded;
* ``partial``: some calls succeeded and some were denied, unsupported or failed (a service
  whose Describe call worked but one Get call was refused is not a failed service), or a
  listing stopped early (truncated, an error after some pages);
* ``not-found``: the API says the thing does not exist there (an Azure resource provider not
  registered), which is data, not a gap;
* ``denied``: every call was refused (403, AccessDenied, permission-denied);
* ``failed``: every call failed otherwise (unsupported endpoint, network, throttled out).

The CLI renders every provider's rows with :func:`render_coverage` and stores them in the
snapshot with :meth:`Coverage.as_dict`, so users see one table shape and one JSON shape.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    OK = "ok"
    PARTIAL = "partial"
    NOT_FOUND = "not-found"
    DENIED = "denied"
    FAILED = "failed"


# Worse statuses rank higher; a row's status never improves when a later call fails.
RANK = {Status.OK: 0, Status.NOT_FOUND: 1, Status.PARTIAL: 2, Status.DENIED: 3, Status.FAILED: 4}
# Words of earlier snapshots (each collector had its own), read as today's.
LEGACY = {
    "collected": Status.OK,
    "error": Status.FAILED,
    "permission-denied": Status.DENIED,
    "truncated": Status.PARTIAL,
}
STYLE = {
    Status.OK: "green",
    Status.PARTIAL: "yellow",
    Status.NOT_FOUND: "cyan",
    Status.DENIED: "yellow",
    Status.FAILED: "red",
}
MAX_ERRORS = 20


def status_of(word: str) -> Status:
    """A status from today's vocabulary or an earlier snapshot's."""
    return LEGACY.get(word) or Status(word)


@dataclass
class Coverage:
    """One unit of collection and how much of it the snapshot holds.

    ``service`` names what was read (AWS service, ARM resource type, Cloud Asset type, group);
    ``scope`` where (AWS region, GCP content type); ``count`` how many records came back.
    Failed calls are added with :meth:`record`, successful ones with :meth:`succeeded`; the
    status then follows the rule of the module docstring.
    """

    service: str
    scope: str = ""
    status: Status = Status.OK
    count: int = 0
    calls: int = 0
    pages: int = 0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)
    reused: bool = False  # an incremental collect kept the earlier answers (nothing changed)
    ok_calls: int = 0

    def __setattr__(self, name: str, value: Any) -> None:
        # Statuses are always of today's vocabulary, however they are set.
        if name == "status":
            value = status_of(str(value))
        object.__setattr__(self, name, value)

    @property
    def detail(self) -> str:
        """The errors as one line (what the table shows)."""
        return "; ".join(self.errors)

    @detail.setter
    def detail(self, text: str) -> None:
        self.errors = [text] if text else []

    def succeeded(self, records: int = 0) -> None:
        """A call that answered (``records`` added to the count)."""
        self.ok_calls += 1
        self.count += records
        if self.status in (Status.DENIED, Status.FAILED):
            self.status = Status.PARTIAL

    def record(self, status: Status | str, message: str = "") -> None:
        """A call that did not answer (or answered only in part), and why."""
        new = status_of(str(status))
        if new in (Status.DENIED, Status.FAILED) and (self.ok_calls or self.count):
            new = Status.PARTIAL  # what did answer is in the snapshot
        if RANK[new] > RANK[self.status]:
            self.status = new
        if message and len(self.errors) < MAX_ERRORS and message not in self.errors:
            self.errors.append(message)

    def merge(self, other: Coverage) -> None:
        """Fold another row of the same unit (per-parent calls) into this one."""
        # A row that is ok or partial answered at least once, even with no records.
        had_ok = self.status in (Status.OK, Status.PARTIAL)
        other_ok = other.status in (Status.OK, Status.PARTIAL)
        self.count += other.count
        self.calls += other.calls
        self.pages += other.pages
        self.seconds += other.seconds
        self.ok_calls += other.ok_calls
        for err in other.errors:
            if len(self.errors) < MAX_ERRORS and err not in self.errors:
                self.errors.append(err)
        worst = max(self.status, other.status, key=lambda s: RANK[s])
        if worst in (Status.DENIED, Status.FAILED) and (had_ok or other_ok):
            worst = Status.PARTIAL
        self.status = worst

    @classmethod
    def from_dict(cls, row: dict[str, Any]) -> Coverage:
        """A row as :meth:`as_dict` wrote it (or as an older snapshot did: AWS ``region``)."""
        return cls(
            service=str(row.get("service") or ""),
            scope=str(row.get("scope") or row.get("region") or ""),
            status=status_of(str(row.get("status") or "ok")),
            count=int(row.get("count") or 0),
            calls=int(row.get("calls") or 0),
            pages=int(row.get("pages") or 0),
            seconds=float(row.get("seconds") or 0.0),
            errors=[str(e) for e in row.get("errors") or []],
            reused=bool(row.get("reused")),
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "scope": self.scope,
            "status": str(self.status),
            "count": self.count,
            "calls": self.calls,
            "pages": self.pages,
            "seconds": round(self.seconds, 3),
            "errors": list(self.errors),
            "detail": self.detail,
            "reused": self.reused,
        }


def merge_rows(rows: Iterable[Coverage]) -> list[Coverage]:
    """One row per (service, scope), in first-seen order."""
    out: dict[tuple[str, str], Coverage] = {}
    for row in rows:
        key = (row.service, row.scope)
        if key in out:
            out[key].merge(row)
        else:
            out[key] = Coverage(**{**row.__dict__, "errors": list(row.errors)})
    return list(out.values())


def gaps(rows: Iterable[Coverage]) -> list[Coverage]:
    """Rows whose status is not ``ok``: what the snapshot may lack."""
    return [r for r in rows if r.status is not Status.OK]


def render_coverage(
    rows: Iterable[Coverage], title: str, *, service: str = "service", scope: str = ""
) -> Any:
    """The coverage table every ``collect`` command prints (a Rich ``Table``).

    ``service`` and ``scope`` name the first columns as the provider calls them (``service``
    and ``region`` for AWS, ``resource type`` for Azure, ``asset type`` and ``content`` for
    GCP); a ``scope`` of '' leaves that column out.
    """
    from rich.text import Text

    from aispm_graph.textsafe import SafeTable

    # SafeTable: every plain-string cell (names, scopes, provider error text) is literal text,
    # never markup, and control characters are shown as escapes.
    table = SafeTable(title=title)
    # Names and statuses are never cut; the detail wraps instead.
    for col in (service, *([scope] if scope else []), "status", "count", "calls"):
        table.add_column(col, no_wrap=True)
    table.add_column("detail", overflow="fold")
    for r in rows:
        status = Text(str(r.status), style=STYLE[r.status])
        if r.reused:
            status = Text.assemble(("reused", "cyan"), f" ({r.status})")
        cells: list[Any] = [r.service, *([r.scope] if scope else [])]
        cells += [status, str(r.count), str(r.calls), "; ".join(r.errors[:2])]
        table.add_row(*cells)
    return table
