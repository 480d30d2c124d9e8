"""Messages the bot sends on its own initiative (notices, reminders, group boards): a user who
blocked the bot or a group that removed it is logged and skipped, never an error."""

from __future__ import annotations

import html
import logging
from collections.abc import Awaitable, Iterable

from telegram import InputFile
from telegram.error import Forbidden, TelegramError
from telegram.ext import ExtBot

from bot.i18n import Catalog
from bot.services.notices import Notice
from bot.telegram.notice_keys import notice_keys
from bot.telegram.render import send_html

log = logging.getLogger("bot.telegram")


async def _safely(chat_id: int, what: str, sending: Awaitable[object]) -> bool:
    try:
        await sending
    except Forbidden as exc:
        log.info("%s not delivered to chat %s (blocked or removed): %s", what, chat_id, exc.message)
        return False
    except TelegramError as exc:
        log.warning("%s not delivered to chat %s: %s", what, chat_id, exc.message)
        return False
    return True


async def deliver(bot: ExtBot[None], catalog: Catalog, notices: Iterable[Notice]) -> int:
    """Send each notice in its recipient's language; how many went out."""
    sent = 0
    for notice in notices:
        text = html.escape(notice.render(catalog))
        keys = notice_keys(catalog, notice, bot.username)
        sent += await _safely(
            notice.chat_id, notice.key, send_html(bot, notice.chat_id, text, keys)
        )
    return sent


async def post(bot: ExtBot[None], chat_id: int, html_text: str, chart: bytes | None) -> bool:
    """A text (HTML) and, if given, a chart image to one chat; False if it could not be sent."""
    if not await _safely(chat_id, "post", send_html(bot, chat_id, html_text)):
        return False
    if chart is None:
        return True
    photo = InputFile(chart, filename="board.png")
    return await _safely(chat_id, "chart", bot.send_photo(chat_id, photo))
