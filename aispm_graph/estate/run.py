"""Resumable whole-estate runs: many accounts or subscriptions into one snapshot.

Each scope (an AWS account, an Azure subscription) is written to the snapshot as its own
source the moment it finishes, and the run file ``<workspace>/<provider>-estate-run.json``
lists the scopes stored so far. So an interruption loses only the scopes in flight:
``--resume`` skips what the last run stored (after Ctrl-C, a kill, or failures) and collects
the rest. Ctrl-C and SIGTERM stop the run at once with exit 130 and say so; the workers of
the providers are daemon threads, so the process does not wait for scopes in flight.
Writes happen on the calling thread only, so the run file is never written by two threads.
"""

from __future__ import annotations

import contextlib
import json
import signal
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aispm_graph.atomic import atomic_write_text
from aispm_graph.workspace import Workspace


class EstateError(Exception):
    """The estate cannot be collected as asked (unreadable run state, no scope collected):
    the CLI's exit 2 with this message."""


class EstateInterrupted(Exception):
    """Ctrl-C or SIGTERM after storing what was finished; the message says how to continue
    (the CLI's exit 130)."""


def _quiet(_message: str) -> None:
    return None


@dataclass
class EstateRun:
    workspace: Workspace
    provider: str
    state: dict[str, Any] = field(default_factory=dict)

    @property
    def path(self) -> Path:
        return self.workspace.root / f"{self.provider}-estate-run.json"

    @classmethod
    def start(
        cls,
        workspace: Workspace,
        provider: str,
        mode: str,
        resume: bool,
        noun: str,
        log: Callable[[str], None] = _quiet,
    ) -> EstateRun:
        """A new run, or with ``resume`` the last one of the same mode, continued."""
        run = cls(workspace, provider)
        previous = run._load()
        if resume:
            # The last run's stored scopes are skipped, whether it was interrupted or finished
            # with failures: either way only what it did not store is collected now.
            if previous and previous.get("mode") == mode:
                run.state = {**previous, "finished": False}
                log(f"resuming run {run.state['run']}: {len(run.done)} {noun}(s) already stored")
            else:
                log(f"no earlier run to resume; collecting every {noun}")
        if not run.state:
            run.state = {"run": uuid.uuid4().hex[:12], "mode": mode, "finished": False, "done": []}
        return run

    @property
    def id(self) -> str:
        return str(self.state["run"])

    @property
    def done(self) -> set[str]:
        return set(self.state.get("done", []))

    def _load(self) -> dict[str, Any] | None:
        if not self.path.exists():
            return None
        try:
            data: dict[str, Any] = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise EstateError(
                f"{self.path}: unreadable run state ({exc}); delete it to start over"
            ) from None
        return data

    def save(self) -> None:
        self.workspace.root.mkdir(parents=True, exist_ok=True)
        atomic_write_text(self.path, json.dumps(self.state, indent=2, sort_keys=True))

    def stored(self, scope: str) -> None:
        """Call after the scope's documents are in the snapshot."""
        self.state["done"] = sorted({*self.state["done"], scope})
        self.save()

    def finish(self) -> None:
        self.state["finished"] = True
        self.save()

    @contextlib.contextmanager
    def interruptible(self, snapshot_id: str, noun: str) -> Iterator[None]:
        """Turn Ctrl-C / SIGTERM while storing into exit 130 with how to continue."""
        try:
            with _sigterm_interrupts():
                yield
        except KeyboardInterrupt:
            # Every scope finished so far is stored (each in one atomic write) and listed in
            # the run file; the scopes in flight are dropped and --resume collects them.
            raise EstateInterrupted(
                f"{len(self.done)} {noun}(s) stored in snapshot {snapshot_id}; run the same "
                "command with --resume to collect the rest"
            ) from None


@contextlib.contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """SIGTERM (a CI job cancelled, a container stopped) ends the run like Ctrl-C does."""

    def interrupt(_signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread (an embedding program): leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
