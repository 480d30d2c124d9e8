"""Database tables, in SQLAlchemy 2 typed style. Timestamps are timezone-aware UTC."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship

from bot.domain.clock import Clock, system_clock

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


CLOCK = "clock"
"""Where the Database puts its clock: an engine execution option and a session info key."""


def stamped(context: Any) -> dt.datetime:
    """Now by the database's clock: the default of every timestamp column.

    SQLAlchemy passes the execution context; the engine's options carry the clock that the
    composition root gave the `Database` (the system clock only for an engine built elsewhere).
    """
    options = getattr(context, "execution_options", None) or {}
    clock: Clock = options.get(CLOCK, system_clock)
    return clock()


def now_of(session: AsyncSession | Session) -> dt.datetime:
    """Now by the clock of the database this unit of work belongs to."""
    clock: Clock = session.info.get(CLOCK, system_clock)
    return clock()


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime; use timezone-aware UTC")
        return value.astimezone(dt.UTC)

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    """Declarative base with stable constraint names for migrations."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dt.datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
    }


class User(Base):
    """A rep, trainer or operator; reached through Telegram or the terminal."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    local_name: Mapped[str | None] = mapped_column(String(128), unique=True)
    display_name: Mapped[str] = mapped_column(String(256), default="")
    language: Mapped[str] = mapped_column(String(8), default="zh")
    created_at: Mapped[dt.datetime] = mapped_column(default=stamped)
    # /voice on: the client's replies are also spoken (off by default).
    voice_replies: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class PracticeSessionRow(Base):
    """One attempt at one scenario; the client's state is saved after every turn."""

    __tablename__ = "practice_sessions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    scenario_id: Mapped[str] = mapped_column(String(64), index=True)
    scenario_version: Mapped[int] = mapped_column(Integer, default=1)
    scenario: Mapped[dict[str, Any]] = mapped_column(JSON)
    language: Mapped[str] = mapped_column(String(8))
    phase: Mapped[str] = mapped_column(String(16), index=True)
    plan: Mapped[str | None] = mapped_column(Text)
    client_state: Mapped[dict[str, Any]] = mapped_column(JSON)
    client_label: Mapped[str] = mapped_column(String(128), default="offline")
    end_reason: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[dt.datetime] = mapped_column(default=stamped)
    updated_at: Mapped[dt.datetime] = mapped_column(default=stamped, onupdate=stamped)
    ended_at: Mapped[dt.datetime | None] = mapped_column()
    revision: Mapped[int] = mapped_column(Integer, default=1)
    # The team context (bot.storage.teams): which team may see it, and the task it answers.
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="SET NULL"), index=True
    )
    assignment_id: Mapped[int | None] = mapped_column(
        ForeignKey("assignments.id", ondelete="SET NULL"), index=True
    )

    turns: Mapped[list[TurnRow]] = relationship(
        back_populates="session", order_by="TurnRow.number", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": revision}  # noqa: RUF012 (SQLAlchemy reads it)


class TurnRow(Base):
    """One turn of a session, numbered from 1 over both speakers."""

    __tablename__ = "turns"
    __table_args__ = (
        UniqueConstraint("session_id", "number", name="uq_turns_session_number"),
        UniqueConstraint("session_id", "source_key", name="uq_turns_session_source_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[str] = mapped_column(
        ForeignKey("practice_sessions.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    speaker: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)
    stage: Mapped[str | None] = mapped_column(String(64))
    source_key: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[dt.datetime] = mapped_column(default=stamped)
    # A spoken turn: Telegram's file id, the audio's length and the transcript as heard (the
    # text may later gain a queued message merged into it). The audio itself is not kept.
    voice_file_id: Mapped[str | None] = mapped_column(String(256))
    voice_seconds: Mapped[float | None] = mapped_column(Float)
    voice_transcript: Mapped[str | None] = mapped_column(Text)

    session: Mapped[PracticeSessionRow] = relationship(back_populates="turns")


class ScorecardRow(Base):
    """The grade of a session (one per session; re-grading replaces it)."""

    __tablename__ = "scorecards"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[str] = mapped_column(
        ForeignKey("practice_sessions.id", ondelete="CASCADE"), unique=True
    )
    overall: Mapped[int] = mapped_column(Integer)
    passed: Mapped[bool] = mapped_column(Boolean)
    grader: Mapped[str] = mapped_column(String(128))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(default=stamped)
