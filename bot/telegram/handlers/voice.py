"""Voice notes and audio files in the private chat: heard, shown to the rep quoted under their
note (so a misheard word is seen, and the rep can send it again), then played exactly like a
typed plan or turn. Outside practice, a trainer's recording of a real call is graded. A video
note is refused with a word on what to send instead."""

from __future__ import annotations

import html

from telegram import Message, ReplyParameters, Update
from telegram.constants import ParseMode
from telegram.ext import CommandHandler, MessageHandler, filters

from bot.domain.audio import VoiceNote
from bot.domain.roles import Role
from bot.domain.session import Phase, PracticeSession
from bot.errors import VoiceRejected
from bot.services.users import Person
from bot.services.voice import CALL_MAX_SECONDS
from bot.telegram.audio import fetch
from bot.telegram.handlers.play import show_opening, turn
from bot.telegram.runtime import NEW_MESSAGES, App, Context, rep, say
from bot.telegram.streaming import typing
from bot.views.text import scorecard_text

SPOKEN = filters.VOICE | filters.AUDIO
PLAYING = (Phase.BRIEF, Phase.PREPARE, Phase.PLAY)
_SHOWN_CHARS = 3500  # a transcript shown in one message (the turn's own limit is lower)


async def _show_heard(update: Update, context: Context, person: Person, note: VoiceNote) -> None:
    """The transcript, quoted under the rep's voice note."""
    message = update.effective_message
    if message is None:
        return
    rt = context.runtime
    text = note.transcript
    shown = text if len(text) <= _SHOWN_CHARS else f"{text[:_SHOWN_CHARS]}…"
    body = f"{html.escape(rt.t(person.language, 'voice.heard'))}\n<i>{html.escape(shown)}</i>"
    await context.bot.send_message(
        message.chat_id,
        body,
        parse_mode=ParseMode.HTML,
        reply_parameters=ReplyParameters(message.message_id, allow_sending_without_reply=True),
    )


async def spoken(update: Update, context: Context) -> None:
    """A voice note or audio file: the plan while preparing, a turn while playing."""
    person = await rep(update, context)
    rt, message = context.runtime, update.effective_message
    current = await rt.practice.current(person.id)
    if message is None or current is None or current.session.phase not in PLAYING:
        await _not_in_play(update, context, person, message is not None)
        return
    voice = rt.services.voice
    if voice is None or not voice.configured:
        raise VoiceRejected("voice.not_configured")
    session = current.session
    if await _replayed(update, context, person, session, message):
        return
    async with typing(context.bot, message.chat_id):
        clip = await fetch(context.bot, message, voice.max_seconds)
        note = await voice.hear(clip, session.language, person.id, session.id, session.team_id)
    await _show_heard(update, context, person, note)
    if session.phase == Phase.PLAY:
        await turn(update, context, person, session.id, note.transcript, note)
    else:
        result = await rt.practice.begin(person.id, session.id, note.transcript)
        await show_opening(update, context, person, result, planned=True)


async def _not_in_play(update: Update, context: Context, person: Person, has_message: bool) -> None:
    """Outside practice a trainer's recording is a call to analyse; a rep is told why not."""
    if has_message and await _is_staff(context, person):
        await analyse_call(update, context, person)
        return
    rt = context.runtime
    await say(update, context, html.escape(rt.t(person.language, "voice.not_in_play")))


async def _replayed(
    update: Update, context: Context, person: Person, session: PracticeSession, message: Message
) -> bool:
    """A recording delivered again mid-play: answered (if owed) without hearing it twice."""
    if session.phase != Phase.PLAY:
        return False
    source = f"tg:{message.chat_id}:{message.message_id}"
    stored = await context.runtime.practice.stored_from(person.id, session.id, source)
    if stored is None:
        return False
    await turn(update, context, person, session.id, stored)
    return True


async def _is_staff(context: Context, person: Person) -> bool:
    """Trainers and operators may have a recorded call graded."""
    role = await context.runtime.training.teams.role(person.id)
    return role in (Role.TRAINER, Role.OPERATOR)


async def analyse_call(update: Update, context: Context, person: Person) -> None:
    """A trainer's recording of a real call, outside practice: transcribed, cut into rep and
    client turns (the speakers as the endpoint labels them, or the two-speaker heuristic),
    graded without a scenario, and the card sent (Real Call Analysis)."""
    rt, lang, message = context.runtime, person.language, update.effective_message
    voice = rt.services.voice
    if message is None:
        return
    if voice is None or not voice.configured:
        raise VoiceRejected("voice.call_not_configured")
    await say(update, context, html.escape(rt.t(lang, "voice.call_analysing")))
    async with typing(context.bot, message.chat_id):
        clip = await fetch(context.bot, message, CALL_MAX_SECONDS)
        transcript, labelled = await voice.hear_call(clip, None, person.id)
        card = await rt.services.grading.grade(transcript, None, None, lang)
    how = rt.t(lang, "voice.call_speakers" if labelled else "voice.call_heuristic")
    heard = rt.t(lang, "voice.call_heard", turns=len(transcript), how=how)
    zone = rt.services.settings.team_time_zone
    text = scorecard_text(card, rt.catalog, lang, html=True, zone=zone)
    await say(update, context, f"{html.escape(heard)}\n\n{text}")


async def video_note(update: Update, context: Context) -> None:
    """A round video message: not something the client can hear."""
    person = await rep(update, context)
    await say(update, context, html.escape(context.runtime.t(person.language, "voice.video_note")))


async def voice_command(update: Update, context: Context) -> None:
    """/voice on|off: whether the client's replies are also spoken."""
    person = await rep(update, context)
    rt, lang = context.runtime, person.language
    wanted = (context.args or [""])[0].lower()
    speaker = rt.services.speaker
    if wanted not in ("on", "off", "开", "关"):
        state = rt.t(lang, "voice.state_on" if person.voice_replies else "voice.state_off")
        await say(update, context, html.escape(rt.t(lang, "voice.replies_state", state=state)))
        return
    on = wanted in ("on", "开")
    if on and (speaker is None or not speaker.available):
        await say(update, context, html.escape(rt.t(lang, "voice.replies_unavailable")))
        return
    await rt.services.users.set_voice_replies(person.id, on)
    if not on:
        await say(update, context, html.escape(rt.t(lang, "voice.replies_off")))
        return
    assert speaker is not None
    how = speaker.synthesizer.label if speaker.synthesizer else rt.t(lang, "voice.offline_voice")
    await say(update, context, html.escape(rt.t(lang, "voice.replies_on", how=how)))


def register(application: App) -> None:
    """Add this flow's handlers (ahead of the "only text" fallback)."""
    private = NEW_MESSAGES & filters.ChatType.PRIVATE
    application.add_handler(CommandHandler("voice", voice_command, filters=private))
    application.add_handler(MessageHandler(private & SPOKEN, spoken))
    application.add_handler(MessageHandler(private & filters.VIDEO_NOTE, video_note))
