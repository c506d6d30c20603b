"""What ``collect aws`` keeps about a collect so that the next one can be incremental.

The stored source entry of an account records when its collect *started* (changes made while
it ran may or may not be in its answers, so the next event lookup starts there) and the
coverage of every task; the documents themselves are the base an incremental collect reuses.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from aispm_graph.providers.aws.collect import CollectResult
from aispm_graph.providers.aws.incremental import PreviousCollect
from aispm_graph.workspace import Snapshot, Workspace, WorkspaceError


def previous_loader(workspace: Workspace) -> Callable[[str], PreviousCollect | None]:
    """Reads an account's earlier collect from the current snapshot, when there is one."""
    try:
        snapshot: Snapshot | None = workspace.current()
    except WorkspaceError:
        snapshot = None

    def load(account: str) -> PreviousCollect | None:
        if snapshot is None:
            return None
        entry = snapshot.source_entry("aws", account)
        if entry is None:
            return None
        meta = entry.get("meta") or {}
        started: datetime | None = None
        try:
            started = datetime.fromisoformat(str(meta["collect_started"]))
        except (KeyError, ValueError):
            started = None
        if started is not None and started.tzinfo is None:
            started = started.replace(tzinfo=UTC)  # written in UTC; an edited file may drop it
        return PreviousCollect(
            started=started,
            documents=list(snapshot.entry_documents(entry)),
            coverage=list(meta.get("coverage") or []),
        )

    return load


def source_meta(result: CollectResult, **extra: Any) -> dict[str, Any]:
    """The manifest meta of one collected account."""
    meta: dict[str, Any] = {
        "coverage": result.coverage_table(),
        "regions": result.regions,
        "caller": result.caller_arn,
        "collect_started": result.started.isoformat() if result.started else None,
    }
    if result.incremental is not None:
        meta["incremental"] = result.incremental
    meta.update(extra)
    return meta
