"""Rate limits that count what Telegram counts.

PTB's `AIORateLimiter` charges every request with a chat id against the overall 30/s budget,
so the typing action and each draft preview crowded out final replies (three calls a reply:
10 replies/s at most). Telegram's limits are about messages: here the overall budget (and the
20/min per group) paces only calls that post or change a message, a private chat gets about
one message a second with a short burst, and the typing action and drafts go straight out —
drafts are paced per chat by the stream itself, and a 429 on either only pauses that preview
(`streaming.py`) instead of holding up every request.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.error import RetryAfter
from telegram.ext import AIORateLimiter

from bot.metrics import metrics

# Previews and chat actions: not messages, never queued behind them.
UNCOUNTED = frozenset({"sendChatAction", "sendMessageDraft"})
PRIVATE_BURST, PRIVATE_PERIOD = 3, 3.0  # about one a second, three in a row allowed
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


class MessageRateLimiter(AIORateLimiter):
    """`AIORateLimiter` for messages only, plus about one message a second per private chat."""

    def __init__(self, max_retries: int = 0) -> None:
        super().__init__(max_retries=max_retries)
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
        if endpoint in UNCOUNTED:
            return await callback(*args, **kwargs)
        chat_id = data.get("chat_id")
        if isinstance(chat_id, int) and chat_id > 0:
            async with self._private_limiter(chat_id):
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
        return await super().process_request(
            callback, args, kwargs, endpoint, data, rate_limit_args
        )

    def _private_limiter(self, chat_id: int) -> AsyncLimiter:
        limiter = self._private.get(chat_id)
        if limiter is None:
            if len(self._private) >= MAX_TRACKED_CHATS:
                self._private.clear()
            limiter = self._private[chat_id] = AsyncLimiter(PRIVATE_BURST, PRIVATE_PERIOD)
        return limiter
