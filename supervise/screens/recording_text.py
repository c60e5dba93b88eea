"""How recordings read on screen: lengths, sizes, states and the play command.

Shared by the recordings list, the recording detail and the import screen.
Case codes and usernames were typed by people, so they go through `literal`.
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text

from supervise.settings import ENV_PREFIX, default_home
from supervise.units import duration_text, size_text
from supervise.widgets.literal import literal

if TYPE_CHECKING:
    from supervise.services.recordings import GrantView, RecordingView

PURPOSE_CHOICES = ("supervision", "clinical_record", "training")
"""The purposes offered on import, the usual one first."""

EXTENSIONS = {
    "audio/wav": ".wav",
    "audio/x-wav": ".wav",
    "audio/mpeg": ".mp3",
    "audio/mp4": ".m4a",
    "audio/ogg": ".ogg",
    "audio/opus": ".opus",
    "audio/flac": ".flac",
    "audio/webm": ".webm",
    "video/mp4": ".mp4",
    "video/webm": ".webm",
    "video/ogg": ".ogv",
}
"""A file name ending for each media type, for the export's suggested name."""


def duration(seconds: float | None) -> str:
    """'0:06', '12:30' or '1:02:03'; empty when the length is unknown."""
    return duration_text(seconds, unknown="")


def size(count: int) -> str:
    """'812 bytes', '16.0 KB', '30.0 MB' (as the command line prints them)."""
    return size_text(count)


def extension(media_type: str) -> str:
    """The usual file name ending for `media_type`, else '.bin'."""
    return EXTENSIONS.get(media_type, ".bin")


def row_of(view: RecordingView) -> tuple[object, ...]:
    """The table cells of one recording."""
    return (
        str(view.id),
        literal(view.case_code),
        literal(view.trainee),
        view.session_date.isoformat(),
        state_cell(view),
        duration(view.duration_seconds),
        size(view.size_bytes),
        view.destroy_after.isoformat() if view.destroy_after else "",
    )


def state_cell(view: RecordingView) -> Text:
    """The state, or a bold 'held' for an active recording on legal hold."""
    if view.legal_hold and view.state == "active":
        return Text("held", style="bold")
    return Text(view.state)


def grant_row(grant: GrantView) -> tuple[object, ...]:
    """The table cells of one grant: who, why, since when, whether it opens."""
    status = Text("live", "green") if grant.live else Text("removed", "dim")
    return (
        literal(grant.grantee),
        grant.via,
        grant.granted_at.strftime("%Y-%m-%d %H:%M"),
        status,
    )


def play_command(recording_id: int, username: str) -> str:
    """The shell command that plays a recording without a file on disk."""
    user = shlex.quote(username)
    return f"supervise recording export {recording_id} -o - --as {user} | mpv -"


def home_setup(home: Path) -> str | None:
    """The shell line that lets the command line find the program in `home`,
    or None when it finds it unaided (the usual case; not in a demo)."""
    unaided = os.environ.get(ENV_PREFIX + "HOME") or default_home()
    if Path(unaided).expanduser().absolute() == home:
        return None
    return f"export {ENV_PREFIX}HOME={shlex.quote(str(home))}"


def summary(view: RecordingView) -> Text:
    """A few lines of metadata, typed values shown literally."""
    text = Text(f"Recording {view.id}", style="bold")
    text.append(" · client ")
    text.append_text(literal(view.case_code, style="bold"))
    text.append(" · trainee ")
    text.append_text(literal(view.trainee))
    text.append(f"\nSession {view.session_date.isoformat()} · {view.purpose}")
    length = duration(view.duration_seconds)
    text.append(f" · {view.media_type}{' · ' + length if length else ''}")
    text.append(f" · {size(view.size_bytes)}")
    due = view.destroy_after.isoformat() if view.destroy_after else "never"
    text.append(f"\nDestroy after {due} · {view.state}")
    if view.legal_hold:
        text.append(" · on legal hold", style="bold")
    return text
