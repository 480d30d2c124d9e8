"""`trainer health`: is this worker fit to serve? Each check says ok or why not, in one line.

The database must answer and be migrated to the newest revision; with a token set, the Bot
API must answer `getMe` and this worker's job loop must have beaten recently (a process whose
event loop is stuck, or that never started, writes no heartbeat). Exit code 0 when all pass,
1 otherwise: what Docker's HEALTHCHECK and systemd's watchdogs expect.
"""

from __future__ import annotations

import datetime as dt
import socket
from dataclasses import dataclass

from bot.domain.clock import Clock
from bot.settings import Settings, default_database_url
from bot.storage.address import check_url
from bot.storage.database import Database, current_revision, head_revision
from bot.storage.heartbeats import last_beat

BEAT_EVERY = dt.timedelta(seconds=30)
"""How often a serving worker's job loop writes its heartbeat."""
MAX_BEAT_AGE = dt.timedelta(seconds=120)
"""A heartbeat older than this (four missed beats) means the worker is stuck or gone."""
API_TIMEOUT = 10.0


@dataclass(frozen=True)
class Check:
    """One check's verdict, with a catalog key and its values for the line shown."""

    name: str
    ok: bool
    key: str
    params: dict[str, object]


def worker_name(settings: Settings) -> str:
    """This worker's name in the heartbeat table: WORKER_NAME, else the host's name (one
    container, one worker)."""
    return settings.worker_name or socket.gethostname()


async def database(db: Database) -> Check:
    """Reachable, and at the newest migration."""
    try:
        current = await current_revision(db)
    except Exception as exc:  # noqa: BLE001 — any failure to connect is the verdict, not a crash
        return Check("database", False, "health.db_unreachable", {"error": type(exc).__name__})
    head = head_revision()
    if current != head:
        return Check(
            "database", False, "health.db_behind", {"current": current or "-", "head": head}
        )
    return Check("database", True, "health.db_ok", {"revision": current})


async def bot_api(settings: Settings) -> Check:
    """The Bot API answers `getMe` for our token."""
    from telegram import Bot
    from telegram.error import InvalidToken, TelegramError
    from telegram.request import HTTPXRequest

    assert settings.telegram_bot_token is not None
    request = HTTPXRequest(connect_timeout=API_TIMEOUT, read_timeout=API_TIMEOUT)
    bot = Bot(
        settings.telegram_bot_token.get_secret_value(),
        base_url=settings.telegram_api_base_url or "https://api.telegram.org/bot",
        request=request,
    )
    try:
        async with bot:
            me = await bot.get_me()
    except InvalidToken:
        return Check("bot_api", False, "health.api_token", {})
    except TelegramError as exc:
        return Check("bot_api", False, "health.api_down", {"error": type(exc).__name__})
    return Check("bot_api", True, "health.api_ok", {"username": me.username})


async def heartbeat(db: Database, worker: str, clock: Clock, max_age: dt.timedelta) -> Check:
    """This worker's job loop beat within `max_age`."""
    try:
        async with db.session() as s:
            row = await last_beat(s, worker)
    except Exception as exc:  # noqa: BLE001
        return Check("heartbeat", False, "health.db_unreachable", {"error": type(exc).__name__})
    if row is None:
        return Check("heartbeat", False, "health.beat_none", {"worker": worker})
    age = int((clock() - row.beat_at).total_seconds())
    params: dict[str, object] = {"worker": worker, "age": age, "mode": row.mode}
    if age > max_age.total_seconds():
        return Check("heartbeat", False, "health.beat_stale", params)
    return Check("heartbeat", True, "health.beat_ok", params)


async def run_checks(
    settings: Settings, clock: Clock, worker: str, max_age: dt.timedelta = MAX_BEAT_AGE
) -> list[Check]:
    """Every check that applies to these settings, in order."""
    check_url(settings.database_url, default_database_url())
    db = Database(settings.database_url, clock=clock)
    try:
        checks = [await database(db)]
        if settings.telegram_bot_token is not None:
            checks.append(await bot_api(settings))
            if checks[0].ok:
                checks.append(await heartbeat(db, worker, clock, max_age))
    finally:
        await db.dispose()
    return checks
