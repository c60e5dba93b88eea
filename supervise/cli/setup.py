"""`supervise init|migrate|demo`: creating, upgrading and sampling a program."""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
from functools import partial
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from supervise.cli.common import (
    EXIT_OK,
    CliError,
    Terminal,
    exit_code_for,
    read_new_password,
    settings_for,
)
from supervise.cli.tui import run_app
from supervise.models import database
from supervise.services import audit
from supervise.services.context import open_program
from supervise.services.rules import seed_rules
from supervise.services.setup import DemoAccount, InitRequest, init_program, seed_demo
from supervise.settings import Settings, load_settings

# --- init ----------------------------------------------------------------------


def init(args: argparse.Namespace, term: Terminal) -> int:
    """Create the program and say where its secrets and offline keys went."""
    settings = settings_for(args, term)
    if settings.resolved_secrets_file.exists():
        raise CliError(
            f"a program exists already in {settings.home} "
            f"(its host secrets file is {settings.resolved_secrets_file})"
        )
    password = read_new_password(
        term, f"New password for {args.admin}: ", from_stdin=args.password_stdin
    )
    request = InitRequest(
        program_name=args.name,
        admin_username=args.admin,
        admin_password=password,
        escrow_key_file=_absolute(args.escrow_key),
        recovery_key_file=_absolute(args.recovery_key),
        admin_full_name=args.full_name,
        jurisdiction=args.jurisdiction,
    )
    del password
    init_program(settings, request).engine.dispose()
    term.start_log(settings.home)  # the home exists only now
    _report_init(term, settings, request)
    return EXIT_OK


def _absolute(name: str) -> Path:
    return Path(name).expanduser().absolute()


def _report_init(term: Terminal, settings: Settings, request: InitRequest) -> None:
    term.say(f"Created the program {request.program_name!r} in {settings.home}")
    term.say(f"  database       {_database_place(settings)}")
    term.say(f"  host secrets   {settings.resolved_secrets_file}")
    term.say(f"  escrow key     {request.escrow_key_file}")
    term.say(f"  recovery key   {request.recovery_key_file}")
    term.say("Back up the host secrets file on its own, apart from the database.")
    term.say(
        "Move the escrow and recovery key files off this server now: print "
        "them or copy them to removable media kept in a safe, then delete them "
        "here. The server must never hold them."
    )
    term.say(
        f"Then log in as {request.admin_username}: supervise --home {settings.home}"
    )


def _database_place(settings: Settings) -> str:
    """The database file, or the server's URL without its password."""
    if not settings.database_url:
        return str(settings.home / "supervise.db")
    url = make_url(settings.database_url)
    return url.render_as_string(hide_password=True)


# --- migrate -------------------------------------------------------------------


def migrate(args: argparse.Namespace, term: Terminal) -> int:
    """Bring an existing program's schema up to this version's."""
    settings = settings_for(args, term)
    head = database.SCHEMA_REVISIONS[-1]
    engine = database.make_engine(settings.resolved_database_url)
    try:
        before = database.current_revision(engine)
        if before == head:
            term.say(f"the database schema is at revision {head}; nothing to do")
            return EXIT_OK
        if before not in database.SCHEMA_REVISIONS:
            _refuse_schema(engine)  # none at all, or newer than this code
        database.migrate(engine)
    finally:
        engine.dispose()
    ctx = open_program(settings)
    try:
        with database.session_scope(ctx.engine) as session:
            audit.record(
                session, ctx, audit.SYSTEM, "program.migrate", reason=f"{before}-{head}"
            )
            added = seed_rules(session)  # states a newer version ships
    finally:
        ctx.engine.dispose()
    term.say(f"migrated the database schema from revision {before} to {head}")
    if added:
        term.say(
            f"added {added} default rows to the state table; "
            "verify each with the program's counsel"
        )
    return EXIT_OK


def _refuse_schema(engine: Engine) -> None:
    """Raise the schema check's own explanation as a refusal."""
    try:
        database.check_schema(engine)
    except database.SchemaError as exc:
        raise CliError(str(exc)) from None
    raise CliError("the database schema could not be read")


# --- demo ----------------------------------------------------------------------


def demo(args: argparse.Namespace, term: Terminal) -> int:
    """Seed a sample program, show its logins, and open the TUI on it."""
    home, temporary = _demo_home(args.home)
    try:
        code = _run_demo(home, args, term, temporary=temporary)
    except Exception as exc:
        # An unexpected failure keeps the folder: its log holds the details.
        if temporary and exit_code_for(exc) is not None:
            _remove(home, term)
        raise
    except KeyboardInterrupt:
        if temporary:
            _remove(home, term)
        raise
    if temporary and not args.seed_only:
        _remove(home, term)
    return code


def _demo_home(given: str | None) -> tuple[Path, bool]:
    """The folder to seed, and whether this command made it (to delete it).

    Raises:
        CliError: `--home` names a file, or a folder with something in it.
    """
    if given is None:
        return Path(tempfile.mkdtemp(prefix="supervise-demo-")), True
    home = _absolute(given)
    if home.exists() and (not home.is_dir() or any(home.iterdir())):
        raise CliError(f"{home} is not empty; the demo needs an empty or new folder")
    return home, False


def _run_demo(
    home: Path, args: argparse.Namespace, term: Terminal, *, temporary: bool
) -> int:
    settings = load_settings(home, environ=_demo_environment())
    term.start_log(settings.home)
    seeded = seed_demo(settings)
    try:
        _show_logins(term, seeded.accounts, as_json=args.json)
        # With --json, standard output holds only the JSON.
        say = term.note if args.json else term.say
        if args.seed_only:
            say(f"demo home: {home}")
            say(f"run further commands with: supervise --home {home} ...")
            return EXIT_OK
        say(f"demo home: {home}" + (" (deleted when you quit)" if temporary else ""))
        return run_app(
            settings,
            context=seeded.context,
            demo_accounts=seeded.accounts,
            on_forced_exit=partial(shutil.rmtree, home, True) if temporary else None,
        )
    finally:
        seeded.context.engine.dispose()


def _demo_environment() -> dict[str, str]:
    """The environment without a database or secrets location.

    The demo always keeps its own SQLite file and secrets in its throwaway
    folder, so a SUPERVISE_DATABASE_URL meant for the real program can never
    receive sample data.
    """
    ignored = ("SUPERVISE_DATABASE_URL", "SUPERVISE_SECRETS_FILE")
    return {k: v for k, v in os.environ.items() if k not in ignored}


def _show_logins(term: Terminal, logins: list[DemoAccount], *, as_json: bool) -> None:
    if as_json:
        term.write_json([login.as_json() for login in logins])
        return
    term.say("Sample logins (demo only: these passwords are public)")
    term.table(
        ("USERNAME", "ROLES", "PASSWORD"),
        [(a.username, ", ".join(a.roles), a.password) for a in logins],
    )


def _remove(home: Path, term: Terminal) -> None:
    term.close_log()  # its file is inside the folder about to go
    shutil.rmtree(home, ignore_errors=True)
