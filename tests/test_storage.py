"""Storage on SQLite and PostgreSQL: migrations, turns, state, scorecards, concurrency guards."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlalchemy.orm.exc import StaleDataError

from bot.domain.engine import initial_state
from bot.domain.scenario import Scenario
from bot.domain.session import Phase, PracticeSession
from bot.domain.transcript import Turn
from bot.storage.database import Database
from bot.storage.models import PracticeSessionRow
from bot.storage.registry import Base
from bot.storage.repositories import DuplicateTurn, SessionRepository, UserRepository


async def new_session(db: Database, scenario: Scenario, sid: str = "s1") -> PracticeSession:
    async with db.session() as s:
        user = await UserRepository(s).by_local_name("alice", "zh")
        practice = PracticeSession(
            sid, user.id, scenario.id, 1, "zh", client=initial_state(scenario)
        )
        await SessionRepository(s).create(practice, scenario, "offline")
    return practice


def _drift(connection: Connection) -> list[object]:
    return compare_metadata(MigrationContext.configure(connection), Base.metadata)


async def test_migrations_match_the_models_with_no_drift(db: Database) -> None:
    async with db.engine.connect() as conn:
        assert await conn.run_sync(_drift) == []
        tables = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
    assert {"users", "practice_sessions", "turns", "scorecards", "alembic_version"} <= tables


async def test_session_round_trips_with_its_scenario_snapshot(
    db: Database, scenario: Scenario
) -> None:
    practice = await new_session(db, scenario)
    async with db.session() as s:
        loaded = await SessionRepository(s).load(practice.id)
    assert loaded is not None
    assert loaded[0] == practice
    assert loaded[1] == scenario


async def test_turns_keep_order_and_a_source_key_is_stored_once(
    db: Database, scenario: Scenario
) -> None:
    practice = await new_session(db, scenario)
    async with db.session() as s:
        repo = SessionRepository(s)
        await repo.add_turn(practice.id, Turn(1, "client", "你好"))
        await repo.add_turn(practice.id, Turn(2, "rep", "您好", "gatekeeper"), "tg:1:10")
        with pytest.raises(DuplicateTurn):
            await repo.add_turn(practice.id, Turn(3, "rep", "您好"), "tg:1:10")
        with pytest.raises(DuplicateTurn):
            await repo.add_turn(practice.id, Turn(2, "rep", "again"))
    async with db.session() as s:
        loaded = await SessionRepository(s).load(practice.id)
    assert loaded is not None
    assert [(t.number, t.speaker, t.text) for t in loaded[0].transcript] == [
        (1, "client", "你好"),
        (2, "rep", "您好"),
    ]


async def test_concurrent_writer_of_the_same_session_is_refused(
    db: Database, scenario: Scenario
) -> None:
    practice = await new_session(db, scenario)
    async with db.session() as first:
        row = await first.get(PracticeSessionRow, practice.id)
        assert row is not None
        async with db.session() as second:
            other = await second.get(PracticeSessionRow, practice.id)
            assert other is not None
            other.phase = Phase.PLAY.value
        row.phase = Phase.ABANDONED.value
        with pytest.raises(StaleDataError):
            await first.flush()
        await first.rollback()


async def test_active_session_and_history(db: Database, scenario: Scenario) -> None:
    practice = await new_session(db, scenario)
    async with db.session() as s:
        repo = SessionRepository(s)
        assert await repo.active_for(practice.user_id) == practice.id
        practice.move_to(Phase.ABANDONED)
        await repo.save_state(practice)
    async with db.session() as s:
        repo = SessionRepository(s)
        assert await repo.active_for(practice.user_id) is None
        history = await repo.history(practice.user_id)
    assert [(h.id, h.phase, h.overall) for h in history] == [(practice.id, Phase.ABANDONED, None)]
    assert history[0].created_at.tzinfo is not None
    assert history[0].created_at <= dt.datetime.now(dt.UTC)
