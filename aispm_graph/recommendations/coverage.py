"""Which framework items the catalogue covers, and the findings filed under each item.

An item is *covered* when at least one evaluated check serves it, *pending* when only checks
whose facts are not collected yet serve it, and *uncovered* when no check does. A reviewer
reads the three lists as "what we test", "what we would test with more data" and "what this
tool does not test" (most NIST AI RMF subcategories are governance, for instance).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from aispm_graph.recommendations.catalogue import CHECKS
from aispm_graph.recommendations.evaluate import Finding
from aispm_graph.recommendations.frameworks import FRAMEWORKS, Framework, Item
from aispm_graph.recommendations.model import Check

Status = Literal["covered", "pending", "uncovered"]


@dataclass
class ItemCoverage:
    item: Item
    checks: list[str] = field(default_factory=list)
    pending_checks: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def status(self) -> Status:
        if self.checks:
            return "covered"
        return "pending" if self.pending_checks else "uncovered"


@dataclass
class FrameworkCoverage:
    framework: Framework
    items: list[ItemCoverage]

    def by_status(self, status: Status) -> list[ItemCoverage]:
        return [i for i in self.items if i.status == status]

    def summary(self) -> dict[str, int]:
        return {
            "items": len(self.items),
            "covered": len(self.by_status("covered")),
            "pending": len(self.by_status("pending")),
            "uncovered": len(self.by_status("uncovered")),
            "findings": len({f.id for i in self.items for f in i.findings}),
        }

    def as_dict(self) -> dict[str, Any]:
        f = self.framework
        return {
            "framework": {"id": f.id, "name": f.name, "version": f.version, "url": f.url},
            "summary": self.summary(),
            "items": [
                {
                    "id": i.item.id,
                    "title": i.item.title,
                    "url": f.item_url(i.item.id),
                    "status": i.status,
                    "checks": i.checks,
                    "pending_checks": i.pending_checks,
                    "findings": [x.id for x in i.findings],
                }
                for i in self.items
            ],
        }


class UnknownItem(ValueError):
    """A check names a framework item that the framework does not declare."""


def framework_coverage(
    framework_id: str,
    findings: Iterable[Finding] = (),
    checks: Iterable[Check] | None = None,
) -> FrameworkCoverage:
    """Coverage of one framework by ``checks`` (default: the catalogue), with ``findings``
    filed under every item their check serves."""
    fw = FRAMEWORKS[framework_id]
    rows = {i.id: ItemCoverage(i) for i in fw.items}
    for c in CHECKS if checks is None else checks:
        for item_id in c.frameworks.get(framework_id, ()):
            row = rows.get(item_id)
            if row is None:
                raise UnknownItem(f"check {c.id}: {framework_id} has no item {item_id!r}")
            (row.checks if c.evaluated else row.pending_checks).append(c.id)
    for f in findings:
        for item_id in f.frameworks.get(framework_id, []):
            if item_id in rows:
                rows[item_id].findings.append(f)
    return FrameworkCoverage(fw, [rows[i.id] for i in fw.items])


def all_coverage(findings: Iterable[Finding] = ()) -> list[FrameworkCoverage]:
    found = list(findings)
    return [framework_coverage(fid, found) for fid in FRAMEWORKS]
