"""`trainer grade call.ogg|mp3|wav`: a recorded call transcribed on the STT endpoint and cut
into rep and client turns (`bot/domain/call.py` says how), then graded like a written one."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from bot.composition import build_transcriber
from bot.domain.audio import Clip, checked, container
from bot.domain.transcript import Transcript
from bot.errors import TrainerError, VoiceRejected
from bot.services.voice import CALL_MAX_SECONDS, VoiceService
from bot.settings import Settings

AUDIO_SUFFIXES = {".ogg", ".oga", ".opus", ".mp3", ".wav", ".m4a", ".flac", ".webm"}
TEXT_SUFFIXES = {".txt", ".md", ".text", ".log", ".csv"}
MAX_RECORDING_BYTES = 25 * 1024 * 1024  # what OpenAI's transcription endpoint accepts


def is_recording(path: Path) -> bool:
    """Whether a file given to `trainer grade` is audio (by its name or its first bytes)."""
    if path.suffix.lower() in AUDIO_SUFFIXES:
        return True
    if path.suffix.lower() in TEXT_SUFFIXES:
        return False  # a transcript in a wrong encoding is a text problem, said as one
    try:
        with path.open("rb") as fh:
            return container(fh.read(16)) is not None
    except OSError:
        return False


def probed_seconds(path: Path) -> float:
    """The recording's length by ffprobe where installed; -1 when unknown."""
    if shutil.which("ffprobe") is None:
        return -1.0
    found = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "json", str(path)],
        capture_output=True,
        timeout=60,
        check=False,
    )
    try:
        return float(json.loads(found.stdout or b"{}")["format"]["duration"])
    except (KeyError, ValueError, TypeError):
        return -1.0


def read_recording(path: Path) -> Clip:
    """The recording's bytes and length, or a `TrainerError` saying why it cannot be used."""
    if not path.is_file():
        raise TrainerError("error.file_not_found", path=path)
    if path.stat().st_size > MAX_RECORDING_BYTES:
        raise TrainerError("error.file_too_large", limit="25 MB")
    return Clip(path.read_bytes(), probed_seconds(path), kind="file")


async def transcribe_recording(
    settings: Settings, path: Path, language: str | None
) -> tuple[Transcript, bool]:
    """The call as turns, and whether the endpoint named the speakers (else the heuristic)."""
    if not settings.stt_model:
        raise VoiceRejected("voice.call_not_configured")
    clip = read_recording(path)
    checked(clip, CALL_MAX_SECONDS)  # refused before a connection is opened
    transcriber = build_transcriber(settings)
    try:
        return await VoiceService(transcriber).hear_call(clip, language)
    finally:
        if transcriber is not None:
            await transcriber.aclose()
