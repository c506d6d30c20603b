"""Importers for scanner reports and SBOMs: each parses one format into a ParsedReport."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aispm_graph.vulns.importers import cyclonedx, grype, requirements, spdx, trivy
from aispm_graph.vulns.importers.base import ParsedReport, ReportError

Parser = Callable[[Any, str], ParsedReport]

PARSERS: dict[str, Parser] = {
    "trivy": trivy.parse,
    "grype": grype.parse,
    "cyclonedx": cyclonedx.parse,
    "spdx": spdx.parse,
    "requirements": requirements.parse,
}

__all__ = ["PARSERS", "ParsedReport", "ReportError"]
