"""How a pressed button is answered: in a group only the buttons meant for a group act (the
private-chat rule of commands holds for buttons too); a button whose session or draft is over
says so in the callback answer and does nothing else; every other press stops its spinner
once its flow has handled it."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import ApplicationHandlerStop, CallbackQueryHandler

from bot.domain.lang import parse_lang
from bot.telegram import keyboards, team_keys
from bot.telegram.runtime import LANG, App, Context

log = logging.getLogger("bot.telegram")

GROUP_VERBS = frozenset({team_keys.LINK})  # the only buttons that act inside a group
FIRST, LAST = -2, 1  # handler groups: before every flow, after every flow


async def answer(update: Update, context: Context, key: str | None = None) -> None:
    """Answer the button once: with a catalog text (shown as a toast), or silently."""
    query = update.callback_query
    if query is None or query.id in context.bot_data.answered:
        return
    context.bot_data.answered.add(query.id)
    text = None
    rt = context.bot_data.runtime
    if key is not None and rt is not None:
        remembered = (context.user_data or {}).get(LANG)
        code = str(remembered) if remembered else query.from_user.language_code
        text = rt.t(parse_lang(code, rt.services.settings.default_language), key)
    try:
        await query.answer(text, show_alert=bool(text))
    except BadRequest as exc:
        # A button pressed long ago (or replayed after a restart) can no longer be answered.
        log.info("callback query not answered: %s", exc.message)


async def stale(update: Update, context: Context) -> None:
    """The button's session or draft is over: say so on the button, send nothing."""
    await answer(update, context, "loop.stale")


async def private_rule(update: Update, context: Context) -> None:
    """A personal or team-internal button pressed in a group: refuse it there."""
    query = update.callback_query
    chat = query.message.chat if query is not None and query.message is not None else None
    if query is None or chat is None or chat.type == chat.PRIVATE:
        return
    if keyboards.parse(query.data)[0] in GROUP_VERBS:
        return
    await answer(update, context, "loop.button_private")
    context.bot_data.answered.discard(query.id)
    raise ApplicationHandlerStop


async def acknowledge(update: Update, context: Context) -> None:
    """Stop the button's spinner once its flow is done (unless it was answered with a text)."""
    await answer(update, context)
    query = update.callback_query
    if query is not None:
        context.bot_data.answered.discard(query.id)


def register(application: App) -> None:
    """Add the rule before every flow and the acknowledgement after them."""
    application.add_handler(CallbackQueryHandler(private_rule), group=FIRST)
    application.add_handler(CallbackQueryHandler(acknowledge), group=LAST)
