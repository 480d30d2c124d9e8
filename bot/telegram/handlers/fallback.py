"""Everything that is not part of a flow gets a polite answer: stickers, photos, voice notes,
files, dice and polls, edited messages, unknown commands and buttons from an earlier version
of the bot."""

from __future__ import annotations

import html

from telegram import Update
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from bot.domain.session import Phase
from bot.telegram.buttons import stale
from bot.telegram.runtime import NEW_MESSAGES, App, Context, rep, say

# Anything a message carries instead of text: stickers, photos, voice, files, locations, and
# the 🎲 dice, polls, stories and venues too (PTB's "effective attachment").
NOT_TEXT = filters.ATTACHMENT


async def _answer(update: Update, context: Context, key: str) -> None:
    person = await rep(update, context)
    await say(update, context, html.escape(context.runtime.t(person.language, key)))


async def not_text(update: Update, context: Context) -> None:
    """A sticker, photo, voice note, file or 🎲: only text is played (and outside a conversation
    there is no client to answer, so say what text is for)."""
    person = await rep(update, context)
    current = await context.runtime.practice.current(person.id)
    key = "fallback.not_text"
    if current is not None and current.session.phase == Phase.PLAY:
        key = "error.input_not_text"
    elif current is not None and current.session.phase in (Phase.BRIEF, Phase.PREPARE):
        key = "fallback.not_text_plan"
    await _answer(update, context, key)


async def edited(update: Update, context: Context) -> None:
    """An edited message: the original was already played, so ask for a new one."""
    await _answer(update, context, "tg.edited")


async def unknown_command(update: Update, context: Context) -> None:
    """A command the bot does not have."""
    await _answer(update, context, "tg.unknown_command")


async def stale_button(update: Update, context: Context) -> None:
    """A button whose meaning is gone (an older keyboard)."""
    await stale(update, context)


def register(application: App) -> None:
    """Add this flow's handlers (last: they catch what the flows did not). Only in private
    chats: in a team group, photos and other bots' commands are none of this bot's business."""
    private = filters.ChatType.PRIVATE
    application.add_handler(MessageHandler(private & filters.UpdateType.EDITED_MESSAGE, edited))
    application.add_handler(MessageHandler(private & NEW_MESSAGES & NOT_TEXT, not_text))
    application.add_handler(
        MessageHandler(private & NEW_MESSAGES & filters.COMMAND, unknown_command)
    )
    application.add_handler(CallbackQueryHandler(stale_button))
