"""`supervise user ...`: accounts, run by an admin logged in with `--as`."""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from pathlib import Path

from supervise.cli.common import (
    EXIT_OK,
    CliError,
    Terminal,
    read_new_password,
    read_password,
    settings_for,
)
from supervise.cli.program import acting, opened
from supervise.crypto.offline import OfflineKeyError, read_offline_key
from supervise.services import accounts
from supervise.services.accounts import AccountView


def _roles(values: Iterable[str]) -> list[str]:
    """`--role a --role b,c` as one list; the service checks each name."""
    return [name for value in values for name in value.split(",") if name.strip()]


def _roles_text(view: AccountView) -> str:
    return ", ".join(str(role) for role in view.roles)


def _one_time(term: Terminal, password: str) -> None:
    term.say(f"one-time password: {password}")
    term.say(
        "It is shown only this once. Give it to the person; they must change "
        "it when they first log in."
    )


def user_add(args: argparse.Namespace, term: Terminal) -> int:
    """Create an account and show its one-time password."""
    with acting(args, term) as (ctx, user):
        view, password = accounts.create_account(
            ctx, user, args.username, args.full_name, _roles(args.role)
        )
    term.say(f"created account {view.username} ({_roles_text(view)})")
    _one_time(term, password)
    return EXIT_OK


def user_list(args: argparse.Namespace, term: Terminal) -> int:
    """List every account, as a table or as JSON."""
    with acting(args, term) as (ctx, user):
        views = accounts.list_accounts(ctx, user)
    if args.json:
        term.write_json([view.as_json() for view in views])
    else:
        term.table(
            ("USERNAME", "FULL NAME", "ROLES", "STATUS", "CREATED"),
            [_account_row(view) for view in views],
        )
    return EXIT_OK


def _account_row(view: AccountView) -> tuple[str, ...]:
    status = []
    if view.disabled:
        status.append("disabled")
    if view.locked_until is not None:
        status.append(f"locked until {view.locked_until:%Y-%m-%d %H:%M}")
    if view.must_change_password:
        status.append("one-time password")
    return (
        view.username,
        view.full_name,
        _roles_text(view),
        ", ".join(status) or "active",
        view.created_at.date().isoformat(),
    )


def user_disable(args: argparse.Namespace, term: Terminal) -> int:
    """Stop an account from logging in."""
    return _set_disabled(args, term, disabled=True)


def user_enable(args: argparse.Namespace, term: Terminal) -> int:
    """Let a disabled account log in again (this also clears a lockout)."""
    return _set_disabled(args, term, disabled=False)


def _set_disabled(args: argparse.Namespace, term: Terminal, *, disabled: bool) -> int:
    with acting(args, term) as (ctx, user):
        view = accounts.set_disabled(ctx, user, args.username, disabled)
    term.say(f"{'disabled' if disabled else 'enabled'} account {view.username}")
    return EXIT_OK


def user_reset(args: argparse.Namespace, term: Terminal) -> int:
    """Give an account a new one-time password (and a new key pair)."""
    with acting(args, term) as (ctx, user):
        view, password = accounts.reset_password(ctx, user, args.username)
    term.say(f"reset the password of {view.username}")
    _one_time(term, password)
    term.say(
        "The account also has a new key pair: recordings shared with it "
        "must be shared again."
    )
    return EXIT_OK


def user_recover(args: argparse.Namespace, term: Terminal) -> int:
    """Give an account a new one-time password and keep its key pair."""
    try:
        recovery_key = read_offline_key(Path(args.recovery_key), "recovery")
    except OfflineKeyError as exc:
        raise CliError(str(exc)) from None
    with acting(args, term) as (ctx, user):
        view, password = accounts.recover_account(
            ctx, user, args.username, recovery_key
        )
    del recovery_key
    term.say(f"recovered the account {view.username}; its key pair is kept")
    _one_time(term, password)
    term.say(
        "Recordings shared with it stay readable. Take the recovery key file "
        "off the server again."
    )
    return EXIT_OK


def user_roles(args: argparse.Namespace, term: Terminal) -> int:
    """Replace an account's roles."""
    with acting(args, term) as (ctx, user):
        view = accounts.set_roles(ctx, user, args.username, _roles(args.role))
    term.say(f"{view.username} now holds: {_roles_text(view)}")
    return EXIT_OK


def change_password(args: argparse.Namespace, term: Terminal) -> int:
    """Change one's own password; the way out of a one-time password."""
    with opened(settings_for(args, term)) as ctx:
        current = read_password(
            term,
            f"Current password for {args.as_user}: ",
            from_stdin=args.password_stdin,
        )
        user = accounts.login(ctx, args.as_user, current)
        try:
            new = read_new_password(
                term, "New password: ", from_stdin=args.password_stdin
            )
            accounts.change_password(ctx, user, current, new)
        finally:
            accounts.logoff(ctx, user)
    term.say(f"password changed for {args.as_user}")
    return EXIT_OK
