"""Errors the CLI turns into exit codes and one clear message."""

from __future__ import annotations


class UserError(Exception):
    """Bad usage or bad input: exit 2 with this message, no traceback."""


class GateFailed(Exception):
    """A ``--fail-on`` threshold was met: exit 1 after the normal output."""


class Interrupted(Exception):
    """The run was interrupted (Ctrl-C, SIGTERM) after saving what it had: exit 130 with this
    message, which says how to continue."""
