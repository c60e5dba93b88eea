"""`supervise recording ...` and `supervise purge`: the vault from a shell.

Import and export show progress on standard error when it is a terminal, and
ctrl+c cancels them cleanly: the service is asked to stop between chunks and
leaves nothing behind. Plaintext goes only where the caller names: a new
file, standard output (`-o -`, for a player) or an age file and its key.
"""

from __future__ import annotations

import argparse
import shlex
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import BinaryIO

from supervise.cli.common import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    CliError,
    Terminal,
    read_escrow_key,
    settings_for,
)
from supervise.cli.program import acting, logged_in, opened
from supervise.services import audit, recordings
from supervise.services.accounts import UserSession
from supervise.services.context import ProgramContext
from supervise.services.recordings import (
    ExportedAge,
    ImportCancelled,
    Progress,
    PurgeItem,
    PurgeReport,
    RecordingView,
    TransferCancelled,
)
from supervise.units import duration_text, size_text

CancelCheck = Callable[[], bool]
PLAYER = "mpv -"
_LIST_HEADERS = (
    "ID",
    "CLIENT",
    "TRAINEE",
    "SESSION",
    "MEDIA",
    "LENGTH",
    "SIZE",
    "DESTROY AFTER",
    "STATE",
    "OPEN",
)


# --- how things print -------------------------------------------------------


def _media(view: RecordingView) -> str:
    length = (
        "" if view.duration_seconds is None else duration_text(view.duration_seconds)
    )
    parts = [view.media_type, length, size_text(view.size_bytes)]
    return ", ".join(part for part in parts if part)


def _state(view: RecordingView) -> str:
    if view.state != "active":
        return view.state
    return "on hold" if view.legal_hold else "active"


def _date_text(view: RecordingView) -> str:
    return view.destroy_after.isoformat() if view.destroy_after else "-"


# --- ctrl+c and progress ------------------------------------------------------


@contextmanager
def _interruptible() -> Iterator[CancelCheck]:
    """Turn a first ctrl+c into a cancel request the service checks per chunk.

    A second ctrl+c interrupts at once (a hung database must not trap anyone);
    the service cleans up after an exception as well.
    """
    asked = threading.Event()

    def on_interrupt(signum: int, frame: FrameType | None) -> None:
        if asked.is_set():
            raise KeyboardInterrupt
        asked.set()

    try:
        previous = signal.signal(signal.SIGINT, on_interrupt)
    except ValueError:  # not the main thread: ctrl+c never arrives here
        yield asked.is_set
        return
    try:
        yield asked.is_set
    finally:
        # None: a handler installed outside Python; the default is the nearest.
        restore = signal.default_int_handler if previous is None else previous
        signal.signal(signal.SIGINT, restore)


@contextmanager
def _meter(
    term: Terminal, verb: str, *, show: bool = True
) -> Iterator[Progress | None]:
    """A percentage on standard error when it is a terminal, else nothing."""
    if not show or not term.stderr.isatty():
        yield None
        return
    shown = -1

    def report(done: int, total: int) -> None:
        nonlocal shown
        percent = 100 * done // total if total else 100
        if percent != shown:
            shown = percent
            term.stderr.write(f"\r{verb} {percent}%")
            term.stderr.flush()

    try:
        yield report
    finally:
        if shown >= 0:
            term.stderr.write("\n")


# --- where plaintext goes ---------------------------------------------------------


def _binary_stdout(term: Terminal) -> BinaryIO:
    """Standard output as bytes, refused when a person would see the bytes."""
    if term.stdout.isatty():
        raise CliError(
            "standard output is a terminal: pipe the recording into a player "
            f"(| {PLAYER}) or write a file with -o FILE"
        )
    buffer: BinaryIO | None = getattr(term.stdout, "buffer", None)
    if buffer is None:
        raise CliError("standard output cannot take a recording here; use -o FILE")
    term.stdout.flush()
    return buffer


def _new_file(output: str) -> Path:
    """`-o FILE`, checked before anything is opened (the service checks again)."""
    path = Path(output)
    if path.exists() or path.is_symlink():
        raise CliError(f"{path} exists already: name a new file")
    return path


def _plain_out(args: argparse.Namespace, term: Terminal) -> Path | BinaryIO | None:
    """The `-o` destination, or None when `--age DIR` was given instead."""
    if args.output is None:
        return None
    return _binary_stdout(term) if args.output == "-" else _new_file(args.output)


def _written(
    term: Terminal, recording_id: int, out: Path | BinaryIO, size: int
) -> None:
    if isinstance(out, Path):
        term.say(f"recording {recording_id} written to {out} ({size_text(size)})")
    else:
        out.flush()
        term.note(
            f"recording {recording_id} sent to standard output ({size_text(size)})"
        )


def _delivered(
    term: Terminal,
    recording_id: int,
    out: Path | BinaryIO | None,
    result: int | ExportedAge,
) -> None:
    if isinstance(result, ExportedAge):
        _age_written(term, recording_id, result)
    else:
        assert out is not None
        _written(term, recording_id, out, result)


def _age_written(term: Terminal, recording_id: int, exported: ExportedAge) -> None:
    key, age_file = str(exported.identity_file), str(exported.age_file)
    term.say(f"age file: {age_file}")
    term.say(f"key file: {key} (opens this recording only; guard it as the recording)")
    command = shlex.join(["age", "-d", "-i", key, age_file])
    term.say(f"decrypt:  {command} > recording-{recording_id}")


def _home_flag(args: argparse.Namespace) -> str:
    return f" --home {shlex.quote(str(args.home))}" if args.home else ""


# --- commands -------------------------------------------------------------------


def recording_import(args: argparse.Namespace, term: Terminal) -> int:
    """Encrypt a recording into the vault for one of the caller's clients."""
    source = Path(args.file)
    if not source.exists():
        raise CliError(f"{source}: there is no such file")
    with acting(args, term) as (ctx, user):
        view = _import(ctx, user, args, term, source)
    term.say(f"recording {view.id} imported ({_media(view)})")
    return EXIT_OK


def _import(
    ctx: ProgramContext,
    user: UserSession,
    args: argparse.Namespace,
    term: Terminal,
    source: Path,
) -> RecordingView:
    with _interruptible() as cancel, _meter(term, "importing") as progress:
        try:
            return recordings.import_recording(
                ctx,
                user,
                source,
                args.client,
                purpose=args.purpose,
                session_date=args.date,
                participants=args.participant,
                progress=progress,
                should_cancel=cancel,
            )
        except ImportCancelled as exc:
            raise CliError(str(exc), EXIT_INTERRUPTED) from None


def recording_list(args: argparse.Namespace, term: Terminal) -> int:
    """List the recordings the caller may see (never their content)."""
    with acting(args, term) as (ctx, user):
        views = recordings.list_recordings(ctx, user, trainee=args.trainee)
    if args.json:
        term.write_json([view.as_json() for view in views])
        return EXIT_OK
    term.table(
        _LIST_HEADERS,
        [
            (
                str(view.id),
                view.case_code,
                view.trainee,
                view.session_date.isoformat(),
                view.media_type,
                duration_text(view.duration_seconds),
                size_text(view.size_bytes),
                _date_text(view),
                _state(view),
                "yes" if view.can_open else "no",
            )
            for view in views
        ],
    )
    return EXIT_OK


def recording_show(args: argparse.Namespace, term: Terminal) -> int:
    """One recording's details, who can open it, and how to play it."""
    with acting(args, term) as (ctx, user):
        view = recordings.recording_detail(ctx, user, args.recording_id)
    if args.json:
        term.write_json(view.as_json())
        return EXIT_OK
    term.say(f"recording {view.id}")
    for label, value in (
        ("client", f"{view.case_code} (trainee {view.trainee})"),
        ("session", f"{view.session_date.isoformat()}, {view.purpose}"),
        ("media", _media(view)),
        ("destroy after", _date_text(view)),
        ("state", _state(view)),
        ("imported", f"{view.created_at:%Y-%m-%d %H:%M} UTC"),
    ):
        term.say(f"  {label + ':':<15}{value}")
    term.say()
    term.table(
        ("GRANTEE", "VIA", "GRANTED", "LIVE"),
        [
            (
                g.grantee,
                g.via,
                f"{g.granted_at:%Y-%m-%d %H:%M}",
                "yes" if g.live else "no",
            )
            for g in view.grants
        ],
    )
    if view.can_open:
        term.say()
        term.say(
            f"play it: supervise{_home_flag(args)} recording export {view.id} "
            f"-o - --as {args.as_user} | {PLAYER}"
        )
    return EXIT_OK


def recording_export(args: argparse.Namespace, term: Terminal) -> int:
    """Decrypt a recording the caller may open: a file, stdout or age."""
    out = _plain_out(args, term)
    result: int | ExportedAge
    with acting(args, term) as (ctx, user):
        if out is None:
            result = recordings.export_age(ctx, user, args.recording_id, Path(args.age))
        else:
            result = _export(ctx, user, args.recording_id, out, term)
    _delivered(term, args.recording_id, out, result)
    return EXIT_OK


def _export(
    ctx: ProgramContext,
    user: UserSession,
    recording_id: int,
    out: Path | BinaryIO,
    term: Terminal,
) -> int:
    to_file = isinstance(out, Path)
    with (
        _interruptible() as cancel,
        _meter(term, "exporting", show=to_file) as progress,
    ):
        try:
            return recordings.export_recording(
                ctx, user, recording_id, out, progress=progress, should_cancel=cancel
            )
        except TransferCancelled as exc:
            raise CliError(str(exc), EXIT_INTERRUPTED) from None


def recording_share(args: argparse.Namespace, term: Terminal) -> int:
    """Let one more person the consent names open the caller's recording."""
    with acting(args, term) as (ctx, user):
        recordings.share(
            ctx,
            user,
            args.recording_id,
            args.grantee,
            purpose=args.purpose,
            until=args.until,
        )
    until = f" until {args.until.isoformat()}" if args.until else ""
    term.say(
        f"recording {args.recording_id} is now open to {args.grantee.strip()} "
        f"for {args.purpose.strip().replace('_', ' ')}{until}"
    )
    return EXIT_OK


def recording_unshare(args: argparse.Namespace, term: Terminal) -> int:
    """Take back a share; `--hard` also re-keys the recording."""
    with acting(args, term) as (ctx, user):
        recordings.unshare(ctx, user, args.recording_id, args.grantee, hard=args.hard)
    rekeyed = "; the recording was re-keyed" if args.hard else ""
    term.say(
        f"recording {args.recording_id} is no longer shared with "
        f"{args.grantee.strip()}{rekeyed}"
    )
    return EXIT_OK


def recording_hold(args: argparse.Namespace, term: Terminal) -> int:
    """Place a legal hold (admins)."""
    return _set_hold(args, term, hold=True)


def recording_release(args: argparse.Namespace, term: Terminal) -> int:
    """Release a legal hold (admins)."""
    return _set_hold(args, term, hold=False)


def _set_hold(args: argparse.Namespace, term: Terminal, *, hold: bool) -> int:
    with acting(args, term) as (ctx, user):
        recordings.set_legal_hold(
            ctx, user, args.recording_id, hold=hold, reason=args.reason
        )
    if hold:
        term.say(f"recording {args.recording_id} is on legal hold")
    else:
        term.say(f"recording {args.recording_id}: the legal hold is released")
    return EXIT_OK


def recording_shred(args: argparse.Namespace, term: Terminal) -> int:
    """Destroy a recording for good, after a confirmation or `--yes`."""
    if not args.yes and not term.stdin.isatty():
        raise CliError(
            "shredding cannot be undone: confirm it on a terminal, or add --yes",
            EXIT_USAGE,
        )
    with acting(args, term) as (ctx, user):
        if not args.yes:
            _confirm_shred(
                term, recordings.recording_detail(ctx, user, args.recording_id)
            )
        recordings.shred(ctx, user, args.recording_id)
    term.say(f"recording {args.recording_id} shredded: it can never be opened again")
    return EXIT_OK


def _confirm_shred(term: Terminal, view: RecordingView) -> None:
    term.stderr.write(
        f"Shred recording {view.id} (client {view.case_code}, session "
        f"{view.session_date.isoformat()}, {_media(view)})? It cannot be "
        "undone. Type yes to go on: "
    )
    term.stderr.flush()
    if term.stdin.readline().strip().lower() != "yes":
        raise CliError("nothing was shredded", EXIT_FAILED)


def recording_break_glass(args: argparse.Namespace, term: Terminal) -> int:
    """Open a recording with the offline escrow key (admins), audited."""
    out = _plain_out(args, term)
    escrow = read_escrow_key(args.escrow_key)
    with acting(args, term) as (ctx, user):
        result = recordings.break_glass(
            ctx,
            user,
            args.recording_id,
            escrow,
            args.reason,
            out=out,
            age_folder=None if out is not None else Path(args.age),
        )
    del escrow
    _delivered(term, args.recording_id, out, result)
    term.note("The access and its reason are on record. Take the escrow key away.")
    return EXIT_OK


# --- purge ----------------------------------------------------------------------


@contextmanager
def _purger(
    ctx: ProgramContext, args: argparse.Namespace, term: Terminal
) -> Iterator[tuple[audit.Who, UserSession | None]]:
    """The system (cron needs no password: purge only destroys), or `--as`."""
    if not args.as_user:
        yield audit.SYSTEM, None
        return
    with logged_in(ctx, args, term) as user:
        yield user.who, user


def purge(args: argparse.Namespace, term: Terminal) -> int:
    """Shred what is past its destroy-after date; report each recording."""
    with (
        opened(settings_for(args, term)) as ctx,
        _purger(ctx, args, term) as (who, user),
    ):
        report = recordings.purge(ctx, who, user=user, dry_run=args.dry_run)
    if args.json:
        term.write_json(
            {
                "dry_run": report.dry_run,
                "recordings": [item.as_json() for item in report.items],
                "expired_grants": report.expired_grants,
                "uploads": report.uploads,
            }
        )
        return EXIT_OK
    for item in report.items:
        term.say(_purge_line(item, dry_run=report.dry_run))
    term.say(_purge_summary(report))
    return EXIT_OK


_DONE = {"shred": "shredded", "resume": "shred resumed and finished"}
_DUE = {"shred": "would be shredded", "resume": "interrupted shred, would be finished"}


def _purge_line(item: PurgeItem, *, dry_run: bool) -> str:
    due = item.destroy_after.isoformat() if item.destroy_after else "-"
    if item.step == "held":
        what = "on legal hold, skipped"
    else:
        what = (_DUE if dry_run else _DONE).get(item.step, item.step)
    return f"recording {item.id}  {item.case_code}  destroy after {due}  {what}"


def _purge_summary(report: PurgeReport) -> str:
    steps = [item.step for item in report.items]
    shred, resume, held = (steps.count(s) for s in ("shred", "resume", "held"))
    if report.dry_run:
        return (
            f"dry run: {shred} to shred, {resume} to finish, {held} on hold; "
            f"{report.expired_grants} expired shares to wipe; {report.uploads} "
            "unattached uploads to shred; nothing was changed"
        )
    return (
        f"purge: {shred} shredded, {resume} finished, {held} on hold and kept; "
        f"{report.expired_grants} expired shares wiped; {report.uploads} "
        "unattached uploads shredded"
    )
