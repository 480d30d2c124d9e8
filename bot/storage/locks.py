"""PostgreSQL advisory locks shared by the workers of one bot: one per chat (its updates are
handled by one worker at a time, in order), one for the long poller, one for migrations.

The chat and poller locks are session locks held on one dedicated connection per worker, so a
worker killed with SIGKILL loses its connection and PostgreSQL releases every lock it held at
once: another worker takes the chat over. Waiting is done with `pg_try_advisory_lock` and short
pauses, never a blocking `pg_advisory_lock`, so one connection serves every chat of the worker.
(Two chats whose keys collide only take turns; nothing is held while waiting.)
"""

from __future__ import annotations

import asyncio
import logging
import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger(__name__)

CHATS, POLLER, MIGRATIONS = 72_701, 72_702, 72_703  # the lock spaces (advisory class ids)
WAIT_STEP = 0.02  # seconds between tries while another worker holds a chat


def key32(value: str) -> int:
    """A text as a signed 32-bit advisory lock key."""
    crc = zlib.crc32(value.encode())
    return crc - (1 << 32) if crc >= 1 << 31 else crc


class AdvisoryLocks:
    """A worker's advisory locks, on one connection of its own (AUTOCOMMIT: no transaction is
    left open between statements)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._conn: AsyncConnection | None = None
        self._use = asyncio.Lock()  # one statement at a time on the shared connection

    async def _execute(self, sql: str, space: int, key: int) -> bool:
        async with self._use:
            if self._conn is None:
                conn = await self.engine.connect()
                self._conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            try:
                result = await self._conn.execute(text(sql), {"space": space, "key": key})
            except Exception:
                # The connection is gone, and with it every lock it held: start afresh.
                conn, self._conn = self._conn, None
                await conn.invalidate()
                raise
            return bool(result.scalar())

    async def try_take(self, space: int, key: int) -> bool:
        """Take the lock if it is free (True), else False at once."""
        return await self._execute("SELECT pg_try_advisory_lock(:space, :key)", space, key)

    async def release(self, space: int, key: int) -> None:
        """Give a lock back."""
        if not await self._execute("SELECT pg_advisory_unlock(:space, :key)", space, key):
            log.warning("advisory lock %s/%s was not held", space, key)

    @asynccontextmanager
    async def held(self, space: int, key: int) -> AsyncIterator[None]:
        """Wait for the lock, hold it inside, give it back after."""
        # Polled: the holder is another process, so no event of ours could say it is free.
        while not await self.try_take(space, key):  # noqa: ASYNC110
            await asyncio.sleep(WAIT_STEP)
        try:
            yield
        finally:
            try:
                await self.release(space, key)
            except Exception:  # noqa: BLE001 — a lost connection released it already
                log.warning("could not release advisory lock %s/%s", space, key)

    async def close(self) -> None:
        """Close the connection (every lock still held is released with it)."""
        async with self._use:
            if self._conn is not None:
                conn, self._conn = self._conn, None
                await conn.close()
