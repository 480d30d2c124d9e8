"""Half-finished conversations with the bot (a trainer's assignment being set up, a comment
or a score's reason being typed): kept here, not in process memory, so a restart mid-flow
loses nothing. One draft per Telegram user; a new one replaces the old.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, String, delete
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base, now_of, stamped


class ChatDraft(Base):
    """A user's flow in progress: its kind, a nonce its buttons carry, and what is known so far."""

    __tablename__ = "chat_drafts"

    telegram_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(16))
    nonce: Mapped[str] = mapped_column(String(16))
    data: Mapped[dict[str, Any]]
    updated_at: Mapped[dt.datetime] = mapped_column(default=stamped)


class DraftRepository:
    """Reads and writes drafts inside the caller's unit of work."""

    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def get(self, telegram_id: int) -> ChatDraft | None:
        """The user's draft, if any."""
        return await self.s.get(ChatDraft, telegram_id)

    async def put(self, telegram_id: int, kind: str, nonce: str, data: dict[str, Any]) -> None:
        """Store the user's draft (replacing any other)."""
        row = await self.get(telegram_id)
        if row is None:
            self.s.add(ChatDraft(telegram_id=telegram_id, kind=kind, nonce=nonce, data=data))
        else:
            row.kind, row.nonce, row.data, row.updated_at = kind, nonce, dict(data), now_of(self.s)
        await self.s.flush()

    async def clear(self, telegram_id: int) -> None:
        """Forget the user's draft."""
        await self.s.execute(delete(ChatDraft).where(ChatDraft.telegram_id == telegram_id))
