"""Entry point: parse the command line, run one command, turn errors into exits.

Every failure ends as one line on standard error and an exit status; a bug's
traceback goes to the log file, never to the terminal.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import logging
import os
import sys
from collections.abc import Callable
from contextlib import redirect_stdout
from typing import TextIO, cast

from supervise.cli.common import (
    EXIT_FAILED,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    Terminal,
    exit_code_for,
)
from supervise.cli.parser import build_parser
from supervise.logsafe import frames, safe_summary

Handler = Callable[[argparse.Namespace, Terminal], int]

log = logging.getLogger(__name__)


def main(
    argv: list[str] | None = None,
    *,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Run one command and return its exit status.

    Args:
        argv: The arguments after the program name; `sys.argv[1:]` by default.
        stdin: Where `--password-stdin` reads from; `sys.stdin` by default.
        stdout: Where results go; `sys.stdout` by default.
        stderr: Where errors and notes go; `sys.stderr` by default.
    """
    term = Terminal(stdin or sys.stdin, stdout or sys.stdout, stderr or sys.stderr)
    term.quiet_logging()
    try:
        return _dispatch(argv, term)
    except KeyboardInterrupt:
        term.stderr.write("\n")  # end the line the ^C was echoed on
        term.note("supervise: interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return _closed_pipe()
    except Exception as exc:
        return _report(exc, term)
    finally:
        term.stop_logging()


def run() -> None:
    """The console script: harden the process, then `sys.exit(main())`."""
    _no_core_dumps()
    os.umask(0o077)
    sys.exit(main())


def _no_core_dumps() -> None:
    """A core file could hold decrypted keys; ask the kernel not to write one."""
    with contextlib.suppress(ImportError, OSError, ValueError):
        import resource

        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _dispatch(argv: list[str] | None, term: Terminal) -> int:
    parser = build_parser()
    try:
        with redirect_stdout(term.stdout):  # --help and --version
            args = parser.parse_args(argv)
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else EXIT_FAILED
    return _handler(args.handler)(args, term)


def _handler(name: str) -> Handler:
    module_name, _, function = name.partition(":")
    module = importlib.import_module(f"supervise.cli.{module_name}")
    return cast(Handler, getattr(module, function))


def _report(exc: Exception, term: Terminal) -> int:
    """Print the one error line for `exc` and choose the exit status."""
    code = exit_code_for(exc)
    if code is not None:
        term.fail(str(exc))
        return code
    path = term.crash_log()
    if _is_database_error(exc):
        log.error("database error: %s\n%s", safe_summary(exc), frames(exc))
        term.fail(
            "the database could not be reached or refused the request; "
            f"details in {path}"
        )
        return EXIT_FAILED
    log.critical("internal error: %s\n%s", safe_summary(exc), frames(exc))
    term.note(f"supervise: internal error; details in {path}")
    return EXIT_INTERNAL


def _is_database_error(exc: Exception) -> bool:
    """Whether `exc` is the database driver's (unreachable, refused, ...)."""
    sa_exc = sys.modules.get("sqlalchemy.exc")
    return sa_exc is not None and isinstance(exc, sa_exc.DBAPIError)


def _closed_pipe() -> int:
    """The reader went away (`| head`): stop quietly, as other tools do."""
    # So that the interpreter's final flush of stdout does not fail again.
    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 141
