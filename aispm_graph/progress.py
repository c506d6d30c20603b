"""Progress of long work, reported by library code that does not know how it is shown.

Collectors, the build, exporters and importers take a :class:`Reporter` and open one
:class:`Task` per unit of work they can count (accounts, subscriptions, batches, files). The
CLI passes a reporter that draws Rich progress bars on stderr (``aispm_graph.cli.progress``);
the Python API and tests get :data:`NULL`, which draws nothing. So the library never imports
Rich, and whether progress is shown (a terminal, no ``--quiet``, no ``NO_COLOR``, not
``--format json``) is decided in one place.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Protocol, TypeVar

T = TypeVar("T")


class Task(Protocol):
    """One counted piece of work: ``total`` items, of which some are done and some failed."""

    def advance(self, step: int = 1, *, failed: int = 0) -> None:
        """``step`` more items are finished; ``failed`` of them did not succeed."""
        ...

    def update(
        self, *, completed: int | None = None, total: int | None = None, detail: str | None = None
    ) -> None:
        """Set the count done, the total (once it is known) or the line under way."""
        ...

    def close(self) -> None:
        """The work is over (finished or abandoned); the bar goes away."""
        ...


class Reporter(Protocol):
    def task(self, description: str, total: int | None = None) -> Task:
        """Start a task; ``total`` may be unknown (``None``) until :meth:`Task.update`."""
        ...


class _NullTask:
    def advance(self, step: int = 1, *, failed: int = 0) -> None:
        pass

    def update(
        self, *, completed: int | None = None, total: int | None = None, detail: str | None = None
    ) -> None:
        pass

    def close(self) -> None:
        pass


class NullReporter:
    """Shows nothing: the default for library calls."""

    def task(self, description: str, total: int | None = None) -> Task:
        return _NullTask()


NULL: Reporter = NullReporter()


@contextmanager
def task(reporter: Reporter | None, description: str, total: int | None = None) -> Iterator[Task]:
    """A task that is closed however the block ends."""
    t = (reporter or NULL).task(description, total)
    try:
        yield t
    finally:
        t.close()


def track(
    reporter: Reporter | None, items: Iterable[T], description: str, total: int | None = None
) -> Iterator[T]:
    """Iterate ``items``, advancing one task by one per item."""
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    with task(reporter, description, total) as t:
        for item in items:
            yield item
            t.advance()
