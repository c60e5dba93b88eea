"""The argument parser: every command, its options and its one-line help.

Handlers are named as `module:function` strings and imported only when their
command runs, so that building the parser loads nothing heavy.
"""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any, NoReturn

from supervise import __version__
from supervise.cli.common import UsageError
from supervise.units import parse_iso_date

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
    _add_clients(commands)
    _add_consents(commands)
    _add_recordings(commands)
    _add_hours(commands)
    _add_reviews(commands)
    _add_inbox(commands)
    _add_purge(commands)
    _add_ssh_keys(commands)
    _add_remote(commands)
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
    grant = _command(
        pairs,
        "grant",
        "give a pair's supervisor the trainee's older objects now (escrow key)",
        "pair_grants:pair_grant",
        ACTOR,
        epilog="Without this, the supervisor gains them at the trainee's next "
        f"login. Admins only; each use of the escrow key is audited. {epilog}",
    )
    grant.add_argument("pair_id", type=int, metavar="PAIR_ID")
    grant.add_argument(
        "--escrow-key",
        required=True,
        metavar="FILE",
        help="the program's offline escrow key file (take it away afterwards)",
    )


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


def _iso_date(text: str) -> date:
    """A date written YYYY-MM-DD and nothing looser (an argparse `type`)."""
    found = parse_iso_date(text)
    if found is None:
        # The value is not repeated: it may be a client's date of birth.
        raise argparse.ArgumentTypeError(
            "write the date as YYYY-MM-DD, like 2024-03-09"
        )
    return found


def _add_clients(commands: Any) -> None:
    clients = _group(commands, "client", "clients: case codes and sealed identities")
    epilog = f"{PASSWORD_HELP} {NO_OTP}"
    add = _command(
        clients,
        "add",
        "add a client of yours (trainees); the identity is stored sealed",
        "clients:client_add",
        ACTOR,
        epilog="Names and dates of birth given as options stay in your shell's "
        "history and show in the process list while the command runs: on a "
        "shared server use --identity-stdin, which reads 'name: ...', "
        "'born: YYYY-MM-DD' and optional 'guardian: ...' and 'contact: ...' "
        "lines from standard input (after the password line when "
        f"--password-stdin is given), or add clients in the TUI. {epilog}",
    )
    add.add_argument(
        "case_code",
        metavar="CASE",
        help="the program's case code, like C-1042 (never a name or initials)",
    )
    add.add_argument("--name", help="the client's name (sealed)")
    add.add_argument(
        "--identity-stdin",
        action="store_true",
        help="read the identity from standard input instead of options",
    )
    add.add_argument(
        "--born",
        type=_iso_date,
        metavar="YYYY-MM-DD",
        help="date of birth (sealed)",
    )
    add.add_argument(
        "--guardian", default="", metavar="NAME", help="a minor's guardian (sealed)"
    )
    add.add_argument(
        "--contact", default="", metavar="TEXT", help="phone or e-mail (sealed)"
    )
    add.add_argument(
        "--jurisdiction",
        default="",
        metavar="XX",
        help="US state, like CA (default: the program's)",
    )
    listing = _command(
        clients,
        "list",
        "list your clients (a supervisor's: the supervisees')",
        "clients:client_list",
        ACTOR,
        JSON,
        epilog=epilog,
    )
    listing.add_argument(
        "--names",
        action="store_true",
        help="also open and show each identity you may see (each one audited)",
    )
    listing.add_argument(
        "--trainee",
        metavar="USERNAME",
        help="only this trainee's clients (refused, and audited, if not yours)",
    )


def _consent_id(parser: Parser) -> None:
    parser.add_argument("consent_id", type=int, metavar="ID", help="the form's id")


def _consent_reference(parser: Parser) -> None:
    parser.add_argument(
        "reference",
        metavar="ID|CODE",
        help="the form's id, or the check code printed on it (like K7QD-3MXA)",
    )


def _day_option(parser: Parser, what: str) -> None:
    parser.add_argument(
        "--on",
        type=_iso_date,
        default=None,
        metavar="YYYY-MM-DD",
        help=f"the day {what} (default: today)",
    )


def _consent_terms(parser: Parser, *, new: bool) -> None:
    """The options of `consent new` and `consent edit` (edit keeps what is
    not given)."""
    replaces = "" if new else " (replaces the form's list)"
    parser.add_argument(
        "--purpose",
        action="append",
        required=new,
        metavar="PURPOSE",
        help=f"clinical_record, supervision or training; repeat for several{replaces}",
    )
    parser.add_argument(
        "--disposition",
        metavar="WHAT",
        help="on revocation the recordings are deleted"
        + (" (the default)" if new else "")
        + " or preserved: delete or preserve",
    )
    parser.add_argument(
        "--circumstances",
        metavar="TEXT",
        help="with preserve: when the recordings are kept (10 to 500 characters)",
    )
    parser.add_argument(
        "--circumstances-stdin",
        action="store_true",
        help="read the circumstances from standard input instead",
    )
    parser.add_argument(
        "--supervisors",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="whether the trainee's assigned supervisors have access"
        + (
            " (default: they do; required when supervision is a purpose)" if new else ""
        ),
    )
    parser.add_argument(
        "--access",
        action="append",
        metavar="USERNAME",
        help=f"one more supervisor or trainee named on the form; repeat{replaces}",
    )
    parser.add_argument(
        "--participant",
        action="append",
        metavar="CASE",
        help="another client of yours in the sessions (couple, family, group); "
        f"repeat{replaces}",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead")


def _add_consents(commands: Any) -> None:
    consents = _group(commands, "consent", "consent forms: make, print, sign, revoke")
    epilog = f"{PASSWORD_HELP} {NO_OTP}"
    terms_epilog = (
        "The circumstances are sealed with the client's identity; given as an "
        "option they stay in your shell's history, so on a shared server use "
        "--circumstances-stdin, which reads them from standard input (after the "
        f"password line when --password-stdin is given). {epilog}"
    )

    def consent(name: str, summary: str, *parents: Parser, notes: str = "") -> Parser:
        text = f"{notes} {epilog}" if notes else epilog
        return _command(
            consents,
            name,
            summary,
            f"consents:consent_{name}",
            ACTOR,
            *parents,
            epilog=text,
        )

    new = _command(
        consents,
        "new",
        "draft a consent for a client of yours (a new version if one is in force)",
        "consents:consent_new",
        ACTOR,
        epilog=terms_epilog,
    )
    new.add_argument(
        "--client", required=True, metavar="CASE", help="the client's case code"
    )
    _consent_terms(new, new=True)
    edit = _command(
        consents,
        "edit",
        "change an unsigned consent's terms (a printed one goes back to draft)",
        "consents:consent_edit",
        ACTOR,
        epilog="Options not given keep the form's value (the circumstances "
        f"too, unless new ones are given). {terms_epilog}",
    )
    _consent_id(edit)
    _consent_terms(edit, new=False)
    listing = consent("list", "list the consents you may see", JSON)
    listing.add_argument("--client", default="", metavar="CASE", help="one client's")
    show = consent(
        "show",
        "one consent: its terms, signature lines and state",
        notes="The signature lines' keys are what `consent sign --signer` takes.",
    )
    _consent_reference(show)
    show.add_argument("--json", action="store_true", help="print JSON instead")
    verbal = consent(
        "verbal",
        "log the client's verbal consent (a signature is still needed)",
    )
    _consent_id(verbal)
    _day_option(verbal, "the client consented aloud")
    verbal.add_argument("--json", action="store_true", help="print JSON instead")
    sign = consent(
        "sign",
        "record the signed paper form: the consent comes into force",
        notes="Print the form first (consent pdf); every required line must be "
        "signed. `consent show ID` lists the lines' keys.",
    )
    _consent_id(sign)
    sign.add_argument(
        "--signer",
        action="append",
        required=True,
        metavar="KEY",
        help="a signed line: client, guardian, trainee, supervisor or "
        "participant:CASE; repeat for each",
    )
    _day_option(sign, "written on the signed form")
    sign.add_argument(
        "--scan",
        metavar="FILE",
        help="a scan of the signed pages (PDF, PNG, JPEG or TIFF), stored sealed",
    )
    sign.add_argument("--json", action="store_true", help="print JSON instead")
    revoke = consent(
        "revoke",
        "record a client's revocation and apply the form's disposition",
        notes="With delete, every recording under the consent is shredded (one "
        "on legal hold when the hold is released); with preserve, every share "
        "is withdrawn. Print the client's receipt with consent pdf --kind receipt.",
    )
    _consent_id(revoke)
    revoke.add_argument(
        "--received",
        required=True,
        metavar="HOW",
        help="in-person, phone, mail, email or other",
    )
    _day_option(revoke, "the revocation was received")
    revoke.add_argument(
        "--notes-stdin",
        action="store_true",
        help="read notes about it from standard input (stored sealed)",
    )
    revoke.add_argument("--json", action="store_true", help="print JSON instead")
    pdf = consent(
        "pdf",
        "write one of a consent's documents as a PDF",
        notes="Printing a draft form moves it to awaiting signature: that paper "
        "is the one to have signed.",
    )
    _consent_reference(pdf)
    pdf.add_argument("-o", "--output", required=True, metavar="FILE", help="a new file")
    pdf.add_argument(
        "--kind",
        default="form",
        metavar="KIND",
        help="form (default), script, chart, receipt or request",
    )
    script = consent("script", "print the verbal consent script to read aloud")
    _consent_reference(script)
    scan = consent("scan", "write out the scan of a signed form (audited)")
    _consent_id(scan)
    scan.add_argument(
        "-o", "--output", required=True, metavar="FILE", help="a new file"
    )


def _recording_id(parser: Parser) -> None:
    parser.add_argument("recording_id", type=int, metavar="ID", help="recording id")


def _destination(parser: Parser) -> None:
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="a new file, or - for standard output (to pipe into a player)",
    )
    where.add_argument(
        "--age",
        metavar="DIR",
        help="write recording-ID.age and the key that opens it, recording-ID.key, "
        "into DIR (decrypt with the age tool)",
    )


def _reason(parser: Parser) -> None:
    parser.add_argument(
        "--reason",
        required=True,
        metavar="TEXT",
        help="why, kept on record (10 to 500 characters; case codes, never names)",
    )


def _add_recordings(commands: Any) -> None:
    recordings = _group(commands, "recording", "encrypted session recordings")
    epilog = f"{PASSWORD_HELP} {NO_OTP}"

    def recording(name: str, summary: str, *parents: Parser, notes: str = "") -> Parser:
        handler = f"recordings:recording_{name.replace('-', '_')}"
        text = f"{notes} {epilog}" if notes else epilog
        return _command(
            recordings, name, summary, handler, ACTOR, *parents, epilog=text
        )

    imported = recording(
        "import",
        "encrypt a session recording into the vault",
        notes="Progress shows on standard error when it is a terminal; ctrl+c "
        "cancels the import and leaves nothing stored.",
    )
    imported.add_argument(
        "file", metavar="FILE", help="the audio or video file (left unchanged)"
    )
    _import_options(imported)
    listed = recording("list", "list the recordings you may see", JSON)
    listed.add_argument(
        "--trainee",
        metavar="USERNAME",
        help="only this trainee's (refused, and audited, if not yours)",
    )
    show = recording("show", "one recording's details and who can open it")
    _recording_id(show)
    show.add_argument("--json", action="store_true", help="print JSON instead")
    export = recording(
        "export",
        "decrypt a recording you may open (audited)",
        notes="To play it without a file: supervise recording export ID -o - "
        "--as NAME | mpv - (or ffplay -nodisp -).",
    )
    _recording_id(export)
    _destination(export)
    for name, summary in (
        ("share", "let one more person the consent names open your recording"),
        ("unshare", "take back a share"),
    ):
        sharing = recording(name, summary)
        _recording_id(sharing)
        sharing.add_argument(
            "--with", dest="grantee", required=True, metavar="USERNAME"
        )
        if name == "share":
            _share_terms(sharing)
        if name == "unshare":
            sharing.add_argument(
                "--hard",
                action="store_true",
                help="also re-key the recording, so that copies of the old "
                "share (in backups, say) open nothing",
            )
    for name, summary in (
        ("hold", "place a legal hold: no shredding until it is released (admins)"),
        ("release", "release a legal hold (admins)"),
    ):
        hold = recording(name, summary)
        _recording_id(hold)
        _reason(hold)
    shred = recording("shred", "destroy a recording for good (admins)")
    _recording_id(shred)
    shred.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    glass = recording(
        "break-glass", "emergency access with the offline escrow key (admins)"
    )
    _recording_id(glass)
    glass.add_argument(
        "--escrow-key",
        required=True,
        metavar="FILE",
        help="the program's offline escrow key file (take it away afterwards)",
    )
    _reason(glass)
    _destination(glass)


def _import_options(parser: Parser) -> None:
    """What a recording is filed under: `recording import` and `inbox attach`."""
    parser.add_argument("--client", required=True, metavar="CASE")
    parser.add_argument(
        "--purpose",
        default="supervision",
        metavar="PURPOSE",
        help="supervision (default), clinical_record or training",
    )
    parser.add_argument(
        "--participant",
        action="append",
        default=[],
        metavar="CASE",
        help="another client in the session (couple, family, group); each must "
        "have consented too; repeat for each",
    )
    parser.add_argument(
        "--date",
        type=_iso_date,
        default=None,
        metavar="YYYY-MM-DD",
        help="the day of the session (default: today)",
    )


def _add_inbox(commands: Any) -> None:
    """`supervise inbox ...`: the drop box's pending uploads (trainees)."""
    inbox = _group(
        commands, "inbox", "recordings you copied in over scp or sftp (trainees)"
    )
    epilog = f"{PASSWORD_HELP} {NO_OTP}"

    def command(name: str, summary: str, *parents: Parser) -> Parser:
        handler = f"inbox:inbox_{name}"
        return _command(inbox, name, summary, handler, ACTOR, *parents, epilog=epilog)

    command("list", "your uploads waiting to be attached, with their names", JSON)
    attach = command(
        "attach", "file an upload as a recording of a client (as recording import)"
    )
    attach.add_argument("upload_id", type=int, metavar="UPLOAD_ID")
    _import_options(attach)
    discard = command("discard", "shred an upload without attaching it")
    discard.add_argument("upload_id", type=int, metavar="UPLOAD_ID")
    discard.add_argument(
        "--yes", action="store_true", help="do not ask for confirmation"
    )


def _share_terms(parser: Parser) -> None:
    parser.add_argument(
        "--purpose",
        default="supervision",
        metavar="PURPOSE",
        help="supervision (default), training or clinical_record; the consent "
        "must list it and name the person",
    )
    parser.add_argument(
        "--until",
        type=_iso_date,
        default=None,
        metavar="YYYY-MM-DD",
        help="the last day of access (required for training)",
    )


def _add_ssh_keys(commands: Any) -> None:
    keys = _group(commands, "ssh-key", "manage the SSH public keys that log in")
    epilog = f"{PASSWORD_HELP} {NO_OTP}"
    add = _command(
        keys,
        "add",
        "register a public key (the .pub file) to your account",
        "ssh_keys:ssh_key_add",
        ACTOR,
        epilog="The key is read from FILE, or from standard input (after the "
        f"password line with --password-stdin). {epilog}",
    )
    add.add_argument("--user", metavar="NAME", help="admins: another account")
    add.add_argument("file", nargs="?", metavar="FILE", help="the .pub file, or -")
    listing = _command(
        keys,
        "list",
        "list your SSH keys (admins: --user NAME or --all)",
        "ssh_keys:ssh_key_list",
        ACTOR,
        JSON,
        epilog=epilog,
    )
    scope = listing.add_mutually_exclusive_group()
    scope.add_argument("--user", metavar="NAME", help="admins: this account's")
    scope.add_argument("--all", action="store_true", help="admins: every account's")
    remove = _command(
        keys,
        "remove",
        "remove an SSH key: it logs nobody in from now on",
        "ssh_keys:ssh_key_remove",
        ACTOR,
        epilog=epilog,
    )
    remove.add_argument("key_id", type=int, metavar="ID")
    lookup = _command(
        keys,
        "authorized-keys",
        "for sshd's AuthorizedKeysCommand: print the line for a registered key",
        "ssh_keys:ssh_key_authorized_keys",
        epilog="sshd_config: AuthorizedKeysCommand /path/to/supervise --home DIR "
        "ssh-key authorized-keys --service-user supervise %u %t %k. Prints "
        "nothing unless %u is the service user and the key is registered to an "
        "enabled account.",
    )
    lookup.add_argument("--service-user", required=True, metavar="USER")
    lookup.add_argument("login_user", metavar="U", help="sshd's %%u")
    lookup.add_argument("key_type", metavar="T", help="sshd's %%t")
    lookup.add_argument("key_blob", metavar="K", help="sshd's %%k")


def _add_purge(commands: Any) -> None:
    purge = _command(
        commands,
        "purge",
        "shred the recordings past their destroy-after date (for cron)",
        "recordings:purge",
        MAYBE_ACTOR,
        epilog="Without --as this runs as the system, with no password: it only "
        "destroys. Recordings on legal hold are reported and kept; shreds "
        "that were interrupted are finished; expired shares are wiped; uploads "
        "left in an SSH inbox past dropbox_keep_days are shredded. "
        f"{PASSWORD_HELP}",
    )
    purge.add_argument(
        "--dry-run", action="store_true", help="show what is due; change nothing"
    )
    purge.add_argument("--json", action="store_true", help="print the report as JSON")


def _add_remote(commands: Any) -> None:
    """`supervise serve` and `supervise tui` (what SSH sessions run)."""
    serve = _command(
        commands,
        "serve",
        "run the SSH server: the app, 'export ID' and the drop box over SSH",
        "serve:serve",
        epilog="Listens on ssh_host:ssh_port from the settings (127.0.0.1:2222 by "
        "default). ctrl+c or SIGTERM stops it, ending every session.",
    )
    serve.add_argument("--host", metavar="HOST", help="listen address")
    serve.add_argument("--port", type=int, metavar="PORT", help="listen port")
    tui = _command(
        commands,
        "tui",
        "open the TUI (as 'supervise' alone does); SSH sessions run it too",
        "tui:tui",
    )
    who = tui.add_mutually_exclusive_group()
    who.add_argument(
        "--ssh-user",
        metavar="NAME",
        help="for the SSH server: only NAME may log in, and logging off ends it",
    )
    who.add_argument(
        "--key-id",
        type=int,
        metavar="N",
        help="for OpenSSH's forced command: act for the owner of registered key N",
    )
    tui.add_argument(
        "--password-fd",
        type=int,
        metavar="FD",
        help="with --ssh-user: read the password from this inherited pipe",
    )


def _add_hours(commands: Any) -> None:
    """`supervise hours ...`: the supervision hours log."""
    group = _group(
        commands,
        "hours",
        "the supervision hours log (trainees log, supervisors co-sign)",
    )
    epilog = f"{PASSWORD_HELP} {NO_OTP}"

    def command(name: str, summary: str, *parents: Parser) -> Parser:
        handler = f"hours:hours_{name.replace('-', '_')}"
        return _command(group, name, summary, handler, ACTOR, *parents, epilog=epilog)

    add = command("add", "log your own supervision hours by hand (trainees)")
    add.add_argument(
        "--supervisor",
        required=True,
        metavar="USERNAME",
        help="who supervised you that day (a supervisor of yours on that date)",
    )
    add.add_argument("--date", required=True, type=_iso_date, metavar="YYYY-MM-DD")
    _hours_amount(add)
    review = command(
        "from-review",
        "log hours from a signed-off review (by its trainee, awaiting co-sign; "
        "by its supervisor, co-signed at once)",
    )
    review.add_argument("review_id", type=int, metavar="REVIEW_ID")
    _hours_amount(review)
    listing = command("list", "list the entries you may see, with totals", JSON)
    _hours_period(listing)
    listing.add_argument("--kind", metavar="KIND", help="individual or group only")
    cosign = command("cosign", "co-sign an entry that names you (supervisors)")
    cosign.add_argument("entry_id", type=int, metavar="ENTRY_ID")
    remove = command("remove", "remove your own entry that is not co-signed yet")
    remove.add_argument("entry_id", type=int, metavar="ENTRY_ID")
    export = command(
        "export", "write a trainee's hours and totals as PDF or CSV for licensure"
    )
    _hours_period(export)
    export.add_argument(
        "--format", required=True, choices=("pdf", "csv"), help="pdf or csv"
    )
    export.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="FILE",
        help="a new file, created 0600 (never over an existing one)",
    )


def _hours_amount(parser: Parser) -> None:
    parser.add_argument(
        "--minutes", required=True, type=int, metavar="N", help="1 to 720"
    )
    parser.add_argument(
        "--kind",
        default="individual",
        metavar="KIND",
        help="individual (default) or group",
    )


def _hours_period(parser: Parser) -> None:
    parser.add_argument(
        "--trainee",
        metavar="USERNAME",
        help="one trainee's hours (supervisors and admins name the trainee to export)",
    )
    parser.add_argument(
        "--from",
        dest="since",
        type=_iso_date,
        metavar="YYYY-MM-DD",
        help="entries on or after this date",
    )
    parser.add_argument(
        "--to",
        dest="until",
        type=_iso_date,
        metavar="YYYY-MM-DD",
        help="entries on or before this date",
    )


def _add_reviews(commands: Any) -> None:
    """`supervise review ...` and `supervise rubric ...`."""
    reviews = _group(commands, "review", "supervisors' reviews of recordings")
    epilog = f"{PASSWORD_HELP} {NO_OTP}"

    def review(name: str, summary: str, *parents: Parser, notes: str = "") -> Parser:
        handler = f"reviews:review_{name.replace('-', '_')}"
        text = f"{notes} {epilog}" if notes else epilog
        return _command(reviews, name, summary, handler, ACTOR, *parents, epilog=text)

    listing = review(
        "list",
        "list the reviews you may see (ids, case codes, dates; no text)",
        JSON,
        notes="Supervisors see their own reviews of their current trainees' "
        "recordings; trainees the signed-off reviews of their own; admins all.",
    )
    listing.add_argument(
        "--trainee", metavar="USERNAME", help="only this trainee's recordings"
    )
    state = listing.add_mutually_exclusive_group()
    state.add_argument("--signed", action="store_true", help="only signed-off ones")
    state.add_argument("--open", action="store_true", help="only drafts")
    show = review(
        "show",
        "open a review: time-coded comments, ratings, feedback (audited)",
        notes="A supervisor sees their own review (or another supervisor's "
        "signed-off one with --supervisor); a trainee a signed-off review of "
        "their own recording, which then stops being new. The text is printed "
        "here only.",
    )
    _recording_id(show)
    show.add_argument(
        "--supervisor",
        metavar="USERNAME",
        help="whose review (required when several supervisors signed one off)",
    )
    show.add_argument(
        "--escrow-key",
        metavar="FILE",
        help="admins: read a signed-off review with the program's offline "
        "escrow key (break glass; give --reason; take the key away afterwards)",
    )
    show.add_argument(
        "--reason",
        metavar="TEXT",
        help="with --escrow-key: why, kept on record (10 to 500 characters)",
    )
    show.add_argument("--json", action="store_true", help="print JSON instead")
    text_notes = (
        "The text shows in the process list and shell history when given with "
        "--text: on a shared server use --text-stdin (read after the password "
        "line), or the TUI."
    )
    comment = review(
        "comment", "add a time-coded comment to your review", notes=text_notes
    )
    _recording_id(comment)
    comment.add_argument(
        "--at",
        required=True,
        metavar="TIME",
        help="where in the recording: seconds (75), m:ss (1:15) or h:mm:ss",
    )
    _review_text(comment)
    rate = review("rate", "score rubric items in your review")
    _recording_id(rate)
    rate.add_argument(
        "scores",
        nargs="+",
        metavar="CODE=SCORE",
        help="a rubric code and 1 to 5, or none for not observed",
    )
    feedback = review(
        "feedback", "write your review's feedback (empty clears it)", notes=text_notes
    )
    _recording_id(feedback)
    _review_text(feedback)
    sign = review(
        "sign-off",
        "sign your review off: it is locked and the trainee can read it",
    )
    _recording_id(sign)

    items = _group(commands, "rubric", "the competencies reviews rate")

    def item(name: str, summary: str, *parents: Parser) -> Parser:
        return _command(
            items,
            name,
            summary,
            f"reviews:rubric_{name}",
            ACTOR,
            *parents,
            epilog=epilog,
        )

    shown = item("list", "the rubric in order (anyone)", JSON)
    shown.add_argument("--all", action="store_true", help="include retired items")
    add = item("add", "add an item at the end (admins)")
    add.add_argument("code", metavar="CODE", help="short, lower case, like humour")
    add.add_argument("label", metavar="LABEL", help="what reviews show")
    add.add_argument("--description", default="", metavar="TEXT")
    edit = item("edit", "change an item's label, description or place (admins)")
    edit.add_argument("code", metavar="CODE")
    edit.add_argument("--label", metavar="LABEL")
    edit.add_argument("--description", metavar="TEXT")
    edit.add_argument("--position", type=int, metavar="N", help="from 1 at the top")
    for name, summary in (
        ("retire", "take an item out of new reviews; rated reviews keep it (admins)"),
        ("restore", "put a retired item back into use (admins)"),
    ):
        item(name, summary).add_argument("code", metavar="CODE")


def _review_text(parser: Parser) -> None:
    given = parser.add_mutually_exclusive_group()
    given.add_argument("--text", metavar="TEXT", help="the text")
    given.add_argument(
        "--text-stdin",
        action="store_true",
        help="read the text from standard input (after the password line)",
    )
