"""Model usage: one row per provider call (tokens, latency, outcome), summable per user and team."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Boolean, Float, Index, Integer, String, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base, stamped


class ModelCallRow(Base):
    """One call to a language model on behalf of a user (or of the system when no user)."""

    __tablename__ = "model_calls"
    __table_args__ = (Index("ix_model_calls_user_at", "user_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=stamped, index=True)
    # No foreign keys: spend history outlives deleted users, sessions and teams.
    user_id: Mapped[int | None] = mapped_column(Integer)
    team_id: Mapped[int | None] = mapped_column(Integer, index=True)
    session_id: Mapped[str | None] = mapped_column(String(32), index=True)
    role: Mapped[str] = mapped_column(String(16))
    model: Mapped[str] = mapped_column(String(128))
    prompt_tokens: Mapped[int] = mapped_column(Integer, default=0)
    completion_tokens: Mapped[int] = mapped_column(Integer, default=0)
    cached_tokens: Mapped[int] = mapped_column(Integer, default=0)
    latency_ms: Mapped[int] = mapped_column(Integer, default=0)
    calls: Mapped[int] = mapped_column(Integer, default=1)
    ok: Mapped[bool] = mapped_column(Boolean, default=True)
    error: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict[str, Any] | None] = mapped_column()
    audio_seconds: Mapped[float | None] = mapped_column(Float)  # speech transcribed or spoken


@dataclass(frozen=True)
class UsageTotals:
    """Summed usage over some rows."""

    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0
    errors: int = 0

    @property
    def tokens(self) -> int:
        """Prompt plus completion tokens (what providers bill)."""
        return self.prompt_tokens + self.completion_tokens


class UsageRepository:
    """Writes and sums model calls."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, row: ModelCallRow) -> None:
        """Store one call."""
        self.session.add(row)
        await self.session.flush()

    async def add_call(
        self,
        *,
        at: dt.datetime,
        user_id: int | None,
        team_id: int | None,
        session_id: str | None,
        role: str,
        model: str,
        prompt_tokens: int,
        completion_tokens: int,
        cached_tokens: int,
        latency_ms: int,
        calls: int,
        ok: bool,
        error: str | None,
        detail: dict[str, Any] | None,
        audio_seconds: float | None,
    ) -> None:
        """Store one call from its fields (for callers that never see the row)."""
        await self.add(
            ModelCallRow(
                at=at,
                user_id=user_id,
                team_id=team_id,
                session_id=session_id,
                role=role,
                model=model,
                prompt_tokens=prompt_tokens,
                completion_tokens=completion_tokens,
                cached_tokens=cached_tokens,
                latency_ms=latency_ms,
                calls=calls,
                ok=ok,
                error=error,
                detail=detail,
                audio_seconds=audio_seconds,
            )
        )

    async def totals(
        self,
        since: dt.datetime | None = None,
        user_id: int | None = None,
        team_id: int | None = None,
    ) -> UsageTotals:
        """Usage since a moment, for one user, one team, or everyone."""
        query = select(
            func.coalesce(func.sum(ModelCallRow.calls), 0),
            func.coalesce(func.sum(ModelCallRow.prompt_tokens), 0),
            func.coalesce(func.sum(ModelCallRow.completion_tokens), 0),
            func.coalesce(func.sum(ModelCallRow.cached_tokens), 0),
            func.count(ModelCallRow.id).filter(ModelCallRow.ok.is_(False)),
        )
        if since is not None:
            query = query.where(ModelCallRow.at >= since)
        if user_id is not None:
            query = query.where(ModelCallRow.user_id == user_id)
        if team_id is not None:
            query = query.where(ModelCallRow.team_id == team_id)
        row = (await self.session.execute(query)).one()
        return UsageTotals(*(int(v) for v in row))

    async def for_session(self, session_id: str) -> list[ModelCallRow]:
        """Every call made for one practice session, oldest first."""
        query = (
            select(ModelCallRow)
            .where(ModelCallRow.session_id == session_id)
            .order_by(ModelCallRow.id)
        )
        return list((await self.session.scalars(query)).all())
