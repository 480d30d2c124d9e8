"""What a skilled Chinese rep says is read as what it is: listening, not pressure; a question
about acceptance or payment counts for that topic."""

from __future__ import annotations

import pytest

from bot.domain.cues import analyze
from bot.domain.engine import asked_facts
from bot.domain.scenario import Scenario

OUTAGE = "钱的事先别急。上个月系统宕机两次，群众投诉都打到局里来了，这事你们还没给个说法呢。"


def test_reflecting_the_clients_complaint_is_listening_not_a_threat() -> None:
    cues = analyze("您是说，群众投诉直接打到了局里，让您很被动。", OUTAGE, "zh")
    assert (cues.threat, cues.pressure, cues.reflection, cues.empathy) == (False, False, True, True)


@pytest.mark.parametrize(
    "text",
    [
        "我们马上安排工程师过去处理。",
        "我们立即组织整改。",
        "我们必须先把整改做完，才好麻烦您验收。",
    ],
)
def test_the_reps_own_promise_is_not_pressure(text: str) -> None:
    assert analyze(text, "", "zh").pressure is False


@pytest.mark.parametrize(
    "text", ["你们必须马上付款。", "今天必须给个准话。", "再不付款我们就去投诉。"]
)
def test_pushing_the_client_to_pay_is_still_pressure(text: str) -> None:
    assert analyze(text, "", "zh").pressure is True


@pytest.mark.parametrize("text", ["谢谢您百忙之中抽时间。", "知道王科长很忙，麻烦您通报一声。"])
def test_acknowledging_a_busy_official_is_empathy(text: str) -> None:
    assert analyze(text, "", "zh").empathy is True


@pytest.mark.parametrize(
    ("text", "fact"),
    [
        ("验收现在卡在哪一步？", "acceptance_standard"),
        ("验收还缺哪些材料？", "acceptance_standard"),
        ("怎样才能通过验收？", "acceptance_standard"),
        ("终验现在卡在哪一步？", "acceptance_standard"),
        ("终验有什么要求？", "acceptance_standard"),
        ("谁牵头组织验收？", "acceptance_person"),
        ("终验由谁负责？", "acceptance_person"),
        ("验收由哪个科室负责？", "acceptance_person"),
        ("通过验收以后，付款一般怎么走？", "payment_terms"),
        ("钱什么时候能拨下来？", "payment_terms"),
        ("最后谁来拍板？", "payment_owner"),
        ("签字的领导是哪位？", "payment_owner"),
    ],
)
def test_a_natural_question_counts_for_its_topic(scenario: Scenario, text: str, fact: str) -> None:
    assert asked_facts(scenario, analyze(text, "", "zh"), text) == [fact]
