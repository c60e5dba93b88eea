"""Opening the program and acting as a logged-in account for one command."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager

from supervise.cli.common import (
    EXIT_LOGIN,
    CliError,
    Terminal,
    read_password,
    settings_for,
)
from supervise.services import accounts
from supervise.services.accounts import UserSession
from supervise.services.context import ProgramContext, open_program
from supervise.settings import Settings


@contextmanager
def opened(settings: Settings) -> Iterator[ProgramContext]:
    """The opened program, its engine disposed afterwards.

    Raises:
        ServiceError: No program here, a schema mismatch, or no host secrets.
    """
    ctx = open_program(settings)
    try:
        yield ctx
    finally:
        ctx.engine.dispose()


@contextmanager
def logged_in(
    ctx: ProgramContext, args: argparse.Namespace, term: Terminal
) -> Iterator[UserSession]:
    """Log in as `--as` for the length of the block, then log off.

    The login is audited and counts toward lockout, as in the TUI.

    Raises:
        LoginFailed, AccountLocked, AccountDisabled: From the login.
        CliError: The account still has a one-time password.
    """
    password = read_password(
        term, f"Password for {args.as_user}: ", from_stdin=args.password_stdin
    )
    user = accounts.login(ctx, args.as_user, password)
    del password
    try:
        if user.must_change_password:
            raise CliError(
                f"{args.as_user} still has a one-time password: choose a "
                f"password first (supervise password --as {args.as_user}, "
                "or log in to the TUI)",
                EXIT_LOGIN,
            )
        yield user
    finally:
        accounts.logoff(ctx, user)


@contextmanager
def acting(
    args: argparse.Namespace, term: Terminal
) -> Iterator[tuple[ProgramContext, UserSession]]:
    """Settings, opened program and login in one step, for user commands."""
    with opened(settings_for(args, term)) as ctx, logged_in(ctx, args, term) as user:
        yield ctx, user
