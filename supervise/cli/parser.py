"""The argument parser: every command, its options and its one-line help.

Handlers are named as `module:function` strings and imported only when their
command runs, so that building the parser loads nothing heavy.
"""

from __future__ import annotations

import argparse
from typing import Any, NoReturn

from supervise import __version__
from supervise.cli.common import UsageError

NO_OTP = (
    "Accounts still on a one-time password are refused here: choose a "
    "password first with `supervise password --as NAME` (or in the TUI)."
)
PASSWORD_HELP = (
    "The password is asked on the terminal, or read from the first line of "
    "standard input with --password-stdin."
)


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors raise `UsageError` (one line)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        """Report a usage error as one line (exit status 2)."""
        raise UsageError(f"{message} (see '{self.prog} --help')")


def _home_option() -> Parser:
    """`--home` again after the subcommand; absent unless given there."""
    parent = Parser(add_help=False)
    parent.add_argument(
        "--home",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="the program's data folder (as before the command)",
    )
    return parent


def _actor_options(*, required: bool) -> Parser:
    parent = Parser(add_help=False)
    parent.add_argument(
        "--as",
        dest="as_user",
        metavar="NAME",
        required=required,
        help="act as this account (asks its password)",
    )
    parent.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of standard input",
    )
    return parent


def _json_option() -> Parser:
    parent = Parser(add_help=False)
    parent.add_argument(
        "--json", action="store_true", help="print a JSON list instead of a table"
    )
    return parent


HOME = _home_option()
ACTOR = _actor_options(required=True)
MAYBE_ACTOR = _actor_options(required=False)
JSON = _json_option()


def _command(
    subparsers: Any,
    name: str,
    summary: str,
    handler: str,
    *parents: Parser,
    epilog: str | None = None,
) -> Parser:
    parser: Parser = subparsers.add_parser(
        name,
        help=summary,
        description=summary,
        epilog=epilog,
        parents=[HOME, *parents],
    )
    parser.set_defaults(handler=handler)
    return parser


def _group(subparsers: Any, name: str, summary: str) -> Any:
    parser = subparsers.add_parser(name, help=summary, description=summary)
    return parser.add_subparsers(
        title="commands", dest=f"{name}_command", metavar="COMMAND", required=True
    )


def build_parser() -> Parser:
    """The whole command line, from `supervise` down to each leaf command."""
    parser = Parser(
        prog="supervise",
        description="Consent, encrypted session recordings and supervision for "
        "clinical-training programs. Without a command, opens the TUI.",
        epilog="Exit status: 0 done, 1 refused or failed, 2 usage error, "
        "3 not permitted, 4 login failed or locked, 70 internal error.",
    )
    parser.add_argument(
        "--home",
        metavar="DIR",
        default=None,
        help="the program's data folder (default: $SUPERVISE_HOME, else the "
        "platform's user data folder)",
    )
    parser.add_argument(
        "--version", action="version", version=f"supervise {__version__}"
    )
    parser.set_defaults(handler="tui:open_tui")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")
    _add_setup(commands)
    _add_users(commands)
    _add_password(commands)
    _add_pairs(commands)
    _add_audit(commands)
    return parser


def _add_setup(commands: Any) -> None:
    init = _command(
        commands,
        "init",
        "create a program: database, host secrets, first admin, offline keys",
        "setup:init",
        epilog="The admin's password is asked twice on the terminal, or read "
        "from the first line of standard input with --password-stdin.",
    )
    init.add_argument("--name", required=True, help="the program's name")
    init.add_argument("--admin", required=True, metavar="USERNAME")
    init.add_argument("--full-name", default="", metavar="NAME")
    init.add_argument("--jurisdiction", default="", metavar="XX", help="e.g. CA")
    for kind in ("escrow", "recovery"):
        init.add_argument(
            f"--{kind}-key",
            required=True,
            metavar="FILE",
            help=f"new file for the offline {kind} key (move it off the server)",
        )
    init.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the admin's password from the first line of standard input",
    )
    _command(
        commands,
        "migrate",
        "upgrade an existing program's database schema",
        "setup:migrate",
    )
    demo = _command(
        commands,
        "demo",
        "seed a throwaway sample program, then open the TUI on it",
        "setup:demo",
        epilog="Without --home the demo lives in a new temporary folder, "
        "deleted when the TUI exits (SUPERVISE_HOME is ignored, so a real "
        "program is never touched); a folder named with --home must be empty "
        "or new, and is kept.",
    )
    demo.add_argument(
        "--seed-only", action="store_true", help="keep the home; do not open the TUI"
    )
    demo.add_argument(
        "--json", action="store_true", help="print the sample logins as JSON"
    )


def _add_users(commands: Any) -> None:
    users = _group(commands, "user", "manage accounts (admins)")
    epilog = f"{PASSWORD_HELP} {NO_OTP}"

    def user(name: str, summary: str, *parents: Parser) -> Parser:
        return _command(
            users,
            name,
            summary,
            f"accounts:user_{name}",
            ACTOR,
            *parents,
            epilog=epilog,
        )

    add = user("add", "create an account with a one-time password")
    add.add_argument("username", metavar="USERNAME")
    _role_option(add)
    add.add_argument("--full-name", default="", metavar="NAME")
    user("list", "list every account", JSON)
    for name, summary in (
        ("disable", "stop an account from logging in"),
        ("enable", "let a disabled account log in again (clears a lockout)"),
        ("reset", "give an account a new one-time password and key pair"),
    ):
        user(name, summary).add_argument("username", metavar="USERNAME")
    recover = user(
        "recover", "give an account a new one-time password, keeping its key pair"
    )
    recover.add_argument("username", metavar="USERNAME")
    recover.add_argument(
        "--recovery-key",
        required=True,
        metavar="FILE",
        help="the program's offline recovery key file (take it away afterwards)",
    )
    roles = user("roles", "replace an account's roles")
    roles.add_argument("username", metavar="USERNAME")
    _role_option(roles)


def _role_option(parser: Parser) -> None:
    parser.add_argument(
        "--role",
        action="append",
        required=True,
        metavar="ROLE",
        help="admin, supervisor, trainee or auditor; repeat for several",
    )


def _add_password(commands: Any) -> None:
    _command(
        commands,
        "password",
        "change your own password (a one-time password too)",
        "accounts:change_password",
        ACTOR,
        epilog="Asks the current password, then the new one twice, on the "
        "terminal; with --password-stdin, reads the current password from the "
        "first line of standard input and the new one from the second. The new "
        "password needs 12 characters or more and must not be a common one.",
    )


def _add_pairs(commands: Any) -> None:
    pairs = _group(commands, "pair", "manage supervision pairs (admins)")
    epilog = f"{PASSWORD_HELP} {NO_OTP}"
    add = _command(
        pairs,
        "add",
        "assign a supervisor to a trainee from today",
        "pairs:pair_add",
        ACTOR,
        epilog=epilog,
    )
    add.add_argument("--supervisor", required=True, metavar="USERNAME")
    add.add_argument("--trainee", required=True, metavar="USERNAME")
    add.add_argument(
        "--kind",
        default="individual",
        metavar="KIND",
        help="individual (default), group or triadic",
    )
    end = _command(
        pairs,
        "end",
        "end a supervision pair today",
        "pairs:pair_end",
        ACTOR,
        epilog=epilog,
    )
    end.add_argument("pair_id", type=int, metavar="PAIR_ID")
    listing = _command(
        pairs,
        "list",
        "list supervision pairs (active ones by default)",
        "pairs:pair_list",
        ACTOR,
        JSON,
        epilog=epilog,
    )
    listing.add_argument("--all", action="store_true", help="include ended pairs")


def _add_audit(commands: Any) -> None:
    audit = _group(commands, "audit", "check and export the audit trail")
    epilog = (
        "Without --as this runs as the system operator: access to the host "
        f"secrets file is the control. {PASSWORD_HELP} {NO_OTP}"
    )
    _command(
        audit,
        "verify",
        "recompute the audit chain and name the first bad row",
        "audit:verify",
        MAYBE_ACTOR,
        epilog=epilog,
    )
    export = _command(
        audit,
        "export",
        "write the trail as JSON lines with a signed checkpoint",
        "audit:export",
        MAYBE_ACTOR,
        epilog=epilog,
    )
    export.add_argument(
        "-o",
        "--output",
        default="-",
        metavar="FILE",
        help="a new file, created 0600 (default: standard output)",
    )
