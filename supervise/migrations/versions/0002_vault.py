"""vault: client uid, grant via, stated reasons

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03 18:16:24.820813
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import supervise.models.base

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stated_reason",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "action", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False
        ),
        sa.Column(
            "object_type", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False
        ),
        sa.Column("object_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column(
            "created_at",
            supervise.models.base.UTCDateTime(timezone=True),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(["actor_id"], ["account.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("client", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("uid", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True)
        )
    # Clients made before this revision (none are expected: no release could
    # make them) get a random uid each, so the column can become required.
    connection = op.get_bind()
    client = sa.table("client", sa.column("id", sa.Integer), sa.column("uid"))
    for (client_id,) in connection.execute(sa.select(client.c.id)).all():
        connection.execute(
            client.update()
            .where(client.c.id == client_id)
            .values(uid=str(uuid.uuid4()))
        )
    with op.batch_alter_table("client", schema=None) as batch_op:
        batch_op.alter_column(
            "uid",
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=36),
            nullable=False,
        )
        batch_op.create_unique_constraint("uq_client_uid", ["uid"])
    with op.batch_alter_table("grant", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "via", sa.String(length=16), nullable=False, server_default="share"
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("grant", schema=None) as batch_op:
        batch_op.drop_column("via")
    with op.batch_alter_table("client", schema=None) as batch_op:
        batch_op.drop_constraint("uq_client_uid", type_="unique")
        batch_op.drop_column("uid")
    op.drop_table("stated_reason")
