"""The media probe names a recording's type and duration from its headers, and
refuses anything that is not a recording, or is damaged, with NotMediaError."""

from __future__ import annotations

import random
import struct
from pathlib import Path

import pytest

from supervise.media import MediaInfo, NotMediaError, probe

MEDIA = Path(__file__).resolve().parents[1] / "data" / "media"
FIXTURES = {
    "tone.wav": "audio/wav",
    "tone.mp3": "audio/mpeg",
    "tone.m4a": "audio/mp4",
    "video.mp4": "video/mp4",
    "tone.ogg": "audio/ogg",
    "tone.opus": "audio/ogg",
    "video.ogv": "video/ogg",
    "tone.webm": "audio/webm",
    "video.webm": "video/webm",
    "tone.flac": "audio/flac",
}
"""Each file is two seconds long (see tests/data/media/README.md)."""


def _write(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


@pytest.mark.parametrize(("name", "media_type"), FIXTURES.items())
def test_each_recording_format_gives_its_media_type_and_duration(
    name: str, media_type: str
) -> None:
    info = probe(MEDIA / name)

    assert info.media_type == media_type
    assert info.duration_seconds == pytest.approx(2.0, abs=0.1)


def test_an_mp3_without_an_id3_tag_is_still_recognised(tmp_path: Path) -> None:
    data = (MEDIA / "tone.mp3").read_bytes()
    assert data[:3] == b"ID3"
    size = sum(data[6 + i] << (7 * (3 - i)) for i in range(4))

    info = probe(_write(tmp_path, "bare.mp3", data[10 + size :]))

    assert info.media_type == "audio/mpeg"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("notes.txt", b"Session notes\nThe client arrived on time.\n" * 20),
        ("letter.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< >>\nendobj\n"),
        ("photo.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200)),
        ("noise.bin", random.Random(7).randbytes(4096)),
        ("empty.wav", b""),
        ("notes.mp3", b"This is a text file with a misleading name.\n" * 50),
        ("film.wav", b"RIFF\x24\x00\x00\x00AVI LIST" + bytes(64)),
    ],
    ids=["text", "pdf", "png", "random", "empty", "text-named-mp3", "riff-not-wave"],
)
def test_files_that_are_not_recordings_are_refused(
    tmp_path: Path, name: str, content: bytes
) -> None:
    with pytest.raises(NotMediaError):
        probe(_write(tmp_path, name, content))


@pytest.mark.parametrize(
    "signature",
    [
        b"RIFF\x00\x10\x00\x00WAVE",
        b"ID3\x04\x00\x00",
        b"\xff\xfb\x90\x64",
        b"\x00\x00\x00\x20ftypisom",
        b"OggS\x00\x02",
        b"fLaC",
        b"\x1a\x45\xdf\xa3",
    ],
    ids=["wav", "id3", "mpeg-sync", "mp4", "ogg", "flac", "ebml"],
)
def test_a_format_signature_followed_by_noise_is_refused(
    tmp_path: Path, signature: bytes
) -> None:
    noise = random.Random(signature).randbytes(8192)

    with pytest.raises(NotMediaError):
        probe(_write(tmp_path, "noise", signature + noise))


def _cuts(name: str) -> list[tuple[str, int]]:
    size = (MEDIA / name).stat().st_size
    return [(name, cut) for cut in (8, 64, 1024, size // 2, size - 1)]


def _read_or_refused(path: Path) -> MediaInfo | None:
    """The probe's answer, or None where it refused the file; other errors
    escape and fail the test."""
    try:
        return probe(path)
    except NotMediaError:
        return None


@pytest.mark.parametrize(
    ("name", "keep"), [case for name in FIXTURES for case in _cuts(name)]
)
def test_a_truncated_recording_is_refused_or_read_as_its_own_type(
    tmp_path: Path, name: str, keep: int
) -> None:
    data = (MEDIA / name).read_bytes()[:keep]

    info = _read_or_refused(_write(tmp_path, name, data))

    assert info is None or info.media_type == FIXTURES[name]


@pytest.mark.parametrize("name", FIXTURES)
def test_corrupted_headers_are_read_or_refused_but_never_crash(
    tmp_path: Path, name: str
) -> None:
    original = (MEDIA / name).read_bytes()
    rng = random.Random(name)
    for _ in range(40):
        data = bytearray(original)
        for _ in range(rng.randint(1, 6)):
            data[rng.randrange(min(len(data), 512))] = rng.randrange(256)
        _read_or_refused(_write(tmp_path, name, bytes(data)))


def test_the_refusal_message_does_not_name_the_file(tmp_path: Path) -> None:
    name = "Jane Doe - intake session 3"
    refusals = [
        _write(tmp_path, f"{name}.mp3", b"not audio at all\n"),
        _write(tmp_path, f"{name}.webm", (MEDIA / "tone.webm").read_bytes()[:100]),
    ]
    for path in refusals:
        with pytest.raises(NotMediaError) as refused:
            probe(path)
        message = str(refused.value)
        assert "Jane" not in message
        assert str(tmp_path) not in message
        assert "audio or video" in message or "damaged" in message


def test_an_unreadable_path_raises_its_os_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        probe(tmp_path / "missing.wav")
    with pytest.raises(IsADirectoryError):
        probe(tmp_path)


# Small WebM files built element by element, each size written on 8 bytes.

_EBML, _DOC_TYPE, _SEGMENT, _INFO, _CLUSTER = (
    0x1A45DFA3,
    0x4282,
    0x18538067,
    0x1549A966,
    0x1F43B675,
)
_TIMECODE_SCALE, _DURATION = 0x2AD7B1, 0x4489
_TRACKS, _TRACK_ENTRY, _TRACK_TYPE = 0x1654AE6B, 0xAE, 0x83
_UNKNOWN_SIZE = b"\x01" + b"\xff" * 7
_HUGE_SIZE = b"\x01" + b"\xff" * 6 + b"\xfe"
"""2^56 - 2, the largest size an 8-byte field can state."""


def _element(element_id: int, body: bytes = b"", size: bytes | None = None) -> bytes:
    id_bytes = element_id.to_bytes((element_id.bit_length() + 7) // 8, "big")
    if size is None:
        size = (len(body) | 1 << 56).to_bytes(8, "big")
    return id_bytes + size + body


def _webm(
    *segment: bytes, doc_type: bytes = b"webm", segment_size: bytes | None = None
) -> bytes:
    header = _element(_EBML, _element(_DOC_TYPE, doc_type))
    return header + _element(_SEGMENT, b"".join(segment), segment_size)


def _info(duration: float | None = None, scale: int | None = None) -> bytes:
    body = b""
    if scale is not None:
        body += _element(_TIMECODE_SCALE, scale.to_bytes(4, "big"))
    if duration is not None:
        body += _element(_DURATION, struct.pack(">d", duration))
    return _element(_INFO, body)


def _tracks(*track_types: int) -> bytes:
    entries = (
        _element(_TRACK_ENTRY, _element(_TRACK_TYPE, bytes([kind])))
        for kind in track_types
    )
    return _element(_TRACKS, b"".join(entries))


_CLUSTER_DATA = _element(_CLUSTER, bytes(32))


@pytest.mark.parametrize(
    ("doc_type", "track_types", "media_type"),
    [
        (b"webm", (2,), "audio/webm"),
        (b"webm", (2, 1), "video/webm"),
        (b"matroska", (1, 2), "video/x-matroska"),
        (b"matroska", (2,), "audio/x-matroska"),
    ],
)
def test_the_webm_tracks_decide_audio_or_video(
    tmp_path: Path, doc_type: bytes, track_types: tuple[int, ...], media_type: str
) -> None:
    content = _webm(
        _info(2000.0), _tracks(*track_types), _CLUSTER_DATA, doc_type=doc_type
    )

    assert probe(_write(tmp_path, "x.webm", content)) == MediaInfo(media_type, 2.0)


def test_the_webm_duration_is_scaled_by_its_timecode_scale(tmp_path: Path) -> None:
    content = _webm(_info(4_000.0, scale=500_000), _tracks(2), _CLUSTER_DATA)

    assert probe(_write(tmp_path, "x.webm", content)).duration_seconds == 2.0


def test_a_live_webm_without_size_duration_or_tracks_is_video_of_unknown_length(
    tmp_path: Path,
) -> None:
    content = _webm(_info(), _CLUSTER_DATA, segment_size=_UNKNOWN_SIZE)

    assert probe(_write(tmp_path, "x.webm", content)) == MediaInfo("video/webm", None)


@pytest.mark.parametrize(
    "content",
    [
        _webm(_info(2000.0), _tracks(2), doc_type=b"mkvfake"),
        _webm(_info(2000.0), _tracks(17), _CLUSTER_DATA),
        _webm(_info(2000.0), _tracks(2))[:-3],
    ],
    ids=["unknown-doc-type", "subtitles-only", "cut-inside-tracks"],
)
def test_a_webm_that_is_not_a_whole_recording_is_refused(
    tmp_path: Path, content: bytes
) -> None:
    with pytest.raises(NotMediaError):
        probe(_write(tmp_path, "x.webm", content))


@pytest.mark.timeout(5)
@pytest.mark.parametrize(
    "content",
    [
        _element(_EBML, _element(_DOC_TYPE, b"webm"), size=_HUGE_SIZE),
        _webm(_info(2000.0), _tracks(2), segment_size=_HUGE_SIZE),
        _webm(_element(_INFO, bytes(64), size=_HUGE_SIZE), segment_size=_UNKNOWN_SIZE),
        _webm(_element(_TRACKS, _tracks(2), size=_HUGE_SIZE), _info(2000.0)),
    ],
    ids=["ebml-header", "segment", "info", "tracks"],
)
def test_a_webm_element_claiming_2_56_bytes_is_refused_quickly(
    tmp_path: Path, content: bytes
) -> None:
    with pytest.raises(NotMediaError):
        probe(_write(tmp_path, "x.webm", content))


def test_a_cut_off_wav_has_no_duration_rather_than_its_header_s(
    tmp_path: Path,
) -> None:
    data = (MEDIA / "tone.wav").read_bytes()

    info = probe(_write(tmp_path, "cut.wav", data[: len(data) // 2]))

    assert info == MediaInfo("audio/wav", None)


def test_a_webm_duration_after_its_tracks_is_still_found(tmp_path: Path) -> None:
    content = _webm(_tracks(2), _info(2000.0), _CLUSTER_DATA)

    assert probe(_write(tmp_path, "x.webm", content)) == MediaInfo("audio/webm", 2.0)


def test_an_mp4_is_audio_or_video_by_its_tracks_not_its_brand(
    tmp_path: Path,
) -> None:
    data = bytearray((MEDIA / "tone.m4a").read_bytes())
    assert data[8:12] == b"M4A "
    data[8:12] = b"isom"  # the brand ffmpeg's plain mp4 muxer writes

    info = probe(_write(tmp_path, "audio.mp4", bytes(data)))

    assert info.media_type == "audio/mp4"
