"""Severity of an advisory: computed from its CVSS vectors, falling back to a stated label.

Scores come from the ``cvss`` library (RedHat's maintained implementation of CVSS 2, 3.x and 4)
rather than from numbers copied out of a report, so one vector always gives one score whatever
tool produced the report. When a record has no usable vector, the database's or the scanner's
own label is used, and the result says which.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from cvss import CVSS3, CVSS4
from cvss.exceptions import CVSSError

LEVELS = ("none", "low", "medium", "high", "critical")
# "unknown" (no vector, no label) ranks with "none": it must not raise a risk factor.
LEVEL_RANK = {**{level: i for i, level in enumerate(LEVELS)}, "unknown": 0}
# Words scanners and databases use for the same levels.
_LABELS = {
    "critical": "critical",
    "high": "high",
    "important": "high",
    "moderate": "medium",
    "medium": "medium",
    "low": "low",
    "negligible": "low",
    "none": "none",
}
# CWE ids that mean an attacker runs code: injection, unsafe deserialisation, eval.
RCE_CWES = frozenset({"CWE-77", "CWE-78", "CWE-94", "CWE-95", "CWE-502", "CWE-917", "CWE-1336"})
_RCE_TEXT = re.compile(
    r"\b(remote code execution|arbitrary code execution|execute arbitrary (?:code|commands|python)"
    r"|code injection|command injection|\bRCE\b|arbitrary command execution)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Severity:
    level: str  # one of LEVELS, or "unknown"
    score: float | None  # CVSS base score when computed
    vector: str  # the vector the score came from, "" if none
    basis: str  # "cvss-v4", "cvss-v3", "label:<source>", or "unknown"


def level_for_score(score: float) -> str:
    if score >= 9.0:
        return "critical"
    if score >= 7.0:
        return "high"
    if score >= 4.0:
        return "medium"
    if score > 0.0:
        return "low"
    return "none"


def normalize_label(label: str | None) -> str | None:
    if not label:
        return None
    return _LABELS.get(str(label).strip().lower())


def score_vector(vector: str) -> tuple[float, str] | None:
    """(base score, basis) for a CVSS v3.x or v4 vector; None when it does not parse."""
    v = vector.strip()
    try:
        if v.startswith("CVSS:4.0/"):
            return float(CVSS4(v).base_score), "cvss-v4"
        if v.startswith("CVSS:3."):
            return float(CVSS3(v).scores()[0]), "cvss-v3"
    except (CVSSError, ValueError, KeyError, IndexError):
        return None
    return None


def assess(vectors: list[str], labels: list[tuple[str, str]]) -> Severity:
    """Worst score among the vectors (v4 preferred when present); else the worst stated label.

    ``labels`` are (source, label) pairs, e.g. ("ghsa", "HIGH") from ``database_specific``.
    """
    scored = [(s, b, v) for v in vectors if (r := score_vector(v)) for s, b in [r]]
    v4 = [x for x in scored if x[1] == "cvss-v4"]
    pool = v4 or scored
    if pool:
        score, basis, vector = max(pool, key=lambda x: x[0])
        return Severity(level_for_score(score), score, vector, basis)
    best: tuple[str, str] | None = None
    for source, label in labels:
        level = normalize_label(label)
        if level and (best is None or LEVEL_RANK[level] > LEVEL_RANK[best[0]]):
            best = (level, source)
    if best:
        return Severity(best[0], None, "", f"label:{best[1]}")
    return Severity("unknown", None, "", "unknown")


def osv_severity(record: dict[str, Any]) -> Severity:
    """Severity of an OSV record from ``severity[]`` vectors or ``database_specific.severity``."""
    vectors = [
        str(s.get("score", ""))
        for s in record.get("severity") or []
        if isinstance(s, dict) and str(s.get("type", "")).startswith("CVSS_V")
    ]
    for aff in record.get("affected") or []:
        for s in (aff or {}).get("severity") or []:
            if isinstance(s, dict):
                vectors.append(str(s.get("score", "")))
    labels = []
    dbs = record.get("database_specific")
    if isinstance(dbs, dict) and isinstance(dbs.get("severity"), str):
        labels.append(("database", dbs["severity"]))
    return assess(vectors, labels)


def is_rce(cwes: list[str], text: str) -> bool:
    """Remote code execution: a code-execution CWE, or the advisory says so in words."""
    return bool(RCE_CWES.intersection(cwes)) or bool(_RCE_TEXT.search(text or ""))
