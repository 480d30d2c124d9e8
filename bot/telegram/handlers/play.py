"""Play: the rep's messages (the plan while preparing, turns while playing) with the client's
reply streamed, /hint, /end, /cancel, going back to a session, and the better wording."""

from __future__ import annotations

import functools
import html

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.domain.audio import VoiceNote
from bot.domain.session import Phase
from bot.services.practice import Started, TurnResult
from bot.services.users import Person
from bot.telegram import keyboards
from bot.telegram.render import edit_html
from bot.telegram.runtime import NEW_MESSAGES, App, Context, active, chat_id, rep, say
from bot.telegram.scorecard_view import send_scorecard
from bot.telegram.spoken import speak_reply
from bot.telegram.streaming import ReplyStream, typing
from bot.views.text import brief_text, hint_text, rewording_text


def client_says(result: TurnResult) -> str:
    """The client's words under the name of whoever is speaking at this stage."""
    turns = result.session.transcript.turns
    stage_id = turns[-1].stage if turns else None
    stages = result.scenario.stages
    index = next((i for i, s in enumerate(stages) if s.id == stage_id), 0)
    speaker = stages[index].persona.name
    if result.plan is not None and result.plan.advance and index + 1 < len(stages):
        # The reply hands over (e.g. the clerk shows the rep in to the section chief).
        speaker = f"{speaker} → {stages[index + 1].persona.name}"
    return f"<b>{html.escape(speaker)}</b>\n{html.escape(result.reply)}"


async def show_opening(
    update: Update, context: Context, person: Person, result: TurnResult, planned: bool
) -> None:
    """The play instructions and the client's first words."""
    rt, lang = context.runtime, person.language
    intro = rt.t(lang, "tg.plan_saved" if planned else "tg.plan_skipped")
    await say(update, context, html.escape(f"{intro}\n{rt.t(lang, 'tg.play_start')}"))
    await say(update, context, client_says(result))
    await speak_reply(context, chat_id(update), person, result)


async def grade_and_send(update: Update, context: Context, person: Person, session_id: str) -> None:
    """Grade the session and send the scorecard with its chart."""
    rt = context.runtime
    await say(update, context, html.escape(rt.t(person.language, "tg.grading")))
    async with typing(context.bot, chat_id(update)):
        started, card = await rt.practice.finish(person.id, session_id, person.language)
    await send_scorecard(update, context, person, started, card)


async def _after_reply(
    update: Update, context: Context, person: Person, result: TurnResult
) -> None:
    if result.ended and result.session.end_reason is not None:
        rt = context.runtime
        reason = rt.t(person.language, f"end_reason.{result.session.end_reason.value}")
        await say(update, context, html.escape(rt.t(person.language, "tg.ended", reason=reason)))
        await grade_and_send(update, context, person, result.session.id)


async def turn(
    update: Update,
    context: Context,
    person: Person,
    session_id: str,
    text: str,
    voice: VoiceNote | None = None,
) -> None:
    """One rep message (typed, or a voice note's transcript) and the client's reply, streamed."""
    rt, chat, message = context.runtime, update.effective_chat, update.effective_message
    if chat is None or message is None:
        return
    source = f"tg:{chat.id}:{message.message_id}"
    play = functools.partial(rt.practice.reply, person.id, session_id, text, voice=voice)
    stream = rt.stream.open(context.bot, chat, draft_id=update.update_id)
    async with stream.typing():
        result = await play(source_key=source, on_delta=stream.delta, sent_at=message.date)
    if await _shown(update, context, result, stream, source):
        await speak_reply(context, chat.id, person, result)
        await _after_reply(update, context, person, result)


async def _shown(
    update: Update, context: Context, result: TurnResult, stream: ReplyStream, source: str
) -> bool:
    """Send the streamed reply (once, even when the message is delivered again); True when the
    turn is new, so what follows a reply follows it."""
    rt = context.runtime
    if result.duplicate and (not result.reply or await rt.inbox.replied(source)):
        return False  # already played, and its answer already shown (or nothing stored to repeat)
    # A replay after a crash may find the answer stored but never sent: send it now.
    sent = await stream.finish(client_says(result))
    if sent is not None:
        await rt.inbox.record_reply(update, source, sent.message_id)
    return not result.duplicate


async def message(update: Update, context: Context) -> None:
    """A text message: the plan while preparing, a turn while playing."""
    person = await rep(update, context)
    rt = context.runtime
    text = update.effective_message.text if update.effective_message else None
    current = await rt.practice.in_progress(person.id)
    if current is None:
        chat = update.effective_chat
        if chat is not None and chat.type == chat.PRIVATE:
            # In a group, talk that is not practice is the members' own business.
            await say(update, context, html.escape(rt.t(person.language, "tg.no_session")))
        return
    if current.phase in (Phase.BRIEF, Phase.PREPARE):
        # The service refuses a plan that is too long with its length, never cuts it.
        result = await rt.practice.begin(person.id, current.session_id, text)
        await show_opening(update, context, person, result, planned=True)
    elif current.phase == Phase.PLAY:
        await turn(update, context, person, current.session_id, text or "")
    else:
        await grade_and_send(update, context, person, current.session_id)


async def _not_started(update: Update, context: Context, person: Person, current: Started) -> bool:
    """Whether the conversation has yet to begin (then the rep is told how to begin it)."""
    if current.session.phase not in (Phase.BRIEF, Phase.PREPARE):
        return False
    text = context.runtime.t(person.language, "fallback.not_started")
    await say(update, context, html.escape(text))
    return True


async def hint(update: Update, context: Context) -> None:
    """/hint: the coach's next move."""
    person = await rep(update, context)
    rt = context.runtime
    current = await active(context, person)
    if await _not_started(update, context, person, current):
        return
    found = await rt.practice.hint(person.id, current.session.id)
    text = rt.t(person.language, "tg.hint", text=hint_text(found, rt.catalog, person.language))
    await say(update, context, html.escape(text))


async def end(update: Update, context: Context) -> None:
    """/end: end the meeting now and grade it."""
    person = await rep(update, context)
    current = await active(context, person)
    if await _not_started(update, context, person, current):
        return  # nothing said yet: "grading…" and then a refusal would only confuse
    await grade_and_send(update, context, person, current.session.id)


async def cancel(update: Update, context: Context) -> None:
    """/cancel: ask before abandoning the session in progress."""
    person = await rep(update, context)
    rt, lang = context.runtime, person.language
    current = await active(context, person)
    text = rt.t(
        lang,
        "loop.cancel_question",
        title=current.scenario.title_in(lang),
        turns=len(current.session.transcript.rep_turns()),
    )
    keys = keyboards.confirm_cancel(rt.catalog, lang, current.session.id)
    await say(update, context, html.escape(text), keys)


async def quit_session(update: Update, context: Context) -> None:
    """ "Abandon it" under /cancel's question: the session is given up; the question says so."""
    person = await rep(update, context)
    rt, query = context.runtime, update.callback_query
    _, session_id = keyboards.parse(query.data if query else None)
    await rt.practice.abandon(person.id, session_id)
    text = html.escape(rt.t(person.language, "tg.cancelled"))
    if query is not None and query.message is not None:
        await edit_html(context.bot, chat_id(update), query.message.message_id, text)
    else:
        await say(update, context, text)


async def _show_play(update: Update, context: Context, person: Person, current: Started) -> None:
    rt, lang, session = context.runtime, person.language, current.session
    title = current.scenario.title_in(lang)
    # Rounds as the turn budget counts them: the rep's messages.
    turns = len(session.transcript.rep_turns())
    lines = [rt.t(lang, "tg.resumed", title=title, turns=turns)]
    last_client = next(
        (t for t in reversed(session.transcript.turns) if t.speaker == "client"), None
    )
    if last_client is not None:
        lines += [rt.t(lang, "tg.last_client"), last_client.text]
    await say(update, context, html.escape("\n".join(lines)))


async def go_back(update: Update, context: Context) -> None:
    """ "Continue": pick the session in progress up where it stopped."""
    person = await rep(update, context)
    rt, lang = context.runtime, person.language
    current = await active(context, person)
    session = current.session
    if session.phase == Phase.BRIEF:
        card = brief_text(current.scenario, rt.catalog, lang, html=True)
        await say(update, context, card, keyboards.prepare(rt.catalog, lang, session.id))
    elif session.phase == Phase.PREPARE:
        await say(update, context, html.escape(rt.t(lang, "tg.prepare_prompt")))
    elif session.phase == Phase.ENDED:
        await grade_and_send(update, context, person, session.id)
    elif session.awaiting_reply():
        await _answer_owed(update, context, person, session.id)
    else:
        await _show_play(update, context, person, current)


async def _answer_owed(update: Update, context: Context, person: Person, session_id: str) -> None:
    """The client's reply to a rep turn left unanswered (a crash or a model failure)."""
    rt, chat = context.runtime, update.effective_chat
    if chat is None:
        return
    stream = rt.stream.open(context.bot, chat, draft_id=update.update_id)
    async with stream.typing():
        result = await rt.practice.resume_pending(person.id, session_id, on_delta=stream.delta)
    if result is None or result.duplicate:
        return
    await stream.finish(client_says(result))
    await _after_reply(update, context, person, result)


async def better_wording(update: Update, context: Context) -> None:
    """ "A better wording": the weakest turn rewritten."""
    person = await rep(update, context)
    rt = context.runtime
    _, session_id = keyboards.parse(update.callback_query.data if update.callback_query else None)
    _, card = await rt.practice.open(person.id, session_id)
    if card is None or card.rewording is None:
        await say(update, context, html.escape(rt.t(person.language, "tg.no_rewording")))
        return
    await say(update, context, rewording_text(card, rt.catalog, person.language, html=True))


def register(application: App) -> None:
    """Add this flow's handlers."""
    private = NEW_MESSAGES & filters.ChatType.PRIVATE  # practice is personal (see guide.py)
    application.add_handler(CommandHandler("hint", hint, filters=private))
    application.add_handler(CommandHandler("end", end, filters=private))
    application.add_handler(CommandHandler("cancel", cancel, filters=private))
    application.add_handler(
        CallbackQueryHandler(go_back, pattern=keyboards.pattern(keyboards.CONTINUE))
    )
    application.add_handler(
        CallbackQueryHandler(better_wording, pattern=keyboards.pattern(keyboards.REWORD))
    )
    application.add_handler(
        CallbackQueryHandler(quit_session, pattern=keyboards.pattern(keyboards.QUIT))
    )
    application.add_handler(MessageHandler(private & filters.TEXT & ~filters.COMMAND, message))
