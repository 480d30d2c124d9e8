"""The client's reply as it is generated: a native draft in private chats, a message edited in
place elsewhere, and the typing action while the rep waits.

Both paths throttle themselves (Telegram allows about one message a second per chat and PTB's
rate limiter does not cover private chats) and never wait for the throttle: a piece that comes
too soon is simply shown with the next one, and the final text always goes out in full. A
`RetryAfter` while streaming only pauses the preview; it is never shown to the rep.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

from telegram import Chat, InlineKeyboardMarkup, Message
from telegram.constants import ChatAction
from telegram.error import BadRequest, RetryAfter, TelegramError
from telegram.ext import ExtBot

from bot.telegram.limits import previewing
from bot.telegram.render import LIMIT, edit_html, not_modified, send_html

log = logging.getLogger(__name__)
TYPING_EVERY = 4.5  # seconds; Telegram shows the typing action for about five
TYPING_AFTER = 1.0  # seconds; a reply whose first words come sooner needs no typing action


def retry_seconds(exc: RetryAfter) -> float:
    """How long Telegram asked us to wait (PTB gives int seconds or a timedelta)."""
    value: object = exc.retry_after
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    return float(value) if isinstance(value, int | float) else 1.0


@dataclass
class StreamPolicy:
    """How often a preview may change, and the chats where drafts turned out unavailable."""

    draft_interval: float = 0.5
    edit_interval: float = 1.5
    group_edit_interval: float = 3.0  # PTB's limiter allows 20 messages a minute per group
    clock: Callable[[], float] = time.monotonic
    typing_after: float = TYPING_AFTER
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep  # the typing action's waits
    no_drafts: set[int] = field(default_factory=set)

    def open(self, bot: ExtBot[None], chat: Chat, draft_id: int) -> ReplyStream:
        """A stream for one reply in one chat."""
        drafts = chat.type == Chat.PRIVATE and chat.id not in self.no_drafts
        interval = (
            self.draft_interval
            if drafts
            else (self.edit_interval if chat.type == Chat.PRIVATE else self.group_edit_interval)
        )
        return ReplyStream(self, bot, chat.id, draft_id or 1, drafts, interval)


class ReplyStream:
    """Shows a reply piece by piece, then sends it for good."""

    def __init__(
        self,
        policy: StreamPolicy,
        bot: ExtBot[None],
        chat_id: int,
        draft_id: int,
        drafts: bool,
        interval: float,
    ) -> None:
        self.policy, self.bot, self.chat_id, self.draft_id = policy, bot, chat_id, draft_id
        self.drafts = drafts
        self.interval = interval
        self.text = ""
        self.message: Message | None = None
        self.shown = False  # a preview is on screen, so "typing…" is no longer needed
        self._next_at = float("-inf")

    async def delta(self, piece: str) -> None:
        """A new piece of the reply (the `DeltaSink` the practice service calls)."""
        self.text += piece
        now = self.policy.clock()
        if now < self._next_at or not self.text.strip():
            return
        self._next_at = now + self.interval
        preview = self.text[:LIMIT]
        try:
            await self._show(preview)
            self.shown = True
            # A call that waited in the rate limiter means the bot is busy: back off as long.
            took = self.policy.clock() - now
            self._next_at = now + took + max(self.interval, took)
        except RetryAfter as exc:
            self._next_at = now + retry_seconds(exc)
        except BadRequest as exc:
            self._refused(exc)
        except TelegramError as exc:
            # A lost preview is not worth failing the turn; the final text still goes out.
            log.warning("preview not shown: %s", exc)

    def _refused(self, exc: BadRequest) -> None:
        """A preview Telegram refused: drafts unavailable here (edit a message instead from
        now on), or an edit that changed nothing (fine), or one worth a warning."""
        if self.drafts:
            # Not a private chat after all, or a Bot API server without drafts.
            log.info("drafts unavailable in chat %s: %s", self.chat_id, exc.message)
            self.policy.no_drafts.add(self.chat_id)
            self.drafts = False
            self.interval = self.policy.edit_interval
            self._next_at = float("-inf")
        elif not not_modified(exc):
            log.warning("preview edit refused: %s", exc.message)

    async def _show(self, preview: str) -> None:
        if self.drafts:
            await self.bot.send_message_draft(self.chat_id, self.draft_id, preview)
        elif self.message is None:
            self.message = await self.bot.send_message(self.chat_id, preview)
        else:
            with previewing():  # paced here, per chat; not charged to the overall budget
                await self.bot.edit_message_text(preview, self.chat_id, self.message.message_id)

    def typing(self) -> contextlib.AbstractAsyncContextManager[None]:
        """ "typing…" while the reply is worked on, once it takes over `typing_after` seconds
        and until a preview shows."""
        policy = self.policy
        return typing(self.bot, self.chat_id, lambda: self.shown, policy.typing_after, policy.sleep)

    async def finish(self, html: str, markup: InlineKeyboardMarkup | None = None) -> Message | None:
        """Send the whole reply, formatted: a new message after drafts, an edit otherwise."""
        if self.message is None:
            return await send_html(self.bot, self.chat_id, html, markup)
        await edit_html(self.bot, self.chat_id, self.message.message_id, html, markup)
        return self.message


@contextlib.asynccontextmanager
async def typing(
    bot: ExtBot[None],
    chat_id: int,
    until: Callable[[], bool] = lambda: False,
    after: float = TYPING_AFTER,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> AsyncIterator[None]:
    """Show "typing…" once the rep has waited `after` seconds, and keep it up until the block
    ends or `until()` holds (a preview is showing). A reply that starts sooner costs no call,
    and none is awaited before the work in the block begins."""

    async def keep_up() -> None:
        await sleep(after)
        while not until():
            await _typing(bot, chat_id)
            await sleep(TYPING_EVERY)

    task = asyncio.create_task(keep_up())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _typing(bot: ExtBot[None], chat_id: int) -> None:
    try:
        await bot.send_chat_action(chat_id, ChatAction.TYPING)
    except TelegramError as exc:
        log.info("typing action not shown: %s", exc)
