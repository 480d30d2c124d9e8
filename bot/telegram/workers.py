"""How many `trainer run` may serve one bot: on SQLite exactly one (a lock file beside the
database refuses a second); on PostgreSQL one long poller (an advisory lock refuses a second,
as Telegram would with 409 Conflict) or any number of webhook workers behind one endpoint,
which share the inbox and take each chat's updates in turn under its advisory lock."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import IO

from sqlalchemy.engine import make_url

from bot.errors import TrainerError
from bot.settings import Settings
from bot.storage.database import Database
from bot.storage.locks import POLLER, AdvisoryLocks, key32

log = logging.getLogger(__name__)


class SecondWorker(TrainerError):
    """Another `trainer run` already serves this bot in a way that admits only one."""

    code = "error.second_worker_sqlite"
    exit_code = 2


class WorkerClaim:
    """What this worker holds while it serves: the SQLite lock file, or nothing."""

    def __init__(self, handle: IO[str] | None = None) -> None:
        self._handle = handle

    def release(self) -> None:
        """Let another worker start (also done by the OS when the process dies)."""
        if self._handle is not None:
            handle, self._handle = self._handle, None
            handle.close()


def _lock_file(path: Path) -> IO[str] | None:
    """The lock file held exclusively, or None if another process holds it."""
    handle = path.open("a+", encoding="utf-8")
    if sys.platform == "win32":  # pragma: no cover — msvcrt's lock is per byte range
        import msvcrt

        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            handle.close()
            return None
        return handle
    import fcntl

    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        return None
    handle.seek(0)
    handle.truncate()
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    return handle


def _sqlite_claim(url: str) -> WorkerClaim:
    database = make_url(url).database
    if not database or database == ":memory:":
        return WorkerClaim()
    path = Path(database).expanduser()
    path = path.with_name(path.name + ".lock")
    handle = _lock_file(path)
    if handle is None:
        raise SecondWorker(path=str(path))
    return WorkerClaim(handle)


async def claim(
    settings: Settings, db: Database, locks: AdvisoryLocks | None, bot_id: int
) -> WorkerClaim:
    """Start serving, or `SecondWorker` saying why this one may not."""
    if db.is_sqlite:
        return _sqlite_claim(db.url)
    if not settings.telegram_webhook_url:
        assert locks is not None
        if not await locks.try_take(POLLER, key32(str(bot_id))):
            raise SecondWorker("error.second_worker_polling")
    return WorkerClaim()
