"""The offline client speaks like a guarded official, deterministically, without echoing."""

from __future__ import annotations

import dataclasses

from bot.domain.cues import analyze
from bot.domain.engine import apply, initial_state, plan_turn
from bot.domain.ports import ClientTurn
from bot.domain.scenario import Scenario
from bot.domain.session import ClientState
from bot.domain.transcript import Transcript
from bot.offline.client import OfflineClient, load_phrases
from bot.offline.names import case_words, gist


def voice(scenario: Scenario, state: ClientState, text: str, seed: str = "s") -> str:
    plan = plan_turn(scenario, state, analyze(text, "", "zh"), text)
    after = apply(scenario, state, plan, text)
    transcript = Transcript().add("client", scenario.stages[0].opening).add("rep", text)
    return OfflineClient(load_phrases()).compose(
        ClientTurn(scenario, state, after, plan, transcript, seed)
    )


def official(scenario: Scenario, **changes: object) -> ClientState:
    base = dataclasses.replace(initial_state(scenario), stage=1, mood=1, patience=8)
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_reveal_uses_the_scenario_line(scenario: Scenario) -> None:
    reply = voice(scenario, official(scenario), "想请教一下，这个二期项目现在是什么情况？")
    assert scenario.facts["project"].reveal in reply


def test_unearned_fact_gets_official_deflection_not_the_value(scenario: Scenario) -> None:
    reply = voice(scenario, official(scenario), "付款流程一般怎么走？")
    for key, fact in scenario.facts.items():
        assert not any(m in reply for m in fact.markers), key
    assert reply


def test_reply_never_echoes_the_rep(scenario: Scenario) -> None:
    text = "我们公司的系统非常好，请您尽快安排付款流程。"
    assert text not in voice(scenario, official(scenario), text)


def test_same_session_and_turn_give_the_same_words(scenario: Scenario) -> None:
    state = official(scenario)
    assert voice(scenario, state, "嗯嗯。", seed="a") == voice(scenario, state, "嗯嗯。", seed="a")


def test_threat_gets_an_offended_answer(scenario: Scenario) -> None:
    reply = voice(scenario, official(scenario, mood=-1), "再不付款我就去纪委举报你们！")
    bank = load_phrases()["zh"]
    words = case_words(scenario, 1)
    named = bank["named"]["end_offended"]  # type: ignore[index]
    lines = [line.format(**words) for line in [*bank["end_offended"], *named]]  # type: ignore[misc]
    assert any(line in reply for line in lines)


def test_stage_advance_hands_over_to_the_official(scenario: Scenario) -> None:
    text = "您好，我是华信科技的小陈，关于二期项目尾款的事，想麻烦您跟王科长约个时间。"
    reply = voice(scenario, initial_state(scenario), text)
    assert scenario.stages[1].opening in reply


async def test_reply_streams_in_pieces_that_add_up_to_the_text(scenario: Scenario) -> None:
    state = official(scenario)
    text = "想请教一下，这个二期项目现在是什么情况？"
    plan = plan_turn(scenario, state, analyze(text, "", "zh"), text)
    transcript = Transcript().add("rep", text)
    pieces: list[str] = []

    async def sink(piece: str) -> None:
        pieces.append(piece)

    turn = ClientTurn(scenario, state, apply(scenario, state, plan, text), plan, transcript, "s")
    reply = await OfflineClient(load_phrases()).reply(turn, sink)
    assert len(pieces) > 1
    assert "".join(pieces) == reply.text


def test_asking_again_for_a_told_fact_gets_its_gist_not_the_whole_line_again(
    scenario: Scenario,
) -> None:
    reply = voice(scenario, official(scenario, earned=("project",)), "这个项目是什么情况？")
    assert gist(scenario, "project") in reply  # "I told you" comes with what was told
    assert scenario.facts["project"].reveal not in reply


def test_already_told_is_never_claimed_for_a_fact_not_given(scenario: Scenario) -> None:
    reply = voice(scenario, official(scenario), "这个项目是什么情况？")
    assert "说过" not in reply and "前面讲了" not in reply


def test_phrase_banks_cover_every_line_kind_in_both_languages() -> None:
    from typing import get_args

    from bot.domain.scenario import LineKind

    for lang, bank in load_phrases().items():
        assert set(bank) - {"named", "gate", "topic_names"} == set(get_args(LineKind)), lang
        for section in ("named", "gate"):
            assert set(bank[section]) <= set(get_args(LineKind)), (lang, section)  # type: ignore[arg-type]


def test_a_models_fallback_lines_carry_no_unfilled_slot() -> None:
    # `bot.llm.client.pick` takes the plain lists as they are: slots live under `named`.
    for lang, bank in load_phrases().items():
        for kind in ("meta", "deflect", "end_patience", "end_offended", "end_budget"):
            lines = bank[kind]
            assert isinstance(lines, list) and lines, (lang, kind)
            assert not any("{" in line for line in lines), (lang, kind)


def test_a_threat_reaction_leaves_the_goodbye_to_the_closing_line() -> None:
    # A threat ends the meeting: its reaction is always followed by an `end_offended` line, so
    # a reaction that says goodbye as well reads twice (「…不用谈了。…没必要再谈了。」).
    banks = load_phrases()
    for line in banks["zh"]["threat"]:
        assert not any(w in line for w in ("不用谈了", "没必要再谈", "请回", "到这儿")), line
    # "…strictly by the book." then "…proceed by the rules from here." said the same twice.
    for line in banks["en"]["end_offended"]:
        assert "by the rules" not in line and "by the book" not in line, line
