"""The button under a notice, so it leads somewhere: open the session a trainer commented on
or corrected, start a new or reminded task, see an assignment's summary. A group cannot start
anyone's practice, so there the button is a deep link into the private chat
(`https://t.me/<bot>?start=task_<id>`), which `/start` follows to the task."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import Catalog
from bot.services.notices import Notice
from bot.telegram import keyboards, team_keys

TASK_LINK = "task_"  # /start task_<assignment id>
_VERBS = {"session": keyboards.OPEN, "task": team_keys.TASK, "summary": team_keys.SUMMARY}


def deep_link(bot_username: str, assignment_id: int | str) -> str:
    """The link that opens the bot's private chat at a task."""
    return f"https://t.me/{bot_username}?start={TASK_LINK}{assignment_id}"


def task_from_link(payload: str) -> int | None:
    """The assignment a `/start` payload names, if it is a task link."""
    digits = payload.removeprefix(TASK_LINK)
    if not payload.startswith(TASK_LINK) or not digits.isascii() or not digits.isdigit():
        return None
    return int(digits) if len(digits) <= 18 else None


def notice_keys(
    catalog: Catalog, notice: Notice, bot_username: str | None
) -> InlineKeyboardMarkup | None:
    """The notice's button: a callback in a private chat, a deep link in a group."""
    link = notice.opens
    if link is None or link.kind not in _VERBS:
        return None
    label = catalog.t(notice.lang, f"loop.notice_button.{link.kind}")
    if notice.user_id is None:  # a group: only a link to the private chat
        if link.kind != "task" or not bot_username:
            return None
        url = deep_link(bot_username, link.target)
        text = catalog.t(notice.lang, "loop.notice_button.group")
        return InlineKeyboardMarkup([[InlineKeyboardButton(text, url=url)]])
    data = keyboards.data(_VERBS[link.kind], link.target)
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=data)]])
