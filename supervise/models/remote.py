"""SSH access: public keys registered to accounts, and recordings dropped
into a trainee's inbox over scp or sftp before they are attached."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Column, LargeBinary, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from supervise.models.base import UTCDateTime, utcnow


class SshKey(SQLModel, table=True):
    """A public key that logs its account in over SSH.

    The account is bound by the key's row, never by the user name the client
    offers alongside it.
    """

    __tablename__ = "ssh_key"

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    algorithm: str = Field(max_length=40)
    """As OpenSSH names it, e.g. `ssh-ed25519`."""
    key_data: str = Field(max_length=1500)
    """The public key in OpenSSH's one-line form, without the comment."""
    fingerprint: str = Field(max_length=64, unique=True, index=True)
    """`SHA256:...` as `ssh-keygen -l` prints it; one account per key."""
    comment: str = Field(default="", max_length=100)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class UploadState(enum.StrEnum):
    """Where an upload to the drop box stands."""

    RECEIVING = "receiving"
    PENDING = "pending"
    """Stored, encrypted, waiting to be attached to a client and consent."""
    ATTACHED = "attached"
    SHREDDED = "shredded"
    ABORTED = "aborted"
    """The connection dropped or the upload was refused part-way: no payload
    was kept."""


class PendingUpload(SQLModel, table=True):
    """A file a trainee copied into their SSH inbox, encrypted as it arrived.

    The payload is an age file in the blob store whose header (here) is
    encrypted to the trainee's own public key, so the server can write it
    without any password and only the trainee can open it. The file name is
    sealed the same way: it may hold a client's name.
    """

    __tablename__ = "pending_upload"
    __table_args__ = (UniqueConstraint("uid", name="uq_pending_upload_uid"),)

    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(max_length=36)
    account_id: int = Field(foreign_key="account.id", index=True)
    name_sealed: bytes | None = Field(default=None, sa_column=Column(LargeBinary))
    size_bytes: int = 0
    state: UploadState = Field(default=UploadState.RECEIVING, sa_type=String(16))
    age_header: bytes | None = Field(default=None, sa_column=Column(LargeBinary))
    blob_name: str = Field(default="", max_length=80)
    recording_id: int | None = Field(default=None, foreign_key="recording.id")
    """The recording it became, once attached."""
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    shred_after: datetime | None = Field(default=None, sa_type=UTCDateTime)
    """Received plus the drop box's keep time; `purge` shreds it after this."""
