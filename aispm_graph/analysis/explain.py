"""The risk arithmetic of one path, factor by factor (``aispm show PATH_ID --explain``).

The path's own factors are replayed in the order :func:`aispm_graph.analysis.risk.score_path`
applied them: likelihood factors multiply, the first impact factor (the target class) is the
base and the others add, both are clamped, then
``score = round(100 x impact x (SCORE_FLOOR + SCORE_SLOPE x likelihood))``. The replay must give
the score the engine reported; if it ever did not, the explanation says so instead of
presenting arithmetic that does not add up.
"""

from __future__ import annotations

from pydantic import BaseModel

from aispm_graph.analysis.models import AttackPath
from aispm_graph.analysis.risk import LEVELS, SCORE_FLOOR, SCORE_SLOPE, level_for


class Step(BaseModel):
    factor: str
    kind: str
    operation: str
    value: float
    running: float
    detail: str


class Explanation(BaseModel):
    path: str
    steps: list[Step]
    likelihood: float
    impact: float
    formula: str
    score: int
    level: str
    thresholds: dict[str, int]
    reported_score: int
    consistent: bool


def explain(path: AttackPath) -> Explanation:
    steps: list[Step] = []
    likelihood = 1.0
    for f in path.risk.factors:
        if f.kind != "likelihood":
            continue
        likelihood *= f.value
        steps.append(
            Step(
                factor=f.name,
                kind="likelihood",
                operation="x",
                value=f.value,
                running=likelihood,
                detail=f.detail,
            )
        )
    likelihood = max(0.0, min(1.0, likelihood))
    impact = 0.0
    first = True
    for f in path.risk.factors:
        if f.kind != "impact":
            continue
        impact = f.value if first else impact + f.value
        steps.append(
            Step(
                factor=f.name,
                kind="impact",
                operation="=" if first else "+",
                value=f.value,
                running=impact,
                detail=f.detail,
            )
        )
        first = False
    impact = max(0.05, min(1.0, impact))
    raw = 100 * impact * (SCORE_FLOOR + SCORE_SLOPE * likelihood)
    score = round(raw)
    formula = (
        f"score = round(100 x impact x ({SCORE_FLOOR} + {SCORE_SLOPE} x likelihood)) = "
        f"round(100 x {impact:.4f} x ({SCORE_FLOOR} + {SCORE_SLOPE} x {likelihood:.4f})) = "
        f"round({raw:.3f}) = {score}"
    )
    return Explanation(
        path=path.id,
        steps=steps,
        likelihood=likelihood,
        impact=impact,
        formula=formula,
        score=score,
        level=level_for(score),
        thresholds={level: bound for bound, level in LEVELS},
        reported_score=path.risk.score,
        consistent=score == path.risk.score and level_for(score) == path.risk.level,
    )
