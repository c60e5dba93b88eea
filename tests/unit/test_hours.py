"""The hours log: logging, co-signing, removing, listing, exporting, refusals."""

from __future__ import annotations

import io
import stat
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlmodel import Session, col, func, select

from supervise.export.hours import HoursDocument, HoursRow, hours_csv, hours_text
from supervise.export.hours_pdf import render_hours_pdf
from supervise.models.audit import AuditEvent, Outcome
from supervise.models.clinical import HoursEntry
from supervise.services import hours, pairs
from supervise.services.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from tests.conftest import Demo, newest_audit_rows
from tests.hours_helpers import (
    account_id,
    csv_rows,
    pdf_text,
    qpdf_check,
    recording_of,
    review_row,
)

START = date(2026, 12, 3)
"""The day the demo's pairs start (the fake clock's first day)."""


def entry_count(demo: Demo) -> int:
    with Session(demo.ctx.engine) as session:
        return session.exec(select(func.count(col(HoursEntry.id)))).one()


def cosigned_at(demo: Demo, entry_id: int) -> object:
    with Session(demo.ctx.engine) as session:
        entry = session.get(HoursEntry, entry_id)
        assert entry is not None
        return entry.cosigned_at


def last_audit(demo: Demo) -> AuditEvent:
    return newest_audit_rows(demo.ctx)[0]


def end_sam_and_theo(demo: Demo) -> None:
    """End the pair of sam supervising theo, today."""
    admin = demo.login("dana")
    pair = next(
        p
        for p in pairs.list_pairs(demo.ctx, admin)
        if (p.supervisor, p.trainee) == ("sam", "theo")
    )
    pairs.end_pair(demo.ctx, admin, pair.id)


def three_days_of_hours(demo: Demo) -> list[hours.HoursView]:
    """Tara's hours over three days with both supervisors, both kinds; the
    clock ends on the third day. Sam co-signs his first two."""
    tara = demo.login("tara")
    logged = [hours.log_hours(demo.ctx, tara, "sam", START, 60, "individual")]
    demo.clock.advance(days=1)
    logged.append(hours.log_hours(demo.ctx, tara, "sofia", START, 90, "group"))
    logged.append(
        hours.log_hours(demo.ctx, tara, "sam", START + timedelta(days=1), 45, "group")
    )
    demo.clock.advance(days=1)
    logged.append(
        hours.log_hours(
            demo.ctx, tara, "sam", START + timedelta(days=2), 50, "individual"
        )
    )
    sam = demo.login("sam")
    for entry in logged[0], logged[2]:
        hours.cosign(demo.ctx, sam, entry.id)
    hours.cosign(demo.ctx, demo.login("sofia"), logged[1].id)
    return logged


# --- logging by hand ---------------------------------------------------------------


def test_a_trainee_logs_hours_with_their_supervisor_awaiting_cosign(
    program: Demo,
) -> None:
    view = hours.log_hours(program.ctx, program.login("tara"), "sam", START, 75)

    assert (view.trainee, view.supervisor, view.kind) == ("tara", "sam", "individual")
    assert (view.on_date, view.minutes, view.cosigned) == (START, 75, False)
    row = last_audit(program)
    assert (row.action, row.object_type, row.object_id) == (
        "hours.log",
        "hours",
        str(view.id),
    )
    assert "sam" not in row.reason and "tara" not in row.reason


@pytest.mark.parametrize(
    ("supervisor", "day", "minutes", "kind", "message"),
    [
        ("sofia", START, 60, "individual", "not your supervisor"),  # not paired
        ("nobody", START, 60, "individual", "not your supervisor"),
        ("sam", START - timedelta(days=1), 60, "group", "not your supervisor"),
        ("sam", START + timedelta(days=1), 60, "group", "in the future"),
        ("sam", START, 0, "group", "from 1 to 720"),
        ("sam", START, 721, "group", "from 1 to 720"),
        ("sam", START, 60, "triadic", "unknown kind"),
    ],
)
def test_log_hours_refuses_bad_input_and_stores_nothing(
    sqlite_program: Demo,
    supervisor: str,
    day: date,
    minutes: int,
    kind: str,
    message: str,
) -> None:
    theo = sqlite_program.login("theo")  # supervised by sam only, from START

    with pytest.raises(InvalidInput, match=message):
        hours.log_hours(sqlite_program.ctx, theo, supervisor, day, minutes, kind)
    assert entry_count(sqlite_program) == 0


def test_hours_on_the_last_day_of_an_ended_pair_count_but_not_after(
    sqlite_program: Demo,
) -> None:
    demo = sqlite_program
    demo.clock.advance(days=2)
    end_sam_and_theo(demo)
    demo.clock.advance(days=1)
    theo = demo.login("theo")
    last_day = START + timedelta(days=2)

    view = hours.log_hours(demo.ctx, theo, "sam", last_day, 30)

    assert view.on_date == last_day
    with pytest.raises(InvalidInput, match="not your supervisor"):
        hours.log_hours(demo.ctx, theo, "sam", last_day + timedelta(days=1), 30)


@pytest.mark.parametrize("username", ["sam", "dana", "audrey"])
def test_only_a_trainee_logs_hours_and_a_refusal_is_audited(
    sqlite_program: Demo, username: str
) -> None:
    with pytest.raises(PermissionDenied):
        hours.log_hours(
            sqlite_program.ctx, sqlite_program.login(username), "sam", START, 60
        )
    row = last_audit(sqlite_program)
    assert (row.action, row.outcome) == ("hours.log", Outcome.DENIED)
    assert entry_count(sqlite_program) == 0


# --- from a review -----------------------------------------------------------------


def test_a_trainee_logs_a_signed_off_review_which_then_awaits_cosign(
    program: Demo,
) -> None:
    recording = recording_of(program.ctx.engine, "tara")
    review = review_row(program.ctx.engine, recording, "sam", program.clock())
    program.clock.advance(days=1)

    view = hours.log_from_review(program.ctx, program.login("tara"), review, 50)

    assert (view.supervisor, view.review_id, view.on_date) == ("sam", review, START)
    assert not view.cosigned
    assert last_audit(program).reason == f"review-{review}"


def test_the_reviewer_logs_their_review_cosigned_at_once(program: Demo) -> None:
    recording = recording_of(program.ctx.engine, "tara")
    review = review_row(program.ctx.engine, recording, "sam", program.clock())

    view = hours.log_from_review(program.ctx, program.login("sam"), review, 60, "group")

    assert view.cosigned and view.kind == "group" and view.trainee == "tara"
    actions = [row.action for row in newest_audit_rows(program.ctx, 2)]
    assert actions == ["hours.cosign", "hours.log"]


def test_a_review_gives_one_entry_only(sqlite_program: Demo) -> None:
    demo = sqlite_program
    review = review_row(
        demo.ctx.engine, recording_of(demo.ctx.engine, "tara"), "sam", demo.clock()
    )
    hours.log_from_review(demo.ctx, demo.login("tara"), review, 60)

    with pytest.raises(Conflict, match="logged already"):
        hours.log_from_review(demo.ctx, demo.login("sam"), review, 60)
    assert entry_count(demo) == 1


def test_a_review_not_signed_off_gives_no_hours(sqlite_program: Demo) -> None:
    demo = sqlite_program
    review = review_row(
        demo.ctx.engine, recording_of(demo.ctx.engine, "tara"), "sam", None
    )

    with pytest.raises(InvalidInput, match="not signed off"):
        hours.log_from_review(demo.ctx, demo.login("tara"), review, 60)
    with pytest.raises(NotFound):
        hours.log_from_review(demo.ctx, demo.login("tara"), review + 100, 60)
    assert entry_count(demo) == 0


@pytest.mark.parametrize("username", ["theo", "sofia", "dana"])
def test_only_the_reviews_trainee_or_reviewer_log_it(
    sqlite_program: Demo, username: str
) -> None:
    demo = sqlite_program
    review = review_row(
        demo.ctx.engine, recording_of(demo.ctx.engine, "tara"), "sam", demo.clock()
    )

    with pytest.raises(PermissionDenied):
        hours.log_from_review(demo.ctx, demo.login(username), review, 60)
    row = last_audit(demo)
    assert (row.action, row.outcome, row.object_id) == (
        "hours.log",
        Outcome.DENIED,
        str(review),
    )
    assert entry_count(demo) == 0


# --- co-signing and removing ---------------------------------------------------------


def test_the_entrys_supervisor_cosigns_it_once(program: Demo) -> None:
    entry = hours.log_hours(program.ctx, program.login("tara"), "sam", START, 60)
    sam = program.login("sam")

    view = hours.cosign(program.ctx, sam, entry.id)

    assert view.cosigned_at == program.clock()
    assert last_audit(program).action == "hours.cosign"
    with pytest.raises(Conflict, match="co-signed on 2026-12-03"):
        hours.cosign(program.ctx, sam, entry.id)


def test_another_supervisor_of_the_trainee_cannot_cosign_and_is_audited(
    program: Demo,
) -> None:
    entry = hours.log_hours(program.ctx, program.login("tara"), "sam", START, 60)

    with pytest.raises(PermissionDenied, match="another supervisor"):
        hours.cosign(program.ctx, program.login("sofia"), entry.id)

    row = last_audit(program)
    assert (row.action, row.outcome, row.reason) == (
        "hours.cosign",
        Outcome.DENIED,
        "not-entry-supervisor",
    )
    assert row.object_id == str(entry.id)
    assert cosigned_at(program, entry.id) is None


@pytest.mark.parametrize("username", ["tara", "dana"])
def test_neither_the_trainee_nor_an_admin_cosigns(
    sqlite_program: Demo, username: str
) -> None:
    demo = sqlite_program
    entry = hours.log_hours(demo.ctx, demo.login("tara"), "sam", START, 60)

    with pytest.raises(PermissionDenied):
        hours.cosign(demo.ctx, demo.login(username), entry.id)
    assert (last_audit(demo).action, last_audit(demo).outcome) == (
        "hours.cosign",
        Outcome.DENIED,
    )
    assert cosigned_at(demo, entry.id) is None


def test_a_supervisor_whose_pair_ended_can_no_longer_cosign(
    sqlite_program: Demo,
) -> None:
    demo = sqlite_program
    entry = hours.log_hours(demo.ctx, demo.login("theo"), "sam", START, 60)
    end_sam_and_theo(demo)

    with pytest.raises(PermissionDenied, match="not-assigned"):
        hours.cosign(demo.ctx, demo.login("sam"), entry.id)
    assert cosigned_at(demo, entry.id) is None


def test_a_trainee_removes_an_entry_until_it_is_cosigned(program: Demo) -> None:
    tara = program.login("tara")
    kept = hours.log_hours(program.ctx, tara, "sam", START, 60)
    dropped = hours.log_hours(program.ctx, tara, "sam", START, 30)
    hours.cosign(program.ctx, program.login("sam"), kept.id)

    hours.remove_entry(program.ctx, tara, dropped.id)
    assert last_audit(program).action == "hours.remove"

    with pytest.raises(Conflict, match="co-signed"):
        hours.remove_entry(program.ctx, tara, kept.id)
    row = last_audit(program)
    assert (row.action, row.outcome, row.reason) == (
        "hours.remove",
        Outcome.DENIED,
        "remove-cosigned",
    )
    report = hours.list_hours(program.ctx, tara)
    assert [e.id for e in report.entries] == [kept.id]


@pytest.mark.parametrize("username", ["theo", "sam"])
def test_nobody_but_its_trainee_removes_an_entry(
    sqlite_program: Demo, username: str
) -> None:
    demo = sqlite_program
    entry = hours.log_hours(demo.ctx, demo.login("tara"), "sam", START, 60)

    with pytest.raises(PermissionDenied):
        hours.remove_entry(demo.ctx, demo.login(username), entry.id)
    assert last_audit(demo).outcome == Outcome.DENIED
    assert entry_count(demo) == 1
    with pytest.raises(NotFound):
        hours.remove_entry(demo.ctx, demo.login("tara"), entry.id + 1)


# --- listing -------------------------------------------------------------------------


def test_totals_add_up_by_kind_cosigned_and_overall(program: Demo) -> None:
    logged = three_days_of_hours(program)

    report = hours.list_hours(program.ctx, program.login("tara"))

    assert [e.id for e in report.entries] == [logged[i].id for i in (0, 1, 2, 3)]
    assert report.totals.by_kind == {"individual": 110, "group": 135}
    assert (report.totals.cosigned, report.totals.awaiting) == (195, 50)
    assert report.totals.total == 245
    assert report.as_json()["totals_minutes"] == {
        "by_kind": {"individual": 110, "group": 135},
        "cosigned": 195,
        "awaiting": 50,
        "total": 245,
    }


def test_listing_filters_by_period_and_kind(sqlite_program: Demo) -> None:
    three_days_of_hours(sqlite_program)
    tara = sqlite_program.login("tara")
    second = START + timedelta(days=1)

    report = hours.list_hours(
        sqlite_program.ctx, tara, since=second, until=second, kind="group"
    )

    assert [(e.minutes, e.kind) for e in report.entries] == [(45, "group")]
    assert report.totals.total == 45
    with pytest.raises(InvalidInput, match="starts"):
        hours.list_hours(sqlite_program.ctx, tara, since=second, until=START)


def test_a_supervisor_sees_only_entries_they_supervised(program: Demo) -> None:
    three_days_of_hours(program)
    hours.log_hours(program.ctx, program.login("theo"), "sam", START, 20)

    sofia = hours.list_hours(program.ctx, program.login("sofia"))
    sam = hours.list_hours(program.ctx, program.login("sam"), trainee="tara")
    admin = hours.list_hours(program.ctx, program.login("dana"))

    assert {(e.trainee, e.supervisor) for e in sofia.entries} == {("tara", "sofia")}
    assert sofia.totals.total == 90
    assert {e.supervisor for e in sam.entries} == {"sam"}
    assert sam.totals.total == 155
    assert admin.totals.total == 265


def test_a_trainee_listing_another_trainees_hours_is_refused_and_audited(
    program: Demo,
) -> None:
    three_days_of_hours(program)
    theo = program.login("theo")

    with pytest.raises(PermissionDenied):
        hours.list_hours(program.ctx, theo, trainee="tara")

    row = last_audit(program)
    assert (row.action, row.outcome, row.reason) == (
        "hours.view",
        Outcome.DENIED,
        "not-owner",
    )
    assert row.object_id == str(account_id(program.ctx.engine, "tara"))
    assert hours.list_hours(program.ctx, theo).entries == ()


def test_a_supervisor_not_assigned_cannot_list_a_trainees_hours(
    sqlite_program: Demo,
) -> None:
    with pytest.raises(PermissionDenied, match="not-assigned"):
        hours.list_hours(
            sqlite_program.ctx, sqlite_program.login("sofia"), trainee="theo"
        )
    assert last_audit(sqlite_program).action == "hours.view"


def test_an_auditor_lists_no_hours(sqlite_program: Demo) -> None:
    with pytest.raises(PermissionDenied):
        hours.list_hours(sqlite_program.ctx, sqlite_program.login("audrey"))
    assert last_audit(sqlite_program).outcome == Outcome.DENIED


# --- exporting -----------------------------------------------------------------------


def test_the_csv_read_back_has_totals_matching_its_entries(
    program: Demo, tmp_path: Path
) -> None:
    three_days_of_hours(program)
    target = tmp_path / "hours.csv"

    hours.export_hours(program.ctx, program.login("tara"), target, "csv")

    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    entries, totals = csv_rows(target.read_text(encoding="utf-8"))
    assert len(entries) == 4
    minutes = [int(row["minutes"]) for row in entries]
    for row in entries:
        assert Decimal(row["hours"]) == round(Decimal(row["minutes"]) / 60, 2)
    assert totals["all hours"] == (sum(minutes), "4.08")
    for kind in ("individual", "group"):
        expected = sum(int(r["minutes"]) for r in entries if r["kind"] == kind)
        assert totals[kind][0] == expected
    awaiting = [row for row in entries if not row["cosigned_on"]]
    assert [int(row["minutes"]) for row in awaiting] == [50]
    assert totals["awaiting co-signature"][0] == 50
    assert totals["co-signed"][0] == sum(minutes) - 50
    assert {row["supervisor"] for row in entries} == {
        "Dr. Samuel Okafor",
        "Dr. Sofía Herrera",
    }
    exported = last_audit(program)
    assert (exported.action, exported.object_type) == ("hours.export", "account")


def test_the_pdf_read_back_has_its_entries_totals_and_signature_lines(
    program: Demo, tmp_path: Path
) -> None:
    three_days_of_hours(program)
    target = tmp_path / "hours.pdf"

    hours.export_hours(
        program.ctx,
        program.login("sam"),
        target,
        "pdf",
        trainee="tara",
        since=START,
        until=START + timedelta(days=2),
    )

    data = target.read_bytes()
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    qpdf_check(data, tmp_path)
    text = pdf_text(data)
    assert "Riverside Counselling Training Clinic (demo)" in text
    assert "Tara Lindqvist (tara)" in text
    assert "December 3, 2026 to December 5, 2026" in text
    # Sam sees his own three entries: 60 + 45 co-signed, 50 awaiting.
    for line in (
        "Individual 110 1.83",
        "Group 45 0.75",
        "Co-signed 105 1.75",
        "Awaiting co-signature 50 0.83",
        "All hours 155 2.58",
    ):
        assert line in text, line
    assert "Dr. Sofía Herrera" not in text
    assert text.count("Printed name: Dr. Samuel Okafor") == 1
    assert "2026-12-05 Individual Dr. Samuel Okafor 50 0.83 awaiting" in text


def test_a_supervisor_must_name_the_trainee_and_may_only_name_their_own(
    sqlite_program: Demo, tmp_path: Path
) -> None:
    demo = sqlite_program
    sofia = demo.login("sofia")
    target = tmp_path / "hours.pdf"

    with pytest.raises(InvalidInput, match="name the trainee"):
        hours.export_hours(demo.ctx, sofia, target, "pdf")
    with pytest.raises(PermissionDenied):
        hours.export_hours(demo.ctx, sofia, target, "csv", trainee="theo")
    assert last_audit(demo).action == "hours.view"
    assert not target.exists()


def test_an_export_never_replaces_a_file(sqlite_program: Demo, tmp_path: Path) -> None:
    target = tmp_path / "hours.csv"
    target.write_text("mine")

    with pytest.raises(Conflict):
        hours.export_hours(
            sqlite_program.ctx, sqlite_program.login("tara"), target, "csv"
        )
    assert target.read_text() == "mine"


# --- the documents alone ------------------------------------------------------------


def document_of(rows: list[HoursRow], page_size: str = "letter") -> HoursDocument:
    return HoursDocument(
        program_name="Clinic",
        trainee_name="Ann Lee",
        trainee_username="ann",
        since=None,
        until=None,
        prepared_on=date(2026, 12, 4),
        rows=tuple(rows),
        page_size=page_size,
    )


def test_a_long_log_runs_over_pages_with_every_entry_and_the_totals(
    tmp_path: Path,
) -> None:
    rows = [
        HoursRow(
            n,
            START + timedelta(days=n),
            hours.KINDS[n % 2],
            10 + n,
            "Dr. Supervisor",
            None if n % 5 else START,
            None,
        )
        for n in range(90)
    ]
    document = document_of(rows, "a4")
    out = io.BytesIO()

    render_hours_pdf(document, out)

    data = out.getvalue()
    qpdf_check(data, tmp_path)
    text = pdf_text(data)
    assert len(PdfReader(io.BytesIO(data)).pages) > 2
    assert text.count("Dr. Supervisor") == 90 + 1  # each entry, and the signer
    total = sum(row.minutes for row in rows)
    assert f"All hours {total} {hours_text(total)}" in text
    awaiting = sum(row.minutes for row in rows if row.cosigned_on is None)
    assert f"Awaiting co-signature {awaiting} {hours_text(awaiting)}" in text
    assert "page 1 of" in text


def test_csv_cells_never_start_a_spreadsheet_formula() -> None:
    rows = [HoursRow(1, START, "group", 60, "=HYPERLINK(1)\nx", START, 7)]

    entries, _ = csv_rows(hours_csv(document_of(rows)))

    assert entries[0]["supervisor"] == "'=HYPERLINK(1) x"
    assert (entries[0]["review_id"], entries[0]["cosigned_on"]) == ("7", "2026-12-03")


@pytest.mark.parametrize(
    ("minutes", "text"), [(1, "0.02"), (30, "0.50"), (50, "0.83"), (720, "12.00")]
)
def test_hours_are_minutes_over_sixty_to_two_places(minutes: int, text: str) -> None:
    assert hours_text(minutes) == text
