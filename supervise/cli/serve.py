"""`supervise serve`: run the SSH server in the foreground until stopped.

It prints where it listens and the host key's fingerprint (for people to
compare when `ssh` first asks), then logs one line per connection event on
standard error (event codes, account ids, addresses: never names), which
journald keeps and fail2ban can read. ctrl+c or SIGTERM ends every session
(their apps log off) and stops.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
from typing import TextIO

from supervise.cli.common import EXIT_OK, CliError, Terminal, settings_for
from supervise.cli.program import opened
from supervise.services.context import ProgramContext
from supervise.settings import Settings

LOG_FORMAT = "%(asctime)s supervise-ssh %(levelname)s %(message)s"


def serve(args: argparse.Namespace, term: Terminal) -> int:
    """Serve SSH on --host/--port (the settings' by default)."""
    settings = settings_for(args, term)
    if args.port is not None and not 0 <= args.port <= 65535:
        raise CliError("--port must be between 0 and 65535")
    handler = _log_to(term.stderr)
    try:
        with opened(settings) as ctx:
            asyncio.run(_serve(ctx, settings, args, term))
    finally:
        logging.getLogger("supervise.ssh").removeHandler(handler)
    term.note("supervise: the SSH server stopped")
    return EXIT_OK


def _log_to(stream: TextIO) -> logging.Handler:
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    logger = logging.getLogger("supervise.ssh")
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    return handler


async def _serve(
    ctx: ProgramContext, settings: Settings, args: argparse.Namespace, term: Terminal
) -> None:
    from supervise.ssh.hostkey import HostKeyError
    from supervise.ssh.server import start_server

    host = args.host or settings.ssh_host
    try:
        server = await start_server(ctx, settings, host=host, port=args.port)
    except HostKeyError as exc:
        raise CliError(str(exc)) from None
    except OSError as exc:
        raise CliError(f"cannot listen on {host}: {exc.strerror or exc}") from None
    term.say(f"listening on {host} port {server.port}")
    term.say(f"host key {server.fingerprint}")
    term.stdout.flush()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
        await server.close()
