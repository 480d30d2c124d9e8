"""Each serving worker's last sign of life: its job loop writes a row every half minute, and
`trainer health` reads it (a process whose event loop is stuck writes nothing)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Integer, String, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base, now_of


class HeartbeatRow(Base):
    """One worker (WORKER_NAME) and when its job loop last ran."""

    __tablename__ = "worker_heartbeats"

    worker: Mapped[str] = mapped_column(String(120), primary_key=True)
    mode: Mapped[str] = mapped_column(String(16))  # polling or webhook
    pid: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[dt.datetime] = mapped_column()
    beat_at: Mapped[dt.datetime] = mapped_column(index=True)


async def beat(s: AsyncSession, worker: str, mode: str, pid: int, started: dt.datetime) -> None:
    """Record that `worker` is alive now."""
    row = await s.get(HeartbeatRow, worker)
    now = now_of(s)
    if row is None:
        s.add(HeartbeatRow(worker=worker, mode=mode, pid=pid, started_at=started, beat_at=now))
        return
    row.mode, row.pid, row.started_at, row.beat_at = mode, pid, started, now


async def last_beat(s: AsyncSession, worker: str | None) -> HeartbeatRow | None:
    """The worker's last beat (the newest of any worker when `worker` is None)."""
    query = select(HeartbeatRow).order_by(HeartbeatRow.beat_at.desc()).limit(1)
    if worker is not None:
        query = query.where(HeartbeatRow.worker == worker)
    return (await s.scalars(query)).first()
