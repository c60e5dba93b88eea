"""The verbal consent script a trainee reads aloud before asking for a signature.

The script is filled in from the consent itself: the chosen purposes (one
paragraph each; the others are left out), where the recordings are kept, who
can open them, how long they are kept and what withdrawing does. It says the
same things as the form, so what the client hears matches what they sign.
"""

from __future__ import annotations

from typing import BinaryIO

from supervise.export.consent_form import decoration
from supervise.export.documents import ConsentDocument
from supervise.export.layout import Story, gap, literal, para, render, styles

TITLE = "Verbal consent script"


def verbal_script(doc: ConsentDocument) -> str:
    """The script as plain text, paragraphs separated by blank lines."""
    return "\n\n".join(script_paragraphs(doc))


def script_paragraphs(doc: ConsentDocument) -> list[str]:
    """The script, one string per paragraph."""
    return [
        introduction(doc),
        "If you agree, the recordings would be used for these purposes:",
        *(PURPOSE_PARAGRAPHS[key](doc) for key in doc.purposes),
        access_paragraph(doc),
        (
            f"The recordings are kept in {doc.storage_location}. Only those "
            "people can play them."
        ),
        f"How long they are kept: {doc.retention_text}",
        revocation_paragraph(doc),
        *requirements(doc),
        closing(),
    ]


def introduction(doc: ConsentDocument) -> str:
    """Who is asking, and that the answer is free."""
    return (
        f"My name is {doc.trainee_name}. I am a clinician in training at "
        f"{doc.program_name}, and I would like to ask your permission to record "
        "our sessions. I will explain what that means, and then you can tell me "
        "whether you agree. You may say no, and you may change your mind later."
    )


def clinical_record(doc: ConsentDocument) -> str:
    """The clinical-record purpose, said aloud."""
    return (
        "For your clinical record: the recordings would be kept with your "
        "clinical record, as an account of what happened in our sessions."
    )


def supervision(doc: ConsentDocument) -> str:
    """The supervision purpose, naming the supervisors when known."""
    who = "my supervisors"
    if doc.supervisor_names:
        who += f" ({', '.join(doc.supervisor_names)})"
    return (
        f"For supervision: because I am still in training, {who} would watch "
        "or listen to the recordings to guide my work and to make sure you get "
        "good care."
    )


def training(doc: ConsentDocument) -> str:
    """The training purpose, said aloud."""
    return (
        "For training: parts of the recordings could be shown in a class or "
        "practicum to teach other clinicians in training. Everyone who sees "
        "them must keep what they see confidential."
    )


PURPOSE_PARAGRAPHS = {
    "clinical_record": clinical_record,
    "supervision": supervision,
    "training": training,
}


def access_paragraph(doc: ConsentDocument) -> str:
    """Who could open the recordings."""
    people = "; ".join(in_sentence(line) for line in doc.access)
    return (
        f"The people who could open the recordings are: {people}. Nobody else "
        "is given access."
    )


def in_sentence(line: str) -> str:
    """A line of the access list as it reads inside a sentence.

    The lines start with a name or with "The trainee's ..." or "The
    program's ...": only that article is lowered, never a name.
    """
    return "the" + line[3:] if line.startswith("The ") else line


def revocation_paragraph(doc: ConsentDocument) -> str:
    """The right to withdraw and what it does to recordings already made."""
    if doc.disposition == "preserve":
        after = (
            "recordings already made would be kept, but only in these "
            f"circumstances: {doc.preserve_circumstances}"
        )
    else:
        after = "every recording already made would be destroyed."
    return (
        "You can withdraw your consent at any time by telling the program in "
        "writing; there is a form for that. From then on nothing new is "
        f"recorded, and {after}"
    )


def requirements(doc: ConsentDocument) -> list[str]:
    """The all-party rule and the guardian's consent, when they apply."""
    said = []
    if doc.all_party:
        said.append(
            f"The law of {doc.jurisdiction_name} requires everyone in a session "
            "to agree before it is recorded, so I will ask each person here, "
            "and each of you will sign the written form."
        )
    if doc.minor:
        said.append(
            f"Because {doc.client_name} is a minor, I also need the agreement "
            "and the signature of a parent or guardian."
        )
    return said


def closing() -> str:
    """The written form, then the question."""
    return (
        "I will also give you a written form that says all of this, to read and "
        "sign. No recording is kept until it is signed. Do you have any "
        "questions? Do you agree to the recording of our sessions for the "
        "purposes I described?"
    )


def script_story(doc: ConsentDocument) -> Story:
    """The script as flowables, one paragraph each."""
    return [
        para(TITLE, styles().title),
        para(
            f"Read this aloud to the client, then record their answer in "
            f"supervise (consent form {doc.form_id}).",
            styles().small,
        ),
        gap(6),
        *(para(literal(text)) for text in script_paragraphs(doc)),
    ]


def render_verbal_script(doc: ConsentDocument, out: BinaryIO) -> None:
    """Print the verbal consent script for `doc` as a PDF to `out`."""
    title = f"{TITLE}: form {doc.form_id}, version {doc.version}"
    story = script_story(doc)
    render(story, out, title=title, decoration=decoration(doc), page_size=doc.page_size)
