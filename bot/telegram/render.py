"""Sending long Telegram HTML: split at paragraph boundaries under 4,096 characters, never
truncated, markup kept balanced, and plain text when Telegram rejects the markup."""

from __future__ import annotations

import html
import logging
import re
from html.parser import HTMLParser

from telegram import InlineKeyboardMarkup, InputMediaPhoto, MaybeInaccessibleMessage, Message
from telegram.constants import MessageLimit, ParseMode
from telegram.error import BadRequest
from telegram.ext import ExtBot

log = logging.getLogger(__name__)

LIMIT = int(MessageLimit.MAX_TEXT_LENGTH)
_TOKEN = re.compile(r"<[^>]*>|&#?\w+;|.", re.DOTALL)
_OPEN = re.compile(r"<([a-zA-Z][\w-]*)[^>]*>")
_CLOSE = re.compile(r"</([a-zA-Z][\w-]*)\s*>")


def size(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units); markup is counted too, to be safe."""
    return len(text.encode("utf-16-le")) // 2


def _split_line(line: str, limit: int) -> list[str]:
    """A single over-long line cut between characters, closing and reopening open tags."""
    parts: list[str] = []
    opened: list[tuple[str, str]] = []  # (name, the tag as written)
    current = ""
    for token in _TOKEN.findall(line):
        closing = "".join(f"</{name}>" for name, _ in reversed(opened))
        if current and size(current) + size(token) + size(closing) > limit:
            parts.append(current + closing)
            current = "".join(tag for _, tag in opened)
        current += token
        if match := _CLOSE.fullmatch(token):
            if opened and opened[-1][0] == match.group(1):
                opened.pop()
        elif match := _OPEN.fullmatch(token):
            opened.append((match.group(1), token))
    if current:
        parts.append(current)
    return parts


def _pack(pieces: list[str], sep: str, limit: int) -> list[str]:
    """Join pieces greedily with `sep` into chunks of at most `limit`."""
    chunks: list[str] = []
    current: str | None = None
    for piece in pieces:
        candidate = piece if current is None else current + sep + piece
        if size(candidate) <= limit:
            current = candidate
            continue
        if current is not None:
            chunks.append(current)
        current = piece
    if current is not None:
        chunks.append(current)
    return chunks


def split_html(text: str, limit: int = LIMIT) -> list[str]:
    """Chunks of at most `limit`: whole paragraphs where possible, then whole lines, then a
    character cut as the last resort. Nothing is dropped."""
    chunks: list[str] = []
    for block in _pack(text.split("\n\n"), "\n\n", limit):
        if size(block) <= limit:
            chunks.append(block)
            continue
        for lines in _pack(block.split("\n"), "\n", limit):
            chunks += [lines] if size(lines) <= limit else _split_line(lines, limit)
    return [c for c in chunks if c.strip()] or [text]


class _Visible(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain_text(markup: str) -> str:
    """What an HTML message says, without its tags."""
    parser = _Visible()
    parser.feed(markup)
    parser.close()
    return html.unescape("".join(parser.parts))


def _unparsable(exc: BadRequest) -> bool:
    return "can't parse entities" in exc.message.lower()


def not_modified(exc: BadRequest) -> bool:
    """Telegram's answer to an edit that changes nothing (harmless)."""
    return "message is not modified" in exc.message.lower()


async def send_part(
    bot: ExtBot[None], chat_id: int, text: str, markup: InlineKeyboardMarkup | None = None
) -> Message:
    """One message of at most 4,096 characters, as HTML, or as plain text if it is refused."""
    try:
        return await bot.send_message(chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup)
    except BadRequest as exc:
        if not _unparsable(exc):
            raise
        log.warning("HTML refused, sending plain text instead: %s", exc.message)
        return await bot.send_message(chat_id, plain_text(text), reply_markup=markup)


async def send_html(
    bot: ExtBot[None], chat_id: int, text: str, markup: InlineKeyboardMarkup | None = None
) -> Message:
    """A whole HTML text in as many messages as it needs; buttons go under the last one."""
    parts = split_html(text)
    message: Message | None = None
    for i, part in enumerate(parts):
        message = await send_part(bot, chat_id, part, markup if i == len(parts) - 1 else None)
    assert message is not None  # split_html never returns an empty list
    return message


async def edit_html(
    bot: ExtBot[None],
    chat_id: int,
    message_id: int,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
) -> None:
    """Replace a message's text with HTML (continuing in new messages past the limit)."""
    parts = split_html(text)
    first, rest = parts[0], parts[1:]
    await _edit_first(bot, chat_id, message_id, first, None if rest else markup)
    for i, part in enumerate(rest):
        await send_part(bot, chat_id, part, markup if i == len(rest) - 1 else None)


async def _edit_first(
    bot: ExtBot[None],
    chat_id: int,
    message_id: int,
    first: str,
    markup: InlineKeyboardMarkup | None,
) -> None:
    """Edit the message into the text's first part: as plain text if Telegram cannot parse
    the HTML; an edit that changes nothing is fine."""
    try:
        await bot.edit_message_text(
            first, chat_id, message_id, parse_mode=ParseMode.HTML, reply_markup=markup
        )
    except BadRequest as exc:
        if not _unparsable(exc):
            if not not_modified(exc):
                raise
            return
        log.warning("HTML refused in an edit, using plain text: %s", exc.message)
        try:
            await bot.edit_message_text(plain_text(first), chat_id, message_id, reply_markup=markup)
        except BadRequest as again:
            if not not_modified(again):
                raise


async def photo_in_place(
    bot: ExtBot[None],
    chat_id: int,
    pressed: MaybeInaccessibleMessage | None,
    png: bytes,
    caption: str,
    markup: InlineKeyboardMarkup | None = None,
) -> Message:
    """A photo with an HTML caption: the image and caption of the `pressed` photo message
    replaced in place (one message per screen), or a new photo when there is none to edit."""
    if isinstance(pressed, Message) and pressed.photo:
        media = InputMediaPhoto(png, caption=caption, parse_mode=ParseMode.HTML)
        try:
            edited = await bot.edit_message_media(
                media, chat_id, pressed.message_id, reply_markup=markup
            )
            return edited if isinstance(edited, Message) else pressed
        except BadRequest as exc:
            if not_modified(exc):
                return pressed
            log.info("photo not edited, sending a new one: %s", exc.message)
    return await bot.send_photo(
        chat_id, png, caption=caption, parse_mode=ParseMode.HTML, reply_markup=markup
    )
