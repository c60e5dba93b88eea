"""remote: SSH public keys of accounts, and the drop box's pending uploads

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 22:32:17.023144
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import supervise.models.base

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ssh_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column(
            "algorithm", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False
        ),
        sa.Column(
            "key_data", sqlmodel.sql.sqltypes.AutoString(length=1500), nullable=False
        ),
        sa.Column(
            "fingerprint", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False
        ),
        sa.Column(
            "comment", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False
        ),
        sa.Column(
            "created_at",
            supervise.models.base.UTCDateTime(timezone=True),
            nullable=False,
        ),
        sa.Column(
            "last_used_at",
            supervise.models.base.UTCDateTime(timezone=True),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("ssh_key", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ssh_key_account_id"), ["account_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_ssh_key_fingerprint"), ["fingerprint"], unique=True
        )

    op.create_table(
        "pending_upload",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("name_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("age_header", sa.LargeBinary(), nullable=True),
        sa.Column(
            "blob_name", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False
        ),
        sa.Column("recording_id", sa.Integer(), nullable=True),
        sa.Column(
            "received_at",
            supervise.models.base.UTCDateTime(timezone=True),
            nullable=False,
        ),
        sa.Column(
            "shred_after",
            supervise.models.base.UTCDateTime(timezone=True),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
        ),
        sa.ForeignKeyConstraint(
            ["recording_id"],
            ["recording.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("uid", name="uq_pending_upload_uid"),
    )
    with op.batch_alter_table("pending_upload", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pending_upload_account_id"), ["account_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("pending_upload", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pending_upload_account_id"))

    op.drop_table("pending_upload")
    with op.batch_alter_table("ssh_key", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ssh_key_fingerprint"))
        batch_op.drop_index(batch_op.f("ix_ssh_key_account_id"))

    op.drop_table("ssh_key")
