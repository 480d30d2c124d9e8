"""The inbox table: written once per update, duplicates recognised, leftovers listed, pruned;
and its migration matches the model on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from bot.storage.database import Database
from bot.storage.models import now_of
from bot.storage.registry import Base
from bot.storage.telegram import Receipt, UpdateInbox

BOT = 42


async def test_update_is_new_then_pending_then_done(db: Database) -> None:
    async with db.session() as s:
        assert await UpdateInbox(s, BOT).receive(7, 1001, {"update_id": 7}) is Receipt.NEW
    async with db.session() as s:
        assert await UpdateInbox(s, BOT).receive(7, 1001, {"update_id": 7}) is Receipt.PENDING
        await UpdateInbox(s, BOT).mark_done(7)
    async with db.session() as s:
        assert await UpdateInbox(s, BOT).receive(7, 1001, {"update_id": 7}) is Receipt.DONE


async def test_unfinished_updates_come_back_oldest_first_per_bot(db: Database) -> None:
    async with db.session() as s:
        inbox = UpdateInbox(s, BOT)
        for update_id in (9, 8, 10):
            await inbox.receive(update_id, 1001, {"update_id": update_id})
        await inbox.mark_done(10)
        await UpdateInbox(s, BOT + 1).receive(8, 1001, {"update_id": 8, "other": True})
    async with db.session() as s:
        assert await UpdateInbox(s, BOT).unfinished() == [{"update_id": 8}, {"update_id": 9}]


async def test_prune_forgets_only_old_handled_updates(db: Database) -> None:
    async with db.session() as s:
        inbox = UpdateInbox(s, BOT)
        await inbox.receive(1, 1001, {"update_id": 1})
        await inbox.receive(2, 1001, {"update_id": 2})
        await inbox.mark_done(1)
    async with db.session() as s:
        removed = await UpdateInbox(s, BOT).prune(now_of(s) + dt.timedelta(seconds=1))
    assert removed == 1
    async with db.session() as s:
        assert await UpdateInbox(s, BOT).unfinished() == [{"update_id": 2}]


async def test_migration_creates_the_inbox_exactly_as_the_model_declares(db: Database) -> None:
    def drift(connection: object) -> list[object]:
        context = MigrationContext.configure(connection)  # type: ignore[arg-type]
        diffs = compare_metadata(context, Base.metadata)
        return [d for d in diffs if "telegram_updates" in repr(d)]

    def tables(connection: object) -> list[str]:
        return inspect(connection).get_table_names()  # type: ignore[arg-type]

    async with db.engine.connect() as conn:
        assert "telegram_updates" in await conn.run_sync(tables)
        assert await conn.run_sync(drift) == []
