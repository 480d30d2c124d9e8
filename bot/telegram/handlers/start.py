"""/start and /lang: welcome the rep and let them choose Chinese or English."""

from __future__ import annotations

import html

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.domain.lang import parse_lang
from bot.telegram import keyboards
from bot.telegram.handlers import tasks, teams
from bot.telegram.notice_keys import task_from_link
from bot.telegram.runtime import LANG, NEW_MESSAGES, App, Context, rep, say


async def start(update: Update, context: Context) -> None:
    """/start: who the bot is, what to do, and the language buttons; `/start <code>` (an invite
    link) joins the team first."""
    person = await rep(update, context)
    rt = context.runtime
    chat = update.effective_chat
    private = chat is not None and chat.type == chat.PRIVATE
    task = task_from_link(context.args[0]) if context.args and private else None
    if task is not None:  # a group's "start in the private chat" link
        await tasks.start_linked(update, context, person, task)
        return
    if context.args:
        await teams.join(update, context, person, context.args[0])
    text = rt.t(person.language, "tg.welcome", name=html.escape(person.name))
    await say(update, context, text, keyboards.languages(rt.catalog))


async def choose_language(update: Update, context: Context) -> None:
    """/lang: the language buttons."""
    person = await rep(update, context)
    rt = context.runtime
    await say(
        update, context, rt.t(person.language, "tg.lang_prompt"), keyboards.languages(rt.catalog)
    )


async def set_language(update: Update, context: Context) -> None:
    """A language button: remember the choice and confirm in that language."""
    person = await rep(update, context)
    _, arg = keyboards.parse(update.callback_query.data if update.callback_query else None)
    lang = parse_lang(arg, person.language)
    rt = context.runtime
    await rt.services.users.set_language(person.id, lang)
    if context.user_data is not None:
        context.user_data[LANG] = lang
    await say(update, context, rt.t(lang, "tg.lang_set"))


def register(application: App) -> None:
    """Add this flow's handlers."""
    application.add_handler(CommandHandler("start", start, filters=NEW_MESSAGES))
    application.add_handler(CommandHandler("lang", choose_language, filters=NEW_MESSAGES))
    application.add_handler(
        CallbackQueryHandler(set_language, pattern=keyboards.pattern(keyboards.LANG))
    )
