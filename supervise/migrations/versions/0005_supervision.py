"""supervision: the rubric, review edits and feedback seen, hours authorship

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 15:51:26.028089
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import supervise.models.base

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# The default rubric: common counselling competencies, each rated 1 to 5 or
# not observed. Kept here, not imported, so this migration never changes.
DEFAULT_RUBRIC = (
    ("alliance", "Therapeutic alliance", "Warmth, rapport and collaboration."),
    ("listening", "Attending and listening", "Attention, pacing, minimal encouragers."),
    ("empathy", "Empathic reflection", "Reflects feeling and meaning accurately."),
    ("exploration", "Questions and exploration", "Open questions; follows the client."),
    ("goals", "Goals and focus", "Agrees goals; keeps the session on them."),
    ("interventions", "Interventions", "Chooses and delivers techniques skilfully."),
    ("risk", "Risk and safety", "Asks about risk; responds to safety concerns."),
    ("culture", "Cultural responsiveness", "Attends to identity, context and power."),
    ("ethics", "Ethics and boundaries", "Consent, confidentiality, boundaries."),
    ("structure", "Session structure", "Opening, transitions, ending on time."),
)

_WHEN = supervise.models.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    rubric = op.create_table(
        "rubric_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column(
            "label", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False
        ),
        sa.Column(
            "description",
            sqlmodel.sql.sqltypes.AutoString(length=400),
            nullable=False,
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("retired_at", _WHEN, nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code", name="uq_rubric_item_code"),
    )
    op.bulk_insert(
        rubric,
        [
            {"code": code, "label": label, "description": text, "position": n}
            for n, (code, label, text) in enumerate(DEFAULT_RUBRIC, start=1)
        ],
    )
    # No code before this revision wrote hours entries, so the new NOT NULL
    # column meets an empty table.
    with op.batch_alter_table("hours_entry", schema=None) as batch_op:
        batch_op.add_column(sa.Column("created_by", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("created_at", _WHEN, nullable=False))
        batch_op.create_index(
            batch_op.f("ix_hours_entry_supervisor_id"), ["supervisor_id"], unique=False
        )
        batch_op.create_foreign_key(
            "fk_hours_entry_created_by", "account", ["created_by"], ["id"]
        )
        batch_op.create_unique_constraint("uq_hours_entry_review_id", ["review_id"])

    with op.batch_alter_table("grant", schema=None) as batch_op:
        batch_op.create_index(
            "ix_grant_grantee_object",
            ["grantee_id", "object_type", "object_id"],
            unique=False,
        )

    with op.batch_alter_table("recording", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_recording_created_at"), ["created_at"], unique=False
        )

    with op.batch_alter_table("review", schema=None) as batch_op:
        batch_op.add_column(sa.Column("updated_at", _WHEN, nullable=True))
        batch_op.add_column(sa.Column("trainee_seen_at", _WHEN, nullable=True))
        batch_op.create_unique_constraint(
            "uq_review_recording_supervisor", ["recording_id", "supervisor_id"]
        )

    with op.batch_alter_table("review_comment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("author_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("updated_at", _WHEN, nullable=True))
        batch_op.create_foreign_key(
            "fk_review_comment_author", "account", ["author_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("review_comment", schema=None) as batch_op:
        batch_op.drop_constraint("fk_review_comment_author", type_="foreignkey")
        batch_op.drop_column("updated_at")
        batch_op.drop_column("author_id")

    with op.batch_alter_table("review", schema=None) as batch_op:
        batch_op.drop_constraint("uq_review_recording_supervisor", type_="unique")
        batch_op.drop_column("trainee_seen_at")
        batch_op.drop_column("updated_at")

    with op.batch_alter_table("grant", schema=None) as batch_op:
        batch_op.drop_index("ix_grant_grantee_object")

    with op.batch_alter_table("recording", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recording_created_at"))

    with op.batch_alter_table("hours_entry", schema=None) as batch_op:
        batch_op.drop_constraint("uq_hours_entry_review_id", type_="unique")
        batch_op.drop_constraint("fk_hours_entry_created_by", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_hours_entry_supervisor_id"))
        batch_op.drop_column("created_at")
        batch_op.drop_column("created_by")

    op.drop_table("rubric_item")
