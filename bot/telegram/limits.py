"""Rate limits that count what Telegram counts.

PTB's `AIORateLimiter` charges every request with a chat id against the overall 30/s budget,
so the typing action and each draft preview crowded out final replies (three calls a reply:
10 replies/s at most). Telegram's limits are about messages: here the overall budget (and the
20/min per group) paces only calls that post a message (`sendMessage`, `sendPhoto`,
`sendVoice`, … `copyMessage`, `forwardMessage`) or change one (`editMessage…`), and a private
chat gets about one message a second with a short burst. Everything else goes straight out:
the typing action and drafts (paced per chat by the stream itself; a 429 on either only pauses
that preview, `streaming.py`), callback answers, file downloads, deletions. A preview *edit*
(`previewing()`, the streamed reply where drafts are unavailable) is paced per chat but does
not spend the overall budget: the stream already spaces its edits, and a burst of previews
must not hold up other chats' final replies.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Coroutine, Iterator
from contextvars import ContextVar
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.error import RetryAfter
from telegram.ext import AIORateLimiter

from bot.metrics import metrics

# Methods that post a message or change one: the only ones Telegram's flood limits count.
POSTS = ("send", "copyMessage", "forwardMessage")  # sendMessage … sendVoice, copyMessages
EDITS = ("editMessage",)  # editMessageText, …Caption, …Media, …ReplyMarkup
# Previews and chat actions: not messages, never queued behind them.
UNCOUNTED = frozenset({"sendChatAction", "sendMessageDraft"})
_previewing: ContextVar[bool] = ContextVar("previewing", default=False)
# Each a little inside Telegram's figure: Telegram times a call when it arrives, and a few ms
# of jitter on the way cost a 429 to a limiter that runs exactly at the limit.
OVERALL_RATE, OVERALL_BURST = 30.0, 29  # 30 a second sustained, one short of 30 at once
PRIVATE_BURST, PRIVATE_PERIOD = 3, 3.15  # about one a second (0.95), three in a row allowed
ROOM_POLL = 0.02  # seconds between looks at a full chat's limiter
MAX_TRACKED_CHATS = 10_000  # private chats' limiters kept; beyond that they start afresh

Request = Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]]


def _counting_429s(callback: Request, endpoint: str) -> Request:
    """The call, counting each 429 Telegram answers it with (for /metrics)."""

    async def call(*args: Any, **kwargs: Any) -> bool | dict[str, Any] | list[dict[str, Any]]:
        try:
            return await callback(*args, **kwargs)
        except RetryAfter:
            metrics().flood_waits.labels(endpoint).inc()
            raise

    return call


async def _room(limiter: AsyncLimiter) -> None:
    """Wait until the limiter has room, without taking it."""
    # A leaky bucket has no event for "room again"; the limiter's own waiters take it.
    while not limiter.has_capacity():  # noqa: ASYNC110
        await asyncio.sleep(ROOM_POLL)


def counted(endpoint: str) -> bool:
    """Whether Telegram counts the method against its flood limits (it posts or edits)."""
    return endpoint not in UNCOUNTED and endpoint.startswith(POSTS + EDITS)


def preview_edit(endpoint: str) -> bool:
    """Whether this is a preview's edit (made inside `previewing()`)."""
    return _previewing.get() and endpoint.startswith(EDITS)


@contextlib.contextmanager
def previewing() -> Iterator[None]:
    """Calls made inside are previews: paced per chat, not charged to the overall budget."""
    token = _previewing.set(True)
    try:
        yield
    finally:
        _previewing.reset(token)


class MessageRateLimiter(AIORateLimiter):
    """`AIORateLimiter` for messages only, plus about one message a second per private chat."""

    def __init__(self, max_retries: int = 0) -> None:
        super().__init__(
            overall_max_rate=OVERALL_BURST,
            overall_time_period=OVERALL_BURST / OVERALL_RATE,
            max_retries=max_retries,
        )
        self._private: dict[int, AsyncLimiter] = {}

    async def process_request(
        self,
        callback: Request,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        """Send now if Telegram does not count it; else through the budgets."""
        callback = _counting_429s(callback, endpoint)
        if not counted(endpoint):
            return await callback(*args, **kwargs)
        chat_id = data.get("chat_id")
        private = chat_id if isinstance(chat_id, int) and chat_id > 0 else None
        if preview_edit(endpoint):
            # Per chat only, and not retried: a 429 pauses this stream's preview, nothing else.
            per_chat = self._group(chat_id) if private is None else self._private_limiter(private)
            async with per_chat:
                return await callback(*args, **kwargs)
        if private is not None:
            chat = self._private_limiter(private)
            await _room(chat)  # wait for the chat before holding a share of the overall budget
            callback = self._paced_in_chat(callback, chat)
        return await super().process_request(
            callback, args, kwargs, endpoint, data, rate_limit_args
        )

    @staticmethod
    def _paced_in_chat(callback: Request, chat: AsyncLimiter) -> Request:
        """The call, taking the chat's token only as it goes out (after the overall budget),
        so a message that waited in the overall queue does not arrive on the heels of the
        chat's next one. Taking the token first, Telegram saw the two closer together than the
        limiter had counted them, and answered 429."""

        async def call(*args: Any, **kwargs: Any) -> bool | dict[str, Any] | list[dict[str, Any]]:
            async with chat:  # room was waited for before the overall budget: no wait here
                return await callback(*args, **kwargs)

        return call

    def _group(self, chat_id: object) -> contextlib.AbstractAsyncContextManager[object]:
        """A group's 20-a-minute limiter (PTB's own), or no limit when the chat is unknown."""
        if isinstance(chat_id, int | str) and chat_id and self._group_max_rate:
            return self._get_group_limiter(chat_id)
        return contextlib.nullcontext()

    def _private_limiter(self, chat_id: int) -> AsyncLimiter:
        limiter = self._private.get(chat_id)
        if limiter is None:
            if len(self._private) >= MAX_TRACKED_CHATS:
                self._private.clear()
            limiter = self._private[chat_id] = AsyncLimiter(PRIVATE_BURST, PRIVATE_PERIOD)
        return limiter
