"""The English listening cues on hand-written lines, and Chinese cues unchanged by them."""

from __future__ import annotations

import pytest

from bot.domain.cues import analyze, sentences

CLIENT = (
    "The acceptance report is still sitting with the finance office, "
    "and honestly I'm tired of chasing them."
)


@pytest.mark.parametrize(
    ("rep", "client"),
    [
        ("It sounds like the acceptance report is stuck with finance.", CLIENT),
        ("Still with the finance office.", CLIENT),
        ("You're tired of chasing them.", CLIENT),
        ("So the report is still with finance?", CLIENT),
        ("You feel you drink too much.", "I know I drink too much."),
    ],
)
def test_playing_back_the_clients_meaning_is_a_reflection(rep: str, client: str) -> None:
    cues = analyze(rep, client, "en")
    assert (cues.reflection, cues.advice) == (True, False)


@pytest.mark.parametrize(
    ("rep", "client"),
    [
        ("So you're worried the audit will flag the delay.", "The audit team comes in December."),
        (
            "On the one hand you want to pay us, on the other hand the budget hasn't been "
            "released.",
            "I'd like to pay, but there's no budget yet.",
        ),
    ],
)
def test_a_feeling_or_both_sides_makes_a_reflection_complex(rep: str, client: str) -> None:
    assert analyze(rep, client, "en").complex_reflection is True


def test_restating_words_alone_is_a_simple_reflection() -> None:
    cues = analyze("Still with the finance office.", CLIENT, "en")
    assert (cues.reflection, cues.complex_reflection) == (True, False)


@pytest.mark.parametrize(
    "rep",
    [
        "You need to sign the acceptance form this week.",
        "You really do need to take your medicine.",
        "Studies show late payments increase the risk of audit findings.",
        "You're drinking too much.",
        "Sign it today.",
        "Don't you think it's time to release the money?",
    ],
)
def test_telling_the_client_what_to_do_is_advice_not_a_reflection(rep: str) -> None:
    cues = analyze(rep, "I have a few beers after work.", "en")
    assert (cues.advice, cues.reflection) == (True, False)


def test_offering_information_with_permission_is_not_advice() -> None:
    cues = analyze("Would it be okay if I shared what other districts did?", CLIENT, "en")
    assert (cues.advice, cues.questions, cues.open_questions) == (False, 1, 0)


def test_a_verdict_about_the_client_is_not_a_reflection() -> None:
    cues = analyze("You're a manager now.", "I got promoted last month.", "en")
    assert (cues.reflection, cues.advice) == (False, False)


def test_a_threat_is_pressure_and_advice() -> None:
    cues = analyze("Pay by Friday or we'll take you to court.", CLIENT, "en")
    assert (cues.threat, cues.pressure, cues.advice, cues.reflection) == (True, True, True, False)


@pytest.mark.parametrize(
    ("rep", "questions", "open_questions"),
    [
        ("What's holding up the payment?", 1, 1),
        ("Tell me about the approval process.", 1, 1),
        ("Okay, um, how is the review going?", 1, 1),
        ("Did finance receive the invoice?", 1, 0),
        ("Is the budget released? Who signs the payment order?", 2, 0),
        ("Okay.", 0, 0),
        ("You mentioned the budget. When does it usually come through?", 1, 0),
    ],
)
def test_questions_are_counted_and_told_open_or_closed(
    rep: str, questions: int, open_questions: int
) -> None:
    cues = analyze(rep, CLIENT, "en")
    assert (cues.questions, cues.open_questions) == (questions, open_questions)


@pytest.mark.parametrize(
    ("rep", "client", "expected"),
    [
        (
            "您的意思是验收报告还在财务那边？",
            "验收报告还在财务那边，还没签。",
            # A verbatim copy behind 您的意思是 is parroting: it does not count as listening.
            {"questions": 1, "open_questions": 0, "reflection": False, "pressure": False},
        ),
        (
            "你必须今天付款，否则我们就起诉。",
            "",
            {"questions": 0, "open_questions": 0, "reflection": False, "pressure": True},
        ),
        (
            "验收标准是什么？谁负责签字？",
            "",
            {"questions": 2, "open_questions": 1, "reflection": False, "pressure": False},
        ),
        (
            "这个项目现在进展到哪一步了？",
            "",
            {"questions": 1, "open_questions": 1, "reflection": False, "pressure": False},
        ),
    ],
)
def test_chinese_cues_keep_their_behaviour(
    rep: str, client: str, expected: dict[str, object]
) -> None:
    cues = analyze(rep, client, "zh")
    actual = {k: getattr(cues, k) for k in expected}
    assert actual == expected


def test_chinese_advice_is_the_directive_or_pressure_list_and_nothing_is_complex() -> None:
    demand = analyze("你必须今天付款，否则我们就起诉。", "", "zh")
    reflect = analyze("您的意思是验收报告还在财务那边？", "验收报告还在财务那边，还没签。", "zh")
    # A demand for what the rep wants is pressure, not advice on the client's own process.
    assert (demand.advice, demand.pressure) == (False, True)
    assert (reflect.advice, reflect.complex_reflection) == (False, False)


def test_a_title_or_e_g_does_not_end_a_sentence() -> None:
    # The scorecard quotes a sentence: "Good afternoon, Dr." was quoted as evidence.
    text = "Good afternoon, Dr. Liang, and thank you. Ms. Sun has e.g. the logs. Fine?"
    assert sentences(text, "en") == [
        "Good afternoon, Dr. Liang, and thank you.",
        "Ms. Sun has e.g. the logs.",
        "Fine?",
    ]
