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
    if seconds is None:
        return ""
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours}:{minutes:02}:{secs:02}"
    return f"{minutes}:{secs:02}"


def size(count: int) -> str:
    """'812 B', '16 KB', '30.0 MB', '1.2 GB' (powers of 1024)."""
    if count < 1024:
        return f"{count} B"
    if count < 1024**2:
        return f"{round(count / 1024)} KB"
    if count < 1024**3:
        return f"{count / 1024**2:.1f} MB"
    return f"{count / 1024**3:.1f} GB"


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
        view.purpose,
        Text("held", style="bold") if view.legal_hold else "",
        view.state,
        view.destroy_after.isoformat() if view.destroy_after else "",
        duration(view.duration_seconds),
        size(view.size_bytes),
    )


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
