"""The audit trail: append-only rows, hash-chained and MAC'd (see SECURITY.md)."""

from __future__ import annotations

import enum

from sqlalchemy import BigInteger, Column, String
from sqlmodel import Field, SQLModel


class Outcome(enum.StrEnum):
    """How an audited request ended."""

    ALLOWED = "allowed"
    DENIED = "denied"
    ERROR = "error"


class AuditEvent(SQLModel, table=True):
    """One audited event. Ids and codes only: never names or clinical text."""

    __tablename__ = "audit_event"

    seq: int = Field(
        sa_column=Column(BigInteger, primary_key=True, autoincrement=False)
    )
    ts: str = Field(max_length=40)
    """UTC time as ISO 8601 text, so that the hashed form never changes."""
    actor_id: int | None = None
    actor_role: str = Field(default="", max_length=48)
    session_id: str = Field(default="", max_length=40)
    action: str = Field(max_length=64, index=True)
    object_type: str = Field(default="", max_length=32)
    object_id: str = Field(default="", max_length=64)
    outcome: Outcome = Field(sa_type=String(8))
    reason: str = Field(default="", max_length=64)
    prev_hash: str = Field(max_length=64)
    entry_hash: str = Field(max_length=64)
    mac: str = Field(max_length=64)


class AuditHead(SQLModel, table=True):
    """The chain's head (one row): serialises writers and catches a cut-off tail."""

    __tablename__ = "audit_head"

    id: int = Field(default=1, primary_key=True)
    seq: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    entry_hash: str = Field(max_length=64)
    mac: str = Field(max_length=64)
