"""The Telegram inbox: every update is written down before it is handled and marked done after.

It does three jobs. A duplicated delivery of an update (Telegram re-sending after a timeout,
two pollers) is recognised and handled once. An update that was fetched but not finished when
the process died — long polling has already confirmed it to Telegram, so it will never come
again — is still on disk and is handled after the restart. And once Telegram has accepted the
reply a message was owed, its message id is kept under the message's `source` key, so a replay
of that message (after a kill, or under a new update id) finds it and does not send it again.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, String, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base, now_of, stamped


class TelegramUpdateRow(Base):
    """One update received by one bot; `done_at` is set once it has been handled."""

    __tablename__ = "telegram_updates"

    bot_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    payload: Mapped[dict[str, Any]]
    received_at: Mapped[dt.datetime] = mapped_column(default=stamped)
    done_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    source: Mapped[str | None] = mapped_column(String(80), index=True)  # e.g. tg:<chat>:<message>
    reply_message_id: Mapped[int | None] = mapped_column(BigInteger)  # the reply Telegram accepted


class Receipt(StrEnum):
    """What the inbox knew about an update when it arrived."""

    NEW = "new"  # first time seen: handle it
    PENDING = "pending"  # seen before but never finished (the process died): handle it
    DONE = "done"  # already handled: a duplicate, skip it


class UpdateInbox:
    """Reads and writes the inbox inside the caller's unit of work."""

    def __init__(self, session: AsyncSession, bot_id: int) -> None:
        self.s = session
        self.bot_id = bot_id

    async def receive(
        self, update_id: int, chat_id: int | None, payload: dict[str, Any]
    ) -> Receipt:
        """Record an update (once); say whether it still has to be handled."""
        try:
            async with self.s.begin_nested():
                self.s.add(
                    TelegramUpdateRow(
                        bot_id=self.bot_id, update_id=update_id, chat_id=chat_id, payload=payload
                    )
                )
        except IntegrityError:
            done = await self.s.scalar(
                select(TelegramUpdateRow.done_at).where(
                    TelegramUpdateRow.bot_id == self.bot_id,
                    TelegramUpdateRow.update_id == update_id,
                )
            )
            return Receipt.DONE if done is not None else Receipt.PENDING
        return Receipt.NEW

    async def mark_done(self, update_id: int) -> None:
        """The update has been handled (successfully or with a reply about the failure)."""
        await self.s.execute(
            update(TelegramUpdateRow)
            .where(
                TelegramUpdateRow.bot_id == self.bot_id, TelegramUpdateRow.update_id == update_id
            )
            .values(done_at=now_of(self.s))
        )

    async def record_reply(self, update_id: int, source: str, message_id: int) -> None:
        """Telegram accepted the reply owed to the message `source` as `message_id`."""
        await self.s.execute(
            update(TelegramUpdateRow)
            .where(
                TelegramUpdateRow.bot_id == self.bot_id, TelegramUpdateRow.update_id == update_id
            )
            .values(source=source, reply_message_id=message_id)
        )

    async def reply_to(self, source: str) -> int | None:
        """The message id of the reply already delivered for `source`, if any."""
        found = await self.s.scalar(
            select(TelegramUpdateRow.reply_message_id)
            .where(
                TelegramUpdateRow.bot_id == self.bot_id,
                TelegramUpdateRow.source == source,
                TelegramUpdateRow.reply_message_id.is_not(None),
            )
            .limit(1)
        )
        return int(found) if found is not None else None

    async def unfinished(self) -> list[dict[str, Any]]:
        """Payloads of updates received but never finished, oldest first."""
        rows = await self.s.scalars(
            select(TelegramUpdateRow.payload)
            .where(TelegramUpdateRow.bot_id == self.bot_id, TelegramUpdateRow.done_at.is_(None))
            .order_by(TelegramUpdateRow.update_id)
        )
        return list(rows)

    async def prune(self, before: dt.datetime) -> int:
        """Forget handled updates older than `before`; returns how many were removed."""
        result = await self.s.execute(
            delete(TelegramUpdateRow).where(
                TelegramUpdateRow.bot_id == self.bot_id, TelegramUpdateRow.done_at < before
            )
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def is_done(self, update_id: int) -> bool:
        """Whether the update has been handled (by any worker)."""
        done = await self.s.scalar(
            select(TelegramUpdateRow.done_at).where(
                TelegramUpdateRow.bot_id == self.bot_id, TelegramUpdateRow.update_id == update_id
            )
        )
        return done is not None

    async def unfinished_before(self, chat_id: int, update_id: int) -> list[dict[str, Any]]:
        """Payloads of this chat's earlier updates not finished yet (another worker's, or one
        a killed worker left), oldest first."""
        rows = await self.s.scalars(
            select(TelegramUpdateRow.payload)
            .where(
                TelegramUpdateRow.bot_id == self.bot_id,
                TelegramUpdateRow.chat_id == chat_id,
                TelegramUpdateRow.update_id < update_id,
                TelegramUpdateRow.done_at.is_(None),
            )
            .order_by(TelegramUpdateRow.update_id)
        )
        return list(rows)

    async def stale(self, before: dt.datetime, limit: int = 200) -> list[dict[str, Any]]:
        """Payloads of updates received before `before` and still not finished, oldest first."""
        rows = await self.s.scalars(
            select(TelegramUpdateRow.payload)
            .where(
                TelegramUpdateRow.bot_id == self.bot_id,
                TelegramUpdateRow.done_at.is_(None),
                TelegramUpdateRow.received_at < before,
            )
            .order_by(TelegramUpdateRow.update_id)
            .limit(limit)
        )
        return list(rows)
