"""/history (recent sessions, each a button naming what it opens; abandoned ones on request; a
past session's card with the trainer's comments and corrections, its transcript and how it
compares with the previous attempt) and /me (progress per dimension over time)."""

from __future__ import annotations

import asyncio
import html

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot import charts
from bot.domain.lang import Lang
from bot.domain.periods import local_text
from bot.domain.scenario import Dimension
from bot.services.practice_types import ProgressPoint
from bot.services.users import Person
from bot.storage.repositories import SessionSummary
from bot.telegram import history_text, keyboards
from bot.telegram.render import edit_html
from bot.telegram.runtime import NEW_MESSAGES, App, Context, chat_id, rep, say
from bot.telegram.scorecard_view import dimension_labels, send_scorecard
from bot.telegram.staff import texts

HISTORY_SIZE = 10
PASS_MARK = 60  # a scenario no longer in the library: the usual pass mark
LOOK_BACK = 30  # sessions read to fill the list once abandoned ones are left out


def _title(context: Context, lang: Lang, item: SessionSummary) -> str:
    """The scenario's title in the rep's language while it is still in the library."""
    found = context.runtime.services.scenarios.find(item.scenario_id)
    return found.title_in(lang) if found else item.title


def _zone(context: Context) -> str:
    return context.runtime.services.settings.team_time_zone


async def _listing(
    update: Update, context: Context, person: Person, everything: bool
) -> tuple[str, InlineKeyboardMarkup] | None:
    rt, lang, zone = context.runtime, person.language, _zone(context)
    found = await rt.practice.history(person.id, limit=LOOK_BACK)
    if not found:
        return None
    items = history_text.shown(found, everything)[:HISTORY_SIZE]
    hidden = len(found) - len(history_text.shown(found, False)) if not everything else 0
    text = history_text.listing(
        texts(context, person), items, lambda i: _title(context, lang, i), zone, hidden
    )
    labels = [(i.id, _title(context, lang, i), local_text(i.created_at, zone)[5:10]) for i in items]
    return text, keyboards.history(rt.catalog, lang, labels, hidden)


async def history(update: Update, context: Context) -> None:
    """/history: the latest sessions with their scores, each one a button away."""
    person = await rep(update, context)
    found = await _listing(update, context, person, everything=False)
    if found is None:
        await say(update, context, texts(context, person)("tg.history_empty"))
        return
    text, keys = found
    await say(update, context, text, keys)


async def everything(update: Update, context: Context) -> None:
    """ "Show abandoned sessions": the same list, in the same message, with them listed."""
    person = await rep(update, context)
    found = await _listing(update, context, person, everything=True)
    query = update.callback_query
    if found is None or query is None or query.message is None:
        return
    await edit_html(context.bot, chat_id(update), query.message.message_id, *found)


def _session_id(update: Update) -> str:
    return keyboards.parse(update.callback_query.data if update.callback_query else None)[1]


async def open_session(update: Update, context: Context) -> None:
    """A history or notice button: the card (with the trainer's corrections and comments) of a
    graded session, or where an ungraded one stands."""
    person = await rep(update, context)
    rt, lang = context.runtime, person.language
    found = await rt.training.review.mine(person.id, _session_id(update))
    said = history_text.comments(texts(context, person), found.comments, _zone(context))
    if found.card is not None:
        await send_scorecard(update, context, person, found.started, found.card, said, past=True)
        return
    session = found.started.session
    text = rt.t(
        lang,
        "tg.session_view",
        title=found.started.scenario.title_in(lang),
        phase=rt.t(lang, f"tg.phase.{session.phase.value}"),
        turns=len(session.transcript.rep_turns()),
    )
    markup = keyboards.active_choice(rt.catalog, lang, session.id, None) if session.active else None
    await say(update, context, "\n\n".join(p for p in (html.escape(text), said) if p), markup)


async def transcript(update: Update, context: Context) -> None:
    """ "Transcript": the whole conversation of a past session."""
    person = await rep(update, context)
    found = await context.runtime.training.review.mine(person.id, _session_id(update))
    await say(
        update, context, history_text.transcript(texts(context, person), found.started, person.name)
    )


async def compare(update: Update, context: Context) -> None:
    """ "Compare with last time": each dimension up or down against the previous attempt."""
    person = await rep(update, context)
    found = await context.runtime.training.review.compare(person.id, _session_id(update))
    await say(
        update, context, history_text.comparison(texts(context, person), found, _zone(context))
    )


async def me(update: Update, context: Context) -> None:
    """/me: a short summary, then the scores over time (dated, with the pass line)."""
    person = await rep(update, context)
    rt, lang = context.runtime, person.language
    points = await rt.practice.progress(person.id)
    if not points:
        await say(update, context, html.escape(rt.t(lang, "tg.me_empty")))
        return
    labels = dimension_labels(context, person)
    await say(
        update, context, history_text.progress_summary(texts(context, person), points, labels)
    )
    png = await asyncio.to_thread(_chart, context, lang, points, labels)
    best = max(p.overall for p in points)
    caption = rt.t(lang, "tg.me_caption", count=len(points), last=points[-1].overall, best=best)
    await context.bot.send_photo(chat_id(update), png, caption=caption)


def _chart(
    context: Context, lang: Lang, points: list[ProgressPoint], labels: dict[Dimension, str]
) -> bytes:
    """The progress chart: dated sessions, each scenario's pass line, 1–5 dimension axes."""
    rt = context.runtime
    return charts.progress(
        points,
        labels,
        rt.t(lang, "tg.me_overall"),
        rt.t(lang, "loop.me_axis"),
        rt.t(lang, "tg.me_title"),
        [local_text(p.at, _zone(context))[5:10] for p in points],
        [_pass_mark(context, p.scenario_id) for p in points],
        rt.t(lang, "loop.pass_line"),
    )


def _pass_mark(context: Context, scenario_id: str) -> int:
    found = context.runtime.services.scenarios.find(scenario_id)
    return found.pass_mark if found else PASS_MARK


def register(application: App) -> None:
    """Add this flow's handlers."""
    private = NEW_MESSAGES & filters.ChatType.PRIVATE  # scores are personal (see guide.py)
    application.add_handler(CommandHandler("history", history, filters=private))
    application.add_handler(CommandHandler("me", me, filters=private))
    for verb, handler in (
        (keyboards.OPEN, open_session),
        (keyboards.HISTORY_ALL, everything),
        (keyboards.TRANSCRIPT, transcript),
        (keyboards.COMPARE, compare),
    ):
        application.add_handler(CallbackQueryHandler(handler, pattern=keyboards.pattern(verb)))
