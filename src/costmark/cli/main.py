"""The ``costmark`` command. Each command group lives in its own module and registers here."""

from __future__ import annotations

import functools
import os
import sys
from typing import Annotated

import typer
from rich.markup import escape

from costmark import api
from costmark.cli.options import FormatOpt, OutputFormat, WorkspaceOpt
from costmark.cli.output import emit, err_console
from costmark.errors import CostmarkError

app = typer.Typer(
    name="costmark",
    help="FinOps performance tracking and benchmarking on FOCUS cost data.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["--help", "-h"]},
)


@app.command()
def init(
    directory: Annotated[
        str | None, typer.Argument(help="Folder to create (default: workspace).")
    ] = None,
    workspace: WorkspaceOpt = None,
    force: Annotated[bool, typer.Option(help="Overwrite an existing costmark.yaml.")] = False,
) -> None:
    """Create a workspace: costmark.yaml with commented defaults and the DuckDB warehouse."""
    ws = api.init_workspace(directory or workspace, force=force)
    err_console.print(f"[green]workspace ready[/green] at {escape(str(ws.root))}")
    ws.close()


@app.command()
def info(workspace: WorkspaceOpt = None, fmt: FormatOpt = OutputFormat.table) -> None:
    """Show the workspace: schema version, rows, dimensions and metrics."""
    with api.open_workspace(workspace, read_only=True) as ws:
        emit(ws.info(), fmt, title="workspace")


@functools.cache
def _register() -> None:
    """Attach the command groups, once per process; each import is one subsystem's CLI.

    Once: ``run()`` is also called in-process (tests, embedding), and Typer appends what it is
    given, so every call used to add all groups again and each later call built a larger app
    (after a few hundred calls in one test worker, 14 s per command instead of 0.3 s)."""
    from costmark.cli import commands

    commands.register(app)


def run() -> None:
    """Entry point: map costmark errors to exit codes (1 input, 2 usage) with a clear message."""
    _register()
    try:
        code = app(standalone_mode=False)
        # Without standalone mode click returns typer.Exit's code instead of exiting.
        if isinstance(code, int) and code:
            sys.exit(code)
    except CostmarkError as exc:
        # escape: messages carry literal brackets, e.g. pip install 'costmark[spark]'
        err_console.print(f"[bold red]error:[/bold red] {escape(str(exc))}", highlight=False,
                          markup=True)
        sys.exit(exc.exit_code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        err_console.print("aborted")
        sys.exit(130)
    except Exception as exc:
        # Usage errors from the (vendored) click parser: show them the usual way, exit 2.
        show = getattr(exc, "show", None)
        code = getattr(exc, "exit_code", None)
        if callable(show) and isinstance(code, int):
            show()
            sys.exit(code)
        unexpected(exc)


#: Set to show the traceback of an unexpected failure instead of the one-line message.
DEBUG_ENV = "COSTMARK_DEBUG"


def unexpected(exc: Exception) -> None:
    """An exception costmark did not raise on purpose: one line and exit 1, never a traceback
    in front of a user. Why not hide it everywhere: under pytest (or with COSTMARK_DEBUG=1)
    it is re-raised, so a genuine bug still fails its test loudly, with the traceback."""
    if os.environ.get(DEBUG_ENV) or "PYTEST_CURRENT_TEST" in os.environ:
        raise exc
    first = (str(exc).strip().splitlines() or [""])[0][:500]
    err_console.print(
        f"[bold red]error:[/bold red] unexpected failure ({escape(type(exc).__name__)}: "
        f"{escape(first)}). If the input looks right, this is a costmark bug: rerun with "
        f"{DEBUG_ENV}=1 for the traceback and report it.",
        highlight=False,
        markup=True,
    )
    sys.exit(1)
