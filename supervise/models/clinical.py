"""Clients, consents, recordings, grants, reviews and hours.

These tables are laid out now so that the schema fits the whole product; the
vault, consent and supervision issues fill in their behaviour. Clinical text
and identities are stored only as ciphertext (`*_sealed` columns).
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Column, Index, LargeBinary, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from supervise.models.base import UTCDateTime, utcnow


class Client(SQLModel, table=True):
    """A client of a trainee: case code in clear, identity sealed."""

    __table_args__ = (UniqueConstraint("uid", name="uq_client_uid"),)

    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(max_length=36)
    """Random id bound into the client key's grants and keystore row."""
    case_code: str = Field(max_length=32, unique=True, index=True)
    trainee_id: int = Field(foreign_key="account.id", index=True)
    jurisdiction: str = Field(max_length=2)
    is_minor: bool = False
    identity_sealed: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    """Name, date of birth, guardian and contact, encrypted under the client key."""
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ConsentStatus(enum.StrEnum):
    """Where a consent form is in its life."""

    DRAFT = "draft"
    AWAITING_SIGNATURE = "awaiting_signature"
    ACTIVE = "active"
    REVOKED = "revoked"
    EXPIRED = "expired"


class ConsentForm(SQLModel, table=True):
    """One version of a client's informed consent to recording.

    What the form says is kept in clear where it is not clinical (purposes,
    the access list as account ids, the storage location, the retention
    rule); free text a person wrote about the client (the circumstances of
    preservation, the revocation notes) and the signed scan are sealed under
    the client's key.
    """

    __tablename__ = "consent_form"
    __table_args__ = (UniqueConstraint("client_id", "version", name="uq_consent_v"),)

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    trainee_id: int = Field(foreign_key="account.id", index=True)
    version: int = 1
    supersedes_id: int | None = Field(default=None, foreign_key="consent_form.id")
    """The version this one replaces once it is signed."""
    status: ConsentStatus = Field(default=ConsentStatus.DRAFT, sa_type=String(24))
    purposes: str = Field(default="", max_length=64)
    """Comma-separated: clinical_record, supervision, training."""
    revocation_disposition: str = Field(default="delete", max_length=16)
    """`delete` or `preserve`."""
    retention_years: int | None = None
    """The jurisdiction's years after the session, as the form states them."""
    minor: bool = False
    """The client was a minor when the form was made (a guardian signs)."""
    retain_minor_until: date | None = None
    """For a minor: the age of majority plus the jurisdiction's years."""
    jurisdiction: str = Field(default="", max_length=2)
    all_party: bool = False
    """The jurisdiction requires every participant's consent to record."""
    include_supervisors: bool = True
    """The trainee's assigned supervisors (present and future) have access."""
    access_ids: str = Field(default="", max_length=400)
    """Comma-separated ids of further accounts named on the form."""
    storage_location: str = Field(default="", max_length=300)
    verification_code: str = Field(default="", max_length=16)
    terms_sealed: bytes | None = Field(default=None, sa_column=Column(LargeBinary))
    """The circumstances of preservation on revocation, sealed."""
    printed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    verbal_on: date | None = None
    verbal_by: int | None = Field(default=None, foreign_key="account.id")
    signed_on: date | None = None
    signers: str = Field(default="", max_length=400)
    """Comma-separated keys of the signature lines signed (`client`, ...)."""
    signed_by: int | None = Field(default=None, foreign_key="account.id")
    """Who recorded the signature."""
    scan_sealed: bytes | None = Field(default=None, sa_column=Column(LargeBinary))
    scan_media_type: str = Field(default="", max_length=64)
    revoked_on: date | None = None
    revocation_received: str = Field(default="", max_length=24)
    """How the revocation arrived: in_person, phone, mail, email, other."""
    revoked_by: int | None = Field(default=None, foreign_key="account.id")
    """Who recorded the revocation."""
    revocation_sealed: bytes | None = Field(default=None, sa_column=Column(LargeBinary))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ConsentParticipant(SQLModel, table=True):
    """Another client taking part in the sessions a consent covers."""

    __tablename__ = "consent_participant"
    __table_args__ = (
        UniqueConstraint("consent_id", "client_id", name="uq_consent_participant"),
    )

    id: int | None = Field(default=None, primary_key=True)
    consent_id: int = Field(foreign_key="consent_form.id", index=True)
    client_id: int = Field(foreign_key="client.id", index=True)


class RecordingConsent(SQLModel, table=True):
    """Each consent a recording was imported under: its client's and every
    participant's. Revocation follows these rows."""

    __tablename__ = "recording_consent"
    __table_args__ = (
        UniqueConstraint("recording_id", "client_id", name="uq_recording_client"),
    )

    id: int | None = Field(default=None, primary_key=True)
    recording_id: int = Field(foreign_key="recording.id", index=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    consent_id: int = Field(foreign_key="consent_form.id", index=True)


class RecordingState(enum.StrEnum):
    """A recording's life: usable, being shredded, gone."""

    ACTIVE = "active"
    SHREDDING = "shredding"
    SHREDDED = "shredded"


class Recording(SQLModel, table=True):
    """An encrypted session recording: age header here, payload in the blob store."""

    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(max_length=36, unique=True)
    """Random id bound into the age header and used in the blob's name."""
    client_id: int = Field(foreign_key="client.id", index=True)
    consent_id: int | None = Field(default=None, foreign_key="consent_form.id")
    trainee_id: int = Field(foreign_key="account.id", index=True)
    session_date: date
    purpose: str = Field(max_length=24)
    media_type: str = Field(default="", max_length=64)
    duration_seconds: float | None = None
    size_bytes: int = 0
    destroy_after: date | None = None
    legal_hold: bool = False
    shred_on_release: bool = False
    """Revoked with `delete` while on legal hold: shred when the hold ends."""
    state: RecordingState = Field(default=RecordingState.ACTIVE, sa_type=String(16))
    age_header: bytes | None = Field(default=None, sa_column=Column(LargeBinary))
    blob_name: str = Field(default="", max_length=80)
    created_at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, index=True
    )


class GrantVia(enum.StrEnum):
    """Why a grant exists, which decides what else access needs."""

    OWNER = "owner"
    """The trainee who made the object."""
    SUPERVISOR = "supervisor"
    """A supervisor of that trainee; counts only while the pair is active."""
    SHARE = "share"
    """Shared on purpose by the owner; counts until unshared or expired."""
    ESCROW = "escrow"
    """The program's offline escrow key (break glass); `grantee_id` is None."""


class Grant(SQLModel, table=True):
    """A key grant: who can open one sealed object (a recording or a client).

    Removing access deletes `wrapped_secret` and keeps the row for the record.
    """

    __table_args__ = (
        # A grantee's grants on one kind of object: the review queue's lookup.
        Index("ix_grant_grantee_object", "grantee_id", "object_type", "object_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    object_type: str = Field(max_length=16, index=True)
    object_id: int = Field(index=True)
    grantee_id: int | None = Field(default=None, foreign_key="account.id", index=True)
    """None for the program's escrow grant."""
    via: GrantVia = Field(default=GrantVia.SHARE, sa_type=String(16))
    wrapped_secret: bytes | None = Field(default=None, sa_column=Column(LargeBinary))
    granted_by: int | None = Field(default=None, foreign_key="account.id")
    granted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    purpose: str = Field(default="", max_length=24)
    """For a share: the consented purpose it serves (`training` expires)."""
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Review(SQLModel, table=True):
    """A supervisor's review of one recording; locked at sign-off.

    One review per supervisor and recording. The feedback and the ratings are
    clinical text, sealed under the recording's keys (`sealedfields`), so the
    review opens for whoever can open the recording.
    """

    __table_args__ = (UniqueConstraint("recording_id", "supervisor_id"),)

    id: int | None = Field(default=None, primary_key=True)
    recording_id: int = Field(foreign_key="recording.id", index=True)
    supervisor_id: int = Field(foreign_key="account.id", index=True)
    feedback_sealed: bytes | None = Field(default=None, sa_column=Column(LargeBinary))
    ratings_sealed: bytes | None = Field(default=None, sa_column=Column(LargeBinary))
    signed_off_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    trainee_seen_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    """When the trainee first opened the signed-off feedback (None: new)."""


class ReviewComment(SQLModel, table=True):
    """A time-coded comment in a review; the text is sealed."""

    __tablename__ = "review_comment"

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="review.id", index=True)
    author_id: int | None = Field(default=None, foreign_key="account.id")
    at_seconds: float
    text_sealed: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class RubricItem(SQLModel, table=True):
    """One competency of the program's rubric, rated 1 to 5 or not observed.

    Admins edit the rubric; an item in use is retired rather than deleted, so
    older reviews keep their labels (a review's sealed ratings also carry the
    label it was rated under).
    """

    __tablename__ = "rubric_item"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    label: str = Field(max_length=120)
    description: str = Field(default="", max_length=400)
    position: int = 0
    retired_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class HoursEntry(SQLModel, table=True):
    """Supervision hours for licensure, co-signed by the supervisor."""

    __tablename__ = "hours_entry"

    id: int | None = Field(default=None, primary_key=True)
    trainee_id: int = Field(foreign_key="account.id", index=True)
    supervisor_id: int = Field(foreign_key="account.id", index=True)
    kind: str = Field(max_length=16)
    on_date: date
    minutes: int
    review_id: int | None = Field(default=None, foreign_key="review.id", unique=True)
    """The signed-off review the hours come from; one entry per review."""
    cosigned_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_by: int | None = Field(default=None, foreign_key="account.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class StatedReason(SQLModel, table=True):
    """The words an admin gave for a legal hold, its release, or a break-glass.

    Kept out of the audit row (which holds codes only); the audit row's reason
    names this row as `note-<id>`. Admins are asked to use case codes, never
    names, here.
    """

    __tablename__ = "stated_reason"

    id: int | None = Field(default=None, primary_key=True)
    action: str = Field(max_length=40)
    object_type: str = Field(max_length=16)
    object_id: int
    actor_id: int | None = Field(default=None, foreign_key="account.id")
    text: str = Field(max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class RetentionRule(SQLModel, table=True):
    """A jurisdiction's rules for consent and retention, editable by admins."""

    __tablename__ = "retention_rule"

    jurisdiction: str = Field(primary_key=True, max_length=2)
    name: str = Field(default="", max_length=40)
    all_party_consent: bool = False
    adult_years: int
    minor_years: int = 0
    """Years to keep a minor's records after the age of majority."""
    minor_rule: str = Field(default="", max_length=200)
    age_of_majority: int = 18
    statute: str = Field(default="", max_length=400)
    source: str = Field(default="", max_length=400)
