"""The root command and the command groups that provider and feature modules extend.

Command modules under :mod:`aispm_graph.cli.commands` define ``register(root)`` or attach
subcommands to ``collect``, ``import_`` and ``export`` below.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console

from aispm_graph import __version__
from aispm_graph.cli.lazy import EagerGroup, LazyGroup
from aispm_graph.textsafe import SafeConsole
from aispm_graph.workspace import Workspace


@dataclass
class App:
    """What every command gets: where the workspace is and how to talk to the user."""

    workspace: Workspace
    quiet: bool = False
    debug: bool = False
    #: The command's ``--format`` (set as the option is parsed); ``json`` means a machine reads.
    output_format: str | None = None
    console: Console = field(
        default_factory=lambda: SafeConsole(highlight=False, soft_wrap=False, emoji=False)
    )
    err: Console = field(
        default_factory=lambda: SafeConsole(stderr=True, highlight=False, emoji=False)
    )

    @property
    def show_progress(self) -> bool:
        """Bars and spinners: only for a person at a terminal who did not ask for quiet
        (``--quiet``), plain output (``NO_COLOR``, https://no-color.org) or JSON (a program
        reads it; nothing else should move on the screen)."""
        return (
            not self.quiet
            and self.output_format != "json"
            and self.err.is_terminal
            and not os.environ.get("NO_COLOR")
        )

    def info(self, message: str) -> None:
        if not self.quiet:
            # Messages carry file names and estate text: printed literally, never as markup.
            self.err.print(message, markup=False, highlight=False)


pass_app = click.make_pass_decorator(App)
F = TypeVar("F", bound=Callable[..., Any])


@click.group(
    cls=LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="aispm")
@click.option(
    "--workspace",
    "-w",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="AISPM_WORKSPACE",
    default=Path(".aispm"),
    show_default=True,
    help="Workspace directory (env AISPM_WORKSPACE).",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bars or informational messages.")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.pass_context
def root(ctx: click.Context, workspace: Path, quiet: bool, debug: bool) -> None:
    """AI security posture management: AI inventory, vulnerabilities and attack paths."""
    ctx.obj = App(workspace=Workspace(workspace), quiet=quiet, debug=debug)


@root.group("collect", cls=EagerGroup)
def collect() -> None:
    """Collect a cloud estate into the workspace snapshot (raw provider responses)."""


@root.group("import", cls=EagerGroup)
def import_() -> None:
    """Import offline files (graph files, scanner reports, SBOMs, exports) into the snapshot."""


@root.group("export", cls=EagerGroup)
def export() -> None:
    """Export the built graph to a file or a graph database."""


def remember_format(ctx: click.Context, _param: click.Parameter, value: str) -> str:
    # Every command's progress decision (App.show_progress) sees the format, so no bar or
    # spinner can draw under --format json, whichever code path starts it.
    app = ctx.find_object(App)
    if app is not None:
        app.output_format = value
    return value


def option_format(*choices: str, default: str = "table") -> Callable[[F], F]:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(choices),
        default=default,
        show_default=True,
        help="Output format.",
        callback=remember_format,
    )
