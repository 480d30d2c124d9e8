"""The database handle: async engine, one session per unit of work, migrations at start."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event
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
from bot.storage.models import CLOCK


def alembic_config(url: str) -> Config:
    """An Alembic configuration pointing at the bundled migrations."""
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("bot.storage") / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
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
        self.engine: AsyncEngine = create_async_engine(
            url,
            echo=echo,
            pool_pre_ping=True,
            connect_args=connect_args,
            execution_options={CLOCK: self.now},
        )
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        self._sessions = async_sessionmaker(
            self.engine, expire_on_commit=False, info={CLOCK: self.now}
        )

    def now(self) -> dt.datetime:
        """Now by this database's clock."""
        return self.clock()

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """One unit of work: commits on success, rolls back on error."""
        async with self._sessions() as session, session.begin():
            yield session

    async def migrate(self) -> None:
        """Bring the schema to the newest migration."""
        cfg = alembic_config(self.url)

        def upgrade(connection: Connection) -> None:
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, "head")

        async with self.engine.begin() as conn:
            await conn.run_sync(upgrade)

    async def dispose(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()


def run_migrations(url: str) -> None:
    """Synchronous entry point (used by `trainer db upgrade`)."""

    async def main() -> None:
        db = Database(url)
        try:
            await db.migrate()
        finally:
            await db.dispose()

    asyncio.run(main())
