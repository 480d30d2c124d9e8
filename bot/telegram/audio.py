"""Fetching a voice note or audio file from the Bot API (`getFile`, then the download), with
what Telegram declares about it checked first so a 30-minute recording is never downloaded."""

from __future__ import annotations

import datetime as dt
import logging

from telegram import Message
from telegram.error import BadRequest
from telegram.ext import ExtBot

from bot.domain.audio import MAX_DOWNLOAD_BYTES, Clip
from bot.errors import VoiceRejected

log = logging.getLogger(__name__)


def _seconds(duration: int | dt.timedelta) -> float:
    """PTB 22 gives durations as int seconds, or as a timedelta when PTB_TIMEDELTA is set."""
    return duration.total_seconds() if isinstance(duration, dt.timedelta) else float(duration)


def declared(message: Message) -> tuple[str, float, int | None, str]:
    """(file id, seconds, bytes, kind) of the message's voice note or audio file."""
    if message.voice is not None:
        media = message.voice
        return media.file_id, _seconds(media.duration), media.file_size, "voice"
    if message.audio is not None:
        audio = message.audio
        return audio.file_id, _seconds(audio.duration), audio.file_size, "audio"
    raise VoiceRejected("voice.not_audio")


async def fetch(bot: ExtBot[None], message: Message, max_seconds: float) -> Clip:
    """The audio of a voice note or audio file; `VoiceRejected` before any download when
    Telegram already says it is too long or too large."""
    file_id, seconds, size, kind = declared(message)
    if seconds > max_seconds:
        limit = round(max_seconds / 60, 1)
        raise VoiceRejected("voice.too_long", seconds=round(seconds), limit=limit)
    if size is not None and size > MAX_DOWNLOAD_BYTES:
        raise VoiceRejected("voice.too_large")
    try:
        found = await bot.get_file(file_id)
        data = bytes(await found.download_as_bytearray())
    except BadRequest as exc:
        # "file is too big" past 20 MB; an unknown or expired file id otherwise.
        log.info("voice note not downloadable: %s", exc.message)
        too_big = "too big" in exc.message.lower()
        raise VoiceRejected("voice.too_large" if too_big else "voice.unavailable") from None
    return Clip(data, seconds, file_id, kind)
