"""The consent form a client reads and signs, as a list of flowables.

The form says, in plain words, everything rule 2 of the product brief asks
for: what the recordings are for, who can open them, where they are kept, for
how long, the client's right to withdraw and what then happens to them. Then
come the state's requirements (everyone in the session agrees; a parent or
guardian signs for a minor) and a signature and date line for each signer.
"""

from __future__ import annotations

from supervise.export.documents import (
    PURPOSE_LABELS,
    PURPOSE_MEANINGS,
    ConsentDocument,
    SignatureLine,
    long_date,
)
from supervise.export.fonts import HEADING, REGULAR
from supervise.export.layout import (
    CheckedItem,
    Decoration,
    SignatureBlock,
    Story,
    bullets,
    fields,
    ours,
    plain,
    section,
    styles,
)
from supervise.export.text import Run, Text

TITLE = "Consent to record sessions"


def reference(doc: ConsentDocument) -> str:
    """The line that ties a paper copy to its record."""
    return (
        f"Form {doc.form_id} · version {doc.version} · "
        f"check code {doc.verification_code}"
    )


def decoration(doc: ConsentDocument) -> Decoration:
    """The header and footer of every page of a document about `doc`."""
    return Decoration(doc.program_name, f"Case {doc.case_code}", reference(doc))


def consent_story(doc: ConsentDocument) -> Story:
    """The whole form, from title to signatures."""
    return [
        *opening(doc),
        *purposes(doc),
        *access(doc),
        *storage(doc),
        *retention(doc),
        *revocation(doc),
        *everyone(doc),
        *minor(doc),
        *law(doc),
        *signatures(doc),
    ]


def opening(doc: ConsentDocument) -> Story:
    """Title, who the form is about, and what it asks."""
    rows = [("Client", f"{doc.client_name} (case {doc.case_code})")]
    if doc.minor:
        rows.append(("Parent or guardian", doc.guardian_name or "—"))
    rows.append(("Trainee clinician", doc.trainee_name))
    if doc.supervisor_names:
        rows.append(("Supervisors", ", ".join(doc.supervisor_names)))
    rows.append(("Prepared on", long_date(doc.prepared_on)))
    return [
        ours(TITLE, styles().title),
        *fields(rows),
        plain(
            f"{doc.trainee_name}, a clinician in training at "
            f"{doc.program_name}, asks your permission to make audio "
            "or video recordings of the sessions. This form explains what would "
            "happen to those recordings. Agreeing is your choice: you may say "
            "no, and you may change your mind at any time. No recording is kept "
            "until this form is signed."
        ),
    ]


def purposes(doc: ConsentDocument) -> Story:
    """A box for each of the three purposes, crossed for the chosen ones."""
    items = [
        CheckedItem(
            key in doc.purposes,
            Text(
                [Run(f"{PURPOSE_LABELS[key]}.", HEADING), Run(meaning, REGULAR)],
                styles().body,
                fixed=True,
            ),
        )
        for key, meaning in PURPOSE_MEANINGS.items()
    ]
    return [
        *section("What the recordings are for"),
        ours("The recordings are used only for the purposes marked with an X."),
        *items,
    ]


def access(doc: ConsentDocument) -> Story:
    """Who may open the recordings."""
    return [
        *section("Who can see or hear the recordings"),
        *bullets(doc.access),
        ours(
            "Nobody else is given access. The system keeps a record of every "
            "time a recording is opened."
        ),
    ]


def storage(doc: ConsentDocument) -> Story:
    """Where the recordings are kept."""
    return [
        *section("Where the recordings are kept"),
        plain(
            f"The recordings are kept in {doc.storage_location}. Only "
            "the people listed above can play them."
        ),
    ]


def retention(doc: ConsentDocument) -> Story:
    """How long the recordings are kept."""
    return [
        *section("How long the recordings are kept"),
        plain(doc.retention_text),
        ours(
            "A recording is kept longer only when the program is legally "
            "required to keep it (a legal hold). It is then destroyed as soon "
            "as that requirement ends."
        ),
    ]


def revocation(doc: ConsentDocument) -> Story:
    """The right to withdraw, how to do it, and what it does."""
    return [
        *section("Your right to withdraw your consent"),
        ours(
            "You may withdraw (revoke) this consent at any time. You do not "
            "have to give a reason."
        ),
        plain(
            f"To withdraw, tell {doc.program_name} in writing. You can fill in the "
            "revocation form given to you with this one, or write a letter or "
            f"an email saying that you withdraw consent form {doc.form_id}. "
            "Give it to your clinician or send it to the program. The program "
            "records the date it receives your request and gives you a "
            "written receipt."
        ),
        plain(
            "From that date, no new sessions are recorded. "
            f"{disposition_text(doc)} Withdrawing does not undo what was "
            "done with the recordings before the program received your request."
        ),
    ]


def disposition_text(doc: ConsentDocument) -> str:
    """What withdrawing does to the recordings already made."""
    if doc.disposition == "preserve":
        return (
            "Recordings already made are kept, not destroyed, but only in these "
            f"circumstances: {doc.preserve_circumstances} They are "
            "not used for anything else."
        )
    return (
        "All recordings already made are destroyed. If the law requires the "
        "program to keep one for a while (a legal hold), it is destroyed as "
        "soon as that requirement ends."
    )


def everyone(doc: ConsentDocument) -> Story:
    """The other people in the sessions, and the all-party rule if it applies."""
    if not doc.all_party and not doc.participants:
        return []
    story: Story = [*section("Everyone in the sessions")]
    if doc.all_party:
        story.append(plain(all_party_text(doc)))
    if doc.participants:
        story.append(ours("These people also take part in the sessions:"))
        story += bullets(f"{name} (case {code})" for code, name in doc.participants)
    return story


def all_party_text(doc: ConsentDocument) -> str:
    """The statement that the state requires everyone's agreement."""
    return (
        f"The law of {doc.jurisdiction_name} requires everyone in a "
        "session to agree before it is recorded. Every person taking part "
        "signs this form, and no session is recorded unless all of them have "
        "signed."
    )


def minor(doc: ConsentDocument) -> Story:
    """The statement that a parent or guardian signs for a minor."""
    if not doc.minor:
        return []
    guardian = f", {doc.guardian_name}," if doc.guardian_name else ""
    return [
        *section("Consent for a minor"),
        plain(
            f"Because {doc.client_name} is a minor, a parent or legal "
            f"guardian{guardian} signs this form for them."
        ),
    ]


def law(doc: ConsentDocument) -> Story:
    """The notes about the state's law, as the program wrote them."""
    if not doc.jurisdiction_notes:
        return []
    heading = section("About the law in", typed=doc.jurisdiction_name)
    return [*heading, *bullets(doc.jurisdiction_notes)]


def signatures(doc: ConsentDocument) -> Story:
    """The agreement sentence and a signature block for each signer.

    They start on a new page unless they all fit on this one, so that no
    signer's lines are left alone on a page of their own.
    """
    agreement = ours(
        "By signing, you agree to the recording of sessions for the purposes "
        "marked above, on the terms this form describes. You will be given a "
        "copy of the signed form."
    )
    blocks_height = SignatureBlock.usual_height() * len(doc.signature_lines)
    room = min(SIGNATURES_ROOM, AGREEMENT_HEIGHT + blocks_height)
    blocks = [signature_block(line) for line in doc.signature_lines]
    return [*section("Signatures", room), agreement, *blocks]


SIGNATURES_ROOM = 480.0
"""More room than this is never asked for: a page holds about 680 points."""
AGREEMENT_HEIGHT = 60.0
"""About the height of the heading and the agreement sentence above the blocks."""


def signature_block(line: SignatureLine) -> SignatureBlock:
    """Label, printed name, and lines for the signature and the date."""
    says_optional = "optional" in line.label.lower()
    optional = "" if line.required or says_optional else " (optional)"
    return SignatureBlock(f"{line.label}{optional}", line.name)
