"""/history (recent sessions, open any of them) and /me (progress per dimension over time)."""

from __future__ import annotations

import html

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot import charts
from bot.domain.lang import Lang
from bot.domain.periods import local_text
from bot.storage.repositories import SessionSummary
from bot.telegram import keyboards
from bot.telegram.report import dimension_labels, send_scorecard
from bot.telegram.runtime import NEW_MESSAGES, App, Context, chat_id, rep, runtime, say

HISTORY_SIZE = 10


def _title(context: Context, lang: Lang, item: SessionSummary) -> str:
    """The scenario's title in the rep's language while it is still in the library."""
    found = runtime(context).services.scenarios.find(item.scenario_id)
    return found.title_in(lang) if found else item.title


def _status(context: Context, lang: Lang, item: SessionSummary) -> str:
    rt = runtime(context)
    if item.overall is None:
        return rt.t(lang, f"tg.phase.{item.phase.value}")
    verdict = rt.t(lang, "tg.passed" if item.passed else "tg.failed")
    return rt.t(lang, "tg.history_score", score=item.overall, verdict=verdict)


async def history(update: Update, context: Context) -> None:
    """/history: the latest sessions with their scores, each one a button away."""
    person = await rep(update, context)
    rt, lang = runtime(context), person.language
    items = await rt.practice.history(person.id, limit=HISTORY_SIZE)
    if not items:
        await say(update, context, html.escape(rt.t(lang, "tg.history_empty")))
        return
    lines = [rt.t(lang, "tg.history_title")]
    lines += [
        rt.t(
            lang,
            "tg.history_line",
            n=n,
            # In the product's time zone: a session at 07:00 in Beijing is not "yesterday".
            date=local_text(item.created_at, rt.services.settings.team_time_zone),
            title=_title(context, lang, item),
            status=_status(context, lang, item),
        )
        for n, item in enumerate(items, start=1)
    ]
    await say(
        update, context, html.escape("\n".join(lines)), keyboards.history(rt.catalog, lang, items)
    )


async def open_session(update: Update, context: Context) -> None:
    """A history button: the scorecard of a graded session, or where an ungraded one stands."""
    person = await rep(update, context)
    rt, lang = runtime(context), person.language
    _, session_id = keyboards.parse(update.callback_query.data if update.callback_query else None)
    started, card = await rt.practice.open(person.id, session_id)
    if card is not None:
        await send_scorecard(update, context, person, started, card)
        return
    session = started.session
    text = rt.t(
        lang,
        "tg.session_view",
        title=started.scenario.title_in(lang),
        phase=rt.t(lang, f"tg.phase.{session.phase.value}"),
        turns=len(session.transcript),
    )
    markup = None
    if session.active:
        markup = keyboards.active_choice(rt.catalog, lang, session.id, wanted=None)
    await say(update, context, html.escape(text), markup)


async def me(update: Update, context: Context) -> None:
    """/me: the rep's scores over time, one panel per dimension plus the overall."""
    person = await rep(update, context)
    rt, lang = runtime(context), person.language
    points = await rt.practice.progress(person.id)
    if not points:
        await say(update, context, html.escape(rt.t(lang, "tg.me_empty")))
        return
    png = await charts.draw(
        charts.progress,
        points,
        dimension_labels(context, person),
        rt.t(lang, "tg.me_overall"),
        rt.t(lang, "tg.me_axis"),
        rt.t(lang, "tg.me_title"),
    )
    caption = rt.t(
        lang,
        "tg.me_caption",
        count=len(points),
        last=points[-1].overall,
        best=max(p.overall for p in points),
    )
    await context.bot.send_photo(chat_id(update), png, caption=caption)


def register(application: App) -> None:
    """Add this flow's handlers."""
    private = NEW_MESSAGES & filters.ChatType.PRIVATE  # scores are personal (see guide.py)
    application.add_handler(CommandHandler("history", history, filters=private))
    application.add_handler(CommandHandler("me", me, filters=private))
    application.add_handler(
        CallbackQueryHandler(open_session, pattern=keyboards.pattern(keyboards.OPEN))
    )
