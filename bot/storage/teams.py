"""Tables of the training side: teams, members, invites, assignments, reminders, reviews,
score overrides and team-private scenario versions.

Audit rule: comments, overrides, sent reminders and scenario versions are only ever appended.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.domain.periods import DEFAULT_TIME_ZONE
from bot.storage.models import Base, stamped


class Team(Base):
    """A trainer's team; its data is visible to its members only."""

    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    time_zone: Mapped[str] = mapped_column(String(64), default=DEFAULT_TIME_ZONE)
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    """The Telegram group linked for weekly boards and new assignments."""
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=stamped)


class TrainerGrant(Base):
    """A user an operator made a trainer (allowed to create teams)."""

    __tablename__ = "trainer_grants"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    granted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=stamped)


class Invite(Base):
    """An invite code behind a `t.me/<bot>?start=<code>` link."""

    __tablename__ = "team_invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16), default="rep")
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=stamped)
    expires_at: Mapped[dt.datetime | None] = mapped_column()
    revoked_at: Mapped[dt.datetime | None] = mapped_column()
    uses: Mapped[int] = mapped_column(Integer, default=0)


class Membership(Base):
    """A user in a team, as its trainer or as a rep."""

    __tablename__ = "team_members"
    __table_args__ = (UniqueConstraint("team_id", "user_id", name="uq_team_members_team_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    invite_id: Mapped[int | None] = mapped_column(
        ForeignKey("team_invites.id", ondelete="SET NULL")
    )
    joined_at: Mapped[dt.datetime] = mapped_column(default=stamped)


class TeamScenario(Base):
    """One version of a team-private scenario: the uploaded YAML and what it parsed to."""

    __tablename__ = "team_scenarios"
    __table_args__ = (
        UniqueConstraint("team_id", "scenario_id", "version", name="uq_team_scenarios_version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    scenario_id: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    yaml_text: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column()
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=stamped)


class AssignmentRow(Base):
    """A scenario a trainer assigned to the team or to one member, with its terms."""

    __tablename__ = "assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    """One member, or None for the whole team's reps."""
    scenario_id: Mapped[str] = mapped_column(String(64))
    scenario_version: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(8))
    """`shipped` (the bundled library) or `team` (a team-private version)."""
    due_at: Mapped[dt.datetime] = mapped_column()
    time_zone: Mapped[str] = mapped_column(String(64))
    pass_mark: Mapped[int] = mapped_column(Integer)
    min_attempts: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=stamped)
    request_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    """The adapter's id for the request (e.g. a Telegram flow's nonce): a replay finds it."""


class ReminderSent(Base):
    """A reminder that went out (or was skipped because the rep had passed): never twice."""

    __tablename__ = "reminders_sent"
    __table_args__ = (
        UniqueConstraint("assignment_id", "user_id", "kind", name="uq_reminders_sent_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str] = mapped_column(String(16))
    sent_at: Mapped[dt.datetime] = mapped_column(default=stamped)


class Comment(Base):
    """A trainer's comment on a session; the rep is notified."""

    __tablename__ = "session_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[str] = mapped_column(
        ForeignKey("practice_sessions.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=stamped)
    request_key: Mapped[str | None] = mapped_column(String(64), unique=True)


class ScoreOverride(Base):
    """One correction of a dimension score, with the reason: the audit trail."""

    __tablename__ = "score_overrides"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[str] = mapped_column(
        ForeignKey("practice_sessions.id", ondelete="CASCADE"), index=True
    )
    dimension: Mapped[str] = mapped_column(String(16))
    score: Mapped[float] = mapped_column(Float)
    previous: Mapped[float] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=stamped)
    request_key: Mapped[str | None] = mapped_column(String(64), unique=True)
