"""The practice service, as every adapter uses it: whole sessions, durability, bad input."""

from __future__ import annotations

import pytest

from bot.composition import Container
from bot.domain.ports import ClientReply, ClientTurn, DeltaSink
from bot.domain.session import EndReason, Phase
from bot.errors import ActiveSessionExists, InputRejected, ProviderError, SessionNotFound
from bot.i18n import Catalog
from bot.offline.client import OfflineClient, load_phrases
from bot.offline.judge import OfflineJudge
from bot.scenarios.library import ScenarioLibrary
from bot.services.grading import GradingService
from bot.services.practice import PracticeService
from bot.services.users import UserService
from bot.storage.database import Database
from tests.conftest import SCENARIO_ID

GOOD_REP = [
    "您好，我是华信科技的小陈，关于二期项目尾款的事，想麻烦您跟王科长约个时间，谢谢。",
    "王科长您好，辛苦了。想先请教一下，这个二期项目现在是什么情况？",
    "上个月宕机的事给您添麻烦了，真是不好意思，我们这周就拿出整改方案。验收现在还差什么？",
    "那验收一般由谁负责呢？",
    "明白了，还差五家培训记录。付款流程一般怎么走？",
    "您这边压力也大，年底还有考核。最后付款需要哪位领导签字？",
    "那我们下周三前把五家培训记录补齐，请赵科长周四组织验收，您看可以吗？",
]


class FailingClient:
    """A client model whose provider is down."""

    label = "llm:down"

    async def reply(self, turn: ClientTurn, on_delta: DeltaSink | None = None) -> ClientReply:
        raise ProviderError()


async def play_to_start(app: Container, name: str = "rep") -> tuple[int, str]:
    person = await app.users.local(name)
    started = await app.practice.start(person.id, SCENARIO_ID)
    await app.practice.begin(
        person.id, started.session.id, "问清验收标准、验收人、付款流程和审批人"
    )
    return person.id, started.session.id


async def test_a_skilled_rep_uncovers_the_facts_secures_a_commitment_and_passes(
    app: Container,
) -> None:
    user, sid = await play_to_start(app)
    for line in GOOD_REP:
        result = await app.practice.reply(user, sid, line)
    assert result.ended
    assert result.session.end_reason == EndReason.COMMITMENT
    _, card = await app.practice.finish(user, sid, "zh")
    assert card.passed is True
    assert set(card.checklist.values()) == {"specific"}
    assert card.metrics["commitment"] is True


async def test_opening_the_same_scenario_again_before_a_word_is_said_reopens_it(
    app: Container,
) -> None:
    person = await app.users.local("rep")
    first = await app.practice.start(person.id, SCENARIO_ID)
    again = await app.practice.start(person.id, SCENARIO_ID)  # a double tap, or a replay
    assert again.session.id == first.session.id
    other = next(s.id for s in app.scenarios.all() if s.id != SCENARIO_ID)
    with pytest.raises(ActiveSessionExists):
        await app.practice.start(person.id, other)
    await app.practice.begin(person.id, first.session.id, "")
    await app.practice.reply(person.id, first.session.id, "您好，我是智联医信的小陈。")
    with pytest.raises(ActiveSessionExists):
        await app.practice.start(person.id, SCENARIO_ID)


async def test_one_active_session_per_rep_and_replace_abandons_the_old(app: Container) -> None:
    user, sid = await play_to_start(app)
    with pytest.raises(ActiveSessionExists):
        await app.practice.start(user, SCENARIO_ID)
    fresh = await app.practice.start(user, SCENARIO_ID, replace=True)
    old, _ = await app.practice.open(user, sid)
    assert old.session.phase == Phase.ABANDONED
    assert fresh.session.phase == Phase.BRIEF


async def test_provider_failure_keeps_the_rep_turn_and_the_next_message_merges(
    app: Container, settings
) -> None:
    user, sid = await play_to_start(app)
    broken = PracticeService(app.db, app.scenarios, FailingClient(), app.grading)
    with pytest.raises(ProviderError):
        await broken.reply(user, sid, GOOD_REP[0])
    started, _ = await app.practice.open(user, sid)
    assert started.session.transcript.turns[-1].text == GOOD_REP[0]
    assert started.session.awaiting_reply()
    result = await app.practice.reply(user, sid, "打扰了。")
    rep_turn = result.session.transcript.turns[-2]
    assert rep_turn.text == f"{GOOD_REP[0]}\n打扰了。"
    assert result.session.transcript.turns[-1].speaker == "client"
    assert len(result.session.transcript) == 3


async def test_a_restart_after_the_rep_turn_answers_it_once(app: Container) -> None:
    user, sid = await play_to_start(app)
    broken = PracticeService(app.db, app.scenarios, FailingClient(), app.grading)
    with pytest.raises(ProviderError):
        await broken.reply(user, sid, GOOD_REP[0])
    restarted = PracticeService(app.db, app.scenarios, OfflineClient(load_phrases()), app.grading)
    result = await restarted.resume_pending(user, sid)
    assert result is not None
    assert [t.speaker for t in result.session.transcript] == ["client", "rep", "client"]
    assert await restarted.resume_pending(user, sid) is None


async def test_a_duplicated_delivery_is_played_once(app: Container) -> None:
    user, sid = await play_to_start(app)
    first = await app.practice.reply(user, sid, GOOD_REP[0], source_key="tg:1:5")
    again = await app.practice.reply(user, sid, GOOD_REP[0], source_key="tg:1:5")
    assert again.duplicate is True
    assert again.reply == first.reply  # the stored answer, for an adapter that never sent it
    assert again.session.transcript == first.session.transcript
    started, _ = await app.practice.open(user, sid)
    assert len(started.session.transcript) == len(first.session.transcript) == 3


@pytest.mark.parametrize("text", ["", "   ", None, "长" * 1001, "x" * 1_000_000])
async def test_empty_or_overlong_messages_are_refused_and_nothing_is_stored(
    app: Container, text: str | None
) -> None:
    user, sid = await play_to_start(app)
    with pytest.raises(InputRejected):
        await app.practice.reply(user, sid, text)
    started, _ = await app.practice.open(user, sid)
    assert len(started.session.transcript) == 1


async def test_grading_twice_returns_the_same_card(app: Container) -> None:
    user, sid = await play_to_start(app)
    await app.practice.reply(user, sid, GOOD_REP[0])
    _, first = await app.practice.finish(user, sid, "zh")
    _, second = await app.practice.finish(user, sid, "zh")
    assert first == second


async def test_hint_names_what_the_gatekeeper_needs(app: Container, catalog: Catalog) -> None:
    user, sid = await play_to_start(app)
    hint = await app.practice.hint(user, sid)
    assert hint.code == "hint.stage_needs"
    assert hint.params == {"needs": "introduce,purpose,courtesy"}


async def test_another_rep_cannot_open_or_play_my_session(app: Container) -> None:
    _, sid = await play_to_start(app, "alice")
    bob = await app.users.local("bob")
    with pytest.raises(SessionNotFound):
        await app.practice.open(bob.id, sid)
    with pytest.raises(SessionNotFound):
        await app.practice.reply(bob.id, sid, "hello")


async def test_history_and_progress_show_graded_sessions(app: Container) -> None:
    user, sid = await play_to_start(app)
    await app.practice.reply(user, sid, GOOD_REP[0])
    _, card = await app.practice.finish(user, sid, "zh")
    history = await app.practice.history(user)
    progress = await app.practice.progress(user)
    assert [(h.id, h.overall, h.phase) for h in history] == [(sid, card.overall, Phase.GRADED)]
    assert [p.overall for p in progress] == [card.overall]
    assert set(progress[0].scores) == set(card.dimensions)


async def test_whole_session_works_on_postgres_too(
    db: Database, library: ScenarioLibrary, catalog: Catalog
) -> None:
    judge = OfflineJudge(catalog)
    practice = PracticeService(db, library, OfflineClient(load_phrases()), GradingService(judge))
    person = await UserService(db, "zh").local("pg-rep")
    started = await practice.start(person.id, SCENARIO_ID)
    await practice.begin(person.id, started.session.id)
    for line in GOOD_REP:
        result = await practice.reply(person.id, started.session.id, line)
    assert result.session.end_reason == EndReason.COMMITMENT
    _, card = await practice.finish(person.id, started.session.id, "en")
    assert card.passed is True


async def test_an_overlong_plan_is_refused_not_cut(app: Container) -> None:
    person = await app.users.local("planner")
    started = await app.practice.start(person.id, SCENARIO_ID)
    with pytest.raises(InputRejected) as info:
        await app.practice.begin(person.id, started.session.id, "计" * 2001)
    assert info.value.params == {"length": 2001, "limit": 2000}
    current = await app.practice.current(person.id)
    assert current is not None and current.session.phase == Phase.BRIEF
