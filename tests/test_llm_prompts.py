"""Prompt templates render for every shipped scenario, keep hidden facts out of the stable
part, and fail loudly on a missing variable or file."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from jinja2 import UndefinedError

from bot.domain.cues import analyze
from bot.domain.engine import apply, initial_state, plan_turn
from bot.domain.metrics import compute_metrics
from bot.domain.ports import ClientTurn, JudgeRequest
from bot.domain.scenario import Scenario
from bot.domain.transcript import Transcript
from bot.errors import TrainerError
from bot.i18n import Catalog
from bot.llm.client import LLMClient
from bot.llm.coach import LLMCoach
from bot.llm.gateway import Gateway, GatewayConfig
from bot.llm.judge import LLMJudge
from bot.llm.prompts import Prompts
from bot.offline.client import OfflineClient, load_phrases
from bot.scenarios.library import ScenarioLibrary
from bot.settings import ROOT

REP_LINES = {
    "zh": "您好，我是华信科技的小陈，想请教一下二期项目的验收现在进行到哪一步了？",
    "en": "Hello, I'm Chen from Huaxin. Could you tell me where the phase-2 acceptance stands?",
}


@pytest.fixture
async def parts(catalog: Catalog):
    """The LLM adapters on the shipped templates (no call is made in these tests)."""
    gateway = Gateway(GatewayConfig(base_url="http://127.0.0.1:9/v1"))
    prompts = Prompts(ROOT / "prompts")
    phrases = load_phrases()
    client = LLMClient(gateway, prompts, "m", OfflineClient(phrases), phrases)
    yield client, LLMJudge(gateway, prompts, "m", catalog), LLMCoach(gateway, prompts, "m", catalog)
    await gateway.aclose()


def _turns(scenario: Scenario, rep: str | None = None) -> list[ClientTurn]:
    """One planned turn in every stage of the scenario."""
    turns = []
    state = initial_state(scenario)
    rep = rep or REP_LINES[scenario.language]
    for index, stage in enumerate(scenario.stages):
        state = type(state)(stage=index, mood=0, patience=stage.patience)
        transcript = Transcript().add("client", stage.opening).add("rep", rep)
        plan = plan_turn(scenario, state, analyze(rep, stage.opening, scenario.language), rep)
        after = apply(scenario, state, plan, rep)
        turns.append(ClientTurn(scenario, state, after, plan, transcript, seed="s"))
    return turns


def test_every_shipped_scenario_renders_every_template(
    library: ScenarioLibrary, parts: tuple[LLMClient, LLMJudge, LLMCoach]
) -> None:
    client, judge, _coach = parts
    assert library.all(), "no scenario shipped"
    for scenario in library.all():
        for turn in _turns(scenario):
            messages = client.messages(turn, secrets.token_hex(8))
            assert messages[0]["role"] == "system"
            persona = scenario.stages[turn.before.stage].persona.name
            assert messages[0]["content"].startswith(f"You are {persona}, ")
            assert messages[-1]["role"] == "user"
            assert messages[-1]["content"].endswith("\n" + REP_LINES[scenario.language])
        transcript = _turns(scenario)[0].transcript
        request = JudgeRequest(
            transcript, compute_metrics(transcript, scenario, "plan"), scenario, "plan", "zh"
        )
        judged = judge.messages(request, "n0nce")
        assert "<transcript-n0nce>" in judged[1]["content"]


async def test_coach_templates_render_for_every_shipped_scenario(
    library: ScenarioLibrary, parts: tuple[LLMClient, LLMJudge, LLMCoach]
) -> None:
    _client, _judge, coach = parts
    for scenario in library.all():
        turn = _turns(scenario)[-1]
        hint = coach.prompts.render(
            "coach_hint.j2",
            lang=scenario.language,
            scenario=scenario,
            persona=scenario.stages[-1].persona,
            mood=0,
            patience=3,
            earned=[],
            missing=["x"],
            objection="",
            engine_hint="ask",
            nonce="n",
            turns=["{}"],
        )
        rewrite = coach.prompts.render(
            "coach_rewrite.j2",
            lang=scenario.language,
            problem="p",
            persona="小刘, 办公室科员",
            example="e",
            nonce="n",
            turns=["{}"],
            turn_number=2,
            original=turn.transcript.turns[1].text,
        )
        assert scenario.brief.goal in hint
        assert turn.transcript.turns[1].text in rewrite


def test_client_system_prompt_holds_no_hidden_fact_and_is_the_same_every_turn_of_a_stage(
    library: ScenarioLibrary, parts: tuple[LLMClient, LLMJudge, LLMCoach]
) -> None:
    client = parts[0]
    for scenario in library.all():
        turns = _turns(scenario)
        again = _turns(scenario, "我再问一句：这个事情您看怎么办比较好？")
        systems = [client.system_prompt(t) for t in turns]
        assert systems == [client.system_prompt(t) for t in again]
        assert len(set(systems)) == len(scenario.stages)  # who the model is, per stage
        for system in systems:
            for fact in scenario.facts.values():
                assert fact.value not in system
                assert all(marker not in system for marker in fact.markers if len(marker) > 2)


def test_turn_prompt_carries_only_the_facts_the_engine_released(
    scenario: Scenario, parts: tuple[LLMClient, LLMJudge, LLMCoach]
) -> None:
    client = parts[0]
    official = _turns(scenario, "请问这个项目现在是什么情况？")[-1]
    prompt = client.turn_prompt(official, "abc")
    released = set(official.plan.reveal) if official.plan else set()
    assert released, "the reference question should earn the project fact"
    for key, fact in scenario.facts.items():
        assert (fact.reveal in prompt) == (key in released)


def test_a_missing_variable_is_an_error_not_a_blank(tmp_path: Path) -> None:
    for name in (
        "client_system.j2",
        "client_turn.j2",
        "judge_system.j2",
        "judge_user.j2",
        "coach_hint.j2",
        "coach_rewrite.j2",
    ):
        (tmp_path / name).write_text("Hello {{ nobody }}", encoding="utf-8")
    with pytest.raises(UndefinedError):
        Prompts(tmp_path).render("judge_user.j2")


def test_a_missing_template_stops_the_start(tmp_path: Path) -> None:
    with pytest.raises(TrainerError) as caught:
        Prompts(tmp_path)
    assert caught.value.code == "llm.error.prompts"
