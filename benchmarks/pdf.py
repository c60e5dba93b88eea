"""Rendering consent forms as PDF, against a one-paragraph reference document.

Renders `--forms` consent forms (500 by default) into memory, and as many
copies of a reference document: one page of plain reportlab holding one
paragraph in the same registered font (the floor any PDF pays: setting up the
document, laying out text, embedding the font). The two take turns in rounds,
so that both share the machine's noise; the figure that matters is the ratio
of the medians of the per-document times. Target: a form costs at most three
reference documents.

The forms are the full kind: a minor, an all-party state, two other
participants, six signers and names in Latin, Vietnamese, Cyrillic and Greek
letters, which makes two pages. The fonts are registered before timing
starts, as a running program registers them once.

    python benchmarks/pdf.py [--forms 500] [--rounds 10]
"""

from __future__ import annotations

import argparse
import io
import re
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from reportlab.platypus import Paragraph, SimpleDocTemplate

from supervise.export.documents import ConsentDocument, SignatureLine
from supervise.export.fonts import ensure_fonts
from supervise.export.layout import styles
from supervise.export.pdf import render_consent_form

TARGET = 3.0
NAMES = ("Zoë Ångström", "Nguyễn Thị Hồng", "Дмитрий Соколов", "Ελένη Παππά")
TEXT = (
    "The recordings are kept as part of the client's clinical record, as an "
    "account of what happened in the sessions. "
) * 4


def sample_form(number: int) -> ConsentDocument:
    """A consent form with every optional part filled in."""
    client, guardian, first, second = (
        NAMES[(number + k) % len(NAMES)] for k in range(4)
    )
    signers = (
        SignatureLine("client", "Client", client, True),
        SignatureLine("guardian", "Parent or guardian of the client", guardian, True),
        SignatureLine("participant:C-1003", "Participant (C-1003)", first, True),
        SignatureLine("participant:C-1004", "Participant (C-1004)", second, True),
        SignatureLine("trainee", "Trainee clinician", "Tara Lindqvist", True),
        SignatureLine("supervisor", "Supervisor (optional)", "Sam Okafor", False),
    )
    return ConsentDocument(
        program_name="Riverside Counselling Training Clinic",
        form_id=number,
        version=1 + number % 3,
        verification_code=f"K7QD-{number:04d}",
        case_code=f"C-{1000 + number}",
        client_name=client,
        minor=True,
        guardian_name=guardian,
        jurisdiction="CA",
        jurisdiction_name="California",
        jurisdiction_notes=(
            "Recording a confidential conversation needs the consent of every "
            "party (California Penal Code section 632).",
        ),
        all_party=True,
        participants=(("C-1003", first), ("C-1004", second)),
        purposes=("clinical_record", "supervision"),
        access=(
            "Tara Lindqvist, trainee clinician",
            "The trainee's assigned clinical supervisors, now and later",
        ),
        storage_location="supervise on clinic-server.example.edu, encrypted",
        retention_text="Each recording is destroyed 7 years after the session.",
        disposition="delete",
        preserve_circumstances="",
        trainee_name="Tara Lindqvist",
        supervisor_names=("Sam Okafor",),
        prepared_on=date(2026, 3, 4),
        signature_lines=signers,
    )


def render_reference(_: int) -> bytes:
    """The floor: one page of plain reportlab with one paragraph."""
    out = io.BytesIO()
    document = SimpleDocTemplate(out, invariant=True)
    document.build([Paragraph(TEXT, styles().body)])
    return out.getvalue()


@dataclass
class Forms:
    """The prepared forms, so that making them is not timed."""

    documents: Sequence[ConsentDocument]

    def render(self, index: int) -> bytes:
        out = io.BytesIO()
        render_consent_form(self.documents[index], out)
        return out.getvalue()


@dataclass
class Round:
    """Seconds per document in one round: wall-clock and CPU."""

    wall: float
    cpu: float


def time_round(work: Callable[[int], bytes], start: int, count: int) -> Round:
    """Run `work` on `count` consecutive indexes; the time per document."""
    wall, cpu = time.perf_counter(), time.process_time()
    for index in range(start, start + count):
        work(index)
    return Round(
        (time.perf_counter() - wall) / count, (time.process_time() - cpu) / count
    )


def run(forms: Forms, rounds: int) -> dict[str, list[Round]]:
    """Forms and references taking turns, `rounds` times."""
    per_round = len(forms.documents) // rounds
    results: dict[str, list[Round]] = {"form": [], "reference": []}
    for number in range(rounds):
        start = number * per_round
        results["form"].append(time_round(forms.render, start, per_round))
        results["reference"].append(time_round(render_reference, start, per_round))
    return results


def median_ms(samples: list[Round], field: str) -> float:
    """The median of one field, in milliseconds."""
    values: list[float] = [getattr(r, field) for r in samples]
    return statistics.median(values) * 1000


def report(results: dict[str, list[Round]], forms: Forms, rounds: int) -> None:
    """Per-document times, sizes and the ratio against the target."""
    first = forms.render(0)
    sizes = {"form": len(first), "reference": len(render_reference(0))}
    pages = len(re.findall(rb"/Type /Page\b(?!s)", first))
    print(
        f"{len(forms.documents)} consent forms ({pages} pages each) and as many "
        f"reference documents, in {rounds} rounds taking turns; medians per "
        "document"
    )
    print(f"{'':<24}{'wall ms':>9}{'cpu ms':>9}{'bytes':>9}   each round, wall ms")
    for name, label in (("form", "consent form"), ("reference", "one paragraph")):
        wall, cpu = median_ms(results[name], "wall"), median_ms(results[name], "cpu")
        runs = " ".join(f"{r.wall * 1000:.1f}" for r in results[name])
        print(f"  {label:<22}{wall:9.2f}{cpu:9.2f}{sizes[name]:9d}   {runs}")
    wall = median_ms(results["form"], "wall") / median_ms(results["reference"], "wall")
    cpu = median_ms(results["form"], "cpu") / median_ms(results["reference"], "cpu")
    print(f"ratio form / reference: {wall:.2f}x wall, {cpu:.2f}x cpu")
    verdict = "PASS" if wall <= TARGET else "MISS"
    print(f"{verdict} a consent form within {TARGET:.0f}x the reference: {wall:.2f}x")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forms", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=10)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    if args.forms < args.rounds or args.rounds < 1:
        raise SystemExit("--forms must be at least --rounds, and --rounds at least 1")
    ensure_fonts()
    forms = Forms([sample_form(n) for n in range(1, args.forms + 1)])
    forms.render(0)  # warm up: the first document builds reportlab's caches
    render_reference(0)
    report(run(forms, args.rounds), forms, args.rounds)


if __name__ == "__main__":
    main()
