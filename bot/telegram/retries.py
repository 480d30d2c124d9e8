"""Every Bot API call goes through one rate limiter; this one also retries what is transient.

PTB's `AIORateLimiter` waits out a 429 (`RetryAfter`) but gives up on the first network error
or 5xx, so a reset connection on the final send lost the client's answer. Here a call that
fails with `NetworkError` or `TimedOut` (not `BadRequest`, which is a subclass, nor `Forbidden`)
is tried again after a growing pause. A reply still not taken after the last try becomes an
owed update (see `bot.telegram.inbox`), never a generic error shown to the rep.

Previews (drafts, preview edits) and the typing action are not retried: a lost one is not worth
holding up the turn.
A retried send whose first try reached Telegram but whose answer was lost shows twice; that
cannot be told apart from a send that never arrived (the README says what stays at-least-once).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any

from telegram.error import BadRequest, NetworkError, RetryAfter

from bot.telegram.limits import UNCOUNTED, MessageRateLimiter, preview_edit

log = logging.getLogger(__name__)
NOT_RETRIED = UNCOUNTED  # the typing action and drafts


def transient(error: BaseException) -> bool:
    """A Telegram failure that may pass: network, timeout, 5xx or flood control."""
    if isinstance(error, BadRequest):
        return False
    return isinstance(error, NetworkError | RetryAfter)


@dataclass(frozen=True)
class Backoff:
    """The pauses between tries (seconds) and how to wait them (tests pass their own)."""

    pauses: Sequence[float] = (0.25, 0.5, 1.0, 2.0)
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep


class RetryingRateLimiter(MessageRateLimiter):
    """The message rate limiter that also retries network errors and 5xx with backoff."""

    def __init__(self, max_retries: int, backoff: Backoff | None = None) -> None:
        super().__init__(max_retries=max_retries)
        self.backoff = backoff or Backoff()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        """Send through the rate limiter; on a transient network failure, pause and retry."""
        skip = endpoint in NOT_RETRIED or preview_edit(endpoint)
        pauses = () if skip else tuple(self.backoff.pauses)
        for attempt in range(len(pauses) + 1):
            try:
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
            except NetworkError as exc:  # a 429 (RetryAfter) was already waited out above
                if isinstance(exc, BadRequest) or attempt == len(pauses):
                    raise
                log.info("%s failed (%s); try %d again", endpoint, exc.message, attempt + 2)
                await self.backoff.sleep(pauses[attempt])
        raise AssertionError("unreachable")  # the loop returns or raises
