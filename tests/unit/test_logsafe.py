"""Errors reach logs as their kinds and frames, never the values they quote."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from supervise.logsafe import frames, safe_summary
from tests.conftest import Demo

MARKER = "Marker Name " + "Zyx"  # built, so that no source line holds it


def _failed_insert(program: Demo) -> IntegrityError:
    with pytest.raises(IntegrityError) as caught, program.ctx.engine.begin() as conn:
        conn.execute(
            text("INSERT INTO program (id, name) VALUES (:id, :name)"),
            {"id": 1, "name": MARKER},
        )
    return caught.value


def test_a_database_error_is_logged_without_the_row_it_refused(program: Demo) -> None:
    error = _failed_insert(program)
    logged = safe_summary(error) + frames(error)
    assert MARKER not in logged
    assert logged.startswith("IntegrityError / ")


def test_sqlite_errors_do_not_quote_statement_parameters(
    sqlite_program: Demo,
) -> None:
    # PostgreSQL's own DETAIL line quotes the row, which is why logs use
    # safe_summary; SQLAlchemy's parameter echo is off on every engine.
    assert MARKER not in str(_failed_insert(sqlite_program))


def test_an_ordinary_error_is_logged_by_kind_only() -> None:
    try:
        raise ValueError(f"cannot parse {MARKER}")
    except ValueError as exc:
        assert safe_summary(exc) == "ValueError"
        assert MARKER not in frames(exc)
