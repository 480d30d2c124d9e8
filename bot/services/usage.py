"""Model spend: record every provider call, sum it, and enforce the monthly token caps.

When a cap is reached the services switch to the offline models (and say so); nothing fails.
Months are calendar months in UTC.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from bot.domain.clock import system_clock
from bot.metrics import metrics
from bot.storage.database import Database
from bot.storage.usage import UsageRepository, UsageTotals

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ModelCall:
    """One provider call (or a few, e.g. a retry) as a service saw it."""

    role: str
    model: str
    usage: dict[str, int] = field(default_factory=dict)
    ok: bool = True
    error: str | None = None
    detail: dict[str, Any] | None = None
    audio_seconds: float | None = None  # speech transcribed (stt) or spoken (tts)


UsageSink = Callable[[ModelCall], Awaitable[None]]


def month_start(now: dt.datetime) -> dt.datetime:
    """The first moment of `now`'s calendar month, UTC."""
    return now.astimezone(dt.UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def observe_call(call: ModelCall) -> None:
    """Count a model call in /metrics: latency, tokens, and the error if it failed."""
    m = metrics()
    role, model = call.role, call.model
    m.llm_seconds.labels(role, model).observe(call.usage.get("latency_ms", 0) / 1000)
    for kind in ("prompt", "completion"):
        tokens = call.usage.get(f"{kind}_tokens", 0)
        if tokens:
            m.llm_tokens.labels(role, model, kind).inc(tokens)
    if not call.ok:
        m.llm_errors.labels(role, model, (call.error or "error")[:64]).inc()


def _with_estimate(detail: dict[str, Any] | None, usage: dict[str, int]) -> dict[str, Any] | None:
    """The call's detail, marked when its tokens were estimated (the provider sent none)."""
    if not usage.get("estimated"):
        return detail
    return {**(detail or {}), "usage_estimated": True}


class UsageLedger:
    """Stores model calls and answers whether a user may still use the models this month."""

    def __init__(
        self,
        db: Database,
        user_cap: int | None = None,
        global_cap: int | None = None,
        clock: Callable[[], dt.datetime] = system_clock,
    ) -> None:
        self.db = db
        self.user_cap = user_cap
        self.global_cap = global_cap
        self._clock = clock

    async def record(
        self,
        call: ModelCall,
        user_id: int | None = None,
        session_id: str | None = None,
        team_id: int | None = None,
    ) -> None:
        """Store one call with who it was for (and count it in the process's metrics)."""
        u = call.usage
        observe_call(call)
        at = self._clock()
        async with self.db.session() as s:
            await UsageRepository(s).add_call(
                at=at,
                user_id=user_id,
                team_id=team_id,
                session_id=session_id,
                role=call.role[:16],
                model=call.model[:128],
                prompt_tokens=u.get("prompt_tokens", 0),
                completion_tokens=u.get("completion_tokens", 0),
                cached_tokens=u.get("cached_tokens", 0),
                latency_ms=u.get("latency_ms", 0),
                calls=u.get("calls", 1),
                ok=call.ok,
                error=call.error[:64] if call.error else None,
                detail=_with_estimate(call.detail, u),
                audio_seconds=call.audio_seconds,
            )

    async def totals(
        self,
        user_id: int | None = None,
        team_id: int | None = None,
        since: dt.datetime | None = None,
    ) -> UsageTotals:
        """Usage summed for a user, a team or everyone (this month unless `since` is given)."""
        start = since if since is not None else month_start(self._clock())
        async with self.db.session() as s:
            return await UsageRepository(s).totals(start, user_id, team_id)

    async def allows(self, user_id: int) -> bool:
        """Whether the user (and everyone together) is still under this month's caps."""
        if self.user_cap is not None:
            mine = await self.totals(user_id=user_id)
            if mine.tokens >= self.user_cap:
                log.info("user %s reached the monthly token cap", user_id)
                return False
        if self.global_cap is not None:
            everyone = await self.totals()
            if everyone.tokens >= self.global_cap:
                log.info("the global monthly token cap is reached")
                return False
        return True
