"""Result objects, as pydantic models: what ``--format json`` prints and the Python API returns.

The attack-path shape is the contract of DESIGN §3 and is versioned by ``SCHEMA_VERSION``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

PATHS_SCHEMA_VERSION = 1
RiskLevel = Literal["critical", "high", "medium", "low"]
LEVEL_ORDER: dict[str, int] = {"critical": 3, "high": 2, "medium": 1, "low": 0}


class RiskFactor(BaseModel):
    """One input of the risk arithmetic, so a path's rank can be explained factor by factor."""

    name: str
    kind: Literal["likelihood", "impact"]
    value: float
    detail: str


class Risk(BaseModel):
    level: RiskLevel
    score: int = Field(ge=0, le=100)
    likelihood: float
    impact: float
    factors: list[RiskFactor]


class PathNode(BaseModel):
    id: str
    kind: str
    name: str
    provider: str = ""


class PathEdge(BaseModel):
    source: str
    target: str
    kind: str
    kinds: list[str] = Field(default_factory=list)
    evidence: dict[str, Any] = Field(default_factory=dict)
    confidence: Literal["confirmed", "conditional", "inferred"] = "confirmed"


class Remediation(BaseModel):
    id: str
    action: str
    edge: int | None = None
    breaks_path: bool
    effort: str = "medium"


class AttackPath(BaseModel):
    id: str
    title: str
    risk: Risk
    entry: str
    target: str
    target_class: str
    nodes: list[PathNode]
    edges: list[PathEdge]
    remediation: list[Remediation]

    @property
    def hops(self) -> int:
        return len(self.edges)


class PathStats(BaseModel):
    entries: int = 0
    targets: int = 0
    candidate_nodes: int = 0
    attack_edges: int = 0
    # Deterministic work, so growth can be checked without a clock: hops tried by the search
    # (route prefixes extended, or the exhaustive walk's steps), and steps of the count-only
    # walk that says how many routes each pair has (bounded by its budget; it grows with the
    # number of routes, not with the estate).
    search_steps: int = 0
    count_steps: int = 0
    seconds: float = 0.0


class PairRoutes(BaseModel):
    """One (entry, target) pair: how many of its routes are listed and how many exist.

    ``routes`` is exact when ``exact`` is true, otherwise a lower bound (counting stopped at
    its step budget; enumerating every simple route of a dense IAM graph is exponential)."""

    entry: str
    target: str
    best: str = Field(description="id of the pair's best listed route")
    listed: int
    routes: int
    exact: bool = True


class PathResult(BaseModel):
    schema_version: int = PATHS_SCHEMA_VERSION
    paths: list[AttackPath]
    truncated: bool = False
    truncation: str | None = None
    stats: PathStats = Field(default_factory=PathStats)
    # "best-routes": the best few routes of every (entry, target) pair (no pair is ever lost);
    # "all-routes": every simple route, under the path and time caps.
    mode: Literal["best-routes", "all-routes"] = "all-routes"
    routes_per_pair: int | None = None
    pairs: list[PairRoutes] = Field(default_factory=list)

    @property
    def unlisted_routes(self) -> int:
        """Routes that exist but are not in ``paths`` (a lower bound when a count is not exact)."""
        return sum(p.routes - p.listed for p in self.pairs)
