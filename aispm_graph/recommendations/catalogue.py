"""The built-in posture checks for AI resources.

Each entry is data (see :mod:`aispm_graph.recommendations.model`), declared in one of the
modules of :mod:`aispm_graph.recommendations.checks`; the ids are stable and are what
suppressions refer to. Checks follow the AI recommendations of Microsoft Defender for Cloud,
Prowler, CloudSploit, Checkov, Mondoo and AzTS (``peers``) and are mapped to the frameworks
of :mod:`aispm_graph.recommendations.frameworks`; none is claimed where it does not
correspond.

A check whose facts no collector reads yet is still declared (``facts`` says so and
``facts_note`` why) so that coverage and the peer table never leave it out silently; it is
listed, documented and counted, but not evaluated.

Provider modules extend the catalogue by calling :func:`register` with more checks.
"""

from __future__ import annotations

from aispm_graph.recommendations import facts as _facts  # noqa: F401 - registers the facts
from aispm_graph.recommendations.checks import MODULES
from aispm_graph.recommendations.checks.common import AI_DATA_ROLES
from aispm_graph.recommendations.model import Check

CHECKS: list[Check] = [c for module in MODULES for c in module.CHECKS]


def _unique(checks: list[Check]) -> None:
    seen: set[str] = set()
    for c in checks:
        if c.id in seen:
            raise ValueError(f"check {c.id} is declared twice")
        seen.add(c.id)


_unique(CHECKS)


def register(*checks: Check) -> None:
    """Add checks (provider modules); an id may be declared only once."""
    known = {c.id for c in CHECKS}
    for check in checks:
        if check.id in known:
            raise ValueError(f"check {check.id} is declared twice")
        known.add(check.id)
        CHECKS.append(check)


def checks_by_id() -> dict[str, Check]:
    return {c.id: c for c in CHECKS}


def evaluated_checks() -> list[Check]:
    """The checks whose facts are collected: the ones findings can come from."""
    return [c for c in CHECKS if c.evaluated]


__all__ = ["AI_DATA_ROLES", "CHECKS", "checks_by_id", "evaluated_checks", "register"]
