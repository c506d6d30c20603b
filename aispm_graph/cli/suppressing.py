"""Finding and applying the suppressions file for the commands that honour it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from aispm_graph.analysis.models import AttackPath
from aispm_graph.analysis.suppressions import (
    FILE_NAME,
    SuppressionError,
    Suppressions,
    load,
    split,
)
from aispm_graph.cli.errors import UserError
from aispm_graph.cli.groups import App
from aispm_graph.recommendations.catalogue import checks_by_id
from aispm_graph.textsafe import safe

F = TypeVar("F", bound=Callable[..., Any])


def option_suppressions(fn: F) -> F:
    return click.option(
        "--suppressions",
        "suppressions_file",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help=f"Reviewed-risk file (default: {FILE_NAME} in the workspace, if present).",
    )(fn)


def load_suppressions(app: App, explicit: Path | None) -> Suppressions | None:
    path = explicit
    if path is None:
        candidate = app.workspace.root / FILE_NAME
        if not candidate.exists():
            return None
        path = candidate
    elif not path.exists():
        raise UserError(f"--suppressions: {path} does not exist")
    try:
        return load(path, checks_by_id())
    except SuppressionError as exc:
        raise UserError(str(exc)) from None


def mute_paths(
    sup: Suppressions | None, paths: list[AttackPath]
) -> tuple[list[AttackPath], list[dict[str, Any]]]:
    """Paths kept and the muted ones as ``{id, reason, line}`` rows for the output."""
    if sup is None:
        return paths, []
    kept, muted = split(paths, lambda p: sup.match_path(p.id))
    return kept, [
        {"id": p.id, "title": p.title, "level": p.risk.level, "reason": e.reason, "line": e.line}
        for p, e in muted
    ]


def report_notes(app: App, sup: Suppressions | None, scopes: tuple[str, ...]) -> list[str]:
    if sup is None:
        return []
    notes = sup.notes(scopes)
    for n in notes:
        app.err.print(f"[yellow]suppressions:[/yellow] {safe(n)}", markup=True, highlight=False)
    return notes
