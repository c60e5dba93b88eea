"""The program: one row naming it and holding its offline keys' public halves."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, LargeBinary
from sqlmodel import Field, SQLModel

from supervise.models.base import UTCDateTime, utcnow


class Program(SQLModel, table=True):
    """The training program this installation serves (exactly one row)."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    jurisdiction: str = Field(default="", max_length=2)
    """US state (two letters) whose rules apply by default."""
    escrow_public_key: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    """X25519 public half of the offline escrow (break-glass) key."""
    recovery_public_key: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    """X25519 public half of the offline account-recovery key."""
    host_secrets_id: str = Field(max_length=64)
    """Fingerprint of the host secrets file this database belongs with."""
