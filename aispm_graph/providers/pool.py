"""A bounded pool over accounts / subscriptions that an interruption does not wait for.

Whole-estate collection runs one scope (an AWS account, an Azure subscription) per worker and
stores each result as it lands. The workers are daemon threads rather than an executor's:
when the run is interrupted (Ctrl-C, SIGTERM), the caller stops at once with every finished
scope already stored, instead of waiting for the scopes in flight, which ``--resume``
collects again anyway.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar, cast

T = TypeVar("T")
R = TypeVar("R")


def run_pool(items: Iterable[T], fn: Callable[[T], R], max_workers: int) -> Iterator[R]:
    """``fn`` over ``items`` on at most ``max_workers`` threads, yielding results as they
    finish (not in order). An exception in ``fn`` is raised in the caller's thread."""
    todo = list(items)
    jobs: queue.SimpleQueue[T] = queue.SimpleQueue()
    for item in todo:
        jobs.put(item)
    results: queue.SimpleQueue[tuple[R | None, BaseException | None]] = queue.SimpleQueue()
    stop = threading.Event()

    def worker() -> None:
        while not stop.is_set():
            try:
                item = jobs.get_nowait()
            except queue.Empty:
                return
            try:
                results.put((fn(item), None))
            except BaseException as exc:  # handed to the caller's thread, never lost
                results.put((None, exc))

    threads = [
        threading.Thread(target=worker, name=f"aispm-scope-{i}", daemon=True)
        for i in range(max(1, min(max_workers, len(todo))))
    ]
    for t in threads:
        t.start()
    try:
        for _ in todo:
            got, exc = results.get()
            if exc is not None:
                raise exc
            yield cast(R, got)  # None only comes with an exception
    finally:
        stop.set()
