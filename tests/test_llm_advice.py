"""What the model advises reaches the rep in the session's language and says something new:
a judge tip in another language gives way to the rule-based one, and a coach's rewording that
is the rep's own line is not offered."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.composition import Grading, grading_only
from bot.domain.rubric import DIMENSIONS
from bot.domain.scenario import Scenario
from bot.domain.transcript import parse_transcript
from bot.llm.coach import differs
from bot.llm.judge import in_language
from tests.support.fake_openai import FakeOpenAI
from tests.support.llm import llm_settings

CALM = """客户：你好你好，坐吧。我十点半还有个会，咱们抓紧。
销售：王科长您好，打扰了。请问二期项目现在验收进行到哪一步了？
客户：这个嘛，还要研究一下。
销售：您是说还需要研究，是担心哪些地方还不到位吗？
客户：宕机那事让我很被动。"""


def _verdict(tip: str) -> str:
    dims = {d: {"reasoning": "r", "evidence": [], "score": 3, "tip": tip} for d in DIMENSIONS}
    return json.dumps({"dimensions": dims}, ensure_ascii=False)


@pytest.fixture
async def grading(tmp_path: Path, fake: FakeOpenAI) -> AsyncIterator[Grading]:
    built = grading_only(llm_settings(tmp_path, fake, llm_structured_output="json_object"))
    yield built
    await built.aclose()


async def test_an_english_tip_in_a_chinese_session_gives_way_to_the_rule_based_one(
    grading: Grading, fake: FakeOpenAI, scenario: Scenario
) -> None:
    fake.script(_verdict("Ask more open questions next time."))
    card = await grading.grading.grade(parse_transcript(CALM), scenario, None, "zh")
    assert card.grader == "llm:fake-judge"
    assert all(in_language(d.tip, "zh") for d in card.dimensions.values())
    assert all("open questions" not in d.tip for d in card.dimensions.values())


async def test_a_tip_in_the_sessions_language_is_kept(
    grading: Grading, fake: FakeOpenAI, scenario: Scenario
) -> None:
    fake.script(_verdict("下次先复述客户的顾虑，再问验收卡在哪一步。"))
    card = await grading.grading.grade(parse_transcript(CALM), scenario, None, "zh")
    assert {d.tip for d in card.dimensions.values()} == {
        "下次先复述客户的顾虑，再问验收卡在哪一步。"
    }


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("下次先问验收卡在哪一步。", "zh", True),
        ("Ask about the acceptance.", "zh", False),
        ("先问 acceptance 的进展。", "zh", True),
        ("Ask who signs the acceptance.", "en", True),
        ("先问验收。", "en", False),
        ("", "zh", False),
    ],
)
def test_a_tips_language_is_read_from_its_letters(text: str, lang: str, expected: bool) -> None:
    assert in_language(text, lang) is expected


@pytest.mark.parametrize(
    ("rewrite", "original", "expected"),
    [
        ("你们什么时候付款？", "你们什么时候付款？", False),
        ("你们什么时候付款", "你们什么时候付款？", False),
        ("“你们什么时候付款？”", "你们什么时候付款?", False),
        ("王科长，验收现在卡在哪一步？我们能帮上什么忙？", "你们什么时候付款？", True),
    ],
)
def test_a_rewording_must_differ_from_the_original(
    rewrite: str, original: str, expected: bool
) -> None:
    assert differs(rewrite, original) is expected


async def test_a_rewording_equal_to_the_reps_line_is_not_offered(
    tmp_path: Path, fake: FakeOpenAI, scenario: Scenario
) -> None:
    from bot.composition import container

    async with container(llm_settings(tmp_path, fake)) as app:
        person = await app.users.local("rep")
        started = await app.practice.start(person.id, scenario.id)
        await app.practice.begin(person.id, started.session.id, None)
        line = "你们什么时候付款？"
        await app.practice.reply(person.id, started.session.id, line)
        fake.script(_verdict("下次先复述客户的顾虑。"), line)
        _, card = await app.practice.finish(person.id, started.session.id, "zh")
    assert card.rewording is None or card.rewording.suggestion != line


async def test_the_coach_rewrites_the_turn_that_cost_the_most_for_the_person_spoken_to(
    grading: Grading, fake: FakeOpenAI, scenario: Scenario
) -> None:
    fake.script(_verdict("下次先复述客户的顾虑。"), "王科长，您是说宕机那事让您很被动？")
    card = await grading.grading.grade(parse_transcript(CALM), scenario, None, "zh")
    (asked,) = [r for r in fake.requests if r.body["model"] == "fake-coach"]
    prompt = asked.messages[-1]["content"]
    assert card.rewording is not None
    assert card.rewording.suggestion == "王科长，您是说宕机那事让您很被动？"
    # The coach is told which dimension the fix lifts and why, with a stock wording as a model.
    assert card.rewording.why.split("：")[0] in prompt
    assert "A stock wording that makes this fix" in prompt
    assert card.rewording.why  # the card keeps why, whoever wrote the wording
