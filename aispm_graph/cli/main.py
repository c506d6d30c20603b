"""Entry point: load every command module and map errors to the documented exit codes.

0 success; 1 a ``--fail-on`` gate was met; 2 usage or input error (a message that names the
problem, no traceback unless ``--debug``); 3 an internal error, which is a bug to report.
"""

from __future__ import annotations

import sys

import click

from aispm_graph.cli import commands
from aispm_graph.cli.errors import GateFailed, Interrupted, UserError
from aispm_graph.cli.groups import root
from aispm_graph.graph.fileformat import GraphFileError
from aispm_graph.plugins import import_submodules
from aispm_graph.workspace import WorkspaceError

import_submodules(commands)

EXIT_GATE, EXIT_USAGE, EXIT_INTERNAL = 1, 2, 3


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    try:
        root.main(args=args, prog_name="aispm", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except Interrupted as exc:
        click.echo(f"aispm: interrupted: {exc}", err=True)
        sys.exit(130)
    except click.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(EXIT_USAGE)
    except GateFailed as exc:
        click.echo(f"aispm: {exc}", err=True)
        sys.exit(EXIT_GATE)
    except (UserError, WorkspaceError, GraphFileError) as exc:
        if debug:
            raise
        click.echo(f"aispm: error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    except BrokenPipeError:
        sys.exit(0)
    except Exception as exc:
        if debug:
            raise
        click.echo(
            f"aispm: internal error: {type(exc).__name__}: {exc} (rerun with --debug for a "
            "traceback and report it)",
            err=True,
        )
        sys.exit(EXIT_INTERNAL)
    sys.exit(0)


if __name__ == "__main__":
    main()
