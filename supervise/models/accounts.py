"""Accounts, their roles, and supervision pairs."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Column, LargeBinary, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from supervise.models.base import UTCDateTime, utcnow


class Role(enum.StrEnum):
    """What an account may be; an account may hold several."""

    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    TRAINEE = "trainee"
    AUDITOR = "auditor"


class AccountBase(SQLModel):
    """Fields an admin chooses when creating an account."""

    username: str = Field(max_length=32, unique=True, index=True)
    full_name: str = Field(default="", max_length=200)


class Account(AccountBase, table=True):
    """A named person who logs in. No shared logins."""

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    disabled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    password_hash: str
    """Argon2id PHC string (parameters and salt inside) for login checks."""
    must_change_password: bool = True
    """Set for one-time passwords; cleared when the person sets their own."""
    failed_logins: int = 0
    locked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)

    public_key: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    """X25519 public key that grants are wrapped to."""
    key_version: int = 1
    kek_salt: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    kek_params: str
    """Argon2id parameters of the key-encryption key, as `t=3,m=65536,p=4`."""
    wrapped_private_key: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    """The X25519 private key, AEAD-wrapped under the password's KEK."""
    recovery_wrapped_key: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    """A second copy of the private key, HPKE-wrapped to the program recovery key."""


class AccountRole(SQLModel, table=True):
    """One role held by one account."""

    __tablename__ = "account_role"

    account_id: int = Field(foreign_key="account.id", primary_key=True)
    role: Role = Field(primary_key=True, sa_type=String(16))


class SupervisionKind(enum.StrEnum):
    """How a supervisor meets a trainee."""

    INDIVIDUAL = "individual"
    GROUP = "group"
    TRIADIC = "triadic"


class Supervision(SQLModel, table=True):
    """A supervisor-trainee pair, from its start date until it is ended."""

    __table_args__ = (
        UniqueConstraint("supervisor_id", "trainee_id", "started_on", name="uq_pair"),
    )

    id: int | None = Field(default=None, primary_key=True)
    supervisor_id: int = Field(foreign_key="account.id", index=True)
    trainee_id: int = Field(foreign_key="account.id", index=True)
    kind: SupervisionKind = Field(
        default=SupervisionKind.INDIVIDUAL, sa_type=String(16)
    )
    started_on: date
    ended_on: date | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
