"""Alembic environment: runs migrations on the connection supervise hands in."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import supervise.models  # noqa: F401  (registers every table on the metadata)

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `supervise migrate` or `init`")

context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
