"""The offline voice: Debian's espeak-ng (Mandarin `cmn`, English `en`) encoded to Ogg/Opus
by opusenc (or ffmpeg). A robotic formant voice, intelligible for short lines but far from
natural; it is the fallback when no TTS_MODEL is set or the provider fails."""

from __future__ import annotations

import asyncio
import logging
import shutil
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)
VOICES = {"zh": "cmn", "en": "en-us"}


def available() -> bool:
    """Whether espeak-ng and an Opus encoder are installed."""
    return shutil.which("espeak-ng") is not None and (
        shutil.which("opusenc") is not None or shutil.which("ffmpeg") is not None
    )


async def _run(*command: str) -> bool:
    process = await asyncio.create_subprocess_exec(
        *command, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL
    )
    return await process.wait() == 0


async def speak(text: str, lang: str) -> bytes | None:
    """The text as an Ogg/Opus voice note, or None when the tools are missing or fail."""
    if not available():
        return None
    with tempfile.TemporaryDirectory() as folder:
        wav, ogg = Path(folder) / "reply.wav", Path(folder) / "reply.ogg"
        said = Path(folder) / "reply.txt"
        said.write_text(text, "utf-8")  # from a file: a reply is never read as an option
        voice = VOICES.get(lang, "cmn")
        if not await _run("espeak-ng", "-v", voice, "-s", "165", "-w", str(wav), "-f", str(said)):
            log.warning("espeak-ng failed")
            return None
        if shutil.which("opusenc"):
            encoded = await _run("opusenc", "--quiet", "--bitrate", "24", str(wav), str(ogg))
        else:
            encoded = await _run(
                "ffmpeg", "-loglevel", "error", "-i", str(wav), "-c:a", "libopus", str(ogg)
            )
        if not encoded or not ogg.is_file():
            log.warning("encoding the offline voice to Opus failed")
            return None
        return ogg.read_bytes()
