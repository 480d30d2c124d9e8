"""A client who answers the turn it was given: objections follow what the rep did, facts stay
with the persona who knows them, gates read meaning, time can be felt, dates follow the session."""

from __future__ import annotations

import dataclasses
import datetime as dt

from bot.composition import Container
from bot.domain.cues import analyze
from bot.domain.dates import as_of, shift_text
from bot.domain.engine import TurnPlan, apply, initial_state, plan_turn
from bot.domain.ports import ClientTurn
from bot.domain.scenario import Scenario
from bot.domain.session import ClientState
from bot.domain.transcript import Transcript
from bot.offline.client import OfflineClient, load_phrases
from bot.scenarios.library import ScenarioLibrary
from bot.settings import ROOT

LIBRARY = ScenarioLibrary.from_directory(ROOT / "scenarios")
CITY = LIBRARY.get("city-urban-mgmt-platform")
HEALTH = LIBRARY.get("district-health-tail-payment")


def step(
    s: Scenario, state: ClientState, text: str, heard: str = ""
) -> tuple[TurnPlan, ClientState]:
    plan = plan_turn(s, state, analyze(text, heard, s.language), text, heard)
    return plan, apply(s, state, plan, text)


def with_mood(s: Scenario, stage: int, **changes: object) -> ClientState:
    base = dataclasses.replace(initial_state(s), stage=stage, mood=2, patience=5)
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def say(s: Scenario, state: ClientState, text: str) -> str:
    plan, after = step(s, state, text)
    transcript = Transcript().add("client", s.stages[0].opening).add("rep", text)
    return OfflineClient(load_phrases()).compose(ClientTurn(s, state, after, plan, transcript, "t"))


def test_an_admission_before_the_payment_ask_preempts_the_objection() -> None:
    state = with_mood(CITY, 2)
    plan, after = step(
        CITY, state, "先干后签这件事是我们做得不到位，我向您道歉。尾款这块您看怎么安排？"
    )
    assert plan.objection is None and plan.preempted == "cart-before-horse"
    assert "cart-before-horse" in after.objections_settled


def test_a_date_proposal_that_ignores_the_objection_does_not_settle_it() -> None:
    for last in (None, "outage"):  # later, or right after it: still not about the outage
        raised = with_mood(HEALTH, 1, objections_raised=("outage",), last_objection=last)
        plan, _ = step(HEALTH, raised, "那我们下周三把验收材料交给王科长签字，您看可以吗？")
        assert plan.settled is None


def test_an_apology_right_after_the_objection_settles_it_and_it_never_returns() -> None:
    raised = with_mood(HEALTH, 1, objections_raised=("outage",), last_objection="outage")
    plan, after = step(HEALTH, raised, "宕机的事是我们的责任，给您添麻烦了，对不起。")
    assert plan.settled == "outage"
    again, _ = step(HEALTH, after, "那尾款的付款流程是怎么走的？")
    assert again.objection != "outage"


def test_the_clients_own_words_played_back_are_not_a_rule_cited_at_them() -> None:
    heard = "补充协议那 46 万，只能列进明年的预算，最快明年 3 月。"
    state = with_mood(CITY, 2, objections_raised=("cart-before-horse",))
    state = dataclasses.replace(state, objections_settled=("cart-before-horse",))
    plan, _ = step(CITY, state, "您刚才说补充协议只能列进明年的预算，我们接受。", heard)
    assert plan.objection != "dont-quote-rules"
    cited, _ = step(CITY, state, "按《保障中小企业款项支付条例》，你们不能拖延验收。", heard)
    assert cited.objection == "dont-quote-rules"


def test_a_persona_who_cannot_know_a_fact_names_who_does() -> None:
    # the county scenario has one stage; the city's info-section fact asked of the deputy
    # director is told in his own voice (a `voices` line), never in the section chief's
    state = with_mood(CITY, 2, earned=("project",), mood=3)
    reply = say(CITY, state, "想请教一下，终验现在卡在哪些环节？")
    assert CITY.facts["acceptance_standard"].reveal not in reply
    assert "等保三级" in reply
    office = with_mood(CITY, 0)
    asked = say(CITY, office, "请问终验现在卡在哪些环节？")
    assert "韩科长" in asked and "等保三级" not in asked


def test_the_gatekeeper_lets_a_polite_rep_with_a_purpose_through_in_any_wording() -> None:
    text = "打扰了，我是城智科技的小陈，为数字城管二期的事来的，想见马局。"
    plan, _ = step(CITY, initial_state(CITY), text)
    assert plan.advance


def test_a_bare_closed_question_interrogation_stops_paying() -> None:
    state = with_mood(HEALTH, 1, closed_reveals=2)
    plan, _ = step(HEALTH, state, "是二期项目吗？")
    assert plan.reveal == () and plan.held == ("project",)


def test_the_client_warns_once_and_the_card_shows_the_time() -> None:
    state = with_mood(HEALTH, 1, patience=2)
    plan, after = step(HEALTH, state, "嗯。")
    assert plan.end is None and plan.warn and after.warned
    assert HEALTH.patience_of(1) == HEALTH.stages[1].patience
    helper = LIBRARY.get("county-edu-smart-classroom")
    assert helper.patience_of(0) > helper.stages[0].patience  # a helpful type stays longer


def test_the_last_fact_leaves_the_rep_a_turn_to_propose() -> None:
    earned = ("project", "acceptance_person", "acceptance_standard", "payment_terms")
    done = ("outage", "budget-queue")
    state = with_mood(HEALTH, 1, patience=1, warned=True, earned=earned, mood=2)
    state = dataclasses.replace(state, objections_raised=done, objections_settled=done)
    plan, after = step(HEALTH, state, "理解您的难处。这笔钱最后由谁来签批？")
    assert "payment_owner" in plan.reveal and plan.end is None and after.patience >= 1


def test_dates_move_with_the_session_by_whole_weeks() -> None:
    anchor = dt.date(2026, 12, 1)
    assert shift_text("12 月 8 号上会，10 号前报", anchor, 63, "zh") == "2 月 9 号上会，11 号前报"
    assert shift_text("最快明年 3 月", anchor, 63, "zh") == "最快今年 5 月"
    assert shift_text("12 月 28 日前", anchor, 14, "zh") == "明年 1 月 11 日前"
    assert shift_text("on 9 December, contract HJJC-2026-003", anchor, 21, "en") == (
        "on 30 December, contract HJJC-2026-003"
    )
    later = as_of(CITY, dt.date(2027, 3, 2))
    assert later.brief.overdue_since == dt.date(2026, 12, 30)
    assert "12 月 10 号" not in later.facts["payment_terms"].reveal
    assert as_of(CITY, dt.date(2026, 12, 3)) == CITY  # under half a week: as written


async def test_a_bubble_sent_before_the_handover_is_answered_by_the_one_it_was_for(
    app: Container,
) -> None:
    person = await app.users.local("bubbles")
    started = await app.practice.start(person.id, HEALTH.id)
    await app.practice.begin(person.id, started.session.id)
    hello = "您好，打扰了，我是华信科技的小陈，关于二期项目尾款的事，想跟王科长约个时间。"
    moved = await app.practice.reply(person.id, started.session.id, hello)
    assert moved.session.client.stage == 1
    patience = moved.session.client.patience
    early = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)  # written while the clerk was answering
    late = await app.practice.reply(person.id, started.session.id, "谢谢啦！", sent_at=early)
    last = late.session.transcript.turns[-1]
    assert last.stage == "gatekeeper" and late.session.client.stage == 1
    assert late.session.client.patience == patience  # the official is not charged for it
    now = await app.practice.reply(person.id, started.session.id, "王科长您好。")
    assert now.session.transcript.turns[-1].stage == "official"


def test_a_prepared_rep_who_names_the_project_needs_not_ask_which_one_first() -> None:
    state = with_mood(HEALTH, 1)
    named, _ = step(HEALTH, state, "咱们基层医疗机构信息系统升级这个项目，验收现在卡在哪些环节？")
    assert "acceptance_standard" in named.reveal and named.named == ("project",)
    vague, _ = step(HEALTH, state, "验收现在卡在哪些环节？")
    assert "acceptance_standard" not in vague.reveal  # which project? is still a fair question
