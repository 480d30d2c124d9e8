"""The database handle: async engine, one session per unit of work, migrations at start.

SQLite allows one writer at a time, and a transaction that read first and writes later can
find the lock taken (or its snapshot stale) and fail with "database is locked" once the busy
timeout runs out. So on SQLite the units of work of this process take turns (an asyncio lock,
first come first served, that no other chat's await can hold up for long: a unit of work
never awaits anything but the database), and SQLite's own busy timeout only matters against
another process. WAL with synchronous=NORMAL: a commit is not fsync'd (a power cut may lose
the last commits, never corrupt the file).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from typing import TYPE_CHECKING, Any

from sqlalchemy import event, inspect, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from bot.domain.clock import Clock, system_clock

# Every table module, so foreign keys across modules resolve whoever uses the database.
from bot.storage import registry as _registry  # noqa: F401
from bot.storage.locks import MIGRATIONS
from bot.storage.models import CLOCK
from bot.storage.unit import Unit

if TYPE_CHECKING:
    from alembic.config import Config

_REVISION = re.compile(r'^(down_)?revision: [^=]+= "?([\w]+|None)"?\s*$', re.MULTILINE)


def alembic_config(url: str) -> Config:
    """An Alembic configuration pointing at the bundled migrations."""
    from alembic.config import Config  # Alembic (~10 MiB) only when the schema must change

    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("bot.storage") / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


SQLITE_BUSY_TIMEOUT_MS = 5000  # how long SQLite waits for another process's write lock


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_MS)}")
    cursor.close()


class Database:
    """Owns the engine; hands out sessions; runs migrations."""

    def __init__(
        self,
        url: str,
        echo: bool = False,
        schema: str | None = None,
        clock: Clock = system_clock,
    ) -> None:
        self.url = url
        self.clock = clock
        """Every timestamp this database writes comes from here (settable, for tests)."""
        # No directory is created here: a SQLite path into a missing folder is a mistake that
        # bot.storage.address reports (the composition root creates only the default folder).
        self.is_sqlite = make_url(url).get_backend_name() == "sqlite"
        connect_args: dict[str, Any] = {}
        if schema and not self.is_sqlite:
            # A private PostgreSQL schema (tests run side by side in one database).
            connect_args["server_settings"] = {"search_path": schema}
        # A file needs no liveness check before each use; a server connection may have died.
        self.engine: AsyncEngine = create_async_engine(
            url,
            echo=echo,
            pool_pre_ping=not self.is_sqlite,
            connect_args=connect_args,
            execution_options={CLOCK: self.now},
        )
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        self._sessions = async_sessionmaker(
            self.engine, expire_on_commit=False, info={CLOCK: self.now}
        )
        self._turn = asyncio.Lock()  # SQLite: one unit of work at a time
        self._holder: asyncio.Task[Any] | None = None

    def now(self) -> dt.datetime:
        """Now by this database's clock."""
        return self.clock()

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """One unit of work: commits on success, rolls back on error."""
        task = asyncio.current_task()
        if not self.is_sqlite or (task is not None and self._holder is task):
            # PostgreSQL locks rows itself; a unit of work nested in this task's own goes on.
            async with self._sessions() as session, session.begin():
                yield session
            return
        async with self._turn:
            self._holder = task
            try:
                async with self._sessions() as session, session.begin():
                    yield session
            finally:
                self._holder = None

    @asynccontextmanager
    async def unit(self) -> AsyncIterator[Unit]:
        """One unit of work as repositories (see `bot.storage.unit`)."""
        async with self.session() as session:
            yield Unit.over(session)

    async def migrate(self) -> None:
        """Bring the schema to the newest migration (Alembic is not even loaded when the
        database is there already)."""
        async with self.engine.connect() as conn:
            current = await conn.run_sync(_current_revision)
        if current is not None and current == head_revision():
            return
        from alembic import command

        cfg = alembic_config(self.url)

        def upgrade(connection: Connection) -> None:
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, "head")

        async with self.engine.begin() as conn:
            if not self.is_sqlite:
                # Several workers starting at once: one migrates, the others wait for it and
                # then find the schema at head (the lock ends with this transaction).
                await conn.execute(
                    text("SELECT pg_advisory_xact_lock(:space, 0)"), {"space": MIGRATIONS}
                )
                if await conn.run_sync(_current_revision) == head_revision():
                    return
            await conn.run_sync(upgrade)

    async def dispose(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()


def head_revision() -> str | None:
    """The newest bundled migration, read from the files (None unless there is one head)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in (resources.files("bot.storage") / "migrations" / "versions").iterdir():
        if not script.name.endswith(".py"):
            continue
        for down, value in _REVISION.findall(script.read_text("utf-8")):
            (parents if down else revisions).add(value)
    heads = revisions - parents
    return next(iter(heads)) if len(heads) == 1 else None


async def current_revision(db: Database) -> str | None:
    """The revision the database is at (None before the first migration)."""
    async with db.engine.connect() as conn:
        return await conn.run_sync(_current_revision)


def _current_revision(connection: Connection) -> str | None:
    if not inspect(connection).has_table("alembic_version"):
        return None
    rows = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    return str(rows[0]) if len(rows) == 1 else None


def run_migrations(url: str) -> None:
    """Synchronous entry point (used by `trainer db upgrade`)."""

    async def main() -> None:
        db = Database(url)
        try:
            await db.migrate()
        finally:
            await db.dispose()

    asyncio.run(main())
