"""Command modules load when their command runs, not when ``aispm`` starts.

``aispm --help`` and a single command import only what they need: the root group finds a
command's module in :data:`aispm_graph.cli.command_index.COMMANDS` (generated, with each
command's help text, so the command list is printed without importing any module). A name the
index does not know, and every subcommand of ``collect`` / ``import`` / ``export``, loads all
command modules: a new command module works before the index is regenerated, just not lazily.

Regenerate the index after adding or renaming a command (``tests/core/test_cli_lazy.py`` fails
until then)::

    python -m aispm_graph.cli.index_gen
"""

from __future__ import annotations

import importlib
from types import ModuleType

import click

from aispm_graph.cli.command_index import COMMANDS

COMMANDS_PACKAGE = "aispm_graph.cli.commands"


def load_module(name: str) -> ModuleType:
    """Import one command module (a seam the signal-safety tests hook into)."""
    return importlib.import_module(name)


def load_all() -> None:
    """Import every command module, as the CLI did before loading became lazy."""
    from aispm_graph import plugins

    plugins.import_submodules(load_module(COMMANDS_PACKAGE))


def _short_help(short: str, full: str, limit: int) -> str:
    """What the command itself would show, computed by click from the indexed texts."""
    return click.Command(None, help=full or None, short_help=short or None).get_short_help_str(
        limit
    )


def preload(args: list[str]) -> None:
    """Import the module of the command ``args`` name before click runs, as the eager CLI did:
    an interrupt while it loads then ends like any other (click would add a blank line)."""
    for arg in args:
        entry = COMMANDS.get(arg)
        if entry is not None:
            load_module(entry[0])
            if entry[0] == "aispm_graph.cli.groups":
                load_all()
            return


class LazyGroup(click.Group):
    """The root group: imports the module of the command being run, and only that one."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(COMMANDS) | set(self.commands))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands:
            entry = COMMANDS.get(cmd_name)
            if entry is not None:
                load_module(entry[0])
            if cmd_name not in self.commands:
                load_all()
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows: list[tuple[str, str, str]] = []
        for name in self.list_commands(ctx):
            if name in COMMANDS:
                _module, short, full, hidden = COMMANDS[name]
            else:
                cmd = self.get_command(ctx, name)
                if cmd is None:
                    continue
                short, full, hidden = cmd.short_help or "", cmd.help or "", cmd.hidden
            if not hidden:
                rows.append((name, short, full))
        if not rows:
            return
        limit = formatter.width - 6 - max(len(name) for name, _s, _f in rows)
        with formatter.section("Commands"):
            formatter.write_dl([(name, _short_help(s, f, limit)) for name, s, f in rows])


class EagerGroup(click.Group):
    """``collect`` / ``import`` / ``export``: their subcommands come from many modules, so
    asking for one loads them all."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        load_all()
        return super().list_commands(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        load_all()
        return super().get_command(ctx, cmd_name)
