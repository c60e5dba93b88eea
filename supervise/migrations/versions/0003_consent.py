"""consent: forms in full, participants, recording consents, state table

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 20:23:03.671270
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import supervise.models.base

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "consent_participant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consent_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["client.id"],
        ),
        sa.ForeignKeyConstraint(
            ["consent_id"],
            ["consent_form.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("consent_id", "client_id", name="uq_consent_participant"),
    )
    with op.batch_alter_table("consent_participant", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consent_participant_client_id"), ["client_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_consent_participant_consent_id"),
            ["consent_id"],
            unique=False,
        )

    op.create_table(
        "recording_consent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recording_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("consent_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["client.id"],
        ),
        sa.ForeignKeyConstraint(
            ["consent_id"],
            ["consent_form.id"],
        ),
        sa.ForeignKeyConstraint(
            ["recording_id"],
            ["recording.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("recording_id", "client_id", name="uq_recording_client"),
    )
    with op.batch_alter_table("recording_consent", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_recording_consent_client_id"), ["client_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_recording_consent_consent_id"), ["consent_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_recording_consent_recording_id"),
            ["recording_id"],
            unique=False,
        )

    with op.batch_alter_table("consent_form", schema=None) as batch_op:
        batch_op.add_column(sa.Column("supersedes_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("minor", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("retain_minor_until", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "jurisdiction",
                sqlmodel.sql.sqltypes.AutoString(length=2),
                nullable=False,
                server_default="",
            )
        )
        batch_op.add_column(
            sa.Column(
                "all_party", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
        batch_op.add_column(
            sa.Column(
                "include_supervisors",
                sa.Boolean(),
                nullable=False,
                server_default=sa.true(),
            )
        )
        batch_op.add_column(
            sa.Column(
                "access_ids",
                sqlmodel.sql.sqltypes.AutoString(length=400),
                nullable=False,
                server_default="",
            )
        )
        batch_op.add_column(
            sa.Column(
                "storage_location",
                sqlmodel.sql.sqltypes.AutoString(length=300),
                nullable=False,
                server_default="",
            )
        )
        batch_op.add_column(
            sa.Column(
                "printed_at",
                supervise.models.base.UTCDateTime(timezone=True),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("verbal_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("verbal_by", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "signers",
                sqlmodel.sql.sqltypes.AutoString(length=400),
                nullable=False,
                server_default="",
            )
        )
        batch_op.add_column(sa.Column("signed_by", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("scan_sealed", sa.LargeBinary(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "scan_media_type",
                sqlmodel.sql.sqltypes.AutoString(length=64),
                nullable=False,
                server_default="",
            )
        )
        batch_op.add_column(
            sa.Column(
                "revocation_received",
                sqlmodel.sql.sqltypes.AutoString(length=24),
                nullable=False,
                server_default="",
            )
        )
        batch_op.add_column(sa.Column("revoked_by", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("revocation_sealed", sa.LargeBinary(), nullable=True)
        )
        batch_op.create_foreign_key(
            "fk_consent_signed_by", "account", ["signed_by"], ["id"]
        )
        batch_op.create_foreign_key(
            "fk_consent_revoked_by", "account", ["revoked_by"], ["id"]
        )
        batch_op.create_foreign_key(
            "fk_consent_supersedes", "consent_form", ["supersedes_id"], ["id"]
        )
        batch_op.create_foreign_key(
            "fk_consent_verbal_by", "account", ["verbal_by"], ["id"]
        )

    with op.batch_alter_table("grant", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "purpose",
                sqlmodel.sql.sqltypes.AutoString(length=24),
                nullable=False,
                server_default="",
            )
        )

    with op.batch_alter_table("recording", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "shred_on_release",
                sa.Boolean(),
                nullable=False,
                server_default=sa.false(),
            )
        )

    with op.batch_alter_table("retention_rule", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "name",
                sqlmodel.sql.sqltypes.AutoString(length=40),
                nullable=False,
                server_default="",
            )
        )
        batch_op.add_column(
            sa.Column("minor_years", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("retention_rule", schema=None) as batch_op:
        batch_op.drop_column("minor_years")
        batch_op.drop_column("name")

    with op.batch_alter_table("recording", schema=None) as batch_op:
        batch_op.drop_column("shred_on_release")

    with op.batch_alter_table("grant", schema=None) as batch_op:
        batch_op.drop_column("purpose")

    with op.batch_alter_table("consent_form", schema=None) as batch_op:
        batch_op.drop_constraint("fk_consent_signed_by", type_="foreignkey")
        batch_op.drop_constraint("fk_consent_revoked_by", type_="foreignkey")
        batch_op.drop_constraint("fk_consent_supersedes", type_="foreignkey")
        batch_op.drop_constraint("fk_consent_verbal_by", type_="foreignkey")
        batch_op.drop_column("revocation_sealed")
        batch_op.drop_column("revoked_by")
        batch_op.drop_column("revocation_received")
        batch_op.drop_column("scan_media_type")
        batch_op.drop_column("scan_sealed")
        batch_op.drop_column("signed_by")
        batch_op.drop_column("signers")
        batch_op.drop_column("verbal_by")
        batch_op.drop_column("verbal_on")
        batch_op.drop_column("printed_at")
        batch_op.drop_column("storage_location")
        batch_op.drop_column("access_ids")
        batch_op.drop_column("include_supervisors")
        batch_op.drop_column("all_party")
        batch_op.drop_column("jurisdiction")
        batch_op.drop_column("retain_minor_until")
        batch_op.drop_column("minor")
        batch_op.drop_column("supersedes_id")

    with op.batch_alter_table("recording_consent", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recording_consent_recording_id"))
        batch_op.drop_index(batch_op.f("ix_recording_consent_consent_id"))
        batch_op.drop_index(batch_op.f("ix_recording_consent_client_id"))

    op.drop_table("recording_consent")
    with op.batch_alter_table("consent_participant", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consent_participant_consent_id"))
        batch_op.drop_index(batch_op.f("ix_consent_participant_client_id"))

    op.drop_table("consent_participant")
