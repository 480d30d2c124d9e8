"""Usage accounting: every model call is stored with who it was for, sums per user and team,
and a spent cap switches to the offline models with a note instead of failing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.composition import Container, container
from bot.errors import ProviderError
from bot.services.practice import PlayContext
from bot.services.usage import ModelCall, UsageLedger, month_start
from bot.storage.database import Database
from bot.storage.team_repository import TeamRepository
from bot.storage.usage import UsageRepository
from tests.support.fake_openai import FakeOpenAI, Reply
from tests.support.llm import begin_session, client_reply, llm_settings, verdict

HELLO = "您好，我是华信科技的小陈，想找王科长谈一下二期项目，麻烦您了。"


async def test_every_call_of_a_session_is_recorded_and_summed_per_user(
    llm_app: Container, fake: FakeOpenAI
) -> None:
    user, session = await begin_session(llm_app)
    fake.script(
        Reply(
            client_reply("您找哪位？"), prompt_tokens=1000, completion_tokens=40, cached_tokens=0
        ),
        Reply("先介绍自己和来意。", prompt_tokens=300, completion_tokens=20),
        Reply(client_reply("他在开会。"), prompt_tokens=100, completion_tokens=10, cached_tokens=0),
        Reply(verdict(2.0), prompt_tokens=2000, completion_tokens=500, cached_tokens=1200),
        Reply("王科长您好，请问验收现在到哪一步了？", prompt_tokens=400, completion_tokens=30),
    )
    await llm_app.practice.reply(user, session, "您好，请问王科长在吗？")  # a closed question
    hint = await llm_app.practice.hint(user, session)
    # A second line: the opening line to the office has nothing to reword yet.
    await llm_app.practice.reply(user, session, "那我等他。")
    _, card = await llm_app.practice.finish(user, session, "zh")
    assert hint.text == "先介绍自己和来意。"
    assert card.grader == "llm:fake-judge"
    assert llm_app.usage is not None
    async with llm_app.db.session() as s:
        rows = await UsageRepository(s).for_session(session)
    assert [(r.role, r.model, r.user_id, r.ok) for r in rows] == [
        ("client", "llm:fake-client", user, True),
        ("coach", "llm:fake-coach", user, True),
        ("client", "llm:fake-client", user, True),
        ("judge", "llm:fake-judge", user, True),
        ("coach", "llm:fake-coach", user, True),
    ]
    totals = await llm_app.usage.totals(user_id=user)
    assert (totals.calls, totals.prompt_tokens, totals.completion_tokens) == (5, 3800, 600)
    assert totals.cached_tokens == 1200
    assert rows[0].latency_ms >= 0
    assert card.rewording is not None
    assert card.rewording.suggestion == "王科长您好，请问验收现在到哪一步了？"


async def test_a_failed_call_is_recorded_as_an_error(llm_app: Container, fake: FakeOpenAI) -> None:
    user, session = await begin_session(llm_app)
    fake.script(Reply(fault="server_error"), Reply(fault="server_error"))
    with pytest.raises(ProviderError) as caught:
        await llm_app.practice.reply(user, session, HELLO)
    assert caught.value.code == "llm.error.unavailable"
    assert llm_app.usage is not None
    totals = await llm_app.usage.totals(user_id=user)
    assert totals.errors == 1


async def test_the_model_calls_of_a_team_session_count_towards_its_team(
    llm_app: Container, fake: FakeOpenAI
) -> None:
    person = await llm_app.users.local("rep")
    async with llm_app.db.session() as s:
        team = await TeamRepository(s).create_team("华东一组", "Asia/Shanghai", person.id)
    scenario = llm_app.scenarios.get("district-health-tail-payment")
    started = await llm_app.practice.start(
        person.id, scenario.id, context=PlayContext(scenario, team.id)
    )
    await llm_app.practice.begin(person.id, started.session.id)
    fake.script(Reply(client_reply("您找哪位？"), prompt_tokens=100, completion_tokens=10))
    await llm_app.practice.reply(person.id, started.session.id, HELLO)
    assert llm_app.usage is not None
    totals = await llm_app.usage.totals(team_id=team.id)
    assert (totals.calls, totals.tokens) == (1, 110)


async def test_usage_sums_per_team_and_per_month(db: Database) -> None:
    now = dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)
    ledger = UsageLedger(db, clock=lambda: now)
    call = ModelCall("client", "llm:m", {"prompt_tokens": 10, "completion_tokens": 5, "calls": 1})
    await ledger.record(call, user_id=None, team_id=7)
    await ledger.record(call, user_id=None, team_id=7)
    await ledger.record(call, user_id=None, team_id=8)
    last_month = UsageLedger(db, clock=lambda: dt.datetime(2026, 10, 31, 23, tzinfo=dt.UTC))
    await last_month.record(call, user_id=None, team_id=7)
    team = await ledger.totals(team_id=7)
    assert (team.calls, team.tokens) == (2, 30)
    everyone = await ledger.totals(since=month_start(now) - dt.timedelta(days=40))
    assert everyone.tokens == 60


async def test_a_user_over_the_monthly_cap_plays_on_offline_with_a_note(
    tmp_path: Path, fake: FakeOpenAI
) -> None:
    settings = llm_settings(tmp_path, fake, llm_user_monthly_token_cap=1000)
    async with container(settings) as app:
        user, session = await begin_session(app)
        fake.script(Reply(client_reply("您找哪位？"), prompt_tokens=990, completion_tokens=20))
        first = await app.practice.reply(user, session, HELLO)
        assert first.notice is None
        second = await app.practice.reply(user, session, "我是华信科技的，找王科长谈二期项目。")
        assert second.notice == "llm.budget_offline"
        assert second.reply
        hint = await app.practice.hint(user, session)
        _, card = await app.practice.finish(user, session, "zh")
        assert len(fake.requests) == 1
        assert hint.text is None
        assert card.grader == "offline"
        assert "上限" in app.catalog.t("zh", "llm.budget_offline")


async def test_the_global_cap_stops_everyone(tmp_path: Path, fake: FakeOpenAI) -> None:
    settings = llm_settings(tmp_path, fake, llm_monthly_token_cap=100)
    async with container(settings) as app:
        first_user, first_session = await begin_session(app, "a")
        fake.script(Reply(client_reply("您找哪位？"), prompt_tokens=90, completion_tokens=20))
        await app.practice.reply(first_user, first_session, HELLO)
        other, session = await begin_session(app, "b")
        result = await app.practice.reply(other, session, HELLO)
        assert result.notice == "llm.budget_offline"
        assert len(fake.requests) == 1
