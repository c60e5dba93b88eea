"""`supervise hours ...`: log, co-sign, remove, list and export supervision hours."""

from __future__ import annotations

import json
import os
import stat
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from supervise.models.database import make_engine
from supervise.settings import load_settings
from tests.cli.helpers import Result, as_user, assert_one_error_line, sql
from tests.hours_helpers import csv_rows, pdf_text, qpdf_check, recording_of, review_row


def started_on(home: Path) -> str:
    """The day the demo's pairs started (the seeding day)."""
    done = as_user(home, "dana", "pair", "list", "--json")
    assert done.code == 0, done.err
    days = {pair["started_on"] for pair in json.loads(done.out)}
    assert len(days) == 1
    return str(days.pop())


def add(home: Path, trainee: str, supervisor: str, *flags: str) -> Result:
    return as_user(
        home,
        trainee,
        "hours",
        "add",
        "--supervisor",
        supervisor,
        "--date",
        started_on(home),
        *flags,
    )


def entry_id(done: Result) -> int:
    """The id in 'entry N: ...'."""
    assert done.code == 0, done.err
    return int(done.out.split(":")[0].removeprefix("entry "))


def listed(home: Path, username: str, *flags: str) -> dict[str, Any]:
    done = as_user(home, username, "hours", "list", "--json", *flags)
    assert done.code == 0, done.err
    result: dict[str, Any] = json.loads(done.out)
    return result


def newest_audit(home: Path) -> tuple[str, str, str, str]:
    """The newest audit row about hours (each run also logs in and off)."""
    (row,) = sql(
        home,
        "SELECT action, outcome, object_id, reason FROM audit_event "
        "WHERE action LIKE 'hours.%' ORDER BY seq DESC LIMIT 1",
    )
    return (str(row[0]), str(row[1]), str(row[2]), str(row[3]))


def tara_logs_four_entries(home: Path) -> list[int]:
    """Both kinds, both supervisors; all co-signed but the last (sam's 50)."""
    ids = [
        entry_id(add(home, "tara", "sam", "--minutes", "60")),
        entry_id(add(home, "tara", "sofia", "--minutes", "90", "--kind", "group")),
        entry_id(add(home, "tara", "sam", "--minutes", "45", "--kind", "group")),
        entry_id(add(home, "tara", "sam", "--minutes", "50")),
    ]
    for supervisor, entry in (("sam", ids[0]), ("sofia", ids[1]), ("sam", ids[2])):
        done = as_user(home, supervisor, "hours", "cosign", str(entry))
        assert done.code == 0, done.err
    return ids


def test_a_trainee_logs_hours_and_the_supervisor_cosigns(home: Path) -> None:
    added = add(home, "tara", "sam", "--minutes", "75")
    entry = entry_id(added)
    assert "individual with sam, 75 min (1.25 h), awaiting co-sign" in added.out

    cosigned = as_user(home, "sam", "hours", "cosign", str(entry))

    assert cosigned.code == 0, cosigned.err
    assert "co-signed" in cosigned.out
    (view,) = listed(home, "tara")["entries"]
    assert (view["id"], view["cosigned"], view["minutes"]) == (entry, True, 75)
    assert newest_audit(home)[:3] == ("hours.cosign", "allowed", str(entry))


def test_the_list_prints_entries_then_totals(home: Path) -> None:
    tara_logs_four_entries(home)

    done = as_user(home, "tara", "hours", "list")

    assert done.code == 0, done.err
    lines = done.out.splitlines()
    assert lines[0].split() == [
        "ID",
        "DATE",
        "TRAINEE",
        "SUPERVISOR",
        "KIND",
        "MINUTES",
        "HOURS",
        "CO-SIGNED",
        "REVIEW",
    ]
    assert len([line for line in lines[1:5] if line.split()[2] == "tara"]) == 4
    assert lines[-5:] == [
        "individual: 110 min (1.83 h)",
        "group: 135 min (2.25 h)",
        "co-signed: 195 min (3.25 h)",
        "awaiting co-sign: 50 min (0.83 h)",
        "total: 245 min (4.08 h)",
    ]
    totals = listed(home, "sofia")["totals_minutes"]
    assert totals["total"] == 90 and totals["by_kind"] == {"individual": 0, "group": 90}
    grouped = listed(home, "tara", "--kind", "group", "--from", started_on(home))
    assert grouped["totals_minutes"]["total"] == 135


def test_the_reviewer_logs_a_signed_off_review_cosigned(sqlite_home: Path) -> None:
    settings = load_settings(sqlite_home, environ=os.environ)
    engine = make_engine(settings.resolved_database_url)
    try:
        signed = datetime.now(UTC)
        review = review_row(engine, recording_of(engine, "tara"), "sam", signed)
    finally:
        engine.dispose()

    done = as_user(
        sqlite_home, "sam", "hours", "from-review", str(review), "--minutes", "55"
    )
    again = as_user(
        sqlite_home, "tara", "hours", "from-review", str(review), "--minutes", "55"
    )

    assert done.code == 0, done.err
    assert f"from review {review}, co-signed" in done.out
    assert again.code == 1
    assert_one_error_line(again.err, "logged already")


def test_another_supervisor_cosigning_is_refused_audited_and_changes_nothing(
    home: Path,
) -> None:
    entry = entry_id(add(home, "tara", "sam", "--minutes", "60"))

    done = as_user(home, "sofia", "hours", "cosign", str(entry))

    assert done.code == 3
    assert_one_error_line(done.err, "another supervisor")
    assert newest_audit(home) == (
        "hours.cosign",
        "denied",
        str(entry),
        "not-entry-supervisor",
    )
    assert listed(home, "tara")["entries"][0]["cosigned"] is False


def test_a_trainee_listing_another_trainees_hours_is_refused_and_audited(
    home: Path,
) -> None:
    add(home, "tara", "sam", "--minutes", "60")

    done = as_user(home, "theo", "hours", "list", "--trainee", "tara")

    assert done.code == 3
    assert_one_error_line(done.err, "hours.view")
    assert newest_audit(home)[:2] == ("hours.view", "denied")
    assert done.out == ""


def test_removing_a_cosigned_entry_is_refused_and_audited(sqlite_home: Path) -> None:
    ids = tara_logs_four_entries(sqlite_home)

    refused = as_user(sqlite_home, "tara", "hours", "remove", str(ids[0]))
    removed = as_user(sqlite_home, "tara", "hours", "remove", str(ids[3]))

    assert refused.code == 1
    assert_one_error_line(refused.err, "can no longer be removed")
    assert removed.code == 0 and f"entry {ids[3]} removed" in removed.out
    left = [entry["id"] for entry in listed(sqlite_home, "tara")["entries"]]
    assert left == ids[:3]
    (row,) = sql(
        sqlite_home,
        "SELECT outcome, reason FROM audit_event WHERE object_type = 'hours' "
        "AND object_id = :entry AND outcome = 'denied'",
        entry=str(ids[0]),
    )
    assert tuple(row) == ("denied", "remove-cosigned")


def test_bad_values_are_refused_without_a_traceback(sqlite_home: Path) -> None:
    too_long = add(sqlite_home, "tara", "sam", "--minutes", "721")
    bad_kind = add(sqlite_home, "tara", "sam", "--minutes", "60", "--kind", "triadic")
    bad_date = as_user(
        sqlite_home,
        "tara",
        "hours",
        "add",
        "--supervisor",
        "sam",
        "--date",
        "3/12/2026",
        "--minutes",
        "60",
    )
    bad_format = as_user(
        sqlite_home, "tara", "hours", "export", "--format", "doc", "-o", "x"
    )
    bad_name = sqlite_home / ("x" * 300 + ".csv")
    unusable = as_user(
        sqlite_home, "tara", "hours", "export", "--format", "csv", "-o", str(bad_name)
    )

    assert (too_long.code, bad_kind.code, unusable.code) == (1, 1, 1)
    assert_one_error_line(unusable.err, "cannot be used: File name too long")
    assert_one_error_line(too_long.err, "from 1 to 720")
    assert_one_error_line(bad_kind.err, "unknown kind")
    assert (bad_date.code, bad_format.code) == (2, 2)
    assert_one_error_line(bad_date.err, "YYYY-MM-DD")
    assert listed(sqlite_home, "tara")["entries"] == []


def test_exported_csv_and_pdf_have_totals_matching_the_entries(
    home: Path, tmp_path: Path
) -> None:
    tara_logs_four_entries(home)
    csv_file, pdf_file = tmp_path / "hours.csv", tmp_path / "hours.pdf"

    as_csv = as_user(home, "tara", "hours", "export", "--format", "csv", "-o", csv_file)
    as_pdf = as_user(
        home,
        "sofia",
        "hours",
        "export",
        "--trainee",
        "tara",
        "--format",
        "pdf",
        "-o",
        pdf_file,
    )

    assert as_csv.code == 0, as_csv.err
    assert "hours of tara (4 entries, 245 min (4.08 h))" in as_csv.out
    entries, totals = csv_rows(csv_file.read_text(encoding="utf-8"))
    assert sum(int(row["minutes"]) for row in entries) == totals["all hours"][0]
    assert totals["awaiting co-signature"] == (50, "0.83")
    assert totals["group"] == (135, "2.25")
    assert as_pdf.code == 0, as_pdf.err
    data = pdf_file.read_bytes()
    qpdf_check(data, tmp_path)
    text = pdf_text(data)
    assert "Group 90 1.50" in text and "All hours 90 1.50" in text
    assert "Awaiting co-signature 0 0.00" in text
    assert "Printed name: Dr. Sofía Herrera" in text
    for path in csv_file, pdf_file:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_an_export_over_an_existing_file_is_refused(
    sqlite_home: Path, tmp_path: Path
) -> None:
    target = tmp_path / "hours.csv"
    target.write_text("mine")

    done = as_user(
        sqlite_home, "tara", "hours", "export", "--format", "csv", "-o", target
    )

    assert done.code == 1
    assert_one_error_line(done.err, "exists already")
    assert target.read_text() == "mine"
