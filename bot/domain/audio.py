"""A voice note or audio file as the rep sent it: what it is, how long it lasts, and whether it
can be heard at all. Plain Python: the adapters bring the bytes, the services decide.

The container is recognised by its first bytes, never by a file name or a declared MIME type (a
renamed .txt is not audio). For Ogg (Telegram's voice notes are Ogg/Opus) the duration is read
from the stream itself: the last page's granule position less Opus's pre-skip, at 48 kHz; WAV's
comes from its header. Other containers keep the duration the sender declared.
"""

from __future__ import annotations

import io
import wave
from dataclasses import dataclass

from bot.errors import VoiceRejected

MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024  # the Bot API lets a bot download files up to 20 MB
MIME = {
    "ogg": "audio/ogg",
    "mp3": "audio/mpeg",
    "wav": "audio/wav",
    "flac": "audio/flac",
    "m4a": "audio/mp4",
    "webm": "audio/webm",
}


@dataclass(frozen=True)
class Clip:
    """Audio bytes with what is known about them before anyone listens."""

    data: bytes
    seconds: float  # as declared by the sender (Telegram's `duration`); negative: unknown
    file_id: str = ""
    kind: str = "voice"  # voice (a voice note), audio (an audio file) or file (a recording)


@dataclass(frozen=True)
class VoiceNote:
    """What is stored with a turn that was spoken: the transcript, its length and its file."""

    file_id: str
    seconds: float
    transcript: str


def container(data: bytes) -> str | None:
    """The audio container the bytes start with (ogg, mp3, wav, flac, m4a, webm), or None."""
    head = data[:16]
    if head.startswith(b"OggS"):
        return "ogg"
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "wav"
    if head.startswith(b"fLaC"):
        return "flac"
    utf16 = head.startswith((b"\xff\xfe", b"\xfe\xff"))  # a text file's byte-order mark
    if head.startswith(b"ID3") or (
        len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0 and not utf16
    ):
        return "mp3"
    if head[4:8] == b"ftyp":
        return "m4a"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "webm"
    return None


def ogg_seconds(data: bytes) -> float | None:
    """Duration of an Ogg/Opus stream from its last granule position (None if not Opus)."""
    head = data.find(b"OpusHead")
    last = data.rfind(b"OggS")
    if head < 0 or last < 0 or len(data) < last + 14 or len(data) < head + 12:
        return None
    pre_skip = int.from_bytes(data[head + 10 : head + 12], "little")
    granule = int.from_bytes(data[last + 6 : last + 14], "little", signed=True)
    return max(granule - pre_skip, 0) / 48000


def wav_seconds(data: bytes) -> float | None:
    """Duration of a WAV file from its header (None if unreadable)."""
    try:
        with wave.open(io.BytesIO(data)) as w:
            rate = w.getframerate()
            return w.getnframes() / rate if rate else None
    except (wave.Error, EOFError):
        return None


def measured_seconds(data: bytes, kind: str | None) -> float | None:
    """The duration the stream itself states, where its container says it (Ogg/Opus, WAV)."""
    if kind == "ogg":
        return ogg_seconds(data)
    if kind == "wav":
        return wav_seconds(data)
    return None


def checked(clip: Clip, max_seconds: float) -> tuple[str, float]:
    """The clip's container and duration, or `VoiceRejected` saying why it cannot be heard:
    nothing in it, not audio, no sound (0 s), or longer than `max_seconds`."""
    if not clip.data:
        raise VoiceRejected("voice.empty")
    kind = container(clip.data)
    if kind is None:
        raise VoiceRejected("voice.not_audio")
    seconds = measured_seconds(clip.data, kind)
    if seconds is None:
        seconds = clip.seconds
    if seconds < 0:
        return kind, 0.0  # unknown (a file with no declared length): the provider decides
    if seconds <= 0.05:
        raise VoiceRejected("voice.empty")
    if seconds > max_seconds:
        raise VoiceRejected(
            "voice.too_long", seconds=round(seconds), limit=round(max_seconds / 60, 1)
        )
    return kind, seconds
