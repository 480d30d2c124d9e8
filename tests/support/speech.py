"""Real speech for tests: text spoken by Debian's espeak-ng and encoded to Ogg/Opus by opusenc
(what Telegram's voice notes are), and the fake server's `/audio/transcriptions` and
`/audio/speech` endpoints.

The fake transcription endpoint is strict where real ones are: it reads the multipart upload,
refuses what is not an audio container with 400 (as OpenAI does), measures the stream's length
with ffprobe (independently of the bot's own parser) and answers with a scripted transcript
(it cannot understand speech, so a test says what was said) and whisper-style usage in seconds.
"""

from __future__ import annotations

import email.parser
import email.policy
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pytest

from bot.cli.recording import probed_seconds

TOOLS = ("espeak-ng", "opusenc", "ffmpeg", "ffprobe")
SpeechFault = Literal["timeout", "server_error", "garbage", "bad_request"]


def missing_tools() -> list[str]:
    """The command-line tools the voice tests need that are not installed."""
    return [tool for tool in TOOLS if shutil.which(tool) is None]


def need_tools() -> None:
    """Skip the calling test, naming what is missing and how to install it."""
    missing = missing_tools()
    if missing:
        pytest.skip(
            f"{', '.join(missing)} not installed "
            "(apt-get install espeak-ng opus-tools ffmpeg; .ci/run installs them)"
        )


def speak_wav(text: str, voice: str = "cmn", speed: int = 175) -> bytes:
    """`text` spoken by espeak-ng as a WAV file."""
    found = subprocess.run(
        ["espeak-ng", "-v", voice, "-s", str(speed), "--stdout", text],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return found.stdout


def to_opus(wav: bytes) -> bytes:
    """A WAV file encoded as Ogg/Opus (a Telegram voice note)."""
    with tempfile.TemporaryDirectory() as folder:
        source, target = Path(folder) / "in.wav", Path(folder) / "out.ogg"
        source.write_bytes(wav)
        subprocess.run(
            ["opusenc", "--quiet", "--bitrate", "24", str(source), str(target)],
            check=True,
            capture_output=True,
            timeout=60,
        )
        return target.read_bytes()


def voice_note(text: str, voice: str = "cmn", speed: int = 175) -> bytes:
    """`text` spoken as an Ogg/Opus voice note."""
    return to_opus(speak_wav(text, voice, speed))


def silence_note(seconds: float) -> bytes:
    """An Ogg/Opus file of silence (ffmpeg's anullsrc)."""
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "quiet.ogg"
        subprocess.run(
            [
                "ffmpeg",
                "-loglevel",
                "error",
                "-f",
                "lavfi",
                "-i",
                "anullsrc=r=48000:cl=mono",
                "-t",
                str(seconds),
                "-c:a",
                "libopus",
                str(target),
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )
        return target.read_bytes()


def probe_seconds(data: bytes) -> float | None:
    """The audio's length by ffprobe (None when ffprobe is missing or finds no audio in it):
    the product's own probe (`bot.cli.recording.probed_seconds`) run on a temporary file."""
    with tempfile.NamedTemporaryFile(suffix=".bin") as handle:
        handle.write(data)
        handle.flush()
        seconds = probed_seconds(Path(handle.name))
    return None if seconds < 0 else seconds


@dataclass
class Heard:
    """One scripted transcription answer: the words, or a fault."""

    text: str = ""
    fault: SpeechFault | None = None
    # For verbose_json: (start, end, text) or (start, end, text, speaker) per segment.
    segments: list[tuple[Any, ...]] | None = None


@dataclass
class Upload:
    """A transcription request as the fake received it."""

    fields: dict[str, str]
    file_name: str
    content_type: str
    data: bytes
    seconds: float | None


def parse_multipart(
    content_type: str, body: bytes
) -> tuple[dict[str, str], tuple[str, str, bytes]]:
    """(form fields, (file name, content type, bytes)) of a multipart/form-data body."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    fields: dict[str, str] = {}
    upload = ("", "", b"")
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition") or ""
        payload = part.get_payload(decode=True) or b""
        if part.get_filename():
            upload = (part.get_filename() or "", part.get_content_type(), bytes(payload))
        else:
            fields[str(name)] = bytes(payload).decode("utf-8")
    return fields, upload


AUDIO_MAGIC = (b"OggS", b"RIFF", b"ID3", b"fLaC", b"\x1a\x45\xdf\xa3")


def looks_like_audio(data: bytes) -> bool:
    """What a provider checks before decoding: a known container's first bytes."""
    return data.startswith(AUDIO_MAGIC) or data[4:8] == b"ftyp" or data[:2] == b"\xff\xfb"


def speech_bytes(text: str, voice: str) -> bytes:
    """What `/audio/speech` answers: espeak-ng's rendering as Ogg/Opus when the tools are
    there (Mandarin for Chinese text), else a minimal valid WAV of silence."""
    if shutil.which("espeak-ng") and shutil.which("opusenc"):
        chinese = any("\u4e00" <= ch <= "\u9fff" for ch in text)
        return voice_note(text, "cmn" if chinese else "en")
    import io
    import wave

    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(b"\x00\x00" * 16000)
    return out.getvalue()
