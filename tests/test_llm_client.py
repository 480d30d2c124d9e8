"""The LLM client voices the engine's plan; structural moves never depend on the model."""

from __future__ import annotations

from bot.composition import Container
from tests.support.fake_openai import FakeOpenAI
from tests.support.llm import Deltas, begin_session, client_reply

INTRO = "您好，我是华信科技的小陈，关于二期项目尾款的事，想麻烦您跟王科长约个时间，谢谢。"


async def test_the_next_person_opens_with_the_scenario_line_when_the_rep_is_let_through(
    llm_app: Container, fake: FakeOpenAI
) -> None:
    user, session = await begin_session(llm_app)
    fake.script(client_reply("好的，您稍等，我去问问王科长。"))
    shown = Deltas()
    result = await llm_app.practice.reply(user, session, INTRO, on_delta=shown)
    assert result.plan is not None and result.plan.advance
    opening = result.scenario.stages[1].opening
    assert result.reply == "好的，您稍等，我去问问王科长。\n" + opening
    assert shown.text == result.reply


async def test_a_reply_that_already_voiced_the_opening_is_not_repeated(
    llm_app: Container, fake: FakeOpenAI
) -> None:
    user, session = await begin_session(llm_app)
    started, _ = await llm_app.practice.open(user, session)
    opening = started.scenario.stages[1].opening
    fake.script(client_reply(f"好，您进去吧。{opening}"))
    result = await llm_app.practice.reply(user, session, INTRO)
    assert result.reply.count(opening) == 1
