"""Weekly boards posted to teams' group chats: one row per team and week, so a restart (or a
second worker) never posts the same week twice."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, ForeignKey, UniqueConstraint
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base, stamped


class BoardPost(Base):
    """A team's weekly board, posted (or being posted) to its group chat."""

    __tablename__ = "team_board_posts"
    __table_args__ = (UniqueConstraint("team_id", "week", name="uq_team_board_posts_week"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    week: Mapped[dt.date] = mapped_column()
    """The Monday the week starts on, in the team's time zone."""
    chat_id: Mapped[int] = mapped_column(BigInteger)
    posted_at: Mapped[dt.datetime] = mapped_column(default=stamped)


async def claim_board(s: AsyncSession, team_id: int, week: dt.date, chat_id: int) -> bool:
    """Record a team's board for a week as posted; False if it already was."""
    try:
        async with s.begin_nested():
            s.add(BoardPost(team_id=team_id, week=week, chat_id=chat_id))
    except IntegrityError:
        return False
    return True
