"""Helpers for the hours log tests: signed-off reviews, and reading exports back."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

from pypdf import PdfReader
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from supervise.models.accounts import Account
from supervise.models.clinical import Recording, Review


def account_id(engine: Engine, username: str) -> int:
    """The id of the account `username`."""
    with Session(engine) as session:
        found = session.exec(select(Account.id).where(Account.username == username))
        value = found.one()
        assert value is not None
        return value


def recording_of(engine: Engine, trainee: str, nth: int = 0) -> int:
    """The id of the `nth` (oldest first) recording of `trainee`."""
    owner = account_id(engine, trainee)
    with Session(engine) as session:
        ids = session.exec(
            select(Recording.id)
            .where(Recording.trainee_id == owner)
            .order_by(col(Recording.id))
        ).all()
    found = ids[nth]
    assert found is not None
    return found


def review_row(
    engine: Engine,
    recording_id: int,
    supervisor: str,
    signed_off_at: datetime | None,
) -> int:
    """Insert a review row straight into the table (the reviews service is
    not needed to log hours from one); its id."""
    with Session(engine) as session:
        review = Review(
            recording_id=recording_id,
            supervisor_id=account_id(engine, supervisor),
            signed_off_at=signed_off_at,
        )
        session.add(review)
        session.commit()
        assert review.id is not None
        return review.id


def pdf_text(data: bytes) -> str:
    """Every page's text, runs of white space made single spaces."""
    pages = PdfReader(io.BytesIO(data)).pages
    return " ".join(" ".join(page.extract_text().split()) for page in pages)


def qpdf_check(data: bytes, folder: Path) -> None:
    """`qpdf --check` accepts the file."""
    qpdf = shutil.which("qpdf")
    assert qpdf is not None, "qpdf is not installed: apt-get install qpdf"
    path = folder / "checked.pdf"
    path.write_bytes(data)
    result = subprocess.run(
        [qpdf, "--check", str(path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def csv_rows(text: str) -> tuple[list[dict[str, str]], dict[str, tuple[int, str]]]:
    """The entry rows of an hours CSV, and its totals: label -> (minutes, hours)."""
    rows = list(csv.DictReader(io.StringIO(text)))
    entries = [row for row in rows if row["date"] != "TOTAL"]
    totals = {
        row["kind"]: (int(row["minutes"]), row["hours"])
        for row in rows
        if row["date"] == "TOTAL"
    }
    return entries, totals
