"""Exclusive ``flock`` waits shared by the workspace and the vulnerability database.

Both are written by several aispm processes at once on a busy machine (a nightly job and a
person, or five imports started by a script); a second writer waits instead of failing, says
once on stderr that it waits, and gives up after ``AISPM_LOCK_TIMEOUT`` seconds with a message
that names what was busy.
"""

from __future__ import annotations

import fcntl
import os
import sys
import time

ENV_LOCK_TIMEOUT = "AISPM_LOCK_TIMEOUT"
DEFAULT_LOCK_TIMEOUT = 120.0
POLL_SECONDS = 0.05


class LockBusy(Exception):
    """Another process held the lock for the whole wait."""


def lock_timeout() -> float:
    """Seconds to wait for a writer lock: ``$AISPM_LOCK_TIMEOUT``, else the default (also
    when the variable is not a number: a typo there must not make aispm wait forever)."""
    try:
        return float(os.environ.get(ENV_LOCK_TIMEOUT) or DEFAULT_LOCK_TIMEOUT)
    except ValueError:
        return DEFAULT_LOCK_TIMEOUT


def wait_for_flock(fd: int, timeout: float, what: str) -> None:
    """Take an exclusive ``flock`` on ``fd``, waiting up to ``timeout`` seconds.

    ``what`` names the busy thing in both messages ("this workspace (/path)").
    """
    deadline = time.monotonic() + timeout
    said = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        if time.monotonic() >= deadline:
            raise LockBusy(
                f"another aispm is writing {what}; waited {timeout:g}s. Try again when it "
                f"has finished (or raise {ENV_LOCK_TIMEOUT})"
            )
        if not said:
            sys.stderr.write(
                f"aispm: another aispm is writing {what}; waiting up to {timeout:g}s\n"
            )
            said = True
        time.sleep(POLL_SECONDS)
