"""Incremental AWS collection: which earlier answers an account collect may keep.

A task (one service in one region) is reused only when all of these hold: the workspace's
earlier collect of the account collected it without denial or failure, that collect recorded
when it started, CloudTrail still holds the events since then, and no write event of that
service touched that region since (see :mod:`aispm_graph.providers.aws.changes`). S3 has one
more check, because a bucket created in a region the lookup did not watch leaves its event
there: the bucket list is read again (one call) and must name the same buckets. Anything in
doubt is collected again, with the reason recorded, so an incremental snapshot is never
staler than the event history says.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aispm_graph.providers.aws.changes import (
    GLOBAL,
    bucket_regions,
    global_event_region,
    lookup_changes,
    lookup_start,
)
from aispm_graph.providers.coverage import Status, status_of
from aispm_graph.workspace import Document


@dataclass
class PreviousCollect:
    """What the workspace holds for an account: its documents and how they were collected."""

    started: datetime | None
    documents: list[Document]
    coverage: list[dict[str, Any]]


@dataclass
class ReusePlan:
    """Documents and coverage to keep per task, and the decision for the report."""

    documents: dict[tuple[str, str], list[Document]] = field(default_factory=dict)
    coverage: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)


def _full(reason: str) -> ReusePlan:
    return ReusePlan(info={"mode": "full", "reason": reason})


def _bucket_names(docs: list[Document]) -> set[str] | None:
    for d in docs:
        if d.body.get("operation") == "list_buckets":
            return {str(b.get("Name")) for b in (d.body.get("response") or {}).get("Buckets", [])}
    return None


def plan_reuse(
    session: Any,
    config: Any,
    previous: PreviousCollect | None,
    tasks: list[tuple[str, str]],
    home: str,
) -> ReusePlan:
    """Decide, task by task, what the earlier collect still answers."""
    if previous is None:
        return _full("no earlier collect of this account in the workspace")
    if previous.started is None:
        return _full("the earlier collect did not record when it started")
    since = lookup_start(previous.started)
    if since is None:
        return _full("the earlier collect is older than CloudTrail's 90-day event history")
    # Rows of older snapshots name the region "region" and a full success "collected".
    before = {
        (str(c.get("service")), str(c.get("scope") or c.get("region"))): c
        for c in previous.coverage
    }
    candidates = {t for t in tasks if _fully_collected(before.get(t))}
    if not candidates:
        return _full("the earlier collect has nothing these services and regions can reuse")
    by_task: dict[tuple[str, str], list[Document]] = defaultdict(list)
    for doc in previous.documents:
        body = doc.body if isinstance(doc.body, dict) else {}
        by_task[(str(body.get("service")), str(body.get("region")))].append(doc)
    buckets = bucket_regions(previous.documents)
    watch = {r for _s, r in candidates if r != GLOBAL}
    event_region = global_event_region(home)
    if any(r == GLOBAL for _s, r in candidates):
        watch.add(event_region)
    if ("s3", GLOBAL) in candidates or ("s3control", GLOBAL) in candidates:
        watch |= buckets
    report = lookup_changes(session, config, watch, since, candidates)
    plan = ReusePlan()
    refreshed: dict[str, str] = {}
    for task in sorted(set(tasks)):
        label = "/".join(task)
        if task not in candidates:
            refreshed[label] = "not collected by the earlier run"
            continue
        why = report.needs(*task, bucket_regions=buckets, event_region=event_region)
        if not why and task == ("s3", GLOBAL):
            why = _s3_list_changed(session, config, home, by_task[task])
        if why:
            refreshed[label] = why
            continue
        plan.documents[task] = by_task.get(task, [])
        plan.coverage[task] = before[task]
    plan.info = {
        "mode": "incremental",
        "since": since.isoformat(),
        "events": dict(sorted(report.events.items())),
        "reused": sorted("/".join(t) for t in plan.documents),
        "collected": refreshed,
        "unreadable_history": dict(sorted(report.unreadable.items())),
    }
    return plan


def _s3_list_changed(session: Any, config: Any, home: str, docs: list[Document]) -> str:
    """A bucket made in a region the lookup did not watch leaves no event there: compare the
    bucket list itself (one call)."""
    earlier = _bucket_names(docs)
    if earlier is None:
        return "the earlier collect has no bucket list"
    try:
        now = session.client("s3", region_name=home, config=config).list_buckets()
    except Exception as exc:
        return f"cannot re-read the bucket list ({type(exc).__name__})"
    names = {str(b.get("Name")) for b in now.get("Buckets", [])}
    if names != earlier:
        return f"bucket list changed ({len(names ^ earlier)} bucket(s) added or removed)"
    return ""


def _fully_collected(row: dict[str, Any] | None) -> bool:
    """Whether an earlier coverage row says every call of the task answered."""
    if not row:
        return False
    try:
        return status_of(str(row.get("status"))) is Status.OK
    except ValueError:
        return False
