"""Rich progress bars on stderr for the library's :class:`~aispm_graph.progress.Reporter`.

Bars show counts done of total, failures so far and the time left, and vanish when the work
ends (``transient``), so what stays on the terminal is the command's final table. They are off
when stderr is not a terminal, with ``--quiet``, with ``NO_COLOR`` set, and under ``--format
json`` (a machine is reading; nothing but the JSON should move).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)

from aispm_graph.cli.groups import App
from aispm_graph.progress import NULL, Reporter, Task


class _RichTask:
    def __init__(self, bar: Progress, task_id: TaskID) -> None:
        self._bar = bar
        self._id = task_id
        self._failed = 0

    def advance(self, step: int = 1, *, failed: int = 0) -> None:
        self._failed += failed
        if failed:
            self._bar.update(self._id, failed=f"[red]{self._failed} failed[/red]")
        self._bar.advance(self._id, step)
        if failed:
            # A failure is drawn at once, not at the next timed refresh: a quick task could
            # otherwise end first, and the person watching would never see that work failed.
            self._bar.refresh()

    def update(
        self, *, completed: int | None = None, total: int | None = None, detail: str | None = None
    ) -> None:
        if detail is not None:
            self._bar.update(self._id, detail=escape(detail))
        self._bar.update(self._id, completed=completed, total=total)

    def close(self) -> None:
        self._bar.remove_task(self._id)


class RichReporter:
    """Every task of one command as a line of one live display."""

    def __init__(self, console: Console) -> None:
        self.bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[failed]}"),
            TimeRemainingColumn(),
            TextColumn("left"),
            TextColumn("[dim]{task.fields[detail]}"),
            console=console,
            transient=True,
        )

    def task(self, description: str, total: int | None = None) -> Task:
        task_id = self.bar.add_task(escape(description), total=total, failed="", detail="")
        self.bar.refresh()  # every task is seen at least once, however quick
        return _RichTask(self.bar, task_id)


def wanted(app: App, fmt: str | None = None) -> bool:
    return app.show_progress and fmt != "json"


@contextmanager
def progress_reporter(app: App, fmt: str | None = None) -> Iterator[Reporter]:
    """Bars for this command's work when a person is watching; :data:`NULL` otherwise."""
    if not wanted(app, fmt):
        yield NULL
        return
    reporter = RichReporter(app.err)
    with reporter.bar:
        yield reporter
