"""The `planner` command: one group, one module per command, engines imported lazily.

Exit codes: 0 success, 2 bad input, 3 infeasible problem, 1 internal error, 130 Ctrl-C.
Results go to stdout, logs and progress to stderr. Bad input prints one sentence naming the
file and the row or field; a traceback only with ``--debug``. Python warnings (NumPy's
RuntimeWarning and the like) go to the log at DEBUG level, shown with ``--debug``. A reader
that stops early (``planner sites list | head -1``) ends the command quietly with exit 0.
A usage error (unknown option, value out of range) is one line too, pointing at the command's
``--help``; ``planner`` or a group alone prints its help with exit 0.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib
import io
import logging
import os
import signal
import sys
import traceback
import warnings
from collections.abc import Iterator
from typing import Any, NoReturn

import click

from planner import __version__

EXIT_OK = 0
EXIT_BUG = 1
EXIT_BAD_INPUT = 2
EXIT_INFEASIBLE = 3
EXIT_STOPPED = 130


class LazyGroup(click.Group):
    """A click group whose commands live in their own modules, imported only when run.

    ``lazy`` maps a command name to ``"module:attribute"``; ``--help`` of the group stays fast.
    """

    def __init__(self, *args: Any, lazy: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.lazy:
            module_name, attribute = self.lazy[name].split(":")
            return getattr(importlib.import_module(module_name), attribute)
        return super().get_command(ctx, name)


@click.group(
    cls=LazyGroup,
    lazy={
        "optimize": "planner.cli.cmd_optimize:optimize",
        "evaluate": "planner.cli.cmd_evaluate:evaluate",
        "pareto": "planner.cli.cmd_pareto:pareto",
        "sweep": "planner.cli.cmd_sweep:sweep",
        "pue": "planner.cli.cmd_pue:pue",
        "climate": "planner.cli.cmd_climate:climate",
        "sites": "planner.cli.cmd_sites:sites",
        "scenario": "planner.cli.cmd_scenario:scenario",
        "data": "planner.cli.cmd_data:data",
        "report": "planner.cli.cmd_report:report",
        "gui": "planner.cli.cmd_gui:gui",
    },
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, "--version", "-V", prog_name="planner")
@click.option("--debug", is_flag=True, help="Show tracebacks and debug logs.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Decide where to build data centres for a GPU fleet.

    Evaluates candidate sites on cost, carbon, water, latency, risk and time to power,
    ranks them, and splits the fleet across them at the lowest total cost.
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug
    import logging

    logging.basicConfig(
        level=logging.DEBUG if debug else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


def main(argv: list[str] | None = None) -> NoReturn:
    """Console entry point: run the command, map errors to exit codes, end the process."""
    try:
        code = run(argv)
    except KeyboardInterrupt:  # a second Ctrl-C while the first one was being reported
        code = EXIT_STOPPED
    _exit(code)


def _exit(code: int) -> NoReturn:
    """End the process with ``code``; a Ctrl-C up to the very end still means 130, "Stopped."

    Python's own exit puts SIGINT back to the system default and then tears every module down
    (about 0.15 s with pandas, SciPy and GDAL loaded): a Ctrl-C then killed the process by the
    signal, with no "Stopped.". Here a Ctrl-C is noted while the output is flushed and the
    exit functions run (logging, multiprocessing), and the process ends without the teardown.
    """
    stops: list[int] = []
    signal.signal(signal.SIGINT, lambda signum, frame: stops.append(signum))
    try:
        sys.stdout.flush()  # here, not at interpreter exit, where a closed pipe is reported
    except BrokenPipeError:
        _detach_stdout()
    atexit._run_exitfuncs()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the code is decided from here on
    if stops and code != EXIT_STOPPED:
        code = _stopped()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)


def _stopped() -> int:
    click.echo("Stopped.", err=True)
    return EXIT_STOPPED


def run(argv: list[str] | None = None) -> int:
    """Run the command line ``argv`` (default: ``sys.argv[1:]``) and return its exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        with warnings_to_log():
            return _run(args, debug="--debug" in args)
    except KeyboardInterrupt:
        # Between the handlers of _run: while an error is printed, or warnings are restored.
        return _stopped()


@contextlib.contextmanager
def warnings_to_log() -> Iterator[None]:
    """Send Python warnings to the ``py.warnings`` logger at DEBUG instead of the terminal.

    A RuntimeWarning from NumPy says nothing a user can act on; with ``--debug`` it is shown.
    Exceptions are untouched.
    """
    previous = warnings.showwarning
    warnings.showwarning = _log_warning
    try:
        yield
    finally:
        warnings.showwarning = previous


def _log_warning(message, category, filename, lineno, file=None, line=None) -> None:  # noqa: ANN001
    logging.getLogger("py.warnings").debug(
        "%s:%s: %s: %s", filename, lineno, category.__name__, message
    )


def _detach_stdout() -> None:
    """Point stdout at the null device, so nothing more is written to a closed pipe.

    Python's own advice for SIGPIPE-free programs: without it the interpreter's final flush
    reports "Exception ignored ... BrokenPipeError" on stderr.
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, io.UnsupportedOperation):
        pass  # not a real file (a test's capture): nothing will flush to a pipe


# click 8.2 raises this for a group called without a command; older click printed the help
# and raised Exit(0) itself.
_NO_ARGS_IS_HELP = getattr(click.exceptions, "NoArgsIsHelpError", ())


def usage_error_line(exc: click.ClickException) -> str:
    """click's message on one line, with a pointer to the command's help for usage errors.

    ``Error: Invalid value for '--workers': 0 is not in the range x>=1 (see 'planner
    optimize --help').`` A list of choices click spreads over lines is joined into one.
    """
    message = " ".join(exc.format_message().split())
    ctx = getattr(exc, "ctx", None)
    if not isinstance(exc, click.UsageError) or ctx is None:
        return f"Error: {message}"
    hint = f"(see '{ctx.command_path} --help')"
    if message.endswith("?"):  # "Did you mean '--out'?" ends its own sentence
        return f"Error: {message} {hint}"
    return f"Error: {message.rstrip('.')} {hint}."


def _run(args: list[str], *, debug: bool) -> int:
    from planner.errors import CancelledError, InputError

    try:
        # make_context and invoke rather than cli.main: main turns a closed pipe into exit 1.
        with cli.make_context("planner", args) as ctx:
            result = cli.invoke(ctx)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.exceptions.Abort:
        return _stopped()
    except _NO_ARGS_IS_HELP as exc:
        # `planner` or `planner sites` alone: the help the user was after, as with --help.
        click.echo(exc.ctx.get_help())
        return EXIT_OK
    except click.ClickException as exc:
        # Usage errors (unknown option, missing argument) are bad input too: one line, as
        # every other bad input, instead of click's usage block.
        click.echo(usage_error_line(exc), err=True)
        return EXIT_BAD_INPUT
    except InputError as exc:
        if debug:
            traceback.print_exc()
        click.echo(f"Error: {exc}", err=True)
        return EXIT_BAD_INPUT
    except (CancelledError, KeyboardInterrupt):
        return _stopped()
    except BrokenPipeError:
        _detach_stdout()
        return EXIT_OK
    except Exception as exc:  # noqa: BLE001 - the last line of defence: a bug, said plainly
        if debug:
            traceback.print_exc()
        click.echo(
            f"Internal error: {type(exc).__name__}: {exc}. Run again with --debug for details "
            "and report it.",
            err=True,
        )
        return EXIT_BUG
    if isinstance(result, int) and not isinstance(result, bool):
        return result
    return EXIT_OK
