"""Storage under load: many reps at once on one SQLite file lose no turn; a turn does not
validate its scenario snapshot again."""

from __future__ import annotations

import asyncio

import pytest

from bot.composition import Container, container
from bot.settings import Settings
from bot.storage import database
from bot.storage.models import PracticeSessionRow
from bot.storage.repositories import SessionRepository
from tests.conftest import SCENARIO_ID

REPS = 60
LINES = ["您好，想了解一下验收的情况。", "验收一般由谁负责呢？", "付款流程一般怎么走？"]


async def play(app: Container, n: int) -> int:
    """One rep: start, skip the plan, three messages; the number of turns stored."""
    person = await app.users.local(f"rep-{n}")
    started = await app.practice.start(person.id, SCENARIO_ID)
    await app.practice.begin(person.id, started.session.id)
    for line in LINES:
        await app.practice.reply(person.id, started.session.id, line, source_key=f"{n}:{line}")
    found = await app.practice.current(person.id)
    assert found is not None
    return len(found.session.transcript)


async def test_sixty_reps_at_once_on_sqlite_lose_no_turn(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SQLite gives up after 1 ms instead of 5 s: the same overload with far fewer reps.
    monkeypatch.setattr(database, "SQLITE_BUSY_TIMEOUT_MS", 1)
    async with container(settings) as app:
        assert app.db.is_sqlite
        results = await asyncio.gather(*(play(app, n) for n in range(REPS)), return_exceptions=True)
    failures = [r for r in results if isinstance(r, BaseException)]
    assert failures == []
    # The opening line, then each rep message and its answer.
    assert results == [1 + 2 * len(LINES)] * REPS


async def test_a_snapshot_is_validated_once_and_again_when_the_stored_one_differs(
    app: Container,
) -> None:
    person = await app.users.local("rep")
    started = await app.practice.start(person.id, SCENARIO_ID)
    sid = started.session.id
    async with app.db.session() as s:
        first = await SessionRepository(s).load(sid)
    async with app.db.session() as s:
        again = await SessionRepository(s).load(sid)
    assert first is not None and again is not None
    assert again[1] is first[1]  # the same validated object: no second validation
    async with app.db.session() as s:
        row = await s.get(PracticeSessionRow, sid)
        assert row is not None
        row.scenario = {**row.scenario, "title": "改过的标题"}
    async with app.db.session() as s:
        changed = await SessionRepository(s).load(sid)
    assert changed is not None and changed[1].title == "改过的标题"
