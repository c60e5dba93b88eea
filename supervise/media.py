"""The media type and duration of a recording a trainee imports.

Recordings can be many GiB, so nothing here reads a whole file: the first bytes
say which format it claims to be, mutagen reads that format's headers, and
WebM (which mutagen does not read) goes through a small EBML reader below that
reads element headers and, at most, the Info and Tracks elements. A file that
is not a recording we store, or one too damaged to read, raises
`NotMediaError`, whose message never names the file: names can be clinical.
"""

from __future__ import annotations

import math
import os
import stat
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from mutagen.flac import FLAC
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4
from mutagen.oggflac import OggFLAC
from mutagen.oggopus import OggOpus
from mutagen.oggspeex import OggSpeex
from mutagen.oggtheora import OggTheora
from mutagen.oggvorbis import OggVorbis
from mutagen.wave import WAVE

NOT_MEDIA_MESSAGE = (
    "the file is not an audio or video recording (WAV, MP3, M4A/MP4, Ogg, WebM or FLAC)"
)
"""What `NotMediaError` says unless the file looked like a recording."""

_HEAD_SIZE = 512
"""Enough for every signature, including an Ogg page's codec id."""
_MAX_ID3_TAGS = 8
"""Some tools stack ID3 tags; more than this is not a recording."""
_MAX_BOXES = 1024
"""MP4 boxes looked at on one level before giving up on finding one."""
_MAX_SEGMENT_CHILDREN = 64
"""WebM elements before the media data; Info and Tracks come among the first."""
_MAX_EBML_READ = 1 << 20
"""The largest WebM header element (EBML header, Info, Tracks) read whole."""

_Loader = Callable[[BinaryIO], Any]


@dataclass(frozen=True)
class MediaInfo:
    """What a recording is and how long it lasts.

    Attributes:
        media_type: A MIME type, such as "audio/ogg" or "video/webm".
        duration_seconds: The length in seconds, or None when the file does
            not say.
    """

    media_type: str
    duration_seconds: float | None


class NotMediaError(ValueError):
    """The file is not an audio or video recording we can store.

    The message is for the person importing the file and never holds its path
    or name.
    """

    def __init__(self, message: str = NOT_MEDIA_MESSAGE) -> None:
        super().__init__(message)


def _damaged(kind: str) -> NotMediaError:
    return NotMediaError(
        f"the file looks like {kind} but is damaged or incomplete; "
        "export the recording again"
    )


def probe(path: Path) -> MediaInfo:
    """Read the media type and duration of the recording at `path`.

    Raises:
        NotMediaError: The file is empty, is not audio or video in a format we
            store, or is too damaged to read.
        OSError: The file cannot be read (missing, a directory, no permission).
    """
    with path.open("rb") as f:
        status = os.fstat(f.fileno())
        if not stat.S_ISREG(status.st_mode):
            raise NotMediaError()
        return probe_stream(f, status.st_size)


def probe_stream(f: BinaryIO, size: int) -> MediaInfo:
    """Read the media type and duration from an open, seekable file of `size`
    bytes (a decrypting reader, say); the position is left anywhere.

    Raises:
        NotMediaError, OSError: As `probe`.
    """
    f.seek(0)
    return _probe_open(f, size, f.read(_HEAD_SIZE))


def _probe_open(f: BinaryIO, size: int, head: bytes) -> MediaInfo:
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return _probe_wave(f, size)
    if head[4:8] == b"ftyp":
        return _probe_mp4(f, size)
    if head[:4] == b"OggS":
        return _probe_ogg(f, head)
    if head[:4] == _EBML_MAGIC:
        return _probe_ebml(f, size)
    start = _after_id3(f)
    signature = _read_at(f, start, 4)
    if signature == b"fLaC":
        return _probe_flac(f)
    if _is_mpeg_sync(signature):
        return _probe_mp3(f)
    raise NotMediaError()


def _read_at(f: BinaryIO, offset: int, count: int) -> bytes:
    f.seek(offset)
    return f.read(count)


def _after_id3(f: BinaryIO) -> int:
    """The offset of the audio after any ID3v2 tags at the start."""
    offset = 0
    for _ in range(_MAX_ID3_TAGS):
        header = _read_at(f, offset, 10)
        if len(header) < 10 or header[:3] != b"ID3":
            return offset
        if any(byte & 0x80 for byte in header[6:10]):
            raise NotMediaError()  # a tag size is 4 bytes of 7 bits each
        size = sum(header[6 + i] << (7 * (3 - i)) for i in range(4))
        footer = 10 if header[5] & 0x10 else 0
        offset += 10 + size + footer
    raise NotMediaError()


def _is_mpeg_sync(data: bytes) -> bool:
    """Whether `data` starts with an MPEG audio frame header (layer I to III)."""
    if len(data) < 2 or data[0] != 0xFF or data[1] & 0xE0 != 0xE0:
        return False
    version, layer = (data[1] >> 3) & 3, (data[1] >> 1) & 3
    return version != 1 and layer != 0  # both values are reserved


def _load(loader: _Loader, f: BinaryIO, kind: str) -> Any:
    """Parse the file with a mutagen class; any failure but the disk's is ours.

    mutagen raises many kinds of error on bad input (its own, struct.error,
    ValueError, IndexError ...), so all are caught here, around the one call.
    """
    f.seek(0)
    try:
        return loader(f)
    except Exception as exc:
        disk_error = _disk_error(exc)
        if disk_error is not None:
            raise disk_error from None
        raise _damaged(kind) from exc


def _disk_error(exc: BaseException) -> OSError | None:
    """The operating system's error behind `exc`, if reading itself failed.

    mutagen wraps OSError in its own errors, and raises errno-less ones for
    data that ends too soon; only errors with an errno are about the disk.
    """
    for candidate in (exc, exc.__cause__, exc.__context__, *exc.args):
        if isinstance(candidate, OSError) and candidate.errno is not None:
            return candidate
    return None


def _seconds(length: Any) -> float | None:
    """A positive, finite length as float seconds; anything else is unknown."""
    try:
        seconds = float(length)
    except (TypeError, ValueError):
        return None
    return seconds if math.isfinite(seconds) and seconds > 0 else None


def _probe_wave(f: BinaryIO, size: int) -> MediaInfo:
    info = _load(WAVE, f, "a WAV recording").info
    if not info.sample_rate or not info.channels:
        raise _damaged("a WAV recording")
    # A cut-off file, or one written to a pipe (its data size left at the
    # maximum), claims more sound than it holds: its length is unknown.
    if info.length * info.bitrate / 8 > size:
        return MediaInfo("audio/wav", None)
    return MediaInfo("audio/wav", _seconds(info.length))


def _probe_mp3(f: BinaryIO) -> MediaInfo:
    audio = _load(MP3, f, "an MP3 recording")
    # Unless frames follow one another (or a VBR header vouches for them), the
    # sync mutagen found may be chance bytes in something else.
    if audio.info.sketchy:
        raise _damaged("an MP3 recording")
    return MediaInfo("audio/mpeg", _seconds(audio.info.length))


def _probe_flac(f: BinaryIO) -> MediaInfo:
    audio = _load(FLAC, f, "a FLAC recording")
    return MediaInfo("audio/flac", _seconds(audio.info.length))


_OGG_CODECS: tuple[tuple[bytes, _Loader, str], ...] = (
    (b"\x01vorbis", OggVorbis, "audio/ogg"),
    (b"OpusHead", OggOpus, "audio/ogg"),
    (b"\x7fFLAC", OggFLAC, "audio/ogg"),
    (b"Speex   ", OggSpeex, "audio/ogg"),
    (b"\x80theora", OggTheora, "video/ogg"),
)
"""The first packet of an Ogg file names its codec; a video stream comes
first in a file that has one."""


def _probe_ogg(f: BinaryIO, head: bytes) -> MediaInfo:
    if len(head) < 27 or head[4] != 0 or not head[5] & 0x02:
        raise _damaged("an Ogg recording")  # version 0, beginning of stream
    packet = head[27 + head[26] :]
    for codec_id, loader, media_type in _OGG_CODECS:
        if packet.startswith(codec_id):
            media = _load(loader, f, "an Ogg recording")
            return MediaInfo(media_type, _seconds(media.info.length))
    raise NotMediaError()


# MP4: mutagen checks the file and reads the audio track's length; the box
# walk below finds what mutagen does not say, whether there is a video track,
# and the movie's own duration, which leaves out the encoder's priming.


def _probe_mp4(f: BinaryIO, size: int) -> MediaInfo:
    media = _load(MP4, f, "an MP4 recording")
    handlers, movie_seconds = _mp4_movie(f, size)
    if b"vide" in handlers:
        media_type = "video/mp4"
    elif b"soun" in handlers:
        media_type = "audio/mp4"
    else:
        raise NotMediaError()
    return MediaInfo(media_type, movie_seconds or _seconds(media.info.length))


def _mp4_movie(f: BinaryIO, size: int) -> tuple[set[bytes], float | None]:
    """The tracks' handler types and the movie's duration, from `moov`."""
    moov = _find_box(f, 0, size, b"moov")
    if moov is None:
        raise _damaged("an MP4 recording")
    handlers: set[bytes] = set()
    seconds = None
    for kind, start, end in _boxes(f, *moov):
        if kind == b"mvhd":
            seconds = _mvhd_seconds(_read_at(f, start, min(end - start, 32)))
        elif kind == b"trak":
            handlers.add(_track_handler(f, start, end))
    return handlers, seconds


def _track_handler(f: BinaryIO, start: int, end: int) -> bytes:
    mdia = _find_box(f, start, end, b"mdia")
    hdlr = None if mdia is None else _find_box(f, *mdia, b"hdlr")
    if hdlr is None or hdlr[1] - hdlr[0] < 12:
        return b""
    return _read_at(f, hdlr[0] + 8, 4)  # after version, flags, pre_defined


def _find_box(
    f: BinaryIO, start: int, end: int, wanted: bytes
) -> tuple[int, int] | None:
    for kind, body, box_end in _boxes(f, start, end):
        if kind == wanted:
            return body, box_end
    return None


def _boxes(f: BinaryIO, start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """The boxes between `start` and `end`: type, body offset, end offset."""
    offset = start
    for _ in range(_MAX_BOXES):
        if offset >= end:
            return
        header = _read_at(f, offset, 16)
        if len(header) < 8:
            raise _damaged("an MP4 recording")
        size, kind = struct.unpack(">I4s", header[:8])
        body = offset + 8
        if size == 1 and len(header) == 16:
            (size,) = struct.unpack(">Q", header[8:])
            body += 8
        elif size == 0:
            size = end - offset  # the box runs to the end of its parent
        if size < body - offset or offset + size > end:
            raise _damaged("an MP4 recording")
        yield kind, body, offset + size
        offset += size


def _mvhd_seconds(body: bytes) -> float | None:
    if body[:1] == b"\x00" and len(body) >= 20:
        timescale, duration = struct.unpack_from(">II", body, 12)
        unknown = duration == 0xFFFF_FFFF
    elif body[:1] == b"\x01" and len(body) >= 32:
        timescale, duration = struct.unpack_from(">IQ", body, 20)
        unknown = duration == 0xFFFF_FFFF_FFFF_FFFF
    else:
        return None
    if unknown or timescale == 0:
        return None
    return _seconds(duration / timescale)


# WebM and Matroska are EBML: elements of an ID and a size, both variable-length
# integers, then the body. The reader below looks at the EBML header, then the
# Segment's children until the first Cluster (the media data), reading only the
# Info and Tracks elements whole. Every size is checked against its parent and
# the file, so damaged sizes end in NotMediaError, and every loop is bounded.

_EBML_MAGIC = b"\x1a\x45\xdf\xa3"
_EBML_HEADER = 0x1A45DFA3
_DOC_TYPE = 0x4282
_READ_VERSION = 0x42F7
_SEGMENT = 0x18538067
_INFO = 0x1549A966
_TIMECODE_SCALE = 0x2AD7B1
_DURATION = 0x4489
_TRACKS = 0x1654AE6B
_TRACK_ENTRY = 0xAE
_TRACK_TYPE = 0x83
_CLUSTER = 0x1F43B675
_VIDEO_TRACK, _AUDIO_TRACK = 1, 2
_MEDIA_TYPES = {
    "webm": ("video/webm", "audio/webm"),
    "matroska": ("video/x-matroska", "audio/x-matroska"),
}
_WEBM = "a WebM recording"


def _probe_ebml(f: BinaryIO, size: int) -> MediaInfo:
    element_id, body, length = _element_at_file(f, 0, size)
    if element_id != _EBML_HEADER or length is None or length > _MAX_EBML_READ:
        raise _damaged(_WEBM)
    video_type, audio_type = _MEDIA_TYPES[_doc_type(_read_at(f, body, length))]
    element_id, body, length = _element_at_file(f, body + length, size)
    if element_id != _SEGMENT:
        raise _damaged(_WEBM)
    end = size if length is None else body + length  # live recordings: unknown
    duration, track_types = _segment_headers(f, body, end, size)
    if track_types is None or _VIDEO_TRACK in track_types:
        return MediaInfo(video_type, duration)
    if _AUDIO_TRACK in track_types:
        return MediaInfo(audio_type, duration)
    raise NotMediaError()


def _doc_type(header: bytes) -> str:
    doc_type = None
    for element_id, body in _children(header):
        if element_id == _READ_VERSION and _uint(body) != 1:
            raise NotMediaError()  # a later EBML we cannot read
        if element_id == _DOC_TYPE:
            doc_type = body.rstrip(b"\x00").decode("ascii", "replace")
    if doc_type not in _MEDIA_TYPES:
        raise NotMediaError()
    return doc_type


def _segment_headers(
    f: BinaryIO, offset: int, end: int, size: int
) -> tuple[float | None, set[int] | None]:
    """The duration and track types from the Segment, where they are cheap."""
    duration: float | None = None
    track_types: set[int] | None = None
    wanted = {_INFO, _TRACKS}
    for _ in range(_MAX_SEGMENT_CHILDREN):
        if offset >= end or not wanted:
            break
        element_id, body, length = _element_at_file(f, offset, size)
        if element_id == _CLUSTER or length is None:
            break  # the media data; Info and Tracks come before it
        if body + length > end:
            raise _damaged(_WEBM)
        if element_id in wanted and length <= _MAX_EBML_READ:
            wanted.discard(element_id)
            data = _read_at(f, body, length)
            if element_id == _INFO:
                duration = _info_duration(data)
            else:
                track_types = _track_types(data)
        offset = body + length
    return duration, track_types


def _info_duration(info: bytes) -> float | None:
    scale, duration = 1_000_000, None  # TimecodeScale's default: milliseconds
    for element_id, body in _children(info):
        if element_id == _TIMECODE_SCALE:
            scale = _uint(body)
        elif element_id == _DURATION:
            duration = _float(body)
    if scale == 0:
        raise _damaged(_WEBM)
    return None if duration is None else _seconds(duration * scale / 1e9)


def _track_types(tracks: bytes) -> set[int]:
    types = set()
    for element_id, body in _children(tracks):
        if element_id == _TRACK_ENTRY:
            for child_id, child in _children(body):
                if child_id == _TRACK_TYPE:
                    types.add(_uint(child))
    return types


def _element_at_file(
    f: BinaryIO, offset: int, size: int
) -> tuple[int, int, int | None]:
    """An element header read from the file: ID, body offset, body length."""
    element_id, body, length = _element_at(_read_at(f, offset, 12), 0)
    body += offset
    if length is not None and body + length > size:
        raise _damaged(_WEBM)  # it claims more bytes than the file has
    return element_id, body, length


def _children(data: bytes) -> Iterator[tuple[int, bytes]]:
    """The elements that fill `data` exactly, each as its ID and body."""
    offset = 0
    while offset < len(data):  # each step moves on by at least two bytes
        element_id, body, length = _element_at(data, offset)
        if length is None or body + length > len(data):
            raise _damaged(_WEBM)
        yield element_id, data[body : body + length]
        offset = body + length


def _element_at(data: bytes, offset: int) -> tuple[int, int, int | None]:
    """The ID, body offset and body length (None: unknown) at `offset`."""
    width = _vint_width(data, offset, max_width=4)
    element_id = int.from_bytes(data[offset : offset + width], "big")  # as written
    offset += width
    width = _vint_width(data, offset, max_width=8)
    all_ones = (1 << (7 * width)) - 1
    length = int.from_bytes(data[offset : offset + width], "big") & all_ones
    return element_id, offset + width, None if length == all_ones else length


def _vint_width(data: bytes, offset: int, max_width: int) -> int:
    """The width of the variable-length integer at `offset`, from its first
    byte's leading zeros."""
    if offset >= len(data) or data[offset] == 0:
        raise _damaged(_WEBM)
    width = 9 - data[offset].bit_length()
    if width > max_width or offset + width > len(data):
        raise _damaged(_WEBM)
    return width


def _uint(body: bytes) -> int:
    if len(body) > 8:
        raise _damaged(_WEBM)
    return int.from_bytes(body, "big")


def _float(body: bytes) -> float | None:
    if len(body) == 4:
        return float(struct.unpack(">f", body)[0])
    if len(body) == 8:
        return float(struct.unpack(">d", body)[0])
    if not body:
        return None
    raise _damaged(_WEBM)
