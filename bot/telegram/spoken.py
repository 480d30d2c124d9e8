"""The client's reply spoken, for a rep who asked (/voice on): sent with `sendVoice` after the
text. Best effort: the words were already delivered, so a voice that fails is logged, not
retried, and never holds the conversation up."""

from __future__ import annotations

import logging

from telegram.error import TelegramError

from bot.domain.scenario import Persona
from bot.services.practice import TurnResult
from bot.services.users import Person
from bot.telegram.runtime import Context

log = logging.getLogger(__name__)


def _speaker_persona(result: TurnResult) -> Persona:
    """Who spoke the reply: the persona of the stage it was stored under."""
    turns = result.session.transcript.turns
    stage_id = turns[-1].stage if turns else None
    stages = result.scenario.stages
    return next((s.persona for s in stages if s.id == stage_id), stages[0].persona)


async def speak_reply(context: Context, chat_id: int, person: Person, result: TurnResult) -> None:
    """Send the reply as a voice note when the rep turned voice replies on."""
    speaker = context.runtime.services.speaker
    if not person.voice_replies or speaker is None or not result.reply.strip():
        return
    session = result.session
    audio = await speaker.speak(
        result.reply, session.language, _speaker_persona(result), person.id, session.id
    )
    if audio is None:
        return
    try:
        await context.bot.send_voice(chat_id, voice=audio)
    except TelegramError as exc:
        log.warning("voice reply not sent: %s", type(exc).__name__)
