"""The guided flows as typed state machines: each step a pure transition (given a state and an
answer, the next state and the question it leaves open), and the draft that carries the state
in the database — a stale nonce refused, a draft saved before a restart resumed, an old
dict-shaped row read (or dropped as expired, never half-used)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from bot.errors import InvalidRequest, StaleButton
from bot.storage.database import Database
from bot.storage.drafts import DraftRepository
from bot.telegram import assign_flow as af
from bot.telegram import studio_flow as sf
from bot.telegram.drafts import Draft, DraftExpired, Drafts, FlowState
from bot.telegram.handlers.review import CommentState, ReasonState
from bot.telegram.handlers.uploads import UploadState

NOW = dt.datetime(2026, 12, 3, 4, 0, tzinfo=dt.UTC)  # 12:00 in Shanghai
ZONE = "Asia/Shanghai"
USER = 4242


def fresh() -> af.AssignState:
    return af.AssignState(team=7, team_name="华东一组", zone=ZONE)


def picked() -> af.AssignState:
    state = af.choose_scenario(fresh(), "s1", "区卫健委", 60)
    return af.offer_reps(state, {11: "小陈", 12: "小王"})


def test_the_assign_steps_are_asked_in_order_until_confirmation() -> None:
    state = fresh()
    assert af.next_step(state) == "scenario"
    state = picked()
    assert af.asking(state)[0] == "member"
    state = af.answer(state, "member", "0", NOW)
    assert (state.target, af.target_name(state)) == (af.EVERYONE, None)
    step, state = af.asking(state)
    assert (step, state.awaits) == ("due", "due")  # typed text is the due date now
    state = af.answer(state, "due", "3天", NOW)
    assert state.due_local == "2026-12-06 23:59"
    step, state = af.asking(state)
    assert (step, state.awaits) == ("mark", "mark")
    state = af.answer(state, "mark", "70", NOW)
    step, state = af.asking(state)
    assert (step, state.awaits) == ("attempts", None)  # buttons only
    state = af.answer(state, "attempts", "2", NOW)
    assert af.asking(state)[0] is None
    assert (state.mark, state.attempts, state.default_mark) == (70, 2, 60)


def test_a_rep_not_offered_is_a_stale_button_and_a_bad_mark_is_refused() -> None:
    with pytest.raises(StaleButton):
        af.choose_target(picked(), "99")
    assert af.choose_target(picked(), "12").target == 12
    assert af.target_name(af.choose_target(picked(), "12")) == "小王"
    with pytest.raises(InvalidRequest, match="pass_mark"):
        af.set_mark(picked(), "120")
    with pytest.raises(StaleButton):
        af.answer(picked(), "scenario", "anything", NOW)


def test_a_missed_due_date_is_asked_for_again_and_the_rest_is_kept() -> None:
    state = af.answer(af.answer(picked(), "member", "11", NOW), "due", "1小时", NOW)
    state = af.set_attempts(af.set_mark(state, "60"), "1")
    again = af.due_missed(state)
    assert af.asking(again)[0] == "due"
    assert (again.target, again.mark, again.attempts) == (11, 60, 1)


def test_an_assign_draft_in_the_old_dict_shape_still_reads() -> None:
    old = {
        "team": 7,
        "team_name": "华东一组",
        "zone": ZONE,
        "scenario": "s1",
        "title": "区卫健委",
        "default_mark": 60,
        "reps": {"11": "小陈"},
        "member": None,  # the old shape's "everyone"
        "due": "2026-12-06T15:59:00+00:00",
        "due_local": "2026-12-06 23:59",
        "awaits": "mark",
    }
    state = af.AssignState.model_validate(old)
    assert (state.target, af.next_step(state), state.awaits) == (af.EVERYONE, "mark", "mark")
    assert state.due == dt.datetime(2026, 12, 6, 15, 59, tzinfo=dt.UTC)
    one = af.AssignState.model_validate({**old, "member": 11})
    assert af.target_name(one) == "小陈"
    unasked = {k: v for k, v in old.items() if k not in ("member", "due", "due_local")}
    assert af.next_step(af.AssignState.model_validate(unasked)) == "member"


def test_the_questionnaire_takes_typed_and_pressed_answers_at_their_own_step() -> None:
    state = sf.StudioState(team=7, team_name="华东一组")
    step, state = sf.asking(state)
    assert (step, state.awaits) == ("case", "case")
    assert sf.typed_answer(sf.waiting(state, "money"), "区水务局") is None  # not this step's
    state = sf.typed_answer(state, "  区水务局，智慧水务一期 ") or state
    assert state.answers == {"case": "区水务局，智慧水务一期"}
    step, state = sf.asking(state)
    assert step == "money"
    with pytest.raises(StaleButton):
        sf.chosen_answer(state, "难约")  # a button of another step
    with pytest.raises(InvalidRequest):
        sf.typed_answer(state, "很多钱")


def test_a_preview_waits_for_buttons_and_change_requests_revise_it() -> None:
    state = sf.waiting(sf.StudioState(team=7, team_name="华东一组"), sf.DESCRIPTION)
    assert sf.composing(state) and sf.revising(state) is None
    state = sf.previewed(state, "id: x\n", "zh")
    assert (state.awaits, state.yaml, state.lang) == (None, "id: x\n", "zh")
    assert not sf.composing(state)
    changing = sf.waiting(state, sf.CHANGES)
    assert sf.composing(changing) and sf.revising(changing) == "id: x\n"
    assert sf.quiz_again(state).answers == {} and sf.quiz_again(state).yaml is None


async def test_a_stale_nonce_is_refused_and_a_saved_draft_resumes_after_a_restart(
    db: Database,
) -> None:
    first = await Drafts(db).begin(USER, "assign", picked())
    replaced = await Drafts(db).begin(USER, "assign", picked())
    assert await Drafts(db).load(USER, af.AssignState, "assign", first.nonce) is None
    moved = replaced.to(af.answer(replaced.state, "member", "11", NOW))
    await Drafts(db).save(USER, moved)
    # A new Drafts on the same database: what a restarted bot sees.
    resumed = await Drafts(db).load(USER, af.AssignState, "assign", replaced.nonce)
    assert resumed == moved
    assert resumed is not None and af.next_step(resumed.state) == "due"
    assert await Drafts(db).load(USER, ReasonState, "reason") is None  # another flow's kind


async def test_an_old_row_reads_and_an_unreadable_one_is_dropped_as_expired(db: Database) -> None:
    old = {"team": 7, "team_name": "华东一组", "zone": ZONE, "scenario": "s1", "member": None}
    async with db.session() as s:
        await DraftRepository(s).put(USER, "assign", "abcd1234", old)
    flow = await Drafts(db).load(USER, af.AssignState, "assign", "abcd1234")
    assert flow is not None and flow.state.target == af.EVERYONE
    async with db.session() as s:
        await DraftRepository(s).put(USER, "assign", "abcd1234", {"scenario": "s1"})
    with pytest.raises(DraftExpired) as raised:
        await Drafts(db).load(USER, af.AssignState, "assign", "abcd1234")
    assert raised.value.code == "tg.team.draft_expired"
    assert await Drafts(db).get(USER) is None  # forgotten, not left to fail again


@pytest.mark.parametrize(
    ("model", "old"),
    [
        (CommentState, {"session": "s-1", "name": "小陈", "awaits": "comment"}),
        (
            ReasonState,
            {"session": "s-1", "dimension": "empathy", "score": "4.5", "name": "小陈"},
        ),
        (
            sf.StudioState,
            {
                "team": 7,
                "team_name": "华东一组",
                "answers": {"case": "区水务局"},
                "awaits": "money",
            },
        ),
        (UploadState, {"file": "file-id", "name": None}),
    ],
)
def test_every_flows_old_dict_shape_still_reads(
    model: type[FlowState], old: dict[str, Any]
) -> None:
    flow = Draft("kind", "abcd1234", old).typed(model)
    again = flow.stored().typed(model)  # what the next step reads back
    assert (again.nonce, again.state) == ("abcd1234", flow.state)


def test_a_reason_keeps_its_score_as_a_number_and_waits_for_the_reason() -> None:
    state = ReasonState.model_validate(
        {"session": "s", "dimension": "d", "score": "4.5", "name": "n"}
    )
    assert (state.score, state.awaits) == (4.5, "reason")
    with pytest.raises(DraftExpired):
        Draft("reason", "abcd1234", {"session": "s"}).typed(ReasonState)
