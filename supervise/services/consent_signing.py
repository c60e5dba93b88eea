"""Printing, verbal consent and the written signature of a consent form.

Printing a draft makes it await signature; verbal consent is logged but lets
no recording in; the signature (with an optional scan of the signed pages,
sealed under the client's key) puts the form in force and retires the version
before it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path

from sqlmodel import Session

from supervise.crypto.sealedfields import SealedFieldError, open_large, seal_large
from supervise.models.clinical import Client, ConsentForm, ConsentStatus
from supervise.models.database import session_scope
from supervise.services import audit
from supervise.services.accounts import UserSession
from supervise.services.consents import (
    OPEN_STATES,
    ConsentView,
    SignatureLineSpec,
    authorize_consent,
    check_day,
    load,
    open_client_keys,
    series,
    signature_lines,
    status_words,
    tampered,
    view_of,
)
from supervise.services.context import ProgramContext
from supervise.services.errors import Conflict, InvalidInput, NotFound
from supervise.services.policy import Action

MAX_SCAN_BYTES = 16 * 1024 * 1024
_SCAN_TYPES = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
)


def mark_printed(ctx: ProgramContext, user: UserSession, consent_id: int) -> bool:
    """Note that the owner printed a draft form: it now awaits signature.

    Returns whether the status changed. Printing by anyone else, or printing
    a form that is past draft, changes nothing.
    """
    with session_scope(ctx.engine) as session:
        consent = load(session, consent_id)
        if consent.trainee_id != user.account_id or consent.status != (
            ConsentStatus.DRAFT
        ):
            return False
        consent.status = ConsentStatus.AWAITING_SIGNATURE
        consent.printed_at = ctx.now()
        session.add(consent)
        audit.record(
            session,
            ctx,
            user.who,
            "consent.printed",
            object_type="consent",
            object_id=consent.id,
        )
        session.commit()
        return True


def record_verbal(
    ctx: ProgramContext, user: UserSession, consent_id: int, on: date
) -> ConsentView:
    """Log that the client consented aloud (it does not activate the consent).

    Raises:
        NotFound, PermissionDenied (audited), InvalidInput (date),
        Conflict: The consent is signed, revoked or expired already.
    """
    with session_scope(ctx.engine) as session:
        consent = load(session, consent_id)
        authorize_consent(session, ctx, user, Action.CONSENT_EDIT, consent)
        check_day(on, ctx.now().date(), "verbal consent")
        if consent.status not in OPEN_STATES:
            raise Conflict(f"form {consent.id} is {status_words(consent)} already")
        consent.verbal_on = on
        consent.verbal_by = user.account_id
        session.add(consent)
        audit.record(
            session,
            ctx,
            user.who,
            "consent.verbal",
            object_type="consent",
            object_id=consent.id,
        )
        session.commit()
        return view_of(session, consent, viewer_id=user.account_id)


def _check_lines(
    specs: Sequence[SignatureLineSpec], signed: Iterable[str]
) -> list[str]:
    keys = {spec.key: spec for spec in specs}
    chosen = []
    for raw in signed:
        key = raw.strip()
        key = key.split(":", 1)[0].lower() + (
            ":" + key.split(":", 1)[1].upper() if ":" in key else ""
        )
        if key not in keys:
            raise InvalidInput(
                f"the form has no signature line {raw.strip()!r}; its lines are: "
                + ", ".join(keys)
            )
        chosen.append(key)
    missing = [s.label for s in specs if s.required and s.key not in chosen]
    if missing:
        raise InvalidInput(
            "the consent is not in force until every required line is signed; "
            "missing: " + "; ".join(missing)
        )
    return [spec.key for spec in specs if spec.key in chosen]


def read_scan(path: Path) -> tuple[bytes, str]:
    """A signed form's scan, and its media type, or refuse it.

    Raises:
        InvalidInput: Unreadable, too large, or not a PDF, PNG, JPEG or TIFF.
    """
    try:
        if not path.is_file():
            raise InvalidInput("the scan is not a regular file")
        if path.stat().st_size > MAX_SCAN_BYTES:
            raise InvalidInput(
                f"the scan is larger than {MAX_SCAN_BYTES // (1024 * 1024)} MiB: "
                "scan at a lower resolution"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"the scan cannot be read ({exc.strerror})") from None
    for magic, media_type in _SCAN_TYPES:
        if data.startswith(magic):
            return data, media_type
    raise InvalidInput("the scan must be a PDF, PNG, JPEG or TIFF file")


def sign(
    ctx: ProgramContext,
    user: UserSession,
    consent_id: int,
    *,
    on: date,
    lines: Iterable[str],
    scan: Path | None = None,
) -> ConsentView:
    """Record the written signature: the consent comes into force, and the
    version it replaces expires.

    Args:
        ctx: The program.
        user: The client's trainee.
        consent_id: The printed form.
        on: The date on the signed form.
        lines: The keys of the signature lines signed (every required one).
        scan: Optionally, a scan of the signed pages (sealed).

    Raises:
        NotFound, PermissionDenied (audited), InvalidInput (date, lines,
        scan), Conflict: Not printed yet, or past signature.
    """
    data = read_scan(Path(scan)) if scan is not None else None
    with session_scope(ctx.engine) as session:
        consent = load(session, consent_id)
        authorize_consent(session, ctx, user, Action.CONSENT_EDIT, consent)
        if consent.status == ConsentStatus.DRAFT:
            raise Conflict(
                f"form {consent.id} has not been printed: print it, have it "
                "signed, then record the signature"
            )
        if consent.status != ConsentStatus.AWAITING_SIGNATURE:
            raise Conflict(f"form {consent.id} is {status_words(consent)} already")
        check_day(on, ctx.now().date(), "signature")
        if on < consent.created_at.date():
            raise InvalidInput("the signature date is before the form was made")
        consent.signers = ",".join(
            _check_lines(signature_lines(session, consent), lines)
        )
        if data is not None:
            client = session.get(Client, consent.client_id)
            assert client is not None and consent.id is not None
            keys = open_client_keys(session, ctx, user, client)
            consent.scan_sealed = seal_large(
                keys, f"consent.{consent.id}.scan", data[0]
            )
            consent.scan_media_type = data[1]
        consent.status = ConsentStatus.ACTIVE
        consent.signed_on = on
        consent.signed_by = user.account_id
        session.add(consent)
        _expire_earlier(session, ctx, user, consent)
        audit.record(
            session,
            ctx,
            user.who,
            "consent.sign",
            object_type="consent",
            object_id=consent.id,
            reason="with-scan" if data is not None else "",
        )
        session.commit()
        return view_of(session, consent, viewer_id=user.account_id)


def _expire_earlier(
    session: Session, ctx: ProgramContext, user: UserSession, consent: ConsentForm
) -> None:
    for older in series(session, consent.client_id):
        if older.id != consent.id and older.status == ConsentStatus.ACTIVE:
            older.status = ConsentStatus.EXPIRED
            session.add(older)
            audit.record(
                session,
                ctx,
                user.who,
                "consent.expire",
                object_type="consent",
                object_id=older.id,
                reason=f"superseded-by-{consent.id}",
            )


def export_scan(
    ctx: ProgramContext, user: UserSession, consent_id: int
) -> tuple[bytes, str]:
    """The signed form's scan and its media type (audited as `consent.scan`).

    Raises:
        NotFound (no scan), PermissionDenied (audited), vault.KeyTampered.
    """
    with session_scope(ctx.engine) as session:
        consent = load(session, consent_id)
        authorize_consent(session, ctx, user, Action.CONSENT_VIEW, consent)
        if consent.scan_sealed is None:
            raise NotFound(f"form {consent_id} has no scan of its signed pages")
        client = session.get(Client, consent.client_id)
        assert client is not None
        keys = open_client_keys(session, ctx, user, client)
        try:
            data = open_large(keys, f"consent.{consent_id}.scan", consent.scan_sealed)
        except SealedFieldError:
            raise tampered(ctx, user, consent, "scan") from None
        audit.record(
            session,
            ctx,
            user.who,
            "consent.scan",
            object_type="consent",
            object_id=consent.id,
        )
        session.commit()
        return data, consent.scan_media_type
