"""Entry point: load every command module and map errors to the documented exit codes.

0 success; 1 a ``--fail-on`` gate was met; 2 usage or input error (a message that names the
problem, no traceback unless ``--debug``); 3 an internal error, which is a bug to report;
130 interrupted (Ctrl-C or SIGTERM, at any moment from start-up on), with one line on stderr
and whatever was already stored kept.

Nothing but ``sys`` and the C ``_signal`` module is imported before the handlers are in
place: loading the command modules pulls in the SDKs and takes long enough for a Ctrl-C to
land in it, and that must end with the same one line as an interrupt later on, not an import
traceback. Even ``signal`` (which imports ``enum``) and ``typing`` cost tens of milliseconds
on a cold start, in which a SIGTERM would kill the process silently (exit 143); what is left
is the interpreter's own start-up, before any aispm code runs.
"""

from __future__ import annotations

import _signal  # type: ignore[import-not-found, unused-ignore]
import sys

EXIT_GATE, EXIT_USAGE, EXIT_INTERNAL, EXIT_INTERRUPTED = 1, 2, 3, 130


def _terminate(_signum: int, _frame: object) -> None:
    """SIGTERM (a CI job cancelled, a container stopped) ends the run like Ctrl-C does."""
    raise KeyboardInterrupt


def _install_signal_handlers() -> None:
    try:
        _signal.signal(_signal.SIGTERM, _terminate)
        _signal.signal(_signal.SIGINT, _signal.default_int_handler)
    except ValueError:  # not the main thread (an embedding program): leave signals alone
        pass


def _interrupted(message: str = "interrupted") -> None:
    try:
        sys.stderr.write(f"aispm: {message}\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    sys.exit(EXIT_INTERRUPTED)


def main(argv: list[str] | None = None) -> None:
    _install_signal_handlers()
    try:
        _main(argv)
    except KeyboardInterrupt:
        _interrupted()


def _main(argv: list[str] | None) -> None:
    import click

    from aispm_graph.atomic import OutputError
    from aispm_graph.cli.errors import GateFailed, Interrupted, UserError
    from aispm_graph.cli.groups import root
    from aispm_graph.cli.lazy import preload
    from aispm_graph.estate.run import EstateError, EstateInterrupted
    from aispm_graph.textsafe import clean_line
    from aispm_graph.workspace import WorkspaceError

    args = sys.argv[1:] if argv is None else argv
    preload(args)
    debug = "--debug" in args
    try:
        root.main(args=args, prog_name="aispm", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except (Interrupted, EstateInterrupted) as exc:
        click.echo(f"aispm: interrupted: {clean_line(str(exc))}", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except click.Abort:
        _interrupted()
    except click.ClickException as exc:
        exc.show()
        sys.exit(EXIT_USAGE)
    except GateFailed as exc:
        click.echo(f"aispm: {clean_line(str(exc))}", err=True)
        sys.exit(EXIT_GATE)
    except (UserError, WorkspaceError, OutputError, EstateError) as exc:
        if debug:
            raise
        click.echo(f"aispm: error: {clean_line(str(exc))}", err=True)
        sys.exit(EXIT_USAGE)
    except BrokenPipeError:
        sys.exit(0)
    except Exception as exc:
        if debug:
            raise
        if _is_graph_file_error(exc):
            click.echo(f"aispm: error: {clean_line(str(exc))}", err=True)
            sys.exit(EXIT_USAGE)
        click.echo(
            f"aispm: internal error: {type(exc).__name__}: {clean_line(str(exc))} (rerun with "
            "--debug for a traceback and report it)",
            err=True,
        )
        sys.exit(EXIT_INTERNAL)
    sys.exit(0)


if __name__ == "__main__":
    main()


def _is_graph_file_error(exc: Exception) -> bool:
    """A bad graph file is the user's to fix (exit 2). Checked without importing the graph
    file module (and NetworkX) at start: if it was never imported, it raised nothing."""
    fileformat = sys.modules.get("aispm_graph.graph.fileformat")
    return fileformat is not None and isinstance(exc, fileformat.GraphFileError)
